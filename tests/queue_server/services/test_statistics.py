"""Statistics read from the database: two known days played through the real use cases (see insight_days)."""

from __future__ import annotations

import csv
import io

import pytest

from queue_server.domain.errors import InvalidRequest, NotFound
from queue_server.domain.statistics import Durations
from queue_server.services.context import Context
from queue_server.services.statistics import build_report, to_csv, visit_counts
from tests.conftest import FakeClock
from tests.queue_server.insight_days import D1, D_KELA_COUNTS, D_LIBRARY_COUNTS, D, hours, play_both


def counts(s: object) -> tuple[int, ...]:
    return tuple(getattr(s, k) for k in ("errands", "visits", "served", "no_shows", "cancelled", "expired"))


@pytest.fixture
def played(ctx: Context, clock: FakeClock) -> Context:
    play_both(ctx, clock)
    return ctx


def test_day_d_per_service_matches_the_hand_computed_figures(played: Context) -> None:
    report = build_report(played, D, D)
    kela, library = report.by_service["kela"], report.by_service["library"]
    assert counts(kela) == D_KELA_COUNTS
    assert kela.wait == Durations(2, 270.0, 270.0, 294.0)  # 240, 300
    assert kela.service_time == Durations(2, 600.0, 600.0, 600.0)
    assert kela.served_within_target == 1.0
    assert kela.arrivals_per_hour == hours(h9=2, h23=1)
    assert counts(library) == D_LIBRARY_COUNTS
    assert library.wait == Durations(2, 930.0, 930.0, 1482.0)  # 240, 1620 (the no-show)
    assert library.served_within_target == 1.0  # only B was served, after 240 s
    assert library.arrivals_per_hour == hours(h9=2, h10=1)  # C 09:04, B's second errand 09:16, G 10:00


def test_day_d_as_a_whole(played: Context) -> None:
    s = build_report(played, D, D).summary
    assert counts(s) == (6, 5, 3, 1, 1, 1)
    assert s.wait == Durations(4, 600.0, 270.0, 1224.0)  # 240 240 300 1620
    assert s.service_time == Durations(3, 600.0, 600.0, 600.0)
    assert s.arrivals_per_hour == hours(h9=4, h10=1, h23=1)


def test_per_desk_figures_follow_the_desk_of_the_last_call(played: Context) -> None:
    by_desk = build_report(played, D, D).by_desk
    assert list(by_desk) == ["", "d1", "d2", "d3"]
    assert (by_desk["d3"].served, by_desk["d3"].no_shows, by_desk["d3"].wait.n) == (1, 1, 2)
    assert (by_desk[""].errands, by_desk[""].expired, by_desk[""].cancelled, by_desk[""].wait.n) == (2, 1, 1, 0)


def test_the_midnight_boundary_is_the_centres_not_utcs(played: Context) -> None:
    """F was issued at 00:10 Helsinki time, 22:10 UTC on the 26th: it counts on the 27th, in hour 0."""
    report = build_report(played, D, D1)
    assert list(report.by_day) == [D, D1]
    d1 = report.by_day[D1]
    assert counts(d1) == (1, 1, 1, 0, 0, 0)
    assert d1.arrivals_per_hour == hours(h0=1)
    assert d1.wait == Durations(1, 600.0, 600.0, 600.0)
    both = report.summary
    assert both.wait == Durations(5, 600.0, 300.0, 1212.0)  # 240 240 300 600 1620
    assert report.by_day[D].arrivals_per_hour[23] == 1  # E at 23:50 stays on day D


def test_a_service_filter_keeps_only_that_service(played: Context) -> None:
    report = build_report(played, D, D1, "library")
    assert list(report.by_service) == ["library"] and counts(report.summary) == D_LIBRARY_COUNTS


def test_ranges_default_to_today_and_refuse_nonsense(played: Context) -> None:
    assert build_report(played).start == played.today() == D1
    with pytest.raises(InvalidRequest):
        build_report(played, D1, D)
    with pytest.raises(NotFound):
        build_report(played, D, D, "nope")


def test_csv_has_one_row_per_day_and_service(played: Context) -> None:
    report = build_report(played, D, D1)
    rows = list(csv.DictReader(io.StringIO(to_csv(played, report, ("day", "service")))))
    assert [(r["day"], r["service"]) for r in rows] == [
        ("2026-11-26", "kela"),
        ("2026-11-26", "library"),
        ("2026-11-27", "kela"),
    ]
    lib = rows[1]
    assert (lib["errands"], lib["served"], lib["no_shows"], lib["cancelled"]) == ("3", "1", "1", "1")
    assert (lib["wait_mean_s"], lib["wait_median_s"], lib["wait_p90_s"]) == ("930.0", "930.0", "1482.0")
    assert lib["served_within_target"] == "1.0000" and lib["arrivals_09"] == "2" and lib["arrivals_10"] == "1"


def test_visits_today_and_in_total_count_tickets_not_errands(played: Context) -> None:
    assert visit_counts(played) == (1, 6)
