"""The table bench/workers.py prints and writes into docs/deploy.md: one row per worker and level."""

from __future__ import annotations

from typing import Any

from bench.workers_clients import WAITING_TICKETS

COLUMNS = [
    ("connected", "connected"),
    ("failed to connect", "connect_failed"),
    ("connect all s", "connect_s"),
    ("worker RSS idle MB", "idle_rss_mb"),
    ("connected MB", "connected_rss_mb"),
    ("kB per client", "kb_per_client"),
    ("idle CPU % of a core", "idle_cpu_pct"),
    ("still connected after the calls", "still_connected"),
    ("call to board p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("lost", "lost"),
    ("failed calls", "failed_calls"),
    ("CPU per call + finish ms", "cpu_per_call_ms"),
]


def table(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']}, commit {meta['commit']} (`{meta['command']}`, "
        f"{meta['minutes']:.1f} minutes; load average before: {meta['load_before']}). One process on "
        f"PostgreSQL; {meta['clients']} clients (a tenth boards, the rest phones following at most "
        f"{WAITING_TICKETS} waiting tickets), {meta['calls']} calls; the load generator shares the cores.",
        "",
        "| worker | " + " | ".join(title for title, _ in COLUMNS) + " |",
        "| --- |" + " ---: |" * len(COLUMNS),
    ]
    for r in result["workers"]:
        cells = (
            [f"failed: {r['error']}"] + [""] * (len(COLUMNS) - 1)
            if "error" in r
            else ["-" if r[key] is None else str(r[key]) for _, key in COLUMNS]
        )
        lines.append(f"| {r['worker']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
