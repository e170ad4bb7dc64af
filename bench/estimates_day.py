"""The simulated day of bench/estimates.py: the example centre's visitors, desks and clerks, event by event.

Visitors arrive over each service's opening hours (a morning and an afternoon peak), some with a second errand,
some with priority; desks open a little after the service, pause for lunch, some close early; clerks call the
next ticket by Vuoro's own call-next policy (queue_server.domain.policy); service times are lognormal per
service, their true means off the configured ``service_time_s`` (which the estimators only get as a prior);
some called visitors do not come, some give up waiting.  One seeded generator per day: the same day every run.

At every issue the day asks each estimator for the new ticket's wait from what the server would know then
(``Day.estimate``); bench/estimates_score.py compares that with the wait the ticket then had.  The appointment
scenario (bench/estimates_appointments.py) is a subclass of this day.
"""

from __future__ import annotations

import heapq
import math
import random
import re
import statistics
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from queue_server.config import load_config
from queue_server.domain import estimate, forecast, policy
from queue_server.domain.estimate import Booked, Snapshot  # Day.estimate shadows the module

SIM_WEEKDAY = 2  # Wednesday: the longest opening hours
PRIORITY_SHARE = 0.05
SECOND_ERRAND_SHARE = 0.08
NO_SHOW_SHARE = 0.06
UTILISATION = 1.15  # arrivals at the peak above what the desks can serve: queues build, then drain
#: the far scenario's true service times over the configured ones (see far_factors)
FAR_SHORTER, FAR_LONGER = 1 / 5, 3.0
#: how the simulation schedules an event: push(time, kind, object)
Push = Callable[[float, str, object], None]


@dataclass
class Ticket:
    id: int
    service: str
    priority: bool
    issued: float
    queued: float
    pending: list[str]
    patience: float
    first_call: float | None = None
    first_service: str = ""
    observed: int = 0  # services of its first errand finished today before it was issued
    gone: bool = False  # cancelled or done with all errands
    estimates: dict[str, float] = field(default_factory=dict)
    due: float | None = None  # a checked-in appointment's booked time (bench/estimates_appointments.py)


@dataclass
class DeskState:
    key: str
    services: tuple[str, ...]
    opens: float
    closes: float
    lunch: tuple[float, float]
    streak: int = 0
    busy: Ticket | None = None
    busy_since: float = 0.0
    busy_until: float = 0.0
    busy_no_show: bool = False  # the called visitor does not come: the desk waits, then marks a no-show

    def is_open(self, t: float) -> bool:
        return self.opens <= t < self.closes and not self.at_lunch(t)

    def at_lunch(self, t: float) -> bool:
        """Paused for lunch: the server sees a paused desk, not when it will be back."""
        return self.lunch[0] <= t < self.lunch[1]


def _hours(spec: dict[str, str | list[str]] | None) -> tuple[float, float] | None:
    if spec is None:
        return (8 * 3600.0, 20 * 3600.0)
    value = spec.get(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[SIM_WEEKDAY])
    if value is None:
        return None
    text = value if isinstance(value, str) else value[0]
    a, b = (int(x) * 3600 + int(y) * 60 for x, y in re.findall(r"(\d\d):(\d\d)", text))
    return (float(a), float(b))


def _profile(t: float, start: float, end: float) -> float:
    """Relative arrival intensity over the day: a morning and an early-afternoon peak, quiet at the edges."""
    h = t / 3600
    peak = math.exp(-((h - 10.5) ** 2) / 2) + 0.8 * math.exp(-((h - 14.5) ** 2) / 2.5) + 0.35
    ramp = min(1.0, (t - start) / 1800, (end - t) / 1800)
    return peak * max(0.0, ramp)


