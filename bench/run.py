"""The scale benchmark: every target of issue 10 measured in one run, from outside, as ratios where it asks.

    python bench/run.py                 # the full run (~15 minutes): table into docs/performance.md
    python bench/run.py --quick         # shorter cells, fewer calls, a third of a day (~5-7 minutes)
    python bench/run.py --quick --no-write --only cost,throughput

Real ``vuoro serve`` processes on loopback ports (the checkout this file is in), with the example centre
(config.yaml without opening hours, limits or printers) and a fresh database each, driven only through the
HTTP API, Socket.IO and ``vuoro simulate``; the servers' CPU time and memory are read from ``/proc``.

Parts (``--only``, comma-separated):

- ``cost``: CPU per issue, call-next + finish, board snapshot and ``GET /api/services`` at 0, 1,000 and 5,000
  waiting, one process on SQLite (``cost_curve.py``; the queue filled while the server is stopped,
  ``prefill.py``);
- ``throughput``: one SQLite process with 8 keep-alive clients, issue against ``/healthz`` and against the
  stack's floor (``floor_app.py``); idle memory (``throughput.py``);
- ``scale``: issue throughput of two processes (PostgreSQL + Redis) against one PostgreSQL process;
- ``fanout``: call-to-board latency and loss with 10, 1,000 and 5,000 connected clients (a tenth boards, the
  rest phones following their own tickets) over two processes, what each phone received, and memory per
  client; the highest level again with each ``--worker`` that ``vuoro serve`` offers (``fanout.py``);
- ``simulate``: ``vuoro simulate --visits 4500`` at full speed against one process (``simulate_day.py``).

PostgreSQL and Redis are the local servers (``VUORO_TEST_POSTGRES_URL``, ``VUORO_BENCH_REDIS_URL``); a part that
needs one that is missing is skipped with a note.  Every loop is bounded in time or count, every address is
loopback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cost_curve, doc_section, fanout, report, simulate_day, throughput  # noqa: E402
from bench.servers import bench_config, serve_options, unavailable  # noqa: E402

__all__ = ["bench_config", "main"]  # bench_config: bench/profile_issue.py builds its app from the same centre

DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
BEGIN, END = "<!-- BEGIN scale-benchmark (bench/run.py) -->", "<!-- END scale-benchmark -->"
PARTS = ("cost", "throughput", "scale", "fanout", "simulate")
#: the sizes of a full and of a quick run
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "cost_budget_s": 4.0,
        "cost_min_ops": 5,
        "cost_max_ops": 1000,
        "cost_max_issues": 300,
        "cost_max_pairs": 100,
        "seconds": 8.0,
        "calls": 30,
        "connect_budget_s": 120.0,
        "call_budget_s": 45.0,
        "visits": 4500,
        "simulate_timeout_s": 300.0,
    },
    "quick": {
        "cost_budget_s": 1.5,
        "cost_min_ops": 3,
        "cost_max_ops": 400,
        "cost_max_issues": 150,
        "cost_max_pairs": 50,
        "seconds": 3.0,
        "calls": 10,
        "connect_budget_s": 60.0,
        "call_budget_s": 15.0,
        "visits": 1500,
        "simulate_timeout_s": 120.0,
    },
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],  # noqa: S603,S607
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def parts(args: argparse.Namespace, size: dict[str, Any], work: Path) -> dict[str, Callable[[], dict[str, Any]]]:
    """What each part runs, with this run's sizes."""
    workers: list[str | None] = ["gthread", "gevent"] if "--worker" in serve_options() else [None]
    return {
        "cost": lambda: cost_curve.run(
            work,
            levels=args.cost_levels,
            budget_s=size["cost_budget_s"],
            min_ops=size["cost_min_ops"],
            max_ops=size["cost_max_ops"],
            max_issues=size["cost_max_issues"],
            max_pairs=size["cost_max_pairs"],
            log=log,
        ),
        "throughput": lambda: throughput.one_process(work, clients=8, seconds=size["seconds"], log=log),
        "scale": lambda: throughput.two_processes(work, clients=args.scale_clients, seconds=size["seconds"], log=log),
        "fanout": lambda: fanout.run(
            work,
            levels=args.levels,
            workers=workers,
            calls=size["calls"],
            interval_s=0.5,
            connect_budget_s=size["connect_budget_s"],
            call_budget_s=size["call_budget_s"],
            log=log,
        ),
        "simulate": lambda: simulate_day.run(
            work,
            visits=args.visits or size["visits"],
            timeout_s=size["simulate_timeout_s"],
            speed=args.sim_speed,
            log=log,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",")]
    args.cost_levels = [int(x) for x in args.cost_levels.split(",")]
    only = [p for p in args.only.split(",") if p]
    if unknown := set(only) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    mode = "quick" if args.quick else "full"
    logging.basicConfig(level=logging.WARNING)
    if args.render:
        earlier = json.loads(args.render.read_text(encoding="utf-8"))
        return publish(earlier, write=not args.no_write, raw=args.render.resolve() != latest(earlier).resolve())

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the servers inherit it: thousands of sockets each
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    started, load_start = time.monotonic(), _load()
    result = measure(args, only, SIZES[mode])
    result["meta"] = _meta(args, only, mode, started, load_start)
    kept = args.json if args.no_write else latest(result)
    result["meta"]["raw"] = _raw_name(kept)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    publish(result, write=not args.no_write)
    return 1 if result["failed"] else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter cells and fewer calls (~5 minutes)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument(
        "--no-write", action="store_true", help="print only: leave docs/performance.md and bench/results/ alone"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        help="measure nothing: the table of an earlier run's raw numbers (written unless --no-write)",
    )
    parser.add_argument("--levels", default="10,1000,5000", help="connected clients per fan-out level")
    parser.add_argument("--cost-levels", default="0,1000,5000", help="waiting tickets per cost-curve level")
    parser.add_argument("--scale-clients", type=int, default=16, help="keep-alive clients for one vs two processes")
    parser.add_argument(
        "--visits", type=int, default=None, help="visits of the simulated day (default 4500; 1500 with --quick)"
    )
    parser.add_argument("--sim-speed", type=float, default=simulate_day.SPEED, help="simulated seconds per second")
    return parser


