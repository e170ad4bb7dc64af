"""How good are the wait estimates?  A deterministic offline evaluation on simulated days.

    python bench/estimates.py                 # simulate, print the table, update docs/performance.md
    python bench/estimates.py --days 2 --no-write
    python bench/estimates.py --csv run.csv   # also score a `vuoro simulate --out run.csv` file
    python bench/estimates.py --scenario appointments   # 30% booked (bench/estimates_appointments.py)

A discrete-event simulation of whole days at the example centre (config.yaml: Iso Omena, nine services, 21
desks): visitors arrive over each service's opening hours (a morning and an afternoon peak), some with a second
errand, some with priority; desks open a little after the service, pause for lunch, some close early; clerks
call the next ticket by Vuoro's own call-next policy (queue_server.domain.policy); service times are lognormal
per service (their true means differ from the configured ``service_time_s``, which the estimators only get as a
prior); some called visitors do not come (the desk waits ~1.5 min), some give up waiting.  Everything is drawn
from one seeded generator per day, so the table is the same on every run.

At every issue the simulation asks each estimator for the new ticket's wait, from what the server would know at
that moment (the waiting tickets, the desks and what they serve, today's finished services), and compares it
with the wait the ticket then really had (issue -> first call).  Tickets never called are left out.

- baseline: queue length ahead x average recent service time / open desks (``estimate.baseline_wait_s``)
- whole rounds: the first Vuoro estimator, ceil(position / open desks) x average (``estimate.estimate_wait_s``)
- vuoro: the replay estimator Vuoro uses now (``estimate.predict``)

A desk at lunch is what the server sees as paused (back in ``forecast.PAUSE_LEFT_S``, not at its real time).
Appointments merged with walk-ins: bench/estimates_appointments.py, on this same day.
"""

from __future__ import annotations

import argparse
import csv
import functools
import heapq
import math
import random
import re
import statistics
import sys
import timeit
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import doc_section  # noqa: E402
from queue_server.config import load_config  # noqa: E402
from queue_server.domain import estimate, forecast, policy  # noqa: E402
from queue_server.domain.estimate import Booked, Snapshot  # noqa: E402  (Day.estimate shadows the module)

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- BEGIN wait-estimate-accuracy (bench/estimates.py) -->", "<!-- END wait-estimate-accuracy -->"
WITHIN_S = 300
SIM_WEEKDAY = 2  # Wednesday: the longest opening hours
PRIORITY_SHARE = 0.05
SECOND_ERRAND_SHARE = 0.08
NO_SHOW_SHARE = 0.06
UTILISATION = 1.15  # arrivals at the peak above what the desks can serve: queues build, then drain
ESTIMATORS = ("baseline", "whole rounds", "vuoro")
SCENARIOS = ("default", "far", "appointments")
#: the far scenario's true service times over the configured ones (see far_factors)
FAR_SHORTER, FAR_LONGER = 1 / 5, 3.0
#: the far scenario's table: tickets by how many services of theirs had finished that day when they were issued
OBSERVED_BUCKETS = ((0, 0), (1, 2), (3, 5), (6, 10), (11, 20), (21, None))
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
    observed: int = 0           # services of its first errand finished today before it was issued
    gone: bool = False          # cancelled or done with all errands
    estimates: dict[str, float] = field(default_factory=dict)
    due: float | None = None    # a checked-in appointment's booked time (bench/estimates_appointments.py)


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


@dataclass(frozen=True)
class Sample:
    """What one measured ticket was: its first errand, how many of those had finished when it was issued, its
    real wait, and its service's true mean over the configured one."""

    service: str
    observed: int
    real_s: float
    true_over_configured: float


@dataclass
class Result:
    name: str
    errors: list[float] = field(default_factory=list)   # estimate - real, seconds
    by_service: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    samples: list[Sample] = field(default_factory=list)  # parallel to errors

    def row(self, errors: Sequence[float] | None = None) -> tuple[int, float, float, float]:
        e = self.errors if errors is None else errors
        if not e:
            return (0, math.nan, math.nan, math.nan)
        return (len(e), statistics.fmean(abs(x) for x in e) / 60,
                sum(1 for x in e if abs(x) <= WITHIN_S) / len(e), statistics.fmean(e) / 60)


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
        self.finished: dict[str, int] = defaultdict(int)     # services finished today (recent keeps the last 50)
        self.priority_issued: dict[str, deque[float]] = {k: deque() for k in self.services}
        self.left: dict[str, int] = defaultdict(int)         # gave up while waiting, today
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
            list(self.recent[key]), self.services[key][0].service_time_s, called=self.called[key],
            no_shows=self.no_shows[key], no_show_s=statistics.fmean(ns) if ns else None,
            priority_last_hour=len(recent_priority), left_waiting=self.left[key], waited_s=self.waited_s[key])

    def estimate(self, new: Ticket, t: float) -> dict[str, float]:
        """Each estimator's wait for the walk-in ``new`` issued at ``t``; its position, as the server shows it,
        counts the appointments already due ahead of it."""
        key = new.service
        waiting = self.waiting(t)
        same = sorted((x for x in waiting if x.service == key and x.due is None),
                      key=lambda x: (not x.priority, x.queued, x.id))
        position = same.index(new) + 1 + sum(1 for x in waiting if x.service == key and x.due is not None
                                             and x.due <= t)
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
            waiting=[estimate.Waiting(x.id, x.service, x.priority, x.queued, tuple(x.pending))
                     for x in waiting if x.due is None],
            booked=[Booked(x.id, x.service, x.due) for x in waiting if x.due is not None] + self.expected(t),
            desks=[estimate.Desk(d.key, d.services, open=d.is_open(t) or d.at_lunch(t) or d.busy is not None,
                                 back_in_s=forecast.PAUSE_LEFT_S if d.at_lunch(t) else 0.0,
                                 priority_streak=d.streak,
                                 busy_service=d.busy.service if d.busy else None,
                                 busy_for_s=t - d.busy_since if d.busy else 0.0,
                                 busy_pending=tuple(d.busy.pending) if d.busy else (),
                                 busy_queued_at=d.busy.queued if d.busy else 0.0,
                                 busy_priority=d.busy.priority if d.busy else False)
                   for d in self.desks],
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
        ticket = Ticket(len(self.tickets) + 1, key, rng.random() < PRIORITY_SHARE, t, t, pending,
                        patience=rng.expovariate(1 / 5400))
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


