"""Building a live model from the database: what a process does at start, at a new day and when in doubt.

One read transaction, so the tickets, the desks, today's events and the change sequence it reads all describe
the same committed moment (PostgreSQL: REPEATABLE READ; SQLite: a WAL read transaction is a snapshot anyway).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ..db import Database
from ..domain.queue_model import ACTIVE_VALUES, QueueModel, Topology, build
from ..models import DeskState, Ticket, TicketEvent
from .counters import sequence_value
from .outbox import SEQUENCE, live_ticket, us
from .rows import TICKETS, all_tickets, select_tickets

#: the event types the model learns from (statistics and recent calls)
_LEARNED = ("called", "recalled", "issued", "finished", "next_errand", "no_show", "cancelled", "transferred",
            "returned", "expired", "no_show_undone")
_ACTIVE = select_tickets().where(TICKETS.c.business_day == sa.bindparam("day"),
                                 TICKETS.c.status.in_(list(ACTIVE_VALUES)))
_EVENTS = (
    sa.select(TicketEvent.ticket_id, Ticket.number, TicketEvent.type, TicketEvent.from_status,
              TicketEvent.service_key, TicketEvent.desk_key, TicketEvent.at, Ticket.queued_at, TicketEvent.priority)
    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
    .where(TicketEvent.business_day == sa.bindparam("day"), TicketEvent.type.in_(_LEARNED))
    .order_by(TicketEvent.id)
)


def load_model(db: Database, topology: Topology, day: date) -> QueueModel:
    """Today's model as the database holds it now."""
    with db.reader() as session:
        if not db.is_sqlite:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        seq = sequence_value(session, SEQUENCE)
        tickets = [live_ticket(t) for t in all_tickets(session, _ACTIVE, {"day": day})]
        desks = {d.desk_key: (d.status, d.priority_streak) for d in session.scalars(sa.select(DeskState))}
        events: list[dict[str, Any]] = [
            {"ticket": tid, "number": number, "type": kind, "from": from_status, "service": service, "desk": desk,
             "at": us(at), "queued_at": us(queued_at), "priority": bool(priority)}
            for tid, number, kind, from_status, service, desk, at, queued_at, priority
            in session.execute(_EVENTS, {"day": day})
        ]
    return build(topology, day.isoformat(), seq, tickets, desks, events)
