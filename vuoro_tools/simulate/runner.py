"""Replays a :class:`~vuoro_tools.simulate.model.DayPlan` against a running server, through its public API.

- kiosks: a scheduler thread hands each arrival, when it is due, to a thread pool that ``POST /api/tickets``;
- desks: every desk opens before the first arrival; then one thread per desk calls ``next``, waits for a
  no-show or serves (``start``, the visit's service time, ``finish``; a second errand goes back to the queue by
  itself), and polls while nobody waits;
- screens: one Socket.IO board per zone records when each call reaches it, and a share of visitors follow
  their ticket on a "phone" (a Socket.IO client in the ticket's room).

Time runs ``speed`` times faster than the wall clock; waits are reported in simulated seconds (and, in the CSV,
in real seconds too).  Everything is bounded: the run stops when every ticket is finished, or when the drain
time after closing or ``max_wall_s`` runs out.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .http import HttpClient, Reply
from .model import DayPlan, DeskSpec, Visit, clock_text
from .sockets import SocketClient, Swarm
from .summary import FINAL, Summary, TicketRecord, write_csv

log = logging.getLogger(__name__)

#: simulated seconds: how long a desk waits for a called visitor before marking a no-show
NO_SHOW_GRACE_S = 90.0
#: simulated seconds between two ``next`` of an idle desk (clamped to 0.05-2 s of real time)
IDLE_POLL_S = 20.0


class Simulation:
    """One replay of a day against a server: the kiosks', desks' and screens' threads, and what they recorded."""

    def __init__(
        self,
        base_url: str,
        plan: DayPlan,
        *,
        kiosk_token: str,
        desk_token: str,
        speed: float,
        kiosk: str | None = None,
        workers: int = 8,
        phones: float = 0.0,
        progress: bool = True,
        max_wall_s: float | None = None,
        drain_s: float = 4 * 3600.0,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.url = base_url.rstrip("/")
        self.plan = plan
        self.kiosk_token, self.desk_token = kiosk_token, desk_token
        self.speed = speed
        self.kiosk = kiosk
        self.workers = workers
        self.phones = phones
        self.progress = progress
        self.max_wall_s = max_wall_s if max_wall_s is not None else plan.length_s / speed * 1.5 + 120
        self.drain_s = drain_s
        self.http = HttpClient(self.url, timeout=30)
        self.tickets: dict[str, TicketRecord] = {}
        self.refused: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.board_delays: list[float] = []
        self._early_calls: dict[str, float] = {}  # on a board before the kiosk thread noted the ticket
        self.phone_count = 0
        self.phone_events = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._issuing_done = threading.Event()
        self._t0 = 0.0
        self._swarm: Swarm | None = None
        self._bar: Any = None

    # -- time ------------------------------------------------------------------------------------------
    def sim_now(self) -> float:
        """Simulated seconds since midnight: the wall time since the day began, run ``speed`` times faster."""
        return self.plan.start_s + (time.monotonic() - self._t0) * self.speed

    def _sleep_sim(self, seconds: float, *, low: float = 0.0, high: float = 3600.0) -> bool:
        """Sleep ``seconds`` of simulated time; False when the run is stopping."""
        return not self._stop.wait(min(high, max(low, seconds / self.speed)))

    # -- the run ---------------------------------------------------------------------------------------
    def run(self) -> Summary:
        """Play the whole day (boards on, desks open, then the arrivals as they fall due) and summarise it; bounded
        by ``max_wall_s`` and the drain time after closing."""
        deadline = time.monotonic() + self.max_wall_s
        self._swarm = Swarm()
        try:
            self._connect_boards()
            self._open_desks()
            self._t0 = time.monotonic()  # the day starts with the boards on and the desks open
            self._bar = tqdm(
                total=len(self.plan.visits), unit="visit", disable=not self.progress, smoothing=0.1, dynamic_ncols=True
            )
            desks = [
                threading.Thread(target=self._desk_loop, args=(d,), name=f"desk-{d.key}", daemon=True)
                for d in self.plan.desks
            ]
            for t in desks:
                t.start()
            with ThreadPoolExecutor(self.workers, thread_name_prefix="kiosk") as pool:
                for visit in self.plan.visits:
                    due = self._t0 + (visit.at_s - self.plan.start_s) / self.speed
                    if self._stop.wait(max(0.0, due - time.monotonic())) or time.monotonic() > deadline:
                        break
                    pool.submit(self._issue, visit)
            self._issuing_done.set()
            end_of_drain = self._t0 + (self.plan.length_s + self.drain_s) / self.speed
            while not self._stop.is_set():
                if self._all_final() or time.monotonic() > min(deadline, end_of_drain):
                    break
                self._refresh_bar()
                self._stop.wait(0.2)
            self._stop.set()
            for t in desks:
                t.join(35)
            self._refresh_bar()
            self._bar.close()
        finally:
            self._stop.set()
            self._swarm.stop()
            self.http.close()
        return self.summary(time.monotonic() - self._t0)

    def _all_final(self) -> bool:
        with self._lock:
            return all(r.outcome in FINAL for r in self.tickets.values())

    def _refresh_bar(self) -> None:
        if self._bar is None:
            return
        with self._lock:
            waiting = sum(1 for r in self.tickets.values() if r.outcome == "waiting")
            served = sum(1 for r in self.tickets.values() if r.outcome == "served")
        self._bar.set_description(f"{clock_text(self.sim_now())}", refresh=False)
        self._bar.set_postfix(waiting=waiting, served=served, errors=sum(self.errors.values()), refresh=True)

    # -- kiosks ----------------------------------------------------------------------------------------
    def _issue(self, visit: Visit) -> None:
        body: dict[str, Any] = {
            "services": list(visit.services),
            "language": visit.language,
            "priority": visit.priority,
        }
        if self.kiosk:
            body["kiosk"] = self.kiosk
        try:
            reply = self.http.post("/api/tickets", body, token=self.kiosk_token)
        except Exception as exc:  # noqa: BLE001 - a network error is a result to count, not a crash
            self._error(f"issue {type(exc).__name__}")
        else:
            if reply.status == 201:
                ticket = reply.body["ticket"]
                record = TicketRecord(
                    ticket["number"],
                    ticket["token"],
                    visit,
                    self.sim_now(),
                    time.perf_counter(),
                    ticket.get("estimated_wait_s"),
                )
                with self._lock:
                    record.board_real = self._early_calls.pop(record.number, None)
                    self.tickets[record.number] = record
                if self.phones and _sampled(record.number, self.phones):
                    self._follow(record)
            elif reply.status in (409, 429):
                with self._lock:
                    self.refused[reply.error_code or str(reply.status)] += 1
            else:
                self._error(f"issue {reply.status} {reply.error_code or ''}".strip())
        if self._bar is not None:
            self._bar.update(1)

    # -- desks -----------------------------------------------------------------------------------------
    def _desk_loop(self, desk: DeskSpec) -> None:
        while not self._stop.is_set():
            try:
                if not self._desk_turn(desk):
                    self._sleep_sim(IDLE_POLL_S, low=0.05, high=2.0)
            except Exception as exc:  # noqa: BLE001 - keep the desk going; the summary counts it
                self._error(f"desk {type(exc).__name__}")
                self._stop.wait(0.5)

    def _open_desks(self) -> None:
        """Every desk opens before the doors do, so the first visitors are told a wait, as on a real morning."""
        for desk in self.plan.desks:
            try:
                reply = self.http.post(f"/api/desks/{desk.key}/status", {"status": "open"}, token=self.desk_token)
            except Exception as exc:  # noqa: BLE001 - the desk still opens with its first call
                self._error(f"open {type(exc).__name__}")
            else:
                self._check(reply, "open")

    def _desk_post(self, desk: DeskSpec, action: str) -> Reply:
        return self.http.post(f"/api/desks/{desk.key}/{action}", token=self.desk_token)

    def _desk_turn(self, desk: DeskSpec) -> bool:
        """One call at ``desk``; False when nobody waited (the caller idles)."""
        sent = time.perf_counter()
        reply = self._desk_post(desk, "next")
        if reply.status == 204:
            return False
        if reply.status == 409 and reply.error_code == "desk_busy":  # a ticket left at the desk by an earlier run
            self._desk_post(desk, "finish")
            return True
        if reply.status != 200:
            self._error(f"next {reply.status} {reply.error_code or ''}".strip())
            return False
        now = time.perf_counter()
        number = reply.body["ticket"]["number"]
        record = self._record(number)
        with self._lock:
            if record is not None and record.called_real is None:
                record.called_real, record.call_sent, record.desk = now, sent, desk.key
                if record.board_real is not None:  # the board heard of it before the desk had its answer
                    self.board_delays.append(max(0.0, record.board_real - sent))
        visit = record.visit if record else None
        errand = record.errand if record else 0
        if visit is not None and visit.no_show and errand == 0:
            if not self._sleep_sim(NO_SHOW_GRACE_S, high=30.0):
                return True
            self._check(self._desk_post(desk, "no-show"), "no-show")
            self._set_outcome(record, "no_show")
            return True
        self._check(self._desk_post(desk, "start"), "start")
        service_time = visit.service_times_s[min(errand, len(visit.service_times_s) - 1)] if visit else 300.0
        self._sleep_sim(service_time, high=30.0)
        done = self._desk_post(desk, "finish")
        if self._check(done, "finish"):
            status = done.body["ticket"]["status"]
            if status == "waiting" and record is not None:  # the visit's next errand
                with self._lock:
                    record.errand += 1
            else:
                self._set_outcome(record, "served")
        return True

    def _record(self, number: str) -> TicketRecord | None:
        """The ticket's record; at high speed a desk may call a number before its kiosk thread has noted it."""
        for _ in range(50):
            with self._lock:
                record = self.tickets.get(number)
            if record is not None or self._stop.is_set():
                return record
            time.sleep(0.02)
        return None  # not issued by this run (left from an earlier one): served with a default time

    def _check(self, reply: Reply, what: str) -> bool:
        if 200 <= reply.status < 300:
            return True
        self._error(f"{what} {reply.status} {reply.error_code or ''}".strip())
        return False

    def _set_outcome(self, record: TicketRecord | None, outcome: str) -> None:
        if record is not None:
            with self._lock:
                record.outcome = outcome

    def _error(self, kind: str) -> None:
        with self._lock:
            self.errors[kind] += 1

    # -- screens ---------------------------------------------------------------------------------------
    def _connect_boards(self) -> None:
        zones = sorted({d.zone for d in self.plan.desks if d.zone})
        if not zones or self._swarm is None:
            return

        def on_board(_client: SocketClient, event: str, data: Any, at: float) -> None:
            if event != "called" or not isinstance(data, dict) or data.get("recall"):
                return
            with self._lock:
                number = str(data.get("number"))
                record = self.tickets.get(number)
                if record is None and number not in self._early_calls and len(self._early_calls) < 10_000:
                    self._early_calls[number] = at
                if record is not None and record.board_real is None:
                    record.board_real = at
                    if record.call_sent is not None:
                        self.board_delays.append(max(0.0, at - record.call_sent))

        try:
            self._swarm.connect_many([(self.url, {"board": z}, None, z) for z in zones], on_event=on_board)
        except Exception as exc:  # noqa: BLE001 - the simulation still runs without boards
            log.warning("could not connect the boards: %s", exc)
            self._error("board connect")

    def _follow(self, record: TicketRecord) -> None:
        """A visitor who follows their ticket on the phone page (joins the ticket's room)."""
        assert self._swarm is not None

        def on_phone(_client: SocketClient, event: str, _data: Any, _at: float) -> None:
            with self._lock:
                self.phone_events += 1

        future = self._swarm.start_connect(
            [(self.url, {"ticket": record.token}, None, record.number)], on_event=on_phone
        )

        def done(f: Any) -> None:
            if f.exception() is not None:
                self._error("phone connect")
            else:
                with self._lock:
                    self.phone_count += 1

        future.add_done_callback(done)

    # -- results ---------------------------------------------------------------------------------------
    def summary(self, wall_s: float) -> Summary:
        """The figures of the tickets recorded so far, with ``wall_s`` the real seconds the run took."""
        with self._lock:
            return Summary.of(
                list(self.tickets.values()),
                visits=len(self.plan.visits),
                speed=self.speed,
                wall_s=wall_s,
                refused=self.refused,
                errors=self.errors,
                board_delays_s=self.board_delays,
                phones=self.phone_count,
                phone_events=self.phone_events,
            )

    def write_csv(self, path: Path) -> int:
        """One row per ticket: the estimate shown at issue and the wait that followed (simulated and real)."""
        with self._lock:
            records = list(self.tickets.values())
        return write_csv(records, path, self.speed)


def _sampled(number: str, share: float) -> bool:
    """A stable pseudo-random choice of ``share`` of the tickets (by number, so a rerun picks the same)."""
    return (zlib.crc32(number.encode()) % 10_000) < share * 10_000
