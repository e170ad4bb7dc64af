"""Socket joins are limited per socket and per address (the config's ``limits:``); a flood gets an error ack."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from queue_server.app import create_app, shutdown
from queue_server.config import build_config
from queue_server.extensions import socketio
from queue_server.realtime.join_limits import JoinLimiter
from tests.conftest import FakeClock


@pytest.fixture
def limited_app(config_data: dict[str, Any], clock: FakeClock) -> Iterator[Flask]:
    data = copy.deepcopy(config_data)
    data["limits"] = {"enabled": True, "join_per_socket": "5/minute", "join_per_client": "8/minute"}
    app = create_app(data, clock=clock)
    app.config["TESTING"] = True
    yield app
    shutdown(app)


def test_a_socket_repeating_joins_gets_an_error_ack_and_so_does_its_address(limited_app: Flask) -> None:
    first = socketio.test_client(limited_app)
    acks = [first.emit("join", {"board": "z1"}, callback=True) for _ in range(7)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 2
    assert acks[5]["error"]["code"] == "rate_limited"
    first.get_received()
    assert first.emit("join", {"board": "z1"}, callback=True)["ok"] is False
    assert not [m for m in first.get_received() if m["name"] == "snapshot"], "a refused join costs no snapshot"
    # another socket from the same address: what is left of its 8 (the refused joins were not counted)
    second = socketio.test_client(limited_app)
    acks = [second.emit("join", {"board": "z1"}, callback=True)["ok"] for _ in range(4)]
    assert acks == [True, True, True, False]
    first.disconnect()
    second.disconnect()


def test_the_address_limit_holds_across_processes_through_redis(config_data: dict[str, Any], redis_url: str) -> None:
    data = copy.deepcopy(config_data)
    data.update(
        redis_url=redis_url,
        socketio_channel=f"vuoro-test-{uuid.uuid4().hex[:12]}",
        limits={"enabled": True, "join_per_socket": "100/minute", "join_per_client": "3/minute"},
    )
    one, two = JoinLimiter(build_config(data, environ={})), JoinLimiter(build_config(data, environ={}))
    assert [one.allow("a", "10.0.0.7"), two.allow("b", "10.0.0.7"), one.allow("c", "10.0.0.7")] == [True] * 3
    assert two.allow("d", "10.0.0.7") is False, "the fourth join from that address, on the other process"
    assert one.allow("e", "10.0.0.8") is True


def test_without_redis_answering_joins_are_let_through(
    config_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    data = copy.deepcopy(config_data)
    data.update(redis_url="redis://127.0.0.1:1/0", limits={"enabled": True, "join_per_socket": "1/minute"})
    limiter = JoinLimiter(build_config(data, environ={}))
    assert all(limiter.allow("a", "10.0.0.7") for _ in range(5)), "a screen must not go dark for a counter"
    assert len([r for r in caplog.records if "not rate-limited" in r.getMessage()]) == 1, "said once, not per join"
