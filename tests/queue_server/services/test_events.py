"""The event log: every state change leaves exactly one append-only row naming the actor and the desk."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from queue_server.services.accounts import authenticate, create_token, token_principal
from queue_server.services.context import Context
from queue_server.services.housekeeping import expire_previous_days
from queue_server.services.outbox import writing
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, Centre, OpenApi, all_tickets, event_rows, events, ticket


class Log:
    """Checks that each step adds exactly one event row and leaves the earlier rows untouched."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rows = event_rows(ctx)

    def one_more(self) -> Any:
        rows = event_rows(self.ctx)
        assert len(rows) == len(self.rows) + 1, rows[len(self.rows) :]
        assert rows[: len(self.rows)] == self.rows  # append-only: nothing before it changed
        self.rows = rows
        return events(self.ctx)[-1]

    def none_more(self) -> None:
        assert event_rows(self.ctx) == self.rows


@pytest.fixture
def tokens(ctx: Context) -> dict[str, tuple[dict[str, str], str]]:
    """role -> (headers, actor) for a kiosk and a desk device token."""
    out = {}
    for role in ("kiosk", "desk"):
        token = create_token(ctx.db, role, f"{role}-1")
        principal = token_principal(ctx.db, token)
        assert principal is not None
        out[role] = ({"Authorization": f"Bearer {token}"}, f"token:{principal.id}")
    return out


@pytest.fixture
def driver(api: Api, tokens: dict[str, tuple[dict[str, str], str]], clock: FakeClock) -> Centre:
    return Centre(api, tokens["kiosk"][0], tokens["desk"][0], clock)


def test_a_whole_visit_leaves_one_event_per_change(
    driver: Centre, ctx: Context, clock: FakeClock, tokens: dict[str, tuple[dict[str, str], str]]
) -> None:
    kiosk_actor, desk_actor = tokens["kiosk"][1], tokens["desk"][1]
    log = Log(ctx)
    expected = [
        (
            lambda: driver.issue("kela", "library", priority=True),
            ("issued", None, "waiting", "kela", None, None, kiosk_actor),
        ),
        (lambda: driver.act("d1", "next"), ("called", "waiting", "called", "kela", None, "d1", desk_actor)),
        (lambda: driver.act("d1", "recall"), ("recalled", "called", "called", "kela", None, "d1", desk_actor)),
        (lambda: driver.act("d1", "start"), ("started", "called", "serving", "kela", None, "d1", desk_actor)),
        (
            lambda: driver.act("d1", "finish"),
            ("next_errand", "serving", "waiting", "kela", "library", "d1", desk_actor),
        ),
        (lambda: driver.act("d3", "next"), ("called", "waiting", "called", "library", None, "d3", desk_actor)),
        (lambda: driver.act("d3", "return"), ("returned", "called", "waiting", "library", None, "d3", desk_actor)),
        (lambda: driver.act("d2", "next"), ("called", "waiting", "called", "library", None, "d2", desk_actor)),
        (
            lambda: driver.act("d2", "transfer", json={"service": "health"}),
            ("transferred", "called", "waiting", "library", "health", "d2", desk_actor),
        ),
        (
            lambda: driver.act("h1", "call", json={"number": "K001"}),
            ("called", "waiting", "called", "health", None, "h1", desk_actor),
        ),
        (lambda: driver.act("h1", "finish"), ("finished", "called", "done", "health", None, "h1", desk_actor)),
    ]
    ticket_id = None
    for step, row in expected:
        step()
        event = log.one_more()
        assert (
            event.type,
            event.from_status,
            event.to_status,
            event.service_key,
            event.to_service_key,
            event.desk_key,
            event.actor,
        ) == row
        assert event.at == clock.now
        assert event.priority is True
        assert event.business_day == clock.now.date()
        ticket_id = ticket_id or event.ticket_id
        assert event.ticket_id == ticket_id
    assert ticket(ctx, "K001").status == "done"


