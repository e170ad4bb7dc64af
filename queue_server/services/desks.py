"""Desk-side use cases: call next, call a number, recall, start, finish, no-show, transfer, return, open/pause.

Every use case locks the desk's state row first, so two clerks (or two browser tabs) at one desk are served one
after the other; ``call_next`` then takes the best waiting ticket with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so two desks calling at the same instant never get the same ticket.  On SQLite ``BEGIN IMMEDIATE`` (see db.py)
serializes writers, which gives the same guarantee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..config import DeskConfig
from ..domain import policy
from ..domain.errors import DeskBusy, InvalidRequest, NoCurrentTicket, NotFound, NotServedHere
from ..domain.numbering import parse_number
from ..domain.states import AT_DESK, Action, TicketStatus, finish_action
from ..models import DeskState, Ticket
from .changes import Change
from .context import Context
from .events import snapshot, transition
from .ticket_view import TicketView, build_view

DESK_STATUSES = ("open", "paused", "closed")


@dataclass(frozen=True)
class DeskResult:
    ticket: TicketView | None
    desk_status: str


def _desk(ctx: Context, key: str) -> DeskConfig:
    desk = ctx.config.desk_map.get(key)
    if desk is None:
        raise NotFound(f"unknown desk {key!r}", code="unknown_desk")
    return desk


def _lock_state(session: orm.Session, desk_key: str, now: datetime) -> DeskState:
    """Create the desk's state row on first use and lock it for this transaction."""
    state = session.scalar(sa.select(DeskState).where(DeskState.desk_key == desk_key).with_for_update())
    if state is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        session.execute(insert(DeskState).values(desk_key=desk_key, status="closed", priority_streak=0,
                                                 updated_at=now).on_conflict_do_nothing())
        state = session.scalars(sa.select(DeskState).where(DeskState.desk_key == desk_key).with_for_update()).one()
    return state


def _current(session: orm.Session, ctx: Context, desk_key: str) -> Ticket | None:
    """The ticket at the desk today (one left from an earlier day is expired, not current)."""
    return session.scalar(
        sa.select(Ticket)
        .where(Ticket.desk_key == desk_key, Ticket.status.in_([s.value for s in AT_DESK]),
               Ticket.business_day == ctx.today())
        .order_by(Ticket.called_at.desc())
        .limit(1)
        .with_for_update()
    )


