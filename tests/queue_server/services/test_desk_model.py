"""Model-based test of the desk use cases: random days of kiosks and desks against a small reference model.

The model keeps every ticket's state and each desk's priority streak, and predicts every call with
:func:`queue_server.domain.policy.choose` -- the reference that the SQL of ``call_next`` implements.  After each
step the database must agree with the model, ticket by ticket, and the event log must hold one row per change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from queue_server.domain import policy
from queue_server.domain.errors import DeskBusy, InvalidTransition, NoCurrentTicket, NotServedHere
from queue_server.models import Counter, DeskState, Ticket, TicketEvent
from queue_server.services import desks
from queue_server.services.context import Context
from queue_server.services.tickets import cancel_ticket, issue_ticket
from tests.conftest import FakeClock

START = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 in Helsinki
SERVICES = ["kela", "library", "health", "mental"]
DESKS = ["d1", "d2", "d3", "h1", "d5"]
ACTOR = "user:1"


@dataclass
class T:
    number: str
    token: str
    order: int
    service: str
    pending: list[str]
    priority: bool
    queued_at: datetime
    status: str = "waiting"
    desk: str | None = None


@dataclass
class Model:
    tickets: list[T] = field(default_factory=list)
    streaks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DESKS, 0))
    seqs: dict[str, int] = field(default_factory=dict)
    events: int = 0

    def at(self, desk: str) -> T | None:
        return next((t for t in self.tickets if t.desk == desk and t.status in ("called", "serving")), None)


def reset(ctx: Context) -> None:
    with ctx.db.writer() as session:
        for table in (TicketEvent, Ticket, Counter, DeskState):
            session.execute(sa.delete(table))
    assert ctx.live is not None
    # the live model names call_next's candidates: left holding the last example's tickets, it offers a stale id
    # that a new ticket reuses (SQLite restarts the rowid), and the desk calls that one instead of the best
    ctx.live.rebuild("the test emptied the tables behind the model's back", notify=False)


@pytest.mark.parametrize("ratio", [2, 0])
def test_desks_follow_the_reference_policy_on_random_days(
    config_data: dict[str, Any], clock: FakeClock, make_app: Callable[[dict[str, Any]], Flask], ratio: int
) -> None:
    ctx: Context = make_app({**config_data, "priority_ratio": ratio}).extensions["vuoro"]
    prefix = {s.key: s.prefix for s in ctx.config.services}
    serves = {d.key: list(d.services) for d in ctx.config.desks}

    class Day(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            reset(ctx)
            clock.now = START
            self.m = Model()

        # -- kiosk and visitor ---------------------------------------------------------------------------
        @rule(services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True), priority=st.booleans())
        def issue(self, services: list[str], priority: bool) -> None:
            view = issue_ticket(ctx, services=services, language="fi", priority=priority).view
            p = prefix[services[0]]
            self.m.seqs[p] = self.m.seqs.get(p, 0) + 1
            assert view.number == f"{p}{self.m.seqs[p]:03d}"
            assert view.token is not None
            self.m.tickets.append(
                T(view.number, view.token, len(self.m.tickets), services[0], services[1:], priority, clock.now)
            )
            self.m.events += 1

        @precondition(lambda self: self.m.tickets)
        @rule(i=st.integers(min_value=0))
        def cancel(self, i: int) -> None:
            t = self.m.tickets[i % len(self.m.tickets)]
            if t.status not in ("waiting", "called"):
                with pytest.raises(InvalidTransition):
                    cancel_ticket(ctx, t.token)
                return
            assert cancel_ticket(ctx, t.token).status == "cancelled"
            t.status, t.desk = "cancelled", None
            self.m.events += 1

        @rule(seconds=st.integers(min_value=1, max_value=90))
        def time_passes(self, seconds: int) -> None:
            clock.advance(seconds)

        # -- desks ---------------------------------------------------------------------------------------
        def _called(self, desk: str, t: T) -> None:
            t.status, t.desk = "called", desk
            streak = self.m.streaks[desk]
            self.m.streaks[desk] = policy.next_streak(streak, t.priority)
            self.m.events += 1

        @rule(desk=st.sampled_from(DESKS))
        def call_next(self, desk: str) -> None:
            if self.m.at(desk):
                with pytest.raises(DeskBusy):
                    desks.call_next(ctx, desk, ACTOR)
                return
            waiting = [t for t in self.m.tickets if t.status == "waiting" and t.service in serves[desk]]
            pick = policy.choose(
                [policy.Candidate(t.order, t.priority, t.queued_at) for t in waiting], self.m.streaks[desk], ratio
            )
            result = desks.call_next(ctx, desk, ACTOR)
            if pick is None:
                assert result.ticket is None
                return
            expected = self.m.tickets[pick.ticket_id]
            assert result.ticket is not None and result.ticket.number == expected.number
            self._called(desk, expected)

        @precondition(lambda self: self.m.tickets)
        @rule(desk=st.sampled_from(DESKS), i=st.integers(min_value=0))
        def call_number(self, desk: str, i: int) -> None:
            t = self.m.tickets[i % len(self.m.tickets)]
            if self.m.at(desk):
                error: type[Exception] | None = DeskBusy
            elif t.status == "waiting" and t.service not in serves[desk]:
                error = NotServedHere
            elif t.status != "waiting":
                error = InvalidTransition
            else:
                error = None
            if error is not None:
                with pytest.raises(error):
                    desks.call_number(ctx, desk, t.number, ACTOR)
                return
            assert desks.call_number(ctx, desk, t.number, ACTOR).ticket.number == t.number  # type: ignore[union-attr]
            self._called(desk, t)

        def _act(self, desk: str, fn: object, allowed: tuple[str, ...]) -> T | None:
            t = self.m.at(desk)
            if t is None:
                with pytest.raises(NoCurrentTicket):
                    fn(ctx, desk, ACTOR)  # type: ignore[operator]
                return None
            if t.status not in allowed:
                with pytest.raises(InvalidTransition):
                    fn(ctx, desk, ACTOR)  # type: ignore[operator]
                return None
            fn(ctx, desk, ACTOR)  # type: ignore[operator]
            self.m.events += 1
            return t

        @rule(desk=st.sampled_from(DESKS))
        def start(self, desk: str) -> None:
            if t := self._act(desk, desks.start, ("called",)):
                t.status = "serving"

        @rule(desk=st.sampled_from(DESKS))
        def recall(self, desk: str) -> None:
            self._act(desk, desks.recall, ("called",))

        @rule(desk=st.sampled_from(DESKS))
        def finish(self, desk: str) -> None:
            if t := self._act(desk, desks.finish, ("called", "serving")):
                if t.pending:
                    t.service, t.pending, t.status, t.desk = t.pending[0], t.pending[1:], "waiting", None
                else:
                    t.status, t.desk = "done", None

        @rule(desk=st.sampled_from(DESKS))
        def no_show(self, desk: str) -> None:
            if t := self._act(desk, desks.no_show, ("called",)):
                t.status, t.desk = "no_show", None

        @rule(desk=st.sampled_from(DESKS))
        def return_to_queue(self, desk: str) -> None:
            if t := self._act(desk, desks.return_to_queue, ("called", "serving")):
                t.status, t.desk = "waiting", None

        @rule(desk=st.sampled_from(DESKS), service=st.sampled_from(SERVICES))
        def transfer(self, desk: str, service: str) -> None:
            def move(c: Context, d: str, a: str) -> object:
                return desks.transfer(c, d, service, a)

            if t := self._act(desk, move, ("called", "serving")):
                t.service, t.status, t.desk = service, "waiting", None

        # -- the database agrees with the model ----------------------------------------------------------
        @invariant()
        def database_matches_model(self) -> None:
            with ctx.db.reader() as session:
                rows = {r.number: r for r in session.scalars(sa.select(Ticket))}
                events = session.scalar(sa.select(sa.func.count()).select_from(TicketEvent))
            assert len(rows) == len(self.m.tickets)
            for t in self.m.tickets:
                row = rows[t.number]
                assert (row.status, row.service_key, row.desk_key, list(row.pending_services), row.queued_at) == (
                    t.status,
                    t.service,
                    t.desk,
                    t.pending,
                    t.queued_at,
                ), t.number
            assert events == self.m.events

    run_state_machine_as_test(
        Day,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
