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
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..config import DeskConfig
from ..domain import policy
from ..domain.errors import DeskBusy, InvalidRequest, NoCurrentTicket, NotFound, NotServedHere
from ..domain.numbering import parse_number
from ..domain.queue_model import LiveTicket
from ..domain.states import AT_DESK, Action, TicketStatus, finish_action
from .context import Context
from .counters import dialect_insert
from .events import transition
from .outbox import live_ticket, note_desk, writing
from .rows import DESKS, TICKETS, DeskRow, TicketRow, lock_desk, one_ticket, select_tickets
from .ticket_view import TicketView
from .tickets import live_view

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


# The statements every desk action runs, built once with bound parameters, in Core (services/rows.py):
# building statements and loading ORM objects cost more CPU than the database spent answering them.
_T = TICKETS.c
_CURRENT = (
    select_tickets()
    .where(_T.desk_key == sa.bindparam("desk"), _T.status.in_([s.value for s in AT_DESK]),
           _T.business_day == sa.bindparam("day"))
    .order_by(_T.called_at.desc())
    .limit(1)
    .with_for_update()
)
_WAITING_HERE = (_T.business_day == sa.bindparam("day"), _T.status == TicketStatus.WAITING.value,
                 _T.service_key.in_(sa.bindparam("services", expanding=True)))
#: (skip locked?) -> the model's candidate, if it still waits at one of the desk's services
_CANDIDATE = {skip: select_tickets().where(_T.id == sa.bindparam("id"), *_WAITING_HERE)
              .with_for_update(skip_locked=skip) for skip in (False, True)}
_BY_NUMBER = (select_tickets().where(_T.business_day == sa.bindparam("day"), _T.prefix == sa.bindparam("prefix"),
                                     _T.seq == sa.bindparam("seq")).with_for_update())


def _best(priority: bool | None, skip: bool) -> sa.Select[Any]:
    stmt = (select_tickets().where(*_WAITING_HERE).order_by(_T.queued_at, _T.id).limit(1)
            .with_for_update(skip_locked=skip))
    return stmt if priority is None else stmt.where(_T.priority == priority)


#: (priority class or None, skip locked?) -> the longest-waiting ticket of the desk's services by SQL
_BEST = {(p, skip): _best(p, skip) for p in (True, False, None) for skip in (False, True)}


def _lock_state(session: orm.Session, desk_key: str, now: datetime) -> DeskRow:
    """Create the desk's state row on first use and lock it for this transaction."""
    state = lock_desk(session, desk_key)
    if state is None:
        insert = dialect_insert(session)
        session.connection().execute(insert(DESKS).values(desk_key=desk_key, status="closed", priority_streak=0,
                                                          updated_at=now).on_conflict_do_nothing())
        state = lock_desk(session, desk_key)
        assert state is not None
    return state


def _current(session: orm.Session, ctx: Context, desk_key: str) -> TicketRow | None:
    """The ticket at the desk today (one left from an earlier day is expired, not current)."""
    return one_ticket(session, _CURRENT, {"desk": desk_key, "day": ctx.today()})


