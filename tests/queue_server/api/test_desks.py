"""The desk endpoints: list and show desks, call, recall, start, finish, no-show, return, transfer, status."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from queue_server.services.context import Context
from tests.conftest import FakeClock
from tests.queue_server.helpers import TICKET_FIELDS, Api, Centre, OpenApi, assert_error, events, ticket

SIMPLE_ACTIONS = ["next", "recall", "start", "finish", "no-show", "return"]
BODY_ACTIONS = {"transfer": {"service": "library"}, "call": {"number": "K001"}, "status": {"status": "paused"}}
ALL_ACTIONS = [(a, None) for a in SIMPLE_ACTIONS] + list(BODY_ACTIONS.items())


def status_of(centre: Centre, desk: str) -> str:
    return centre.api.get(f"/api/desks/{desk}", headers=centre.desk_auth, expect=200).get_json()["desk"]["status"]


# -- reading desks -------------------------------------------------------------------------------------------


def test_desks_are_listed_in_config_order_all_closed_at_first(centre: Centre) -> None:
    desks = centre.api.get("/api/desks", headers=centre.desk_auth, expect=200).get_json()["desks"]
    assert [d["key"] for d in desks] == ["d1", "d2", "d3", "h1", "d5", "d6"]
    assert {d["status"] for d in desks} == {"closed"}
    assert desks[0] == {
        "key": "d1",
        "label": "Tiski 1",
        "location": "2. kerros",
        "zone": "z2",
        "services": ["kela"],
        "status": "closed",
        "labels": {"fi": "Tiski 1", "sv": "Disk 1", "en": "Desk 1"},
        "locations": {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"},
    }


def test_a_desk_s_label_and_location_follow_the_asked_language(centre: Centre) -> None:
    """A staff screen asks in its clerk's language; an unknown language gets the centre's default."""
    swedish = centre.api.get("/api/desks?language=sv", headers=centre.desk_auth, expect=200).get_json()["desks"][0]
    assert (swedish["label"], swedish["location"]) == ("Disk 1", "2 våningen")
    one = centre.api.get("/api/desks/d1?lang=en", headers=centre.desk_auth, expect=200).get_json()["desk"]
    assert (one["label"], one["location"]) == ("Desk 1", "2nd floor")
    other = centre.api.get("/api/desks?lang=xx", headers=centre.desk_auth, expect=200).get_json()["desks"][1]
    assert (other["label"], other["location"], other["labels"]["sv"]) == ("Desk 2", "2. kerros", "Desk 2")


def test_a_desk_shows_its_ticket_and_the_waiting_count_of_its_services(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("kela")
    centre.issue("library")
    centre.call_next("d2")
    body = centre.api.get("/api/desks/d2", headers=centre.desk_auth, expect=200).get_json()
    assert body["desk"]["key"] == "d2" and body["desk"]["status"] == "open"
    assert body["ticket"]["number"] == "K001" and body["ticket"]["status"] == "called"
    assert body["waiting"] == {"kela": 1, "library": 1}


def test_an_idle_desk_shows_no_ticket(centre: Centre) -> None:
    body = centre.api.get("/api/desks/d3", headers=centre.desk_auth, expect=200).get_json()
    assert body["ticket"] is None and body["waiting"] == {"library": 0}


def test_an_unknown_desk_is_404(centre: Centre) -> None:
    assert_error(centre.api.get("/api/desks/d99", headers=centre.desk_auth), 404, "unknown_desk")


def test_a_clerk_session_may_read_desks(clerk_client: FlaskClient, openapi: OpenApi) -> None:
    Api(clerk_client, openapi).get("/api/desks", expect=200)


# -- calling -------------------------------------------------------------------------------------------------


def test_next_calls_the_longest_waiting_ticket_to_the_desk(centre: Centre, clock: FakeClock) -> None:
    centre.issue("kela")
    centre.issue("kela")
    body = centre.act("d1", "next")
    assert body is not None
    assert body["status"] == "open"
    t = body["ticket"]
    assert set(t) == TICKET_FIELDS
    assert (t["number"], t["status"], t["desk"]["key"]) == ("K001", "called", "d1")
    assert t["called_at"] == clock.now.isoformat()
    assert t["token"] is None and t["track_url"] is None  # the desk never sees the visitor's token


def test_next_with_nobody_waiting_is_204_and_opens_the_desk(centre: Centre) -> None:
    assert centre.act("d1", "next", expect=204) is None
    assert status_of(centre, "d1") == "open"


def test_next_only_calls_the_desks_own_services(centre: Centre) -> None:
    centre.issue("library")
    centre.issue("kela")
    assert centre.call_next("d1") == "K001"
    assert centre.call_next("d3") == "L001"


def test_a_desk_serving_two_services_takes_the_oldest_of_both(centre: Centre) -> None:
    centre.issue("library")
    centre.issue("kela")
    centre.issue("library")
    assert centre.serve_next("d2") == "L001"
    assert centre.serve_next("d2") == "K001"
    assert centre.serve_next("d2") == "L002"
    assert centre.serve_next("d2") is None


def test_a_busy_desk_cannot_call_again(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("kela")
    centre.call_next("d1")
    assert_error(centre.act("d1", "next", expect=409), 409, "desk_busy")
    assert_error(centre.act("d1", "call", json={"number": "K002"}, expect=409), 409, "desk_busy")


def test_two_desks_never_call_the_same_ticket(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("kela")
    assert centre.call_next("d1") == "K001"
    assert centre.call_next("d5") == "K002"
    assert centre.call_next("d6") is None


def test_a_clerk_session_may_call(clerk_client: FlaskClient, centre: Centre, openapi: OpenApi) -> None:
    centre.issue("kela")
    body = Api(clerk_client, openapi).post("/api/desks/d1/next", expect=200).get_json()
    assert body["ticket"]["number"] == "K001"


# -- calling a specific number -------------------------------------------------------------------------------


def test_call_takes_a_number_out_of_order(centre: Centre) -> None:
    for _ in range(3):
        centre.issue("kela")
    body = centre.act("d1", "call", json={"number": "K003"})
    assert body is not None and body["ticket"]["number"] == "K003" and body["ticket"]["status"] == "called"
    centre.act("d1", "finish")
    assert centre.call_next("d1") == "K001"


def test_call_accepts_a_number_typed_in_lower_case(centre: Centre) -> None:
    centre.issue("kela")
    body = centre.act("d1", "call", json={"number": "k1"})
    assert body is not None and body["ticket"]["number"] == "K001"


def test_calling_a_number_of_a_service_the_desk_does_not_serve_is_409(centre: Centre, ctx: Context) -> None:
    centre.issue("library")
    assert_error(centre.act("d1", "call", json={"number": "L001"}, expect=409), 409, "not_served_here")
    assert ticket(ctx, "L001").status == "waiting"


def test_calling_an_unknown_number_is_404(centre: Centre) -> None:
    centre.issue("kela")
    assert_error(centre.act("d1", "call", json={"number": "K099"}, expect=404), 404, "unknown_ticket")


def test_calling_yesterdays_number_is_404(centre: Centre, clock: FakeClock) -> None:
    centre.issue("kela")
    clock.advance(24 * 3600)
    assert_error(centre.act("d1", "call", json={"number": "K001"}, expect=404), 404, "unknown_ticket")


def test_calling_a_number_already_at_another_desk_is_409(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    error = assert_error(centre.act("d5", "call", json={"number": "K001"}, expect=409), 409, "already_called")
    assert error["message"] == "K001 was already called to Tiski 1"


def test_calling_a_finished_number_is_409(centre: Centre) -> None:
    centre.issue("kela")
    centre.serve_next("d1")
    assert_error(centre.act("d1", "call", json={"number": "K001"}, expect=409), 409, "invalid_transition")


@pytest.mark.parametrize(
    "body",
    [
        {"number": "42"},
        {"number": "K"},
        {"number": "K-1"},
        {"number": 1},
        {"number": "K001", "desk": "d2"},
        {},
        {"number": "K" + "1" * 20},
    ],
)
def test_a_malformed_call_is_400(centre: Centre, body: dict[str, Any]) -> None:
    assert_error(centre.act("d1", "call", json=body, expect=400), 400, "invalid_request")


# -- recall, start, finish, no-show --------------------------------------------------------------------------


def test_recall_announces_the_same_ticket_again(centre: Centre, clock: FakeClock, ctx: Context) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    body = centre.act("d1", "recall", step_s=30)
    assert body is not None
    assert body["ticket"]["number"] == "K001" and body["ticket"]["status"] == "called"
    assert body["ticket"]["called_at"] == clock.now.isoformat()
    assert [e.type for e in events(ctx)] == ["issued", "called", "recalled"]


def test_start_then_finish_serves_the_ticket(centre: Centre, ctx: Context) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    started = centre.act("d1", "start")
    assert started is not None and started["ticket"]["status"] == "serving"
    done = centre.act("d1", "finish")
    assert done is not None and done["ticket"]["status"] == "done" and done["ticket"]["desk"] is None
    assert ticket(ctx, "K001").desk_key is None


def test_finish_without_start_is_allowed(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    done = centre.act("d1", "finish")
    assert done is not None and done["ticket"]["status"] == "done"


def test_a_finished_desk_is_free_for_the_next_ticket(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("kela")
    assert centre.serve_next("d1") == "K001"
    assert centre.serve_next("d1") == "K002"


def test_no_show_ends_the_ticket_and_frees_the_desk(centre: Centre, ctx: Context) -> None:
    centre.issue("kela")
    centre.issue("kela")
    centre.call_next("d1")
    body = centre.act("d1", "no-show")
    assert body is not None and body["ticket"]["status"] == "no_show"
    assert centre.call_next("d1") == "K002"
    assert ticket(ctx, "K001").status == "no_show"


def test_a_visitor_being_served_cannot_be_a_no_show(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d1", "start")
    assert_error(centre.act("d1", "no-show", expect=409), 409, "invalid_transition")


def test_recall_after_start_is_409(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d1", "start")
    assert_error(centre.act("d1", "recall", expect=409), 409, "invalid_transition")
    assert_error(centre.act("d1", "start", expect=409), 409, "invalid_transition")


@pytest.mark.parametrize(("action", "body"), [(a, b) for a, b in ALL_ACTIONS if a not in ("next", "call", "status")])
def test_acting_without_a_current_ticket_is_409(centre: Centre, action: str, body: Any) -> None:
    centre.issue("kela")  # waits, but is not at the desk
    assert_error(centre.act("d1", action, json=body, expect=409), 409, "no_current_ticket")


# -- errands -------------------------------------------------------------------------------------------------


def test_after_the_first_errand_the_ticket_waits_for_the_next_keeping_number_and_arrival(
    centre: Centre, ctx: Context
) -> None:
    token = centre.issue("kela", "library")["token"]
    centre.issue("library")  # L001 arrives after K001
    arrived = ticket(ctx, "K001").queued_at
    centre.call_next("d1")
    body = centre.act("d1", "finish")
    assert body is not None
    t = body["ticket"]
    assert (t["number"], t["status"], t["service"], t["pending_services"]) == ("K001", "waiting", "library", [])
    assert t["position"] == 1 and t["desk"] is None
    view = centre.ticket(token)
    assert (view["number"], view["service"], view["status"]) == ("K001", "library", "waiting")
    assert ticket(ctx, "K001").queued_at == arrived
    assert centre.call_next("d3") == "K001"  # before L001, who came later
    assert centre.call_next("d2") == "L001"


def test_the_kela_desk_is_free_after_sending_the_ticket_on(centre: Centre) -> None:
    centre.issue("kela", "library")
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d1", "finish")
    assert centre.call_next("d1") == "K002"


def test_a_visit_with_three_errands_ends_after_the_last(centre: Centre, ctx: Context) -> None:
    token = centre.issue("kela", "library", "health")["token"]
    assert centre.serve_next("d1") == "K001"
    assert centre.serve_next("d3") == "K001"
    assert centre.ticket(token)["service"] == "health"
    assert centre.serve_next("h1") == "K001"
    assert centre.ticket(token)["status"] == "done"
    types = [(e.type, e.service_key, e.to_service_key) for e in events(ctx) if e.type != "called"]
    assert types == [
        ("issued", "kela", None),
        ("next_errand", "kela", "library"),
        ("next_errand", "library", "health"),
        ("finished", "health", None),
    ]


def test_the_same_desk_can_serve_the_next_errand(centre: Centre) -> None:
    centre.issue("kela", "library")
    assert centre.serve_next("d2") == "K001"
    assert centre.call_next("d2") == "K001"


# -- return to queue -----------------------------------------------------------------------------------------


def test_return_puts_the_ticket_back_keeping_its_place(centre: Centre, ctx: Context) -> None:
    centre.issue("kela")
    centre.issue("kela")
    centre.call_next("d1")
    body = centre.act("d1", "return")
    assert body is not None
    t = body["ticket"]
    assert (t["number"], t["status"], t["position"], t["desk"]) == ("K001", "waiting", 1, None)
    assert ticket(ctx, "K001").desk_key is None
    assert centre.call_next("d5") == "K001"
    assert centre.call_next("d1") == "K002"


def test_a_ticket_being_served_can_be_returned(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d1", "start")
    body = centre.act("d1", "return")
    assert body is not None and body["ticket"]["status"] == "waiting"


# -- transfer ------------------------------------------------------------------------------------------------


def test_transfer_keeps_the_original_arrival_time(centre: Centre, ctx: Context) -> None:
    centre.issue("library")  # L001, first
    centre.issue("kela")  # K001, second
    centre.issue("library")  # L002, third
    centre.call_next("d1")
    body = centre.act("d1", "transfer", json={"service": "library"})
    assert body is not None
    t = body["ticket"]
    assert (t["number"], t["service"], t["status"], t["position"]) == ("K001", "library", "waiting", 2)
    assert centre.call_next("d3") == "L001"
    assert centre.serve_next("d2") == "K001"  # ahead of L002, who came after it
    assert centre.call_next("d2") == "L002"
    event = [e for e in events(ctx) if e.type == "transferred"][0]
    assert (event.service_key, event.to_service_key, event.desk_key) == ("kela", "library", "d1")


def test_a_transferred_ticket_is_called_before_later_arrivals_in_the_new_service(centre: Centre) -> None:
    centre.issue("kela")
    for _ in range(3):
        centre.issue("library")
    centre.call_next("d1")
    centre.act("d1", "transfer", json={"service": "library"})
    assert [centre.serve_next("d3") for _ in range(4)] == ["K001", "L001", "L002", "L003"]


def test_transfer_frees_the_desk(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d1", "transfer", json={"service": "health"})
    assert centre.call_next("d1") == "K002"


def test_transfer_keeps_the_remaining_errands(centre: Centre) -> None:
    token = centre.issue("kela", "library")["token"]
    centre.call_next("d1")
    centre.act("d1", "transfer", json={"service": "health"})
    assert centre.serve_next("h1") == "K001"
    assert centre.ticket(token)["service"] == "library"


def test_transfer_to_an_unknown_service_is_404(centre: Centre, ctx: Context) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    assert_error(centre.act("d1", "transfer", json={"service": "passport"}, expect=404), 404, "unknown_service")
    assert ticket(ctx, "K001").status == "called"


@pytest.mark.parametrize("body", [{}, {"service": 3}, {"service": "Library"}, {"service": "library", "x": 1}])
def test_a_malformed_transfer_is_400(centre: Centre, body: dict[str, Any]) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    assert_error(centre.act("d1", "transfer", json=body, expect=400), 400, "invalid_request")


# -- desk status ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "paused", "closed"])
def test_desk_status_can_be_set_and_is_listed(centre: Centre, status: str) -> None:
    body = centre.act("d1", "status", json={"status": status})
    assert body == {"ticket": None, "status": status}
    assert status_of(centre, "d1") == status
    listed = centre.api.get("/api/desks", headers=centre.desk_auth, expect=200).get_json()["desks"]
    assert {d["key"]: d["status"] for d in listed}["d1"] == status


def test_a_desk_with_a_ticket_may_pause_but_not_close(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    assert_error(centre.act("d1", "status", json={"status": "closed"}, expect=409), 409, "desk_busy")
    body = centre.act("d1", "status", json={"status": "paused"})
    assert body is not None and body["status"] == "paused" and body["ticket"]["number"] == "K001"


def test_calling_from_a_paused_desk_opens_it(centre: Centre) -> None:
    centre.issue("kela")
    centre.act("d1", "status", json={"status": "paused"})
    assert centre.call_next("d1") == "K001"
    assert status_of(centre, "d1") == "open"


def test_open_desks_shorten_the_estimate(centre: Centre) -> None:
    for _ in range(2):
        centre.issue("kela")
    centre.act("d1", "status", json={"status": "open"})
    alone = centre.issue("kela")["estimated_wait_s"]  # one idle desk: K001 now, K002 and K003 after one service each
    assert 1000 <= alone <= 1300, alone
    centre.act("d5", "status", json={"status": "open"})
    # two idle open desks take K001 and K002 now and K003 and K004 one service later (issue 6's estimator)
    assert 400 <= centre.issue("kela")["estimated_wait_s"] <= 600


def test_with_no_desk_open_a_ticket_gets_no_estimate_but_the_reason(centre: Centre) -> None:
    t = centre.issue("kela")
    assert (t["estimated_wait_s"], t["estimate_reason"], t["position"]) == (None, "no_desk_open", 1)
    centre.act("d1", "status", json={"status": "paused"})  # a paused desk serves nobody now either
    assert centre.ticket(t["token"])["estimate_reason"] == "no_desk_open"
    centre.act("d5", "status", json={"status": "open"})
    view = centre.ticket(t["token"])
    assert view["estimate_reason"] is None and view["estimated_wait_s"] is not None


@pytest.mark.parametrize("body", [{"status": "lunch"}, {"status": None}, {}, {"status": "open", "desk": "d2"}])
def test_a_malformed_status_is_400(centre: Centre, body: dict[str, Any]) -> None:
    assert_error(centre.act("d1", "status", json=body, expect=400), 400, "invalid_request")


# -- every desk endpoint: credentials and unknown desks -------------------------------------------------------


@pytest.mark.parametrize(("action", "body"), ALL_ACTIONS)
def test_every_desk_action_needs_credentials(api: Api, action: str, body: Any) -> None:
    assert_error(api.post(f"/api/desks/d1/{action}", json=body), 401, "unauthorized")


@pytest.mark.parametrize(("action", "body"), ALL_ACTIONS)
def test_a_kiosk_token_cannot_act_at_a_desk(centre: Centre, action: str, body: Any, ctx: Context) -> None:
    centre.issue("kela")
    assert_error(centre.api.post(f"/api/desks/d1/{action}", json=body, headers=centre.kiosk), 403, "forbidden")
    assert [e.type for e in events(ctx)] == ["issued"]


@pytest.mark.parametrize("path", ["/api/desks", "/api/desks/d1"])
def test_a_kiosk_token_cannot_read_desks(api: Api, kiosk_auth: dict[str, str], path: str) -> None:
    assert_error(api.get(path, headers=kiosk_auth), 403, "forbidden")
    assert_error(api.get(path), 401, "unauthorized")


@pytest.mark.parametrize(("action", "body"), ALL_ACTIONS)
def test_every_desk_action_on_an_unknown_desk_is_404(centre: Centre, action: str, body: Any) -> None:
    centre.issue("kela")
    assert_error(centre.act("nowhere", action, json=body, expect=404), 404, "unknown_desk")


@pytest.mark.parametrize("action", list(BODY_ACTIONS))
def test_a_desk_action_with_a_body_that_is_not_json_is_400(
    client: FlaskClient, desk_auth: dict[str, str], action: str
) -> None:
    resp = client.post(
        f"/api/desks/d1/{action}",
        data="number=K001",
        headers={**desk_auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(resp, 400, "invalid_json")


def test_an_admin_token_may_act_at_a_desk(api: Api, admin_auth: dict[str, str], centre: Centre) -> None:
    centre.issue("kela")
    assert api.post("/api/desks/d1/next", headers=admin_auth, expect=200).get_json()["ticket"]["number"] == "K001"
