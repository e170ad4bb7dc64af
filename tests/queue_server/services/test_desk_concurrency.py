"""The desk page's races, decided by the database, on SQLite and PostgreSQL (``any_db_config``): desks calling the
same number from the waiting list at once, two undoing one no-show, and one account opening desks in two tabs.

Threads go through the HTTP API, one Flask test client each, against one app, as a threaded server would.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from queue_server.models import DeskState, TicketEvent
from queue_server.services.accounts import add_user
from queue_server.services.context import Context
from tests.queue_server.helpers import bearer, ticket

DESKS = [f"c{i}" for i in range(1, 7)]


@pytest.fixture
def desk_app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = copy.deepcopy(any_db_config)
    data["desks"] += [{"key": key, "label": f"Kela {key}", "services": ["kela"], "zone": "z2"} for key in DESKS]
    return make_app(data)


def run_threads(n: int, work: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    barrier = threading.Barrier(n, timeout=30)
    with ThreadPoolExecutor(max_workers=n) as pool:
        return [f.result(timeout=90) for f in [pool.submit(work, i, barrier) for i in range(n)]]


def event_counts(ctx: Context) -> Counter[str]:
    with ctx.db.reader() as session:
        return Counter(session.scalars(sa.select(TicketEvent.type)))


def test_desks_calling_one_picked_ticket_at_once_get_it_exactly_once(desk_app: Flask) -> None:
    ctx: Context = desk_app.extensions["vuoro"]
    kiosk, desk = bearer(ctx, "kiosk", "k1"), bearer(ctx, "desk", "desks")
    client = desk_app.test_client()
    for _ in range(3):
        assert client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 201
    picked = client.get(f"/api/desks/{DESKS[0]}/waiting", headers=desk).get_json()["tickets"][1]

    def call(i: int, barrier: threading.Barrier) -> tuple[int, str]:
        c = desk_app.test_client()
        barrier.wait()
        resp = c.post(f"/api/desks/{DESKS[i]}/call", json={"ticket": picked["id"]}, headers=desk)
        return resp.status_code, (resp.get_json() or {}).get("error", {}).get("code", "")

    results = sorted(run_threads(len(DESKS), call))
    assert results == [(200, "")] + [(409, "already_called")] * (len(DESKS) - 1)
    assert event_counts(ctx)["called"] == 1
    assert ticket(ctx, picked["number"]).status == "called"


def test_two_desks_undoing_one_no_show_at_once_put_it_back_once(desk_app: Flask) -> None:
    ctx: Context = desk_app.extensions["vuoro"]
    kiosk, desk = bearer(ctx, "kiosk", "k1"), bearer(ctx, "desk", "desks")
    client = desk_app.test_client()
    assert client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 201
    assert client.post(f"/api/desks/{DESKS[0]}/next", headers=desk).status_code == 200
    assert client.post(f"/api/desks/{DESKS[0]}/no-show", headers=desk).status_code == 200

    def undo(i: int, barrier: threading.Barrier) -> int:
        c = desk_app.test_client()
        barrier.wait()
        return c.post(f"/api/desks/{DESKS[i]}/undo-no-show", json={"number": "K001"}, headers=desk).status_code

    assert sorted(run_threads(4, undo)) == [200, 409, 409, 409]
    assert event_counts(ctx)["no_show_undone"] == 1
    assert ticket(ctx, "K001").status == "waiting"


def test_one_account_opening_desks_in_two_tabs_never_fails_and_its_log_out_closes_them_all(desk_app: Flask) -> None:
    ctx: Context = desk_app.extensions["vuoro"]
    add_user(ctx.db, "anna", "anna-password-1", "clerk")
    tabs = [desk_app.test_client() for _ in range(2)]
    for tab in tabs:
        assert tab.post("/api/session", json={"username": "anna", "password": "anna-password-1"}).status_code == 200

    def open_desks(i: int, barrier: threading.Barrier) -> list[int]:
        barrier.wait()
        return [
            tabs[i].post(f"/api/desks/{DESKS[(i + 2 * k) % len(DESKS)]}/status", json={"status": "open"}).status_code
            for k in range(6)
        ]

    assert [s for statuses in run_threads(2, open_desks) for s in statuses] == [200] * 12  # no deadlock, no 500
    assert tabs[0].delete("/api/session").status_code == 204
    with ctx.db.reader() as session:
        assert session.scalars(sa.select(DeskState.desk_key).where(DeskState.status != "closed")).all() == []
    assert ctx.live is not None and set(ctx.live.desk_statuses().values()) <= {"closed"}
