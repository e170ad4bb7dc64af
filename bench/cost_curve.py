"""Part 1: what one action costs the server, in CPU time, as the queue grows from 0 to 1,000 and 5,000 waiting.

One process (SQLite), one client doing one thing at a time, so that the CPU the worker spent between two reads
of ``/proc/<pid>/stat`` (utime + stime, every thread, nothing subtracted) belongs to those operations:

- ``issue``: ``POST /api/tickets`` (the kiosk token), round robin over the services;
- ``call_finish``: ``POST /api/desks/<key>/next`` then ``/finish`` (a desk token) at the four Kela desks, opened
  first; before the cell as many Kela tickets as it may call are issued (unmeasured), so that "0 waiting" means
  only those few;
- ``snapshot``: a new Socket.IO connection joining ``{"board": zone}`` until its ``snapshot`` has arrived, then
  closed (the connection's setup and teardown are part of what a board costs);
- ``services``: ``GET /api/services``.

Each cell runs for a time budget (at least ``min_ops`` operations, at most a cap: the issue and call cells
change the queue they measure, so theirs are low), after the worker's CPU has settled, and
reads the CPU again once it has settled after the last operation (work a server defers, such as coalesced
pushes, is counted).  The levels are reached by filling the database while the server is stopped
(``prefill.py``), on the same database: the server is restarted between levels, as after a restart mid-day.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import prefill
from bench.load import pct
from bench.servers import Server, Setup
from vuoro_tools.simulate.http import HttpClient
from vuoro_tools.simulate.sockets import SocketClient, SocketIOError, Swarm

SERVICES = ["library", "kela", "health", "service_point", "lab", "maternity", "youth", "kohtaamo", "mental"]
ALL_DESKS = [
    "lib1",
    "lib2",
    "youth1",
    "koht1",
    "sp1",
    "sp2",
    "sp3",
    "kela1",
    "kela2",
    "kela3",
    "kela4",
    "kela5",
    "hc1",
    "hc2",
    "hc3",
    "mat1",
    "mat2",
    "mh1",
    "mh2",
    "lab1",
    "lab2",
]
CALL_DESKS = ["kela1", "kela2", "kela3", "kela4"]
ZONES = ["kela", "street", "health"]
OPS = ("issue", "call_finish", "snapshot", "services")


def settle(server: Server, limit_s: float = 3.0) -> float:
    """The worker's CPU once it stops moving (two equal reads 0.15 s apart), or after ``limit_s``."""
    deadline = time.monotonic() + limit_s
    last = server.cpu_s()
    while time.monotonic() < deadline:
        time.sleep(0.15)
        now = server.cpu_s()
        if now == last:
            return now
        last = now
    return last


def measure(
    server: Server, op: Callable[[int], bool], *, budget_s: float, min_ops: int, max_ops: int
) -> dict[str, Any]:
    """Run ``op(i)`` (True: it succeeded) until the budget is spent; CPU per operation from the worker's stat.

    A cell also goes on (up to four budgets) until the worker has spent ``budget_s / 4`` of CPU in it: on a
    loaded machine a few slow operations would otherwise be measured in a handful of 10 ms clock ticks.
    """
    before = settle(server)
    started = time.perf_counter()
    walls: list[float] = []
    failed = 0

    def more() -> bool:
        elapsed = time.perf_counter() - started
        if len(walls) >= max_ops:
            return False
        if len(walls) < min_ops or elapsed < budget_s:
            return True
        return elapsed < 4 * budget_s and server.cpu_s() - before < budget_s / 4

    while more():
        t = time.perf_counter()
        if not op(len(walls)):
            failed += 1
            if failed > max(3, len(walls)):
                break
        walls.append(time.perf_counter() - t)
    after = settle(server)
    n = len(walls)
    return {
        "ops": n,
        "failed": failed,
        "cpu_ms": round((after - before) * 1000 / n, 2) if n else None,
        "wall_p50_ms": round(pct(walls, 0.5) * 1000, 1),
        "wall_max_ms": round(max(walls) * 1000, 1) if walls else None,
    }


