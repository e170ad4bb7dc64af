"""Two processes' live models, kept current through the Redis change feed, always equal the database.

Two apps (two live models, two change-feed threads, two socket fan-outs) share one throwaway PostgreSQL
database and one Redis stream of their own (a unique channel); every use case runs on one of them at random.
Redis is "stopped" through a TCP forwarder (tests/forwarder.py), never the machine's own server.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from redis.connection import parse_url

from queue_server.app import create_app, shutdown
from queue_server.domain.errors import DomainError
from queue_server.realtime import change_feed
from queue_server.realtime.change_feed import RedisChangeFeed
from queue_server.services import desks
from queue_server.services.context import Context
from queue_server.services.live import GRACE_S
from queue_server.services.rebuild import load_model
from queue_server.services.tickets import cancel_ticket, get_ticket, issue_ticket
from tests.conftest import FakeClock
from tests.forwarder import Forwarder

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SERVICES = ["kela", "library", "health", "mental"]
DESKS = ["d1", "d2", "d3", "h1"]


def _app(config: dict[str, Any], clock: FakeClock) -> Flask:
    app = create_app(config, clock=clock)
    app.config["TESTING"] = True
    app.extensions["vuoro"].clock = clock
    return app


@pytest.fixture
def two(config_data: dict[str, Any], postgres_url: str, redis_url: str, clock: FakeClock) -> Iterator[list[Flask]]:
    """Two apps on one PostgreSQL database and one Redis stream (a channel of their own)."""
    config = {
        **copy.deepcopy(config_data),
        "database_url": postgres_url,
        "redis_url": redis_url,
        "socketio_channel": f"vuoro-test-{uuid.uuid4().hex[:10]}",
    }
    apps = [_app(config, clock), _app(config, clock)]
    yield apps
    for app in apps:
        shutdown(app)


def ctx_of(app: Flask) -> Context:
    return app.extensions["vuoro"]  # type: ignore[no-any-return]


def settled(apps: list[Flask], timeout: float = 10.0) -> None:
    """Wait until every live model has applied the database's last change."""
    ctx = ctx_of(apps[0])
    target = load_model(ctx.db, ctx.live.topology, ctx.today(), ctx.config.centre.tz).seq  # type: ignore[union-attr]
    deadline = time.monotonic() + timeout
    while any(ctx_of(a).live.seq < target for a in apps):  # type: ignore[union-attr]
        assert time.monotonic() < deadline, [ctx_of(a).live.seq for a in apps]  # type: ignore[union-attr]
        time.sleep(0.01)


def assert_models_equal_the_database(apps: list[Flask]) -> None:
    settled(apps)
    first = ctx_of(apps[0])
    truth = load_model(first.db, first.live.topology, first.today(), first.config.centre.tz).state()  # type: ignore[union-attr]
    for app in apps:
        assert ctx_of(app).live.state() == truth  # type: ignore[union-attr]


