"""The public view of a ticket: what the visitor (and the desk) may see of it.  Numbers only, nothing personal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.states import TicketStatus
from ..models import Ticket
from .context import Context
from .queues import ServiceLoad, position_of, positions, service_loads


@dataclass(frozen=True)
class DeskRef:
    key: str
    label: str
    location: str


@dataclass(frozen=True)
class TicketView:
    number: str
    service: str
    service_name: str
    #: where to wait for the current errand, in the ticket's language
    location: str
    status: str
    priority: bool
    language: str
    issued_at: str
    called_at: str | None
    position: int | None
    estimated_wait_s: int | None
    desk: DeskRef | None
    pending_services: list[str]
    token: str | None = None
    track_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def desk_ref(ctx: Context, desk_key: str | None, language: str) -> DeskRef | None:
    desk = ctx.config.desk_map.get(desk_key or "")
    if desk is None:
        return None
    return DeskRef(desk.key, ctx.config.text(desk.label, language), ctx.config.text(desk.location, language))


def track_url(ctx: Context, token: str) -> str:
    return f"{ctx.config.public_url.rstrip('/')}/t/{token}"


def build_view(
    session: orm.Session, ctx: Context, ticket: Ticket, token: str | None = None, *,
    position: int | None = None, loads: dict[str, ServiceLoad] | None = None,
) -> TicketView:
    """Compute the view inside ``session`` (position and estimate need the live queue).

    ``position`` and ``loads`` may be passed in when many views are built at once (see :func:`waiting_views`).
    """
    estimate = None
    if ticket.status == TicketStatus.WAITING:
        if position is None:
            position = position_of(session, ticket)
        if loads is None:
            loads = service_loads(session, ctx, ticket.business_day)
        estimate = loads[ticket.service_key].wait_for(position)
    else:
        position = None
    service = ctx.config.service_map.get(ticket.service_key)
    at_desk = ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
    return TicketView(
        number=ticket.number,
        service=ticket.service_key,
        service_name=ctx.config.text(service.name, ticket.language) if service else ticket.service_key,
        location=ctx.config.text(service.location, ticket.language) if service else "",
        status=ticket.status,
        priority=ticket.priority,
        language=ticket.language,
        issued_at=ticket.issued_at.isoformat(),
        called_at=ticket.called_at.isoformat() if ticket.called_at and at_desk else None,
        position=position,
        estimated_wait_s=estimate,
        desk=desk_ref(ctx, ticket.desk_key, ticket.language) if at_desk else None,
        pending_services=list(ticket.pending_services or []),
        token=token,
        track_url=track_url(ctx, token) if token else None,
    )


def waiting_views(session: orm.Session, ctx: Context, day: date,
                  services: Iterable[str]) -> list[tuple[str, TicketView]]:
    """(token hash, view) of every waiting ticket in ``services``: a handful of queries, not one per ticket."""
    keys = list(services)
    if not keys:
        return []
    pos = positions(session, day, keys)
    if not pos:
        return []
    loads = service_loads(session, ctx, day)
    tickets = session.scalars(sa.select(Ticket).where(Ticket.id.in_(list(pos)))).all()
    return [(t.token_hash, build_view(session, ctx, t, position=pos[t.id], loads=loads)) for t in tickets]
