"""How good are the wait estimates?  A deterministic offline evaluation on simulated days.

    python bench/estimates.py                 # simulate, print the table, update docs/performance.md
    python bench/estimates.py --days 2 --no-write
    python bench/estimates.py --csv run.csv   # also score a `vuoro simulate --out run.csv` file
    python bench/estimates.py --scenario appointments   # 30% booked (bench/estimates_appointments.py)

A discrete-event simulation of whole days at the example centre (config.yaml: Iso Omena, nine services, 21
desks): visitors arrive over each service's opening hours (a morning and an afternoon peak), some with a second
errand, some with priority; desks open a little after the service, pause for lunch, some close early; clerks
call the next ticket by Vuoro's own call-next policy (queue_server.domain.policy); service times are lognormal
per service (their true means differ from the configured ``service_time_s``, which the estimators only get as a
prior); some called visitors do not come (the desk waits ~1.5 min), some give up waiting.  Everything is drawn
from one seeded generator per day, so the table is the same on every run.

At every issue the simulation asks each estimator for the new ticket's wait, from what the server would know at
that moment (the waiting tickets, the desks and what they serve, today's finished services), and compares it
with the wait the ticket then really had (issue -> first call).  Tickets never called are left out.

- baseline: queue length ahead x average recent service time / open desks (``estimate.baseline_wait_s``)
- whole rounds: the first Vuoro estimator, ceil(position / open desks) x average (``estimate.estimate_wait_s``)
- vuoro: the replay estimator Vuoro uses now (``estimate.predict``)

A desk at lunch is what the server sees as paused (back in ``forecast.PAUSE_LEFT_S``, not at its real time).
Appointments merged with walk-ins: bench/estimates_appointments.py, on this same day.

The day is bench/estimates_day.py, the scoring and its tables bench/estimates_score.py; this module writes the
sections of docs/performance.md and is the command.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import timeit
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import doc_section, estimates_appointments  # noqa: E402
from bench.estimates_day import PRIORITY_SHARE, SECOND_ERRAND_SHARE, far_factors  # noqa: E402
from bench.estimates_score import ESTIMATORS, observed_table, score_csv, simulate, table  # noqa: E402
from queue_server.config import load_config  # noqa: E402
from queue_server.domain import estimate  # noqa: E402

__all__ = ["main", "simulate"]  # simulate: tests/queue_server/domain/test_estimate_replay.py runs a day through it

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- BEGIN wait-estimate-accuracy (bench/estimates.py) -->", "<!-- END wait-estimate-accuracy -->"
SCENARIOS = ("default", "far", "appointments")


def default_text(args: argparse.Namespace) -> str:
    """The accuracy section for the example centre as configured (true means 0.75-1.3x the configured ones)."""
    results, issued, measured = simulate(args.days, args.seed, args.config)
    rows = [results[name] for name in ESTIMATORS] + [score_csv(p) for p in args.csv]
    services = sorted({k for r in results.values() for k in r.by_service})
    per_service = [
        "| service | tickets | baseline MAE | vuoro MAE | baseline ±5 min | vuoro ±5 min |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k in services:
        b = results["baseline"].row(results["baseline"].by_service[k])
        v = results["vuoro"].row(results["vuoro"].by_service[k])
        per_service.append(f"| {k} | {b[0]} | {b[1]:.2f} | {v[1]:.2f} | {b[2]:.1%} | {v[2]:.1%} |")
    return "\n".join(
        [
            "## Wait-estimate accuracy",
            "",
            f"`python bench/estimates.py` (seed {args.seed}, {args.days} simulated Wednesdays at the example centre "
            f"of config.yaml; {issued} tickets issued, {measured} called and measured).  At each issue every estimator "
            "predicts the new ticket's wait from what the server knows then; the error is estimate − real wait "
            "(issue → first call).  MAE: mean absolute error; within ±5 min: share of tickets whose estimate was "
            "at most 5 minutes off; bias: mean signed error (negative = promised too short).",
            "",
            table(rows),
            "",
            "baseline: queue length ahead × average recent service time / open desks. whole rounds: the first "
            "Vuoro estimator, ceil(position / open desks) × average. vuoro: the replay estimator now used by the "
            "kiosk, the phone page and the boards (queue_server/domain/estimate.py `predict`).",
            "",
            "Per service (the first errand's service):",
            "",
            "\n".join(per_service),
        ]
    )


def far_text(args: argparse.Namespace) -> str:
    """The adaptation scenario: every service's real times far from the configured ones."""
    results, issued, measured = simulate(args.days, args.seed, args.config, "far")
    far = far_factors({s.key: s.service_time_s for s in load_config(args.config).services})
    shorter = ", ".join(sorted(k for k, f in far.items() if f < 1))
    longer = ", ".join(sorted(k for k, f in far.items() if f > 1))
    return "\n".join(
        [
            "### Far from the configured service times",
            "",
            f"`python bench/estimates.py --scenario far` (seed {args.seed}, {args.days} days; {issued} tickets issued, "
            f"{measured} measured).  The same centre, but every service's true mean is far from its configured "
            f"`service_time_s` (±10%): 5× shorter for {shorter} (library's 240 s become about 48 s), 3× longer for "
            f"{longer}.  Arrivals follow the true capacity, so queues are as long as in the table above; no-shows "
            "still keep a desk 1–2 min.  Tickets by how many services of their first errand had finished that day "
            "when they were issued, i.e. how much the estimators had seen:",
            "",
            table([results[name] for name in ESTIMATORS]),
            "",
            observed_table(results),
        ]
    )


