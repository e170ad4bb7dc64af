"""Reading a booking system's calendar export (``.ics``, RFC 5545) into appointments, with icalendar.

Of each VEVENT only what an appointment holds is read: its UID (kept as a hash, for an idempotent re-import),
its start and its length (DTEND or DURATION).  The SUMMARY, DESCRIPTION, ATTENDEE and the rest, where a
booking system may have written a name, are never read.  A start without a zone ("floating") is the centre's
local time; an all-day event is no appointment and is reported, as is an event the calendar says is
cancelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar


class CalendarError(ValueError):
    """The file is not an iCalendar file."""


def read_events(data: bytes, tz: ZoneInfo) -> tuple[list[tuple[str, datetime, int | None]], list[str]]:
    """``(uid, start, duration_min)`` of every timed event, and a line for each event left out (why)."""
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarError(f"not an iCalendar file: {exc}") from None
    entries: list[tuple[str, datetime, int | None]] = []
    skipped: list[str] = []
    for uid, outcome in _events(calendar, tz):
        if isinstance(outcome, str):
            skipped.append(f"{uid}: {outcome}")
        else:
            entries.append((uid, *outcome))
    return entries, skipped


def _events(calendar: Calendar, tz: ZoneInfo) -> Iterator[tuple[str, tuple[datetime, int | None] | str]]:
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID") or "")
        if not uid:
            yield "(no UID)", "an event without a UID cannot be imported idempotently"
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            yield uid, "cancelled in the calendar"
            continue
        start = event.decoded("DTSTART", None)
        if not isinstance(start, datetime):
            yield uid, "an all-day event (no start time)" if isinstance(start, date) else "no DTSTART"
            continue
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start
        yield uid, (start, _minutes(event, start))


def _minutes(event: object, start: datetime) -> int | None:
    end = event.decoded("DTEND", None)  # type: ignore[attr-defined]
    length = end - start if isinstance(end, datetime) else event.decoded("DURATION", None)  # type: ignore[attr-defined]
    if isinstance(length, timedelta) and length > timedelta(0):
        return max(1, round(length.total_seconds() / 60))
    return None
