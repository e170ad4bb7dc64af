"""The replay estimator (estimate.predict) and its benchmark against the naive baseline."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from queue_server.domain.estimate import (
    Desk,
    ServiceRate,
    Snapshot,
    Waiting,
    baseline_wait_s,
    predict,
    remaining_s,
    service_rate,
)

R = {"kela": ServiceRate(600, cv=0.6), "library": ServiceRate(300, cv=0.6)}


def snap(waiting: list[Waiting], desks: list[Desk], rates: dict[str, ServiceRate] = R, ratio: int = 2) -> Snapshot:
    return Snapshot(now=0.0, waiting=waiting, desks=desks, rates=rates, priority_ratio=ratio)


def test_idle_open_desks_call_at_once_then_after_one_service() -> None:
    p = predict(snap([Waiting(i, "kela", False, -100 + i) for i in range(1, 5)],
                     [Desk("d1", ("kela",)), Desk("d5", ("kela",))]))
    assert [p.waits[i] for i in range(1, 5)] == [0, 0, 600, 600]
    assert p.newcomer["kela"] == 1200


def test_without_an_open_desk_one_stand_in_desk_is_busy_for_one_service() -> None:
    p = predict(snap([Waiting(1, "kela", False, -10)], []))
    assert p.waits[1] == 600 and p.newcomer["kela"] == 1200 and p.newcomer["library"] == 300


def test_a_busy_desk_frees_up_after_the_expected_remaining_time() -> None:
    left = remaining_s(600, 0.6, 500)
    assert 100 < left < 600  # a long service tends to go on: more than mean - elapsed
    p = predict(snap([Waiting(1, "kela", False, -10)], [Desk("d1", ("kela",), busy_service="kela", busy_for_s=500)]))
    assert p.waits[1] == pytest.approx(left)
    assert remaining_s(600, 0.6, 0) == 600


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
    p = predict(snap([Waiting(2, "library", False, -50)],
                     [Desk("d1", ("kela",), busy_service="kela", busy_pending=("library",), busy_queued_at=-100),
                      Desk("d3", ("library",), busy_service="library", busy_for_s=0)], rates))
    assert p.waits[2] == 600  # d3 frees at 300, takes K (back since 100, older place), then ticket 2 at 600


def test_future_priority_arrivals_and_departures_stretch_and_shrink_waits() -> None:
    base = predict(snap([Waiting(i, "kela", False, -i) for i in range(1, 4)], [Desk("d1", ("kela",))]))
    busy = predict(snap([Waiting(i, "kela", False, -i) for i in range(1, 4)], [Desk("d1", ("kela",))],
                        {**R, "kela": ServiceRate(600, priority_per_s=1 / 3600)}))
    leaving = predict(snap([Waiting(i, "kela", False, -i) for i in range(1, 4)], [Desk("d1", ("kela",))],
                           {**R, "kela": ServiceRate(600, leave_per_s=1 / 3600)}))
    assert busy.waits[1] > base.waits[1] and leaving.waits[1] < base.waits[1]


def test_service_rates_come_from_recent_times_and_shrink_small_counts() -> None:
    assert service_rate([], 540).mean_s == 540 and service_rate([], 540).no_show_share == 0
    r = service_rate([300.0] * 20, 900, called=30, no_shows=4, priority_last_hour=6, left_waiting=2, waited_s=7200)
    assert r.mean_s == pytest.approx(300) and r.no_show_share == pytest.approx(0.1)
    assert r.priority_per_s == pytest.approx(6 / 3600) and r.leave_per_s == pytest.approx(2 / 7200)
    assert r.cv == 0.2  # identical samples: clipped to the floor


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
