"""A desk's waiting list is the order call-next would take: checked against ``policy.choose`` called again and
again, the reference the SQL and the live model's candidate implement."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain import policy
from queue_server.domain.queue_model import DeskSpec, LiveTicket, QueueModel, Topology
from queue_server.domain.waiting_list import call_sequence
from tests.queue_server.domain.live_tickets import ticket

TOPOLOGY = Topology(
    services=("a", "b", "c"),
    desks=(DeskSpec("d1", ("a",), "z"), DeskSpec("d2", ("a", "b"), "z"), DeskSpec("d3", ("c",), "y")),
)


def reference(tickets: list[LiveTicket], services: tuple[str, ...], streak: int, ratio: int) -> list[int]:
    """Call next until nobody waits, by the policy's reference function."""
    left = [t for t in tickets if t.service in services]
    out = []
    while left:
        candidates = [policy.Candidate(t.id, t.priority, datetime.fromtimestamp(t.queued_at, UTC)) for t in left]
        chosen = policy.choose(candidates, streak, ratio)
        assert chosen is not None
        out.append(chosen.ticket_id)
        streak = policy.next_streak(streak, chosen.priority)
        left = [t for t in left if t.id != chosen.ticket_id]
    return out


specs = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(), st.integers(0, 30)), max_size=40)


@given(specs, st.sampled_from([("a",), ("a", "b"), ("c",)]), st.integers(0, 3), st.integers(0, 3), st.integers(1, 45))
@settings(max_examples=300)
def test_the_list_is_the_order_call_next_would_take(
    spec: list[tuple[str, bool, int]], services: tuple[str, ...], streak: int, ratio: int, limit: int
) -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    tickets = [ticket(i, s, p, q) for i, (s, p, q) in enumerate(spec)]
    for t in tickets:
        model.put(t)
    listed = [t.id for t in call_sequence(model, services, streak, ratio, limit)]
    assert listed == reference(tickets, services, streak, ratio)[:limit]


def test_after_ratio_priority_tickets_a_normal_one_comes_in_between() -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    for t in [ticket(1, "a", False, 1), *(ticket(i, "a", True, i) for i in range(2, 7))]:
        model.put(t)
    assert [t.id for t in call_sequence(model, ("a",), 0, 2, 10)] == [2, 3, 1, 4, 5, 6]
    assert [t.id for t in call_sequence(model, ("a",), 2, 2, 10)] == [1, 2, 3, 4, 5, 6]  # the streak is spent


def test_the_list_stops_at_its_limit_and_costs_no_more_than_that() -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    for i in range(5000):
        model.put(ticket(i, "a" if i % 2 else "b", i % 7 == 0, i))
    listed = call_sequence(model, ("a", "b"), 0, 2, 50)
    assert len(listed) == 50
    assert len({t.id for t in listed}) == 50


def test_an_empty_queue_gives_an_empty_list() -> None:
    assert call_sequence(QueueModel(TOPOLOGY, "2026-11-27"), ("a", "b"), 0, 2, 50) == []
