"""The call-next policy: oldest first, priority ahead but at most ``ratio`` in a row while normal tickets wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.policy import Candidate, choose, next_streak, priority_order

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def queue(pattern: str) -> list[Candidate]:
    """``"NPNP"``: one ticket per letter, a minute apart, P for priority."""
    return [Candidate(i, c == "P", T0 + timedelta(minutes=i)) for i, c in enumerate(pattern)]


def serve_all(candidates: list[Candidate], ratio: int, streak: int = 0) -> str:
    """Call until the queue is empty (one desk); the classes called, as a string like ``PPNPPN``."""
    waiting = list(candidates)
    called = []
    while waiting:
        pick = choose(waiting, streak, ratio)
        assert pick is not None
        waiting.remove(pick)
        streak = next_streak(streak, pick.priority)
        called.append("P" if pick.priority else "N")
    assert choose(waiting, streak, ratio) is None
    return "".join(called)


@pytest.mark.parametrize(("streak", "first"), [(0, True), (1, True), (2, False), (5, False)])
def test_priority_goes_first_until_the_streak_reaches_the_ratio(streak: int, first: bool) -> None:
    order = priority_order(streak, 2)
    assert order[0] is first


def test_streak_counts_priority_calls_in_a_row_and_resets_on_a_normal_call() -> None:
    assert next_streak(0, True) == 1
    assert next_streak(1, True) == 2
    assert next_streak(2, False) == 0


def test_ratio_two_calls_two_priority_then_one_normal_while_normal_wait() -> None:
    assert serve_all(queue("NNNN" + "PPPPPPPP"), ratio=2) == "PPNPPNPPNPPN"


def test_all_priority_are_called_when_no_normal_ticket_waits() -> None:
    assert serve_all(queue("PPPPP"), ratio=2) == "PPPPP"


def test_normal_tickets_are_called_in_order_when_no_priority_waits() -> None:
    waiting = queue("NNN")
    order = []
    streak = 0
    while (pick := choose(waiting, streak, 2)) is not None:
        waiting.remove(pick)
        streak = next_streak(streak, pick.priority)
        order.append(pick.ticket_id)
    assert order == [0, 1, 2]


def test_ratio_one_alternates() -> None:
    assert serve_all(queue("NNNPPP"), ratio=1) == "PNPNPN"


def test_a_long_priority_streak_yields_to_the_first_normal_ticket() -> None:
    # the desk called 5 priority tickets while nobody else waited; a normal ticket arrives
    pick = choose(queue("PPN"), streak=5, ratio=2)
    assert pick is not None and not pick.priority


def test_within_a_class_the_longest_waiting_goes_first() -> None:
    waiting = [
        Candidate(1, True, T0 + timedelta(minutes=5)),
        Candidate(2, True, T0 + timedelta(minutes=1)),
        Candidate(3, False, T0),
    ]
    pick = choose(waiting, 0, 2)
    assert pick is not None and pick.ticket_id == 2


def test_equal_arrival_times_are_broken_by_ticket_id() -> None:
    waiting = [Candidate(9, False, T0), Candidate(4, False, T0), Candidate(7, False, T0)]
    pick = choose(waiting, 0, 2)
    assert pick is not None and pick.ticket_id == 4


def test_ratio_zero_turns_priority_off_and_calls_in_arrival_order() -> None:
    waiting = queue("NPNPP")
    order = []
    while (pick := choose(waiting, 0, 0)) is not None:
        waiting.remove(pick)
        order.append(pick.ticket_id)
    assert order == [0, 1, 2, 3, 4]


def test_no_candidates_means_nobody_to_call() -> None:
    assert choose([], 0, 2) is None


@given(pattern=st.text(alphabet="NP", max_size=30), ratio=st.integers(min_value=1, max_value=4))
def test_never_more_than_ratio_priority_in_a_row_while_a_normal_ticket_waits(pattern: str, ratio: int) -> None:
    called = serve_all(queue(pattern), ratio)
    assert sorted(called) == sorted(pattern)  # everyone is called exactly once
    normals_left = called.count("N")
    streak = 0
    for c in called:
        if c == "P":
            streak += 1
            if normals_left:
                assert streak <= ratio, called
        else:
            streak = 0
            normals_left -= 1