class Operations:
    """The four measured operations against one server."""

    def __init__(self, setup: Setup, swarm: Swarm) -> None:
        self.setup, self.swarm = setup, swarm
        self.url = setup.servers[0].url
        self.http = HttpClient(self.url, timeout=120)
        self.errors: Counter[str] = Counter()

    def _ok(self, what: str, status: int, want: int) -> bool:
        if status != want:
            self.errors[f"{what} {status}"] += 1
        return status == want

    def issue(self, i: int) -> bool:
        reply = self.http.post(
            "/api/tickets", {"services": [SERVICES[i % len(SERVICES)]]}, token=self.setup.tokens["kiosk"]
        )
        return self._ok("issue", reply.status, 201)

    def call_finish(self, i: int) -> bool:
        desk = CALL_DESKS[i % len(CALL_DESKS)]
        called = self.http.post(f"/api/desks/{desk}/next", token=self.setup.tokens["desk"])
        finished = self.http.post(f"/api/desks/{desk}/finish", token=self.setup.tokens["desk"])
        return self._ok("next", called.status, 200) and self._ok("finish", finished.status, 200)

    def snapshot(self, i: int) -> bool:
        got: list[str] = []

        def on_event(_c: SocketClient, event: str, _data: Any, _at: float) -> None:
            got.append(event)

        try:  # the join's answer comes after the snapshot (docs/realtime.md)
            client = self.swarm.connect(self.url, join={"board": ZONES[i % len(ZONES)]}, on_event=on_event, timeout=120)
        except SocketIOError as exc:
            self.errors[f"snapshot {exc}"[:60]] += 1
            return False
        self.swarm.run(client.close(), 30)
        self.swarm.clients.remove(client)
        return self._ok("snapshot", 200 if "snapshot" in got else 0, 200)

    def services(self, _i: int) -> bool:
        return self._ok("services", self.http.get("/api/services").status, 200)

    def open_desks(self) -> None:
        for desk in ALL_DESKS:
            reply = self.http.post(f"/api/desks/{desk}/status", {"status": "open"}, token=self.setup.tokens["desk"])
            self._ok("open desk", reply.status, 200)

    def warm_up(self) -> None:
        """The first requests after a start import lazily loaded code: a few of each, unmeasured."""
        for i in range(3):
            self.services(i)
            self.snapshot(i)
        self.http.get(f"/api/desks/{CALL_DESKS[0]}", token=self.setup.tokens["desk"])

    def close(self) -> None:
        self.http.close()


def run(
    work: Path,
    *,
    levels: list[int],
    budget_s: float,
    min_ops: int,
    max_ops: int,
    max_issues: int,
    max_pairs: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every level in turn on one SQLite server; per level the CPU per operation of each of :data:`OPS`."""
    out: dict[str, Any] = {"setup": "SQLite, 1 process", "levels": []}
    with Setup("cost curve", "sqlite", 1, work / "cost-curve") as setup, Swarm() as swarm:
        for level in levels:
            ops = Operations(setup, swarm)
            try:
                current = prefill.waiting_total(setup)
                ops.close()
                filled_at = time.perf_counter()
                prefill.fill(setup, level - current, SERVICES)
                fill_s = time.perf_counter() - filled_at
                ops = Operations(setup, swarm)
                ops.open_desks()
                ops.warm_up()
                # the Kela tickets the call cell may call, issued beforehand where the queue has fewer (unmeasured)
                for _ in range(max_pairs - prefill.waiting_in(setup, "kela")):
                    ops.http.post("/api/tickets", {"services": ["kela"]}, token=setup.tokens["kiosk"])
                waiting = prefill.waiting_total(setup)
                server = setup.servers[0]
                cells = {}
                for name in ("services", "snapshot", "call_finish", "issue"):  # issue last: it lengthens the queue
                    cells[name] = measure(
                        server,
                        getattr(ops, name),
                        budget_s=budget_s,
                        min_ops=min_ops,
                        max_ops={"call_finish": max_pairs, "issue": max_issues}.get(name, max_ops),
                    )
                    log(
                        f"cost curve, {level} waiting: {name} {cells[name]['cpu_ms']} ms CPU per op "
                        f"({cells[name]['ops']} ops, wall p50 {cells[name]['wall_p50_ms']} ms)"
                    )
                out["levels"].append(
                    {
                        "level": level,
                        "waiting_at_start": waiting,
                        "waiting_at_end": prefill.waiting_total(setup),
                        "fill_s": round(fill_s, 1),
                        "cells": cells,
                        "errors": dict(ops.errors),
                    }
                )
            finally:
                ops.close()
    base = out["levels"][0]["cells"] if out["levels"] else {}
    for lv in out["levels"]:
        for name, cell in lv["cells"].items():
            zero = base.get(name, {}).get("cpu_ms")
            cell["ratio"] = round(cell["cpu_ms"] / zero, 2) if zero and cell["cpu_ms"] is not None else None
    return out
