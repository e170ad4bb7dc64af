"""Parts 2 and 3: how many tickets a process issues, against its own ``/healthz``, the stack's floor, and two.

2. One process on SQLite with 8 keep-alive clients: ``GET /healthz`` and ``POST /api/tickets`` on the same
   server, and the floor (``floor_app.py``: one SQLite row per POST, same gunicorn worker) with the same
   clients, each with the worker's CPU per request.  The three take turns in short rounds, so that a burst of
   other work on the shared machine falls on all of them rather than on one (their ratios are the result).
3. PostgreSQL: one process, and two processes sharing another database with Redis (clients alternate between
   them), with the same number of clients, in turns as above.

After each issue run the numbering is checked in the database: no number twice, no gap.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.load import LoadResult, hammer
from bench.servers import ROOT, Server, Setup
from vuoro_tools.simulate.http import HttpClient

SERVICES = ["library", "kela", "health", "service_point", "lab", "maternity", "youth", "kohtaamo", "mental"]


def _body(i: int) -> dict[str, Any]:
    return {"services": [SERVICES[i % len(SERVICES)]]}


def warm_up(setup: Setup) -> None:
    """The first requests import lazily loaded code: a few, unmeasured (the tickets they issue are kept)."""
    for server in setup.servers:
        with HttpClient(server.url, timeout=60) as http:
            for i in range(5):
                http.get("/healthz")
                http.post("/api/tickets", _body(i), token=setup.tokens["kiosk"])


def issue_load(setup: Setup, clients: int, seconds: float) -> LoadResult:
    return hammer(
        setup.servers,
        clients,
        seconds,
        "POST",
        "/api/tickets",
        token=setup.tokens["kiosk"],
        ok_status=201,
        keep_bodies=True,
        body_for=_body,
    )


def issue_summary(setup: Setup, result: LoadResult) -> dict[str, Any]:
    out = result.summary()
    numbers = Counter(json.loads(b)["ticket"]["number"] for b in result.bodies)
    out["duplicate_numbers_in_answers"] = sum(c - 1 for c in numbers.values() if c > 1)
    out["numbering"] = numbering(setup)
    return out


def numbering(setup: Setup) -> dict[str, int | str]:
    """Duplicate numbers and gaps in the database (per business day and prefix)."""
    try:
        with setup.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM tickets GROUP BY business_day, prefix")
            ).all()
    except sa.exc.SQLAlchemyError as exc:
        return {"error": str(exc).splitlines()[0][:120]}
    return {
        "tickets": sum(int(r[0]) for r in rows),
        "duplicates": sum(int(r[0]) - int(r[1]) for r in rows),
        "gaps": sum(int(r[2]) - int(r[1]) for r in rows),
    }


def floor_server(workdir: Path, threads: int) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        str(ROOT / "bench" / "floor_app.py"),
        "--db",
        str(workdir / "floor.db"),
        "--port",
        "{port}",
        "--threads",
        str(threads),
    ]
    return Server(argv, workdir, {"PYTHONPATH": str(ROOT)}, "floor")


def one_process(
    work: Path, *, clients: int, seconds: float, log: Callable[[str], None], rounds: int = 4
) -> dict[str, Any]:
    """Part 2: /healthz, issue and the floor in turns (``rounds`` of ``seconds / rounds`` each)."""
    out: dict[str, Any] = {"setup": "SQLite, 1 process", "clients": clients, "rounds": rounds}
    floor = floor_server(work / "floor", 64)
    with Setup("sqlite-1", "sqlite", 1, work / "throughput-sqlite") as setup:
        floor.start()
        try:
            warm_up(setup)
            hammer([floor], 2, 0.5, "POST", "/rows", body={"kind": "warm-up"}, ok_status=201)
            out["idle_memory_kb"] = setup.servers[0].memory_kb()
            out["floor_memory_kb"] = floor.memory_kb()
            healthz, issue, rows = LoadResult(clients, 0.0), LoadResult(clients, 0.0), LoadResult(clients, 0.0)
            for _ in range(rounds):
                healthz.add(hammer(setup.servers, clients, seconds / rounds, "GET", "/healthz"))
                issue.add(issue_load(setup, clients, seconds / rounds))
                rows.add(
                    hammer([floor], clients, seconds / rounds, "POST", "/rows", body={"kind": "ticket"}, ok_status=201)
                )
            out["healthz"], out["issue"], out["floor"] = healthz.summary(), issue_summary(setup, issue), rows.summary()
        finally:
            floor.stop()
    for name in ("healthz", "issue", "floor"):
        c = out[name]
        log(
            f"one process: {name} {c['per_s']}/s, {c['cpu_ms_per_request']} ms CPU each, p99 {c['p99_ms']} ms, "
            f"errors {c['errors'] or 0}"
        )
    return out


def two_processes(
    work: Path, *, clients: int, seconds: float, log: Callable[[str], None], rounds: int = 4
) -> dict[str, Any]:
    """Part 3: issue throughput of one PostgreSQL process and of two sharing a database through Redis, in turns."""
    out: dict[str, Any] = {"clients": clients, "rounds": rounds, "runs": []}
    names = (("PostgreSQL, 1 process", 1), ("PostgreSQL + Redis, 2 processes", 2))
    with contextlib.ExitStack() as stack:
        setups = [stack.enter_context(Setup(name, "postgresql", n, work / f"throughput-pg-{n}")) for name, n in names]
        for setup in setups:
            warm_up(setup)
        loads = [LoadResult(clients, 0.0) for _ in setups]
        for _ in range(rounds):
            for setup, load in zip(setups, loads, strict=True):
                load.add(issue_load(setup, clients, seconds / rounds))
        for (name, processes), setup, load in zip(names, setups, loads, strict=True):
            run = issue_summary(setup, load)
            run["setup"], run["processes"] = name, processes
            out["runs"].append(run)
            log(
                f"{name}: issue {run['per_s']}/s with {clients} clients, {run['cpu_ms_per_request']} ms CPU each "
                f"(all processes), p99 {run['p99_ms']} ms, errors {run['errors'] or 0}, numbering {run['numbering']}"
            )
    one, two = (r["per_s"] for r in out["runs"])
    out["ratio"] = round(two / one, 2) if one else None
    return out
