"""Appointments as the domain sees them: a service's slots on a day, and whether a time is one of them.

Pure: the caller gives the opening ranges (:class:`~queue_server.domain.hours.WeeklyHours` of the service's
appointment hours), the slot length and the centre's time zone; times come back as aware UTC datetimes,
because that is how they are stored and compared.  A slot starts where an opening range starts and every
``slot_minutes`` after, and must end within the range: a 15-minute grid in 08:00-16:00 has 32 slots, the last
at 15:45.  A service without hours has slots around the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .hours import TimeRange, WeeklyHours

#: an appointment's code: long enough to be unguessable behind the rate limits, short enough to type
CODE_LENGTH = 6


class AppointmentStatus(StrEnum):
    """An appointment's life: booked, then checked in (its ticket waits), called and done -- or a
    no-show or cancelled; after check-in the ticket is the truth (``STATUS_OF_TICKET``)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


#: an appointment in one of these still holds its place in its slot
HOLDS_SLOT = frozenset(
    {AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.CALLED, AppointmentStatus.DONE}
)
#: ... and may still be cancelled with its code
CANCELLABLE = frozenset({AppointmentStatus.BOOKED})


#: how a checked-in appointment's ticket stands, as the appointment's status (the ticket is the truth once
#: the visitor checked in: the desk calls, serves and marks no-shows on tickets, never on appointments)
STATUS_OF_TICKET = {
    "waiting": AppointmentStatus.CHECKED_IN,
    "called": AppointmentStatus.CALLED,
    "serving": AppointmentStatus.CALLED,
    "done": AppointmentStatus.DONE,
    "no_show": AppointmentStatus.NO_SHOW,
    "cancelled": AppointmentStatus.CANCELLED,
    "expired": AppointmentStatus.NO_SHOW,
}


class Window(StrEnum):
    """Where a moment stands against an appointment's check-in window."""

    EARLY = "early"
    OPEN = "open"
    LATE = "late"


def checkin_window(start: datetime, now: datetime, early_min: int, grace_min: int) -> Window:
    """Check-in opens ``early_min`` before ``start`` and closes ``grace_min`` after it (both ends included)."""
    if now < start - timedelta(minutes=early_min):
        return Window.EARLY
    if now > start + timedelta(minutes=grace_min):
        return Window.LATE
    return Window.OPEN


def slot_starts(hours: WeeklyHours, day: date, slot_minutes: int, tz: ZoneInfo) -> Iterator[datetime]:
    """Every slot's start on ``day`` (local), in UTC, in order."""
    step = timedelta(minutes=slot_minutes)
    for start, end in _spans(hours.on(day), day, tz):
        while start + step <= end:
            yield start.astimezone(UTC)
            start += step


def _spans(ranges: Sequence[TimeRange] | None, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The day's opening ranges as local moments; no hours (None) is midnight to midnight."""
    if ranges is None:
        return [(datetime.combine(day, time(0, 0), tz), datetime.combine(day + timedelta(days=1), time(0, 0), tz))]
    return [
        (datetime.combine(day, r.start, tz), datetime.combine(day, r.end, tz))
        for r in sorted(ranges, key=lambda r: r.start)
    ]


def is_slot(hours: WeeklyHours, start: datetime, slot_minutes: int, tz: ZoneInfo) -> bool:
    """Whether ``start`` (aware) is the start of one of its day's slots."""
    local = start.astimezone(tz)
    return start.astimezone(UTC) in set(slot_starts(hours, local.date(), slot_minutes, tz))