def _skip_locked(session: orm.Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _call(session: orm.Session, ticket: TicketRow, desk: DeskConfig, state: DeskRow, actor: str,
          now: datetime) -> LiveTicket:
    transition(session, ticket, Action.CALL, at=now, actor=actor, desk_key=desk.key)
    ticket.desk_key = desk.key
    ticket.called_at = now
    streak = policy.next_streak(state.priority_streak, ticket.priority)
    if (state.status, state.priority_streak) != ("open", streak):  # the desk row is written only if it changes
        state.priority_streak = streak
        _set_status(session, state, "open", now)
    return live_ticket(ticket)


def _set_status(session: orm.Session, state: DeskRow, status: str, now: datetime) -> None:
    state.status, state.updated_at = status, now
    note_desk(session, state)


def _waiting_ticket(session: orm.Session, day: object, ticket_id: int, services: list[str]) -> TicketRow | None:
    """The model's candidate, locked -- if it still waits here (the database, not the model, decides)."""
    return one_ticket(session, _CANDIDATE[_skip_locked(session)], {"id": ticket_id, "day": day, "services": services})


def _best_waiting(session: orm.Session, day: object, services: list[str],
                  want_priority: bool | None) -> TicketRow | None:
    """The longest-waiting ticket by SQL: when the model's candidate was taken meanwhile (another desk or process)."""
    return one_ticket(session, _BEST[(want_priority, _skip_locked(session))], {"day": day, "services": services})


def call_next(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """Call the longest-waiting ticket among the desk's services, with ratio-limited priority.

    The live model names the candidate in O(log n); the database confirms it under a row lock.  Only when the
    candidate was taken meanwhile (another desk, another process) does the SQL search the queue itself.
    """
    desk = _desk(ctx, desk_key)
    now = ctx.now()
    day = ctx.today(now)
    services = list(desk.services)
    assert ctx.live is not None
    called = None
    with writing(ctx) as session:
        state = _lock_state(session, desk.key, now)
        if _current(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = None
        for candidate in ctx.live.candidates(services, state.priority_streak):
            ticket = _waiting_ticket(session, day, candidate, services)
            if ticket is not None:
                break
        if ticket is None:
            for want_priority in policy.priority_order(state.priority_streak, ctx.config.priority_ratio):
                ticket = _best_waiting(session, day, services, want_priority)
                if ticket is not None:
                    break
        if ticket is not None:
            called = _call(session, ticket, desk, state, actor, now)
        elif state.status != "open":  # the clerk started their shift: screens and estimates count this desk
            _set_status(session, state, "open", now)
    if called is None:
        return DeskResult(None, "open")
    return DeskResult(live_view(ctx, called), "open")


def call_number(ctx: Context, desk_key: str, number: str, actor: str) -> DeskResult:
    """Call a specific waiting number (a visitor who came to the desk, or one called out of order)."""
    desk = _desk(ctx, desk_key)
    parsed = parse_number(number)
    if parsed is None:
        raise InvalidRequest(f"{number!r} is not a ticket number like K042")
    now = ctx.now()
    with writing(ctx) as session:
        state = _lock_state(session, desk.key, now)
        if _current(session, ctx, desk.key) is not None:
            raise DeskBusy("finish, transfer or mark a no-show for the current ticket first")
        ticket = one_ticket(session, _BY_NUMBER, {"day": ctx.today(now), "prefix": parsed[0], "seq": parsed[1]})
        if ticket is None:
            raise NotFound(f"no ticket {number} today", code="unknown_ticket")
        if ticket.status == TicketStatus.WAITING.value and ticket.service_key not in desk.services:
            raise NotServedHere(f"{ticket.number} waits for a service this desk does not serve")
        called = _call(session, ticket, desk, state, actor, now)
    return DeskResult(live_view(ctx, called), "open")


def _act_on_current(
    ctx: Context, desk_key: str, act: Callable[[orm.Session, TicketRow, datetime], None],
) -> DeskResult:
    desk = _desk(ctx, desk_key)
    now = ctx.now()
    with writing(ctx) as session:
        state = _lock_state(session, desk.key, now)
        ticket = _current(session, ctx, desk.key)
        if ticket is None:
            raise NoCurrentTicket("this desk has no called ticket")
        act(session, ticket, now)
        after = live_ticket(ticket)
        status = state.status
    return DeskResult(live_view(ctx, after), status)


def recall(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.RECALL, at=now, actor=actor, desk_key=desk_key)
        t.called_at = now
    return _act_on_current(ctx, desk_key, act)


def start(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.START, at=now, actor=actor, desk_key=desk_key)
    return _act_on_current(ctx, desk_key, act)


def _requeue(t: TicketRow, service_key: str) -> None:
    """Back into a queue keeping ``queued_at``: the visitor keeps their place."""
    t.service_key = service_key
    t.desk_key = None
    t.called_at = None


def finish(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    """End the errand; with more errands the ticket joins the next service's queue at its arrival time."""
    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        pending = list(t.pending_services or [])
        action = finish_action(pending)
        transition(session, t, action, at=now, actor=actor, desk_key=desk_key,
                   to_service=pending[0] if pending else None)
        if pending:
            _requeue(t, pending[0])
            t.pending_services = pending[1:]
        else:
            t.desk_key = None
    return _act_on_current(ctx, desk_key, act)


def no_show(ctx: Context, desk_key: str, actor: str) -> DeskResult:
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
        _requeue(t, service_key)
    return _act_on_current(ctx, desk_key, act)


def return_to_queue(ctx: Context, desk_key: str, actor: str) -> DeskResult:
    def act(session: orm.Session, t: TicketRow, now: datetime) -> None:
        transition(session, t, Action.RETURN, at=now, actor=actor, desk_key=desk_key)
        _requeue(t, t.service_key)
    return _act_on_current(ctx, desk_key, act)


def set_status(ctx: Context, desk_key: str, status: str, actor: str) -> DeskResult:
    """Open, pause or close a desk; a desk with a ticket at it cannot close."""
    desk = _desk(ctx, desk_key)
    if status not in DESK_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(DESK_STATUSES)}")
    now = ctx.now()
    with writing(ctx) as session:
        state = _lock_state(session, desk.key, now)
        current = _current(session, ctx, desk.key)
        if status == "closed" and current is not None:
            raise DeskBusy("finish or transfer the current ticket before closing the desk")
        _set_status(session, state, status, now)
        at_desk = live_ticket(current) if current is not None else None
    return DeskResult(live_view(ctx, at_desk) if at_desk is not None else None, status)


def desk_overview(ctx: Context, desk_key: str) -> tuple[DeskResult, dict[str, int]]:
    """The desk's current ticket and the waiting count of each of its services, from the live model."""
    desk = _desk(ctx, desk_key)
    live = ctx.live
    assert live is not None
    with live.locked():
        ticket = live.at_desk(desk.key)
        view = live_view(ctx, ticket) if ticket is not None else None
        return DeskResult(view, live.desk_status(desk.key)), live.waiting_counts(desk.services)


def desk_statuses(ctx: Context) -> dict[str, str]:
    assert ctx.live is not None
    return ctx.live.desk_statuses()
