"""The two ``vuoro serve`` workers: gthread (any database) and gevent (PostgreSQL only, real websockets)."""

from __future__ import annotations

import queue
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
import sqlalchemy as sa

from queue_server import workers
from queue_server.db import Database
from queue_server.services.accounts import create_token
from tests.live_server import LiveServer


@pytest.fixture
def gevent_server(config_data: dict[str, Any], postgres_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    config_data["database_url"] = postgres_url
    server = LiveServer(config_data, tmp_path, args=["--worker", "gevent"])
    try:
        yield server.start(timeout=30)
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.slow
def test_gevent_worker_upgrades_to_websocket_and_sends_a_board_its_snapshot(gevent_server: LiveServer) -> None:
    health = requests.get(gevent_server.url + "/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["database"] is True
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False, handle_sigint=False)
    client.on("*", lambda event, data=None: events.put((event, data)))
    client.connect(gevent_server.url, transports=["websocket"], wait_timeout=10)
    try:
        assert client.transport() == "websocket"
        ack = client.call("join", {"board": "z1"}, timeout=10)
        assert isinstance(ack, dict) and ack.get("ok"), ack
        event, data = events.get(timeout=10)
        while event != "snapshot":
            event, data = events.get(timeout=10)
        assert isinstance(data, dict)
    finally:
        client.disconnect()
    output = gevent_server.output()
    assert "GeventWebSocketWorker" in output
    assert "/healthz" not in output  # no access log: paths hold visitors' tokens


@pytest.mark.postgres
@pytest.mark.slow
def test_a_request_waiting_on_postgresql_does_not_stall_the_gevent_worker(
    gevent_server: LiveServer, postgres_url: str
) -> None:
    """psycopg must wait cooperatively: with a blocking wait, one locked query would freeze every greenlet."""
    db = Database(postgres_url)
    token = create_token(db, "kiosk", "k1")
    db.dispose()
    engine = sa.create_engine(postgres_url)
    answers: list[int] = []
    with engine.connect() as locker:
        locker.execute(sa.text("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"))
        issuing = threading.Thread(
            target=lambda: answers.append(
                requests.post(
                    gevent_server.url + "/api/tickets",
                    json={"services": ["kela"]},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                ).status_code
            )
        )
        issuing.start()
        deadline = time.monotonic() + 10
        while not locker.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
            assert time.monotonic() < deadline, "the issue request never waited on the lock"
            time.sleep(0.05)
        started = time.monotonic()
        health = requests.get(gevent_server.url + "/healthz", timeout=5)
        assert health.status_code == 200 and time.monotonic() - started < 2.0
        locker.rollback()  # releases the lock: the waiting request goes on
    issuing.join(30)
    engine.dispose()
    assert answers == [201]


def test_gevent_is_refused_on_sqlite_and_allowed_on_postgresql() -> None:
    why = workers.refusal("gevent", "sqlite:///var/vuoro.db")
    assert why is not None and "SQLite" in why and "greenlet" in why
    assert workers.refusal("gevent", "postgresql://vuoro@127.0.0.1/vuoro") is None
    assert workers.refusal("gthread", "sqlite:///var/vuoro.db") is None


def test_gevent_worker_takes_as_many_connections_as_the_descriptors_allow() -> None:
    options = workers.gunicorn_options("gevent", threads=200, open_files=65536)
    assert options["worker_class"] == workers.GEVENT_WORKER_CLASS
    assert 10_000 < options["worker_connections"] < 65536
    threaded = workers.gunicorn_options("gthread", threads=1200, open_files=65536)
    assert threaded == {"worker_class": "gthread", "threads": 1200, "worker_connections": 2200}


def test_open_files_soft_limit_is_raised_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard <= 256:
        pytest.skip(f"hard limit {hard}: nothing to raise to here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        assert workers.raise_open_files_limit() == hard
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
