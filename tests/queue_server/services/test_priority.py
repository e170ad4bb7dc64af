"""Priority through the real call-next query: ratio-limited, per desk, and turned off by a ratio of 0."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from queue_server.services import desks
from queue_server.services.context import Context
from queue_server.services.tickets import issue_ticket
from tests.conftest import FakeClock


def fill(ctx: Context, clock: FakeClock, pattern: str, service: str = "kela") -> dict[str, str]:
    """Issue one ticket per letter of ``pattern`` (P = priority), a minute apart; number -> class."""
    classes = {}
    for c in pattern:
        clock.advance(60)
        view = issue_ticket(ctx, services=[service], language="fi", priority=c == "P").view
        classes[view.number] = c
    return classes


def serve(ctx: Context, clock: FakeClock, desk: str, limit: int = 100) -> list[str]:
    """Call and finish at ``desk`` until nobody waits; the numbers in call order."""
    order: list[str] = []
    for _ in range(limit):
        clock.advance(30)
        result = desks.call_next(ctx, desk, "user:1")
        if result.ticket is None:
            return order
        order.append(result.ticket.number)
        desks.finish(ctx, desk, "user:1")
    raise AssertionError("the queue never emptied")


@pytest.fixture
def ratio_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Callable[[int], Context]:
    def build(ratio: int) -> Context:
        data = copy.deepcopy(config_data)
        data["priority_ratio"] = ratio
        return make_app(data).extensions["vuoro"]

    return build


def test_ratio_two_calls_two_priority_then_one_normal(ctx: Context, clock: FakeClock) -> None:
    classes = fill(ctx, clock, "NNNN" + "PPPPPP")
    order = serve(ctx, clock, "d1")
    assert "".join(classes[n] for n in order) == "PPNPPNPPNN"
    normals = [n for n in order if classes[n] == "N"]
    priorities = [n for n in order if classes[n] == "P"]
    assert normals == sorted(normals) and priorities == sorted(priorities)  # each class in arrival order


def test_priority_arriving_later_still_goes_ahead(ctx: Context, clock: FakeClock) -> None:
    fill(ctx, clock, "NNN")
    fill(ctx, clock, "P")
    assert serve(ctx, clock, "d1") == ["K004", "K001", "K002", "K003"]


def test_only_priority_waiting_are_all_called(ctx: Context, clock: FakeClock) -> None:
    fill(ctx, clock, "PPPPP")
    assert serve(ctx, clock, "d1") == ["K001", "K002", "K003", "K004", "K005"]


def test_a_normal_ticket_arriving_after_a_long_priority_run_is_next(ctx: Context, clock: FakeClock) -> None:
    fill(ctx, clock, "PPPPPP")
    for _ in range(4):
        desks.call_next(ctx, "d1", "user:1")
        desks.finish(ctx, "d1", "user:1")
    fill(ctx, clock, "N")  # K007
    assert desks.call_next(ctx, "d1", "user:1").ticket.number == "K007"  # type: ignore[union-attr]


def test_the_streak_belongs_to_the_desk(ctx: Context, clock: FakeClock) -> None:
    classes = fill(ctx, clock, "NN" + "PPPP")
    first = serve_n(ctx, clock, "d1", 2)
    assert [classes[n] for n in first] == ["P", "P"]
    other = serve_n(ctx, clock, "d5", 1)
    assert [classes[n] for n in other] == ["P"]  # d5 has called no priority yet
    again = serve_n(ctx, clock, "d1", 1)
    assert [classes[n] for n in again] == ["N"]  # d1 has had its two in a row


def serve_n(ctx: Context, clock: FakeClock, desk: str, n: int) -> list[str]:
    out = []
    for _ in range(n):
        clock.advance(30)
        result = desks.call_next(ctx, desk, "user:1")
        assert result.ticket is not None
        out.append(result.ticket.number)
        desks.finish(ctx, desk, "user:1")
    return out


def test_ratio_one_alternates(ratio_app: Callable[[int], Context], clock: FakeClock) -> None:
    ctx = ratio_app(1)
    classes = fill(ctx, clock, "NNN" + "PPP")
    assert "".join(classes[n] for n in serve(ctx, clock, "d1")) == "PNPNPN"


def test_ratio_zero_serves_everyone_in_arrival_order(ratio_app: Callable[[int], Context], clock: FakeClock) -> None:
    ctx = ratio_app(0)
    fill(ctx, clock, "NPNNPP")
    assert serve(ctx, clock, "d1") == ["K001", "K002", "K003", "K004", "K005", "K006"]


def test_a_large_ratio_serves_all_priority_first(ratio_app: Callable[[int], Context], clock: FakeClock) -> None:
    ctx = ratio_app(100)
    classes = fill(ctx, clock, "NPNPNP")
    assert "".join(classes[n] for n in serve(ctx, clock, "d1")) == "PPPNNN"


def test_priority_ratio_applies_across_a_desks_services(ctx: Context, clock: FakeClock) -> None:
    classes = fill(ctx, clock, "NN", "library") | fill(ctx, clock, "PPP", "kela")
    assert "".join(classes[n] for n in serve(ctx, clock, "d2")) == "PPNPN"
