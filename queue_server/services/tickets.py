"""Visitor-side use cases: issue a ticket, look it up by its token, cancel it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..domain.errors import DailyLimitReached, InvalidRequest, NotFound, ServiceClosed
from ..domain.numbering import format_number
from ..domain.states import ACTIVE, Action
from ..models import Ticket
from .changes import Change
from .context import Context
from .events import snapshot, transition
from .housekeeping import expire_previous_days
from .queues import bump_counter, service_loads
from .ticket_view import TicketView, build_view
from .tokens import new_token, token_hash

log = logging.getLogger(__name__)
MAX_ERRANDS = 5


@dataclass(frozen=True)
class IssuedTicket:
    ticket_id: int
    view: TicketView


def _opens_at(ctx: Context, service_key: str, local: datetime) -> str | None:
    nxt = ctx.config.hours_map[service_key].next_opening(local, ctx.config.centre.tz)
    return nxt.isoformat() if nxt else None


def _check_request(ctx: Context, services: list[str], language: str, kiosk: str | None, local: datetime) -> None:
    if not services:
        raise InvalidRequest("choose at least one service")
    if len(services) > MAX_ERRANDS:
        raise InvalidRequest(f"at most {MAX_ERRANDS} services in one visit")
    if len(set(services)) != len(services):
        raise InvalidRequest("a service is listed twice")
    if language not in ctx.config.centre.languages:
        raise InvalidRequest(f"language must be one of {', '.join(ctx.config.centre.languages)}")
    if kiosk is not None and kiosk not in ctx.config.kiosk_map:
        raise NotFound(f"unknown kiosk {kiosk!r}", code="unknown_kiosk")
    for key in services:
        if key not in ctx.config.service_map:
            raise NotFound(f"unknown service {key!r}", code="unknown_service")
        if not ctx.config.hours_map[key].is_open(local):
            opens = _opens_at(ctx, key, local)
            raise ServiceClosed(
                f"{key} is closed now" + (f"; it opens at {opens}" if opens else ""), service=key, opens_at=opens
            )


def issue_ticket(
    ctx: Context, *, services: list[str], language: str, priority: bool = False, kiosk: str | None = None,
    actor: str = "system",
) -> IssuedTicket:
    """Give the visitor the next number of their first service's prefix, queued for all their errands."""
    now = ctx.now()
    local = now.astimezone(ctx.config.centre.tz)
    _check_request(ctx, services, language, kiosk, local)
    day = local.date()
    first = ctx.config.service_map[services[0]]
    token = new_token()
    with ctx.db.writer() as session:
        for key in services:
            limit = ctx.config.service_map[key].daily_limit
            if limit is not None and bump_counter(session, f"service:{key}", day) > limit:
                nxt = ctx.config.hours_map[key].next_opening(local.replace(hour=23, minute=59),
                                                             ctx.config.centre.tz)
                opens = nxt.isoformat() if nxt else None
                raise DailyLimitReached(
                    f"{key} has given all its tickets for today" + (f"; it opens at {opens}" if opens else ""),
                    service=key, opens_at=opens,
                )
        seq = bump_counter(session, f"prefix:{first.prefix}", day)
        if seq == 1:  # first ticket of the day for this prefix: a cheap moment to close yesterday's leftovers
            expire_previous_days(session, day, now)
        ticket = Ticket(
            business_day=day, prefix=first.prefix, seq=seq, number=format_number(first.prefix, seq),
            token_hash=token_hash(token), status=None, service_key=first.key, pending_services=services[1:],
            priority=priority, language=language, kiosk_key=kiosk, issued_at=now, queued_at=now,
            updated_at=now,
        )
        session.add(ticket)
        transition(session, ticket, Action.ISSUE, at=now, actor=actor)
        session.flush()
        loads = service_loads(session, ctx, day)  # once: for this view and for every screen after the commit
        view = build_view(session, ctx, ticket, token, loads=loads)
        ticket.estimated_wait_s = view.estimated_wait_s
        change = Change(Action.ISSUE.value, snapshot(ticket), None, frozenset({first.key}), loads=loads)
    log.info("issued %s for %s", view.number, first.key)
    ctx.notifier.publish([change])
    if kiosk is not None and ctx.printing is not None:
        ctx.printing.ticket_issued(ctx, view, kiosk)
    return IssuedTicket(ticket.id, view)


def _by_token(session: sa.orm.Session, token: str, *, lock: bool = False) -> Ticket:
    stmt = sa.select(Ticket).where(Ticket.token_hash == token_hash(token))
    if lock:
        stmt = stmt.with_for_update()
    ticket = session.scalar(stmt)
    if ticket is None:
        raise NotFound("no such ticket", code="unknown_ticket")
    return ticket


def get_ticket(ctx: Context, token: str) -> TicketView:
    """The visitor's view; finished tickets of earlier days no longer resolve."""
    with ctx.db.reader() as session:
        ticket = _by_token(session, token)
        if ticket.business_day < ctx.today() and ticket.status not in ACTIVE:
            raise NotFound("no such ticket", code="unknown_ticket")
        return build_view(session, ctx, ticket, token)


def cancel_ticket(ctx: Context, token: str) -> TicketView:
    """The visitor gives up their place (from the phone page); a called ticket leaves its desk too."""
    now = ctx.now()
    with ctx.db.writer() as session:
        ticket = _by_token(session, token, lock=True)
        if ticket.business_day < ctx.today(now) and ticket.status not in ACTIVE:  # as get_ticket: gone
            raise NotFound("no such ticket", code="unknown_ticket")
        desk = ticket.desk_key
        transition(session, ticket, Action.CANCEL, at=now, actor="visitor", desk_key=desk)
        ticket.desk_key = None
        view = build_view(session, ctx, ticket, token)
        change = Change(Action.CANCEL.value, snapshot(ticket), desk, frozenset({ticket.service_key}))
    ctx.notifier.publish([change])
    return view
