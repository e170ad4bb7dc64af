"""The database down is a 503, not a 500, and service resumes by itself when it is back.

PostgreSQL is "stopped" without touching the machine's server: the app talks to it through a TCP forwarder on a
random loopback port, which can close every connection and refuse new ones, then accept again.  SQLite is
"locked" by a second connection holding ``BEGIN EXCLUSIVE`` past the configured timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from queue_server.db import Database, DatabaseUnavailable, is_unavailable, unavailable_reason
from queue_server.services.accounts import add_user
from tests.forwarder import Forwarder
from tests.queue_server.helpers import assert_error, bearer

TIMEOUT_S = 2.0


def assert_unavailable(resp: TestResponse) -> None:
    """503 ``database_unavailable`` in the API's error shape, with a Retry-After of a few seconds."""
    assert_error(resp, 503, "database_unavailable")
    assert 1 <= int(resp.headers["Retry-After"]) <= 30


@pytest.fixture
def forwarder(postgres_url: str) -> Iterator[Forwarder]:
    url = sa.engine.make_url(postgres_url)
    relay = Forwarder((url.host or "127.0.0.1", url.port or 5432)).start()
    yield relay
    relay.stop()


@pytest.fixture
def pg_app(
    postgres_url: str, forwarder: Forwarder, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> Flask:
    url = sa.engine.make_url(postgres_url).set(port=forwarder.port)
    config_data["database_url"] = url.render_as_string(hide_password=False)
    config_data["database_timeout_s"] = TIMEOUT_S
    return make_app(config_data)


def _timed(client: FlaskClient, method: str, path: str, **kw: Any) -> TestResponse:
    started = time.monotonic()
    resp = client.open(path, method=method, **kw)
    # A stopped server answers at once (connection refused); nothing may wait for a kernel TCP timeout.
    assert time.monotonic() - started < TIMEOUT_S + 3, (method, path)
    return resp


@pytest.mark.postgres
def test_every_request_is_a_503_while_postgresql_is_stopped_and_service_resumes_without_a_restart(
    pg_app: Flask, forwarder: Forwarder, postgres_url: str
) -> None:
    ctx = pg_app.extensions["vuoro"]
    kiosk, desk = bearer(ctx, "kiosk", "k1"), bearer(ctx, "desk", "desk-device")
    client = pg_app.test_client()
    first = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    assert first.status_code == 201, first.get_data(as_text=True)
    token = first.get_json()["ticket"]["token"]
    assert client.post("/api/desks/d1/next", headers=desk).status_code == 200
    add_user(ctx.db, "clerk1", "clerk-password-1", "clerk")
    clerk = pg_app.test_client()
    assert clerk.post("/api/session", json={"username": "clerk1", "password": "clerk-password-1"}).status_code == 200
    assert clerk.get("/desk").status_code == 200

    forwarder.stop()  # every pooled connection is now broken, and new ones are refused
    for _ in range(2):  # the first try meets the broken pool, the second a refused connection
        assert_unavailable(_timed(client, "POST", "/api/tickets", json={"services": ["kela"]}, headers=kiosk))
        assert_unavailable(_timed(client, "POST", "/api/desks/d5/next", headers=desk))
        assert_unavailable(_timed(client, "POST", "/api/desks/d1/finish", headers=desk))
        for path in ("/api/services", f"/api/tickets/{token}"):
            read = _timed(client, "GET", path)
            if read.status_code != 200:  # 200 only when answered from memory, without the database
                assert_unavailable(read)
    health = _timed(client, "GET", "/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"]
    body = health.get_json()
    assert body["status"] == "unavailable" and body["database"] is False
    assert body["error"]["code"] == "database_unavailable" and body["error"]["message"]
    page = _timed(clerk, "GET", "/desk", headers={"Accept": "text/html"})  # the clerk's session is in the database
    assert page.status_code == 503 and page.mimetype == "text/html" and page.headers["Retry-After"]
    assert b'http-equiv="refresh"' in page.get_data()

    forwarder.start()  # the same port: the app was not restarted and is not told
    assert client.get("/healthz").get_json() == {"status": "ok", "database": True}
    assert client.get("/api/services").status_code == 200
    assert clerk.get("/desk").status_code == 200  # still logged in
    finished = client.post("/api/desks/d1/finish", headers=desk)
    assert finished.status_code == 200 and finished.get_json()["ticket"]["number"] == "K001"
    second = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    assert second.status_code == 201
    assert second.get_json()["ticket"]["number"] == "K002"  # the refused issues took no number
    assert client.post("/api/desks/d5/next", headers=desk).get_json()["ticket"]["number"] == "K002"
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["status"] == finished.get_json()["ticket"]["status"]

    direct = sa.create_engine(postgres_url)  # behind the app's back: what was committed is all there, once
    try:
        with direct.connect() as conn:
            numbers = conn.execute(sa.text("SELECT number FROM tickets ORDER BY number")).scalars().all()
    finally:
        direct.dispose()
    assert numbers == ["K001", "K002"]


@pytest.mark.postgres
def test_visits_naming_limited_services_in_opposite_orders_never_deadlock(
    postgres_url: str, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    """Each daily limit is a counter row locked until commit: locked in the visit's order, [kela, library] and
    [library, kela] at the same moment each held one row and waited for the other (a deadlock, a 500)."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:  # a deadlock is found in 50 ms, not 1 s: the run stays short even when it finds some
        with admin.connect() as conn:
            conn.execute(
                sa.text(f"ALTER DATABASE \"{sa.engine.make_url(postgres_url).database}\" SET deadlock_timeout = '50ms'")
            )
    finally:
        admin.dispose()
    config_data["database_url"] = postgres_url
    for service in config_data["services"][:2]:
        service["daily_limit"] = 10_000
    app = make_app(config_data)
    kiosk = bearer(app.extensions["vuoro"], "kiosk", "k1")
    orders = (["kela", "library"], ["library", "kela"])
    barrier = threading.Barrier(8, timeout=30)

    def issue(worker: int) -> list[int]:
        client = app.test_client()
        barrier.wait()
        return [
            client.post("/api/tickets", json={"services": orders[worker % 2]}, headers=kiosk).status_code
            for _ in range(20)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for result in pool.map(issue, range(8)) for s in result]
    assert Counter(statuses) == {201: 160}


# -- SQLite ---------------------------------------------------------------------------------------------------


@pytest.fixture
def config_data(config_data: dict[str, Any]) -> dict[str, Any]:
    config_data["database_timeout_s"] = 1
    return config_data


def _database_file(app: Flask) -> Path:
    return Path(sa.engine.make_url(app.extensions["vuoro"].db.url).database or "")


def test_issuing_is_a_503_while_another_process_holds_sqlite_past_the_timeout_then_works(
    app: Flask, client: FlaskClient, kiosk_auth: dict[str, str]
) -> None:
    timeout_s = app.extensions["vuoro"].db.timeout_s
    locker = sqlite3.connect(_database_file(app), isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        resp = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk_auth)
        waited = time.monotonic() - started
        assert_unavailable(resp)
        assert timeout_s * 0.8 <= waited < timeout_s + 3  # it waited for the lock, then gave up
        assert client.get("/api/services").status_code == 200  # readers go on meanwhile (WAL)
    finally:
        locker.rollback()
        locker.close()
    issued = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk_auth)
    assert issued.status_code == 201
    assert issued.get_json()["ticket"]["number"] == "K001"


def test_a_writer_of_this_process_holding_the_database_past_the_timeout_is_a_503_for_the_next(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'busy.db'}", timeout_s=0.3)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.writer():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match="busy"), db.writer():
            pass
        assert 0.25 <= time.monotonic() - started < 3
    finally:
        release.set()
        holder.join(10)
    with db.writer() as session:  # free again
        assert session.execute(sa.text("SELECT 1")).scalar() == 1
    db.dispose()


def test_a_broken_schema_is_still_a_500_not_a_503(app: Flask, client: FlaskClient) -> None:
    with app.extensions["vuoro"].db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE tickets"))
    assert_error(client.get("/api/services"), 500, "internal_error")


# -- which errors mean "unavailable" ---------------------------------------------------------------------------


def _wrapped(orig: Exception, cls: type[sa.exc.DBAPIError] = sa.exc.OperationalError) -> sa.exc.DBAPIError:
    return cls("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (_wrapped(psycopg.OperationalError("connection failed: Connection refused")), True),
        (_wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")), True),
        (_wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (_wrapped(psycopg.errors.TooManyConnections("too many clients already")), True),
        (_wrapped(psycopg.InterfaceError("the connection is closed"), sa.exc.InterfaceError), True),
        (sa.exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached"), True),
        (_wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), False),
        (_wrapped(psycopg.errors.SerializationFailure("could not serialize access")), False),
        (_wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")), False),
        (_wrapped(psycopg.errors.UniqueViolation("duplicate key"), sa.exc.IntegrityError), False),
        (_wrapped(psycopg.errors.UndefinedTable("relation does not exist"), sa.exc.ProgrammingError), False),
        (_wrapped(sqlite3.OperationalError("no such table: tickets")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_connection_level_failures_count_as_unavailable(error: Exception, unavailable: bool) -> None:
    assert is_unavailable(error) is unavailable


def test_sqlite_busy_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("BEGIN IMMEDIATE")
    finally:
        holder.rollback()
        holder.close()
        other.close()
    assert is_unavailable(_wrapped(caught.value))
    assert unavailable_reason(_wrapped(caught.value)) == "database is locked"


def test_the_reason_is_one_line_without_host_details_or_credentials() -> None:
    refused = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        "Connection refused\n\tIs the server running on that host?"
    )
    assert unavailable_reason(_wrapped(refused)) == "Connection refused"
    leaky = psycopg.OperationalError("cannot use postgresql://vuoro:s3cret@db.example/vuoro")
    assert "s3cret" not in unavailable_reason(_wrapped(leaky))
    outer = RuntimeError("wrapped")
    outer.__cause__ = _wrapped(refused)
    assert is_unavailable(outer) and unavailable_reason(outer) == "Connection refused"
