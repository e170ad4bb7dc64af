"""What a printed ticket says besides its number, from the catalogues and the one formatter (i18n.formats).

The printer package formats nothing: it prints the texts it is given, so that paper, screen and PDF say the
same wait in the same words.
"""

from __future__ import annotations

from datetime import datetime

from printer import Receipt, ReceiptTexts

from .config import VuoroConfig
from .i18n.catalogue import text
from .i18n.formats import format_moment, format_wait


def receipt_texts(language: str) -> ReceiptTexts:
    """The fixed texts of a ticket in ``language``."""
    return ReceiptTexts(*(text(f"ticket.{field}", language) for field in ReceiptTexts.__dataclass_fields__))


def sample_receipt(
    cfg: VuoroConfig,
    language: str,
    *,
    number: str = "K042",
    service_name: str | None = None,
    where_to_wait: str | None = None,
    wait_s: int | None = 12 * 60,
    qr: bool = True,
) -> Receipt:
    """A realistic ticket for a technician's test print (``vuoro print-test``; the admin page's button prints
    one without a QR code, which would lead nowhere)."""
    now = datetime.now(cfg.centre.tz)
    service = cfg.services[0]
    return Receipt(
        centre_name=cfg.text(cfg.centre.name, language),
        service_name=service_name or cfg.text(service.name, language),
        number=number,
        issued_at=now,
        issued_text=format_moment(now, language),
        where_to_wait=where_to_wait if where_to_wait is not None else cfg.text(service.location, language),
        wait_text=format_wait(wait_s, language),
        track_url=f"{cfg.public_url.rstrip('/')}/t/TEST" if qr else "",
        language=language,
        texts=receipt_texts(language),
    )
