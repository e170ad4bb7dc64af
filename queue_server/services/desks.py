"""Desk-side use cases: call next, call a number, recall, start, finish, no-show, transfer, return, open/pause.

Every use case locks the desk's state row first, so two clerks (or two browser tabs) at one desk are served one
after the other; ``call_next`` then takes the best waiting ticket with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so two desks calling at the same instant never get the same ticket.  On SQLite ``BEGIN IMMEDIATE`` (see db.py)
serializes writers, which gives the same guarantee.

Calling or opening takes the desk for the caller (services/desk_state.py): with ``single_desk`` -- a person's
account, from the API -- the other desks that account holds close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..config import DeskConfig
from ..domain import policy
from ..domain.errors import AlreadyCalled, DeskBusy, InvalidRequest, NoCurrentTicket, NotFound, NotServedHere
from ..domain.numbering import parse_number
from ..domain.queue_model import LiveTicket
from ..domain.states import AT_DESK, DESK_STATUSES, Action, TicketStatus, finish_action
from .context import Context
from .desk_state import current_ticket, desk_config, hold, lock_state, requeue
from .desk_state import set_status as write_status
from .events import transition
from .outbox import live_ticket, writing
from .rows import TICKETS, DeskRow, TicketRow, one_ticket, select_tickets
from .ticket_view import TicketView
from .tickets import live_view


@dataclass(frozen=True)
class DeskResult:
    """What a desk action answers: the ticket now at the desk (None when it has none) and the desk's status."""

    ticket: TicketView | None
    desk_status: str


# The statements every desk action runs, built once with bound parameters, in Core (services/rows.py):
# building statements and loading ORM objects cost more CPU than the database spent answering them.
_T = TICKETS.c
_WAITING_HERE = (
    _T.business_day == sa.bindparam("day"),
    _T.status == TicketStatus.WAITING.value,
    _T.service_key.in_(sa.bindparam("services", expanding=True)),
    _T.arrived.is_(True),
)
#: (skip locked?) -> the model's candidate, if it still waits at one of the desk's services
_CANDIDATE = {
    skip: select_tickets().where(_T.id == sa.bindparam("id"), *_WAITING_HERE).with_for_update(skip_locked=skip)
    for skip in (False, True)
}
_BY_NUMBER = (
    select_tickets()
    .where(_T.business_day == sa.bindparam("day"), _T.prefix == sa.bindparam("prefix"), _T.seq == sa.bindparam("seq"))
    .with_for_update()
)
_BY_ID = select_tickets().where(_T.business_day == sa.bindparam("day"), _T.id == sa.bindparam("id")).with_for_update()


def _best(priority: bool | None, skip: bool) -> sa.Select[Any]:
    stmt = (
        select_tickets()
        .where(*_WAITING_HERE, _T.due_at.is_(None))
        .order_by(_T.queued_at, _T.id)
        .limit(1)
        .with_for_update(skip_locked=skip)
    )
    return stmt if priority is None else stmt.where(_T.priority == priority)


def _appointment(due_only: bool, skip: bool) -> sa.Select[Any]:
    stmt = (
        select_tickets()
        .where(*_WAITING_HERE, _T.due_at.is_not(None))
        .order_by(_T.due_at, _T.id)
        .limit(1)
        .with_for_update(skip_locked=skip)
    )
    return stmt.where(_T.due_at <= sa.bindparam("now")) if due_only else stmt


#: (priority class or None, skip locked?) -> the longest-waiting walk-in of the desk's services by SQL
_BEST = {(p, skip): _best(p, skip) for p in (True, False, None) for skip in (False, True)}
#: (due by now only?, skip locked?) -> the earliest booked checked-in appointment of the desk's services by SQL
_APPOINTMENT = {(due, skip): _appointment(due, skip) for due in (True, False) for skip in (False, True)}


