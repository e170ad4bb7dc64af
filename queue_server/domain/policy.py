"""Call-next policy: the longest-waiting ticket first, with ratio-limited priority.

Priority tickets (visitors who cannot wait standing) go ahead, but after ``ratio`` priority calls in a row a
desk takes a normal ticket if one waits, so priority never starves the normal queue (NovoSGA's flaw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


def priority_order(streak: int, ratio: int) -> tuple[bool | None, ...]:
    """Which class to try first: (True, False) means priority first, then normal.

    ``streak`` is how many priority tickets this desk called in a row; ``ratio`` <= 0 disables priority:
    ``(None,)`` means both classes together, in arrival order (priority is ignored, never demoted).
    """
    if ratio <= 0:
        return (None,)
    if streak < ratio:
        return (True, False)
    return (False, True)


def next_streak(streak: int, called_priority: bool) -> int:
    return streak + 1 if called_priority else 0


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it."""

    ticket_id: int
    priority: bool
    queued_at: datetime


def choose(candidates: Sequence[Candidate], streak: int, ratio: int) -> Candidate | None:
    """Pick the ticket to call from all waiting candidates (the reference the SQL queries implement)."""
    for want_priority in priority_order(streak, ratio):
        pool = [c for c in candidates if want_priority is None or c.priority == want_priority]
        if pool:
            return min(pool, key=lambda c: (c.queued_at, c.ticket_id))
    return None
