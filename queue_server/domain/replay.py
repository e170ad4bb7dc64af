"""The replay estimator Vuoro uses: when each waiting ticket is called, from the queue as it stands.

A short deterministic replay: every open desk becomes free when its current visitor is expected to leave (the
*remaining* time of a lognormal service that has already lasted this long), then takes the next ticket the way a
desk does (call-next policy: longest wait first over all the desk's services, at most ``priority_ratio``
priority tickets in a row), and stays busy for the service's expected time per call.  A ticket with more errands
rejoins the next queue at its original place when its errand ends; appointments are called at their time,
ahead of the walk-ins; future priority arrivals stretch a normal ticket's wait by the priority load.

What a service takes per call is the per-service model's (:mod:`.service_rate`); this module decides only the
order and times of the calls.  :mod:`.estimate` is where the rest of Vuoro imports both from.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .lognormal import Residual, order_statistics
from .policy import priority_order
from .service_rate import MIN_REMAINING_SHARE, ServiceRate

#: interchangeable desks raced exactly, at most (the soonest to free up; the cost grows with its square)
RACING_DESKS = 8


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket; ``queued_at`` in seconds on any clock shared with ``Snapshot.now``."""

    id: int
    service: str
    priority: bool
    queued_at: float
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Booked:
    """An appointment due at ``due`` (seconds, on ``Snapshot.now``'s clock): a checked-in ticket (its id) or a
    booking not checked in yet (a negative id).  Desks call it at that time, ahead of the walk-ins -- a checked-in
    one earlier when no walk-in waits for the desk (domain/policy.py)."""

    id: int
    service: str
    due: float


@dataclass(frozen=True)
class Desk:
    """A desk as the replay sees it: what it serves, whether it is open, its priority streak, the ticket
    it is busy with and for how long, and when a paused desk is back."""

    key: str
    services: tuple[str, ...]
    open: bool = True
    priority_streak: int = 0
    #: the ticket at the desk: its service, how long it has been there, its later errands and place
    busy_service: str | None = None
    busy_for_s: float = 0.0
    busy_pending: tuple[str, ...] = ()
    busy_queued_at: float = 0.0
    busy_priority: bool = False
    #: a paused desk (open=True): when it is expected back, seconds from now -- a break ends, and a replay
    #: without the desk would let the due appointments starve every walk-in until the day is over
    back_in_s: float = 0.0


@dataclass(frozen=True)
class Snapshot:
    """Everything the replay starts from: the clock, who waits, the desks, each service's rate and the
    appointments still to be called."""

    now: float
    waiting: Sequence[Waiting]
    desks: Sequence[Desk]
    rates: Mapping[str, ServiceRate]
    priority_ratio: int = 2
    #: replay only the first ``horizon`` waiting tickets of each service (None: all of them)
    horizon: int | None = None
    #: today's appointments still to be called (domain/policy.py: called at their time, first)
    booked: Sequence[Booked] = ()


@dataclass
class Prediction:
    """What the replay answers: each waiting ticket's wait, a newcomer's per service, and how much each
    ticket past the horizon adds."""

    #: seconds from now until each waiting ticket (by id) is called
    waits: dict[int, float] = field(default_factory=dict)
    #: seconds until a newcomer (a normal ticket issued now) would be called, per service
    newcomer: dict[str, float] = field(default_factory=dict)
    #: desks (real or stand-in) that serve each service in the replay
    desks: dict[str, int] = field(default_factory=dict)
    #: seconds each further ticket queued beyond the replayed ones adds, per service (to extrapolate past
    #: the horizon: wait(p) = wait(last replayed) + (p - last replayed) * tail_s)
    tail_s: dict[str, float] = field(default_factory=dict)


@dataclass(order=True)
class _Entry:
    queued_at: float  # a queue is served by place within each class (priority / normal)
    id: int
    service: str = field(compare=False)
    priority: bool = field(compare=False)
    pending: tuple[str, ...] = field(compare=False, default=())


def call_order(w: Waiting) -> tuple[bool, float, int]:
    """A waiting ticket's place in its service's queue: priority first, then by place in the queue, then id."""
    return (not w.priority, w.queued_at, w.id)


def predict(snap: Snapshot) -> Prediction:
    """Replay the queue: when is each waiting ticket called, and when would a newcomer be, per service.

    With ``snap.horizon`` set, only the first ``horizon`` tickets of each service (in :func:`call_order`) are
    replayed, so the cost stays bounded however long the queue; ``Prediction.tail_s`` gives the caller the
    seconds each further ticket adds, and ``newcomer`` is left out for the services cut short.
    """
    return _Replay(snap).run()


