"""The replay bounded to the first ``horizon`` tickets per service, with ``tail_s`` to extrapolate the rest."""

from __future__ import annotations

import random

import pytest

from queue_server.domain.estimate import Desk, ServiceRate, Snapshot, Waiting, call_order, predict

RATES = {
    "kela": ServiceRate(540, cv=0.6, no_show_share=0.05, no_show_s=90, priority_per_s=1 / 1800, leave_per_s=1 / 20_000),
    "library": ServiceRate(240, cv=0.5),
}


def _centre(n: int, seed: int = 3) -> tuple[list[Waiting], list[Desk]]:
    rng = random.Random(seed)
    waiting = [
        Waiting(
            i,
            rng.choice(("kela", "library")),
            rng.random() < 0.05,
            -10.0 * i,
            ("library",) if rng.random() < 0.1 else (),
        )
        for i in range(1, n + 1)
    ]
    desks = [
        Desk("k1", ("kela",), busy_service="kela", busy_for_s=120),
        Desk("k2", ("kela",)),
        Desk("k3", ("kela", "library"), busy_service="library", busy_for_s=30),
        Desk("l1", ("library",), busy_service="library", busy_for_s=200, busy_pending=("kela",)),
    ]
    return waiting, desks


@pytest.mark.parametrize("horizon", [40, 41, 1000])
def test_a_horizon_at_least_the_queue_gives_the_unbounded_result(horizon: int) -> None:
    waiting, desks = _centre(40)
    full = predict(Snapshot(0.0, waiting, desks, RATES))
    bounded = predict(Snapshot(0.0, waiting, desks, RATES, horizon=horizon))
    assert bounded.waits == full.waits and bounded.newcomer == full.newcomer
    assert bounded.tail_s == full.tail_s and bounded.desks == full.desks


def test_only_the_first_tickets_in_call_order_are_replayed_and_the_newcomer_is_left_to_the_caller() -> None:
    waiting, desks = _centre(300)
    p = predict(Snapshot(0.0, waiting, desks, RATES, horizon=25))
    for service in ("kela", "library"):
        order = sorted((w for w in waiting if w.service == service), key=call_order)
        assert {w.id for w in order[:25]} <= set(p.waits)
        assert not {w.id for w in order[25:]} & set(p.waits)
        assert service not in p.newcomer
        assert p.tail_s[service] > 0


@pytest.mark.parametrize(("length", "horizon", "leave_per_s"), [(400, 10, 0.0), (400, 40, 0.0), (200, 40, 1 / 50_000)])
def test_extrapolated_waits_stay_close_to_the_exact_ones_on_a_long_queue(
    length: int, horizon: int, leave_per_s: float
) -> None:
    # departures bend the exact curve (fewer left to serve the longer one waits), the extrapolation is a line:
    # with 7% an hour leaving, a 200-deep queue from 40 replayed stays within the bound, a 400-deep one not
    rate = {
        "kela": ServiceRate(
            540, cv=0.6, no_show_share=0.05, no_show_s=90, priority_per_s=1 / 3600, leave_per_s=leave_per_s
        )
    }
    waiting = [Waiting(i, "kela", False, -10.0 * (length - i)) for i in range(1, length + 1)]
    desks = [Desk(f"k{j}", ("kela",), busy_service="kela", busy_for_s=60.0 * j) for j in range(4)]
    exact = predict(Snapshot(0.0, waiting, desks, rate))
    bounded = predict(Snapshot(0.0, waiting, desks, rate, horizon=horizon))
    order = sorted(waiting, key=call_order)
    last = bounded.waits[order[horizon - 1].id]
    assert last == pytest.approx(exact.waits[order[horizon - 1].id])
    assert len(bounded.waits) == horizon
    for p in range(horizon + 1, length + 1):
        guess = last + (p - horizon) * bounded.tail_s["kela"]
        assert guess == pytest.approx(exact.waits[order[p - 1].id], rel=0.15)


def test_the_tail_is_a_desk_share_of_a_call() -> None:
    rate = {"kela": ServiceRate(600, cv=0.6)}
    p = predict(Snapshot(0.0, [], [Desk("a", ("kela",)), Desk("b", ("kela",)), Desk("c", ("kela",))], rate))
    assert p.tail_s["kela"] == pytest.approx(200)
