"""Queue read-side: counters, positions, open desks and wait estimates.

Kept apart from the use cases so that screens, the API and the use cases all compute "how long" one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

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


def queue_order() -> tuple[Any, ...]:
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


def _ahead_of(priority: bool) -> sa.Select[Any]:
    """How many waiting tickets are ahead of a ``priority`` (or normal) ticket; parameters as in position_of."""
    queued_at: sa.BindParameter[datetime] = sa.bindparam("queued_at")
    ticket_id: sa.BindParameter[int] = sa.bindparam("id")
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
    """A service's queue right now and what the estimator predicts for it (see domain/estimate.py).

    ``waits[p - 1]`` is the predicted wait of the ticket at position ``p`` (queue order: priority first, then
    place); ``newcomer_s`` that of a normal ticket issued now.
    """

    waiting: int
    open_desks: int
    mean_service_s: float
    waits: tuple[int, ...] = ()
    newcomer_s: int | None = None

    def wait_for(self, position: int) -> int:
        if 1 <= position <= len(self.waits):
            return self.waits[position - 1]
        if self.newcomer_s is not None:
            beyond = max(0, position - len(self.waits) - 1)
            return self.newcomer_s + int(round(beyond * self.mean_service_s / max(1, self.open_desks)))
        return estimate.estimate_wait_s(position, self.open_desks, self.mean_service_s)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def service_loads(session: orm.Session, ctx: Context, day: date) -> dict[str, ServiceLoad]:
    """Every service's load and predicted waits: one replay of all queues (they share desks), a few queries."""
    now = ctx.now()
    t0 = now.timestamp()
    cfg = ctx.config
    waiting_rows = session.execute(
        sa.select(Ticket.id, Ticket.service_key, Ticket.priority, Ticket.queued_at, Ticket.pending_services)
        .where(Ticket.business_day == day, Ticket.status == W)
    ).all()
    at_desk = {
        t.desk_key: t for t in session.scalars(
            sa.select(Ticket).where(Ticket.business_day == day, Ticket.desk_key.is_not(None),
                                    Ticket.status.in_([TicketStatus.CALLED.value, TicketStatus.SERVING.value])))
    }
    states = {row.desk_key: row for row in session.scalars(sa.select(DeskState))}
    counts = ctx.service_times.today.get(session, day, now)
    rates: dict[str, estimate.ServiceRate] = {}
    means: dict[str, float] = {}
    for s in cfg.services:
        recent = ctx.service_times.recent(session, s.key, day)
        c = counts.get(s.key, {})
        rates[s.key] = estimate.service_rate(
            recent, s.service_time_s, called=int(c.get("called", 0)), no_shows=int(c.get("no_shows", 0)),
            priority_last_hour=int(c.get("priority_last_hour", 0)), left_waiting=int(c.get("left_waiting", 0)),
            waited_s=float(c.get("waited_s", 0.0)))
        means[s.key] = rates[s.key].mean_s
    desks = []
    open_count = {s.key: 0 for s in cfg.services}
    for d in cfg.desks:
        state = states.get(d.key)
        is_open = state is not None and state.status == "open"
        busy = at_desk.get(d.key)
        if is_open:
            for key in d.services:
                open_count[key] += 1
        desks.append(estimate.Desk(
            key=d.key, services=tuple(d.services), open=is_open or busy is not None,
            priority_streak=state.priority_streak if state else 0,
            busy_service=busy.service_key if busy else None,
            busy_for_s=max(0.0, t0 - _aware(busy.called_at).timestamp()) if busy and busy.called_at else 0.0,
            busy_pending=tuple(busy.pending_services or ()) if busy else (),
            busy_queued_at=_aware(busy.queued_at).timestamp() - t0 if busy else 0.0,
            busy_priority=bool(busy.priority) if busy else False,
        ))
    waiting = [estimate.Waiting(tid, key, bool(prio), _aware(queued).timestamp() - t0, tuple(pending or ()))
               for tid, key, prio, queued, pending in waiting_rows]
    prediction = estimate.predict(estimate.Snapshot(now=0.0, waiting=waiting, desks=desks, rates=rates,
                                                    priority_ratio=cfg.priority_ratio))
    by_service: dict[str, list[estimate.Waiting]] = {s.key: [] for s in cfg.services}
    for w in waiting:
        if w.service in by_service:
            by_service[w.service].append(w)
    loads = {}
    for s in cfg.services:
        order = sorted(by_service[s.key], key=lambda w: (not w.priority, w.queued_at, w.id))
        waits = tuple(int(round(prediction.waits.get(w.id, 0.0))) for w in order)
        newcomer = prediction.newcomer.get(s.key)
        loads[s.key] = ServiceLoad(len(order), open_count[s.key], means[s.key], waits,
                                   int(round(newcomer)) if newcomer is not None else None)
    return loads
