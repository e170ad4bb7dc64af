"""``vuoro report`` writes the PDF of a period; ``vuoro purge`` applies retention and keeps the figures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from queue_server.cli import main
from queue_server.services.context import Context
from queue_server.services.statistics import build_report
from tests.conftest import FakeClock
from tests.queue_server.insight_days import D1, D, play_both


def write_config(config_data: dict[str, Any], tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "vuoro.yaml"
    path.write_text(yaml.safe_dump({**config_data, **changes}), encoding="utf-8")
    return path


def test_report_writes_the_pdf_of_the_period(
    ctx: Context, clock: FakeClock, config_data: dict[str, Any], tmp_path: Path
) -> None:
    play_both(ctx, clock)
    out = tmp_path / "november.pdf"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--config",
            str(write_config(config_data, tmp_path)),
            "--from",
            "2026-11-26",
            "--to",
            "2026-11-27",
            "--out",
            str(out),
            "--language",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "6 visits" in result.output
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Visit report: Test centre" in text and "26/11/2026 – 27/11/2026" in text
    assert "Library" in text and "Served within target" in text


def test_report_refuses_an_inverted_range(config_data: dict[str, Any], tmp_path: Path, ctx: Context) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(write_config(config_data, tmp_path)), "--from", "2026-11-27", "--to", "2026-11-26"],
    )
    assert result.exit_code != 0 and "'from' must not be after 'to'" in result.output


def test_purge_deletes_old_days_and_keeps_their_statistics(
    ctx: Context, clock: FakeClock, config_data: dict[str, Any], tmp_path: Path
) -> None:
    """On the real calendar (28 November 2026 or later) with one day kept, day D is certainly purged."""
    play_both(ctx, clock)
    clock.set_local("2026-11-28 12:00:00")
    before = build_report(ctx, D, D1)
    result = CliRunner().invoke(main, ["purge", "--config", str(write_config(config_data, tmp_path, retention_days=1))])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("purged ") and "their daily statistics are kept" in result.output
    after = build_report(ctx, D, D1)
    assert after.summary == before.summary and after.by_day == before.by_day
