"""Plain records of what a use case changed, handed to the notifier after the commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TicketSnapshot:
    """A ticket as it stood at the commit; no token, no personal data."""

    id: int
    number: str
    status: str
    service_key: str
    desk_key: str | None
    priority: bool
    language: str
    issued_at: datetime
    called_at: datetime | None
    token_hash: str


@dataclass(frozen=True)
class Change:
    """``action`` is a domain Action value; ``services`` are the queues whose length changed."""

    action: str
    ticket: TicketSnapshot | None
    desk_key: str | None
    services: frozenset[str]
    recall: bool = False
    #: the queues' loads (service key -> ServiceLoad) as the transaction committed them, when the use case
    #: computed them anyway: screens reuse them instead of replaying every queue a second time
    loads: Mapping[str, Any] | None = field(default=None, compare=False)
