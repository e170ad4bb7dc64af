"""The ``vuoro`` command: schema upgrade, accounts, device tokens, and refusing a broken config."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner, Result
from flask import Flask

from queue_server.app import create_app, shutdown
from queue_server.cli import main
from queue_server.models import ApiToken, User
from tests.conftest import BASE_CONFIG, ROOT


@pytest.fixture(autouse=True)
def _no_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "VUORO_CONFIG",
        "VUORO_DATABASE_URL",
        "VUORO_REDIS_URL",
        "VUORO_SECRET_KEY",
        "VUORO_PUBLIC_URL",
        "VUORO_ENV",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The shipped config.yaml with its database in tmp_path (a path relative to the file, as shipped)."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["database_url"] = "sqlite:///data/vuoro.db"
    raw["limits"] = copy.deepcopy(BASE_CONFIG["limits"])
    raw["printer_poll_s"] = 0
    file = tmp_path / "config.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return file


@pytest.fixture
def started(config_file: Path) -> Any:
    """Build the app from the same file the commands used; shut down afterwards."""
    apps: list[Flask] = []

    def start() -> Flask:
        app = create_app(str(config_file))
        app.config["TESTING"] = True
        app.config["WTF_CSRF_ENABLED"] = False
        apps.append(app)
        return app

    yield start
    for app in apps:
        shutdown(app)


def vuoro(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def db_url(config_file: Path) -> str:
    return f"sqlite:///{config_file.parent / 'data' / 'vuoro.db'}"


def test_db_upgrade_creates_the_schema_next_to_the_config(config_file: Path) -> None:
    result = vuoro("db", "upgrade", "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert "newest revision" in result.output
    engine = sa.create_engine(db_url(config_file))
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"tickets", "ticket_events", "counters", "desk_state", "users", "api_tokens", "alembic_version"} <= tables
    assert vuoro("db", "upgrade", "--config", str(config_file)).exit_code == 0  # running it again is harmless


def test_user_add_reads_the_password_from_stdin_and_the_clerk_can_log_in(config_file: Path, started: Any) -> None:
    result = vuoro(
        "user", "add", "clerk9", "--role", "clerk", "--config", str(config_file), input="a-long-password-9\n"
    )
    assert result.exit_code == 0, result.output
    assert "added clerk clerk9" in result.output
    assert "a-long-password-9" not in result.output
    client = started().test_client()
    resp = client.post("/api/session", json={"username": "clerk9", "password": "a-long-password-9"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {
        "username": "clerk9",
        "role": "clerk",
        "must_change_password": False,
        "sso": False,
        "display_name": None,
    }
    assert client.post("/api/session", json={"username": "clerk9", "password": "wrong-password"}).status_code == 401


def test_the_password_is_stored_hashed(config_file: Path) -> None:
    vuoro("user", "add", "admin2", "--role", "admin", "--config", str(config_file), input="admin-password-2\n")
    engine = sa.create_engine(db_url(config_file))
    try:
        with engine.connect() as conn:
            role, stored = conn.execute(sa.select(User.role, User.password_hash)).one()
    finally:
        engine.dispose()
    assert role == "admin"
    assert "admin-password-2" not in stored


def test_a_short_password_is_refused(config_file: Path) -> None:
    result = vuoro("user", "add", "clerk8", "--role", "clerk", "--config", str(config_file), input="short\n")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_adding_the_same_user_twice_fails(config_file: Path) -> None:
    args = ("user", "add", "clerk7", "--role", "clerk", "--config", str(config_file))
    assert vuoro(*args, input="password-seven\n").exit_code == 0
    again = vuoro(*args, input="password-seven\n")
    assert again.exit_code != 0
    assert "exists already" in again.output


@pytest.mark.parametrize(
    ("command", "role"), [(("user", "add", "x"), "kiosk"), (("token", "create", "--name", "k"), "clerk")]
)
def test_a_bad_role_is_refused(config_file: Path, command: tuple[str, ...], role: str) -> None:
    result = vuoro(*command, "--role", role, "--config", str(config_file), input="password-long\n")
    assert result.exit_code != 0
    assert "role" in result.output.lower()


def test_token_create_prints_the_token_last_and_it_issues_tickets(config_file: Path, started: Any) -> None:
    result = vuoro("token", "create", "--role", "kiosk", "--name", "k1", "--config", str(config_file))
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 22 and " " not in token
    app = started()
    app.extensions["vuoro"].clock = lambda: datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wed 12:00, Kela is open
    client = app.test_client()
    resp = client.post("/api/tickets", json={"services": ["kela"]}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["ticket"]["number"] == "K001"
    desk = client.post("/api/desks/kela1/next", headers={"Authorization": f"Bearer {token}"})
    assert desk.status_code == 403  # a kiosk token is not a desk


def test_only_the_hash_of_a_token_is_stored(config_file: Path) -> None:
    result = vuoro("token", "create", "--role", "desk", "--name", "desk-1", "--config", str(config_file))
    token = result.stdout.strip().splitlines()[-1]
    engine = sa.create_engine(db_url(config_file))
    try:
        with engine.connect() as conn:
            name, role, stored = conn.execute(sa.select(ApiToken.name, ApiToken.role, ApiToken.token_hash)).one()
    finally:
        engine.dispose()
    assert (name, role) == ("desk-1", "desk")
    assert stored != token and token not in stored


def test_two_tokens_differ(config_file: Path) -> None:
    tokens = {
        vuoro("token", "create", "--role", "kiosk", "--name", "k", "--config", str(config_file))
        .stdout.strip()
        .splitlines()[-1]
        for _ in range(3)
    }
    assert len(tokens) == 3


def test_token_list_and_revoke_and_user_disable(config_file: Path, started: Any) -> None:
    token = (
        vuoro("token", "create", "--role", "desk", "--name", "tablet", "--config", str(config_file))
        .stdout.strip()
        .splitlines()[-1]
    )
    listed = vuoro("token", "list", "--config", str(config_file)).output
    assert "tablet" in listed and "active" in listed and token not in listed
    token_id = listed.split()[0]
    assert (
        vuoro(
            "user", "add", "anna", "--role", "clerk", "--config", str(config_file), input="anna-password-1\n"
        ).exit_code
        == 0
    )
    app = started()
    client = app.test_client()
    assert client.get("/api/desks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert "revoked desk token" in vuoro("token", "revoke", token_id, "--config", str(config_file)).output
    assert client.get("/api/desks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in vuoro("token", "list", "--config", str(config_file)).output
    again = CliRunner().invoke(main, ["token", "revoke", token_id, "--config", str(config_file)])
    assert again.exit_code != 0 and "revoked already" in again.output
    assert client.post("/api/session", json={"username": "anna", "password": "anna-password-1"}).status_code == 200
    assert vuoro("user", "disable", "anna", "--config", str(config_file)).output.strip() == "disabled anna"
    assert client.get("/api/session").status_code == 401
    missing = CliRunner().invoke(main, ["user", "disable", "nobody", "--config", str(config_file)])
    assert missing.exit_code != 0 and "no such user" in missing.output


def test_a_broken_config_names_the_key_and_fails(tmp_path: Path) -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["database_url"] = f"sqlite:///{tmp_path / 'x.db'}"
    raw["services"][1]["prefix"] = "l"
    file = tmp_path / "broken.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for args in (("db", "upgrade"), ("token", "create", "--role", "kiosk", "--name", "k")):
        result = vuoro(*args, "--config", str(file))
        assert result.exit_code == 1, result.output
        assert "services.1.prefix" in result.output
        assert str(file) in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "x.db").exists()


def test_a_missing_config_file_fails_with_a_message(tmp_path: Path) -> None:
    result = vuoro("db", "upgrade", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "no such config file" in result.output


def test_vuoro_config_names_the_file(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUORO_CONFIG", str(config_file))
    assert vuoro("db", "upgrade").exit_code == 0
    assert (config_file.parent / "data" / "vuoro.db").exists()


def test_serve_refuses_the_gevent_worker_on_sqlite_and_says_why(config_file: Path) -> None:
    result = vuoro("serve", "--worker", "gevent", "--config", str(config_file))
    assert result.exit_code != 0
    assert "SQLite" in result.output and "stall every greenlet" in result.output
    assert "--worker gthread" in result.output
    assert not (config_file.parent / "data" / "vuoro.db").exists()  # refused before touching the database
