"""Residual visit times and the race of busy desks (queue_server.domain.lognormal)."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from queue_server.domain.lognormal import Residual, order_statistics


def _draw(r: Residual, rng: random.Random) -> float:
    """A residual drawn by rejection: a lognormal visit that has lasted ``elapsed_s`` already."""
    s2 = math.log(1 + r.cv * r.cv)
    mu = math.log(r.mean_s) - s2 / 2
    while True:
        x = rng.lognormvariate(mu, s2**0.5)
        if x > r.elapsed_s:
            return x - r.elapsed_s


def test_a_visit_just_started_has_its_whole_mean_left() -> None:
    assert Residual(300, 0.6, 0).mean() == 300


def test_the_residual_mean_matches_a_simulation() -> None:
    rng = random.Random(5)
    r = Residual(300, 0.6, 250)
    assert statistics.fmean(_draw(r, rng) for _ in range(20_000)) == pytest.approx(r.mean(), rel=0.03)


def test_the_order_statistics_of_racing_desks_match_a_simulation() -> None:
    rng = random.Random(11)
    desks = [Residual(540, 0.6, 10), Residual(540, 0.6, 200), Residual(540, 0.6, 450), None]
    expected = order_statistics(desks)
    runs = [sorted([0.0] + [_draw(r, rng) for r in desks if r is not None]) for _ in range(10_000)]
    for j in range(4):
        assert expected[j] == pytest.approx(statistics.fmean(run[j] for run in runs), rel=0.03, abs=1.0)
    assert expected[0] == 0.0  # the free desk
    # the order statistics share out the same total time as the desks' own expectations
    assert sum(expected) == pytest.approx(sum(r.mean() for r in desks if r is not None), rel=0.01)


def test_fixed_length_visits_free_up_in_order() -> None:
    assert order_statistics([Residual(100, 0.0, 30), Residual(100, 0.0, 80)]) == pytest.approx([20, 70], abs=1.0)
