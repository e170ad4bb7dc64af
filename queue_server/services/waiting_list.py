"""A desk's waiting list, from the live model: who waits for the desk's services, in the order it would call them.

The clerk picks a number from it to call out of order (``POST /api/desks/<key>/call`` with the entry's ``id``
or ``number``).  Numbers, waits and errand counts only: no token, nothing personal, and no later services'
names either (a clerk at Kela need not learn that the visitor goes on to mental-health services).

Read under the model's lock, never from the tickets table, and capped at ``LIMIT`` entries: what a desk asks
costs the same with 5 or 5,000 people waiting (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..domain.waiting_list import call_sequence
from .context import Context
from .desk_state import desk_config
from .outbox import from_us, us

#: entries a waiting list shows at most (the ones a desk will call next; the rest are counted in ``total``)
LIMIT = 50
_US = 1_000_000


@dataclass(frozen=True)
class WaitingEntry:
    """One ticket on a desk's waiting list: its number, service, wait and errands left; nothing personal,
    no later services' names."""

    id: int
    number: str
    service: str
    #: when it joined the queue it waits in (UTC, ISO 8601): its place; kept across errands and returns
    queued_at: str
    #: seconds since ``queued_at``, when the list was made
    waited_s: int
    priority: bool
    #: the errands the visit has left, this one included (1: this is the last)
    errands: int
    #: a checked-in appointment's booked time (UTC, ISO 8601), null for a walk-in: the desk marks it
    appointment_at: str | None = None


@dataclass(frozen=True)
class WaitingList:
    """A desk's waiting list: the first ``LIMIT`` tickets it would call, in that order, and how many wait
    in all."""

    desk: str
    tickets: list[WaitingEntry]
    #: everyone waiting for the desk's services, listed or not
    total: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the desk API's JSON and the desk socket."""
        return asdict(self)


def waiting_list(ctx: Context, desk_key: str, limit: int = LIMIT) -> WaitingList:
    """The first ``limit`` tickets the desk would call, in that order (domain/waiting_list.py)."""
    desk = desk_config(ctx, desk_key)
    live = ctx.live
    assert live is not None
    now_us = us(ctx.now())
    with live.locked():
        model = live.model
        state = model.desks.get(desk.key)
        tickets = call_sequence(
            model, desk.services, state.streak if state else 0, ctx.config.priority_ratio, limit, now_us
        )
        total = sum(model.waiting_count(s) for s in dict.fromkeys(desk.services))
    return WaitingList(
        desk.key,
        [
            WaitingEntry(
                id=t.id,
                number=t.number,
                service=t.service,
                queued_at=from_us(t.queued_at).isoformat(),
                waited_s=max(0, (now_us - t.queued_at) // _US),
                priority=t.priority,
                errands=1 + len(t.pending),
                appointment_at=from_us(t.due).isoformat() if t.due is not None else None,
            )
            for t in tickets
        ],
        total,
    )
