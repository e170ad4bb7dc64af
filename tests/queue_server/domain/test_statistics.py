"""Statistics as pure functions: a known day of events, every figure computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.statistics import (
    APPOINTMENT,
    CANCELLED,
    EXPIRED,
    NO_SHOW,
    SERVED,
    TRANSFERRED,
    WALK_IN,
    Cell,
    Durations,
    Event,
    FeedbackAnswer,
    build_cells,
    build_errands,
    group,
    percentile,
    summarize,
    summarize_feedback,
)

HEL = ZoneInfo("Europe/Helsinki")
DAY = date(2026, 11, 27)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HEL).astimezone(UTC)


class Log:
    """Builds an event log the way the services write it: one id sequence, business day per ticket."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(
        self,
        ticket: int,
        when: str,
        kind: str,
        service: str,
        *,
        desk: str | None = None,
        to: str | None = None,
        day: date = DAY,
        due: str | None = None,
    ) -> None:
        self.events.append(
            Event(
                len(self.events) + 1,
                ticket,
                day,
                local(when),
                kind,
                service,
                to,
                desk,
                None if due is None else local(due),
            )
        )


@pytest.fixture
def known_day() -> Log:
    log = Log()
    # 1: kela, waits 5 min, served at d1 for 10 min 30 s
    log.add(1, "2026-11-27 10:00:00", "issued", "kela")
    log.add(1, "2026-11-27 10:05:00", "called", "kela", desk="d1")
    log.add(1, "2026-11-27 10:06:00", "started", "kela", desk="d1")
    log.add(1, "2026-11-27 10:15:30", "finished", "kela", desk="d1")
    # 2: kela, waits 20 min, does not come
    log.add(2, "2026-11-27 10:01:00", "issued", "kela")
    log.add(2, "2026-11-27 10:21:00", "called", "kela", desk="d5")
    log.add(2, "2026-11-27 10:23:00", "no_show", "kela", desk="d5")
    # 3: kela then library: 8 min + 10 min at d2, then 5 min 30 s + 4 min 30 s at d3
    log.add(3, "2026-11-27 10:02:00", "issued", "kela")
    log.add(3, "2026-11-27 10:10:00", "called", "kela", desk="d2")
    log.add(3, "2026-11-27 10:20:00", "next_errand", "kela", desk="d2", to="library")
    log.add(3, "2026-11-27 10:25:30", "called", "library", desk="d3")
    log.add(3, "2026-11-27 10:30:00", "finished", "library", desk="d3")
    # 4: library, gives up while waiting
    log.add(4, "2026-11-27 11:00:00", "issued", "library")
    log.add(4, "2026-11-27 11:10:00", "cancelled", "library")
    # 5: kela, called at d1 (wait 10 min), recalled, returned, called again at d5, served for 5 min
    log.add(5, "2026-11-27 10:30:00", "issued", "kela")
    log.add(5, "2026-11-27 10:40:00", "called", "kela", desk="d1")
    log.add(5, "2026-11-27 10:41:00", "recalled", "kela", desk="d1")
    log.add(5, "2026-11-27 10:42:00", "returned", "kela", desk="d1")
    log.add(5, "2026-11-27 10:50:00", "called", "kela", desk="d5")
    log.add(5, "2026-11-27 10:55:00", "finished", "kela", desk="d5")
    # 6: ten past midnight local time is still 22:10 UTC the day before: it belongs to the 27th, hour 0
    log.add(6, "2026-11-27 00:10:00", "issued", "kela")
    log.add(6, "2026-11-27 00:12:00", "cancelled", "kela")
    # 7: kela, transferred to the library while waiting, then left over and expired the next morning
    log.add(7, "2026-11-27 12:00:00", "issued", "kela")
    log.add(7, "2026-11-27 12:05:00", "transferred", "kela", to="library")
    log.add(7, "2026-11-28 09:00:00", "expired", "library")
    return log