def test_no_show_and_cancel_name_their_actor_and_desk(
    driver: Centre, ctx: Context, tokens: dict[str, tuple[dict[str, str], str]]
) -> None:
    driver.issue("kela")
    second = driver.issue("kela")["token"]
    driver.act("d1", "next")
    log = Log(ctx)
    driver.act("d1", "no-show")
    event = log.one_more()
    assert (event.type, event.from_status, event.to_status, event.desk_key, event.actor) == (
        "no_show",
        "called",
        "no_show",
        "d1",
        tokens["desk"][1],
    )
    driver.act("d5", "next")
    log.one_more()
    driver.api.delete(f"/api/tickets/{second}", expect=200)
    event = log.one_more()
    assert (event.type, event.from_status, event.desk_key, event.actor) == ("cancelled", "called", "d5", "visitor")
    third = driver.issue("kela")["token"]
    log.one_more()
    driver.api.delete(f"/api/tickets/{third}", expect=200)
    event = log.one_more()
    assert (event.type, event.from_status, event.desk_key, event.actor) == ("cancelled", "waiting", None, "visitor")


def test_a_clerk_is_logged_as_the_user_account(
    clerk_client: FlaskClient, openapi: OpenApi, ctx: Context, driver: Centre
) -> None:
    clerk = authenticate(ctx.db, "clerk1", "clerk-password-1")
    assert clerk is not None
    api = Api(clerk_client, openapi)
    driver.issue("kela")
    api.post("/api/desks/d1/next", expect=200)
    api.post("/api/tickets", json={"services": ["library"]}, expect=201)
    called, issued = events(ctx)[-2:]
    assert (called.type, called.actor) == ("called", f"user:{clerk.id}")
    assert (issued.type, issued.actor) == ("issued", f"user:{clerk.id}")


def test_refused_actions_leave_no_event(driver: Centre, ctx: Context) -> None:
    driver.issue("kela")
    driver.act("d1", "next")
    log = Log(ctx)
    driver.act("d1", "next", expect=409)  # desk busy
    driver.act("d1", "no-show", expect=200)
    log.one_more()
    driver.act("d1", "finish", expect=409)  # nothing at the desk
    driver.act("d1", "call", json={"number": "K001"}, expect=409)  # a no-show is final
    driver.api.post("/api/tickets", json={"services": ["kela"]}, headers=driver.desk_auth, expect=403)
    driver.issue("nope", expect=404)
    driver.act("d1", "status", json={"status": "paused"})  # a desk change, not a ticket change
    log.none_more()


def test_expiry_is_logged_by_the_system_with_the_desk(ctx: Context, clock: FakeClock, driver: Centre) -> None:
    driver.issue("kela")
    driver.issue("kela")
    driver.act("d1", "next")
    log = Log(ctx)
    clock.advance(24 * 3600)
    with writing(ctx) as session:  # a use case's transaction: its seal writes the rows and the change record
        assert expire_previous_days(session, ctx.today(), ctx.now()) == 2
    rows = event_rows(ctx)
    assert len(rows) == len(log.rows) + 2 and rows[: len(log.rows)] == log.rows
    expired = events(ctx)[-2:]
    assert {(e.type, e.from_status, e.desk_key, e.actor) for e in expired} == {
        ("expired", "called", "d1", "system"),
        ("expired", "waiting", None, "system"),
    }
    assert all(e.business_day == t.business_day for e, t in zip(expired, all_tickets(ctx), strict=False))


def test_the_event_chain_of_every_ticket_ends_in_its_status(driver: Centre, ctx: Context) -> None:
    for services in (["kela"], ["kela", "library"], ["library"], ["kela"], ["health"]):
        driver.issue(*services)
    driver.serve_next("d1")
    driver.act("d2", "next")
    driver.act("d2", "transfer", json={"service": "health"})
    driver.act("d3", "next")
    driver.act("d3", "no-show")
    driver.act("h1", "next")
    driver.act("h1", "return")
    for t in all_tickets(ctx):
        chain = events(ctx, t.id)
        assert chain[0].type == "issued" and chain[0].from_status is None
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status, (t.number, before.type, after.type)
            assert after.at >= before.at
        assert chain[-1].to_status == t.status, t.number