class _Replay:
    """One replay of a snapshot: desks take tickets by the call-next policy until every ticket is placed."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.rates = snap.rates
        services = set(self.rates)
        desks = [d for d in snap.desks if d.open]
        # A service without an open desk: one stand-in desk, busy for one whole service (the first estimator's rule)
        for s in sorted(services):
            if not any(s in d.services for d in desks):
                desks.append(Desk(key=f"~{s}", services=(s,), busy_service=s))
        self.desks = desks
        self.streaks = [d.priority_streak for d in desks]
        self.out = Prediction(desks={s: sum(1 for d in desks if s in d.services) for s in services})
        self.kept, cut = _within_horizon(snap.waiting, services, snap.horizon)
        # per service and class (priority True / normal False): heaps of the tickets present now
        self.queues: dict[str, dict[bool, list[_Entry]]] = {s: {True: [], False: []} for s in services}
        for w in self.kept:
            self.queues[w.service][w.priority].append(_Entry(w.queued_at, w.id, w.service, w.priority, w.pending))
        for by_class in self.queues.values():
            for q in by_class.values():
                heapq.heapify(q)
        self.later: list[tuple[float, int, _Entry]] = []  # (when it rejoins, tie-break, entry): a later errand
        self.free: list[tuple[float, int]] = []
        self.spread = [0.0] * len(desks)  # the variance of when each desk frees up next (s^2)
        self.call_var: dict[int, float] = {}  # the variance of each replayed ticket's call time
        self.tie = 0
        self.unprobed = services - cut  # a newcomer behind a cut queue is the caller's to extrapolate
        # the replay's clock starts at 0 = snap.now; an appointment is due that many seconds from now
        self.booked = sorted((b.due - snap.now, b.id, b.service) for b in snap.booked if b.service in services)
        self.remaining = len(self.kept) + len(self.booked)
        self.last_call = dict.fromkeys(services, 0.0)

    def run(self) -> Prediction:
        self._start()
        self.remaining += len(self.later)
        guard = 4 * (self.remaining + len(self.desks)) + 100
        while self.free and (self.remaining or self.unprobed) and guard > 0:
            guard -= 1
            t, i = heapq.heappop(self.free)
            while self.later and self.later[0][0] <= t:  # tickets back from an earlier errand rejoin in place
                _, _, entry = heapq.heappop(self.later)
                heapq.heappush(self.queues[entry.service][entry.priority], entry)
            if self._serve_booked(i, t):
                continue
            pick = self._pick(i)
            if pick is None:
                self._idle(i, t)
            else:
                self._serve(i, t, pick)
        return self._finish()

    def _start(self) -> None:
        """When each desk frees up first: its visitor's expected remaining time, or -- for interchangeable
        desks (the same services), which race each other -- the expected order statistics of their residuals,
        the soonest to the desk expected to finish first.  The visitor's next errand joins that queue then."""
        residuals = [self._residual(d) for d in self.desks]
        at = [0.0 if r is None else r.mean() for r in residuals]
        pools: dict[frozenset[str], list[int]] = {}
        for i, d in enumerate(self.desks):
            pools.setdefault(frozenset(d.services), []).append(i)
        for pool in pools.values():
            busy = [i for i in pool if residuals[i] is not None]
            if len(busy) < 2:
                continue  # one busy desk races nobody (the free ones call at once)
            pool = sorted(pool, key=lambda i: (at[i], i))[:RACING_DESKS]
            for i, t in zip(pool, order_statistics([residuals[i] for i in pool]), strict=True):
                at[i] = t
        for i, d in enumerate(self.desks):
            at[i] = max(at[i], d.back_in_s)
            r = residuals[i]
            self.spread[i] = 0.0 if r is None else (r.cv * at[i]) ** 2
            if r is not None and d.busy_pending and d.busy_pending[0] in self.queues:
                self.tie += 1
                heapq.heappush(
                    self.later,
                    (
                        at[i],
                        self.tie,
                        _Entry(d.busy_queued_at, -self.tie, d.busy_pending[0], d.busy_priority, d.busy_pending[1:]),
                    ),
                )
            self.free.append((at[i], i))
        heapq.heapify(self.free)

    def _residual(self, d: Desk) -> Residual | None:
        """What is left of the visit at desk ``d`` (None: the desk is free)."""
        if d.busy_service is None or d.busy_service not in self.rates:
            return None
        r = self.rates[d.busy_service]
        return Residual(r.mean_s, r.cv, d.busy_for_s, MIN_REMAINING_SHARE * r.mean_s)

    def _pick(self, i: int) -> _Entry | None:
        """The ticket desk ``i`` calls next (the call-next policy), or None when nobody waits for it."""
        queues, services = self.queues, self.desks[i].services
        for want in priority_order(self.streaks[i], self.snap.priority_ratio):
            classes = (True, False) if want is None else (want,)
            heads = [queues[s][c][0] for s in services if s in queues for c in classes if queues[s][c]]
            if heads:
                return min(heads)
        return None

    def _serve_booked(self, i: int, t: float, early: bool = False) -> bool:
        """Desk ``i`` calls the earliest appointment of its services that is due at ``t``, if there is one --
        or, ``early`` (nobody else waits for the desk), the earliest checked in: the visitor is there."""
        services = self.desks[i].services
        k = next(
            (k for k, (due, b, s) in enumerate(self.booked) if s in services and (due <= t or (early and b >= 0))), None
        )
        if k is None:
            return False
        due, ticket_id, service = self.booked.pop(k)
        self.remaining -= 1
        rate = self.rates[service]
        if ticket_id >= 0:  # when due, at its time, not before: the spread shortens a wait, not the appointment
            wait = _median(t, self.spread[i])
            self.out.waits[ticket_id] = wait if due > t else max(due, wait)
        self.spread[i] += (rate.cv * rate.mean_s) ** 2
        heapq.heappush(self.free, (t + rate.mean_s, i))
        return True

    def _idle(self, i: int, t: float) -> None:
        """No walk-in waits at desk ``i``: a newcomer would be called now; the desk calls an appointment checked
        in early, or waits for a later errand to return or the next appointment of its services to be due."""
        services = self.desks[i].services
        for s in services:
            if s in self.unprobed:
                self.out.newcomer[s] = _median(t, self.spread[i])
                self.unprobed.discard(s)
        if self._serve_booked(i, t, early=True):
            return
        nxt = min(
            [at for at, _, e in self.later if e.service in services]
            + [due for due, _, s in self.booked if s in services],
            default=None,
        )
        if nxt is not None:
            heapq.heappush(self.free, (max(nxt, t), i))

    def _serve(self, i: int, t: float, pick: _Entry) -> None:
        heapq.heappop(self.queues[pick.service][pick.priority])
        self.remaining -= 1
        self.streaks[i] = self.streaks[i] + 1 if pick.priority else 0
        rate = self.rates[pick.service]
        # the ticket may have been cancelled by then: a desk spends its time on it only if it is still there
        busy = rate.per_call_s * math.exp(-rate.leave_per_s * t)
        if pick.id >= 0:
            self.out.waits[pick.id] = _median(t, self.spread[i])
            self.last_call[pick.service] = max(self.last_call[pick.service], t)
        self.spread[i] += (rate.cv * busy) ** 2
        if pick.pending and pick.pending[0] in self.queues:
            self.tie += 1
            self.remaining += 1
            heapq.heappush(
                self.later,
                (
                    t + rate.mean_s,
                    self.tie,
                    _Entry(pick.queued_at, -self.tie, pick.pending[0], pick.priority, pick.pending[1:]),
                ),
            )
        heapq.heappush(self.free, (t + busy, i))

    def _finish(self) -> Prediction:
        """Priority visitors who arrive meanwhile go ahead of every normal ticket: stretch waits by their load."""
        out, rates = self.out, self.rates
        for w in self.kept:
            if w.id in out.waits and not w.priority:
                out.waits[w.id] = _stretch(out.waits[w.id], rates[w.service], out.desks.get(w.service, 1))
        for s in list(out.newcomer):
            out.newcomer[s] = _stretch(out.newcomer[s], rates[s], out.desks.get(s, 1))
        for s, rate in rates.items():
            # the marginal ticket at the end of the replayed queue: its service, shortened by departures until
            # then and stretched by priority arrivals, shared by the desks that serve the service
            per_call = rate.per_call_s * math.exp(-rate.leave_per_s * self.last_call[s])
            out.tail_s[s] = _stretch(per_call, rate, out.desks.get(s, 1)) / max(1, out.desks.get(s, 1))
        return out