def test_random_use_cases_on_two_processes_keep_both_models_equal_to_the_database(
    two: list[Flask], clock: FakeClock
) -> None:
    ctxs = [ctx_of(a) for a in two]

    class TwoProcesses(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.tokens: list[str] = []

        def _try(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except DomainError:
                return None

        @rule(
            p=st.integers(0, 1),
            services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2, unique=True),
            priority=st.booleans(),
        )
        def issue(self, p: int, services: list[str], priority: bool) -> None:
            issued = issue_ticket(ctxs[p], services=services, language="fi", priority=priority)
            assert issued.view.token is not None
            self.tokens.append(issued.view.token)

        @rule(p=st.integers(0, 1), desk=st.sampled_from(DESKS))
        def call_next(self, p: int, desk: str) -> None:
            self._try(desks.call_next, ctxs[p], desk, "user:1")

        @rule(
            p=st.integers(0, 1),
            desk=st.sampled_from(DESKS),
            action=st.sampled_from([desks.recall, desks.start, desks.finish, desks.no_show, desks.return_to_queue]),
        )
        def act(self, p: int, desk: str, action: Callable[..., Any]) -> None:
            self._try(action, ctxs[p], desk, "user:1")

        @rule(p=st.integers(0, 1), desk=st.sampled_from(DESKS), service=st.sampled_from(SERVICES))
        def transfer(self, p: int, desk: str, service: str) -> None:
            self._try(desks.transfer, ctxs[p], desk, service, "user:1")

        @rule(p=st.integers(0, 1), desk=st.sampled_from(DESKS), status=st.sampled_from(["open", "paused"]))
        def desk_status(self, p: int, desk: str, status: str) -> None:
            self._try(desks.set_status, ctxs[p], desk, status, "user:1")

        @rule(p=st.integers(0, 1), i=st.integers(0, 200))
        def cancel(self, p: int, i: int) -> None:
            if self.tokens:
                self._try(cancel_ticket, ctxs[p], self.tokens[i % len(self.tokens)])

        @rule(seconds=st.integers(1, 900))
        def time_passes(self, seconds: int) -> None:
            clock.advance(seconds)

        @invariant()
        def both_models_equal_the_database(self) -> None:
            assert_models_equal_the_database(two)

    run_state_machine_as_test(
        TwoProcesses,
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    assert all(c.live.rebuilds == 1 for c in ctxs), [c.live.rebuilds for c in ctxs]  # type: ignore[union-attr]


def test_a_dropped_change_message_makes_the_other_process_rebuild(
    two: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = (ctx_of(x) for x in two)
    issue_ticket(a, services=["kela"], language="fi")
    assert_models_equal_the_database(two)
    rebuilds = b.live.rebuilds  # type: ignore[union-attr]
    feed = a.live.feed  # type: ignore[union-attr]
    assert isinstance(feed, RedisChangeFeed)
    real = feed.publish
    monkeypatch.setattr(feed, "publish", lambda record: None)  # this one message never reaches Redis
    issue_ticket(a, services=["library"], language="fi")
    monkeypatch.setattr(feed, "publish", real)
    issue_ticket(a, services=["kela"], language="fi")  # B sees change N+1 without N: a gap
    deadline = time.monotonic() + GRACE_S + 5
    while b.live.rebuilds == rebuilds and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    assert b.live.rebuilds == rebuilds + 1  # type: ignore[union-attr]
    assert_models_equal_the_database(two)
    assert b.live.waiting_counts(["kela", "library"]) == {"kela": 2, "library": 1}  # type: ignore[union-attr]


@pytest.fixture
def two_behind_a_cuttable_redis(
    config_data: dict[str, Any], postgres_url: str, redis_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[list[Flask], Forwarder]]:
    """Process B reaches Redis through a forwarder the test can cut; A reaches it directly."""
    parts = parse_url(redis_url)
    forwarder = Forwarder((parts.get("host", "127.0.0.1"), int(parts.get("port", 6379)))).start()
    monkeypatch.setattr(change_feed, "POLL_S", 0.2)
    channel = f"vuoro-test-{uuid.uuid4().hex[:10]}"
    base = {**copy.deepcopy(config_data), "database_url": postgres_url, "socketio_channel": channel}
    db_suffix = redis_url.rsplit("/", 1)[-1]
    a = _app({**base, "redis_url": redis_url}, clock)
    b = _app({**base, "redis_url": f"redis://127.0.0.1:{forwarder.port}/{db_suffix}"}, clock)
    yield [a, b], forwarder
    forwarder.stop()
    for app in (a, b):
        shutdown(app)


class Listener:
    """A consumer of a live model, as the socket fan-out is one: what it was handed, and the resyncs."""

    def __init__(self) -> None:
        self.changes: list[Any] = []
        self.resyncs: list[str] = []

    def publish(self, changes: Any) -> None:
        self.changes.extend(changes)

    def resync(self, reason: str) -> None:
        self.resyncs.append(reason)


def test_a_process_that_lost_redis_follows_the_outbox_then_rebuilds_and_resyncs_when_it_is_back(
    two_behind_a_cuttable_redis: tuple[list[Flask], Forwarder],
) -> None:
    """B's boards hear calls made on A while B has no Redis, and are told to resync when it returns.

    (That the socket fan-out turns ``resync`` into the event every client gets, and that a rejoining board
    sees the calls it missed, is tested in test_rooms.py; Flask-SocketIO's test client refuses an app that
    has a message queue, so here the consumer is a listener beside the fan-out.)
    """
    (a_app, b_app), forwarder = two_behind_a_cuttable_redis
    a, b = ctx_of(a_app), ctx_of(b_app)
    listener = Listener()
    b.live.subscribe(listener)  # type: ignore[union-attr]
    issue_ticket(a, services=["kela"], language="fi")
    assert_models_equal_the_database([a_app, b_app])
    forwarder.stop()  # B loses Redis: its reader fails, it follows the outbox instead
    desks.call_next(a, "d1", "user:1")  # made on A while B hears nothing through Redis
    _until(lambda: any(c.action == "called" for c in listener.changes), timeout=10)
    assert listener.resyncs == []
    forwarder.start()  # Redis is back for B: it rebuilds and tells its consumers to resync
    _until(lambda: listener.resyncs == ["change feed regained"], timeout=15)
    assert_models_equal_the_database([a_app, b_app])
    assert [c.number for c in b.live.recent_calls("z2")] == ["K001"]  # type: ignore[union-attr]


def _until(done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"not within {timeout}s"
        time.sleep(0.05)


def test_a_ticket_another_process_just_committed_is_shown_with_its_place_at_once(two: list[Flask]) -> None:
    """B has not heard of A's ticket yet (its feed stopped, its outbox just polled): it catches up to answer."""
    a, b = (ctx_of(x) for x in two)
    desks.set_status(a, "d1", "open", "user:1")  # a desk open: B has an estimate to show, not "no desk open"
    _until(lambda: b.live.desk_status("d1") == "open", 5)  # type: ignore[union-attr]
    two[1].extensions["vuoro_change_feed"].close()
    b.live.tick()  # type: ignore[union-attr]  # the once-a-second outbox poll just happened
    issued = issue_ticket(a, services=["kela"], language="fi")
    assert issued.view.token is not None
    view = get_ticket(b, issued.view.token)
    assert (view.status, view.position) == ("waiting", 1)
    assert view.estimated_wait_s is not None
