"""The centre's configuration lives in the database: seeded from config.yaml, changed in place, taken up by
every process, exported and imported in config.yaml's shape without loss."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from flask import Flask

from queue_server.cli import main
from queue_server.config import ConfigError
from queue_server.models import AuditEntry
from queue_server.services import centre_config
from queue_server.services.context import Context
from tests.conftest import ROOT


def ctx_of(app: Flask) -> Context:
    return app.extensions["vuoro"]  # type: ignore[no-any-return]


def test_the_file_seeds_an_empty_database_and_then_the_database_is_the_source(
    make_app: Any, config_data: dict[str, Any]
) -> None:
    first = ctx_of(make_app(config_data))
    version, document = centre_config.current(first.db)
    assert version == 1 and document == centre_config.document_of(first.config)
    # a later start with another file: the centre part comes from the database, the machine part from the file
    changed = copy.deepcopy(config_data)
    changed["services"][0]["name"]["fi"] = "Kela (from a stale file)"
    changed["retention_days"] = 7
    second = ctx_of(make_app(changed))
    assert second.config.service_map["kela"].name["fi"] == "Kela"
    assert second.config.retention_days == 7


def test_a_change_is_validated_whole_audited_and_taken_up_by_this_process(
    make_app: Any, config_data: dict[str, Any]
) -> None:
    ctx = ctx_of(make_app(config_data))
    document = centre_config.document_of(ctx.config)
    broken = copy.deepcopy(document)
    broken["desks"][0]["services"] = ["passport"]
    with pytest.raises(ConfigError, match="desks.0.services: unknown service 'passport'"):
        centre_config.replace(ctx, broken, actor="user:1", action="desk.update", target="d1")
    assert centre_config.current(ctx.db)[0] == 1, "a refused change stores nothing"

    renamed = copy.deepcopy(document)
    renamed["desks"][0]["label"] = {"fi": "Tiski 1A", "sv": "Disk 1A", "en": "Desk 1A"}
    _, version = centre_config.replace(ctx, renamed, actor="user:1", action="desk.update", target="d1")
    assert version == 2
    assert ctx.config.desk_map["d1"].label == {"fi": "Tiski 1A", "sv": "Disk 1A", "en": "Desk 1A"}
    assert ctx.live is not None and ctx.live.config_version == 2
    with ctx.db.reader() as session:
        (entry,) = session.scalars(sa.select(AuditEntry)).all()
    assert (entry.actor, entry.action, entry.target) == ("user:1", "desk.update", "d1")
    assert entry.before["desks"][0]["label"]["fi"] == "Tiski 1" and entry.after["desks"][0]["label"]["fi"] == "Tiski 1A"


def test_another_process_takes_a_change_up_within_a_second(make_app: Any, config_data: dict[str, Any]) -> None:
    """Two apps on one database (as two processes): B learns of A's change from the outbox, without a restart."""
    a, b = ctx_of(make_app(config_data)), ctx_of(make_app(config_data))
    closed = centre_config.document_of(a.config)
    closed["services"][1]["hours"] = {"mon": "00:00-00:01"}  # library: open one minute on Mondays only
    started = time.monotonic()
    centre_config.replace(a, closed, actor="user:1", action="service.update", target="library")
    while b.config.service_map["library"].hours is None:
        assert time.monotonic() - started < 2.0, "B did not take the change up"
        time.sleep(0.02)
    assert b.live is not None and b.live.config_version == 2
    assert time.monotonic() - started < 1.5


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("VUORO_CONFIG", "VUORO_DATABASE_URL", "VUORO_REDIS_URL", "VUORO_SECRET_KEY", "VUORO_PUBLIC_URL"):
        monkeypatch.delenv(var, raising=False)
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["database_url"] = "sqlite:///data/vuoro.db"
    file = tmp_path / "config.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return file


def test_export_import_export_is_lossless(config_file: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.yaml"
    assert cli("config", "export", "--config", str(config_file), "--out", str(first)).exit_code == 0
    result = cli("config", "import", "--config", str(config_file), str(first))
    assert result.exit_code == 0 and "no change" in result.output
    second = tmp_path / "second.yaml"
    cli("config", "export", "--config", str(config_file), "--out", str(second))
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    # the shipped file's centre part is what was exported
    exported = yaml.safe_load(first.read_text(encoding="utf-8"))
    assert [s["key"] for s in exported["services"]][:3] == ["library", "youth", "kohtaamo"]
    assert "secret_key" not in exported and "database_url" not in exported


def test_import_shows_the_difference_first_and_dry_run_changes_nothing(config_file: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    raw["services"][0]["name"]["en"] = "City library"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    dry = cli("config", "import", "--config", str(config_file), str(changed), "--dry-run")
    assert dry.exit_code == 0
    assert "-    en: Library" in dry.output and "+    en: City library" in dry.output
    assert "not imported (machine settings" in dry.output and "secret_key" in dry.output
    assert "en: Library" in cli("config", "export", "--config", str(config_file)).output, "dry run changed it"
    done = cli("config", "import", "--config", str(config_file), str(changed))
    assert done.exit_code == 0 and "imported as version 2" in done.output
    assert "City library" in cli("config", "export", "--config", str(config_file)).output


def test_a_broken_import_is_refused_with_the_field_named(config_file: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    raw["desks"][0]["zone"] = "attic"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "import", "--config", str(config_file), str(broken)])
    assert result.exit_code != 0 and "desks.0.zone: unknown zone 'attic'" in result.output
