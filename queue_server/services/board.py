"""What a waiting-room board shows when it (re)connects: the recent calls in its zone, from the live model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .context import Context
from .outbox import from_us


@dataclass(frozen=True)
class RecentCall:
    """One call a board shows on (re)connecting: the number, the desk it was called to, when, and
    whether it was a recall."""

    number: str
    desk_key: str
    called_at: datetime
    recall: bool


def recent_calls(ctx: Context, zone: str) -> list[RecentCall]:
    """Today's newest calls and recalls at the zone's desks, newest first (at most ten)."""
    assert ctx.live is not None
    return [RecentCall(c.number, c.desk, from_us(c.at), c.recall) for c in ctx.live.recent_calls(zone)]