def _within_horizon(
    waiting: Sequence[Waiting], services: set[str], horizon: int | None
) -> tuple[list[Waiting], set[str]]:
    """The tickets to replay (the first ``horizon`` of each service in call order) and the services cut short."""
    mine = [w for w in waiting if w.service in services]
    if horizon is None:
        return mine, set()
    by_service: dict[str, list[Waiting]] = {}
    for w in mine:
        by_service.setdefault(w.service, []).append(w)
    kept: list[Waiting] = []
    cut: set[str] = set()
    for s, ws in by_service.items():
        if len(ws) > horizon:
            cut.add(s)
            ws = heapq.nsmallest(max(0, horizon), ws, key=call_order)
        kept.extend(ws)
    return kept, cut


def _median(mean_s: float, var_s2: float) -> float:
    """The median of a wait with this mean and variance, taken as lognormal (a sum of visits, skewed right).

    The replay adds expected lengths, so it yields a mean; a quoted wait is the median -- as many visitors
    are called sooner as later -- which is also the point with the least mean absolute error.
    """
    if mean_s <= 0 or var_s2 <= 0:
        return mean_s
    return mean_s / math.sqrt(1 + var_s2 / (mean_s * mean_s))


def _stretch(wait_s: float, rate: ServiceRate, desks: int) -> float:
    load = min(0.5, rate.priority_per_s * rate.per_call_s / max(1, desks))
    return wait_s / (1 - load)
