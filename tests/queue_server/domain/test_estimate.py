"""Wait estimates: whole rounds of the open desks, at a robust mean of recent service times."""

from __future__ import annotations

import pytest

from queue_server.domain.estimate import estimate_wait_s, mean_service_time


@pytest.mark.parametrize(
    ("ahead", "desks", "mean", "expected"),
    [
        (1, 1, 600, 600),
        (3, 1, 600, 1800),
        (3, 2, 600, 1200),   # ceil(3 / 2) = 2 rounds
        (4, 2, 600, 1200),
        (5, 2, 600, 1800),
        (6, 6, 300, 300),    # six desks take six tickets in one round
        (7, 6, 300, 600),
        (2, 1, 100.4, 201),  # rounded to whole seconds
    ],
)
def test_estimate_is_whole_rounds_of_the_open_desks(ahead: int, desks: int, mean: float, expected: int) -> None:
    assert estimate_wait_s(ahead, desks, mean) == expected


@pytest.mark.parametrize("ahead", [0, -1])
def test_nobody_ahead_means_no_wait(ahead: int) -> None:
    assert estimate_wait_s(ahead, 3, 600) == 0


def test_no_open_desk_is_estimated_as_one_desk() -> None:
    assert estimate_wait_s(3, 0, 600) == estimate_wait_s(3, 1, 600) == 1800


def test_more_desks_never_make_the_wait_longer() -> None:
    waits = [estimate_wait_s(10, d, 300) for d in range(1, 12)]
    assert waits == sorted(waits, reverse=True)


def test_with_too_few_samples_the_configured_time_stands_in() -> None:
    assert mean_service_time([], 540) == 540
    assert mean_service_time([10, 10], 540) == 540


def test_a_few_samples_are_blended_with_the_default() -> None:
    # 4 samples of 100 s: weight 4/20 for the observation, 16/20 for the default of 600 s
    assert mean_service_time([100, 100, 100, 100], 600) == pytest.approx(0.2 * 100 + 0.8 * 600)


def test_twenty_samples_are_trusted_alone() -> None:
    assert mean_service_time([300.0] * 20, 900) == pytest.approx(300)


def test_the_slowest_five_percent_are_left_out() -> None:
    samples = [200.0] * 38 + [5000.0, 9000.0]  # 40 samples: the two slowest are dropped
    assert mean_service_time(samples, 900) == pytest.approx(200)


def test_a_handful_of_very_short_services_does_not_promise_a_near_zero_wait() -> None:
    assert mean_service_time([1, 1, 1], 600) > 500
