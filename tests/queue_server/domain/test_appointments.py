"""A service's appointment slots on a day: the grid within its opening ranges, in UTC, across a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from queue_server.domain.appointments import is_slot, slot_starts
from queue_server.domain.codes import CODE_ALPHABET, new_code, normalise_code
from queue_server.domain.hours import parse_weekly

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_slots_fill_each_range_and_end_within_it() -> None:
    hours = parse_weekly({"mon": ["08:00-09:00", "13:00-13:50"]})
    starts = [s.astimezone(HELSINKI).strftime("%H:%M") for s in slot_starts(hours, date(2026, 11, 30), 20, HELSINKI)]
    assert starts == ["08:00", "08:20", "08:40", "13:00", "13:20"]  # 13:40 would end after 13:50
    assert list(slot_starts(hours, date(2026, 12, 1), 20, HELSINKI)) == []  # Tuesday: closed


def test_a_service_without_hours_has_slots_around_the_clock() -> None:
    starts = list(slot_starts(parse_weekly(None), date(2026, 11, 30), 60, HELSINKI))
    assert len(starts) == 24 and starts[0] == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def test_the_grid_follows_local_time_on_the_day_the_clocks_go_back() -> None:
    hours = parse_weekly({"sun": "02:00-05:00"})
    starts = list(slot_starts(hours, date(2026, 10, 25), 60, HELSINKI))  # 04:00 EEST becomes 03:00 EET
    assert [s.astimezone(HELSINKI).strftime("%H:%M") for s in starts] == ["02:00", "03:00", "04:00"]


def test_a_start_is_a_slot_only_on_the_grid_and_within_the_hours() -> None:
    hours = parse_weekly({"mon": "08:00-12:00"})
    assert is_slot(hours, datetime(2026, 11, 30, 10, 15, tzinfo=HELSINKI), 15, HELSINKI)
    assert not is_slot(hours, datetime(2026, 11, 30, 10, 7, tzinfo=HELSINKI), 15, HELSINKI)
    assert not is_slot(hours, datetime(2026, 11, 30, 12, 0, tzinfo=HELSINKI), 15, HELSINKI)


def test_codes_use_letters_that_cannot_be_misread_and_typing_is_forgiven() -> None:
    codes = {new_code(6) for _ in range(200)}
    assert len(codes) == 200 and all(set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("0O1IL5S2Z8B") & set(CODE_ALPHABET)
    assert normalise_code(" k3m-9q x ") == "K3M9QX"
