"""Day-end housekeeping: tickets left active from an earlier business day become ``expired``."""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.states import ACTIVE, Action
from .events import transition
from .rows import TICKETS, all_tickets, select_tickets

log = logging.getLogger(__name__)
# Locked (in id order) so that two first tickets of the day, or the retention worker, racing here on
# PostgreSQL expire each ticket once: the second waits, then no longer sees the rows as active.
_STALE = (
    select_tickets()
    .where(TICKETS.c.business_day < sa.bindparam("today"), TICKETS.c.status.in_([s.value for s in ACTIVE]))
    .order_by(TICKETS.c.id)
    .with_for_update()
)


def expire_previous_days(session: orm.Session, today: date, now: datetime) -> int:
    """Expire what an earlier day left waiting or at a desk; runs inside the caller's transaction."""
    stale = all_tickets(session, _STALE, {"today": today})
    for ticket in stale:
        transition(session, ticket, Action.EXPIRE, at=now, actor="system", desk_key=ticket.desk_key)
        ticket.desk_key = None
    if stale:
        log.info("expired %d tickets left from earlier days", len(stale))
    return len(stale)
