"""A remote ticket of a service with ``remote_confirm`` keeps its place but is passed over by call-next until its
visitor taps "I am here" -- by the live model's choice and by the SQL that decides, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.domain.policy import Candidate, choose
from queue_server.services.context import Context
from queue_server.services.tickets import issue_ticket
from tests.queue_server.helpers import Api, OpenApi, assert_error, bearer


@pytest.fixture
def app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = copy.deepcopy(any_db_config)
    kela = data["services"][0]
    kela["remote"], kela["remote_confirm"] = True, True
    return make_app(data)


def remote(ctx: Context) -> tuple[str, str]:
    """(number, token) of a ticket taken on a phone, its visitor not here yet."""
    view = issue_ticket(ctx, services=["kela"], language="fi", actor="remote", arrived=False).view
    assert view.arrived is False and view.token is not None
    return view.number, view.token


def walk_in(ctx: Context) -> str:
    return issue_ticket(ctx, services=["kela"], language="fi", kiosk="k2", actor="kiosk").view.number


def call_next(client: FlaskClient, ctx: Context) -> str | None:
    headers = bearer(ctx, "desk", "d1")
    if client.get("/api/desks/d1", headers=headers).get_json()["ticket"] is not None:
        assert client.post("/api/desks/d1/finish", headers=headers).status_code == 200
    resp = client.post("/api/desks/d1/next", headers=headers)
    return None if resp.status_code == 204 else str(resp.get_json()["ticket"]["number"])


def test_a_remote_ticket_keeps_its_place_and_is_called_only_once_its_visitor_is_here(
    client: FlaskClient, ctx: Context, openapi: OpenApi
) -> None:
    api = Api(client, openapi)  # every answer of POST /api/tickets/{token}/here checked against the document
    number, token = remote(ctx)
    first, second = walk_in(ctx), walk_in(ctx)
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["position"] == 1  # its place is kept
    assert call_next(client, ctx) == first  # passed over: its visitor is not here
    here = api.request("post", f"/api/tickets/{token}/here", expect=200)
    assert here.get_json()["ticket"]["arrived"] is True
    api.request("post", f"/api/tickets/{token}/here", expect=200)  # twice is harmless
    assert call_next(client, ctx) == number  # from the place it kept: ahead of the second walk-in
    assert call_next(client, ctx) == second
    assert_error(api.request("post", f"/api/tickets/{token}/here", expect=409), 409, "not_waiting")  # done
    assert_error(api.request("post", "/api/tickets/unknown/here", expect=404), 404, "unknown_ticket")


def test_nobody_but_remote_tickets_waiting_means_nobody_to_call(client: FlaskClient, ctx: Context) -> None:
    _, token = remote(ctx)
    assert call_next(client, ctx) is None  # the desk is not sent to call someone who is not here
    client.post(f"/api/tickets/{token}/here")
    assert call_next(client, ctx) is not None


def test_the_sql_that_decides_passes_over_them_too(client: FlaskClient, ctx: Context) -> None:
    """With the model's candidates gone (another desk took them meanwhile), the SQL picks, and skips the same."""
    remote(ctx)
    assert ctx.live is not None
    ctx.live.candidates = lambda services, streak: []  # type: ignore[method-assign]
    assert call_next(client, ctx) is None
    number = walk_in(ctx)
    assert call_next(client, ctx) == number


def test_the_policy_reference_passes_over_a_ticket_not_here() -> None:
    at = datetime(2026, 11, 27, 8, tzinfo=UTC)
    away = Candidate(1, priority=False, queued_at=at, arrived=False)
    later = Candidate(2, priority=False, queued_at=at.replace(minute=5))
    assert choose([away, later], streak=0, ratio=2) == later
    assert choose([away], streak=0, ratio=2) is None


def test_the_desk_s_list_leaves_out_who_is_not_here_yet(client: FlaskClient, ctx: Context) -> None:
    _, token = remote(ctx)
    number = walk_in(ctx)
    body = client.get("/api/desks/d1/waiting", headers=bearer(ctx, "desk", "d1")).get_json()
    assert [t["number"] for t in body["tickets"]] == [number] and body["total"] == 2  # the list is who it calls
    client.post(f"/api/tickets/{token}/here")
    body = client.get("/api/desks/d1/waiting", headers=bearer(ctx, "desk", "d1")).get_json()
    assert len(body["tickets"]) == 2


def test_a_ticket_from_the_poster_waits_for_i_am_here_and_a_kiosk_s_does_not(client: FlaskClient, ctx: Context) -> None:
    joined = client.post("/api/join/k2", json={"services": ["kela"], "language": "fi"})
    assert joined.status_code == 201, joined.get_json()
    ticket = joined.get_json()["ticket"]
    assert ticket["arrived"] is False
    kiosk = client.post("/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=bearer(ctx, "kiosk", "k2"))
    assert kiosk.get_json()["ticket"]["arrived"] is True
    assert call_next(client, ctx) == kiosk.get_json()["ticket"]["number"]
    token = ticket["track_url"].rsplit("/t/", 1)[1]
    assert client.post(f"/api/tickets/{token}/here").get_json()["ticket"]["arrived"] is True
    assert call_next(client, ctx) == ticket["number"]
