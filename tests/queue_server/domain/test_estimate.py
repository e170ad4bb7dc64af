"""Wait estimates: whole rounds of the open desks, at a mean service time that the day's services teach."""

from __future__ import annotations

import pytest

from queue_server.domain.estimate import PRIOR_SERVICES, estimate_wait_s, mean_service_time, service_time


@pytest.mark.parametrize(
    ("ahead", "desks", "mean", "expected"),
    [
        (1, 1, 600, 600),
        (3, 1, 600, 1800),
        (3, 2, 600, 1200),  # ceil(3 / 2) = 2 rounds
        (4, 2, 600, 1200),
        (5, 2, 600, 1800),
        (6, 6, 300, 300),  # six desks take six tickets in one round
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


def test_before_any_service_the_configured_time_stands_in() -> None:
    assert mean_service_time([], 540) == 540
    assert service_time([], 540).cv == pytest.approx(0.6)


def test_the_configured_time_counts_as_a_couple_of_services() -> None:
    # identical samples: on the log scale the posterior centre is (k·log prior + n·log x) / (k + n)
    for n in (1, 3, 10):
        st = service_time([100.0] * n, 600)
        weight = n / (n + PRIOR_SERVICES)
        geometric = 100**weight * 600 ** (1 - weight)
        assert geometric < st.mean_s < geometric * 1.5  # the mean adds half the (shrunk) log variance
    assert mean_service_time([100.0] * 3, 600) < 0.5 * 600  # three services already outweigh the prior


def test_a_handful_of_services_outweigh_a_prior_five_times_too_long() -> None:
    assert mean_service_time([50.0, 60.0, 40.0, 55.0, 45.0], 250) < 90
    assert mean_service_time([900.0, 1100.0, 700.0, 950.0, 1050.0], 300) > 700


def test_it_is_the_same_at_every_time_scale() -> None:
    samples = [40.0, 55.0, 30.0, 70.0]
    for scale in (0.1, 1.0, 60.0):
        assert mean_service_time([x * scale for x in samples], 200 * scale) == pytest.approx(
            scale * mean_service_time(samples, 200)
        )


def test_many_services_give_their_own_mean() -> None:
    samples = [300.0 * f for f in (0.6, 0.8, 1.0, 1.2, 1.4)] * 10
    assert mean_service_time(samples, 900) == pytest.approx(300, rel=0.08)


def test_one_forgotten_finish_does_not_double_the_mean() -> None:
    samples = [200.0] * 19 + [6000.0]
    assert mean_service_time(samples, 200) < 1.6 * 200


def test_a_call_finished_at_once_is_short_not_zero() -> None:
    st = service_time([0.0, 0.0, 0.0], 600)
    assert 0 < st.mean_s < 600
