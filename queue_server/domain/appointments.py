"""Appointments as the domain sees them: a service's slots on a day, and whether a time is one of them.

Pure: the caller gives the opening ranges (:class:`~queue_server.domain.hours.WeeklyHours` of the service's
appointment hours), the slot length and the centre's time zone; times come back as aware UTC datetimes,
because that is how they are stored and compared.  A slot starts where an opening range starts and every
``slot_minutes`` after, and must end within the range: a 15-minute grid in 08:00-16:00 has 32 slots, the last
at 15:45.  A service without hours has slots around the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .hours import TimeRange, WeeklyHours

#: a day without hours: open from midnight to midnight (23:59:59 stands for the end of the day)
ALL_DAY = TimeRange(time(0, 0), time(23, 59, 59))
ALL_DAY_RANGES = (ALL_DAY,)
#: an appointment's code: long enough to be unguessable behind the rate limits, short enough to type
CODE_LENGTH = 6


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


#: an appointment in one of these still holds its place in its slot
HOLDS_SLOT = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.CALLED,
                        AppointmentStatus.DONE})
#: ... and may still be cancelled with its code
CANCELLABLE = frozenset({AppointmentStatus.BOOKED})


def slot_starts(hours: WeeklyHours, day: date, slot_minutes: int, tz: ZoneInfo) -> Iterator[datetime]:
    """Every slot's start on ``day`` (local), in UTC, in order."""
    ranges = hours.on(day)
    step = timedelta(minutes=slot_minutes)
    for r in sorted(ALL_DAY_RANGES if ranges is None else ranges, key=lambda r: r.start):
        start = datetime.combine(day, r.start, tz)
        end = datetime.combine(day, r.end, tz)
        if r.end == ALL_DAY.end:
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
        while start + step <= end:
            yield start.astimezone(UTC)
            start += step


def is_slot(hours: WeeklyHours, start: datetime, slot_minutes: int, tz: ZoneInfo) -> bool:
    """Whether ``start`` (aware) is the start of one of its day's slots."""
    local = start.astimezone(tz)
    return start.astimezone(UTC) in set(slot_starts(hours, local.date(), slot_minutes, tz))
