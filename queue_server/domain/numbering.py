"""Ticket numbers: a prefix and a counter that restarts each business day in the centre's time zone.

The counter itself lives in the database (one row per prefix and day, bumped by an upsert inside the issuing
transaction, so a rolled-back issue leaves no gap); this module holds the calendar and the formatting.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def business_day(now_utc: datetime, tz: ZoneInfo) -> date:
    """The centre-local calendar date of an instant: a ticket issued at 23:59 and one at 00:01 differ."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(tz).date()


def format_number(prefix: str, seq: int) -> str:
    """``K`` + 7 -> ``K007``; three digits at least, more when a very busy day needs them."""
    if seq < 1:
        raise ValueError("ticket sequence numbers start at 1")
    return f"{prefix}{seq:03d}"


def parse_number(number: str) -> tuple[str, int] | None:
    """Split ``K042`` into (``K``, 42); None when it is not a ticket number."""
    text = number.strip().upper()
    i = len(text)
    while i > 0 and text[i - 1].isdigit():
        i -= 1
    prefix, digits = text[:i], text[i:]
    if not prefix or not digits or not prefix.isalpha():
        return None
    return prefix, int(digits)
