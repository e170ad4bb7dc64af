"""Weekly opening hours: is a service open now, and when does it open next.

Hours are given per weekday as ``"08:00-16:00"`` ranges in the centre's local time; a service without hours is
always open. Closed dates (public holidays) close every service for the whole day. An exception for a date
(the centre's, or one service's, which wins) replaces that day's hours: closed, or its own ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TimeRange:
    """One opening range of a day, ``start`` included and ``end`` excluded, in the centre's local time."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Read ``"08:00-16:00"``; ValueError, its message shown by the configuration check and the admin
        forms, when the text is no range or ends before it starts."""
        try:
            a, b = (part.strip() for part in text.split("-"))
            start, end = time.fromisoformat(a), time.fromisoformat(b)
        except ValueError:
            raise ValueError(f"{text!r} is not a range like '08:00-16:00'") from None
        if end <= start:
            raise ValueError(f"{text!r} ends before it starts")
        return cls(start, end)


@dataclass(frozen=True)
class WeeklyHours:
    """Opening ranges per weekday (0 = Monday); ``None`` means always open."""

    ranges: Mapping[int, Sequence[TimeRange]] | None
    closed_dates: frozenset[date] = frozenset()
    #: a date's own hours, replacing its weekday's (an empty sequence: closed that day)
    special: Mapping[date, Sequence[TimeRange]] = field(default_factory=dict)

    def on(self, day: date) -> Sequence[TimeRange] | None:
        """The ranges of ``day`` (None: open all day)."""
        if day in self.closed_dates:
            return ()
        if day in self.special:
            return self.special[day]
        if self.ranges is None:
            return None
        return self.ranges.get(day.weekday(), ())

    def is_open(self, local: datetime) -> bool:
        """Whether the service is open at ``local`` (the centre's local time): what issuing a ticket checks,
        and what the kiosks and the dashboard show."""
        ranges = self.on(local.date())
        if ranges is None:
            return True
        t = local.time().replace(tzinfo=None)
        return any(r.start <= t < r.end for r in ranges)

    def next_opening(self, local: datetime, tz: ZoneInfo) -> datetime | None:
        """The next moment (local, aware) the service opens after ``local``; None if it never does."""
        t = local.time().replace(tzinfo=None)
        for offset in range(0, 370):
            day = local.date() + timedelta(days=offset)
            ranges = self.on(day)
            if ranges is None:
                if offset:
                    return datetime.combine(day, time(0, 0), tz)
                continue
            for r in sorted(ranges, key=lambda r: r.start):
                if offset == 0 and r.start <= t:
                    continue
                return datetime.combine(day, r.start, tz)
        return None


def parse_weekly(
    spec: Mapping[str, str | Iterable[str]] | None,
    closed: Iterable[date] = (),
    special: Mapping[date, Iterable[str]] | None = None,
) -> WeeklyHours:
    """Build :class:`WeeklyHours` from config (``{"mon": "08:00-16:00", "sat": ["10:00-14:00"]}``); ``special``
    gives dates their own ranges (none: closed that day)."""
    closed_dates = frozenset(closed)
    days = {d: tuple(TimeRange.parse(t) for t in texts) for d, texts in (special or {}).items()}
    if spec is None:
        return WeeklyHours(None, closed_dates, days)
    ranges: dict[int, list[TimeRange]] = {}
    for name, value in spec.items():
        key = name.lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"{name!r} is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
        texts = [value] if isinstance(value, str) else list(value)
        ranges[WEEKDAYS.index(key)] = [TimeRange.parse(t) for t in texts]
    return WeeklyHours(ranges, closed_dates, days)
