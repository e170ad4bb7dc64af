"""What a waiting-room board shows when it (re)connects: the recent calls in its zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..models import Ticket, TicketEvent
from .context import Context


@dataclass(frozen=True)
class RecentCall:
    number: str
    desk_key: str
    called_at: datetime
    recall: bool


def recent_calls(ctx: Context, zone: str, limit: int = 10) -> list[RecentCall]:
    """Today's newest calls and recalls at the zone's desks, newest first."""
    desks = [d.key for d in ctx.config.desks if d.zone == zone]
    if not desks:
        return []
    with ctx.db.reader() as session:
        rows = session.execute(
            sa.select(Ticket.number, TicketEvent.desk_key, TicketEvent.at, TicketEvent.type)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(TicketEvent.business_day == ctx.today(), TicketEvent.type.in_(["called", "recalled"]),
                   TicketEvent.desk_key.in_(desks))
            .order_by(TicketEvent.id.desc())
            .limit(limit)
        ).all()
    return [RecentCall(number, desk, at, kind == "recalled") for number, desk, at, kind in rows if desk]
