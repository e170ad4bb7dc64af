"""The live model's queues, positions and call-next candidate against plain reference computations."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain import policy
from queue_server.domain.forecast import HORIZON, Priors, forecast_group, groups
from queue_server.domain.queue_model import DeskSpec, LiveTicket, QueueModel, Topology
from tests.queue_server.domain.live_tickets import ticket

TOPOLOGY = Topology(
    services=("a", "b", "c"),
    desks=(DeskSpec("d1", ("a",), "z"), DeskSpec("d2", ("a", "b"), "z"), DeskSpec("d3", ("c",), "y")),
)
PRIORS = Priors({"a": 300.0, "b": 600.0, "c": 120.0}, priority_ratio=2)


tickets = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(), st.integers(0, 50)), max_size=40)


@given(tickets, st.lists(st.integers(0, 39), max_size=15))
@settings(max_examples=150)
def test_positions_are_the_rank_in_call_order_as_the_sql_counts_them(
    spec: list[tuple[str, bool, int]], dropped: list[int]
) -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    all_tickets = [ticket(i, s, p, q) for i, (s, p, q) in enumerate(spec)]
    for t in all_tickets:
        model.put(t)
    for i in dropped:
        model.drop(i)
    alive = [t for t in all_tickets if t.id in model.tickets]
    for t in alive:
        # services/queues.py's old SQL: priority tickets ahead of a normal one; within a class, earlier first
        ahead = [
            o
            for o in alive
            if o.service == t.service
            and o.id != t.id
            and (
                (o.priority and not t.priority)
                or (o.priority == t.priority and (o.queued_at, o.id) < (t.queued_at, t.id))
            )
        ]
        assert model.position(t) == len(ahead) + 1
    for s in TOPOLOGY.services:
        assert model.waiting_count(s) == sum(t.service == s for t in alive)


@given(tickets, st.integers(0, 4), st.integers(-1, 3))
@settings(max_examples=150)
def test_the_call_next_candidate_is_what_the_policy_chooses(
    spec: list[tuple[str, bool, int]], streak: int, ratio: int
) -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    all_tickets = [ticket(i, s, p, q) for i, (s, p, q) in enumerate(spec)]
    for t in all_tickets:
        model.put(t)
    services = ("a", "b")
    candidates = [
        policy.Candidate(t.id, t.priority, datetime.fromtimestamp(t.queued_at, UTC))
        for t in all_tickets
        if t.service in services
    ]
    chosen = policy.choose(candidates, streak, ratio)
    first = next((h for want in policy.priority_order(streak, ratio) if (h := model.head(services, want))), None)
    assert (first.id if first else None) == (chosen.ticket_id if chosen else None)


def test_a_ticket_moves_between_queues_and_desks_without_leaving_a_trace() -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    t = ticket(1, "a", False, 10)
    model.put(t)
    model.put(LiveTicket(**{**t.__dict__, "status": "called", "desk": "d2", "called_at": 20}))
    assert model.waiting_count("a") == 0 and model.at_desk("d2") is not None
    model.put(LiveTicket(**{**t.__dict__, "service": "b"}))  # a next errand at b, keeping its place
    assert model.at_desk("d2") is None and model.waiting_count("b") == 1
    model.put(LiveTicket(**{**t.__dict__, "status": "done", "service": "b"}))
    assert model.tickets == {} and model.by_token == {} and all(not q for q in model.queues.values())


def test_groups_join_services_that_share_a_desk() -> None:
    assert sorted(sorted(g) for g in groups(TOPOLOGY)) == [["a", "b"], ["c"]]


def test_a_forecast_replays_at_most_the_horizon_and_extrapolates_the_rest() -> None:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    for i in range(5_000):
        model.put(ticket(i, "c", False, i))
    model.set_desk("d3", "open", 0)
    fc = forecast_group(model, PRIORS, frozenset({"c"}), now_us=10_000)
    assert fc["c"].waiting == 5_000 and len(fc["c"].waits) == HORIZON and fc["c"].newcomer_s is None
    waits = [fc["c"].wait_for(p) for p in (1, HORIZON, HORIZON + 1, 2_500, 5_000, 5_001)]
    assert waits == sorted(waits) and waits[0] < waits[-1]
    # one open desk at c: every place further back adds about one service time (120 s, the prior)
    assert abs((waits[4] - waits[3]) / 2_500 - fc["c"].tail_s) < 1 and 60 < fc["c"].tail_s < 180
