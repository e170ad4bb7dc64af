"""Visitor-side use cases: issue a ticket, look it up by its token, cancel it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.errors import DailyLimitReached, InvalidRequest, NotFound, NotOffered, ServiceClosed
from ..domain.forecast import EstimateReason
from ..domain.numbering import format_number
from ..domain.queue_model import LiveTicket
from ..domain.states import ACTIVE, Action
from .context import Context
from .counters import bump_counter
from .events import transition
from .housekeeping import expire_previous_days
from .live import LiveQueues
from .outbox import live_ticket, writing
from .rows import TICKETS, TicketRow, one_ticket, select_tickets
from .ticket_view import TicketView, view_of
from .tokens import new_token, token_hash

log = logging.getLogger(__name__)
MAX_ERRANDS = 5


@dataclass(frozen=True)
class IssuedTicket:
    """What issuing a ticket answers: the new row's id and the visitor's view (number, place, estimate,
    token), the one the kiosk shows and prints."""

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
    if kiosk is not None:
        check_kiosk(ctx, kiosk, services)
    for key in services:
        if key not in ctx.config.service_map:
            raise NotFound(f"unknown service {key!r}", code="unknown_service")
        if not ctx.config.hours_map[key].is_open(local):
            opens = _opens_at(ctx, key, local)
            raise ServiceClosed(
                f"{key} is closed now" + (f"; it opens at {opens}" if opens else ""), service=key, opens_at=opens
            )


def check_kiosk(ctx: Context, kiosk: str, services: list[str]) -> None:
    """Refuse an unknown kiosk (404) and services the kiosk does not offer."""
    kcfg = ctx.config.kiosk_map.get(kiosk)
    if kcfg is None:
        raise NotFound(f"unknown kiosk {kiosk!r}", code="unknown_kiosk")
    left_out = [s for s in services if kcfg.services is not None and s not in kcfg.services]
    if left_out:
        raise NotOffered(f"kiosk {kiosk!r} does not offer {', '.join(left_out)}")


#: a further limit checked in the ticket's own transaction, after the daily limits (services/remote.py)
ExtraLimit = Callable[[orm.Session, datetime], None]


def issue_ticket(
    ctx: Context,
    *,
    services: list[str],
    language: str,
    priority: bool = False,
    kiosk: str | None = None,
    actor: str = "system",
    extra_limit: ExtraLimit | None = None,
    arrived: bool = True,
) -> IssuedTicket:
    """Give the visitor the next number of their first service's prefix, queued for all their errands.

    The number comes from the database (a counter upsert in this transaction); the estimate the ticket is told
    -- and printed, and stored to measure the estimator -- from the live model, without reading the queue.
    ``extra_limit`` (the poster's daily cap) runs in the same transaction: its refusal rolls everything back.
    ``arrived=False``: a remote ticket that keeps its place but is not called until its visitor is here.
    """
    now = ctx.now()
    local = now.astimezone(ctx.config.centre.tz)
    _check_request(ctx, services, language, kiosk, local)
    first = ctx.config.service_map[services[0]]
    live = _live(ctx)
    with live.locked():  # no estimate while no desk serving the service is open: nobody can promise one
        reason = live.forecast(first.key).reason
        estimate = None if reason else live.estimate_for_new(first.key, priority)
    new = NewTicket(services, first.prefix, language, kiosk, priority, estimate, arrived=arrived)
    with writing(ctx) as session:
        _check_limits(ctx, session, services, local)
        if extra_limit is not None:
            extra_limit(session, local)
        ticket = new_ticket(session, ctx, new, now, actor)
    return hand_out(ctx, ticket, new, reason)


@dataclass(frozen=True)
class NewTicket:
    """What a new ticket is given: its errands, its number's prefix, and -- for an appointment -- its time."""

    services: list[str]
    prefix: str
    language: str
    kiosk: str | None
    priority: bool = False
    estimate: int | None = None
    due_at: datetime | None = None
    arrived: bool = True
    token: str = field(default_factory=new_token)


def _check_limits(ctx: Context, session: orm.Session, services: list[str], local: datetime) -> None:
    """Refuse the ticket when one of its services has given all its tickets for the day.

    Counters are bumped in one global order (sorted keys), so two visits naming the same limited services in
    opposite orders never lock each other's counter rows first: no deadlock on PostgreSQL.
    """
    day = local.date()
    used = {
        key: bump_counter(session, f"service:{key}", day)
        for key in sorted(services)
        if ctx.config.service_map[key].daily_limit is not None
    }
    for key in services:
        limit = ctx.config.service_map[key].daily_limit
        if limit is not None and used[key] > limit:
            nxt = ctx.config.hours_map[key].next_opening(local.replace(hour=23, minute=59), ctx.config.centre.tz)
            opens = nxt.isoformat() if nxt else None
            raise DailyLimitReached(
                f"{key} has given all its tickets for today" + (f"; it opens at {opens}" if opens else ""),
                service=key,
                opens_at=opens,
            )


def new_ticket(session: orm.Session, ctx: Context, new: NewTicket, now: datetime, actor: str) -> TicketRow:
    """Number and queue a ticket in this transaction (written when it seals, see services/outbox.py)."""
    day = ctx.today(now)
    seq = bump_counter(session, f"prefix:{new.prefix}", day)
    if seq == 1:  # first ticket of the day for this prefix: a cheap moment to close yesterday's leftovers
        expire_previous_days(session, day, now)
    ticket = TicketRow(
        business_day=day,
        prefix=new.prefix,
        seq=seq,
        number=format_number(new.prefix, seq),
        token_hash=token_hash(new.token),
        status="",
        service_key=new.services[0],
        pending_services=new.services[1:],
        priority=new.priority,
        language=new.language,
        kiosk_key=new.kiosk,
        issued_at=now,
        queued_at=now,
        desk_key=None,
        called_at=None,
        updated_at=now,
        estimated_wait_s=new.estimate,
        due_at=new.due_at,
        arrived=new.arrived,
    )
    transition(session, ticket, Action.ISSUE, at=now, actor=actor)
    return ticket


def hand_out(ctx: Context, ticket: TicketRow, new: NewTicket, reason: EstimateReason | None) -> IssuedTicket:
    """After the commit: the visitor's view from the live model, and the printed ticket."""
    assert ticket.id is not None  # written and numbered by the seal
    issued = live_ticket(ticket)
    position, estimate = _live(ctx).place(issued)
    if new.due_at is None or estimate is None:
        estimate = new.estimate
    view = view_of(ctx.config, issued, position=position, estimate=estimate, token=new.token, estimate_reason=reason)
    log.info("issued %s for %s", view.number, ticket.service_key)
    if new.kiosk is not None and ctx.printing is not None:
        ctx.printing.ticket_issued(ctx, view, new.kiosk)
    return IssuedTicket(ticket.id, view)


def _live(ctx: Context) -> LiveQueues:
    if ctx.live is None:
        raise RuntimeError("the app's live model is not installed")
    return ctx.live


def live_view(ctx: Context, ticket: LiveTicket, token: str | None = None) -> TicketView:
    """The view of a ticket as it stands; position and estimate from the live model while it waits (no
    estimate, and ``estimate_reason`` ``no_desk_open``, while no desk serving its service is open)."""
    live = _live(ctx)
    with live.locked():
        position, estimate = live.place(ticket)
        reason = live.forecast(ticket.service).reason if position is not None else None
    return view_of(
        ctx.config,
        ticket,
        position=position,
        estimate=None if reason else estimate,
        token=token,
        estimate_reason=reason,
    )


_BY_TOKEN = select_tickets().where(TICKETS.c.token_hash == sa.bindparam("hash"))
_BY_TOKEN_LOCKED = _BY_TOKEN.with_for_update()


def by_token(session: orm.Session, token: str, *, lock: bool = False) -> TicketRow:
    """The ticket a visitor's token belongs to, looked up by its hash (locked with ``lock``); 404 otherwise."""
    ticket = one_ticket(session, _BY_TOKEN_LOCKED if lock else _BY_TOKEN, {"hash": token_hash(token)})
    if ticket is None:
        raise NotFound("no such ticket", code="unknown_ticket")
    return ticket


def get_ticket(ctx: Context, token: str) -> TicketView:
    """The visitor's view, from the live model; finished tickets (and earlier days') from the database.

    A ticket the database holds as active today but the model does not know yet was committed by another
    process a moment ago: the model catches up from the outbox before answering.
    """
    live = _live(ctx)
    digest = token_hash(token)
    ticket = live.find(digest)
    if ticket is not None:
        return live_view(ctx, ticket, token)
    with ctx.db.reader() as session:
        row = by_token(session, token)
        if row.business_day < ctx.today() and row.status not in ACTIVE:
            raise NotFound("no such ticket", code="unknown_ticket")
        stored = live_ticket(row)
    if row.business_day == ctx.today() and row.status in ACTIVE:
        live.catch_up()
        stored = live.find(digest) or stored
    return live_view(ctx, stored, token)


def cancel_ticket(ctx: Context, token: str) -> TicketView:
    """The visitor gives up their place (from the phone page); a called ticket leaves its desk too."""
    now = ctx.now()
    with writing(ctx) as session:
        ticket = by_token(session, token, lock=True)
        if ticket.business_day < ctx.today(now) and ticket.status not in ACTIVE:  # as get_ticket: gone
            raise NotFound("no such ticket", code="unknown_ticket")
        desk = ticket.desk_key
        transition(session, ticket, Action.CANCEL, at=now, actor="visitor", desk_key=desk)
        ticket.desk_key = None
        cancelled = live_ticket(ticket)
    return live_view(ctx, cancelled, token)
