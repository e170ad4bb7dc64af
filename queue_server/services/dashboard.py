"""The admin dashboard's live picture: every desk, every service against its target, and the visit counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from ..domain.states import AT_DESK, TicketStatus
from ..models import DeskState, Ticket
from .context import Context
from .queues import service_loads
from .statistics import visit_counts

#: a queue whose longest wait passes this share of the target turns amber; past the target, red
WARN_SHARE = 0.75


def level(wait_s: float, target_s: float) -> str:
    """``ok``, ``warn`` or ``over``: the colour of a wait against its target."""
    if wait_s > target_s:
        return "over"
    if wait_s > WARN_SHARE * target_s:
        return "warn"
    return "ok"


@dataclass(frozen=True)
class DeskLine:
    key: str
    label: str
    zone: str
    services: list[str]
    status: str                 # open, paused, closed
    number: str | None          # the ticket at the desk
    service: str | None
    ticket_status: str | None   # called or serving
    since: str | None           # when it was called (ISO, UTC)
    for_s: int | None


@dataclass(frozen=True)
class ServiceLine:
    key: str
    name: str
    sensitive: bool
    open: bool
    waiting: int
    longest_wait_s: int
    estimated_wait_s: int
    target_wait_s: int
    level: str
    open_desks: int


def dashboard(ctx: Context) -> dict[str, Any]:
    cfg = ctx.config
    now = ctx.now()
    local = now.astimezone(cfg.centre.tz)
    today = local.date()
    with ctx.db.reader() as session:
        states = dict(session.execute(sa.select(DeskState.desk_key, DeskState.status)).all())
        at_desks = {
            t.desk_key: t for t in session.scalars(
                sa.select(Ticket).where(Ticket.business_day == today, Ticket.desk_key.is_not(None),
                                        Ticket.status.in_([s.value for s in AT_DESK])))
        }
        oldest = dict(session.execute(
            sa.select(Ticket.service_key, sa.func.min(Ticket.queued_at))
            .where(Ticket.business_day == today, Ticket.status == TicketStatus.WAITING.value)
            .group_by(Ticket.service_key)).all())
        loads = service_loads(session, ctx, today)
    desks = []
    for d in cfg.desks:
        t = at_desks.get(d.key)
        desks.append(DeskLine(
            key=d.key, label=cfg.text(d.label), zone=d.zone, services=list(d.services),
            status=states.get(d.key, "closed"), number=t.number if t else None, service=t.service_key if t else None,
            ticket_status=t.status if t else None,
            since=t.called_at.isoformat() if t and t.called_at else None,
            for_s=max(0, int((now - t.called_at).total_seconds())) if t and t.called_at else None,
        ))
    services = []
    for s in cfg.services:
        load = loads[s.key]
        first = oldest.get(s.key)
        if isinstance(first, str):  # SQLite gives MIN() of the custom type back as text
            from datetime import UTC, datetime

            first = datetime.fromisoformat(first)
            first = first if first.tzinfo else first.replace(tzinfo=UTC)
        longest = max(0, int((now - first).total_seconds())) if first else 0
        services.append(ServiceLine(
            key=s.key, name=cfg.text(s.name), sensitive=s.sensitive, open=cfg.hours_map[s.key].is_open(local),
            waiting=load.waiting, longest_wait_s=longest, estimated_wait_s=load.wait_for(load.waiting + 1),
            target_wait_s=s.target_wait_s, level=level(longest, s.target_wait_s), open_desks=load.open_desks,
        ))
    today_n, total_n = visit_counts(ctx)
    return {
        "at": now.isoformat(),
        "day": today.isoformat(),
        "desks": [asdict(d) for d in desks],
        "services": [asdict(s) for s in services],
        "visits": {"today": today_n, "total": total_n},
    }
