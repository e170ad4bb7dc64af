"""Joining the queue from the QR poster (services/remote.py): which services a poster offers, the kiosk's rules,
and the daily cap of remote tickets, counted by the database -- also with many phones at once, on SQLite and
PostgreSQL (``any_db_config``).

The shared clock stands at Friday 2026-11-27 10:00 in Helsinki.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from queue_server.domain.errors import DailyLimitReached, NotFound, ServiceClosed
from queue_server.models import Counter, TicketEvent
from queue_server.services.context import Context
from queue_server.services.remote import REMOTE_ACTOR, NotRemote, RemoteLimitReached, join_queue, remote_services
from queue_server.services.tickets import issue_ticket
from tests.conftest import FakeClock
from tests.queue_server.helpers import events, ticket

TODAY = date(2026, 11, 27)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def remote_config(data: dict[str, Any]) -> dict[str, Any]:
    """Kela and the library are taken from phones (the library three a day); health only at a kiosk; kiosk k2
    offers Kela and health."""
    data = copy.deepcopy(data)
    services = {s["key"]: s for s in data["services"]}
    services["kela"]["remote"] = True
    services["library"].update(remote=True, remote_daily_limit=3)
    data["kiosks"][1]["services"] = ["kela", "health"]
    return data


@pytest.fixture
def remote_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    return make_app(remote_config(config_data))


@pytest.fixture
def rctx(remote_app: Flask) -> Context:
    return remote_app.extensions["vuoro"]  # type: ignore[no-any-return]


def counters(ctx: Context) -> dict[str, int]:
    with ctx.db.reader() as session:
        return {scope: value for scope, value in session.execute(sa.select(Counter.scope, Counter.value))}


def join(ctx: Context, *services: str, kiosk: str = "k1") -> str:
    return join_queue(ctx, kiosk, services=list(services), language="fi").view.number


def test_a_poster_offers_its_kiosks_remote_services_in_the_configs_order(rctx: Context) -> None:
    assert remote_services(rctx.config, "k1") == ["kela", "library"]
    assert remote_services(rctx.config, "k2") == ["kela"]
    with pytest.raises(NotFound) as err:
        remote_services(rctx.config, "nope")
    assert err.value.code == "unknown_kiosk"


def test_a_remote_ticket_is_an_ordinary_ticket_marked_remote_and_never_printed(
    rctx: Context, remote_app: Flask
) -> None:
    issued = join_queue(rctx, "k1", services=["kela", "library"], language="sv")
    view = issued.view
    assert (view.number, view.language, view.priority, view.pending_services) == ("K001", "sv", False, ["library"])
    assert view.token and view.track_url.endswith(f"/t/{view.token}")
    stored = ticket(rctx, "K001")
    assert (stored.status, stored.kiosk_key) == ("waiting", None)
    assert [(e.type, e.actor) for e in events(rctx, issued.ticket_id)] == [("issued", REMOTE_ACTOR)]
    assert counters(rctx) == {"prefix:K": 1, "remote:library": 1}
    time.sleep(0.3)  # a print job would have reached the fake printer by now
    assert remote_app.extensions["vuoro_printers"].printers["fake"].printed == []


def test_a_service_the_poster_does_not_offer_is_refused_and_nothing_is_written(rctx: Context) -> None:
    for kiosk, services in (("k1", ["health"]), ("k2", ["library"]), ("k1", ["kela", "mental"])):
        with pytest.raises(NotRemote) as err:
            join_queue(rctx, kiosk, services=services, language="fi")
        assert err.value.status == 409 and err.value.details["service"] == services[-1]
    with pytest.raises(NotFound) as unknown:
        join(rctx, "nope")
    assert unknown.value.code == "unknown_service"
    with pytest.raises(NotFound) as no_kiosk:
        join(rctx, "kela", kiosk="nope")
    assert no_kiosk.value.code == "unknown_kiosk"
    assert counters(rctx) == {}


def test_the_kiosks_rules_hold_closed_and_daily_limit(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    data = remote_config(config_data)
    services = {s["key"]: s for s in data["services"]}
    services["kela"]["hours"] = dict.fromkeys(WEEKDAYS, "12:00-16:00")  # closed at 10:00
    services["library"]["daily_limit"] = 1
    ctx = make_app(data).extensions["vuoro"]
    with pytest.raises(ServiceClosed):
        join(ctx, "kela")
    assert join(ctx, "library") == "L001"
    with pytest.raises(DailyLimitReached):
        join(ctx, "library")
    # the daily limit refused it first: the remote cap's count is given back with the transaction
    assert counters(ctx) == {"prefix:L": 1, "service:library": 1, "remote:library": 1}


def test_the_daily_cap_counts_remote_tickets_only_and_starts_again_the_next_day(
    rctx: Context, clock: FakeClock
) -> None:
    assert [join(rctx, "library") for _ in range(3)] == ["L001", "L002", "L003"]
    with pytest.raises(RemoteLimitReached) as err:
        join(rctx, "library")
    assert err.value.code == "remote_limit_reached" and err.value.details["service"] == "library"
    with pytest.raises(RemoteLimitReached):
        join(rctx, "kela", "library")  # one capped errand refuses the whole visit...
    assert counters(rctx)["remote:library"] == 3
    assert "prefix:K" not in counters(rctx)  # ...and writes nothing of it
    # the kiosk still gives library tickets, and Kela still comes by phone
    assert issue_ticket(rctx, services=["library"], language="fi", kiosk="k1").view.number == "L004"
    assert join(rctx, "kela") == "K001"
    clock.advance(24 * 3600)
    assert join(rctx, "library") == "L001"


@pytest.fixture
def capped_app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    return make_app(remote_config(any_db_config))


def test_ten_phones_joining_at_once_get_exactly_the_daily_cap(capped_app: Flask) -> None:
    ctx: Context = capped_app.extensions["vuoro"]
    barrier = threading.Barrier(10, timeout=30)

    def phone(_: int) -> str:
        barrier.wait()
        try:
            return join(ctx, "library")
        except RemoteLimitReached:
            return "refused"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = sorted(pool.map(phone, range(10), timeout=90))
    assert results == ["L001", "L002", "L003"] + ["refused"] * 7
    assert counters(ctx) == {"prefix:L": 3, "remote:library": 3}
    with ctx.db.reader() as session:
        actors = list(session.scalars(sa.select(TicketEvent.actor)))
    assert actors == [REMOTE_ACTOR] * 3