def test_errands_follow_the_definitions(known_day: Log) -> None:
    errands = {(e.service_key, e.queued_at): e for e in build_errands(known_day.events)}
    t1 = errands[("kela", local("2026-11-27 10:00:00"))]
    assert (t1.wait_s, t1.service_s, t1.outcome, t1.desk_key, t1.visit) == (300, 630, SERVED, "d1", True)
    t2 = errands[("kela", local("2026-11-27 10:01:00"))]
    assert (t2.wait_s, t2.service_s, t2.outcome, t2.desk_key) == (1200, None, NO_SHOW, "d5")
    t3a = errands[("kela", local("2026-11-27 10:02:00"))]
    t3b = errands[("library", local("2026-11-27 10:20:00"))]
    assert (t3a.wait_s, t3a.service_s, t3a.outcome, t3a.visit) == (480, 600, SERVED, True)
    assert (t3b.wait_s, t3b.service_s, t3b.outcome, t3b.visit, t3b.desk_key) == (330, 270, SERVED, False, "d3")
    t4 = errands[("library", local("2026-11-27 11:00:00"))]
    assert (t4.wait_s, t4.outcome, t4.desk_key) == (None, CANCELLED, None)
    # the wait ends at the first call; the service time starts at the last one; the desk is the last caller's
    t5 = errands[("kela", local("2026-11-27 10:30:00"))]
    assert (t5.wait_s, t5.service_s, t5.outcome, t5.desk_key) == (600, 300, SERVED, "d5")
    t7a = errands[("kela", local("2026-11-27 12:00:00"))]
    t7b = errands[("library", local("2026-11-27 12:05:00"))]
    assert (t7a.outcome, t7a.wait_s, t7b.outcome, t7b.business_day) == (TRANSFERRED, None, EXPIRED, DAY)
    assert len(errands) == 9


def test_fractions_of_a_second_are_dropped() -> None:
    log = Log()
    log.add(1, "2026-11-27 10:00:00.900", "issued", "kela")
    log.add(1, "2026-11-27 10:01:00.800", "called", "kela", desk="d1")
    log.add(1, "2026-11-27 10:02:00.900", "finished", "kela", desk="d1")
    (errand,) = build_errands(log.events)
    assert (errand.wait_s, errand.service_s) == (59, 60)


def test_percentiles_interpolate_between_closest_ranks() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert percentile([10, 20, 30], 50) == 20
    assert percentile([10, 20, 30], 90) == pytest.approx(28)
    assert percentile([7], 90) == 7
    assert percentile([1, 5], 0) == 1 and percentile([1, 5], 100) == 5
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_kela_figures_match_the_hand_computed_values(known_day: Log) -> None:
    cells = build_cells(build_errands(known_day.events), HEL)
    kela = summarize([c for c in cells if c.service_key == "kela"], {"kela": 500})
    # errands 1, 2, 3a, 5, 6, 7a; visits: all six started at the kiosk
    assert (kela.errands, kela.visits, kela.served, kela.no_shows, kela.cancelled, kela.expired, kela.transferred) == (
        6,
        6,
        3,
        1,
        1,
        0,
        1,
    )
    # waits of called errands: 300, 480, 600 (served) and 1200 (no-show)
    assert kela.wait == Durations(4, 645.0, 540.0, 1020.0)
    # service times: 630, 600, 300
    assert kela.service_time == Durations(3, 510.0, 600.0, 624.0)
    # served within 500 s: 300 and 480 of 300, 480, 600
    assert kela.served_within_target == pytest.approx(2 / 3)
    expected_hours = [0] * 24
    expected_hours[0] = 1
    expected_hours[10] = 4
    expected_hours[12] = 1
    assert kela.arrivals_per_hour == expected_hours


def test_library_figures_and_the_whole_day(known_day: Log) -> None:
    cells = build_cells(build_errands(known_day.events), HEL)
    library = summarize([c for c in cells if c.service_key == "library"], {})
    assert (library.errands, library.visits, library.served, library.cancelled, library.expired) == (3, 1, 1, 1, 1)
    assert library.wait == Durations(1, 330.0, 330.0, 330.0)
    assert library.served_within_target == 1.0  # no target given: every served errand counts as within
    day = summarize(cells, {"kela": 500, "library": 300})
    assert (day.errands, day.visits, day.served) == (9, 7, 4)
    assert day.wait == Durations(5, 582.0, 480.0, 960.0)  # 300 330 480 600 1200
    assert day.served_within_target == 0.5  # 300 (kela) of 300/480/600 kela, 330 > 300 library


def test_cells_split_by_day_service_and_desk(known_day: Log) -> None:
    cells = {c.key: c for c in build_cells(build_errands(known_day.events), HEL)}
    assert set(cells) == {
        (DAY, "kela", "d1", WALK_IN),
        (DAY, "kela", "d2", WALK_IN),
        (DAY, "kela", "d5", WALK_IN),
        (DAY, "kela", "", WALK_IN),
        (DAY, "library", "d3", WALK_IN),
        (DAY, "library", "", WALK_IN),
    }
    d5 = cells[(DAY, "kela", "d5", WALK_IN)]
    assert (d5.errands, d5.served, d5.no_shows, d5.served_waits_s, d5.other_waits_s, d5.service_times_s) == (
        2,
        1,
        1,
        [600],
        [1200],
        [300],
    )
    by_desk = group(cells.values(), lambda c: c.desk_key, {})
    assert list(by_desk) == ["", "d1", "d2", "d3", "d5"]
    assert by_desk["d1"].service_time.mean_s == 630.0


