"""The plain data a ticket printer needs, and nothing more.

The server turns a ticket into a :class:`Receipt` (texts already translated,
time already in the centre's zone) so that the printer package never has to
know about the database, translations catalogues or time zones, and never sees
anything personal: a receipt only carries a queue number and a tracking link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ReceiptTexts:
    """The fixed texts of a ticket in its language; the server takes them from its catalogues."""

    your_number: str
    issued: str
    where_to_wait: str
    estimated_wait: str
    called_by_number: str


#: a library user's test print without a server (the server's ``vuoro print-test`` passes its own catalogue's)
SAMPLE_TEXTS = ReceiptTexts(
    your_number="Your number",
    issued="Issued",
    where_to_wait="Where to wait",
    estimated_wait="Estimated wait",
    called_by_number="You will be called by your number. Follow your turn on your phone:",
)


@dataclass(frozen=True)
class Receipt:
    """One ticket to print, every text ready: the printer prints, it formats nothing.

    ``issued_at`` must be timezone-aware and already in the centre's local time; ``issued_text`` and
    ``wait_text`` are how the server's formatter writes them in the ticket's language (the same formatter as
    the screens').  ``language`` picks what the printer can print (a code page, or a picture of the text).
    """

    centre_name: str
    service_name: str
    number: str
    issued_at: datetime
    issued_text: str
    where_to_wait: str
    wait_text: str | None
    track_url: str
    language: str
    texts: ReceiptTexts

    def __post_init__(self) -> None:
        # Fail where the receipt is made, not half-way through a print job.
        if not self.language or not self.language.isalpha():
            raise ValueError(f"language must be a language code, not {self.language!r}")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (in the centre's local time)")
        if not self.number.strip():
            raise ValueError("number must not be empty")


def sample_receipt(
    texts: ReceiptTexts = SAMPLE_TEXTS,
    issued_at: datetime | None = None,
    *,
    language: str = "en",
    service_name: str = "Kela – The Social Insurance Institution",
    where_to_wait: str = "Waiting area A, 2nd floor",
    wait_text: str | None = "about 12 min",
    centre_name: str = "Iso Omenan palvelutori",
) -> Receipt:
    """A realistic receipt for test prints and tests.

    Without ``issued_at`` it uses the current time in Helsinki, so a test print shows what a real ticket
    printed now would look like.
    """
    when = issued_at or datetime.now(ZoneInfo("Europe/Helsinki"))
    return Receipt(
        centre_name=centre_name,
        service_name=service_name,
        number="K042",
        issued_at=when,
        issued_text=f"{when:%Y-%m-%d %H:%M}",
        where_to_wait=where_to_wait,
        wait_text=wait_text,
        track_url="https://vuoro.example/t/7QX2M9K042",
        language=language,
        texts=texts,
    )
