"""Concurrency on SQLite and PostgreSQL: numbers are unique and gap-free, and no ticket is called twice or lost.

Every test runs twice through ``any_db_config``: on a SQLite file and on a throwaway PostgreSQL database.
Threads go through the real HTTP API (one Flask test client per thread) against one app, as a threaded server
would.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from queue_server.models import Counter as CounterRow
from queue_server.models import Ticket, TicketEvent
from queue_server.services.context import Context
from queue_server.services.tickets import issue_ticket
from tests.conftest import FakeClock
from tests.queue_server.helpers import bearer

KIOSKS = 8
TICKETS = 400
DESKS = [f"c{i}" for i in range(1, 7)]
LIMIT = 100


@pytest.fixture
def busy_app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    """The test centre with six more desks that all serve kela (and at most 100 health tickets a day)."""
    data = copy.deepcopy(any_db_config)
    data["services"][2]["daily_limit"] = LIMIT
    if data["database_url"].startswith("postgresql"):
        # Durability is not under test: without waiting for each commit's fsync the runs take half the time.
        engine = sa.create_engine(data["database_url"], isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            name = sa.engine.make_url(data["database_url"]).database
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        engine.dispose()
    data["desks"] += [{"key": key, "label": f"Kela {key}", "services": ["kela"], "zone": "z2"} for key in DESKS]
    return make_app(data)


def run_threads(n: int, work: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run ``work(i, barrier)`` in ``n`` threads that start together; re-raise the first failure."""
    barrier = threading.Barrier(n, timeout=30)
    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(work, i, barrier) for i in range(n)]
        return [f.result(timeout=90) for f in futures]


def called_events(ctx: Context) -> Counter[int]:
    with ctx.db.reader() as session:
        return Counter(session.scalars(sa.select(TicketEvent.ticket_id).where(TicketEvent.type == "called")))


def test_eight_kiosks_issuing_at_once_get_each_number_exactly_once(busy_app: Flask) -> None:
    ctx: Context = busy_app.extensions["vuoro"]
    per_kiosk = TICKETS // KIOSKS
    headers = [bearer(ctx, "kiosk", f"k{i}") for i in range(KIOSKS)]

    def kiosk(i: int, barrier: threading.Barrier) -> list[tuple[int, str | None]]:
        client = busy_app.test_client()
        barrier.wait()
        out = []
        for _ in range(per_kiosk):
            resp = client.post("/api/tickets", json={"services": ["kela"]}, headers=headers[i])
            out.append((resp.status_code, (resp.get_json() or {}).get("ticket", {}).get("number")))
        return out

    results = [r for batch in run_threads(KIOSKS, kiosk) for r in batch]
    assert [status for status, _ in results if status != 201] == []
    numbers = [number for _, number in results]
    assert sorted(numbers) == [f"K{i:03d}" for i in range(1, TICKETS + 1)]
    with ctx.db.reader() as session:
        seqs = sorted(session.scalars(sa.select(Ticket.seq)))
        counter = session.scalar(sa.select(CounterRow.value).where(CounterRow.scope == "prefix:K"))
        issued = session.scalar(sa.select(sa.func.count()).where(TicketEvent.type == "issued"))
    assert seqs == list(range(1, TICKETS + 1))
    assert counter == TICKETS
    assert issued == TICKETS


def test_six_desks_calling_at_once_call_every_ticket_exactly_once(busy_app: Flask) -> None:
    ctx: Context = busy_app.extensions["vuoro"]
    total = 120
    for _ in range(total):
        issue_ticket(ctx, services=["kela"], language="fi")
    headers = bearer(ctx, "desk", "desks")

    def desk(i: int, barrier: threading.Barrier) -> list[str]:
        client = busy_app.test_client()
        key = DESKS[i]
        barrier.wait()
        served: list[str] = []
        while True:
            resp = client.post(f"/api/desks/{key}/next", headers=headers)
            if resp.status_code == 204:
                return served
            assert resp.status_code == 200, resp.get_data(as_text=True)
            ticket = resp.get_json()["ticket"]
            assert ticket["desk"]["key"] == key
            served.append(ticket["number"])
            done = client.post(f"/api/desks/{key}/finish", headers=headers)
            assert done.status_code == 200, done.get_data(as_text=True)
            assert done.get_json()["ticket"]["number"] == ticket["number"]

    per_desk = run_threads(len(DESKS), desk)
    served = [n for numbers in per_desk for n in numbers]
    assert len(served) == len(set(served)) == total
    assert sorted(served) == [f"K{i:03d}" for i in range(1, total + 1)]
    assert sum(1 for numbers in per_desk if numbers) >= 2  # the desks really worked side by side
    calls = called_events(ctx)
    assert len(calls) == total and set(calls.values()) == {1}
    with ctx.db.reader() as session:
        assert set(session.scalars(sa.select(Ticket.status))) == {"done"}


