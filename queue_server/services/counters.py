"""Counters bumped inside a writing transaction by an upsert (never a COUNT): ticket numbers, daily limits and
the change sequence.

The bumped row stays locked until the transaction ends, so concurrent writers get consecutive values and a
rolled-back transaction gives its value back: gap-free and unique on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Counter, SequenceCounter

_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
#: the prepared upserts, one per (statement, dialect): building them cost more CPU than running them
_PREPARED: dict[tuple[str, str], sa.Executable] = {}


def dialect_insert(session: orm.Session) -> Any:
    """The dialect's INSERT with ON CONFLICT support (only the two supported databases)."""
    name = session.get_bind().dialect.name
    try:
        return _INSERTS[name]
    except KeyError:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {name}") from None


def _prepared(session: orm.Session, which: str) -> sa.Executable:
    key = (which, session.get_bind().dialect.name)
    stmt = _PREPARED.get(key)
    if stmt is None:
        insert = dialect_insert(session)
        # Core statements on the tables (not the ORM entities): no ORM bulk-insert machinery on the hot path
        if which == "counter":
            counters = Counter.__table__
            stmt = (
                insert(counters)
                .values(scope=sa.bindparam("scope"), day=sa.bindparam("day"), value=1)
                .on_conflict_do_update(
                    index_elements=[counters.c.scope, counters.c.day], set_={"value": counters.c.value + 1}
                )
                .returning(counters.c.value)
            )
        else:
            sequences = SequenceCounter.__table__
            stmt = (
                insert(sequences)
                .values(name=sa.bindparam("name"), value=1)
                .on_conflict_do_update(index_elements=[sequences.c.name], set_={"value": sequences.c.value + 1})
                .returning(sequences.c.value)
            )
        _PREPARED[key] = stmt
    return stmt


def bump_counter(session: orm.Session, scope: str, day: date) -> int:
    """Add one to a (scope, business day) counter and return the new value."""
    return int(session.connection().execute(_prepared(session, "counter"), {"scope": scope, "day": day}).scalar_one())


def bump_sequence(session: orm.Session, name: str) -> int:
    """Add one to a never-restarting sequence and return the new value; writers queue on its row until commit."""
    return int(session.connection().execute(_prepared(session, "sequence"), {"name": name}).scalar_one())


def sequence_value(session: orm.Session, name: str) -> int:
    """A sequence's last value, unbumped and unlocked (0 before the first): the live model's poll and rebuild."""
    return session.scalar(sa.select(SequenceCounter.value).where(SequenceCounter.name == name)) or 0
