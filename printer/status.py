"""What a printer said about itself the last time it was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class PrinterState(StrEnum):
    """Printer health as shown to staff. String values are stable (stored, sent to browsers)."""

    ONLINE = "online"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    """No answer, connection refused, or the printer itself says it is offline (e.g. cover open)."""
    UNKNOWN = "unknown"
    """The backend cannot tell (PDF command, ``none``, write-only device files)."""


class Delivery(StrEnum):
    """What a printer could say about a ticket it was given (string values are sent to kiosks).

    ``printed``: it answered a status query just before, ready and with paper, and took the job.  ``sent``: it
    took the bytes without a word (status queries off, a write-only device file, a print command's queue, a
    PDF saved to a folder): nobody knows whether paper came out, so the kiosk must not say it did.
    """

    PRINTED = "printed"
    SENT = "sent"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PrinterStatus:
    """One status reading; ``detail`` is a short human-readable reason, in English, for logs/staff."""

    state: PrinterState
    detail: str = ""
    checked_at: datetime = field(default_factory=_now)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the server's API and socket events."""
        return {"state": str(self.state), "detail": self.detail, "checked_at": self.checked_at.isoformat()}

    def same_as(self, other: PrinterStatus | None) -> bool:
        """True when state and detail match (the time of the reading is ignored)."""
        return other is not None and (self.state, self.detail) == (other.state, other.detail)
