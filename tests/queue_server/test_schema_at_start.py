"""Where the schema is migrated: SQLite on the spot, PostgreSQL only by ``vuoro db upgrade`` (docs/deploy.md,
"Releases: migrate once"); a server on a PostgreSQL database behind the code refuses to start and says why."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result

from queue_server.app import create_app, shutdown
from queue_server.cli import main
from queue_server.db import Database, SchemaNotCurrent, alembic_config
from tests.conftest import BASE_CONFIG


def head(url: str) -> str:
    return str(ScriptDirectory.from_config(alembic_config(url)).get_current_head())


def previous(url: str) -> str:
    """The revision before the head: a database one release behind."""
    revision = ScriptDirectory.from_config(alembic_config(url)).get_revision(head(url))
    assert revision is not None
    return str(revision.down_revision)


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def migrate_to(url: str, revision: str) -> None:
    db = Database(url)
    try:
        command.upgrade(alembic_config(url, db.engine), revision)
    finally:
        db.dispose()


def vuoro(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def pg_config(
    config_data: dict[str, Any], empty_postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A config file on an empty PostgreSQL database (no environment override in the way), run from tmp_path:
    a first start that got through would write its password file into the working directory."""
    monkeypatch.delenv("VUORO_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    file = tmp_path / "config.yaml"
    file.write_text(yaml.safe_dump({**config_data, "database_url": empty_postgres_url}), encoding="utf-8")
    return file


def test_an_app_on_a_new_sqlite_file_creates_its_schema(config_data: dict[str, Any]) -> None:
    """The quick start: ``vuoro serve`` on the example config and a file that does not exist yet."""
    app = create_app(config_data)
    try:
        assert {"tickets", "centre_config", "alembic_version"} <= tables(config_data["database_url"])
    finally:
        shutdown(app)


@pytest.mark.postgres
def test_an_app_on_an_empty_postgresql_database_refuses_and_migrates_nothing(
    config_data: dict[str, Any], empty_postgres_url: str
) -> None:
    with pytest.raises(SchemaNotCurrent) as refused:
        create_app({**config_data, "database_url": empty_postgres_url})
    assert str(refused.value) == (
        f"the database has no schema yet (no revision), the code needs {head(empty_postgres_url)}: run vuoro db upgrade"
    )
    assert tables(empty_postgres_url) == set()


@pytest.mark.postgres
def test_an_app_on_a_postgresql_database_one_release_behind_refuses_and_names_both_revisions(
    config_data: dict[str, Any], empty_postgres_url: str
) -> None:
    url = empty_postgres_url
    migrate_to(url, previous(url))
    with pytest.raises(SchemaNotCurrent) as refused:
        create_app({**config_data, "database_url": url})
    assert str(refused.value) == (
        f"the database is at revision {previous(url)}, the code needs {head(url)}: run vuoro db upgrade"
    )


@pytest.mark.postgres
def test_an_app_on_a_postgresql_database_migrated_by_a_newer_release_refuses(
    config_data: dict[str, Any], postgres_url: str
) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaNotCurrent, match="revision 9999, which this code does not know"):
        create_app({**config_data, "database_url": postgres_url})


@pytest.mark.postgres
def test_migrate_true_upgrades_postgresql_too(config_data: dict[str, Any], empty_postgres_url: str) -> None:
    app = create_app({**config_data, "database_url": empty_postgres_url}, migrate=True)
    try:
        assert "tickets" in tables(empty_postgres_url)
    finally:
        shutdown(app)


@pytest.mark.postgres
def test_vuoro_serve_on_a_postgresql_database_behind_refuses_with_what_to_run(pg_config: Path) -> None:
    url = yaml.safe_load(pg_config.read_text(encoding="utf-8"))["database_url"]
    migrate_to(url, previous(url))
    result = vuoro("serve", "--config", str(pg_config), "--port", "1")
    assert result.exit_code == 1, result.output
    assert (
        f"the database is at revision {previous(url)}, the code needs {head(url)}: run vuoro db upgrade"
        in result.output
    )
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_only_vuoro_db_upgrade_migrates_postgresql(pg_config: Path) -> None:
    url = yaml.safe_load(pg_config.read_text(encoding="utf-8"))["database_url"]
    refused = vuoro("token", "create", "--role", "kiosk", "--name", "k1", "--config", str(pg_config))
    assert refused.exit_code == 1 and "run vuoro db upgrade" in refused.output
    assert tables(url) == set()
    upgraded = vuoro("db", "upgrade", "--config", str(pg_config))
    assert upgraded.exit_code == 0, upgraded.output
    created = vuoro("token", "create", "--role", "kiosk", "--name", "k1", "--config", str(pg_config))
    assert created.exit_code == 0, created.output


def test_every_command_still_creates_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VUORO_DATABASE_URL", raising=False)
    data = copy.deepcopy(BASE_CONFIG)
    data["database_url"] = f"sqlite:///{tmp_path / 'new.db'}"
    file = tmp_path / "config.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = vuoro("token", "create", "--role", "kiosk", "--name", "k1", "--config", str(file))
    assert result.exit_code == 0, result.output
    assert "tickets" in tables(data["database_url"])
