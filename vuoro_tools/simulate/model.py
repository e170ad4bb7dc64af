"""A day at a service centre, generated from a seed: who arrives when, for what, and how long they take.

Pure and deterministic (``random.Random(seed)``, no clock, no I/O), so the same seed replays the same day.

- Arrivals follow a public service centre's day: a morning peak around 10:30, a second one after lunch around
  13:30 and a tail into the evening, limited to the hours when at least one service is open.
- A visitor picks among the services open at that moment in proportion to what the desks can serve (each
  desk's time is shared among its services; a service nobody serves gets nobody).  A few come for two errands
  (a second, different service), a few have priority.
- Service times are log-normal around each service's ``service_time_s`` (sigma 0.5: most visits near the
  mean, some much longer); some visitors do not show up when called.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time as dt_time


@dataclass(frozen=True)
class ServiceSpec:
    """A service as the simulation plays it: its key, mean service time and that day's opening hours."""

    key: str
    service_time_s: float = 300.0
    #: opening ranges of the simulated day, seconds since midnight; empty means open all the simulated day
    hours: tuple[tuple[float, float], ...] = ()

    def is_open(self, t: float, day: tuple[float, float]) -> bool:
        """Whether it takes visitors at ``t``: within its hours, or within the simulated ``day`` if it has none."""
        if not self.hours:
            return day[0] <= t < day[1]
        return any(a <= t < b for a, b in self.hours)


@dataclass(frozen=True)
class DeskSpec:
    """A desk as played: the services it calls (those open that day) and its zone, whose board hears its calls."""

    key: str
    services: tuple[str, ...]
    zone: str | None = None


@dataclass(frozen=True)
class Visit:
    """One visitor: when they arrive, their errands and each one's service time, and how they behave."""

    at_s: float  # arrival, seconds since midnight of the simulated day
    services: tuple[str, ...]  # the errands, in order
    service_times_s: tuple[float, ...]
    priority: bool
    language: str
    no_show: bool  # gone by the time the first desk calls


