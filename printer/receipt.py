"""The plain data a ticket printer needs, and nothing more.

The server turns a ticket into a :class:`Receipt` (texts already translated,
time already in the centre's zone) so that the printer package never has to
know about the database, translations catalogues or time zones, and never sees
anything personal: a receipt only carries a queue number and a tracking link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")


@dataclass(frozen=True)
class Receipt:
    """One ticket to print.

    ``issued_at`` must be timezone-aware and already in the centre's local time:
    the backends print its wall-clock time as is.
    """

    centre_name: str
    service_name: str
    number: str
    issued_at: datetime
    where_to_wait: str
    estimated_wait_s: int | None
    track_url: str
    language: Language

    def __post_init__(self) -> None:
        # Fail where the receipt is made, not half-way through a print job.
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (in the centre's local time)")
        if not self.number.strip():
            raise ValueError("number must not be empty")
        if self.estimated_wait_s is not None and self.estimated_wait_s < 0:
            raise ValueError("estimated_wait_s must be >= 0 or None")


_SAMPLES: dict[Language, tuple[str, str]] = {
    "fi": ("Kela – Kansaneläkelaitos", "Odotustila A, 2. kerros"),
    "sv": ("FPA – Folkpensionsanstalten", "Väntrum A, 2 våningen"),
    "en": ("Kela – The Social Insurance Institution", "Waiting area A, 2nd floor"),
}


def sample_receipt(language: Language = "fi", issued_at: datetime | None = None) -> Receipt:
    """A realistic receipt for test prints (``vuoro print-test``) and tests.

    Without ``issued_at`` it uses the current time in Helsinki, so a test print
    shows what a real ticket printed now would look like.
    """
    if language not in _SAMPLES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    service, where = _SAMPLES[language]
    return Receipt(
        centre_name="Iso Omenan palvelutori",
        service_name=service,
        number="K042",
        issued_at=issued_at or datetime.now(ZoneInfo("Europe/Helsinki")),
        where_to_wait=where,
        estimated_wait_s=12 * 60,
        track_url="https://vuoro.example/t/7QX2M9K042",
        language=language,
    )
