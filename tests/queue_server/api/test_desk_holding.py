"""A clerk's account holds one desk at a time: logging out, or opening another desk, closes the one it held."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.db import DatabaseUnavailable
from queue_server.services.accounts import add_user
from queue_server.services.context import Context
from queue_server.web import auth as web_auth
from tests.queue_server.helpers import Api, Centre, OpenApi, assert_error, events, ticket


def status_of(centre: Centre, desk: str) -> str:
    return centre.api.get(f"/api/desks/{desk}", headers=centre.desk_auth, expect=200).get_json()["desk"]["status"]


def clerk(app: Flask, openapi: OpenApi, name: str = "clerk2") -> Api:
    add_user(app.extensions["vuoro"].db, name, f"{name}-password", "clerk")
    api = Api(app.test_client(), openapi)
    api.post("/api/session", json={"username": name, "password": f"{name}-password"}, expect=200)
    return api


@pytest.fixture
def anna(clerk_client: FlaskClient, openapi: OpenApi) -> Api:
    """The clerk logged in by the root fixture (clerk1), through the API."""
    return Api(clerk_client, openapi)


def test_logging_out_closes_the_desk_the_clerk_opened(centre: Centre, anna: Api, ctx: Context) -> None:
    anna.post("/api/desks/d1/status", json={"status": "open"}, expect=200)
    assert status_of(centre, "d1") == "open"
    anna.delete("/api/session", expect=204)
    assert status_of(centre, "d1") == "closed"
    assert ctx.live is not None and ctx.live.desk_status("d1") == "closed"


def test_disabling_an_account_closes_its_desks_and_returns_its_ticket(
    centre: Centre, anna: Api, ctx: Context, admin_auth: dict[str, str]
) -> None:
    """Its session may never log out (a closed laptop): the change that ends its rights closes its desk."""
    first = centre.issue("kela")
    anna.post("/api/desks/d1/next", expect=200)
    centre.api.patch("/api/users/clerk1", json={"active": False}, headers=admin_auth, expect=200)
    assert status_of(centre, "d1") == "closed"
    assert centre.ticket(first["token"])["status"] == "waiting"


def test_revoking_a_desk_device_closes_the_desks_it_held(
    centre: Centre, ctx: Context, admin_auth: dict[str, str]
) -> None:
    centre.api.post("/api/desks/d5/status", json={"status": "open"}, headers=centre.desk_auth, expect=200)
    devices = centre.api.get("/api/devices", headers=admin_auth, expect=200).get_json()["devices"]
    device = next(d for d in devices if d["name"] == "desk-device")
    centre.api.delete(f"/api/devices/{device['id']}", headers=admin_auth, expect=200)
    assert ctx.live is not None and ctx.live.desk_status("d5") == "closed"


def test_logging_out_on_the_page_closes_it_too(centre: Centre, anna: Api) -> None:
    centre.issue("kela")
    anna.post("/api/desks/d1/next", expect=200)
    anna.post("/api/desks/d1/finish", expect=200)
    resp = anna.client.post("/logout")
    assert resp.status_code == 303
    assert status_of(centre, "d1") == "closed"
    assert anna.client.get("/api/session").status_code == 401


def test_a_paused_desk_closes_at_log_out_as_well(centre: Centre, anna: Api) -> None:
    anna.post("/api/desks/d1/status", json={"status": "paused"}, expect=200)
    anna.delete("/api/session", expect=204)
    assert status_of(centre, "d1") == "closed"


def test_a_ticket_at_the_desk_at_log_out_goes_back_to_its_queue_in_its_place(
    centre: Centre, anna: Api, ctx: Context
) -> None:
    for _ in range(3):
        centre.issue("kela")
    anna.post("/api/desks/d1/next", expect=200)
    anna.post("/api/desks/d1/start", expect=200)
    arrived = ticket(ctx, "K001").queued_at
    anna.delete("/api/session", expect=204)
    assert status_of(centre, "d1") == "closed"
    stored = ticket(ctx, "K001")
    assert (stored.status, stored.desk_key, stored.queued_at) == ("waiting", None, arrived)
    last = events(ctx)[-1]
    assert (last.type, last.from_status, last.desk_key, last.actor.startswith("user:")) == (
        "returned",
        "serving",
        "d1",
        True,
    )
    assert centre.call_next("d5") == "K001"  # first again, ahead of those who came after


def test_opening_another_desk_closes_the_one_held(centre: Centre, anna: Api) -> None:
    anna.post("/api/desks/d1/status", json={"status": "open"}, expect=200)
    centre.issue("kela")
    anna.post("/api/desks/d5/next", expect=200)
    assert (status_of(centre, "d1"), status_of(centre, "d5")) == ("closed", "open")
    anna.post("/api/desks/d5/finish", expect=200)
    anna.post("/api/desks/d3/status", json={"status": "paused"}, expect=200)
    assert (status_of(centre, "d5"), status_of(centre, "d3")) == ("closed", "paused")


def test_switching_away_from_a_desk_with_a_ticket_is_refused_and_changes_nothing(
    centre: Centre, anna: Api, ctx: Context
) -> None:
    centre.issue("kela")
    centre.issue("kela")
    anna.post("/api/desks/d1/next", expect=200)
    before = len(events(ctx))
    for path, body in (("d5/next", None), ("d5/status", {"status": "open"}), ("d5/call", {"number": "K002"})):
        resp = anna.post(f"/api/desks/{path}", json=body, expect=409)
        error = assert_error(resp, 409, "busy_elsewhere")
        assert error["message"] == "K001 is still at Tiski 1: finish, transfer or return it there first"
    assert (status_of(centre, "d1"), status_of(centre, "d5")) == ("open", "closed")
    assert len(events(ctx)) == before and ticket(ctx, "K002").status == "waiting"


def test_a_colleague_who_takes_over_the_desk_keeps_it_when_the_first_clerk_logs_out(
    app: Flask, centre: Centre, anna: Api, openapi: OpenApi, ctx: Context
) -> None:
    anna.post("/api/desks/d1/status", json={"status": "open"}, expect=200)
    centre.issue("kela")
    bertta = clerk(app, openapi)
    bertta.post("/api/desks/d1/next", expect=200)
    anna.delete("/api/session", expect=204)
    assert status_of(centre, "d1") == "open"
    assert ticket(ctx, "K001").status == "called"


def test_a_desk_token_may_run_several_desks(centre: Centre) -> None:
    centre.issue("kela")
    centre.call_next("d1")
    centre.act("d5", "status", json={"status": "open"})
    assert (status_of(centre, "d1"), status_of(centre, "d5")) == ("open", "open")


def test_logging_out_without_a_desk_or_a_session_changes_nothing(centre: Centre, anna: Api, ctx: Context) -> None:
    centre.act("d5", "status", json={"status": "open"})  # the desk token's
    assert ctx.live is not None
    seq = ctx.live.seq
    anna.delete("/api/session", expect=204)
    centre.api.delete("/api/session", headers=centre.desk_auth, expect=204)  # a token has no session to end
    assert ctx.live.seq == seq and status_of(centre, "d5") == "open"


def test_a_closed_desk_no_longer_counts_for_the_estimate(centre: Centre, anna: Api) -> None:
    anna.post("/api/desks/d1/status", json={"status": "open"}, expect=200)
    t = centre.issue("kela")
    assert t["estimated_wait_s"] is not None
    anna.delete("/api/session", expect=204)
    view = centre.ticket(t["token"])
    assert (view["estimated_wait_s"], view["estimate_reason"]) == (None, "no_desk_open")


def test_log_out_works_with_the_database_away(centre: Centre, anna: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    anna.post("/api/desks/d1/status", json={"status": "open"}, expect=200)

    def away(*_: object) -> list[str]:
        raise DatabaseUnavailable("Connection refused")

    monkeypatch.setattr(web_auth, "release_desks", away)
    anna.delete("/api/session", expect=204)
    assert anna.client.get("/api/session").status_code == 401
    assert status_of(centre, "d1") == "open"  # for a supervisor to close
