"""Part 6: ``vuoro simulate --visits 4500`` at full speed against one process, as an operator would run it.

"Full speed" is a clock so fast that the simulated day's own pauses (arrivals, service times, no-show grace,
idle polls) shrink to milliseconds: 3,600 simulated seconds per real second, a ten-hour day of arrivals in ten
real seconds, so the kiosks' 8 threads and the 21 desks' threads send as fast as the server answers and the
server, not the clock, sets the wall time.  The run is bounded: after ``timeout_s`` it is stopped (SIGINT, then
SIGKILL) and reported as cut, with the tickets the server had issued by then.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import prefill
from bench.servers import ROOT, Setup
from bench.throughput import numbering

SPEED = 3600.0
FIELDS = {
    "issued": r"tickets issued\s+(\d+)",
    "called": r"called\s+(\d+)",
    "served": r"served\s+(\d+)",
    "no_shows": r"no-shows\s+(\d+)",
    "not_finished": r"not finished\s+(\d+)",
    "errors": r"errors\s+(\d+)",
    "wall_s": r"wall time\s+([\d.]+) s",
}


def parse(text: str) -> dict[str, Any]:
    """The figures of the simulator's summary (its printed lines are its interface)."""
    out: dict[str, Any] = {}
    for key, pattern in FIELDS.items():
        match = re.search(r"^" + pattern, text, re.MULTILINE)
        if match:
            out[key] = float(match.group(1)) if key == "wall_s" else int(match.group(1))
    board = re.search(r"call -> board\s+(\d+) calls seen; p50 (\d+) ms, p99 (\d+) ms", text)
    if board:
        out["board_calls_seen"], out["board_p50_ms"], out["board_p99_ms"] = map(int, board.groups())
    errors = re.search(r"^errors\s+\d+ \((.*)\)$", text, re.MULTILINE)
    if errors:
        out["error_kinds"] = errors.group(1)
    return out


def run(work: Path, *, visits: int, timeout_s: float, speed: float, log: Callable[[str], None]) -> dict[str, Any]:
    threads = 64 + visits // 5  # a tenth of the visitors follow their ticket: each open websocket holds a thread
    with Setup("simulate", "sqlite", 1, work / "simulate", threads=threads) as setup:
        server = setup.servers[0]
        argv = [
            sys.executable,
            "-m",
            "vuoro_tools",
            "simulate",
            "--url",
            server.url,
            "--kiosk-token",
            setup.tokens["kiosk"],
            "--desk-token",
            setup.tokens["desk"],
            "--visits",
            str(visits),
            "--speed",
            f"{speed:g}",
            "--seed",
            "1",
            "--no-progress",
        ]
        cpu_before = server.cpu_s()
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,  # noqa: S603
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,
        )
        cut = False
        try:
            text, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            cut = True
            os.killpg(proc.pid, signal.SIGINT)
            try:
                text, _ = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                text, _ = proc.communicate()
        wall = time.perf_counter() - started
        out: dict[str, Any] = {
            "command": f"vuoro simulate --visits {visits} --speed {speed:g} --seed 1",
            "visits": visits,
            "speed": speed,
            "threads": threads,
            "cut": cut,
            "timeout_s": timeout_s,
            "bench_wall_s": round(wall, 1),
            "exit_code": proc.returncode,
            "server_cpu_s": round(server.cpu_s() - cpu_before, 1),
            "output_tail": text.strip().splitlines()[-14:],
        }
        out.update(parse(text))
        out["waiting_left"] = prefill.waiting_total(setup)
        out["database"] = numbering(setup)
    log(
        f"simulate {visits} visits at {speed:g}x: {'cut after ' if cut else ''}{out['bench_wall_s']} s, "
        f"issued {out.get('issued')}, served {out.get('served')}, errors {out.get('errors')} "
        f"({out.get('error_kinds', '')}), server CPU {out['server_cpu_s']} s"
    )
    return out