def timing(config_path: Path, waiting: int = 5000, horizon: int = 100) -> str:
    """How long one ``predict`` takes at the example centre with ``waiting`` tickets, whole and bounded."""
    cfg = load_config(config_path)
    rng = random.Random(1)
    keys = [s.key for s in cfg.services]
    tickets = [
        estimate.Waiting(
            i,
            rng.choice(keys),
            rng.random() < PRIORITY_SHARE,
            -3.0 * i,
            (rng.choice(keys),) if rng.random() < SECOND_ERRAND_SHARE else (),
        )
        for i in range(waiting, 0, -1)
    ]
    desks = [
        estimate.Desk(d.key, tuple(d.services), busy_service=d.services[0], busy_for_s=rng.uniform(0, 300))
        for d in cfg.desks
    ]
    rates = {s.key: estimate.service_rate([], s.service_time_s) for s in cfg.services}
    lines = []
    for h in (None, horizon):
        snap = estimate.Snapshot(0.0, tickets, desks, rates, priority_ratio=cfg.priority_ratio, horizon=h)
        number = 5 if h is None else 50
        best = min(timeit.repeat(functools.partial(estimate.predict, snap), number=number, repeat=7)) / number
        lines.append(
            f"predict, {waiting} waiting, horizon {h}: {best * 1000:.1f} ms "
            f"({len(estimate.predict(snap).waits)} tickets replayed; best of 7)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=5, help="simulated days per scenario (default 5)")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument(
        "--scenario",
        choices=("all", *SCENARIOS),
        default="all",
        help="default: the configured times; far: 5x shorter / 3x longer; appointments: 30%% "
        "booked; all (default): each, and only then is docs/performance.md written",
    )
    parser.add_argument(
        "--csv",
        type=Path,
        action="append",
        default=[],
        help="also score a simulator CSV (estimated_wait_s and actual_wait_s per ticket)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--timing", action="store_true", help="only time predict at 5,000 waiting (horizon 100)")
    args = parser.parse_args(argv)
    if args.timing:
        print(timing(args.config))
        return 0

    parts, booked = [], ""
    if args.scenario in ("all", "default"):
        parts.append(default_text(args))
    if args.scenario in ("all", "far"):
        parts.append(far_text(args))
    if args.scenario in ("all", "appointments"):
        booked = estimates_appointments.text(args.days, args.seed, args.config)
    print("\n\n".join(x for x in (*parts, booked) if x))
    if args.scenario == "all" and not args.no_write:
        doc_section.write_section(DOC, BEGIN, END, "\n\n".join(parts))
        estimates_appointments.write(booked)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