class Day:
    """One simulated day; ``run`` returns the tickets with their estimates and real first-call times."""

    def __init__(self, seed: int, config_path: Path, scenario: str = "default") -> None:
        self.cfg = load_config(config_path)
        self.rng = random.Random(seed)
        self.services = {}
        for s in self.cfg.services:
            hours = _hours(s.hours)
            if hours is not None:
                self.services[s.key] = (s, hours)
        rng = self.rng
        configured = {k: s.service_time_s for k, (s, _) in self.services.items()}
        if scenario == "far":
            far = far_factors(configured)
            self.true_mean = {k: v * far[k] * rng.uniform(0.9, 1.1) for k, v in configured.items()}
        else:
            self.true_mean = {k: v * rng.uniform(0.75, 1.3) for k, v in configured.items()}
        self.desks: list[DeskState] = []
        for d in self.cfg.desks:
            served = tuple(k for k in d.services if k in self.services)
            if not served:
                continue
            start = min(self.services[k][1][0] for k in served)
            end = max(self.services[k][1][1] for k in served)
            opens = start + rng.uniform(0, 1200) if rng.random() < 0.6 else start
            closes = end - (rng.uniform(3600, 7200) if rng.random() < 0.25 else 0)
            lunch_at = rng.uniform(11 * 3600, 13 * 3600)
            self.desks.append(DeskState(d.key, served, opens, closes, (lunch_at, lunch_at + 1800)))
        self.tickets: list[Ticket] = []
        self.live: dict[int, Ticket] = {}  # the tickets not gone, by id, in the order they were issued
        self.recent: dict[str, deque[float]] = {k: deque(maxlen=50) for k in self.services}
        self.called: dict[str, int] = defaultdict(int)
        self.no_shows: dict[str, int] = defaultdict(int)
        self.no_show_time: dict[str, list[float]] = defaultdict(list)
        self.finished: dict[str, int] = defaultdict(int)  # services finished today (recent keeps the last 50)
        self.priority_issued: dict[str, deque[float]] = {k: deque() for k in self.services}
        self.left: dict[str, int] = defaultdict(int)  # gave up while waiting, today
        self.waited_s: dict[str, float] = defaultdict(float)  # time waited by tickets called or gone, today

    # -- arrivals ------------------------------------------------------------------------------------------------
    def arrivals(self) -> list[tuple[float, str]]:
        out = []
        for key, (_s, (start, end)) in self.services.items():
            desks = sum(1 / len(d.services) for d in self.desks if key in d.services)
            hours = (end - start) / 3600
            capacity_per_h = desks * 3600 / self.true_mean[key] * (1 - 0.5 / max(hours, 1))  # lunch etc.
            peak_rate = UTILISATION * capacity_per_h / 3600 / 1.15  # thinning below the profile's peak
            t = start
            while True:
                t += self.rng.expovariate(peak_rate * 1.6)
                if t >= end - 300:
                    break
                if self.rng.random() < _profile(t, start, end) / 1.6:
                    out.append((t, key))
        return sorted(out)

    def service_time(self, key: str) -> float:
        m, cv = self.true_mean[key], 0.6
        s2 = math.log(1 + cv * cv)
        return self.rng.lognormvariate(math.log(m) - s2 / 2, math.sqrt(s2))

    # -- what the server knows ---------------------------------------------------------------------------------
    def waiting(self, t: float) -> list[Ticket]:
        """The tickets in a queue at ``t`` (issued, not gone, not at a desk), in the order they were issued."""
        at_desk = self._at_desk()
        return [x for x in self.live.values() if x.queued <= t and x.id not in at_desk]

    def _at_desk(self) -> set[int]:
        return {d.busy.id for d in self.desks if d.busy is not None}

    def _gone(self, ticket: Ticket) -> None:
        ticket.gone = True
        self.live.pop(ticket.id, None)

    def rate(self, key: str, t: float) -> estimate.ServiceRate:
        """The same derivation the server makes from its event log (``estimate.service_rate``)."""
        ns = self.no_show_time[key]
        recent_priority = self.priority_issued[key]
        while recent_priority and recent_priority[0] < t - 3600:
            recent_priority.popleft()
        return estimate.service_rate(
            list(self.recent[key]),
            self.services[key][0].service_time_s,
            called=self.called[key],
            no_shows=self.no_shows[key],
            no_show_s=statistics.fmean(ns) if ns else None,
            priority_last_hour=len(recent_priority),
            left_waiting=self.left[key],
            waited_s=self.waited_s[key],
        )

    def estimate(self, new: Ticket, t: float) -> dict[str, float]:
        """Each estimator's wait for the walk-in ``new`` issued at ``t``; its position, as the server shows it,
        counts the appointments already due ahead of it."""
        key = new.service
        waiting = self.waiting(t)
        same = sorted(
            (x for x in waiting if x.service == key and x.due is None), key=lambda x: (not x.priority, x.queued, x.id)
        )
        position = (
            same.index(new) + 1 + sum(1 for x in waiting if x.service == key and x.due is not None and x.due <= t)
        )
        open_desks = sum(1 for d in self.desks if key in d.services and d.is_open(t))
        mean = estimate.mean_service_time(list(self.recent[key]), self.services[key][0].service_time_s)
        return {
            "baseline": estimate.baseline_wait_s(position, open_desks, mean),
            "whole rounds": estimate.estimate_wait_s(position, open_desks, mean),
            "vuoro": estimate.predict(self.snapshot(t, waiting)).waits.get(new.id, math.nan),
        }

    def expected(self, t: float) -> list[Booked]:
        """Today's appointments not checked in yet that may still come at ``t`` (none without appointments)."""
        return []

    def snapshot(self, t: float, waiting: Sequence[Ticket]) -> Snapshot:
        """What the server knows at ``t``: walk-ins waiting, appointments checked in or expected, the desks."""
        return Snapshot(
            now=t,
            waiting=[
                estimate.Waiting(x.id, x.service, x.priority, x.queued, tuple(x.pending))
                for x in waiting
                if x.due is None
            ],
            booked=[Booked(x.id, x.service, x.due) for x in waiting if x.due is not None] + self.expected(t),
            desks=[
                estimate.Desk(
                    d.key,
                    d.services,
                    open=d.is_open(t) or d.at_lunch(t) or d.busy is not None,
                    back_in_s=forecast.PAUSE_LEFT_S if d.at_lunch(t) else 0.0,
                    priority_streak=d.streak,
                    busy_service=d.busy.service if d.busy else None,
                    busy_for_s=t - d.busy_since if d.busy else 0.0,
                    busy_pending=tuple(d.busy.pending) if d.busy else (),
                    busy_queued_at=d.busy.queued if d.busy else 0.0,
                    busy_priority=d.busy.priority if d.busy else False,
                )
                for d in self.desks
            ],
            rates={k: self.rate(k, t) for k in self.services},
            priority_ratio=self.cfg.priority_ratio,
        )

    # -- the day -------------------------------------------------------------------------------------------------
    def run(self) -> list[Ticket]:
        events: list[tuple[float, int, str, object]] = []
        seq = 0

        def push(t: float, kind: str, obj: object) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(events, (t, seq, kind, obj))

        self.schedule(push)
        while events:
            t, _, kind, obj = heapq.heappop(events)
            self.handle(t, kind, obj, push)
        return self.tickets

    def schedule(self, push: Push) -> None:
        """The day's fixed events: the arrivals, and each desk opening, coming back from lunch and closing."""
        for t, key in self.arrivals():
            push(t, "arrive", key)
        for d in self.desks:
            for t in (d.opens, d.lunch[1], d.closes):
                push(t, "desk", d)

    def handle(self, t: float, kind: str, obj: object, push: Push) -> None:
        """One event: a walk-in arrives, gives up, a desk finishes a visit, opens, comes back or closes."""
        if kind == "arrive":
            self._arrive(t, str(obj), push)
        elif kind == "give_up":
            assert isinstance(obj, Ticket)
            self._give_up(obj, t)
            return
        elif kind == "done":
            assert isinstance(obj, DeskState)
            self._finish(obj, t)
        self._dispatch(t, push)

    def _arrive(self, t: float, key: str, push: Push) -> None:
        rng = self.rng
        others = [k for k, (_, (a, b)) in self.services.items() if k != key and a <= t < b - 3600]
        pending = [rng.choice(others)] if others and rng.random() < SECOND_ERRAND_SHARE else []
        ticket = Ticket(
            len(self.tickets) + 1, key, rng.random() < PRIORITY_SHARE, t, t, pending, patience=rng.expovariate(1 / 5400)
        )
        if ticket.priority:
            self.priority_issued[key].append(t)
        self.tickets.append(ticket)
        self.live[ticket.id] = ticket
        ticket.estimates = self.estimate(ticket, t)
        ticket.first_service, ticket.observed = key, self.finished[key]
        push(t + ticket.patience, "give_up", ticket)

    def _give_up(self, ticket: Ticket, t: float) -> None:
        if ticket.first_call is None and not ticket.gone and ticket.id not in self._at_desk():
            self._gone(ticket)
            self.left[ticket.service] += 1
            self.waited_s[ticket.service] += t - ticket.queued

    def _finish(self, desk: DeskState, t: float) -> None:
        """The desk is done with its visitor: only now does the server learn how long it took (or the no-show)."""
        ticket = desk.busy
        assert ticket is not None
        desk.busy = None
        key, duration = ticket.service, t - desk.busy_since
        if desk.busy_no_show:
            self.no_shows[key] += 1
            self.no_show_time[key].append(duration)
        else:
            self.recent[key].append(duration)
            self.finished[key] += 1
        if ticket.pending and not ticket.gone:
            ticket.service, ticket.pending = ticket.pending[0], ticket.pending[1:]
        else:
            self._gone(ticket)

    def _dispatch(self, t: float, push: Push) -> None:
        for d in self.desks:
            if d.busy is not None or not d.is_open(t):
                continue
            waiting = [x for x in self.waiting(t) if x.service in d.services]
            if not waiting:
                continue
            # the policy compares times only, so the simulation's seconds stand in for its datetimes
            cands = [policy.Candidate(x.id, x.priority, x.queued, x.due) for x in waiting]  # type: ignore[arg-type]
            chosen = policy.choose(cands, d.streak, self.cfg.priority_ratio, now=t)  # type: ignore[arg-type]
            assert chosen is not None
            ticket = next(x for x in waiting if x.id == chosen.ticket_id)
            d.streak = policy.next_streak(d.streak, ticket.priority, appointment=ticket.due is not None)
            if ticket.first_call is None:
                ticket.first_call = t
            key = ticket.service
            self.waited_s[key] += t - ticket.queued
            self.called[key] += 1
            d.busy, d.busy_since = ticket, t
            d.busy_no_show = self.rng.random() < NO_SHOW_SHARE
            if d.busy_no_show:
                duration = self.rng.uniform(60, 120)
                ticket.pending = []
            else:
                duration = self.service_time(key)
            d.busy_until = t + duration
            push(t + duration, "done", d)


def far_factors(configured_s: Mapping[str, float]) -> dict[str, float]:
    """The far scenario's true mean over the configured one: by configured length, alternately 5x shorter and
    3x longer, so short and long, shared and single-service desks all meet a wrong prior (and the shortest
    services come down to under a minute)."""
    ordered = sorted(configured_s, key=lambda k: (configured_s[k], k))
    return {k: FAR_SHORTER if i % 2 == 0 else FAR_LONGER for i, k in enumerate(ordered)}