def simulate(days: int, seed: int, config_path: Path,
             scenario: str = "default") -> tuple[dict[str, Result], int, int]:
    results = {name: Result(name) for name in ESTIMATORS}
    issued = measured = 0
    for i in range(days):
        day = Day(seed + i, config_path, scenario)
        for ticket in day.run():
            issued += 1
            if ticket.first_call is None:
                continue
            measured += 1
            real = ticket.first_call - ticket.issued
            first = ticket.first_service
            ratio = day.true_mean[first] / day.services[first][0].service_time_s
            for name in ESTIMATORS:
                err = ticket.estimates[name] - real
                results[name].errors.append(err)
                results[name].by_service[first].append(err)
                results[name].samples.append(Sample(first, ticket.observed, real, ratio))
    return results, issued, measured


def score_csv(path: Path) -> Result:
    """MAE etc. of a simulator CSV: one row per ticket with its estimate at issue and its real wait."""
    result = Result(f"csv: {path.name}")
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            est = next((row[k] for k in ("estimated_wait_s", "estimate_s", "estimate") if row.get(k)), None)
            real = next((row[k] for k in ("observed_wait_s", "actual_wait_s", "wait_s") if row.get(k)), None)
            if est is None or real is None:
                continue
            result.errors.append(float(est) - float(real))
    return result


def table(results: Sequence[Result]) -> str:
    lines = ["| estimator | tickets | MAE (min) | within ±5 min | bias (min) |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        n, mae, within, bias = r.row()
        lines.append(f"| {r.name} | {n} | {mae:.2f} | {within:.1%} | {bias:+.2f} |")
    return "\n".join(lines)


def _bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}" if lo == hi else f"> {lo - 1}" if hi is None else f"{lo}–{hi}"


def _mae_min(errors: Sequence[float]) -> str:
    return f"{statistics.fmean(abs(x) for x in errors) / 60:.2f}" if errors else "–"


