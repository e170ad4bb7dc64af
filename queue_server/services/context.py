"""What every use case needs: the config, the database, the clock, the live model and the outbound ports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from ..config import VuoroConfig
from ..db import Database
from ..domain.numbering import business_day
from ..models import utcnow
from .changes import Change

if TYPE_CHECKING:
    from .live import LiveQueues
    from .ticket_view import TicketView


class Notifier(Protocol):
    """A consumer of committed changes: the live model hands it each change once applied, in sequence order."""

    def publish(self, changes: Sequence[Change]) -> None: ...


class NullNotifier:
    def publish(self, changes: Sequence[Change]) -> None:
        return None


class RecordingNotifier:
    """Keeps every published change: for tests and for the CLI, where nobody listens."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def publish(self, changes: Sequence[Change]) -> None:
        self.changes.extend(changes)


class TicketPrinting(Protocol):
    """The printing port: hands an issued ticket to the kiosk's printer without waiting for it."""

    def ticket_issued(self, ctx: Context, view: TicketView, kiosk_key: str) -> None: ...


@dataclass
class Context:
    config: VuoroConfig
    db: Database
    notifier: Notifier = field(default_factory=NullNotifier)
    printing: TicketPrinting | None = None
    clock: Callable[[], datetime] = utcnow
    #: the live queue model every read comes from; it receives every committed change (services/live.py)
    live: LiveQueues | None = None

    def now(self) -> datetime:
        return self.clock()

    def today(self, now: datetime | None = None) -> date:
        return business_day(now or self.clock(), self.config.centre.tz)
