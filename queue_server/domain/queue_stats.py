"""What the wait estimator learns from a day, kept current event by event (pure; see queue_model.py).

Per service: the most recent service durations (first call -> finish), how many calls and no-shows there were,
how long called and departed visitors had waited, how many left while waiting, and when priority tickets were
issued.  The same ``learn`` runs for a change record applied live and for today's events replayed at a rebuild,
and every quantity is an integer of microseconds or a count, so both derivations give equal results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sortedcontainers import SortedList

#: service durations kept per service: the newest ones, by finish time
RECENT_DURATIONS = 50
#: priority issue times kept per service (the estimator looks at the last hour)
PRIORITY_TIMES = 256
HOUR_US = 3_600_000_000
_ENDS_ERRAND = frozenset({"finished", "next_errand", "no_show", "cancelled", "transferred", "returned", "expired"})


@dataclass
class ServiceStats:
    """One service's day as the estimator learns it: recent durations, calls, no-shows, visitors who
    left, time waited and priority issues, all integers so a rebuild gives the same figures."""

    #: (finished at, ticket id, duration) of the newest finished errands, oldest first
    durations: SortedList = field(default_factory=SortedList)
    called: int = 0
    no_shows: int = 0
    left_waiting: int = 0
    #: microseconds waited by every called visitor and by those who left while waiting
    waited_us: int = 0
    priority_issued: SortedList = field(default_factory=SortedList)

    def recent_s(self) -> list[float]:
        """Recent service durations in seconds, newest first."""
        return [d / 1e6 for _, _, d in reversed(self.durations)]

    def priority_since(self, since_us: int) -> int:
        """How many priority tickets were issued since ``since_us``: a bisection, O(log n)."""
        return len(self.priority_issued) - int(self.priority_issued.bisect_left(since_us))

    def state(self) -> tuple[Any, ...]:
        """The figures as plain data, for comparing a model kept live with one rebuilt."""
        return (
            list(self.durations),
            self.called,
            self.no_shows,
            self.left_waiting,
            self.waited_us,
            list(self.priority_issued),
        )


@dataclass
class StatsBook:
    """Every service's :class:`ServiceStats`, and when each errand now at a desk was first called (the
    start of its service time)."""

    by_service: dict[str, ServiceStats] = field(default_factory=dict)
    #: (ticket id, service) -> when that errand was first called: the start of its service time
    called_at: dict[tuple[int, str], int] = field(default_factory=dict)

    def of(self, service: str) -> ServiceStats:
        """``service``'s statistics, created empty the first time it is asked for."""
        stats = self.by_service.get(service)
        if stats is None:
            stats = self.by_service[service] = ServiceStats()
        return stats

    def learn(self, event: Mapping[str, Any]) -> None:
        """One event: ``{"ticket", "type", "from", "service", "at", "queued_at", "priority"}`` (times in us)."""
        kind, service, at = event["type"], event["service"], int(event["at"])
        ticket = int(event["ticket"])
        stats = self.of(service)
        if kind == "called":
            stats.called += 1
            stats.waited_us += max(0, at - int(event["queued_at"]))
            self.called_at[(ticket, service)] = at
            return
        if kind == "issued":
            if event.get("priority"):
                stats.priority_issued.add(at)
                if len(stats.priority_issued) > PRIORITY_TIMES:
                    stats.priority_issued.pop(0)
            return
        if kind == "no_show_undone":  # the no-show was a mistake: it no longer counts as one
            stats.no_shows = max(0, stats.no_shows - 1)
            return
        if kind == "no_show":
            stats.no_shows += 1
        elif kind == "cancelled" and event.get("from") == "waiting":
            stats.left_waiting += 1
            stats.waited_us += max(0, at - int(event["queued_at"]))
        if kind not in _ENDS_ERRAND:
            return
        started = self.called_at.pop((ticket, service), None)
        if kind in ("finished", "next_errand") and started is not None:
            stats.durations.add((at, ticket, max(0, at - started)))
            if len(stats.durations) > RECENT_DURATIONS:
                stats.durations.pop(0)

    def state(self) -> dict[str, Any]:
        """The services' figures (empty ones left out) and the open calls, for comparing two models."""
        return {
            "services": {k: s.state() for k, s in sorted(self.by_service.items()) if s.state() != _EMPTY},
            "called_at": dict(sorted(self.called_at.items())),
        }


_EMPTY = ServiceStats().state()
