"""Call-next policy: appointments at their time, then the longest-waiting walk-in, with ratio-limited priority.

A checked-in appointment whose booked time has come goes first (the earliest booked first): the visitor was
promised that time.  Before its time it waits while walk-ins wait, and is called early only when no walk-in
waits for the desk -- a desk does not sit idle beside a visitor who is there.

Among walk-ins, priority tickets (visitors who cannot wait standing) go ahead, but after ``ratio`` priority
calls in a row a desk takes a normal ticket if one waits, so priority never starves the normal queue (NovoSGA's
flaw).  Calling an appointment leaves the streak as it was: the ratio holds among walk-ins.
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


def next_streak(streak: int, called_priority: bool, appointment: bool = False) -> int:
    """The desk's priority streak after a call (an appointment is outside the walk-ins' ratio)."""
    if appointment:
        return streak
    return streak + 1 if called_priority else 0


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it."""

    ticket_id: int
    priority: bool
    queued_at: datetime
    #: a checked-in appointment's booked time; None for a walk-in
    due: datetime | None = None
    #: false: a remote ticket whose visitor has not said "I am here": it keeps its place, and is passed over
    arrived: bool = True


def choose(candidates: Sequence[Candidate], streak: int, ratio: int, now: datetime | None = None) -> Candidate | None:
    """Pick the ticket to call from all waiting candidates at ``now`` (the reference the live model and the SQL
    queries implement)."""
    candidates = [c for c in candidates if c.arrived]
    booked = sorted((c for c in candidates if c.due is not None), key=lambda c: (c.due, c.ticket_id))
    if booked and (now is None or booked[0].due <= now):  # type: ignore[operator]
        return booked[0]
    walk_ins = [c for c in candidates if c.due is None]
    for want_priority in priority_order(streak, ratio):
        pool = [c for c in walk_ins if want_priority is None or c.priority == want_priority]
        if pool:
            return min(pool, key=lambda c: (c.queued_at, c.ticket_id))
    return booked[0] if booked else None
