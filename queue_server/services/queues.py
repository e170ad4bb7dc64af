"""Queue read-side: counters, positions, open desks and wait estimates.

Kept apart from the use cases so that screens, the API and the use cases all compute "how long" one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain import estimate
from ..domain.states import TicketStatus
from ..models import Counter, DeskState, Ticket
from .context import Context

W = TicketStatus.WAITING.value


def bump_counter(session: orm.Session, scope: str, day: date) -> int:
    """Atomically add one to a (scope, day) counter and return the new value (an upsert, never a COUNT).

    The row stays locked until the transaction ends, so concurrent kiosks get consecutive numbers and a
    rolled-back issue gives its number back: gap-free and unique on SQLite and PostgreSQL alike.
    """
    dialect = session.get_bind().dialect.name
    stmt = _BUMP.get(dialect)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        else:  # pragma: no cover - only the two supported databases
            raise RuntimeError(f"unsupported database {dialect}")
        stmt = _BUMP[dialect] = (
            insert(Counter)
            .values(scope=sa.bindparam("scope"), day=sa.bindparam("day"), value=1)
            .on_conflict_do_update(index_elements=[Counter.scope, Counter.day], set_={"value": Counter.value + 1})
            .returning(Counter.value)
        )
    return int(session.execute(stmt, {"scope": scope, "day": day}).scalar_one())


_BUMP: dict[str, sa.Executable] = {}  # the upsert, built once per database dialect


def counter_value(session: orm.Session, scope: str, day: date) -> int:
    return session.scalar(sa.select(Counter.value).where(Counter.scope == scope, Counter.day == day)) or 0


# The hottest read queries are built once, with bound parameters: every kiosk ticket and every screen update
# runs them, and building the statement cost more CPU than SQLite spent answering it (docs/performance.md).
_WAITING_COUNTS = (
    sa.select(Ticket.service_key, sa.func.count())
    .where(Ticket.business_day == sa.bindparam("day"), Ticket.status == W)
    .group_by(Ticket.service_key)
)


def waiting_counts(session: orm.Session, day: date) -> dict[str, int]:
    return {key: int(n) for key, n in session.execute(_WAITING_COUNTS, {"day": day})}


def queue_order() -> tuple[sa.ColumnElement[object], ...]:
    """The order a queue is served in when every desk follows the priority policy: priority first."""
    return (Ticket.priority.desc(), Ticket.queued_at, Ticket.id)


def position_of(session: orm.Session, ticket: Ticket) -> int:
    """1 for the next ticket to be called in its service, 2 for the one after, ...

    Every priority ticket counts as ahead of a normal one: the estimate stays on the safe side.
    """
    ahead = session.scalar(_POSITION[bool(ticket.priority)], {
        "day": ticket.business_day, "service": ticket.service_key, "queued_at": ticket.queued_at, "id": ticket.id,
    })
    return int(ahead or 0) + 1


def _ahead_of(priority: bool) -> sa.Select[tuple[int]]:
    """How many waiting tickets are ahead of a ``priority`` (or normal) ticket; parameters as in position_of."""
    queued_at, ticket_id = sa.bindparam("queued_at"), sa.bindparam("id")
    earlier = sa.or_(Ticket.queued_at < queued_at, sa.and_(Ticket.queued_at == queued_at, Ticket.id < ticket_id))
    same_class_earlier = sa.and_(Ticket.priority == priority, earlier)
    ahead_filter = same_class_earlier if priority else sa.or_(Ticket.priority.is_(True), same_class_earlier)
    return sa.select(sa.func.count()).where(
        Ticket.business_day == sa.bindparam("day"),
        Ticket.status == W,
        Ticket.service_key == sa.bindparam("service"),
        Ticket.id != ticket_id,
        ahead_filter,
    )


_POSITION = {True: _ahead_of(True), False: _ahead_of(False)}


def positions(session: orm.Session, day: date, services: Iterable[str]) -> dict[int, int]:
    """Positions of every waiting ticket in ``services`` (one query; used to refresh phones after a call)."""
    rank = sa.func.row_number().over(partition_by=Ticket.service_key, order_by=queue_order()).label("pos")
    rows = session.execute(
        sa.select(Ticket.id, rank).where(
            Ticket.business_day == day, Ticket.status == W, Ticket.service_key.in_(list(services))
        )
    )
    return {tid: int(pos) for tid, pos in rows}


_DESK_STATES = sa.select(DeskState.desk_key, DeskState.status)


def open_desks(session: orm.Session, ctx: Context) -> dict[str, int]:
    """How many open desks serve each service right now."""
    states = {key: status for key, status in session.execute(_DESK_STATES)}
    counts = {s.key: 0 for s in ctx.config.services}
    for desk in ctx.config.desks:
        if states.get(desk.key) == "open":
            for key in desk.services:
                counts[key] += 1
    return counts


@dataclass(frozen=True)
class ServiceLoad:
    waiting: int
    open_desks: int
    mean_service_s: float

    def wait_for(self, position: int) -> int:
        return estimate.estimate_wait_s(position, self.open_desks, self.mean_service_s)


def service_loads(session: orm.Session, ctx: Context, day: date) -> dict[str, ServiceLoad]:
    waiting = waiting_counts(session, day)
    desks = open_desks(session, ctx)
    loads = {}
    for s in ctx.config.services:
        mean = estimate.mean_service_time(ctx.service_times.recent(session, s.key, day), s.service_time_s)
        loads[s.key] = ServiceLoad(waiting.get(s.key, 0), desks.get(s.key, 0), mean)
    return loads
