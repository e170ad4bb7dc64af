"""Fixtures in layers: config -> app -> client -> credentials (-> socket client -> fake printer, per package).

PostgreSQL and Redis tests use the local servers; they skip when those are missing, except where
``VUORO_REQUIRE_SERVICES=1`` (CI), where a missing server fails the run instead.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.db import Database
from queue_server.services.accounts import add_user, create_token
from queue_server.services.context import Context, RecordingNotifier
from tests.postgres import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VUORO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("VUORO_REQUIRE_SERVICES") == "1"

#: A small centre whose services are always open: tests control time through the clock, not the wall.
BASE_CONFIG: dict[str, Any] = {
    "secret_key": "test-secret-key-0123456789abcdef",
    "public_url": "http://vuoro.test",
    "priority_ratio": 2,
    "printer_poll_s": 0,
    "retention_worker": False,  # tests/queue_server/services/test_retention.py starts its own
    "limits": {"enabled": False},  # tests/queue_server/test_security*.py turn them on
    "centre": {
        "name": {"fi": "Testikeskus", "sv": "Testcenter", "en": "Test centre"},
        "timezone": "Europe/Helsinki",
        "languages": ["fi", "sv", "en"],
        "default_language": "fi",
    },
    "services": [
        {
            "key": "kela",
            "prefix": "K",
            "name": {"fi": "Kela", "sv": "FPA", "en": "Kela"},
            "location": {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"},
            "service_time_s": 600,
        },
        {
            "key": "library",
            "prefix": "L",
            "name": {"fi": "Kirjasto", "sv": "Bibliotek", "en": "Library"},
            "location": {"fi": "Katutaso", "sv": "Gatuplan", "en": "Street level"},
        },
        {"key": "health", "prefix": "H", "name": {"fi": "Terveysasema", "sv": "Hälsostation", "en": "Health centre"}},
        {
            "key": "mental",
            "prefix": "H",
            "sensitive": True,
            "name": {"fi": "Mielenterveyspalvelut", "sv": "Mentalvård", "en": "Mental health services"},
            "public_name": {"fi": "Terveysasema", "sv": "Hälsostation", "en": "Health centre"},
        },  # health's
    ],
    "zones": [
        {"key": "z1", "name": {"fi": "Katutaso", "sv": "Gatuplan", "en": "Street level"}},
        {"key": "z2", "name": {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"}},
    ],
    "desks": [
        {
            "key": "d1",
            "label": {"fi": "Tiski 1", "sv": "Disk 1", "en": "Desk 1"},
            "location": {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"},
            "services": ["kela"],
            "zone": "z2",
        },
        {
            "key": "d2",
            "label": "Desk 2",
            "location": {"fi": "2. kerros"},
            "services": ["kela", "library"],
            "zone": "z2",
        },
        {"key": "d3", "label": "Desk 3", "services": ["library"], "zone": "z1"},
        {"key": "h1", "label": "Room 1", "services": ["health", "mental"], "zone": "z1"},
        {"key": "d5", "label": "Desk 5", "services": ["kela"], "zone": "z2"},
        {"key": "d6", "label": "Desk 6", "services": ["kela"], "zone": "z2"},
    ],
    "kiosks": [{"key": "k1", "zone": "z1", "printer": "fake"}, {"key": "k2", "zone": "z2"}],
    "printers": [{"key": "fake", "type": "fake"}],
}


class FakeClock:
    """A settable UTC clock: ``clock.set(2026, 11, 28, 9, 0)`` is 09:00 in Helsinki; ``clock.advance(s)``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # Friday 10:00 in Helsinki

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def set_local(self, text: str, tz: str = "Europe/Helsinki") -> None:
        from zoneinfo import ZoneInfo

        self.now = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.fixture
def config_data(tmp_path: Path) -> dict[str, Any]:
    data = copy.deepcopy(BASE_CONFIG)
    data["database_url"] = f"sqlite:///{tmp_path / 'vuoro.db'}"
    return data


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def app(config_data: dict[str, Any], clock: FakeClock, notifier: RecordingNotifier) -> Iterator[Flask]:
    application = create_app(config_data, notifier=notifier, clock=clock)
    application.config["TESTING"] = True
    application.config["WTF_CSRF_ENABLED"] = False  # the security tests build their own app with CSRF on
    application.extensions["vuoro"].clock = clock
    yield application
    shutdown(application)


@pytest.fixture
def ctx(app: Flask) -> Context:
    return app.extensions["vuoro"]  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _bearer(ctx: Context, role: str, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(ctx.db, role, name)}"}


@pytest.fixture
def kiosk_auth(ctx: Context) -> dict[str, str]:
    return _bearer(ctx, "kiosk", "k1")


@pytest.fixture
def desk_auth(ctx: Context) -> dict[str, str]:
    return _bearer(ctx, "desk", "desk-device")


@pytest.fixture
def admin_auth(ctx: Context) -> dict[str, str]:
    return _bearer(ctx, "admin", "script")


@pytest.fixture
def clerk_client(app: Flask, ctx: Context) -> FlaskClient:
    """A test client logged in as a clerk through the session API."""
    add_user(ctx.db, "clerk1", "clerk-password-1", "clerk")
    c = app.test_client()
    resp = c.post("/api/session", json={"username": "clerk1", "password": "clerk-password-1"})
    assert resp.status_code == 200, resp.json
    return c


def service_unavailable(what: str, exc: Exception) -> None:
    """Skip on a developer machine without the server; fail in CI, where it must run."""
    message = f"{what} is not reachable: {exc}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (VUORO_REQUIRE_SERVICES=1: CI must run these tests)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        service_unavailable("PostgreSQL", exc)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis server (the tests' own db number, VUORO_TEST_REDIS_URL); skip or fail without it."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "no Redis here"
        service_unavailable("Redis", exc)
    return REDIS_URL


@pytest.fixture
def empty_postgres_url(postgres_server: str) -> Iterator[str]:
    """A throwaway database on the local PostgreSQL server without a schema, dropped after the test."""
    with throwaway_database(postgres_server) as url:
        yield url


@pytest.fixture
def postgres_url(empty_postgres_url: str) -> str:
    """A throwaway PostgreSQL database migrated to the newest revision, as ``vuoro db upgrade`` leaves it on a
    release: apps and servers on PostgreSQL never migrate at start, they refuse a database that is behind."""
    db = Database(empty_postgres_url)
    try:
        db.upgrade()
    finally:
        db.dispose()
    return empty_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_config(request: pytest.FixtureRequest, config_data: dict[str, Any]) -> dict[str, Any]:
    """The test config on SQLite and, as a second run, on a throwaway PostgreSQL database."""
    if request.param == "postgresql":
        config_data["database_url"] = request.getfixturevalue("postgres_url")
    return config_data


@pytest.fixture
def live_server(config_data: dict[str, Any], tmp_path: Path) -> Iterator[Any]:
    """A real ``vuoro serve`` process on the test config (services always open), stopped afterwards."""
    from tests.live_server import LiveServer

    server = LiveServer(config_data, tmp_path).start()
    yield server
    server.stop()
