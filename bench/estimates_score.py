"""How far each estimator was off on the simulated days of bench/estimates_day.py, and the Markdown tables of it.

An error is estimate - real wait (issue -> first call); tickets never called are left out.  A row of a table is
the tickets measured, their mean absolute error (minutes), the share within +-5 min and the mean signed error.
bench/estimates.py puts the tables into docs/performance.md; bench/estimates_appointments.py uses ``Result``
and ``table`` for its own kinds of tickets.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.estimates_day import Day

WITHIN_S = 300
ESTIMATORS = ("baseline", "whole rounds", "vuoro")
#: the far scenario's table: tickets by how many services of theirs had finished that day when they were issued
OBSERVED_BUCKETS = ((0, 0), (1, 2), (3, 5), (6, 10), (11, 20), (21, None))


@dataclass(frozen=True)
class Sample:
    """What one measured ticket was: its first errand, how many of those had finished when it was issued, its
    real wait, and its service's true mean over the configured one."""

    service: str
    observed: int
    real_s: float
    true_over_configured: float


@dataclass
class Result:
    name: str
    errors: list[float] = field(default_factory=list)  # estimate - real, seconds
    by_service: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    samples: list[Sample] = field(default_factory=list)  # parallel to errors

    def row(self, errors: Sequence[float] | None = None) -> tuple[int, float, float, float]:
        e = self.errors if errors is None else errors
        if not e:
            return (0, math.nan, math.nan, math.nan)
        return (
            len(e),
            statistics.fmean(abs(x) for x in e) / 60,
            sum(1 for x in e if abs(x) <= WITHIN_S) / len(e),
            statistics.fmean(e) / 60,
        )


def simulate(days: int, seed: int, config_path: Path, scenario: str = "default") -> tuple[dict[str, Result], int, int]:
    results = {name: Result(name) for name in ESTIMATORS}
    issued = measured = 0
    for i in range(days):
        day = Day(seed + i, config_path, scenario)
        for ticket in day.run():
            issued += 1
            if ticket.first_call is None:
                continue
            measured += 1
            real = ticket.first_call - ticket.issued
            first = ticket.first_service
            ratio = day.true_mean[first] / day.services[first][0].service_time_s
            for name in ESTIMATORS:
                err = ticket.estimates[name] - real
                results[name].errors.append(err)
                results[name].by_service[first].append(err)
                results[name].samples.append(Sample(first, ticket.observed, real, ratio))
    return results, issued, measured


def score_csv(path: Path) -> Result:
    """MAE etc. of a simulator CSV: one row per ticket with its estimate at issue and its real wait."""
    result = Result(f"csv: {path.name}")
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            est = next((row[k] for k in ("estimated_wait_s", "estimate_s", "estimate") if row.get(k)), None)
            real = next((row[k] for k in ("observed_wait_s", "actual_wait_s", "wait_s") if row.get(k)), None)
            if est is None or real is None:
                continue
            result.errors.append(float(est) - float(real))
    return result


def table(results: Sequence[Result]) -> str:
    lines = ["| estimator | tickets | MAE (min) | within ±5 min | bias (min) |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        n, mae, within, bias = r.row()
        lines.append(f"| {r.name} | {n} | {mae:.2f} | {within:.1%} | {bias:+.2f} |")
    return "\n".join(lines)


def _bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}" if lo == hi else f"> {lo - 1}" if hi is None else f"{lo}–{hi}"


def _mae_min(errors: Sequence[float]) -> str:
    return f"{statistics.fmean(abs(x) for x in errors) / 60:.2f}" if errors else "–"


def observed_table(results: dict[str, Result]) -> str:
    """MAE and share within ±5 min by how many of the ticket's services had finished that day when issued."""
    lines = [
        "| services finished | tickets | mean wait (min) | baseline MAE | vuoro MAE | baseline ±5 min "
        "| vuoro ±5 min | vuoro MAE, 5× shorter | vuoro MAE, 3× longer |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base, vuoro = results["baseline"], results["vuoro"]
    for lo, hi in OBSERVED_BUCKETS:
        idx = [i for i, x in enumerate(vuoro.samples) if x.observed >= lo and (hi is None or x.observed <= hi)]
        if not idx:
            continue
        b = base.row([base.errors[i] for i in idx])
        v = vuoro.row([vuoro.errors[i] for i in idx])
        shorter = [vuoro.errors[i] for i in idx if vuoro.samples[i].true_over_configured < 1]
        longer = [vuoro.errors[i] for i in idx if vuoro.samples[i].true_over_configured > 1]
        wait = statistics.fmean(vuoro.samples[i].real_s for i in idx) / 60
        lines.append(
            f"| {_bucket_label(lo, hi)} | {len(idx)} | {wait:.1f} | {b[1]:.2f} | {v[1]:.2f} | {b[2]:.1%} "
            f"| {v[2]:.1%} | {_mae_min(shorter)} | {_mae_min(longer)} |"
        )
    return "\n".join(lines)
