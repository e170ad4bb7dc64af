"""Part 4 (and the per-client half of part 5): calls reaching boards while thousands of phones follow tickets.

Two processes on PostgreSQL + Redis, the database filled beforehand with enough waiting tickets that every
phone follows a waiting ticket of its own (``prefill.py``).  At each level a tenth of the clients are boards
(in the three zones; the Kela boards, spread over both processes, observe the calls) and the rest phones, each
joining ``{"ticket": token}`` on one of the two processes.  Then the four Kela desks call in turn, alternating
between the processes: from the desk's ``POST .../next`` leaving until each Kela board receives ``called``
(lost: not within 10 s), then ``/finish`` and a pause.  Each phone counts the ``ticket`` messages it receives:
its own (and how many of them showed a change -- status, position, estimate or desk -- from what it showed
before: a repeat is a message that changed nothing), and any for another ticket.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import prefill
from bench.cost_curve import ALL_DESKS, CALL_DESKS, SERVICES
from bench.load import pct
from bench.servers import Setup
from vuoro_tools.simulate.http import HttpClient
from vuoro_tools.simulate.sockets import SocketClient, Swarm

ZONES = ["kela", "street", "health"]
DELIVERY_TIMEOUT_S = 10.0


def _view(ticket: dict[str, Any]) -> tuple[Any, ...]:
    desk = ticket.get("desk")
    return (
        ticket.get("status"),
        ticket.get("position"),
        ticket.get("estimated_wait_s"),
        desk.get("key") if isinstance(desk, dict) else desk,
    )


@dataclass
class Phone:
    number: str
    last: tuple[Any, ...] | None = None
    own: int = 0
    changes: int = 0
    foreign: int = 0
    events: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)

    def on_event(self, event: str, data: Any, at: float) -> None:
        self.events[event] += 1
        view = data.get("ticket") if isinstance(data, dict) else None
        if not isinstance(view, dict):
            return
        if event == "snapshot":
            self.last = _view(view)
        elif event == "ticket" and view.get("number") != self.number:
            self.foreign += 1
        elif event == "ticket":
            self.own += 1
            self.times.append(at)
            self.statuses.add(str(view.get("status")))
            if _view(view) != self.last:
                self.changes += 1
                self.last = _view(view)

    def busiest_second(self) -> int:
        best, start = 0, 0
        for end, t in enumerate(self.times):
            while t - self.times[start] > 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


class Level:
    """One level's clients on the swarm: who observes, what each phone saw."""

    def __init__(self, setup: Setup, swarm: Swarm, clients: int, tickets: list[prefill.Waiting]) -> None:
        self.setup, self.swarm = setup, swarm
        n = len(setup.servers)
        self.boards = max(2, clients // 10)
        phones = min(clients - self.boards, len(tickets))
        self.specs: list[tuple[str, dict[str, Any], Any]] = []
        for i in range(self.boards):  # boards 0 and 1 (one per process) watch the Kela zone, then the others
            self.specs.append((setup.servers[i % n].url, {"board": ZONES[(i // 2) % len(ZONES)]}, ("board", i)))
        self.phones = {j: Phone(tickets[j].number) for j in range(phones)}
        for j in range(phones):
            self.specs.append((setup.servers[(self.boards + j) % n].url, {"ticket": tickets[j].token}, ("phone", j)))
        random.Random(clients).shuffle(self.specs)  # boards and phones connect interleaved, as in a real morning
        self.seen: dict[str, dict[int, float]] = {}
        self.connected: list[SocketClient] = []
        self.observers: set[int] = set()

    def on_event(self, client: SocketClient, event: str, data: Any, at: float) -> None:
        kind, i = client.tag
        if kind == "phone":
            self.phones[i].on_event(event, data, at)
        elif event == "called" and isinstance(data, dict):
            self.seen.setdefault(str(data.get("number")), {})[i] = at

    def connect(self, budget_s: float, concurrency: int = 64) -> dict[str, Any]:
        """Connect and join every client, at most ``concurrency`` at a time, giving up after ``budget_s``."""

        async def connect_all() -> tuple[list[SocketClient], Counter[str]]:
            gate = asyncio.Semaphore(concurrency)

            async def one(url: str, join: dict[str, Any], tag: Any) -> SocketClient:
                async with gate:
                    client = self.swarm.client(url, on_event=self.on_event, tag=tag)
                    await client.connect(30)
                    answer = await client.call("join", join, 60)
                    if not (isinstance(answer, dict) and answer.get("ok")):
                        await client.close()
                        raise RuntimeError(f"join refused: {answer}")
                    return client

            tasks = [asyncio.ensure_future(one(*spec)) for spec in self.specs]
            _done, pending = await asyncio.wait(tasks, timeout=budget_s)
            for task in pending:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            failures = Counter(
                type(r).__name__ if not isinstance(r, asyncio.CancelledError) else "over budget"
                for r in results
                if not isinstance(r, SocketClient)
            )
            return [r for r in results if isinstance(r, SocketClient)], failures

        started = time.perf_counter()
        self.connected, failures = self.swarm.run(connect_all(), budget_s + 120)
        self.observers = {c.tag[1] for c in self.connected if c.tag[0] == "board" and (c.tag[1] // 2) % 3 == 0}
        return {
            "connect_s": round(time.perf_counter() - started, 1),
            "connected": len(self.connected),
            "failed_connects": dict(failures),
        }

    def close(self) -> None:
        async def close_all() -> None:
            await asyncio.gather(*(c.close() for c in self.connected), return_exceptions=True)

        self.swarm.run(close_all(), 120)
        self.connected = []

    def phone_stats(self, calls: int, called: set[str]) -> dict[str, Any]:
        """What the connected phones received during ``calls`` calls (``called``: the numbers called then)."""
        connected = {c.tag[1] for c in self.connected if c.tag[0] == "phone"}
        phones = [p for j, p in self.phones.items() if j in connected]
        return {
            "phones": len(phones),
            **_own_messages(phones),
            **_called_told(phones, called),
            **_traffic(phones, calls),
        }


def _own_messages(phones: list[Phone]) -> dict[str, Any]:
    """Messages about a phone's own ticket against the changes they showed: a repeat is a message wasted."""
    over = [p for p in phones if p.own > 2 * p.changes]
    ratios = [p.own / p.changes for p in phones if p.changes]
    return {
        "own_messages": sum(p.own for p in phones),
        "changes_seen": sum(p.changes for p in phones),
        "phones_over_2_per_change": len(over),
        "max_messages_per_change": round(max(ratios), 2) if ratios else None,
        "phones_with_messages": sum(1 for p in phones if p.own),
    }


def _called_told(phones: list[Phone], called: set[str]) -> dict[str, int]:
    """The phones whose ticket was called, and how many of them were told (a view not "waiting")."""
    phones_called = [p for p in phones if p.number in called]
    return {
        "phones_called": len(phones_called),
        "phones_called_told": sum(1 for p in phones_called if p.statuses - {"waiting"}),
    }


def _traffic(phones: list[Phone], calls: int) -> dict[str, Any]:
    """Everything else the phones were sent: other tickets' messages (none may arrive), bursts, all per call."""
    to_phones = sum(sum(p.events.values()) - p.events["snapshot"] for p in phones)
    return {
        "foreign_messages": sum(p.foreign for p in phones),
        "max_messages_in_one_second": max((p.busiest_second() for p in phones), default=0),
        "messages_to_phones_per_call": round(to_phones / calls, 1) if calls else None,
        "event_types_to_phones": dict(sum((p.events for p in phones), Counter())),
    }


def run_level(
    setup: Setup,
    swarm: Swarm,
    clients: int,
    tickets: list[prefill.Waiting],
    idle: list[dict[str, int]],
    *,
    calls: int,
    interval_s: float,
    connect_budget_s: float,
    call_budget_s: float,
    called: set[str],
) -> dict[str, Any]:
    level = Level(setup, swarm, clients, [t for t in tickets if t.number not in called])
    out: dict[str, Any] = {"clients": clients, "boards": level.boards, "phones": len(level.phones)}
    https = [HttpClient(s.url, timeout=60) for s in setup.servers]
    try:
        out.update(level.connect(connect_budget_s))
        time.sleep(1.0)
        memory = [s.memory_kb() for s in setup.servers]
        per_process = len(level.connected) / len(setup.servers)
        latencies: list[float] = []
        lost = failed = made = attempted = 0
        called_now: set[str] = set()
        deadline = time.perf_counter() + call_budget_s
        for k in range(calls):
            if time.perf_counter() > deadline:
                break
            attempted += 1
            desk, http = CALL_DESKS[k % len(CALL_DESKS)], https[k % len(https)]
            sent = time.perf_counter()
            try:
                reply = http.post(f"/api/desks/{desk}/next", token=setup.tokens["desk"])
            except OSError:
                failed += 1
                continue
            if reply.status != 200:
                failed += 1
                continue
            made += 1
            number = reply.body["ticket"]["number"]
            called.add(number)
            called_now.add(number)
            until = time.perf_counter() + DELIVERY_TIMEOUT_S
            while time.perf_counter() < until and not level.observers <= set(level.seen.get(number, {})):
                time.sleep(0.002)
            got = dict(level.seen.get(number, {}))
            latencies += [got[o] - sent for o in level.observers if o in got]
            lost += sum(1 for o in level.observers if o not in got)
            try:
                http.post(f"/api/desks/{desk}/finish", token=setup.tokens["desk"])
            except OSError:
                failed += 1
            time.sleep(interval_s)
        time.sleep(2.0)  # coalesced pushes (at most one a second per phone) have gone out
        out.update(
            {
                "calls": made,
                "failed_calls": failed,
                "calls_cut_by_budget": calls - attempted,
                "observing_boards": len(level.observers),
                "deliveries": len(latencies),
                "lost": lost,
                "p50_ms": round(pct(latencies, 0.5) * 1000, 1),
                "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
                "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
                "memory_kb": memory,
                "kb_per_client": round(
                    sum(
                        (m["worker_rss"] + m["master_rss"]) - (i["worker_rss"] + i["master_rss"])
                        for m, i in zip(memory, idle, strict=True)
                    )
                    / len(memory)
                    / per_process,
                    1,
                )
                if per_process
                else None,
                "phone_stats": level.phone_stats(made, called_now),
            }
        )
    finally:
        level.close()
        for http in https:
            http.close()
    return out


def run(
    work: Path,
    *,
    levels: list[int],
    workers: list[str | None],
    calls: int,
    interval_s: float,
    connect_budget_s: float,
    call_budget_s: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every level with the first worker; the highest level again with each other worker (same database)."""
    top = max(levels)
    runs = [(w, lv) for w in workers[:1] for lv in levels] + [(w, top) for w in workers[1:]]
    threads = top // 2 + 300  # gthread: every open websocket holds a thread
    out: dict[str, Any] = {"setup": "PostgreSQL + Redis, 2 processes", "threads": threads, "levels": []}
    with (
        Setup("fan-out", "postgresql", 2, work / "fanout", threads=threads, worker=workers[0]) as setup,
        Swarm() as swarm,
    ):
        started = time.perf_counter()
        tickets = prefill.fill(setup, int(top * 0.9) + calls * len(runs) + 50, SERVICES)
        out["prefill"] = {"tickets": len(tickets), "seconds": round(time.perf_counter() - started, 1)}
        called: set[str] = set()
        current, idle = workers[0], None
        for worker, clients in runs:
            if worker != current:
                setup.restart_with(worker)
                current, idle = worker, None
            with HttpClient(setup.servers[0].url, timeout=60) as http:
                for desk in ALL_DESKS:
                    http.post(f"/api/desks/{desk}/status", {"status": "open"}, token=setup.tokens["desk"])
            for s in setup.servers:  # warm up: the first requests import lazily loaded code
                with HttpClient(s.url, timeout=60) as http:
                    http.get("/api/services")
            time.sleep(1.0)
            if idle is None:  # the baseline of these processes: after a level, freed memory stays with Python
                idle = [s.memory_kb() for s in setup.servers]
            waiting = prefill.waiting_total(setup)
            try:
                level = run_level(
                    setup,
                    swarm,
                    clients,
                    tickets,
                    idle,
                    calls=calls,
                    interval_s=interval_s,
                    connect_budget_s=connect_budget_s,
                    call_budget_s=call_budget_s,
                    called=called,
                )
            except (OSError, RuntimeError, KeyError, TimeoutError) as exc:  # one level failing keeps the others
                log(f"fan-out {clients} clients ({worker or 'default'}) failed: {type(exc).__name__}: {exc}")
                out["levels"].append(
                    {"clients": clients, "worker": worker or "default", "error": f"{type(exc).__name__}: {exc}"[:200]}
                )
                continue
            level.update(
                worker=worker or "default",
                idle_memory_kb=idle,
                waiting=waiting,
                open_files_limit=[s.open_files_limit() for s in setup.servers],
            )
            out["levels"].append(level)
            log(
                f"fan-out {clients} clients ({level['worker']}): connected {level['connected']} in "
                f"{level['connect_s']} s, p50 {level.get('p50_ms')} ms, p99 {level.get('p99_ms')} ms, "
                f"lost {level.get('lost')}, {level.get('kb_per_client')} kB/client, phones {level.get('phone_stats')}"
            )
        out["double_calls"] = double_calls(setup)
    return out


def double_calls(setup: Setup) -> int | str:
    """Tickets with two ``called`` events in the log (the bench never recalls): must be 0."""
    try:
        with setup.engine.connect() as conn:
            return int(
                conn.scalar(
                    sa.text(
                        "SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_events WHERE "
                        "type = 'called' GROUP BY ticket_id HAVING COUNT(*) > 1) AS d"
                    )
                )
                or 0
            )
    except sa.exc.SQLAlchemyError as exc:
        return str(exc).splitlines()[0][:120]
