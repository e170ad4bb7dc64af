"""Opening hours: open or not at a local instant, and the next opening (weekends, holidays, DST)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.hours import TimeRange, parse_weekly

HKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = {
    "mon": "09:00-16:00",
    "tue": "09:00-16:00",
    "wed": "09:00-18:00",
    "thu": "09:00-16:00",
    "fri": "09:00-16:00",
}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HKI)


def test_range_parses_start_and_end() -> None:
    assert TimeRange.parse("08:00-16:30") == TimeRange(time(8, 0), time(16, 30))
    assert TimeRange.parse(" 08:00 - 16:30 ") == TimeRange(time(8, 0), time(16, 30))


@pytest.mark.parametrize("text", ["08:00", "8-16", "08:00-16:00-18:00", "morning", "25:00-26:00", ""])
def test_a_malformed_range_is_refused_with_its_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a range like"):
        TimeRange.parse(text)


@pytest.mark.parametrize("text", ["16:00-08:00", "12:00-12:00"])
def test_a_range_that_ends_before_it_starts_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        TimeRange.parse(text)


def test_an_unknown_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="'funday' is not a weekday"):
        parse_weekly({"funday": "08:00-16:00"})


def test_no_hours_means_always_open() -> None:
    hours = parse_weekly(None)
    assert hours.is_open(local("2026-11-29T03:00"))  # a Sunday night
    assert hours.is_open(local("2026-11-27T23:59"))


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        ("2026-11-27T08:59", False),  # Friday before opening
        ("2026-11-27T09:00", True),  # the opening minute is open
        ("2026-11-27T15:59", True),
        ("2026-11-27T16:00", False),  # the closing minute is closed
        ("2026-11-25T17:30", True),  # Wednesday's long day
        ("2026-11-28T12:00", False),  # Saturday: no hours at all
    ],
)
def test_open_inside_the_day_range_only(when: str, is_open: bool) -> None:
    assert parse_weekly(WEEKDAYS).is_open(local(when)) is is_open


def test_several_ranges_in_one_day_leave_the_lunch_break_closed() -> None:
    hours = parse_weekly({"mon": ["08:00-12:00", "13:00-16:00"]})
    assert hours.is_open(local("2026-11-30T11:59"))
    assert not hours.is_open(local("2026-11-30T12:30"))
    assert hours.is_open(local("2026-11-30T13:00"))


def test_weekday_names_may_be_written_out() -> None:
    hours = parse_weekly({"Monday": "08:00-16:00"})
    assert hours.is_open(local("2026-11-30T10:00"))


def test_a_closed_date_closes_even_an_always_open_service() -> None:
    holiday = date(2026, 12, 6)
    assert not parse_weekly(None, [holiday]).is_open(local("2026-12-06T12:00"))
    assert not parse_weekly({"sun": "10:00-16:00"}, [holiday]).is_open(local("2026-12-06T12:00"))
    assert parse_weekly({"sun": "10:00-16:00"}, [holiday]).is_open(local("2026-12-13T12:00"))


def test_next_opening_later_the_same_day() -> None:
    nxt = parse_weekly(WEEKDAYS).next_opening(local("2026-11-27T07:30"), HKI)
    assert nxt == local("2026-11-27T09:00")


def test_next_opening_after_closing_on_friday_is_monday_morning() -> None:
    nxt = parse_weekly(WEEKDAYS).next_opening(local("2026-11-27T16:00"), HKI)
    assert nxt == local("2026-11-30T09:00")
    assert nxt is not None and nxt.weekday() == 0


def test_next_opening_after_the_lunch_break_starts_is_the_afternoon() -> None:
    hours = parse_weekly({"mon": ["08:00-12:00", "13:00-16:00"]})
    assert hours.next_opening(local("2026-11-30T12:15"), HKI) == local("2026-11-30T13:00")


def test_next_opening_skips_closed_dates() -> None:
    # Thursday 24.12. is closed: after Wednesday's closing the next opening is Monday 28.12.
    closed = [date(2026, 12, 24), date(2026, 12, 25)]
    hours = parse_weekly(WEEKDAYS, closed)
    assert hours.next_opening(local("2026-12-23T18:30"), HKI) == local("2026-12-28T09:00")


def test_next_opening_of_an_always_open_service_on_a_holiday_is_the_next_midnight() -> None:
    hours = parse_weekly(None, [date(2026, 12, 24), date(2026, 12, 25)])
    assert hours.next_opening(local("2026-12-24T10:00"), HKI) == local("2026-12-26T00:00")


def test_a_service_with_no_opening_day_never_opens() -> None:
    assert parse_weekly({}).next_opening(local("2026-11-27T10:00"), HKI) is None


def test_next_opening_across_the_spring_dst_switch_has_the_summer_offset() -> None:
    # Saturday 28.3.2026 evening (EET, +02:00) -> Monday 30.3. 09:00 (EEST, +03:00)
    nxt = parse_weekly(WEEKDAYS).next_opening(local("2026-03-28T20:00"), HKI)
    assert nxt == local("2026-03-30T09:00")
    assert nxt is not None and nxt.utcoffset() == timedelta(hours=3)
    assert nxt.isoformat() == "2026-03-30T09:00:00+03:00"


def test_next_opening_across_the_autumn_dst_switch_has_the_winter_offset() -> None:
    nxt = parse_weekly(WEEKDAYS).next_opening(local("2026-10-24T12:00"), HKI)
    assert nxt is not None and nxt.isoformat() == "2026-10-26T09:00:00+02:00"
