"""The write path's rows: tickets and desk states as plain objects, read and written with SQLAlchemy Core.

Every kiosk ticket and every desk action runs these statements; through the ORM, loading objects and flushing
its unit of work cost more CPU than the database spent answering (docs/performance.md).  So the hot use cases
load a row into a :class:`TicketRow` (attributes named like the columns), change it, and write back exactly
the columns a state change touches, with statements built once and compiled once per dialect.  The models in
models.py stay the schema; reports and tests keep using the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..models import DeskState, Ticket, TicketEvent

TICKETS: sa.Table = Ticket.__table__  # type: ignore[assignment]
EVENTS: sa.Table = TicketEvent.__table__  # type: ignore[assignment]
DESKS: sa.Table = DeskState.__table__  # type: ignore[assignment]


@dataclass
class TicketRow:
    """One ``tickets`` row; ``id`` is None until inserted."""

    business_day: date
    prefix: str
    seq: int
    number: str
    token_hash: str
    status: str
    service_key: str
    pending_services: list[str]
    priority: bool
    language: str
    kiosk_key: str | None
    issued_at: datetime
    queued_at: datetime
    desk_key: str | None
    called_at: datetime | None
    updated_at: datetime
    estimated_wait_s: int | None
    due_at: datetime | None = None
    arrived: bool = True
    id: int | None = None


@dataclass
class DeskRow:
    """One ``desk_state`` row: status, priority streak, and who holds the desk (``opened_by``)."""

    desk_key: str
    status: str
    priority_streak: int
    updated_at: datetime
    opened_by: str | None = None


_TICKET_COLUMNS = [TICKETS.c[f.name] for f in fields(TicketRow)]
#: what a state change may touch; everything else is written once, at issue
_MUTABLE = ("status", "service_key", "pending_services", "desk_key", "called_at", "updated_at", "arrived")
_UPDATE_TICKET = (
    sa.update(TICKETS)
    .where(TICKETS.c.id == sa.bindparam("ticket_id"))
    .values({name: sa.bindparam(name) for name in _MUTABLE})
)
_INSERT_TICKET = sa.insert(TICKETS).returning(TICKETS.c.id)
_INSERT_EVENT = sa.insert(EVENTS)
_UPDATE_DESK = (
    sa.update(DESKS)
    .where(DESKS.c.desk_key == sa.bindparam("key"))
    .values(
        status=sa.bindparam("status"),
        priority_streak=sa.bindparam("streak"),
        updated_at=sa.bindparam("at"),
        opened_by=sa.bindparam("by"),
    )
)


def select_tickets() -> sa.Select[Any]:
    """A SELECT of every ticket column, to add WHERE / ORDER BY / FOR UPDATE to and run with :func:`one_ticket`."""
    return sa.select(*_TICKET_COLUMNS)


def _conn(session: orm.Session) -> sa.Connection:
    return session.connection()


def one_ticket(session: orm.Session, stmt: sa.Executable, params: dict[str, Any]) -> TicketRow | None:
    """The first ticket ``stmt`` selects (built on :func:`select_tickets`), or None."""
    row = _conn(session).execute(stmt, params).first()
    return TicketRow(**row._mapping) if row is not None else None


def all_tickets(session: orm.Session, stmt: sa.Executable, params: dict[str, Any]) -> list[TicketRow]:
    """Every ticket ``stmt`` selects (built on :func:`select_tickets`), in its order."""
    return [TicketRow(**row._mapping) for row in _conn(session).execute(stmt, params)]


def insert_ticket(session: orm.Session, ticket: TicketRow) -> int:
    """Insert a new ticket row; its id, also set on ``ticket`` (its events need it)."""
    values = {f.name: getattr(ticket, f.name) for f in fields(TicketRow) if f.name != "id"}
    ticket.id = int(_conn(session).execute(_INSERT_TICKET, values).scalar_one())
    return ticket.id


def update_ticket(session: orm.Session, ticket: TicketRow) -> None:
    """Write back the columns a state change may touch; the rest is written once, at issue."""
    _conn(session).execute(_UPDATE_TICKET, {"ticket_id": ticket.id, **{n: getattr(ticket, n) for n in _MUTABLE}})


def insert_event(session: orm.Session, values: dict[str, Any]) -> None:
    """Insert one ``ticket_events`` row (the outbox writes them at the seal)."""
    _conn(session).execute(_INSERT_EVENT, values)


_DESK_COLUMNS = (DESKS.c.desk_key, DESKS.c.status, DESKS.c.priority_streak, DESKS.c.updated_at, DESKS.c.opened_by)
_DESK = sa.select(*_DESK_COLUMNS).where(DESKS.c.desk_key == sa.bindparam("key")).with_for_update()
#: the desks one actor holds (open or paused), locked in key order: two transactions never wait in a circle
_HELD = (
    sa.select(*_DESK_COLUMNS)
    .where(DESKS.c.opened_by == sa.bindparam("by"), DESKS.c.status != "closed")
    .order_by(DESKS.c.desk_key)
    .with_for_update()
)


def lock_desk(session: orm.Session, key: str) -> DeskRow | None:
    """A desk's stored state, locked for this transaction; None when the desk has no row yet."""
    row = _conn(session).execute(_DESK, {"key": key}).first()
    return DeskRow(**row._mapping) if row is not None else None


def lock_held_desks(session: orm.Session, actor: str) -> list[DeskRow]:
    """The desks ``actor`` holds (services/desk_state.py), locked for this transaction."""
    return [DeskRow(**row._mapping) for row in _conn(session).execute(_HELD, {"by": actor})]


def update_desk(session: orm.Session, desk: DeskRow) -> None:
    """Write back a desk's status, priority streak, time and holder."""
    _conn(session).execute(
        _UPDATE_DESK,
        {
            "key": desk.desk_key,
            "status": desk.status,
            "streak": desk.priority_streak,
            "at": desk.updated_at,
            "by": desk.opened_by,
        },
    )
