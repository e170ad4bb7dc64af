"""The replay estimator (estimate.predict) and its benchmark against the naive baseline."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from queue_server.domain.estimate import (
    NO_SHOW_SHARE,
    Desk,
    ServiceRate,
    Snapshot,
    Waiting,
    baseline_wait_s,
    predict,
    remaining_s,
    service_rate,
)

# fixed-length visits (cv 0): the replay's arithmetic is exact; the spread's effects are tested on their own
R = {"kela": ServiceRate(600, cv=0.0), "library": ServiceRate(300, cv=0.0)}


def snap(waiting: list[Waiting], desks: list[Desk], rates: dict[str, ServiceRate] = R, ratio: int = 2) -> Snapshot:
    return Snapshot(now=0.0, waiting=waiting, desks=desks, rates=rates, priority_ratio=ratio)


def test_idle_open_desks_call_at_once_then_after_one_service() -> None:
    p = predict(
        snap([Waiting(i, "kela", False, -100 + i) for i in range(1, 5)], [Desk("d1", ("kela",)), Desk("d5", ("kela",))])
    )
    assert [p.waits[i] for i in range(1, 5)] == [0, 0, 600, 600]
    assert p.newcomer["kela"] == 1200


def test_without_an_open_desk_one_stand_in_desk_is_busy_for_one_service() -> None:
    p = predict(snap([Waiting(1, "kela", False, -10)], []))
    assert p.waits[1] == 600 and p.newcomer["kela"] == 1200 and p.newcomer["library"] == 300


def test_a_busy_desk_frees_up_after_the_expected_remaining_time() -> None:
    left = remaining_s(600, 0.6, 500)
    assert 100 < left < 600  # a long service tends to go on: more than mean - elapsed
    rates = {"kela": ServiceRate(600, cv=0.6)}
    p = predict(
        snap([Waiting(1, "kela", False, -10)], [Desk("d1", ("kela",), busy_service="kela", busy_for_s=500)], rates)
    )
    # quoted as the median of that remaining time (lognormal with its spread): a little less than the mean
    assert 0.75 * left < p.waits[1] < left
    assert remaining_s(600, 0.6, 0) == 600


def test_an_overrun_visit_leaves_a_share_of_the_mean_at_every_scale() -> None:
    assert remaining_s(600, 0.6, 60_000) == pytest.approx(60)
    assert remaining_s(30, 0.6, 3_000) == pytest.approx(3)
    assert remaining_s(600, 0.0, 590) == pytest.approx(60)


def test_the_first_of_several_busy_desks_frees_up_sooner_than_any_one_is_expected_to() -> None:
    rates = {"kela": ServiceRate(600, cv=0.6)}
    desks = [Desk(f"d{i}", ("kela",), busy_service="kela", busy_for_s=100.0 * i) for i in range(4)]
    p = predict(snap([Waiting(1, "kela", False, -10)], desks, rates))
    soonest = min(remaining_s(600, 0.6, 100.0 * i) for i in range(4))
    assert p.waits[1] < 0.75 * soonest
    alone = predict(snap([Waiting(1, "kela", False, -10)], desks[:1], rates))
    assert alone.waits[1] > p.waits[1]


def test_with_spread_waits_are_quoted_as_medians_below_the_mean() -> None:
    waiting = [Waiting(i, "kela", False, -100 + i) for i in range(1, 6)]
    fixed = predict(snap(waiting, [Desk("d1", ("kela",))], {"kela": ServiceRate(600, cv=0.0)}))
    spread = predict(snap(waiting, [Desk("d1", ("kela",))], {"kela": ServiceRate(600, cv=0.6)}))
    for i in range(2, 6):
        assert spread.waits[i] < fixed.waits[i]
        assert spread.waits[i] > 0.75 * fixed.waits[i]
    # the more visits a wait sums, the less skewed it is: the median approaches the mean
    assert spread.waits[5] / fixed.waits[5] > spread.waits[2] / fixed.waits[2]


def test_a_desk_shared_by_two_services_serves_the_longest_waiting_first() -> None:
    waiting = [Waiting(1, "library", False, -300), Waiting(2, "kela", False, -200), Waiting(3, "library", False, -100)]
    p = predict(snap(waiting, [Desk("d2", ("kela", "library"))]))
    assert (p.waits[1], p.waits[2], p.waits[3]) == (0, 300, 900)


def test_priority_goes_first_but_at_most_ratio_in_a_row() -> None:
    waiting = [Waiting(1, "kela", False, -500)] + [Waiting(i, "kela", True, -400 + i) for i in range(2, 5)]
    p = predict(snap(waiting, [Desk("d1", ("kela",))], ratio=2))
    assert [p.waits[i] for i in (2, 3, 1, 4)] == [0, 600, 1200, 1800]


def test_a_ticket_with_another_errand_rejoins_the_next_queue_at_its_old_place() -> None:
    # K is at desk d1 for kela (100 s), then library; a library ticket issued after K waits behind it at d3
    rates = {**R, "kela": ServiceRate(100)}
    p = predict(
        snap(
            [Waiting(2, "library", False, -50)],
            [
                Desk("d1", ("kela",), busy_service="kela", busy_pending=("library",), busy_queued_at=-100),
                Desk("d3", ("library",), busy_service="library", busy_for_s=0),
            ],
            rates,
        )
    )
    assert p.waits[2] == 600  # d3 frees at 300, takes K (back since 100, older place), then ticket 2 at 600


def test_future_priority_arrivals_and_departures_stretch_and_shrink_waits() -> None:
    base = predict(snap([Waiting(i, "kela", False, -i) for i in range(1, 4)], [Desk("d1", ("kela",))]))
    busy = predict(
        snap(
            [Waiting(i, "kela", False, -i) for i in range(1, 4)],
            [Desk("d1", ("kela",))],
            {**R, "kela": ServiceRate(600, priority_per_s=1 / 3600)},
        )
    )
    leaving = predict(
        snap(
            [Waiting(i, "kela", False, -i) for i in range(1, 4)],
            [Desk("d1", ("kela",))],
            {**R, "kela": ServiceRate(600, leave_per_s=1 / 3600)},
        )
    )
    assert busy.waits[1] > base.waits[1] and leaving.waits[1] < base.waits[1]


def test_service_rates_come_from_recent_times_and_shrink_small_counts() -> None:
    assert service_rate([], 540).mean_s == 540 and service_rate([], 540).no_show_share == 0
    r = service_rate([300.0] * 20, 900, called=30, no_shows=4, priority_last_hour=6, left_waiting=2, waited_s=7200)
    assert r.mean_s == pytest.approx(300, rel=0.15) and r.no_show_share == pytest.approx(0.1)
    assert r.priority_per_s == pytest.approx(6 / 3600) and r.leave_per_s == pytest.approx(2 / 7200)
    assert 0 < r.cv < 0.3  # identical samples: the spread shrinks from the prior's, with no fixed clamp


def test_a_no_show_costs_a_share_of_a_visit_until_one_was_timed() -> None:
    short = service_rate([40.0] * 10, 40, called=10, no_shows=5)
    assert short.no_show_s is None
    assert short.per_call_s == pytest.approx(short.mean_s * (1 - short.no_show_share * (1 - NO_SHOW_SHARE)))
    timed = service_rate([40.0] * 10, 40, called=10, no_shows=5, no_show_s=90)
    assert timed.per_call_s > short.per_call_s


def test_with_priority_off_both_classes_go_by_arrival() -> None:
    waiting = [Waiting(1, "kela", False, -500), Waiting(2, "kela", True, -400)]
    p = predict(snap(waiting, [Desk("d1", ("kela",))], ratio=0))
    assert (p.waits[1], p.waits[2]) == (0, 600)


def test_the_baseline_is_queue_ahead_times_mean_over_desks() -> None:
    assert baseline_wait_s(1, 2, 600) == 0 and baseline_wait_s(5, 2, 600) == 1200 and baseline_wait_s(3, 0, 60) == 120


def test_the_replay_estimator_beats_the_baseline_on_a_simulated_day() -> None:
    path = Path(__file__).resolve().parents[3] / "bench" / "estimates.py"
    spec = importlib.util.spec_from_file_location("bench_estimates", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.modules.pop(spec.name, None)
    results, issued, measured = bench.simulate(1, 7, path.parents[1] / "config.yaml")
    assert measured > 500
    _, base_mae, base_within, _ = results["baseline"].row()
    _, mae, within, bias = results["vuoro"].row()
    assert mae < base_mae and within > base_within and not math.isnan(bias)
