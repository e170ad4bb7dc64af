"""Building a live model from the database: what a process does at start, at a new day and when in doubt.

One read transaction, so the tickets, the desks, today's events and the change sequence it reads all describe
the same committed moment (PostgreSQL: REPEATABLE READ; SQLite: a WAL read transaction is a snapshot anyway).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..db import Database
from ..domain.queue_model import ACTIVE_VALUES, QueueModel, Topology, build
from ..domain.queue_records import Booking
from ..models import Appointment, DeskState, Ticket, TicketEvent
from .counters import sequence_value
from .outbox import SEQUENCE, live_ticket, us
from .rows import TICKETS, all_tickets, select_tickets

#: the event types the model learns from (statistics and recent calls)
_LEARNED = (
    "called",
    "recalled",
    "issued",
    "finished",
    "next_errand",
    "no_show",
    "cancelled",
    "transferred",
    "returned",
    "expired",
    "no_show_undone",
)
_ACTIVE = select_tickets().where(
    TICKETS.c.business_day == sa.bindparam("day"), TICKETS.c.status.in_(list(ACTIVE_VALUES))
)
_EVENTS = (
    sa.select(
        TicketEvent.ticket_id,
        Ticket.number,
        TicketEvent.type,
        TicketEvent.from_status,
        TicketEvent.service_key,
        TicketEvent.desk_key,
        TicketEvent.at,
        Ticket.queued_at,
        TicketEvent.priority,
    )
    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
    .where(TicketEvent.business_day == sa.bindparam("day"), TicketEvent.type.in_(_LEARNED))
    .order_by(TicketEvent.id)
)


_BOOKINGS = sa.select(Appointment.id, Appointment.service_key, Appointment.start, Appointment.status).where(
    Appointment.start >= sa.bindparam("first"), Appointment.start < sa.bindparam("last")
)


def load_model(db: Database, topology: Topology, day: date, tz: ZoneInfo) -> QueueModel:
    """Today's model as the database holds it now (``tz``: the centre's, whose midnights bound today's
    appointments)."""
    first = datetime.combine(day, time(0, 0), tz).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), time(0, 0), tz).astimezone(UTC)
    with db.reader() as session:
        if not db.is_sqlite:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        seq = sequence_value(session, SEQUENCE)
        tickets = [live_ticket(t) for t in all_tickets(session, _ACTIVE, {"day": day})]
        desks = {d.desk_key: (d.status, d.priority_streak) for d in session.scalars(sa.select(DeskState))}
        events: list[dict[str, Any]] = [
            {
                "ticket": tid,
                "number": number,
                "type": kind,
                "from": from_status,
                "service": service,
                "desk": desk,
                "at": us(at),
                "queued_at": us(queued_at),
                "priority": bool(priority),
            }
            for tid, number, kind, from_status, service, desk, at, queued_at, priority in session.execute(
                _EVENTS, {"day": day}
            )
        ]
        bookings = [
            Booking(aid, service, us(start), status)
            for aid, service, start, status in session.execute(_BOOKINGS, {"first": first, "last": last})
        ]
    return build(topology, day.isoformat(), seq, tickets, desks, events, bookings)