@dataclass(frozen=True)
class DayPlan:
    """The whole day to replay: its span (seconds since midnight), the visits by arrival, and the services
    and desks they were drawn for."""

    start_s: float
    end_s: float
    visits: tuple[Visit, ...]
    services: tuple[ServiceSpec, ...] = field(default=())
    desks: tuple[DeskSpec, ...] = field(default=())

    @property
    def length_s(self) -> float:
        """The day's length in simulated seconds: the runner's time limits are reckoned from it."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Mix:
    """The shares that make a day realistic; the defaults are typical of a Finnish service centre."""

    two_errands: float = 0.08
    priority: float = 0.03
    no_show: float = 0.06
    languages: tuple[tuple[str, float], ...] = (("fi", 0.75), ("sv", 0.08), ("en", 0.17))
    service_time_sigma: float = 0.5


def arrival_intensity(t: float) -> float:
    """Relative arrival rate at ``t`` seconds after midnight: two peaks and an evening tail."""
    h = t / 3600.0
    return (
        0.25
        + math.exp(-(((h - 10.5) / 1.6) ** 2))
        + 0.85 * math.exp(-(((h - 13.5) / 1.9) ** 2))
        + 0.25 * math.exp(-(((h - 17.0) / 2.0) ** 2))
    )


def capacity_weights(services: Sequence[ServiceSpec], desks: Sequence[DeskSpec]) -> dict[str, float]:
    """Visitors per second the desks can serve, per service (a desk's time split evenly among its services)."""
    weights = {s.key: 0.0 for s in services}
    times = {s.key: s.service_time_s for s in services}
    for desk in desks:
        mine = [k for k in desk.services if k in weights]
        for key in mine:
            weights[key] += 1.0 / len(mine) / max(times[key], 1.0)
    return weights


def opening_span(
    services: Sequence[ServiceSpec], default: tuple[float, float] = (8 * 3600, 18 * 3600)
) -> tuple[float, float]:
    """The simulated day: from the first opening to the last closing of ``services``; ``default`` with no hours."""
    ranges = [r for s in services for r in s.hours]
    if not ranges:
        return default
    return min(a for a, _ in ranges), max(b for _, b in ranges)


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw whose mean is ``mean`` (at least a second), with log-scale spread ``sigma``."""
    mu = math.log(max(mean, 1.0)) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def plan_day(
    services: Sequence[ServiceSpec],
    desks: Sequence[DeskSpec],
    visits: int,
    *,
    seed: int = 1,
    mix: Mix | None = None,
    languages: Sequence[str] | None = None,
    span: tuple[float, float] | None = None,
    step_s: float = 60.0,
) -> DayPlan:
    """``visits`` arrivals over the day; services nobody serves (or never open) get none."""
    mix = mix or Mix()
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    day = span or opening_span(services)
    weights = capacity_weights(services, desks)
    langs = [(code, share) for code, share in mix.languages if languages is None or code in languages]
    if not langs:
        langs = [((languages or ["fi"])[0], 1.0)]
    grid, cumulative = _arrival_grid(services, weights, day, step_s)
    if not cumulative or cumulative[-1] <= 0:
        return DayPlan(day[0], day[1], (), tuple(services), tuple(desks))
    day_visits = _Visitors(rng, services, weights, day, mix, langs)
    out = [day_visits.one(grid, cumulative, step_s) for _ in range(visits)]
    out.sort(key=lambda v: v.at_s)
    return DayPlan(day[0], day[1], tuple(out), tuple(services), tuple(desks))


def _arrival_grid(
    services: Sequence[ServiceSpec], weights: dict[str, float], day: tuple[float, float], step_s: float
) -> tuple[list[float], list[float]]:
    """The arrival distribution on a minute grid: the day's profile times what is open at that minute."""
    grid: list[float] = []
    cumulative: list[float] = []
    total = 0.0
    t = day[0]
    while t < day[1]:
        open_weight = sum(weights[s.key] for s in services if s.is_open(t, day))
        total += arrival_intensity(t) * open_weight
        grid.append(t)
        cumulative.append(total)
        t += step_s
    return grid, cumulative


@dataclass
class _Visitors:
    """Draws one visitor after another from the day's random stream (the order of the draws is the replay)."""

    rng: random.Random
    services: Sequence[ServiceSpec]
    weights: dict[str, float]
    day: tuple[float, float]
    mix: Mix
    langs: list[tuple[str, float]]

    def pick(self, candidates: list[ServiceSpec]) -> ServiceSpec:
        return self.rng.choices(candidates, weights=[self.weights[c.key] for c in candidates])[0]

    def open_at(self, at: float) -> list[ServiceSpec]:
        return [s for s in self.services if self.weights[s.key] > 0 and s.is_open(at, self.day)]

    def one(self, grid: list[float], cumulative: list[float], step_s: float) -> Visit:
        rng, mix = self.rng, self.mix
        i = bisect.bisect_left(cumulative, rng.random() * cumulative[-1])
        at = grid[min(i, len(grid) - 1)] + rng.random() * step_s
        open_now = self.open_at(at)
        if not open_now:  # the last fraction of a minute that closed: the minute's start was open
            at = grid[min(i, len(grid) - 1)]
            open_now = self.open_at(at)
        first = self.pick(open_now)
        chosen = [first]
        others = [s for s in open_now if s.key != first.key]
        if others and rng.random() < mix.two_errands:
            chosen.append(self.pick(others))
        return Visit(
            at_s=at,
            services=tuple(s.key for s in chosen),
            service_times_s=tuple(lognormal(rng, s.service_time_s, mix.service_time_sigma) for s in chosen),
            priority=rng.random() < mix.priority,
            language=rng.choices([c for c, _ in self.langs], weights=[w for _, w in self.langs])[0],
            no_show=rng.random() < mix.no_show,
        )


def specs_from_config(config: object, weekday: int) -> tuple[list[ServiceSpec], list[DeskSpec]]:
    """Services (with that weekday's opening hours) and desks from a :class:`queue_server.config.VuoroConfig`."""
    services = []
    for s in config.services:  # type: ignore[attr-defined]
        weekly = config.hours_map[s.key]  # type: ignore[attr-defined]
        if weekly.ranges is None:
            hours: tuple[tuple[float, float], ...] = ()
        else:
            hours = tuple((_seconds(r.start), _seconds(r.end)) for r in weekly.ranges.get(weekday, ()))
            if not hours:
                continue  # closed all that day
        services.append(ServiceSpec(s.key, float(s.service_time_s), hours))
    open_keys = {s.key for s in services}
    desks = [DeskSpec(d.key, tuple(k for k in d.services if k in open_keys), d.zone) for d in config.desks]  # type: ignore[attr-defined]
    return services, [d for d in desks if d.services]


def _seconds(t: dt_time) -> float:
    return t.hour * 3600.0 + t.minute * 60.0 + t.second


def clock_text(t: float) -> str:
    """Seconds since midnight as ``HH:MM:SS`` for the progress bar and the summary."""
    t = max(0.0, t)
    return f"{int(t // 3600) % 24:02d}:{int(t % 3600 // 60):02d}:{int(t % 60):02d}"
