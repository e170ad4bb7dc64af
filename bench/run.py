"""The scale benchmark: real ``vuoro serve`` processes on loopback, measured from outside.

    python bench/run.py            # the full run (~10 minutes), table printed and written to docs/performance.md
    python bench/run.py --quick    # the same measurements, shorter (5-8 minutes)
    python bench/run.py --quick --no-write --only issue

1. Ticket issue throughput and latency (``POST /api/tickets``) with 1, 8 and 32 concurrent kiosk clients: SQLite
   one process; PostgreSQL one process; PostgreSQL two processes (clients alternate between them).
2. Call-to-board latency: a desk's ``POST /api/desks/<key>/next`` until a board connected over Socket.IO
   receives ``called``, with 10, 500 and 2,000 connected clients (a tenth boards, the rest phones following
   waiting tickets -- at most 300 tickets, a busy peak, shared by the phones beyond that): one process
   (SQLite), and two processes on PostgreSQL + Redis, where the observing boards sit on both processes and the
   calls alternate between them.
3. Memory: resident set size (``/proc``) of each server process at idle, and with the clients connected.
4. Correctness under the same load: duplicate numbers among the 201 answers and in the database, gaps in the
   numbering, and double calls (a ticket with two ``called`` events) after desks raced on every process.

The servers use the example centre (config.yaml: nine services, 21 desks, three zones) with opening hours and
rate limits off, no printers, and a fresh database each; PostgreSQL and Redis are the local servers
(``VUORO_TEST_POSTGRES_URL``, ``VUORO_TEST_REDIS_URL``), skipped with a note when missing.  Every loop is
bounded in time or count and every address is loopback.  Between issue cells the waiting tickets are marked
expired in the database, so that each cell starts with short queues, as a served day would have.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402

from bench import doc_section  # noqa: E402
from queue_server.db import Database  # noqa: E402
from queue_server.services.accounts import add_user, create_token  # noqa: E402
from queue_server.simulate.http import HttpClient  # noqa: E402
from queue_server.simulate.sio import SocketClient, Swarm  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
BEGIN, END = "<!-- BEGIN scale-benchmark (bench/run.py) -->", "<!-- END scale-benchmark -->"
PG_ADMIN_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VUORO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ISSUE_SERVICES = ["library", "kela", "health", "service_point", "lab", "maternity", "youth", "kohtaamo", "mental"]
CALL_DESKS = ["kela1", "kela2", "kela3", "kela4"]   # zone "kela": the observing boards watch it
OBSERVER_ZONE = "kela"
#: tickets waiting while the phones are connected: a busy peak (Iso Omena: ~4,500 visits a day); the phones
#: beyond it share tickets, so that the level measures sockets, not an unrealistically long queue
WAITING_TICKETS = 300
#: pause after each call and finish: a busy centre calls every few seconds, not back to back
CALL_INTERVAL_S = 0.5
#: seconds of calls per level at most (a level the server cannot keep up with is cut short and says so)
LEVEL_BUDGET_S = 120.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- servers ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One ``vuoro serve`` process (gunicorn master + one gthread worker) on a loopback port."""

    def __init__(self, config_path: Path, workdir: Path, env: dict[str, str], threads: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path, self.workdir, self.env, self.threads = config_path, workdir, env, threads
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"server-{self.port}.log"

    def start(self, timeout: float = 90.0) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "queue_server", "serve", "--config", str(self.config_path), "--host",
                 "127.0.0.1", "--port", str(self.port), "--threads", str(self.threads)],
                cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env},
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        return
            time.sleep(0.2)
        raise RuntimeError(f"server did not start in {timeout}s")

    def worker_pid(self) -> int | None:
        assert self.proc is not None
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            if children:
                return int(children[0])
        return None

    def rss_kb(self) -> int:
        """Resident memory of the worker (where the app, its threads and sockets live) plus the master."""
        total = 0
        for pid in (self.proc.pid if self.proc else None, self.worker_pid()):
            if pid is None:
                continue
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def bench_config(database_url: str) -> dict[str, Any]:
    """The example centre, always open, no printers, no rate limits."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for service in data["services"]:
        service.pop("hours", None)
        service.pop("daily_limit", None)
    data["centre"]["closed_dates"] = []
    data["printers"] = []
    for kiosk in data["kiosks"]:
        kiosk.pop("printer", None)
    data["limits"] = {"enabled": False}
    data["printer_poll_s"] = 0
    data["database_url"] = database_url
    data["redis_url"] = None
    return data


@dataclass
class Setup:
    """A fresh database, tokens and ``processes`` servers: SQLite (one process) or PostgreSQL (+ Redis)."""

    name: str
    kind: str              # "sqlite" | "postgresql"
    processes: int
    threads: int
    workdir: Path
    servers: list[Server] = field(default_factory=list)
    db_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    _pg_name: str | None = None

    def __enter__(self) -> Setup:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.kind == "sqlite":
            self.db_url = f"sqlite:///{self.workdir / 'vuoro.db'}"
        else:
            self._pg_name = f"vuoro_bench_{uuid.uuid4().hex[:10]}"
            with _pg_admin() as admin:
                admin.execute(sa.text(f'CREATE DATABASE "{self._pg_name}"'))
            self.db_url = sa.engine.make_url(_pg(PG_ADMIN_URL)).set(database=self._pg_name).render_as_string(
                hide_password=False)
        config_path = self.workdir / "config.yaml"
        config_path.write_text(yaml.safe_dump(bench_config(self.db_url), allow_unicode=True), encoding="utf-8")
        db = Database(self.db_url)
        db.upgrade()  # once, as "vuoro db upgrade" on release, before the processes start
        add_user(db, "admin", "bench-admin-password", "admin")
        self.tokens = {"kiosk": create_token(db, "kiosk", "bench-kiosk"), "desk": create_token(db, "desk", "bench")}
        db.dispose()
        env = {"VUORO_SOCKETIO_CHANNEL": f"vuoro-bench-{uuid.uuid4().hex[:10]}"}
        if self.processes > 1:
            env["VUORO_REDIS_URL"] = REDIS_URL
        self.servers = [Server(config_path, self.workdir, env, self.threads) for _ in range(self.processes)]
        threads = [threading.Thread(target=s.start) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for s in self.servers:
            if s.proc is None or s.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: a server did not start; see {s.log_path}")
        return self

    def __exit__(self, *exc: object) -> None:
        threads = [threading.Thread(target=s.stop) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self._pg_name:
            with _pg_admin() as admin:
                admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))

    def sql(self, statement: str) -> list[Any]:
        engine = sa.create_engine(_pg(self.db_url) if self.kind == "postgresql" else self.db_url)
        try:
            with engine.begin() as conn:
                result = conn.execute(sa.text(statement))
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()

    def reset_queues(self) -> None:
        """Every waiting or called ticket is marked expired: the next cell starts with empty queues."""
        self.sql("UPDATE tickets SET status = 'expired', desk_key = NULL WHERE status IN ('waiting', 'called', "
                 "'serving')")

    def rss_kb(self) -> list[int]:
        return [s.rss_kb() for s in self.servers]


def _pg(url: str) -> str:
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


@contextlib.contextmanager
def _pg_admin() -> Iterator[sa.Connection]:
    engine = sa.create_engine(_pg(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def available() -> dict[str, str | None]:
    """Why PostgreSQL or Redis cannot be used (None: it can)."""
    out: dict[str, str | None] = {"postgresql": None, "redis": None}
    try:
        with _pg_admin() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        out["postgresql"] = str(exc).splitlines()[0]
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        out["redis"] = str(exc).splitlines()[0]
    return out


# -- 1. issue --------------------------------------------------------------------------------------------
def issue_cell(setup: Setup, clients: int, seconds: float) -> dict[str, Any]:
    https = [HttpClient(s.url, timeout=30) for s in setup.servers]
    latencies: list[float] = []
    numbers: list[str] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        http = https[i % len(https)]
        mine: list[float] = []
        got: list[str] = []
        bad: Counter[str] = Counter()
        n = i
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            service = ISSUE_SERVICES[n % len(ISSUE_SERVICES)]
            n += 1
            try:
                reply = http.post("/api/tickets", {"services": [service]}, token=setup.tokens["kiosk"])
            except Exception as exc:  # noqa: BLE001
                bad[type(exc).__name__] += 1
                continue
            mine.append(reply.seconds)
            if reply.status == 201:
                got.append(reply.body["ticket"]["number"])
            else:
                bad[str(reply.status)] += 1
        with lock:
            latencies.extend(mine)
            numbers.extend(got)
            errors.update(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 0.5 + seconds  # a half-second warm-up inside each cell is not excluded
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - started
    for http in https:
        http.close()
    dupes = sum(c - 1 for c in Counter(numbers).values() if c > 1)
    return {"clients": clients, "requests": len(latencies), "ok": len(numbers), "errors": dict(errors),
            "seconds": round(elapsed, 2), "per_s": round(len(numbers) / elapsed, 1),
            "p50_ms": round(pct(latencies, 0.50) * 1000, 1), "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
            "duplicate_numbers": dupes}


def numbering_check(setup: Setup) -> dict[str, int]:
    rows = setup.sql("SELECT prefix, COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM tickets GROUP BY prefix")
    tickets = sum(int(r[1]) for r in rows)
    duplicates = sum(int(r[1]) - int(r[2]) for r in rows)
    gaps = sum(int(r[3]) - int(r[2]) for r in rows)
    return {"tickets": tickets, "duplicate_numbers": duplicates, "gaps": gaps}


def desk_race(setup: Setup, seconds: float) -> dict[str, int]:
    """Every desk on every process calls and finishes as fast as it can; then the event log is checked."""
    setup.sql("UPDATE tickets SET status = 'waiting' WHERE status = 'expired'")  # the issue cells' tickets
    desks = [d["key"] for d in bench_config("sqlite://")["desks"]]
    https = [HttpClient(s.url, timeout=30) for s in setup.servers]
    answered: list[str] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def clerk(desk: str, process: int) -> None:
        http = https[process]
        while time.perf_counter() < stop_at:
            reply = http.post(f"/api/desks/{desk}/next", token=setup.tokens["desk"])
            if reply.status == 200:
                with lock:
                    answered.append(reply.body["ticket"]["number"])
                http.post(f"/api/desks/{desk}/finish", token=setup.tokens["desk"])
            elif reply.status == 204:
                time.sleep(0.05)
            elif reply.status == 409:
                time.sleep(0.01)
            else:
                with lock:
                    errors[str(reply.status)] += 1

    workers = max(2, len(setup.servers))
    threads = [threading.Thread(target=clerk, args=(d, i % len(setup.servers))) for d in desks for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    for http in https:
        http.close()
    double = setup.sql("SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_events WHERE type = 'called' "
                       "GROUP BY ticket_id HAVING COUNT(*) > 1) AS d")[0][0]
    return {"desk_clerks": len(threads), "calls": len(answered),
            "double_calls_in_answers": sum(c - 1 for c in Counter(answered).values() if c > 1),
            "double_calls_in_event_log": int(double), "errors": sum(errors.values())}


def run_issue(setups: list[tuple[str, str, int]], args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    out = []
    for name, kind, processes in setups:
        with Setup(name, kind, processes, 64, work / f"issue-{kind}-{processes}") as setup:
            cells = []
            for clients in (1, 8, 32):
                setup.reset_queues()
                cell = issue_cell(setup, clients, args.issue_seconds)
                log(f"issue {name}, {clients} clients: {cell['per_s']}/s, p50 {cell['p50_ms']} ms, "
                    f"p99 {cell['p99_ms']} ms, errors {cell['errors'] or 0}")
                cells.append(cell)
            check = numbering_check(setup)
            race = desk_race(setup, args.race_seconds)
            log(f"correctness {name}: {check}, race {race}")
            out.append({"setup": name, "cells": cells, "numbering": check, "race": race})
    return out


# -- 2./3. call to board, memory -------------------------------------------------------------------------
def board_level(setup: Setup, swarm: Swarm, clients: int, calls: int, idle_rss: list[int]) -> dict[str, Any]:
    setup.reset_queues()
    boards = max(2, clients // 10)
    phones = clients - boards
    n = len(setup.servers)
    # the phones' tickets: spread over the services, issued through every process; a peak's worth of them
    https = [HttpClient(s.url, timeout=30) for s in setup.servers]
    tokens: list[tuple[int, str]] = []
    lock = threading.Lock()

    def issue_some(k: int) -> None:
        for i in range(k, min(phones, WAITING_TICKETS), 8):
            reply = https[i % n].post("/api/tickets", {"services": [ISSUE_SERVICES[i % len(ISSUE_SERVICES)]]},
                                      token=setup.tokens["kiosk"])
            if reply.status == 201:
                with lock:
                    tokens.append((i, reply.body["ticket"]["token"]))

    issuers = [threading.Thread(target=issue_some, args=(k,)) for k in range(8)]
    for t in issuers:
        t.start()
    for t in issuers:
        t.join(600)
    for _ in range(calls):  # the tickets the desks will call (kela; the observing boards watch its zone)
        https[0].post("/api/tickets", {"services": ["kela"]}, token=setup.tokens["kiosk"])

    seen: dict[str, dict[int, float]] = {}
    seen_lock = threading.Lock()

    def on_event(client: SocketClient, event: str, data: Any, at: float) -> None:
        if event == "called" and isinstance(data, dict):
            with seen_lock:
                seen.setdefault(str(data.get("number")), {})[client.tag] = at

    zones = ["street", "kela", "health"]
    specs: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]] = []
    for i in range(boards):  # the first board on each process observes the calling desks' zone
        zone = OBSERVER_ZONE if i < n else zones[i % len(zones)]
        specs.append((setup.servers[i % n].url, {"board": zone}, None, i if i < n else None))
    for i in range(phones):  # several phones may follow one ticket (a family, a helper)
        specs.append((setup.servers[i % n].url, {"ticket": tokens[i % len(tokens)][1]}, None, None))
    started = time.perf_counter()
    swarm.connect_many(specs, on_event=on_event, concurrency=64, timeout=60, total_timeout=900)
    connect_s = time.perf_counter() - started
    time.sleep(1.0)
    rss = setup.rss_kb()
    sockets = [_socket_count(h) for h in https]  # what each server says it holds (its /metrics)
    observers = list(range(n))
    latencies: list[float] = []
    lost = failed_calls = 0
    budget = time.perf_counter() + LEVEL_BUDGET_S
    for k in range(calls):
        if time.perf_counter() > budget:
            failed_calls += calls - k
            break
        desk = CALL_DESKS[k % len(CALL_DESKS)]
        http = https[k % n]
        sent = time.perf_counter()
        try:
            reply = http.post(f"/api/desks/{desk}/next", token=setup.tokens["desk"])
        except OSError:  # the server did not answer in time: counted, and the level goes on
            failed_calls += 1
            continue
        if reply.status != 200:
            failed_calls += 1
            continue
        number = reply.body["ticket"]["number"]
        deadline = time.perf_counter() + 10
        got: dict[Any, float] = {}
        while time.perf_counter() < deadline:
            with seen_lock:
                got = dict(seen.get(number, {}))
            if all(o in got for o in observers):
                break
            time.sleep(0.002)
        for o in observers:
            if o in got:
                latencies.append(got[o] - sent)
            else:
                lost += 1
        with contextlib.suppress(OSError):
            http.post(f"/api/desks/{desk}/finish", token=setup.tokens["desk"])
        time.sleep(CALL_INTERVAL_S)
    swarm.close_all()
    for http in https:
        http.close()
    time.sleep(1.0)
    per_client = [(a - b) / max(1, clients / n) for a, b in zip(rss, idle_rss, strict=True)]
    return {"clients": clients, "boards": boards, "phones": phones, "waiting_tickets": len(tokens),
            "server_sockets": sockets,
            "connect_s": round(connect_s, 1),
            "calls": calls - failed_calls, "failed_calls": failed_calls, "deliveries": len(latencies), "lost": lost,
            "p50_ms": round(pct(latencies, 0.5) * 1000, 1), "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
            "rss_mb": [round(r / 1024, 1) for r in rss],
            "kb_per_client": round(statistics.fmean(per_client), 1)}


def _socket_count(http: HttpClient) -> int:
    reply = http.get("/metrics")
    for line in str(reply.body).splitlines():
        if line.startswith("vuoro_socketio_connections "):
            return int(float(line.split()[1]))
    return -1


def run_boards(setups: list[tuple[str, str, int]], args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    out = []
    for name, kind, processes in setups:
        threads = max(args.levels) // processes + 300  # every open websocket holds a gunicorn thread
        with Setup(name, kind, processes, threads, work / f"board-{kind}-{processes}") as setup, Swarm() as swarm:
            for s in setup.servers:  # warm up: first requests import lazily loaded code
                with HttpClient(s.url) as http:
                    http.get("/api/services")
            time.sleep(1.0)
            idle = setup.rss_kb()
            log(f"board {name}: idle RSS {[round(r / 1024, 1) for r in idle]} MB per process, threads {threads}")
            levels = []
            for clients in args.levels:
                try:
                    level = board_level(setup, swarm, clients, args.calls, idle)
                except Exception as exc:  # noqa: BLE001 - one level failing must not lose the others
                    log(f"board {name}, {clients} clients: failed: {type(exc).__name__}: {exc}")
                    swarm.close_all()
                    levels.append({"clients": clients, "error": f"{type(exc).__name__}: {exc}", "calls": 0})
                    continue
                log(f"board {name}, {clients} clients: p50 {level['p50_ms']} ms, p99 {level['p99_ms']} ms, "
                    f"lost {level['lost']}, failed calls {level['failed_calls']}, RSS {level['rss_mb']} MB, "
                    f"{level['kb_per_client']} kB/client, "
                    f"{level['boards']} boards + {level['phones']} phones ({level['waiting_tickets']} tickets) "
                    f"connected in {level['connect_s']} s, "
                    f"servers hold {level['server_sockets']} sockets")
                levels.append(level)
            double = setup.sql("SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_events WHERE type = 'called' "
                               "GROUP BY ticket_id HAVING COUNT(*) > 1) AS d")[0][0]
            out.append({"setup": name, "threads": threads, "idle_rss_mb": [round(r / 1024, 1) for r in idle],
                        "levels": levels, "double_calls_in_event_log": int(double)})
    return out


# -- report ----------------------------------------------------------------------------------------------
def table(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']}, commit {meta.get('commit', '?')}, {meta['mode']} run "
        f"(`{meta['command']}`, {meta['minutes']:.1f} minutes; load average before: {meta['load_before']}).",
        "Raw numbers: `bench/results/latest-" + ("quick" if meta["mode"] == "quick" else "full") + ".json`.",
        "",
    ]
    if result.get("skipped"):
        lines += [f"Skipped: {', '.join(result['skipped'])}.", ""]
    if result.get("issue"):
        lines += ["**Ticket issue** (`POST /api/tickets`, keep-alive clients on loopback, "
                  f"{meta['issue_seconds']:g} s per cell)", "",
                  "| setup | clients | tickets/s | p50 ms | p99 ms | errors |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for s in result["issue"]:
            for c in s["cells"]:
                lines.append(f"| {s['setup']} | {c['clients']} | {c['per_s']:.0f} | {c['p50_ms']:.1f} | "
                             f"{c['p99_ms']:.1f} | {sum(c['errors'].values())} |")
        lines.append("")
    if result.get("boards"):
        lines += ["**Call to board** (desk `POST .../next` until the observing boards receive `called`; "
                  f"{meta['calls']} calls per level; a tenth of the clients are boards, the rest phones following at "
                  f"most {WAITING_TICKETS} waiting tickets)", "",
                  "| setup | connected clients | deliveries | p50 ms | p99 ms | max ms | lost or failed "
                  "| RSS per process MB |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for s in result["boards"]:
            for lv in s["levels"]:
                if "error" in lv:
                    lines.append(f"| {s['setup']} | {lv['clients']} | failed: {lv['error']} | | | | | |")
                    continue
                lines.append(f"| {s['setup']} | {lv['clients']} | {lv['deliveries']} | {lv['p50_ms']:.1f} | "
                             f"{lv['p99_ms']:.1f} | {lv['max_ms']} | {lv['lost'] + lv['failed_calls']} | "
                             f"{' + '.join(str(r) for r in lv['rss_mb'])} |")
        lines += ["", "**Memory** (resident set size from /proc, gunicorn master + worker)", "",
                  "| setup | threads per process | idle RSS per process MB | per connected client kB |",
                  "| --- | ---: | --- | ---: |"]
        for s in result["boards"]:
            top = next((lv for lv in reversed(s["levels"]) if "error" not in lv), None)
            lines.append(f"| {s['setup']} | {s['threads']} | {' + '.join(str(r) for r in s['idle_rss_mb'])} | "
                         f"{top['kb_per_client'] if top else '-'} (at {top['clients'] if top else '-'}) |")
        lines.append("")
    lines += ["**Correctness under load** (must all be 0)", "",
              "| setup | tickets | duplicate numbers | gaps | desk clerks racing | calls | double calls |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in result.get("issue", []):
        n, r = s["numbering"], s["race"]
        dupes = n["duplicate_numbers"] + sum(c["duplicate_numbers"] for c in s["cells"])
        lines.append(f"| {s['setup']} | {n['tickets']} | {dupes} | {n['gaps']} | {r['desk_clerks']} | {r['calls']} | "
                     f"{r['double_calls_in_answers'] + r['double_calls_in_event_log']} |")
    for s in result.get("boards", []):
        calls = sum(lv["calls"] for lv in s["levels"])
        lines.append(f"| {s['setup']} (board run) | - | - | - | - | {calls} | {s['double_calls_in_event_log']} |")
    return "\n".join(lines)


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],  # noqa: S603,S607
                             capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter cells and fewer calls (~5 minutes)")
    parser.add_argument("--only", default="issue,boards", help="issue, boards or both (default)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--levels", default="10,500,2000", help="connected clients per board level")
    args = parser.parse_args(argv)
    args.issue_seconds = 3.0 if args.quick else 8.0
    args.race_seconds = 3.0 if args.quick else 5.0
    args.calls = 20 if args.quick else 40
    args.levels = [int(x) for x in args.levels.split(",")]
    only = set(args.only.split(","))

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))  # servers inherit it
    started = time.monotonic()
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    services = available()
    skipped = [f"{k}: {v}" for k, v in services.items() if v]
    issue_setups = [("SQLite, 1 process", "sqlite", 1)]
    board_setups = [("SQLite, 1 process", "sqlite", 1)]
    if services["postgresql"] is None:
        issue_setups.append(("PostgreSQL, 1 process", "postgresql", 1))
        if services["redis"] is None:
            issue_setups.append(("PostgreSQL + Redis, 2 processes", "postgresql", 2))
            board_setups.append(("PostgreSQL + Redis, 2 processes", "postgresql", 2))
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"vuoro-bench-{uuid.uuid4().hex[:8]}"
    result: dict[str, Any] = {"skipped": skipped}
    try:
        if "issue" in only:
            result["issue"] = run_issue(issue_setups, args, work)
        if "boards" in only:
            result["boards"] = run_boards(board_setups, args, work)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)  # noqa: S603,S607 - our own temporary folder
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    result["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}",
        "mode": "quick" if args.quick else "full",
        "command": "python bench/run.py" + (" --quick" if args.quick else ""),
        "commit": _commit(),
        "minutes": (time.monotonic() - started) / 60, "load_before": load_before,
        "issue_seconds": args.issue_seconds, "calls": args.calls,
    }
    text = table(result)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"latest-{result['meta']['mode']}.json").write_text(json.dumps(result, indent=2) + "\n",
                                                                         encoding="utf-8")
        doc_section.write_section(DOC, BEGIN, END, text)
        print(f"\nwrote {DOC.relative_to(ROOT)} and bench/results/latest-{result['meta']['mode']}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
