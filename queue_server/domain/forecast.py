"""Wait forecasts from the live model: the replay estimator (estimate.py) run on the model, bounded in size.

The replay covers one *group* of services at a time -- services linked by desks that serve more than one of
them -- because a change in one group cannot move a wait in another.  And it replays only the first
``HORIZON`` waiting tickets of each service exactly; a ticket further back waits as long as the last one
replayed plus one desk-share of a service time per place: the cost of a forecast does not grow with the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from . import estimate
from .queue_model import QueueModel, Topology

#: waiting tickets per service replayed exactly
HORIZON = 60
#: how long a paused desk is expected to stay away: half of a half-hour break, since the model does not keep
#: when the pause began (a break seen at a random moment has half of it left)
PAUSE_LEFT_S = 900.0
_US = 1e6
#: why a forecast gives no estimate (the API's ``estimate_reason``)
EstimateReason = Literal["no_desk_open"]
#: no desk serving the service is open (or busy with a visitor) now
NO_DESK_OPEN: EstimateReason = "no_desk_open"


@dataclass(frozen=True)
class ServiceForecast:
    """A service's queue and its predicted waits, as of ``at_us``.

    ``waits[p - 1]`` is the predicted wait of the ticket at position ``p`` (for the first ``len(waits)``);
    beyond them each place adds ``tail_s``.  ``newcomer_s`` is set when the whole queue was replayed.
    """

    waiting: int
    open_desks: int
    mean_service_s: float
    waits: tuple[int, ...]
    tail_s: float
    newcomer_s: int | None
    at_us: int
    #: some desk serving the service is open or busy now; without one, a wait is the replay's guess at when
    #: somebody will open a desk, and the screens say "no desk open" rather than promise a made-up "40 min"
    staffed: bool = True
    #: checked-in appointments waiting (counted in ``waiting``), and when each is expected to be called (s, by id)
    appointments_waiting: int = 0
    appointment_waits: Mapping[int, int] = field(default_factory=dict)

    @property
    def reason(self) -> EstimateReason | None:
        """Why there is no estimate to show (``NO_DESK_OPEN``), or None when there is one."""
        return None if self.staffed else NO_DESK_OPEN

    def wait_for(self, position: int, now_us: int | None = None) -> int:
        """Seconds until the ticket at ``position`` is called, counted from ``now_us`` (default: the forecast)."""
        if 1 <= position <= len(self.waits):
            wait = float(self.waits[position - 1])
        elif self.newcomer_s is not None:
            wait = self.newcomer_s + max(0, position - len(self.waits) - 1) * self.tail_s
        elif self.waits:
            wait = self.waits[-1] + (position - len(self.waits)) * self.tail_s
        else:
            wait = float(estimate.estimate_wait_s(position, self.open_desks, self.mean_service_s))
        elapsed = 0.0 if now_us is None else max(0.0, (now_us - self.at_us) / _US)
        return max(0, int(round(wait - elapsed)))

    def newcomer_wait(self, now_us: int | None = None) -> int:
        """The wait of a normal walk-in issued now: behind every walk-in waiting (appointments are in the replay)."""
        return self.wait_for(self.waiting - self.appointments_waiting + 1, now_us)

    def appointment_wait(self, ticket_id: int, due_us: int, now_us: int) -> int:
        """Seconds until a checked-in appointment is called: the replay's answer, else its booked time."""
        replayed = self.appointment_waits.get(ticket_id)
        if replayed is None:
            return max(0, (due_us - now_us) // 1_000_000)
        return max(0, int(round(replayed - max(0.0, (now_us - self.at_us) / _US))))


def groups(topology: Topology) -> list[frozenset[str]]:
    """Services linked by shared desks, as disjoint groups (a service no desk serves is a group of its own)."""
    parent = {s: s for s in topology.services}

    def root(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for desk in topology.desks:
        known = [s for s in desk.services if s in parent]
        for other in known[1:]:
            parent[root(other)] = root(known[0])
    out: dict[str, set[str]] = {}
    for s in topology.services:
        out.setdefault(root(s), set()).add(s)
    return [frozenset(g) for g in out.values()]


@dataclass(frozen=True)
class Priors:
    """The configuration's side of a forecast: each service's configured service time and the call policy."""

    service_time_s: Mapping[str, float]
    priority_ratio: int


def rates(model: QueueModel, priors: Priors, services: Iterable[str], now_us: int) -> dict[str, estimate.ServiceRate]:
    """Each service's rate at a desk from the live model's log of today, with the configured service time as prior."""
    out = {}
    for key in services:
        st = model.service_stats(key)
        out[key] = estimate.service_rate(
            st.recent_s(),
            priors.service_time_s[key],
            called=st.called,
            no_shows=st.no_shows,
            priority_last_hour=st.priority_since(now_us - 3_600_000_000),
            left_waiting=st.left_waiting,
            waited_s=st.waited_us / _US,
        )
    return out


def _desks(
    model: QueueModel, group: frozenset[str], now_us: int
) -> tuple[list[estimate.Desk], dict[str, int], set[str]]:
    """The group's desks for the replay, how many are open per service, and the services some desk staffs."""
    desks, open_count, staffed = [], dict.fromkeys(group, 0), set[str]()
    for spec in model.topology.desks:
        if not group.intersection(spec.services):
            continue
        live = model.desks[spec.key]
        busy = model.at_desk(spec.key)
        if live.status == "open":
            for key in spec.services:
                open_count[key] = open_count.get(key, 0) + 1
        if live.status == "open" or busy is not None:
            staffed.update(spec.services)
        started = None
        if busy is not None:
            started = model.stats.called_at.get((busy.id, busy.service), busy.called_at)
        paused = live.status == "paused"
        desks.append(
            estimate.Desk(
                key=spec.key,
                services=spec.services,
                open=live.status == "open" or paused or busy is not None,
                back_in_s=PAUSE_LEFT_S if paused else 0.0,
                priority_streak=live.streak,
                busy_service=busy.service if busy else None,
                busy_for_s=max(0.0, (now_us - started) / _US) if started is not None else 0.0,
                busy_pending=busy.pending if busy else (),
                busy_queued_at=(busy.queued_at - now_us) / _US if busy else 0.0,
                busy_priority=busy.priority if busy else False,
            )
        )
    return desks, open_count, staffed


def forecast_group(
    model: QueueModel, priors: Priors, group: frozenset[str], now_us: int, horizon: int = HORIZON
) -> dict[str, ServiceForecast]:
    """Forecasts for every service of one group, from one bounded replay."""
    service_rates = rates(model, priors, group, now_us)
    desks, open_count, staffed = _desks(model, group, now_us)
    # one ticket past the horizon tells the replay that the queue goes on (it then leaves out the newcomer)
    heads = {key: list(model.waiting_in(key, horizon + 1)) for key in group}
    waiting = [
        estimate.Waiting(t.id, key, t.priority, (t.queued_at - now_us) / _US, t.pending)
        for key, tickets in heads.items()
        for t in tickets
    ]
    booked = _booked(model, group, now_us)
    prediction = estimate.predict(
        estimate.Snapshot(
            now=0.0,
            waiting=waiting,
            desks=desks,
            rates=service_rates,
            priority_ratio=priors.priority_ratio,
            horizon=horizon,
            booked=booked,
        )
    )
    out = {}
    for key in group:
        rate = service_rates[key]
        newcomer = prediction.newcomer.get(key)
        out[key] = ServiceForecast(
            waiting=model.waiting_count(key),
            open_desks=open_count.get(key, 0),
            mean_service_s=rate.mean_s,
            waits=tuple(int(round(prediction.waits.get(t.id, 0.0))) for t in heads[key][:horizon]),
            tail_s=prediction.tail_s.get(key, rate.per_call_s / max(1, prediction.desks.get(key, 1))),
            newcomer_s=int(round(newcomer)) if newcomer is not None else None,
            at_us=now_us,
            staffed=key in staffed,
            appointments_waiting=len(model.appointment_queues.get(key, ())),
            appointment_waits={t.id: int(round(prediction.waits.get(t.id, 0.0))) for t in model.appointments_in(key)},
        )
    return out


def _booked(model: QueueModel, group: frozenset[str], now_us: int) -> list[estimate.Booked]:
    """The group's appointments still to be called: checked in (their ticket ids) and expected (negative ids)."""
    out = [
        estimate.Booked(t.id, key, (t.due - now_us) / _US)
        for key in group
        for t in model.appointments_in(key)
        if t.due is not None
    ]
    out += [
        estimate.Booked(-booking_id, key, (start - now_us) / _US)
        for key in group
        for start, booking_id in model.expected.get(key, ())
    ]
    return out
