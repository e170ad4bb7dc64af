"""Alembic: upgrading a fresh database gives exactly the models' schema, and downgrading removes it again."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from queue_server.app import create_app, shutdown
from queue_server.db import Database, alembic_config
from queue_server.models import Base
from queue_server.services import centre_config


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    url = (
        f"sqlite:///{tmp_path / 'fresh.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("empty_postgres_url")
    )
    db = Database(url)
    request.addfinalizer(db.dispose)
    return db


def differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))


def tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_head_gives_the_models_schema(fresh_db: Database) -> None:
    fresh_db.upgrade()
    assert differences(fresh_db) == []
    assert set(Base.metadata.tables) <= tables(fresh_db)


def test_an_empty_database_differs_from_the_models(fresh_db: Database) -> None:
    # the comparison above can fail: before the upgrade every table is missing
    added = {d[1].name for d in differences(fresh_db) if isinstance(d, tuple) and d[0] == "add_table"}
    assert added == set(Base.metadata.tables)


def test_the_database_is_at_the_single_head_revision(fresh_db: Database) -> None:
    fresh_db.upgrade()
    heads = ScriptDirectory.from_config(alembic_config(fresh_db.url)).get_heads()
    assert len(heads) == 1
    with fresh_db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)


def test_downgrade_to_base_removes_every_table(fresh_db: Database) -> None:
    fresh_db.upgrade()
    command.downgrade(alembic_config(fresh_db.url, fresh_db.engine), "base")
    assert tables(fresh_db) <= {"alembic_version"}
    with fresh_db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == ()


def test_upgrade_after_downgrade_gives_the_schema_again(fresh_db: Database) -> None:
    fresh_db.upgrade()
    command.downgrade(alembic_config(fresh_db.url, fresh_db.engine), "base")
    fresh_db.upgrade()
    assert differences(fresh_db) == []


def test_every_revision_steps_down_and_up_again(fresh_db: Database) -> None:
    config = alembic_config(fresh_db.url, fresh_db.engine)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    for revision in revisions:
        command.upgrade(config, revision.revision)
        command.downgrade(config, str(revision.down_revision or "base"))
        command.upgrade(config, revision.revision)
    assert differences(fresh_db) == []


def test_an_installation_that_ran_on_the_file_gets_its_configuration_moved_into_the_database(
    fresh_db: Database, config_data: dict[str, object]
) -> None:
    """A database of the first release (revision 0004: no centre_config) with a day's tickets: after the upgrade
    the first start seeds the centre's configuration from its config.yaml, and the tickets are all there."""
    config = alembic_config(fresh_db.url, fresh_db.engine)
    command.upgrade(config, "0004")
    with fresh_db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO counters (scope, day, value) VALUES ('prefix:K', '2026-11-27', 3)"))
    assert "centre_config" not in tables(fresh_db)
    fresh_db.upgrade()  # vuoro db upgrade, as on a release
    app = create_app({**config_data, "database_url": fresh_db.url})
    try:
        ctx = app.extensions["vuoro"]
        version, document = centre_config.current(ctx.db)
        assert version == 1 and [s["key"] for s in document["services"]] == ["kela", "library", "health", "mental"]
        with fresh_db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM counters WHERE scope = 'prefix:K'")).scalar() == 3
    finally:
        shutdown(app)