def test_desks_calling_while_kiosks_issue_lose_no_ticket(busy_app: Flask) -> None:
    ctx: Context = busy_app.extensions["vuoro"]
    kiosks, per_kiosk = 2, 40
    kiosk_headers = bearer(ctx, "kiosk", "k")
    desk_headers = bearer(ctx, "desk", "d")
    issuing_done = threading.Event()
    finished_kiosks = Counter[str]()
    lock = threading.Lock()

    def worker(i: int, barrier: threading.Barrier) -> list[str]:
        client = busy_app.test_client()
        barrier.wait()
        if i < kiosks:
            for _ in range(per_kiosk):
                resp = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk_headers)
                assert resp.status_code == 201, resp.get_data(as_text=True)
            with lock:
                finished_kiosks["done"] += 1
                if finished_kiosks["done"] == kiosks:
                    issuing_done.set()
            return []
        key = DESKS[i - kiosks]
        served: list[str] = []
        while True:
            was_done = issuing_done.is_set()
            resp = client.post(f"/api/desks/{key}/next", headers=desk_headers)
            if resp.status_code == 204:
                if was_done:
                    return served
                continue
            assert resp.status_code == 200, resp.get_data(as_text=True)
            served.append(resp.get_json()["ticket"]["number"])
            assert client.post(f"/api/desks/{key}/finish", headers=desk_headers).status_code == 200

    served = [n for numbers in run_threads(kiosks + 4, worker) for n in numbers]
    assert sorted(served) == [f"K{i:03d}" for i in range(1, kiosks * per_kiosk + 1)]
    assert set(called_events(ctx).values()) == {1}


def test_yesterday_expires_once_when_two_prefixes_open_at_the_same_moment(busy_app: Flask, clock: FakeClock) -> None:
    ctx: Context = busy_app.extensions["vuoro"]
    clock.set_local("2026-11-26T15:00")
    stale = 120
    for i in range(stale):
        issue_ticket(ctx, services=["kela" if i % 2 else "library"], language="fi")
    clock.set_local("2026-11-27T09:00")

    def first_of_the_day(i: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        return issue_ticket(ctx, services=[["kela", "library", "health"][i]], language="fi").view.number

    assert sorted(run_threads(3, first_of_the_day)) == ["H001", "K001", "L001"]
    with ctx.db.reader() as session:
        expired = Counter(session.scalars(sa.select(TicketEvent.ticket_id).where(TicketEvent.type == "expired")))
        statuses = Counter(session.scalars(sa.select(Ticket.status).where(Ticket.business_day == date(2026, 11, 26))))
    assert statuses == {"expired": stale}
    assert len(expired) == stale
    assert set(expired.values()) == {1}, "a stale ticket was expired twice"


def test_the_daily_limit_holds_when_kiosks_race_for_the_last_tickets(busy_app: Flask) -> None:
    ctx: Context = busy_app.extensions["vuoro"]
    headers = bearer(ctx, "kiosk", "k")

    def kiosk(i: int, barrier: threading.Barrier) -> list[int]:
        client = busy_app.test_client()
        barrier.wait()
        return [
            client.post("/api/tickets", json={"services": ["health"]}, headers=headers).status_code for _ in range(20)
        ]

    statuses = Counter(s for batch in run_threads(KIOSKS, kiosk) for s in batch)
    assert statuses == {201: LIMIT, 409: KIOSKS * 20 - LIMIT}
    with ctx.db.reader() as session:
        seqs = sorted(session.scalars(sa.select(Ticket.seq).where(Ticket.prefix == "H")))
    assert seqs == list(range(1, LIMIT + 1))  # refused tickets left no gaps in the numbers
