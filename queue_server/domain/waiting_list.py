"""A desk's waiting list: the tickets it would call, in the order it would call them (pure, like queue_model.py).

The clerk sees who waits and may call a number out of order; the list must show the same order call-next
takes, or the clerk would call "the next one" and get someone else.  So it replays call-next at one desk:
the longest-waiting ticket of the class the policy wants (``policy.priority_order``), the desk's priority
streak moving with each ticket taken, over all the desk's services -- the rule ``QueueModel.head`` and the SQL
in services/desks.py implement.  Other desks calling meanwhile are not foreseen: it is this desk's order now.

Its cost is bounded by ``limit`` per service and class, never by the queue's length: each class of each
service is a slice of the sorted list the model already keeps (docs/performance.md).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Sequence

from .policy import next_streak, priority_order
from .queue_model import LiveTicket, QueueModel

Key = tuple[int, int]  # (queued_at, id): the order within one class, as call-next takes it


def _class_keys(model: QueueModel, service: str, priority: bool, limit: int) -> list[Key]:
    """The first ``limit`` tickets of one class of one service (the queue keeps priority tickets first) that
    call-next may take: a remote ticket whose visitor is not here yet is passed over, as ``QueueModel.head`` does
    (the slice reads past those few, lazily)."""
    queue = model.queues.get(service)
    if not queue:
        return []
    split = int(queue.bisect_left((True,)))
    start, end = (0, split) if priority else (split, len(queue))
    keys = (
        (queued_at, ticket_id)
        for _, queued_at, ticket_id in queue.islice(start, end)
        if model.tickets[ticket_id].arrived
    )
    return list(itertools.islice(keys, limit))


def _merged(lists: Iterable[list[Key]], limit: int) -> deque[Key]:
    return deque(itertools.islice(heapq.merge(*lists), limit))


def call_sequence(
    model: QueueModel, services: Sequence[str], streak: int, ratio: int, limit: int, now: int | None = None
) -> list[LiveTicket]:
    """The first ``limit`` waiting tickets of ``services`` in the order one desk whose priority streak is
    ``streak`` would call them, calling next again and again at ``now`` (us; ``ratio``: the centre's priority
    ratio): the checked-in appointments due by then, the walk-ins, then the appointments whose time is to come
    (called early only when no walk-in waits; as time passes they move up)."""
    own = list(dict.fromkeys(services))
    booked = list(
        itertools.islice(heapq.merge(*(model.appointments_in(s) for s in own), key=lambda t: (t.due, t.id)), limit)
    )
    due = [t for t in booked if now is None or (t.due or 0) <= now]
    later = [t for t in booked if t not in due]
    walk_ins = _walk_ins(model, own, streak, ratio, limit - len(due))
    return (due + walk_ins + later)[:limit]


def _walk_ins(model: QueueModel, own: list[str], streak: int, ratio: int, limit: int) -> list[LiveTicket]:
    """The walk-ins in the order call-next takes them, the priority streak moving with each one."""
    pools: dict[bool | None, deque[Key]]
    if ratio <= 0:  # priority ignored: one pool in arrival order, as policy.priority_order says
        pools = {None: _merged((_class_keys(model, s, c, limit) for s in own for c in (True, False)), limit)}
    else:
        pools = {c: _merged((_class_keys(model, s, c, limit) for s in own), limit) for c in (True, False)}
    out: list[LiveTicket] = []
    while len(out) < limit:
        taken = next((pools[want].popleft() for want in priority_order(streak, ratio) if pools[want]), None)
        if taken is None:
            break
        ticket = model.tickets[taken[1]]
        out.append(ticket)
        streak = next_streak(streak, ticket.priority)
    return out