def _skip_locked(session: orm.Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _call(
    session: orm.Session,
    ctx: Context,
    ticket: TicketRow,
    desk: DeskConfig,
    state: DeskRow,
    actor: str,
    now: datetime,
    single_desk: bool,
) -> LiveTicket:
    transition(session, ticket, Action.CALL, at=now, actor=actor, desk_key=desk.key)
    ticket.desk_key = desk.key
    ticket.called_at = now
    streak = policy.next_streak(state.priority_streak, ticket.priority, appointment=ticket.due_at is not None)
    # the desk row is written only if it changes
    if (state.status, state.priority_streak, state.opened_by) != ("open", streak, actor):
        state.priority_streak = streak
        hold(session, ctx, state, "open", actor, now, single_desk=single_desk)
    return live_ticket(ticket)


def _waiting_ticket(session: orm.Session, day: object, ticket_id: int, services: list[str]) -> TicketRow | None:
    """The model's candidate, locked -- if it still waits here (the database, not the model, decides)."""
    return one_ticket(session, _CANDIDATE[_skip_locked(session)], {"id": ticket_id, "day": day, "services": services})


def _best_waiting(
    session: orm.Session, day: object, services: list[str], streak: int, ratio: int, now: datetime
) -> TicketRow | None:
    """The ticket the policy calls, by SQL: when the model's candidates were taken meanwhile (another desk or
    process).  A due appointment, else the longest-waiting walk-in of the class wanted, else an early appointment."""
    skip = _skip_locked(session)
    params = {"day": day, "services": services, "now": now}
    ticket = one_ticket(session, _APPOINTMENT[(True, skip)], params)
    for want_priority in policy.priority_order(streak, ratio):
        ticket = ticket or one_ticket(session, _BEST[(want_priority, skip)], params)
    return ticket or one_ticket(session, _APPOINTMENT[(False, skip)], params)


def call_next(ctx: Context, desk_key: str, actor: str, *, single_desk: bool = False) -> DeskResult:
    """Call the longest-waiting ticket among the desk's services, with ratio-limited priority.

    The live model names the candidate in O(log n); the database confirms it under a row lock.  Only when the
    candidate was taken meanwhile (another desk, another process) does the SQL search the queue itself.
    """
    desk = desk_config(ctx, desk_key)
    now = ctx.now()
    day = ctx.today(now)
    services = list(desk.services)
    assert ctx.live is not None
    called = None
    with writing(ctx) as session:
        state = lock_state(session, desk.key, now)
        if current_ticket(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = None
        for candidate in ctx.live.candidates(services, state.priority_streak):
            ticket = _waiting_ticket(session, day, candidate, services)
            if ticket is not None:
                break
        if ticket is None:
            ticket = _best_waiting(session, day, services, state.priority_streak, ctx.config.priority_ratio, now)
        if ticket is not None:
            called = _call(session, ctx, ticket, desk, state, actor, now, single_desk)
        elif (state.status, state.opened_by) != ("open", actor):  # the shift starts: estimates count the desk
            hold(session, ctx, state, "open", actor, now, single_desk=single_desk)
    if called is None:
        return DeskResult(None, "open")
    return DeskResult(live_view(ctx, called), "open")


def todays_ticket(session: orm.Session, ctx: Context, number: str | None, ticket_id: int | None) -> TicketRow:
    """Today's ticket by its number (``K042``, any case) or its id (the waiting list gives both), locked.

    A plain ``FOR UPDATE``, not ``SKIP LOCKED``: a desk asking for this very ticket waits the few milliseconds
    another transaction holds it, then sees what that one left -- so the answer is exact ("called by another
    desk first"), never a 404 for a ticket that exists.
    """
    day = ctx.today()
    if ticket_id is not None:
        ticket = one_ticket(session, _BY_ID, {"day": day, "id": ticket_id})
        what = f"ticket {ticket_id}"
    else:
        parsed = parse_number(number or "")
        if parsed is None:
            raise InvalidRequest(f"{number!r} is not a ticket number like K042")
        ticket = one_ticket(session, _BY_NUMBER, {"day": day, "prefix": parsed[0], "seq": parsed[1]})
        what = f"ticket {number}"
    if ticket is None:
        raise NotFound(f"no {what} today", code="unknown_ticket")
    return ticket


def call_number(
    ctx: Context,
    desk_key: str,
    number: str | None,
    actor: str,
    *,
    ticket_id: int | None = None,
    single_desk: bool = False,
) -> DeskResult:
    """Call a specific waiting ticket, by number or id (a visitor who came to the desk, or one picked from the
    waiting list); 409 ``already_called`` when another desk called it first."""
    desk = desk_config(ctx, desk_key)
    if number is not None and parse_number(number) is None:
        raise InvalidRequest(f"{number!r} is not a ticket number like K042")
    now = ctx.now()
    with writing(ctx) as session:
        state = lock_state(session, desk.key, now)
        if current_ticket(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = todays_ticket(session, ctx, number, ticket_id)
        if ticket.status in {s.value for s in AT_DESK}:
            raise AlreadyCalled(
                f"{ticket.number} was already called to {_label(ctx, ticket.desk_key)}",
                status=ticket.status,
                action=Action.CALL.value,
            )
        if ticket.status == TicketStatus.WAITING.value and ticket.service_key not in desk.services:
            raise NotServedHere(f"{ticket.number} waits for a service this desk does not serve")
        called = _call(session, ctx, ticket, desk, state, actor, now, single_desk)
    return DeskResult(live_view(ctx, called), "open")


def _label(ctx: Context, desk_key: str | None) -> str:
    desk = ctx.config.desk_map.get(desk_key or "")
    return ctx.config.text(desk.label) if desk is not None else "another desk"


def _act_on_current(ctx: Context, desk_key: str, act: Callable[[orm.Session, TicketRow, datetime], None]) -> DeskResult:
    desk = desk_config(ctx, desk_key)
    now = ctx.now()
    with writing(ctx) as session:
        state = lock_state(session, desk.key, now)
        ticket = current_ticket(session, ctx, desk.key)
        if ticket is None:
            raise NoCurrentTicket("this desk has no called ticket")
        act(session, ticket, now)
        after = live_ticket(ticket)
        status = state.status
    return DeskResult(live_view(ctx, after), status)


def recall(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """Call the desk's current ticket again: the boards show it once more, its call time starts anew."""

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.RECALL, at=now, actor=actor, desk_key=desk_key)
        t.called_at = now

    return _act_on_current(ctx, desk_key, act)


def start(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """The visitor of the desk's called ticket came: serving begins."""

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.START, at=now, actor=actor, desk_key=desk_key)

    return _act_on_current(ctx, desk_key, act)


def finish(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """End the errand; with more errands the ticket joins the next service's queue at its arrival time."""

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        pending = list(t.pending_services or [])
        action = finish_action(pending)
        transition(
            session, t, action, at=now, actor=actor, desk_key=desk_key, to_service=pending[0] if pending else None
        )
        if pending:
            requeue(t, pending[0])
            t.pending_services = pending[1:]
        else:
            t.desk_key = None

    return _act_on_current(ctx, desk_key, act)


def no_show(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """The desk's called ticket did not come: it ends as a no-show and leaves the desk free."""

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.NO_SHOW, at=now, actor=actor, desk_key=desk_key)
        t.desk_key = None

    return _act_on_current(ctx, desk_key, act)


def transfer(ctx: Context, desk_key: str, service_key: str, actor: str) -> DeskResult:
    """Send the current ticket to another service's queue, keeping its place (its arrival time)."""
    if service_key not in ctx.config.service_map:
        raise NotFound(f"unknown service {service_key!r}", code="unknown_service")

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.TRANSFER, at=now, actor=actor, desk_key=desk_key, to_service=service_key)
        requeue(t, service_key)

    return _act_on_current(ctx, desk_key, act)


def return_to_queue(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """Send the desk's current ticket back to its own queue, keeping its place (its arrival time)."""

    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.RETURN, at=now, actor=actor, desk_key=desk_key)
        requeue(t, t.service_key)

    return _act_on_current(ctx, desk_key, act)


def set_status(ctx: Context, desk_key: str, status: str, actor: str, *, single_desk: bool = False) -> DeskResult:
    """Open, pause or close a desk; a desk with a ticket at it cannot close.  Opening or pausing takes it."""
    desk = desk_config(ctx, desk_key)
    if status not in DESK_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(DESK_STATUSES)}")
    now = ctx.now()
    with writing(ctx) as session:
        state = lock_state(session, desk.key, now)
        current = current_ticket(session, ctx, desk.key)
        if status == "closed" and current is not None:
            raise DeskBusy("finish or transfer the current ticket before closing the desk")
        if status == "closed":
            write_status(session, state, status, now)
        else:
            hold(session, ctx, state, status, actor, now, single_desk=single_desk)
        at_desk = live_ticket(current) if current is not None else None
    return DeskResult(live_view(ctx, at_desk) if at_desk is not None else None, status)


def desk_overview(ctx: Context, desk_key: str) -> tuple[DeskResult, dict[str, int]]:
    """The desk's current ticket and the waiting count of each of its services, from the live model."""
    desk = desk_config(ctx, desk_key)
    live = ctx.live
    assert live is not None
    with live.locked():
        ticket = live.at_desk(desk.key)
        view = live_view(ctx, ticket) if ticket is not None else None
        return DeskResult(view, live.desk_status(desk.key)), live.waiting_counts(desk.services)


def desk_statuses(ctx: Context) -> dict[str, str]:
    """Each desk's status (open, paused, closed), from the live model."""
    assert ctx.live is not None
    return ctx.live.desk_statuses()