def observed_table(results: dict[str, Result]) -> str:
    """MAE and share within ±5 min by how many of the ticket's services had finished that day when issued."""
    lines = ["| services finished | tickets | mean wait (min) | baseline MAE | vuoro MAE | baseline ±5 min "
             "| vuoro ±5 min | vuoro MAE, 5× shorter | vuoro MAE, 3× longer |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base, vuoro = results["baseline"], results["vuoro"]
    for lo, hi in OBSERVED_BUCKETS:
        idx = [i for i, x in enumerate(vuoro.samples) if x.observed >= lo and (hi is None or x.observed <= hi)]
        if not idx:
            continue
        b = base.row([base.errors[i] for i in idx])
        v = vuoro.row([vuoro.errors[i] for i in idx])
        shorter = [vuoro.errors[i] for i in idx if vuoro.samples[i].true_over_configured < 1]
        longer = [vuoro.errors[i] for i in idx if vuoro.samples[i].true_over_configured > 1]
        wait = statistics.fmean(vuoro.samples[i].real_s for i in idx) / 60
        lines.append(f"| {_bucket_label(lo, hi)} | {len(idx)} | {wait:.1f} | {b[1]:.2f} | {v[1]:.2f} | {b[2]:.1%} "
                     f"| {v[2]:.1%} | {_mae_min(shorter)} | {_mae_min(longer)} |")
    return "\n".join(lines)


def default_text(args: argparse.Namespace) -> str:
    """The accuracy section for the example centre as configured (true means 0.75-1.3x the configured ones)."""
    results, issued, measured = simulate(args.days, args.seed, args.config)
    rows = [results[name] for name in ESTIMATORS] + [score_csv(p) for p in args.csv]
    services = sorted({k for r in results.values() for k in r.by_service})
    per_service = ["| service | tickets | baseline MAE | vuoro MAE | baseline ±5 min | vuoro ±5 min |",
                   "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for k in services:
        b = results["baseline"].row(results["baseline"].by_service[k])
        v = results["vuoro"].row(results["vuoro"].by_service[k])
        per_service.append(f"| {k} | {b[0]} | {b[1]:.2f} | {v[1]:.2f} | {b[2]:.1%} | {v[2]:.1%} |")
    return "\n".join([
        "## Wait-estimate accuracy",
        "",
        f"`python bench/estimates.py` (seed {args.seed}, {args.days} simulated Wednesdays at the example centre "
        f"of config.yaml; {issued} tickets issued, {measured} called and measured).  At each issue every estimator "
        "predicts the new ticket's wait from what the server knows then; the error is estimate − real wait "
        "(issue → first call).  MAE: mean absolute error; within ±5 min: share of tickets whose estimate was "
        "at most 5 minutes off; bias: mean signed error (negative = promised too short).",
        "",
        table(rows),
        "",
        "baseline: queue length ahead × average recent service time / open desks. whole rounds: the first "
        "Vuoro estimator, ceil(position / open desks) × average. vuoro: the replay estimator now used by the "
        "kiosk, the phone page and the boards (queue_server/domain/estimate.py `predict`).",
        "",
        "Per service (the first errand's service):",
        "",
        "\n".join(per_service),
    ])


def far_text(args: argparse.Namespace) -> str:
    """The adaptation scenario: every service's real times far from the configured ones."""
    results, issued, measured = simulate(args.days, args.seed, args.config, "far")
    far = far_factors({s.key: s.service_time_s for s in load_config(args.config).services})
    shorter = ", ".join(sorted(k for k, f in far.items() if f < 1))
    longer = ", ".join(sorted(k for k, f in far.items() if f > 1))
    return "\n".join([
        "### Far from the configured service times",
        "",
        f"`python bench/estimates.py --scenario far` (seed {args.seed}, {args.days} days; {issued} tickets issued, "
        f"{measured} measured).  The same centre, but every service's true mean is far from its configured "
        f"`service_time_s` (±10%): 5× shorter for {shorter} (library's 240 s become about 48 s), 3× longer for "
        f"{longer}.  Arrivals follow the true capacity, so queues are as long as in the table above; no-shows "
        "still keep a desk 1–2 min.  Tickets by how many services of their first errand had finished that day "
        "when they were issued, i.e. how much the estimators had seen:",
        "",
        table([results[name] for name in ESTIMATORS]),
        "",
        observed_table(results),
    ])


def timing(config_path: Path, waiting: int = 5000, horizon: int = 100) -> str:
    """How long one ``predict`` takes at the example centre with ``waiting`` tickets, whole and bounded."""
    cfg = load_config(config_path)
    rng = random.Random(1)
    keys = [s.key for s in cfg.services]
    tickets = [estimate.Waiting(i, rng.choice(keys), rng.random() < PRIORITY_SHARE, -3.0 * i,
                                (rng.choice(keys),) if rng.random() < SECOND_ERRAND_SHARE else ())
               for i in range(waiting, 0, -1)]
    desks = [estimate.Desk(d.key, tuple(d.services), busy_service=d.services[0], busy_for_s=rng.uniform(0, 300))
             for d in cfg.desks]
    rates = {s.key: estimate.service_rate([], s.service_time_s) for s in cfg.services}
    lines = []
    for h in (None, horizon):
        snap = estimate.Snapshot(0.0, tickets, desks, rates, priority_ratio=cfg.priority_ratio, horizon=h)
        number = 5 if h is None else 50
        best = min(timeit.repeat(functools.partial(estimate.predict, snap), number=number, repeat=7)) / number
        lines.append(f"predict, {waiting} waiting, horizon {h}: {best * 1000:.1f} ms "
                     f"({len(estimate.predict(snap).waits)} tickets replayed; best of 7)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=5, help="simulated days per scenario (default 5)")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--scenario", choices=("all", *SCENARIOS), default="all",
                        help="default: the configured times; far: 5x shorter / 3x longer; appointments: 30%% "
                             "booked; all (default): each, and only then is docs/performance.md written")
    parser.add_argument("--csv", type=Path, action="append", default=[],
                        help="also score a simulator CSV (estimated_wait_s and actual_wait_s per ticket)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--timing", action="store_true", help="only time predict at 5,000 waiting (horizon 100)")
    args = parser.parse_args(argv)
    if args.timing:
        print(timing(args.config))
        return 0

    from bench import estimates_appointments  # it builds on this module's Day, so not at the top

    parts, booked = [], ""
    if args.scenario in ("all", "default"):
        parts.append(default_text(args))
    if args.scenario in ("all", "far"):
        parts.append(far_text(args))
    if args.scenario in ("all", "appointments"):
        booked = estimates_appointments.text(args.days, args.seed, args.config)
    print("\n\n".join(x for x in (*parts, booked) if x))
    if args.scenario == "all" and not args.no_write:
        doc_section.write_section(DOC, BEGIN, END, "\n\n".join(parts))
        estimates_appointments.write(booked)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
