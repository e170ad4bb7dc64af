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

    def publish(self, changes: Sequence[Change]) -> None:
        """Take the changes of one applied record, in order; called under the live model's lock, so be quick."""
        ...


class NullNotifier:
    """A context's default notifier, for when nobody listens: every change is dropped."""

    def publish(self, changes: Sequence[Change]) -> None:
        """Nothing to do: nobody listens."""
        return None


class RecordingNotifier:
    """Keeps every published change: for tests and for the CLI, where nobody listens."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def publish(self, changes: Sequence[Change]) -> None:
        """Keep the changes, in the order they came."""
        self.changes.extend(changes)


class TicketPrinting(Protocol):
    """The printing port: hands an issued ticket to the kiosk's printer without waiting for it."""

    def ticket_issued(self, ctx: Context, view: TicketView, kiosk_key: str) -> None:
        """Queue the ticket for ``kiosk_key``'s printer and return at once: the kiosk never waits for the paper."""
        ...


@dataclass
class Context:
    """The one object every use case takes: the configuration, the database, the clock, the live model
    and the ports out (notifications, printing)."""

    config: VuoroConfig
    db: Database
    notifier: Notifier = field(default_factory=NullNotifier)
    printing: TicketPrinting | None = None
    clock: Callable[[], datetime] = utcnow
    #: the live queue model every read comes from; it receives every committed change (services/live.py)
    live: LiveQueues | None = None

    def now(self) -> datetime:
        """Now by the context's clock, aware UTC (``utcnow`` unless a test gave its own clock)."""
        return self.clock()

    def today(self, now: datetime | None = None) -> date:
        """The business day at ``now`` (the clock's, if not given): the centre's local date tickets belong to."""
        return business_day(now or self.clock(), self.config.centre.tz)