def measure(args: argparse.Namespace, only: list[str], size: dict[str, Any]) -> dict[str, Any]:
    """Run the parts in ``only``, in that order: a part whose server is missing is skipped with the reason, a
    part that fails is recorded with its error, and the others still run (the table says which)."""
    missing = unavailable()
    needs = {"scale": ("postgresql", "redis"), "fanout": ("postgresql", "redis")}
    result: dict[str, Any] = {"skipped": [], "failed": {}}
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"vuoro-bench-{uuid.uuid4().hex[:8]}"
    todo = parts(args, size, work)
    try:
        for part in only:
            absent = [m for m in needs.get(part, ()) if m in missing]
            if absent:
                result["skipped"].append(f"{part} ({'; '.join(f'{m}: {missing[m]}' for m in absent)})")
                continue
            log(f"part {part}")
            try:
                result[part] = todo[part]()
            except Exception as exc:  # noqa: BLE001 - recorded in the table; the other parts still run
                log(f"part {part} failed:\n{traceback.format_exc()}")
                result["failed"][part] = f"{type(exc).__name__}: {exc}"
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)  # noqa: S603,S607 - our own temporary folder
    return result


def _meta(args: argparse.Namespace, only: list[str], mode: str, started: float, load_start: str) -> dict[str, Any]:
    """Where and how the numbers were measured: a reader compares runs by these (machine, commit, load)."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    command = (
        "python bench/run.py"
        + (" --quick" if args.quick else "")
        + (f" --only {','.join(only)}" if set(only) != set(PARTS) else "")
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": mode,
        "command": command,
        "machine": f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}",
        "commit": _commit(),
        "minutes": (time.monotonic() - started) / 60,
        "load_start": load_start,
        "load_end": _load(),
        "sizes": SIZES[mode],
    }


def _raw_name(kept: Path | None) -> str | None:
    """How the table names the file with the raw numbers: relative to the checkout when it is inside it."""
    return (
        str(kept.resolve().relative_to(ROOT))
        if kept and kept.resolve().is_relative_to(ROOT)
        else (str(kept) if kept else None)
    )


def latest(result: dict[str, Any]) -> Path:
    return RESULTS / f"latest-{result['meta']['mode']}.json"


def publish(result: dict[str, Any], *, write: bool, raw: bool = True) -> int:
    """Print the table; with ``write``, put it into docs/performance.md and (``raw``) the numbers beside it."""
    text = report.table(result)
    print()
    print(text)
    if write:
        if raw:
            RESULTS.mkdir(parents=True, exist_ok=True)
            latest(result).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        doc_section.write_section(DOC, BEGIN, END, text)
        print(f"\nwrote {DOC.relative_to(ROOT)}" + (f" and {latest(result).relative_to(ROOT)}" if raw else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
