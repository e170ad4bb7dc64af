"""What every use case needs: the config, the database, the clock and the outbound ports."""

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
from .service_times import ServiceTimes

if TYPE_CHECKING:
    from .ticket_view import TicketView


class Notifier(Protocol):
    """Receives what changed, after the commit; the realtime layer turns it into Socket.IO events."""

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
    service_times: ServiceTimes = field(default_factory=ServiceTimes)

    def now(self) -> datetime:
        return self.clock()

    def today(self, now: datetime | None = None) -> date:
        return business_day(now or self.clock(), self.config.centre.tz)
