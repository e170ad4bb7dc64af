"""POST /api/tickets, GET and DELETE /api/tickets/<token>: issuing, following and cancelling a ticket."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.services.context import Context
from tests.conftest import FakeClock
from tests.queue_server.helpers import TICKET_FIELDS, Api, Centre, OpenApi, assert_error, bearer, events, ticket

TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


# -- issuing -------------------------------------------------------------------------------------------------


def test_issue_gives_the_first_number_of_the_prefix_waiting_first_in_line(centre: Centre) -> None:
    t = centre.issue("kela")
    assert t["number"] == "K001"
    assert t["status"] == "waiting"
    assert t["service"] == "kela" and t["service_name"] == "Kela"
    assert t["position"] == 1
    # no desk is open yet: no estimate but the reason (a made-up wait would be a promise nobody keeps)
    assert (t["estimated_wait_s"], t["estimate_reason"]) == (None, "no_desk_open")
    assert t["desk"] is None and t["called_at"] is None
    assert t["pending_services"] == []
    assert t["priority"] is False and t["language"] == "fi"


def test_numbers_count_up_per_prefix(centre: Centre) -> None:
    numbers = [centre.issue(s)["number"] for s in ("kela", "kela", "library", "kela", "library")]
    assert numbers == ["K001", "K002", "L001", "K003", "L002"]


def test_services_sharing_a_prefix_share_one_counter(centre: Centre) -> None:
    assert [centre.issue(s)["number"] for s in ("health", "mental", "health")] == ["H001", "H002", "H003"]


def test_position_and_estimate_grow_with_the_queue(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")  # one desk open, busy
    first, second, third = (centre.issue("kela") for _ in range(3))
    assert [first["position"], second["position"], third["position"]] == [1, 2, 3]
    waits = [first["estimated_wait_s"], second["estimated_wait_s"], third["estimated_wait_s"]]
    # one busy desk, so each place adds about one configured service time (600 s for kela) less the minute
    # between two issues; the quoted wait is the median of a lognormal service, not its mean
    assert 0 < waits[0] <= 600
    assert all(480 <= b - a <= 600 for a, b in zip(waits, waits[1:], strict=False)), waits


def test_the_token_is_at_least_128_random_bits_and_unique(centre: Centre) -> None:
    tokens = [centre.issue("library", step_s=1)["token"] for _ in range(40)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert TOKEN_CHARS.match(token), token
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    # no shared structure between tokens issued one after the other: they are not counters or timestamps
    assert len({t[:6] for t in tokens}) > 35


def test_track_url_is_the_public_address_with_the_token(centre: Centre) -> None:
    t = centre.issue("kela")
    assert t["track_url"] == f"http://vuoro.test/t/{t['token']}"


def test_only_the_hash_of_the_token_is_stored(centre: Centre, ctx: Context) -> None:
    t = centre.issue("kela")
    row = ticket(ctx, "K001")
    assert row.token_hash == hashlib.sha256(t["token"].encode()).hexdigest()
    assert t["token"] not in {str(v) for v in vars(row).values()}


def test_issue_with_errands_queues_for_the_first_and_remembers_the_rest(centre: Centre) -> None:
    t = centre.issue("kela", "library", "health")
    assert t["number"] == "K001"
    assert t["service"] == "kela"
    assert t["pending_services"] == ["library", "health"]


def test_issue_in_swedish_names_the_service_in_swedish(centre: Centre) -> None:
    t = centre.issue("kela", language="sv")
    assert t["language"] == "sv" and t["service_name"] == "FPA"


def test_a_priority_ticket_is_marked_and_goes_ahead_of_normal_ones(centre: Centre) -> None:
    centre.issue("kela")
    t = centre.issue("kela", priority=True)
    assert t["priority"] is True
    assert t["position"] == 1


def test_issue_from_a_known_kiosk_without_printer(api: Api, ctx: Context) -> None:
    resp = api.post(
        "/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=bearer(ctx, "kiosk", "k2"), expect=201
    )
    assert resp.json["ticket"]["number"] == "K001"


def test_a_kiosk_token_speaks_only_for_its_own_kiosk(api: Api, ctx: Context, app: Flask) -> None:
    k1 = bearer(ctx, "kiosk", "k1")
    err = assert_error(
        api.client.post("/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=k1), 403, "forbidden"
    )
    assert "k1" in err["message"]
    # without a kiosk field the ticket is still the k1 kiosk's: it goes to k1's printer
    api.post("/api/tickets", json={"services": ["kela"]}, headers=k1, expect=201)
    printed = app.extensions["vuoro_printers"].printers["fake"]
    deadline = time.monotonic() + 5
    while not printed.printed and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [r.number for r in printed.printed] == ["K001"]


def test_an_admin_token_and_a_clerk_session_may_issue(
    api: Api, ctx: Context, admin_auth: dict[str, str], clerk_client: FlaskClient, openapi: OpenApi
) -> None:
    api.post("/api/tickets", json={"services": ["kela"]}, headers=admin_auth, expect=201)
    Api(clerk_client, openapi).post("/api/tickets", json={"services": ["kela"]}, expect=201)
    assert ticket(ctx, "K002").status == "waiting"


def test_the_issue_publishes_one_change(centre: Centre, notifier: Any) -> None:
    centre.issue("kela")
    assert [(c.action, c.ticket.number if c.ticket else None) for c in notifier.changes] == [("issued", "K001")]


# -- issuing: errors -----------------------------------------------------------------------------------------


def test_issue_without_credentials_is_401(api: Api) -> None:
    assert_error(api.post("/api/tickets", json={"services": ["kela"]}, expect=401), 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Basic a2lvc2s6cHc=", "Bearer ", "Bearer"])
def test_issue_with_a_bad_authorization_header_is_401(api: Api, header: str) -> None:
    resp = api.post("/api/tickets", json={"services": ["kela"]}, headers={"Authorization": header})
    assert_error(resp, 401, "unauthorized")


def test_a_desk_token_cannot_issue_tickets(api: Api, desk_auth: dict[str, str], ctx: Context) -> None:
    resp = api.post("/api/tickets", json={"services": ["kela"]}, headers=desk_auth)
    assert_error(resp, 403, "forbidden")
    assert events(ctx) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"services": []}, "services"),
        ({"services": "kela"}, "services"),
        ({"services": ["kela"] * 3}, None),  # the same service twice
        ({"services": ["kela", "library", "health", "mental", "kela", "library"]}, "services"),  # six errands
        ({"services": ["Kela"]}, "services"),  # keys are lower case
        ({"services": [1]}, "services"),
        ({"services": ["kela"], "priority": "yes"}, "priority"),
        ({"services": ["kela"], "priority": 1}, "priority"),  # strict: no int for a bool
        ({"services": ["kela"], "language": "de"}, "language"),
        ({"services": ["kela"], "language": 42}, "language"),
        ({"services": ["kela"], "name": "Matti Meikäläinen"}, "name"),  # unknown field: no personal data
        ({"services": ["kela"], "kiosk": 7}, "kiosk"),
        ({}, "services"),
    ],
)
def test_a_malformed_issue_request_is_400(
    centre: Centre, body: dict[str, Any], field: str | None, ctx: Context
) -> None:
    error = assert_error(centre.api.post("/api/tickets", json=body, headers=centre.kiosk), 400, "invalid_request")
    if field:
        assert field in error["message"]
    assert events(ctx) == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"{", "application/json"),
        (b"null", "application/json"),
        (b"", "application/json"),
        (b'{"services": ["kela"]}', "text/plain"),
        (b"services=kela", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(
    client: FlaskClient, kiosk_auth: dict[str, str], data: bytes, content_type: str
) -> None:
    resp = client.post("/api/tickets", data=data, headers={**kiosk_auth, "Content-Type": content_type})
    assert_error(resp, 400)


@pytest.mark.parametrize("data", [b"[]", b'"kela"', b"1", b'[{"services": ["kela"]}]'])
def test_a_json_body_that_is_not_an_object_is_400(client: FlaskClient, kiosk_auth: dict[str, str], data: bytes) -> None:
    resp = client.post("/api/tickets", data=data, headers={**kiosk_auth, "Content-Type": "application/json"})
    assert_error(resp, 400, "invalid_request")


def test_an_unknown_service_is_404(centre: Centre) -> None:
    error = assert_error(centre.issue("passport", expect=404), 404, "unknown_service")
    assert "passport" in error["message"]


def test_an_unknown_service_among_errands_issues_nothing(centre: Centre) -> None:
    assert_error(centre.issue("kela", "passport", expect=404), 404, "unknown_service")
    assert centre.issue("kela")["number"] == "K001"


def test_an_unknown_kiosk_is_404(centre: Centre) -> None:
    assert_error(centre.issue("kela", kiosk="k9", expect=404), 404, "unknown_kiosk")


# -- opening hours and daily limits --------------------------------------------------------------------------


@pytest.fixture
def hours_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = copy.deepcopy(config_data)
    data["services"][0]["hours"] = {
        "mon": "09:00-16:00",
        "tue": "09:00-16:00",
        "wed": "09:00-16:00",
        "thu": "09:00-16:00",
        "fri": "09:00-16:00",
    }
    data["services"][0]["daily_limit"] = 2
    data["services"][2]["daily_limit"] = 1  # health (H) is limited, mental (H) is not
    return make_app(data)


@pytest.fixture
def limited(hours_app: Flask, openapi: OpenApi, clock: FakeClock) -> Centre:
    ctx = hours_app.extensions["vuoro"]
    return Centre(Api(hours_app.test_client(), openapi), bearer(ctx, "kiosk", "k1"), bearer(ctx, "desk", "d"), clock)


def test_a_closed_service_is_409_with_the_next_opening(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-28T11:00")  # Saturday
    error = assert_error(limited.issue("kela", expect=409, step_s=0), 409, "service_closed")
    assert error["opens_at"] == "2026-11-30T09:00:00+02:00"
    assert "kela" in error["message"]


def test_before_opening_the_same_day_opens_at_is_today(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T08:30")
    error = assert_error(limited.issue("kela", expect=409, step_s=0), 409, "service_closed")
    assert error["opens_at"] == "2026-11-27T09:00:00+02:00"


def test_the_service_opens_on_the_minute(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T08:59")
    assert_error(limited.issue("kela", expect=409, step_s=0), 409, "service_closed")
    assert limited.issue("kela", step_s=60)["number"] == "K001"  # 09:00


def test_an_always_open_service_issues_while_another_is_closed(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-28T11:00")
    assert limited.issue("library", step_s=0)["number"] == "L001"


def test_a_visit_with_a_closed_errand_is_refused(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-28T11:00")
    error = assert_error(limited.issue("library", "kela", expect=409, step_s=0), 409, "service_closed")
    assert "kela" in error["message"]


def test_the_daily_limit_is_409_and_tomorrow_there_are_tickets_again(limited: Centre, clock: FakeClock) -> None:
    clock.set_local("2026-11-26T10:00")  # Thursday
    assert [limited.issue("kela")["number"] for _ in range(2)] == ["K001", "K002"]
    error = assert_error(limited.issue("kela", expect=409), 409, "daily_limit_reached")
    assert error["opens_at"] == "2026-11-27T09:00:00+02:00"
    clock.set_local("2026-11-27T10:00")
    assert limited.issue("kela")["number"] == "K001"


def test_a_refused_ticket_does_not_use_up_a_number(limited: Centre) -> None:
    assert limited.issue("health")["number"] == "H001"
    assert_error(limited.issue("health", expect=409), 409, "daily_limit_reached")
    assert limited.issue("mental")["number"] == "H002"  # same prefix, no gap left by the refusal


def test_a_limited_errand_counts_towards_its_limit(limited: Centre) -> None:
    limited.issue("library", "health")
    assert_error(limited.issue("health", expect=409), 409, "daily_limit_reached")


# -- following the ticket ------------------------------------------------------------------------------------


def test_the_ticket_view_holds_numbers_only(centre: Centre) -> None:
    token = centre.issue("kela", "library")["token"]
    view = centre.ticket(token)
    assert set(view) == TICKET_FIELDS
    assert view["number"] == "K001" and view["status"] == "waiting" and view["position"] == 1
    assert view["token"] == token and view["track_url"].endswith(token)
    assert view["pending_services"] == ["library"]


def test_the_ticket_view_follows_the_queue(centre: Centre) -> None:
    centre.issue("kela")
    token = centre.issue("kela")["token"]
    assert centre.ticket(token)["position"] == 2
    centre.call_next("d1")
    assert centre.ticket(token)["position"] == 1


def test_the_ticket_view_of_a_called_ticket_names_the_desk(centre: Centre, clock: FakeClock) -> None:
    token = centre.issue("kela")["token"]
    centre.call_next("d1")
    view = centre.ticket(token)
    assert view["status"] == "called"
    assert view["desk"] == {"key": "d1", "label": "Tiski 1", "location": "2. kerros"}
    assert view["called_at"] == clock.now.isoformat()
    assert view["position"] is None and view["estimated_wait_s"] is None


def test_the_desk_label_is_in_the_tickets_language(centre: Centre) -> None:
    token = centre.issue("kela", language="en")["token"]
    centre.call_next("d1")
    assert centre.ticket(token)["desk"] == {"key": "d1", "label": "Desk 1", "location": "2nd floor"}


def test_a_finished_ticket_shows_done_without_a_desk(centre: Centre) -> None:
    token = centre.issue("kela")["token"]
    centre.call_next("d1")
    centre.act("d1", "finish")
    view = centre.ticket(token)
    assert view["status"] == "done" and view["desk"] is None and view["called_at"] is None


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%C3%A4%C3%A4", "a.b~c"])
def test_an_unknown_token_is_404(api: Api, token: str) -> None:
    assert_error(api.get(f"/api/tickets/{token}"), 404, "unknown_ticket")


def test_yesterdays_finished_ticket_no_longer_resolves(centre: Centre, clock: FakeClock) -> None:
    token = centre.issue("kela")["token"]
    centre.call_next("d1")
    centre.act("d1", "finish")
    clock.advance(24 * 3600)
    assert_error(centre.api.get(f"/api/tickets/{token}"), 404, "unknown_ticket")


# -- cancelling ----------------------------------------------------------------------------------------------


def test_cancel_takes_the_ticket_out_of_the_queue(centre: Centre, ctx: Context) -> None:
    token = centre.issue("kela")["token"]
    later = centre.issue("kela")["token"]
    view = centre.api.delete(f"/api/tickets/{token}", expect=200).get_json()["ticket"]
    assert view["status"] == "cancelled" and view["position"] is None
    assert centre.ticket(later)["position"] == 1
    assert centre.call_next("d1") == "K002"
    assert [e.type for e in events(ctx, ticket(ctx, "K001").id)] == ["issued", "cancelled"]


def test_cancelling_a_called_ticket_frees_its_desk(centre: Centre, ctx: Context) -> None:
    token = centre.issue("kela")["token"]
    centre.issue("kela")
    assert centre.call_next("d1") == "K001"
    assert_error(centre.api.post("/api/desks/d1/next", headers=centre.desk_auth), 409, "desk_busy")
    centre.api.delete(f"/api/tickets/{token}", expect=200)
    desk = centre.api.get("/api/desks/d1", headers=centre.desk_auth, expect=200).get_json()
    assert desk["ticket"] is None
    assert centre.call_next("d1") == "K002"
    cancel = events(ctx, ticket(ctx, "K001").id)[-1]
    assert (cancel.type, cancel.desk_key, cancel.actor) == ("cancelled", "d1", "visitor")


def test_cancelling_twice_is_409(centre: Centre) -> None:
    token = centre.issue("kela")["token"]
    centre.api.delete(f"/api/tickets/{token}", expect=200)
    assert_error(centre.api.delete(f"/api/tickets/{token}"), 409, "invalid_transition")


def test_a_ticket_being_served_cannot_be_cancelled(centre: Centre) -> None:
    token = centre.issue("kela")["token"]
    centre.call_next("d1")
    centre.act("d1", "start")
    assert_error(centre.api.delete(f"/api/tickets/{token}"), 409, "invalid_transition")
    assert centre.ticket(token)["status"] == "serving"


def test_cancelling_an_unknown_token_is_404(api: Api) -> None:
    assert_error(api.delete("/api/tickets/no-such-token"), 404, "unknown_ticket")


def test_cancel_needs_no_credentials_but_the_token(centre: Centre) -> None:
    token = centre.issue("kela")["token"]
    resp = centre.api.delete(f"/api/tickets/{token}", headers={}, expect=200)
    assert resp.get_json()["ticket"]["number"] == "K001"


def test_a_kiosk_offers_only_its_services(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    """A kiosk by the Kela waiting room issues Kela tickets only: another service is 409 not_offered, and a visit
    of several errands is refused whole (nothing issued)."""
    data = copy.deepcopy(config_data)
    data["kiosks"][1]["services"] = ["kela"]
    app = make_app(data)
    ctx = app.extensions["vuoro"]
    auth = bearer(ctx, "kiosk", "k2")
    client = app.test_client()
    assert client.post("/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=auth).status_code == 201
    for services in (["library"], ["kela", "library"]):
        resp = client.post("/api/tickets", json={"services": services, "kiosk": "k2"}, headers=auth)
        assert "library" in assert_error(resp, 409, "not_offered")["message"]
    assert (
        client.post(
            "/api/tickets", json={"services": ["library"], "kiosk": "k1"}, headers=bearer(ctx, "kiosk", "k1")
        ).status_code
        == 201
    ), "k1 offers every service"


def test_a_ticket_without_a_language_takes_the_kiosks_then_the_centres(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    """A centre without Finnish must not get 400 for a request that names no language."""
    data = copy.deepcopy(config_data)
    data["centre"]["languages"], data["centre"]["default_language"] = ["sv", "en"], "sv"
    data["kiosks"][1]["language"] = "en"
    app = make_app(data)
    ctx = app.extensions["vuoro"]
    client = app.test_client()
    plain = client.post("/api/tickets", json={"services": ["kela"]}, headers=bearer(ctx, "admin", "script"))
    assert plain.status_code == 201 and plain.get_json()["ticket"]["language"] == "sv"
    at_k2 = client.post("/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=bearer(ctx, "kiosk", "k2"))
    assert at_k2.status_code == 201 and at_k2.get_json()["ticket"]["language"] == "en"
