"""A hypothesis state machine drives random sequences of the engine's use cases -- issue, call, call a number,
recall, start, finish, no-show, transfer, return, cancel, time passing and the day changing -- and checks the
invariants after every step, straight from the database:

- numbers are unique per prefix and business day, and run 001, 002, ... without gaps;
- a ticket is at most at one desk, a desk holds at most one ticket, and only called/serving tickets hold one;
- every ticket's state is what its event log says (first event ``issued``, each event starts where the
  previous ended), and there is one ``issued`` event per ticket;
- no ticket is lost: every ticket issued is still there and still found by its token (today);
- a refused use case (a DomainError) writes nothing;
- the process's live model (services/live.py), kept current change by change, equals one rebuilt from the
  database.

(tests/queue_server/services/test_desk_model.py checks the call policy against a reference model within one
day; this one checks the structural invariants across days.)
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from queue_server.domain.errors import DomainError
from queue_server.models import Counter, DeskState, Ticket, TicketEvent
from queue_server.services import desks, no_show_undo
from queue_server.services.context import Context
from queue_server.services.rebuild import load_model
from queue_server.services.tickets import cancel_ticket, get_ticket, issue_ticket
from tests.conftest import FakeClock

SERVICES = ["kela", "library", "health", "mental"]
DESKS = ["d1", "d2", "d3", "h1"]
ACTOR = "user:1"
AT_DESK = {"called", "serving"}


def test_random_days_keep_the_engine_invariants(
    config_data: dict[str, Any], clock: FakeClock, make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    ctx: Context = make_app(config_data).extensions["vuoro"]

    class Engine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with ctx.db.writer() as session:
                for table in (TicketEvent, Ticket, Counter, DeskState):
                    session.execute(sa.delete(table))
            clock.set_local("2026-11-27T09:00")
            assert ctx.live is not None
            ctx.live.rebuild("the test emptied the tables behind the model's back")
            self.issued: list[tuple[date, str, str]] = []  # (day, number, token)

        def _events(self) -> int:
            with ctx.db.reader() as s:
                return s.scalar(sa.select(sa.func.count()).select_from(TicketEvent))  # type: ignore[return-value]

        def _try(self, fn: Callable[..., Any], *args: Any) -> Any:
            before = self._events()
            try:
                return fn(ctx, *args)
            except DomainError:
                assert self._events() == before, f"a refused {fn.__name__} wrote events"
                return None

        @rule(services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True), priority=st.booleans())
        def issue(self, services: list[str], priority: bool) -> None:
            view = issue_ticket(ctx, services=services, language="fi", priority=priority).view
            assert view.token
            self.issued.append((ctx.today(), view.number, view.token))

        @precondition(lambda self: self.issued)
        @rule(i=st.integers(min_value=0))
        def cancel(self, i: int) -> None:
            self._try(lambda c, t: cancel_ticket(c, t), self.issued[i % len(self.issued)][2])

        @rule(desk=st.sampled_from(DESKS))
        def call_next(self, desk: str) -> None:
            self._try(desks.call_next, desk, ACTOR)

        @precondition(lambda self: self.issued)
        @rule(desk=st.sampled_from(DESKS), i=st.integers(min_value=0))
        def call_number(self, desk: str, i: int) -> None:
            self._try(desks.call_number, desk, self.issued[i % len(self.issued)][1], ACTOR)

        @rule(
            desk=st.sampled_from(DESKS),
            action=st.sampled_from([desks.recall, desks.start, desks.finish, desks.no_show, desks.return_to_queue]),
        )
        def act(self, desk: str, action: Callable[..., Any]) -> None:
            self._try(action, desk, ACTOR)

        @precondition(lambda self: self.issued)
        @rule(desk=st.sampled_from(DESKS), i=st.integers(min_value=0))
        def undo_no_show(self, desk: str, i: int) -> None:
            self._try(
                lambda c, d: no_show_undo.undo_no_show(c, d, ACTOR, number=self.issued[i % len(self.issued)][1]), desk
            )

        @rule(desk=st.sampled_from(DESKS), service=st.sampled_from(SERVICES))
        def transfer(self, desk: str, service: str) -> None:
            self._try(desks.transfer, desk, service, ACTOR)

        @rule(seconds=st.integers(min_value=1, max_value=600))
        def time_passes(self, seconds: int) -> None:
            clock.advance(seconds)

        @rule()
        def next_day(self) -> None:
            clock.now = clock.now + timedelta(days=1)

        # -- invariants ----------------------------------------------------------------------------------
        @invariant()
        def invariants_hold(self) -> None:
            with ctx.db.reader() as s:
                tickets = list(s.scalars(sa.select(Ticket).order_by(Ticket.id)))
                events = list(s.scalars(sa.select(TicketEvent).order_by(TicketEvent.id)))
            # numbers unique per prefix and day, and dense
            per_day = Tally((t.business_day, t.number) for t in tickets)
            assert all(n == 1 for n in per_day.values()), per_day
            seqs: dict[tuple[date, str], list[int]] = {}
            for t in tickets:
                assert t.number.startswith(t.prefix)
                seqs.setdefault((t.business_day, t.prefix), []).append(int(t.number[len(t.prefix) :]))
            for key, numbers in seqs.items():
                assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
            # at most one desk per ticket (a column) and one current ticket per desk today
            today = ctx.today()
            for t in tickets:
                assert (t.desk_key is not None) == (t.status in AT_DESK), (t.number, t.status, t.desk_key)
            holders = Tally(t.desk_key for t in tickets if t.desk_key and t.business_day == today)
            assert all(n == 1 for n in holders.values()), holders
            # the event log explains every state
            by_ticket: dict[int, list[TicketEvent]] = {}
            for e in events:
                by_ticket.setdefault(e.ticket_id, []).append(e)
            assert set(by_ticket) == {t.id for t in tickets}
            for t in tickets:
                log = by_ticket[t.id]
                assert log[0].type == "issued" and log[0].from_status is None
                for prev, nxt in zip(log, log[1:], strict=False):
                    assert nxt.from_status == prev.to_status, (t.number, prev.type, nxt.type)
                assert log[-1].to_status == t.status, (t.number, [e.type for e in log])
            assert sum(e.type == "issued" for e in events) == len(tickets)
            # no ticket lost
            assert [(t.business_day, t.number) for t in tickets] == [(d, n) for d, n, _ in self.issued]
            for day, number, token in self.issued:
                if day == today:
                    assert get_ticket(ctx, token).number == number
            # the live model, kept current change by change, is what the database says
            assert ctx.live is not None
            assert ctx.live.state() == load_model(ctx.db, ctx.live.topology, today, ctx.config.centre.tz).state()

    run_state_machine_as_test(
        Engine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
