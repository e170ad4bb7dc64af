"""Applying a domain action to a stored ticket: the state change and its append-only event row together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from ..domain.states import Action, TicketStatus, apply
from ..models import Ticket, TicketEvent
from .outbox import note_event


def transition(
    session: orm.Session, ticket: Ticket, action: Action, *, at: datetime, actor: str,
    desk_key: str | None = None, to_service: str | None = None,
) -> TicketStatus:
    """Move ``ticket`` by ``action`` (raising InvalidTransition), log it and note it for the change record;
    the caller sets the other fields before the transaction seals."""
    before = TicketStatus(ticket.status) if ticket.status else None
    after = apply(before, action)
    event = TicketEvent(
        ticket=ticket, business_day=ticket.business_day, at=at, type=action.value,
        from_status=before.value if before else None, to_status=after.value, service_key=ticket.service_key,
        to_service_key=to_service, desk_key=desk_key, actor=actor, priority=ticket.priority,
    )
    session.add(event)
    note_event(session, ticket, event)
    ticket.status = after.value
    ticket.updated_at = at
    return after