def _skip_locked(session: orm.Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _call(session: orm.Session, ctx: Context, ticket: Ticket, desk: DeskConfig, state: DeskState,
          actor: str, now: datetime) -> Change:
    transition(session, ticket, Action.CALL, at=now, actor=actor, desk_key=desk.key)
    ticket.desk_key = desk.key
    ticket.called_at = now
    state.priority_streak = policy.next_streak(state.priority_streak, ticket.priority)
    state.status = "open"
    state.updated_at = now
    return Change(Action.CALL.value, snapshot(ticket), desk.key, frozenset({ticket.service_key}))


def call_next(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """Call the longest-waiting ticket among the desk's services, with ratio-limited priority."""
    desk = _desk(ctx, desk_key)
    now = ctx.now()
    day = ctx.today(now)
    with ctx.db.writer() as session:
        state = _lock_state(session, desk.key, now)
        if _current(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = None
        for want_priority in policy.priority_order(state.priority_streak, ctx.config.priority_ratio):
            stmt = (
                sa.select(Ticket)
                .where(Ticket.business_day == day, Ticket.status == TicketStatus.WAITING.value,
                       Ticket.service_key.in_(desk.services))
                .order_by(Ticket.queued_at, Ticket.id)
                .limit(1)
                .with_for_update(skip_locked=_skip_locked(session))
            )
            if want_priority is not None:
                stmt = stmt.where(Ticket.priority == want_priority)
            ticket = session.scalar(stmt)
            if ticket is not None:
                break
        if ticket is None:
            opened = state.status != "open"
            state.status, state.updated_at = "open", now
        else:
            change = _call(session, ctx, ticket, desk, state, actor, now)
            view = build_view(session, ctx, ticket)
    if ticket is None:
        if opened:  # the clerk started their shift: screens and estimates count this desk from now on
            ctx.notifier.publish([Change("desk_status", None, desk.key, frozenset(desk.services))])
        return DeskResult(None, "open")
    ctx.notifier.publish([change])
    return DeskResult(view, "open")


def call_number(ctx: Context, desk_key: str, number: str, actor: str) -> DeskResult:
    """Call a specific waiting number (a visitor who came to the desk, or one called out of order)."""
    desk = _desk(ctx, desk_key)
    parsed = parse_number(number)
    if parsed is None:
        raise InvalidRequest(f"{number!r} is not a ticket number like K042")
    now = ctx.now()
    with ctx.db.writer() as session:
        state = _lock_state(session, desk.key, now)
        if _current(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = session.scalar(
            sa.select(Ticket).where(Ticket.business_day == ctx.today(now), Ticket.prefix == parsed[0],
                                    Ticket.seq == parsed[1]).with_for_update()
        )
        if ticket is None:
            raise NotFound(f"no ticket {number} today", code="unknown_ticket")
        if ticket.status == TicketStatus.WAITING.value and ticket.service_key not in desk.services:
            raise NotServedHere(f"{ticket.number} waits for a service this desk does not serve")
        change = _call(session, ctx, ticket, desk, state, actor, now)
        view = build_view(session, ctx, ticket)
    ctx.notifier.publish([change])
    return DeskResult(view, "open")


def _act_on_current(
    ctx: Context, desk_key: str, actor: str, act: Callable[[orm.Session, Ticket, datetime], Change],
) -> DeskResult:
    desk = _desk(ctx, desk_key)
    now = ctx.now()
    with ctx.db.writer() as session:
        state = _lock_state(session, desk.key, now)
        ticket = _current(session, ctx, desk.key)
        if ticket is None:
            raise NoCurrentTicket("this desk has no called ticket")
        change = act(session, ticket, now)
        view = build_view(session, ctx, ticket)
        status = state.status
    ctx.notifier.publish([change])
    return DeskResult(view, status)


def recall(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        transition(session, t, Action.RECALL, at=now, actor=actor, desk_key=desk_key)
        t.called_at = now
        return Change(Action.RECALL.value, snapshot(t), desk_key, frozenset(), recall=True)
    return _act_on_current(ctx, desk_key, actor, act)


def start(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        transition(session, t, Action.START, at=now, actor=actor, desk_key=desk_key)
        return Change(Action.START.value, snapshot(t), desk_key, frozenset())
    return _act_on_current(ctx, desk_key, actor, act)


def _requeue(t: Ticket, service_key: str) -> None:
    """Back into a queue keeping ``queued_at``: the visitor keeps their place."""
    t.service_key = service_key
    t.desk_key = None
    t.called_at = None


def finish(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """End the errand; with more errands the ticket joins the next service's queue at its arrival time."""
    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        pending = list(t.pending_services or [])
        action = finish_action(pending)
        before = t.service_key
        transition(session, t, action, at=now, actor=actor, desk_key=desk_key,
                   to_service=pending[0] if pending else None)
        if pending:
            _requeue(t, pending[0])
            t.pending_services = pending[1:]
        else:
            t.desk_key = None
        return Change(action.value, snapshot(t), desk_key, frozenset({before, t.service_key}))
    return _act_on_current(ctx, desk_key, actor, act)


def no_show(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        transition(session, t, Action.NO_SHOW, at=now, actor=actor, desk_key=desk_key)
        t.desk_key = None
        return Change(Action.NO_SHOW.value, snapshot(t), desk_key, frozenset())
    return _act_on_current(ctx, desk_key, actor, act)


def transfer(ctx: Context, desk_key: str, service_key: str, actor: str) -> DeskResult:
    """Send the current ticket to another service's queue, keeping its place (its arrival time)."""
    if service_key not in ctx.config.service_map:
        raise NotFound(f"unknown service {service_key!r}", code="unknown_service")

    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        before = t.service_key
        transition(session, t, Action.TRANSFER, at=now, actor=actor, desk_key=desk_key, to_service=service_key)
        _requeue(t, service_key)
        return Change(Action.TRANSFER.value, snapshot(t), desk_key, frozenset({before, service_key}))
    return _act_on_current(ctx, desk_key, actor, act)


def return_to_queue(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: Ticket, now: datetime) -> Change:
        transition(session, t, Action.RETURN, at=now, actor=actor, desk_key=desk_key)
        _requeue(t, t.service_key)
        return Change(Action.RETURN.value, snapshot(t), desk_key, frozenset({t.service_key}))
    return _act_on_current(ctx, desk_key, actor, act)


def set_status(ctx: Context, desk_key: str, status: str, actor: str) -> DeskResult:
    """Open, pause or close a desk; a desk with a ticket at it cannot close."""
    desk = _desk(ctx, desk_key)
    if status not in DESK_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(DESK_STATUSES)}")
    now = ctx.now()
    with ctx.db.writer() as session:
        state = _lock_state(session, desk.key, now)
        current = _current(session, ctx, desk.key)
        if status == "closed" and current is not None:
            raise DeskBusy("finish or transfer the current ticket before closing the desk")
        state.status, state.updated_at = status, now
        view = build_view(session, ctx, current) if current is not None else None
        change = Change("desk_status", None, desk.key, frozenset(desk.services))
    ctx.notifier.publish([change])
    return DeskResult(view, status)


def desk_overview(ctx: Context, desk_key: str) -> tuple[DeskResult, dict[str, int]]:
    """The desk's current ticket and the waiting count of each of its services."""
    from .queues import waiting_counts

    desk = _desk(ctx, desk_key)
    with ctx.db.reader() as session:
        ticket = session.scalar(
            sa.select(Ticket).where(Ticket.desk_key == desk.key,
                                    Ticket.status.in_([s.value for s in AT_DESK]),
                                    Ticket.business_day == ctx.today())
        )
        state = session.get(DeskState, desk.key)
        counts = waiting_counts(session, ctx.today())
        view = build_view(session, ctx, ticket) if ticket else None
    return DeskResult(view, state.status if state else "closed"), {s: counts.get(s, 0) for s in desk.services}


def desk_statuses(ctx: Context) -> dict[str, str]:
    with ctx.db.reader() as session:
        return {key: status for key, status in session.execute(sa.select(DeskState.desk_key, DeskState.status))}
