"""What a simulated day leaves behind: a record per ticket, the summary printed at the end, and the CSV."""

from __future__ import annotations

import csv
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import Visit, clock_text

FINAL = ("served", "no_show", "cancelled")


@dataclass
class TicketRecord:
    """What the run saw of one ticket it issued: its visit, the estimate shown, when it was called and seen on a
    board (``perf_counter`` times), and how it ended."""

    number: str
    token: str
    visit: Visit | None
    issued_sim_s: float
    issued_real: float
    estimated_wait_s: int | None
    errand: int = 0
    call_sent: float | None = None  # the desk's first ``next`` for it left (to time call -> board)
    called_real: float | None = None  # the desk's answer to the first call
    board_real: float | None = None  # the first "called" event seen on a board
    desk: str | None = None
    outcome: str = "waiting"

    def observed_wait_real(self) -> float | None:
        """Real seconds from issue to the call, seen on a board (else at the desk); None if it was never called."""
        seen = self.board_real if self.board_real is not None else self.called_real
        return None if seen is None else max(0.0, seen - self.issued_real)


@dataclass
class Summary:
    """The day's figures, as the end of ``vuoro simulate`` prints them: counts, waits, estimate errors, errors."""

    visits: int
    issued: int
    refused: Counter[str]
    called: int
    served: int
    no_shows: int
    unfinished: int
    waits_sim_s: list[float]
    board_delays_s: list[float]
    estimate_errors_s: list[float]
    errors: Counter[str]
    phones: int
    phone_events: int
    wall_s: float
    speed: float

    @classmethod
    def of(
        cls,
        records: Sequence[TicketRecord],
        *,
        visits: int,
        speed: float,
        wall_s: float,
        refused: Counter[str],
        errors: Counter[str],
        board_delays_s: list[float],
        phones: int,
        phone_events: int,
    ) -> Summary:
        """The day's figures from its ticket records (waits in simulated seconds)."""
        waits = [w * speed for r in records if (w := r.observed_wait_real()) is not None]
        estimate_errors = [
            w * speed - r.estimated_wait_s
            for r in records
            if r.estimated_wait_s is not None and (w := r.observed_wait_real()) is not None
        ]
        outcomes = Counter(r.outcome for r in records)
        return cls(
            visits=visits,
            issued=len(records),
            refused=Counter(refused),
            called=sum(1 for r in records if r.called_real is not None),
            served=outcomes["served"],
            no_shows=outcomes["no_show"],
            unfinished=sum(n for outcome, n in outcomes.items() if outcome not in FINAL),
            waits_sim_s=waits,
            board_delays_s=list(board_delays_s),
            estimate_errors_s=estimate_errors,
            errors=Counter(errors),
            phones=phones,
            phone_events=phone_events,
            wall_s=wall_s,
            speed=speed,
        )

    @staticmethod
    def _p(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def lines(self) -> list[str]:
        """The summary as aligned text, one figure a line; one with nothing measured is left out or shown as -."""
        w = self.waits_sim_s
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) or "none"
        errors = ", ".join(f"{k} {v}" for k, v in self.errors.most_common(6)) or "none"
        out = [
            f"visits planned      {self.visits}",
            f"tickets issued      {self.issued}   (refused: {refused})",
            f"called              {self.called}",
            f"served              {self.served}",
            f"no-shows            {self.no_shows}",
            f"not finished        {self.unfinished}",
            f"wait (issue->call)  mean {_minutes(statistics.fmean(w) if w else float('nan'))}, "
            f"p90 {_minutes(self._p(w, 0.9))}, max {_minutes(max(w) if w else float('nan'))} (simulated)",
        ]
        if self.estimate_errors_s:
            e = self.estimate_errors_s
            out.append(
                f"estimate at issue   mean error {_minutes(statistics.fmean(e))} "
                f"(real wait minus estimate, simulated time; --out has every ticket)"
            )
        if self.board_delays_s:
            d = self.board_delays_s
            out.append(
                f"call -> board       {len(d)} calls seen; p50 {self._p(d, 0.5) * 1000:.0f} ms, "
                f"p99 {self._p(d, 0.99) * 1000:.0f} ms (real time)"
            )
        if self.phones:
            out.append(f"phones              {self.phones} followed their ticket, {self.phone_events} updates")
        out.append(f"errors              {sum(self.errors.values())} ({errors})")
        out.append(f"wall time           {self.wall_s:.0f} s at {self.speed:g}x")
        return out


def _minutes(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "-"
    return f"{seconds / 60:.1f} min"


def write_csv(records: Sequence[TicketRecord], path: Path, speed: float) -> int:
    """One row per ticket: the estimate shown at issue and the wait that followed (simulated and real)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "number",
                "services",
                "priority",
                "issued_at",
                "estimated_wait_s",
                "observed_wait_s",
                "observed_wait_real_s",
                "seen_on_board",
                "desk",
                "outcome",
                "speed",
            ]
        )
        for r in sorted(records, key=lambda r: r.issued_real):
            real = r.observed_wait_real()
            writer.writerow(
                [
                    r.number,
                    " ".join(r.visit.services) if r.visit else "",
                    int(bool(r.visit and r.visit.priority)),
                    clock_text(r.issued_sim_s),
                    "" if r.estimated_wait_s is None else r.estimated_wait_s,
                    "" if real is None else round(real * speed, 1),
                    "" if real is None else round(real, 3),
                    int(r.board_real is not None),
                    r.desk or "",
                    r.outcome,
                    speed,
                ]
            )
    return len(records)
