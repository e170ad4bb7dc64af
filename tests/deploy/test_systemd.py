"""The systemd units in ``deploy/`` (every one of them) checked as far as a machine without them installed allows.

``systemd-analyze verify`` reads each unit as systemd would (sections, directives, dependencies, the timer's
service); the only change made is the path of the installed ``vuoro`` command, which must exist for verify to
pass.  Every ``vuoro`` command line a unit runs (also the commented alternative) must be one the CLI accepts,
and every variable in ``vuoro.env.example`` one that Vuoro reads.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from queue_server.cli import main
from tests.conftest import ROOT, service_unavailable

DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/vuoro/venv/bin/vuoro"
#: every unit shipped, the server's template first (verify needs its instances instead)
UNITS = tuple(
    sorted(
        (p.name for p in DEPLOY.iterdir() if p.suffix in (".service", ".timer", ".target")),
        key=lambda name: (name != "vuoro@.service", name),
    )
)


def vuoro_command() -> str:
    found = Path(sys.executable).parent / "vuoro"
    return str(found) if found.exists() else shutil.which("vuoro") or "vuoro"


def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        service_unavailable("systemd-analyze", FileNotFoundError("systemd-analyze (Debian's systemd package)"))
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED, vuoro_command()), encoding="utf-8")
    template = (tmp_path / "vuoro@.service").read_text(encoding="utf-8")
    for port in ("5001", "5002"):  # the instances vuoro.target wants
        (tmp_path / f"vuoro@{port}.service").write_text(template, encoding="utf-8")
    units = [str(tmp_path / n) for n in ("vuoro@5001.service", "vuoro@5002.service", *UNITS[1:])]
    result = subprocess.run(
        [analyze, "verify", *units],
        capture_output=True,
        text=True,
        timeout=60,  # noqa: S603
        cwd=tmp_path,
    )
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "vuoro" in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr


def exec_lines() -> list[tuple[str, list[str]]]:
    """(unit, arguments) of every ``vuoro`` command line in the units, the commented alternatives too."""
    found = []
    for name in UNITS:
        for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
            match = re.match(r"^#?\s*ExecStart=" + re.escape(INSTALLED) + r"\s+(.*)$", line)
            if match:
                found.append((name, shlex.split(match[1].replace("%i", "5001"))))
    return found


@pytest.mark.parametrize(("unit", "args"), exec_lines(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_every_command_line_in_the_units_is_one_the_cli_accepts(unit: str, args: list[str]) -> None:
    # --help stops before the command runs, but only after click has parsed (and so checked) every option
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, f"{unit}: vuoro {' '.join(args)}: {result.output}"


def test_the_units_run_the_server_the_migration_and_the_nightly_purge() -> None:
    assert {args[0] for _, args in exec_lines()} == {"serve", "db", "purge"}
    assert len(exec_lines()) >= 4
    assert {"vuoro-purge.service", "vuoro-purge.timer", "vuoro-backup.timer"} <= set(UNITS)


def test_every_timer_has_its_service_and_the_purge_runs_once_a_night() -> None:
    """A timer starts the service of its own name; the purge's is daily, like the backup's (and after it)."""
    timers = [n for n in UNITS if n.endswith(".timer")]
    assert all(n.removesuffix(".timer") + ".service" in UNITS for n in timers), timers
    at = {
        n: re.findall(r"^OnCalendar=\*-\*-\* (\d\d:\d\d):00$", (DEPLOY / n).read_text(encoding="utf-8"), re.M)
        for n in timers
    }
    assert all(len(times) == 1 for times in at.values()), at
    assert at["vuoro-backup.timer"] < at["vuoro-purge.timer"]
    assert ("vuoro-purge.service", ["purge", "--config", "/etc/vuoro/config.yaml"]) in exec_lines()


def test_every_variable_of_the_example_environment_file_is_one_vuoro_reads() -> None:
    names = re.findall(r"^(VUORO_[A-Z_]+)=", (DEPLOY / "vuoro.env.example").read_text(encoding="utf-8"), re.M)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "queue_server").rglob("*.py"))
    assert "VUORO_PROXY_HOPS" in names, "behind nginx the servers need proxy_hops"
    assert names and all(f'"{n}"' in source for n in names), [n for n in names if f'"{n}"' not in source]
