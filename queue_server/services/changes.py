"""What a committed change means to its consumers: one :class:`Change` per event of a change record.

Derived from the record alone (services/outbox.py), so every process -- the one that committed and the ones
that learn of it through the change feed -- hands its consumers the same changes in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.queue_model import LiveTicket

DESK_STATUS = "desk_status"
#: actions after which a ticket's old and new service queues both changed
_MOVES = frozenset({"next_errand", "transferred"})
#: actions that leave every queue as it was (the ticket is at the desk before and after)
_AT_DESK_ONLY = frozenset({"recalled", "started", "no_show"})


@dataclass(frozen=True)
class Change:
    """``action`` is a domain Action value (or ``desk_status``); ``services`` are the queues that changed."""

    seq: int
    action: str
    ticket: LiveTicket | None
    desk_key: str | None
    services: frozenset[str]
    recall: bool = False
    #: the ticket's business day is an earlier one (expired at the first issue of a new day)
    stale: bool = False


def changes_of(record: Mapping[str, Any], desk_services: Mapping[str, tuple[str, ...]]) -> list[Change]:
    """The record's changes in order: one per event, then one per desk whose status changed without an event."""
    seq = int(record["seq"])
    tickets = {int(row["id"]): row for row in record.get("tickets", ())}
    out: list[Change] = []
    desks_with_events: set[str] = set()
    for event in record.get("events", ()):
        data = tickets.get(int(event["ticket"]))
        ticket = LiveTicket.from_record(data) if data is not None else None
        kind = event["type"]
        services: frozenset[str] = frozenset()
        if kind in _MOVES and ticket is not None:
            services = frozenset({event["service"], ticket.service})
        elif kind not in _AT_DESK_ONLY:
            services = frozenset({event["service"]})
        if event.get("desk"):
            desks_with_events.add(event["desk"])
        out.append(
            Change(
                seq,
                kind,
                ticket,
                event.get("desk"),
                services,
                recall=kind == "recalled",
                stale=data is not None and data.get("day") != record.get("day"),
            )
        )
    for desk in record.get("desks", ()):
        if desk["key"] not in desks_with_events:
            out.append(Change(seq, DESK_STATUS, None, desk["key"], frozenset(desk_services.get(desk["key"], ()))))
    return out
