"""Applying a domain action to a ticket row: the state change and its append-only event, noted together.

Nothing is written here: the transaction's seal writes every noted ticket, its events and the change record
at once, just before the commit -- so a transition belongs inside :func:`queue_server.services.outbox.writing`,
the one way the use cases open a writing transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from ..domain.states import Action, TicketStatus, apply
from .outbox import note_event
from .rows import TicketRow


def transition(
    session: orm.Session,
    ticket: TicketRow,
    action: Action,
    *,
    at: datetime,
    actor: str,
    desk_key: str | None = None,
    to_service: str | None = None,
) -> TicketStatus:
    """Move ``ticket`` by ``action`` (raising InvalidTransition) and note the event for the seal; the caller
    sets the other fields before the transaction seals."""
    before = TicketStatus(ticket.status) if ticket.status else None
    after = apply(before, action)
    note_event(
        session,
        ticket,
        {
            "business_day": ticket.business_day,
            "at": at,
            "type": action.value,
            "from_status": before.value if before else None,
            "to_status": after.value,
            "service_key": ticket.service_key,
            "to_service_key": to_service,
            "desk_key": desk_key,
            "actor": actor,
            "priority": ticket.priority,
        },
    )
    ticket.status = after.value
    ticket.updated_at = at
    return after
