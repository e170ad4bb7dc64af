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
