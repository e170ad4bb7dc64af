"""What the live queues talk to: the change feed that carries committed records to the other processes, and
the kinds of consumer that want more than each change (services/live.py calls them; realtime/ implements them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable


class ChangeFeed(Protocol):
    """Brings this process's committed records to the other processes (realtime/change_feed.py)."""

    def publish(self, record: Mapping[str, Any]) -> None:
        """Send a record committed here to the other processes; they read the outbox should it not arrive."""
        ...


@runtime_checkable
class Revoking(Protocol):
    """A consumer that closes what a disabled user or a revoked token still holds open (sockets)."""

    def revoke(self, principals: Sequence[Mapping[str, Any]]) -> None:
        """Close what the principals (``{"kind", "id"}``) hold open; called once their change is applied."""
        ...


@runtime_checkable
class Resyncing(Protocol):
    """A consumer that also wants to know when the model was rebuilt (its clients may hold stale state)."""

    def resync(self, reason: str) -> None:
        """The model was rebuilt (``reason``: a new day, a gap, a configuration): clients ask for a snapshot."""
        ...
