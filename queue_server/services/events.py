"""Applying a domain action to a stored ticket: the state change and its append-only event row together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from ..domain.states import Action, TicketStatus, apply
from ..models import Ticket, TicketEvent
from .changes import TicketSnapshot


def transition(
    session: orm.Session, ticket: Ticket, action: Action, *, at: datetime, actor: str,
    desk_key: str | None = None, to_service: str | None = None,
) -> TicketStatus:
    """Move ``ticket`` by ``action`` (raising InvalidTransition) and log it; the caller sets other fields."""
    before = TicketStatus(ticket.status) if ticket.status else None
    after = apply(before, action)
    session.add(TicketEvent(
        ticket=ticket, business_day=ticket.business_day, at=at, type=action.value,
        from_status=before.value if before else None, to_status=after.value, service_key=ticket.service_key,
        to_service_key=to_service, desk_key=desk_key, actor=actor, priority=ticket.priority,
    ))
    ticket.status = after.value
    ticket.updated_at = at
    return after


def snapshot(ticket: Ticket) -> TicketSnapshot:
    return TicketSnapshot(
        id=ticket.id, number=ticket.number, status=ticket.status, service_key=ticket.service_key,
        desk_key=ticket.desk_key, priority=ticket.priority, language=ticket.language,
        issued_at=ticket.issued_at, called_at=ticket.called_at, token_hash=ticket.token_hash,
    )
