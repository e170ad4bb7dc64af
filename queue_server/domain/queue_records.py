"""The small records the live queue model keeps beside its tickets: today's appointments, the desks, the calls.

Split from queue_model.py, which holds the model itself; importers may keep naming them through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Booking:
    """One of today's appointments as its last committed change left it: a service, a time, a status."""

    id: int
    service: str
    start: int
    status: str

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Booking:
        """The appointment as a change record (services/outbox.py) carries it; ``start`` in us."""
        return cls(int(data["id"]), data["service"], int(data["start"]), data["status"])


@dataclass
class LiveDesk:
    """A desk's live state: open, paused or closed, how many priority tickets it called in a row
    (domain/policy.py), and the id of the ticket at it."""

    status: str = "closed"
    streak: int = 0
    ticket_id: int | None = None


@dataclass(frozen=True)
class RecentCall:
    """One call (or recall) a zone's boards show: the number, the desk it was called to, when (us)."""

    number: str
    desk: str
    at: int
    recall: bool
    ticket_id: int
