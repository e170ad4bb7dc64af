"""Recent service durations per service, read from the event log and cached briefly: they change slowly."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..models import TicketEvent


class ServiceTimes:
    """Recent service durations per service (called -> finished), cached briefly: they change slowly."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._cache: dict[tuple[str, date], tuple[float, list[float]]] = {}
        self._lock = threading.Lock()
        #: today's calls, no-shows, departures and priority arrivals per service, for the wait estimator
        self.today = TodayCounts(ttl_s)

    def recent(self, session: orm.Session, service: str, day: date) -> list[float]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get((service, day))
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        values = _recent_durations(session, service, day)
        with self._lock:
            self._cache[(service, day)] = (now, values)
        return values


def _recent_durations(session: orm.Session, service: str, day: date, limit: int = 50) -> list[float]:
    fin = orm.aliased(TicketEvent)
    call = orm.aliased(TicketEvent)
    rows = session.execute(
        sa.select(fin.at, sa.func.max(call.at))
        .join(call, sa.and_(call.ticket_id == fin.ticket_id, call.type == "called",
                            call.service_key == fin.service_key, call.at <= fin.at))
        .where(fin.service_key == service, fin.business_day == day,
               fin.type.in_(["finished", "next_errand"]))
        .group_by(fin.id, fin.at)
        .order_by(fin.id.desc())
        .limit(limit)
    ).all()
    out: list[float] = []
    for finished, called in rows:
        if isinstance(called, str):  # SQLite returns MAX() of a custom type as text
            called = datetime.fromisoformat(called)
        if called.tzinfo is None:
            called = called.replace(tzinfo=UTC)
        out.append(max(0.0, (finished - called).total_seconds()))
    return out


class TodayCounts:
    """What the wait estimator learns from today's log per service, beyond service times (cached briefly)."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._cache: dict[date, tuple[float, dict[str, dict[str, float]]]] = {}
        self._lock = threading.Lock()

    def get(self, session: orm.Session, day: date, now: datetime) -> dict[str, dict[str, float]]:
        tick = time.monotonic()
        with self._lock:
            hit = self._cache.get(day)
            if hit and tick - hit[0] < self.ttl_s:
                return hit[1]
        values = _today_counts(session, day, now)
        with self._lock:
            self._cache = {day: (tick, values)}
        return values


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _today_counts(session: orm.Session, day: date, now: datetime) -> dict[str, dict[str, float]]:
    """Per service: calls, no-shows, visitors who left while waiting, seconds waited, priority issued lately."""
    from ..models import Ticket

    out: dict[str, dict[str, float]] = {}
    rows = session.execute(
        sa.select(TicketEvent.service_key, TicketEvent.type, TicketEvent.from_status, TicketEvent.priority,
                  TicketEvent.at, Ticket.queued_at)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.business_day == day,
               TicketEvent.type.in_(["called", "no_show", "cancelled", "issued"]))
    )
    hour_ago = now.timestamp() - 3600
    for service, kind, from_status, priority, at, queued_at in rows:
        c = out.setdefault(service, {"called": 0, "no_shows": 0, "left_waiting": 0, "waited_s": 0.0,
                                     "priority_last_hour": 0})
        at = _aware(at)
        if kind == "called":
            c["called"] += 1
            c["waited_s"] += max(0.0, (at - _aware(queued_at)).total_seconds())
        elif kind == "no_show":
            c["no_shows"] += 1
        elif kind == "cancelled" and from_status == "waiting":
            c["left_waiting"] += 1
            c["waited_s"] += max(0.0, (at - _aware(queued_at)).total_seconds())
        elif kind == "issued" and priority and at.timestamp() >= hour_ago:
            c["priority_last_hour"] += 1
    return out
