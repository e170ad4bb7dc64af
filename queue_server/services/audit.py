"""The audit log: who changed what, when, with the values before and after (never a password or a token).

Every administrative change writes its entry in the same transaction as the change itself, so there is no
change without its entry and no entry for a change that rolled back.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..db import Database
from ..models import AuditEntry
from .context import Context

CSV_FIELDS = ("at", "actor", "action", "target", "before", "after")


def record(
    session: orm.Session, ctx: Context, *, actor: str, action: str, target: str, before: Any = None, after: Any = None
) -> None:
    """Add an audit entry to the caller's transaction, so that it commits, or rolls back, with the change."""
    session.add(AuditEntry(at=ctx.now(), actor=actor, action=action, target=target, before=before, after=after))


def entries(
    db: Database,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The newest entries first, filtered; ``action`` matches a prefix (``service.`` for every service change)."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    with db.reader() as session:
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "before": e.before,
                "after": e.after,
            }
            for e in session.scalars(stmt)
        ]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Audit entries as CSV for the admins' export; ``before`` and ``after`` as JSON, with sorted keys."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow(
            [
                row["at"],
                row["actor"],
                row["action"],
                row["target"],
                "" if row["before"] is None else _json(row["before"]),
                "" if row["after"] is None else _json(row["after"]),
            ]
        )
    return out.getvalue()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
