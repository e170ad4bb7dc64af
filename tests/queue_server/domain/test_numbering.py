"""Ticket numbers: the centre-local business day, and the K001 format."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.numbering import business_day, format_number, parse_number

HKI = ZoneInfo("Europe/Helsinki")


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (utc(2026, 11, 27, 21, 59), date(2026, 11, 27)),  # 23:59 in winter (UTC+2)
        (utc(2026, 11, 27, 22, 1), date(2026, 11, 28)),  # 00:01 the next day
        (utc(2026, 11, 27, 22, 0), date(2026, 11, 28)),  # exactly midnight belongs to the new day
        (utc(2026, 7, 1, 20, 59), date(2026, 7, 1)),  # 23:59 in summer (UTC+3)
        (utc(2026, 7, 1, 21, 1), date(2026, 7, 2)),
        (utc(2026, 7, 1, 23, 30), date(2026, 7, 2)),  # still the 1st in UTC, already the 2nd in Helsinki
    ],
)
def test_business_day_is_the_helsinki_calendar_date(instant: datetime, day: date) -> None:
    assert business_day(instant, HKI) == day


def test_business_day_across_the_march_dst_switch() -> None:
    # 2026-03-29: 03:00 EET jumps to 04:00 EEST (01:00 UTC)
    assert business_day(utc(2026, 3, 28, 21, 59), HKI) == date(2026, 3, 28)
    assert business_day(utc(2026, 3, 28, 22, 1), HKI) == date(2026, 3, 29)
    assert business_day(utc(2026, 3, 29, 20, 59), HKI) == date(2026, 3, 29)  # 23:59 EEST
    assert business_day(utc(2026, 3, 29, 21, 1), HKI) == date(2026, 3, 30)


def test_business_day_across_the_october_dst_switch() -> None:
    # 2026-10-25: 04:00 EEST falls back to 03:00 EET (01:00 UTC)
    assert business_day(utc(2026, 10, 24, 20, 59), HKI) == date(2026, 10, 24)  # 23:59 EEST
    assert business_day(utc(2026, 10, 24, 21, 1), HKI) == date(2026, 10, 25)
    assert business_day(utc(2026, 10, 25, 21, 59), HKI) == date(2026, 10, 25)  # 23:59 EET
    assert business_day(utc(2026, 10, 25, 22, 1), HKI) == date(2026, 10, 26)


def test_business_day_uses_the_given_time_zone() -> None:
    instant = utc(2026, 11, 27, 23, 30)
    assert business_day(instant, ZoneInfo("UTC")) == date(2026, 11, 27)
    assert business_day(instant, HKI) == date(2026, 11, 28)


def test_business_day_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        business_day(datetime(2026, 11, 27, 12, 0), HKI)


@pytest.mark.parametrize(
    ("prefix", "seq", "number"),
    [("K", 1, "K001"), ("K", 42, "K042"), ("L", 999, "L999"), ("H", 1000, "H1000"), ("ABC", 7, "ABC007")],
)
def test_numbers_have_at_least_three_digits(prefix: str, seq: int, number: str) -> None:
    assert format_number(prefix, seq) == number


@pytest.mark.parametrize("seq", [0, -1])
def test_sequence_numbers_start_at_one(seq: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_number("K", seq)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("K042", ("K", 42)), ("k42", ("K", 42)), (" L001 ", ("L", 1)), ("ABC123", ("ABC", 123)), ("H1000", ("H", 1000))],
)
def test_parse_number_accepts_typed_numbers(text: str, parsed: tuple[str, int]) -> None:
    assert parse_number(text) == parsed


@pytest.mark.parametrize("text", ["", "K", "042", "K4A", "4K2", "K-42", "K 42", "?1"])
def test_parse_number_rejects_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


@given(prefix=st.from_regex(r"\A[A-Z]{1,3}\Z"), seq=st.integers(min_value=1, max_value=999_999))
def test_a_formatted_number_parses_back(prefix: str, seq: int) -> None:
    assert parse_number(format_number(prefix, seq)) == (prefix, seq)
