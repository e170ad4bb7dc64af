"""A desk's state row -- locked first by every desk use case -- its status, its current ticket and who holds it.

Who holds a desk (``opened_by``) is the actor that last opened or paused it or called a ticket to it.  An open
desk counts for the wait estimates and the dashboard, so a desk left open by a clerk who went home promises
waits nobody will serve.  Hence: **a person's account holds one desk at a time.**  Taking a desk with
``single_desk=True`` (what the API passes for a logged-in account; device tokens may run several desks, a
script too) closes the other desks that account holds, and logging out closes them all (:func:`release_desks`).

A ticket still at a desk being given up:

- switching desks is refused (409 ``busy_elsewhere``): the clerk is there and can finish, transfer or return
  it first, and a visitor walking to a desk must not find nobody there;
- logging out cannot be refused, so the ticket goes back to its queue keeping its place (``returned``, as the
  desk's "return" does).  Finishing it would record a service that may not have happened (and send a visitor
  with more errands on to the next queue); leaving it at the closed desk would strand the visitor and keep the
  desk counted.  Returned, a visitor who was not done is called next by another desk, one who was done is at
  worst called once more -- and a clerk logged out by mistake calls the number back from the waiting list.

One race is let be: on PostgreSQL, two tabs of one account opening two different desks in the same few
milliseconds each look for the other's desk before it commits, and both stay open.  Nothing breaks (no
deadlock: see :func:`hold`), the next desk the account takes closes both, and its log-out closes every desk it
holds; a lock per account on every call would cost more than the rare double desk.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..config import DeskConfig
from ..domain.errors import DeskBusy, NotFound
from ..domain.states import AT_DESK, Action
from .context import Context
from .counters import dialect_insert
from .events import transition
from .outbox import note_desk, writing
from .rows import DESKS, TICKETS, DeskRow, TicketRow, lock_desk, lock_held_desks, one_ticket, select_tickets

_T = TICKETS.c
_CURRENT = (
    select_tickets()
    .where(
        _T.desk_key == sa.bindparam("desk"),
        _T.status.in_([s.value for s in AT_DESK]),
        _T.business_day == sa.bindparam("day"),
    )
    .order_by(_T.called_at.desc())
    .limit(1)
    .with_for_update()
)


def desk_config(ctx: Context, key: str) -> DeskConfig:
    """The desk's configuration; 404 ``unknown_desk`` for a key the centre does not have."""
    desk = ctx.config.desk_map.get(key)
    if desk is None:
        raise NotFound(f"unknown desk {key!r}", code="unknown_desk")
    return desk


def lock_state(session: orm.Session, desk_key: str, now: datetime) -> DeskRow:
    """Create the desk's state row on first use and lock it for this transaction."""
    state = lock_desk(session, desk_key)
    if state is None:
        insert = dialect_insert(session)
        session.connection().execute(
            insert(DESKS)
            .values(desk_key=desk_key, status="closed", priority_streak=0, updated_at=now)
            .on_conflict_do_nothing()
        )
        state = lock_desk(session, desk_key)
        assert state is not None
    return state


def current_ticket(session: orm.Session, ctx: Context, desk_key: str) -> TicketRow | None:
    """The ticket at the desk today (one left from an earlier day is expired, not current), locked."""
    return one_ticket(session, _CURRENT, {"desk": desk_key, "day": ctx.today()})


def requeue(t: TicketRow, service_key: str) -> None:
    """Back into a queue keeping ``queued_at``: the visitor keeps their place."""
    t.service_key = service_key
    t.desk_key = None
    t.called_at = None


def set_status(session: orm.Session, state: DeskRow, status: str, now: datetime) -> None:
    """Write the desk's new status with this transaction; a closed desk is held by nobody."""
    state.status, state.updated_at = status, now
    if status == "closed":
        state.opened_by = None
    note_desk(session, state)


def hold(
    session: orm.Session, ctx: Context, state: DeskRow, status: str, actor: str, now: datetime, *, single_desk: bool
) -> None:
    """``actor`` takes the desk, ``open`` or ``paused``; with ``single_desk`` the other desks it holds close.

    Only a desk the actor does not hold yet looks for others: it holds at most one already, so two of its
    transactions never lock each other's desks in opposite orders.
    """
    if single_desk and (state.opened_by != actor or state.status == "closed"):
        _close_others(session, ctx, state.desk_key, actor, now)
    state.opened_by = actor
    set_status(session, state, status, now)


def _close_others(session: orm.Session, ctx: Context, desk_key: str, actor: str, now: datetime) -> None:
    for other in lock_held_desks(session, actor):
        if other.desk_key == desk_key:
            continue
        ticket = current_ticket(session, ctx, other.desk_key)
        if ticket is not None:
            desk = ctx.config.desk_map.get(other.desk_key)
            label = ctx.config.text(desk.label) if desk is not None else other.desk_key
            raise DeskBusy(
                f"{ticket.number} is still at {label}: finish, transfer or return it there first", code="busy_elsewhere"
            )
        set_status(session, other, "closed", now)


def release_desks(ctx: Context, actor: str) -> list[str]:
    """Close every desk ``actor`` holds (its account logs out); a ticket still at one returns to its queue,
    keeping its place (see the module's docstring for why).  The keys of the desks closed."""
    with writing(ctx) as session:
        return release_held(session, ctx, actor)


def release_held(session: orm.Session, ctx: Context, actor: str) -> list[str]:
    """:func:`release_desks` inside the caller's transaction: an account disabled or a device token revoked
    gives up its desks with the change that ends its rights, so that no desk stays open for nobody."""
    now = ctx.now()
    held = lock_held_desks(session, actor)
    for state in held:
        ticket = current_ticket(session, ctx, state.desk_key)
        if ticket is not None:
            transition(session, ticket, Action.RETURN, at=now, actor=actor, desk_key=state.desk_key)
            requeue(ticket, ticket.service_key)
        set_status(session, state, "closed", now)
    return [state.desk_key for state in held]