def test_the_midnight_boundary_follows_the_centres_time_zone() -> None:
    log = Log()
    before = DAY - timedelta(days=1)
    log.add(1, "2026-11-26 23:59:59", "issued", "kela", day=before)  # 21:59:59 UTC on the 26th
    log.add(2, "2026-11-27 00:00:00", "issued", "kela")  # 22:00:00 UTC on the 26th
    by_day = group(build_cells(build_errands(log.events), HEL), lambda c: c.business_day, {})
    assert by_day[before].errands == 1 and by_day[before].arrivals_per_hour[23] == 1
    assert by_day[DAY].errands == 1 and by_day[DAY].arrivals_per_hour[0] == 1


def test_cells_merge_like_the_errands_they_hold(known_day: Log) -> None:
    """Summing stored cells gives what the errands give directly: what retention relies on."""
    cells = build_cells(build_errands(known_day.events), HEL)
    copies = [Cell(**{**c.__dict__}) for c in cells]
    assert summarize(copies, {"kela": 500}) == summarize(cells, {"kela": 500})


def test_feedback_is_counted_per_rating_and_category() -> None:
    answers = [
        FeedbackAnswer(DAY, "kela", 5, None),
        FeedbackAnswer(DAY, "kela", 2, "waiting_time"),
        FeedbackAnswer(DAY, "library", 4, "noise"),
    ]
    summary = summarize_feedback(answers)
    assert summary.answers == 3 and summary.mean_rating == pytest.approx(11 / 3)
    assert summary.ratings == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert summary.categories == {"signage": 0, "noise": 1, "privacy": 0, "waiting_time": 1, "service": 0}
    assert summarize_feedback([]).mean_rating is None


def test_appointments_are_their_own_kind_with_punctuality_and_their_next_errand_is_a_walk_in() -> None:
    log = Log()
    # checked in 09:45 for 10:00, called 10:02 (2 min late), served; then the library as a walk-in
    log.add(1, "2026-11-27 09:45:00", "issued", "kela", due="2026-11-27 10:00:00")
    log.add(1, "2026-11-27 10:02:00", "called", "kela", desk="d1", due="2026-11-27 10:00:00")
    log.add(1, "2026-11-27 10:10:00", "next_errand", "kela", to="library", desk="d1", due="2026-11-27 10:00:00")
    log.add(1, "2026-11-27 10:15:00", "called", "library", desk="d3", due="2026-11-27 10:00:00")
    log.add(1, "2026-11-27 10:20:00", "finished", "library", desk="d3", due="2026-11-27 10:00:00")
    # checked in 10:20 for 10:30, called at 10:29:30 (early: -30 s), no-show
    log.add(2, "2026-11-27 10:20:00", "issued", "kela", due="2026-11-27 10:30:00")
    log.add(2, "2026-11-27 10:29:30", "called", "kela", desk="d1", due="2026-11-27 10:30:00")
    log.add(2, "2026-11-27 10:31:00", "no_show", "kela", desk="d1", due="2026-11-27 10:30:00")
    # a walk-in: waits 3 min
    log.add(3, "2026-11-27 10:00:00", "issued", "kela")
    log.add(3, "2026-11-27 10:03:00", "called", "kela", desk="d2")
    log.add(3, "2026-11-27 10:08:00", "finished", "kela", desk="d2")
    cells = build_cells(build_errands(log.events), HEL)
    kinds = group(cells, lambda c: c.kind, {})
    assert list(kinds) == [APPOINTMENT, WALK_IN]
    appointment, walk_in = kinds[APPOINTMENT], kinds[WALK_IN]
    assert (appointment.errands, appointment.served, appointment.no_shows, appointment.appointments) == (2, 1, 1, 2)
    assert appointment.wait == Durations(2, 795.0, 795.0, 975.0)  # 17 min, 9 min 30 s
    assert appointment.punctuality == Durations(2, 45.0, 45.0, 105.0)  # -30 s and 120 s
    assert (walk_in.errands, walk_in.appointments, walk_in.punctuality.n) == (2, 0, 0)  # kela 3, library 1
    assert walk_in.wait == Durations(2, 240.0, 240.0, 288.0)  # 3 min and 5 min
    everything = summarize(cells, {})
    assert (everything.errands, everything.appointments, everything.punctuality.n) == (4, 2, 2)
