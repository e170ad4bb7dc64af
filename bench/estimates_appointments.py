"""Wait estimates when appointments are merged with walk-ins: the same simulated days, 30% of visitors booked.

    python bench/estimates_appointments.py              # print the table, update docs/performance.md
    python bench/estimates_appointments.py --days 2 --no-write

The day of bench/estimates.py (the example centre of config.yaml, its desks, lunches, service times,
no-shows), except that a share of each service's visitors (``--share``, default 30%) come by appointment:
every service takes bookings on a 15-minute grid over its opening hours, the booked times follow the same
demand over the day as the walk-ins (so arrivals keep the same load), and all bookings are made before the
day starts.  A booked visitor checks in at a kiosk up to 30 minutes before the booked time and at most 10
minutes after it (``checkin_early_min``, ``grace_min``), on average 8 minutes early; 8% never come, and the
server only learns that when the grace has passed.  Desks call by Vuoro's call-next policy
(queue_server.domain.policy): a due appointment first, then walk-ins, an early appointment only when no walk-in
waits for the desk.

What is measured, for each kind of ticket, is the wait the visitor is told against the wait they then had:

- walk-ins: the estimate at issue against issue -> first call; baseline: the naive one of bench/estimates.py
  (the position shown -- walk-ins ahead plus appointments already due -- x average recent service time / open
  desks); vuoro: ``estimate.predict`` with the appointments checked in and still expected.
- appointments: the estimate at check-in against check-in -> call.  The wait starts at check-in because that
  is when the visitor is in the waiting room and is told a time; it ends at the call.  naive: "you will be
  called at your booked time", i.e. max(0, booked - check-in); vuoro: the replay's answer, which the server
  gives at check-in (``ServiceForecast.appointment_wait``).  Punctuality: call - booked time.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import doc_section  # noqa: E402
from bench.estimates_day import Day, Push, Ticket  # noqa: E402
from bench.estimates_score import Result, table  # noqa: E402
from queue_server.domain import estimate  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- BEGIN appointment-estimate-accuracy (bench/estimates_appointments.py) -->"
END = "<!-- END appointment-estimate-accuracy -->"
SHARE = 0.3
SLOT_S = 15 * 60
EARLY_S, GRACE_S = 30 * 60, 10 * 60  # the check-in window (AppointmentsConfig's defaults)
MEAN_EARLY_S, SD_EARLY_S = 8 * 60, 7 * 60
BOOKING_NO_SHOW = 0.08
WALK_IN_ESTIMATORS = ("baseline", "whole rounds", "vuoro")
APPOINTMENT_ESTIMATORS = ("naive", "vuoro")


@dataclass(frozen=True)
class Booking:
    id: int
    service: str
    start: float
    checkin: float | None  # None: the visitor never comes


class AppointmentDay(Day):
    """A simulated day on which ``share`` of each service's visitors booked a time instead of walking in."""

    def __init__(self, seed: int, config_path: Path, share: float = SHARE) -> None:
        super().__init__(seed, config_path)
        self.share = share
        self.bookings: list[Booking] = []
        self.pending_bookings: dict[int, Booking] = {}  # booked, not checked in, grace not over

    def arrivals(self) -> list[tuple[float, str]]:
        """The walk-ins; the other visitors drawn become bookings in the slot they would have come in."""
        walk_ins = []
        for t, key in super().arrivals():
            if self.rng.random() >= self.share:
                walk_ins.append((t, key))
                continue
            opens, closes = self.services[key][1]
            start = min(max(opens, SLOT_S * (t // SLOT_S)), closes - SLOT_S)
            early = min(EARLY_S, max(-GRACE_S, self.rng.gauss(MEAN_EARLY_S, SD_EARLY_S)))
            come = self.rng.random() >= BOOKING_NO_SHOW
            self.bookings.append(Booking(len(self.bookings) + 1, key, start, start - early if come else None))
        return walk_ins

    def schedule(self, push: Push) -> None:
        super().schedule(push)
        for b in self.bookings:
            self.pending_bookings[b.id] = b
            push(b.start + GRACE_S, "grace over", b)
            if b.checkin is not None:
                push(b.checkin, "check in", b)

    def handle(self, t: float, kind: str, obj: object, push: Push) -> None:
        if kind == "grace over":
            assert isinstance(obj, Booking)
            self.pending_bookings.pop(obj.id, None)
        elif kind == "check in":
            assert isinstance(obj, Booking)
            self._check_in(obj, t)
            self._dispatch(t, push)
        else:
            super().handle(t, kind, obj, push)

    def _check_in(self, booking: Booking, t: float) -> None:
        """The visitor checks in: a ticket that waits for its booked time (they do not give up; they booked)."""
        self.pending_bookings.pop(booking.id, None)
        ticket = Ticket(len(self.tickets) + 1, booking.service, False, t, t, [], math.inf, due=booking.start)
        ticket.first_service = booking.service
        self.tickets.append(ticket)
        self.live[ticket.id] = ticket
        ticket.estimates = {
            "naive": max(0.0, booking.start - t),
            "vuoro": estimate.predict(self.snapshot(t, self.waiting(t))).waits.get(ticket.id, math.nan),
        }

    def expected(self, t: float) -> list[estimate.Booked]:
        """Bookings not checked in whose grace has not passed, with negative ids (as forecast._booked does)."""
        return [estimate.Booked(-b.id, b.service, b.start) for b in self.pending_bookings.values()]


@dataclass
class Outcome:
    walk_ins: dict[str, Result]
    appointments: dict[str, Result]
    punctuality_s: list[float] = field(default_factory=list)  # call - booked time, per appointment called
    issued: int = 0
    booked: int = 0
    checked_in: int = 0


def simulate(days: int, seed: int, config_path: Path, share: float = SHARE) -> Outcome:
    out = Outcome(
        {n: Result(n) for n in WALK_IN_ESTIMATORS}, {n: Result(f"{n} (appointments)") for n in APPOINTMENT_ESTIMATORS}
    )
    for i in range(days):
        day = AppointmentDay(seed + i, config_path, share)
        tickets = day.run()
        out.booked += len(day.bookings)
        for ticket in tickets:
            appointment = ticket.due is not None
            out.checked_in += appointment
            out.issued += not appointment
            if ticket.first_call is None:
                continue
            real = ticket.first_call - ticket.issued
            results = out.appointments if appointment else out.walk_ins
            for name, r in results.items():
                r.errors.append(ticket.estimates[name] - real)
                r.by_service[ticket.first_service].append(ticket.estimates[name] - real)
            if ticket.due is not None:
                out.punctuality_s.append(ticket.first_call - ticket.due)
    return out


def punctuality(values: list[float]) -> str:
    """How close to their booked time appointments were called (negative: early)."""
    if not values:
        return "no appointment was called"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    early = sum(1 for x in values if x < 0) / len(values)
    within = sum(1 for x in values if 0 <= x <= 300) / len(values)
    return (
        f"Punctuality (call − booked time): median {statistics.median(values) / 60:+.1f} min, mean "
        f"{statistics.fmean(values) / 60:+.1f} min, 90th percentile {p90 / 60:+.1f} min; {early:.1%} called "
        f"early, {within:.1%} within 5 minutes after their time."
    )


def per_service(out: Outcome) -> str:
    """MAE by service for both kinds: where the replay helps, and where it does not (yet)."""
    lines = [
        "| service | walk-ins | baseline MAE | vuoro MAE | appointments | naive MAE | vuoro MAE |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base, walk_in = out.walk_ins["baseline"], out.walk_ins["vuoro"]
    naive, appointment = out.appointments["naive"], out.appointments["vuoro"]
    for k in sorted(set(base.by_service) | set(naive.by_service)):
        b, w = base.row(base.by_service.get(k, [])), walk_in.row(walk_in.by_service.get(k, []))
        n, a = naive.row(naive.by_service.get(k, [])), appointment.row(appointment.by_service.get(k, []))
        lines.append(f"| {k} | {b[0]} | {b[1]:.2f} | {w[1]:.2f} | {n[0]} | {n[1]:.2f} | {a[1]:.2f} |")
    return "\n".join(lines)


def text(days: int, seed: int, config_path: Path, share: float = SHARE) -> str:
    """The section for docs/performance.md: both kinds' table, the baselines, punctuality, per service."""
    out = simulate(days, seed, config_path, share)
    walk_ins = [out.walk_ins[n] for n in WALK_IN_ESTIMATORS]
    appointments = [out.appointments[n] for n in APPOINTMENT_ESTIMATORS]
    return "\n".join(
        [
            "### Appointments merged with walk-ins",
            "",
            f"`python bench/estimates_appointments.py` (seed {seed}, {days} simulated Wednesdays; "
            f"{share:.0%} of visitors booked: {out.booked} bookings, {out.checked_in} checked in, "
            f"{out.issued} walk-in tickets).  Every service takes bookings on a 15-minute grid; booked visitors "
            "check in 30 min before to 10 min after their time (8 min early on average), 8% never come.  A walk-in's "
            "wait is issue → first call, an appointment's is check-in → call, each against the estimate given then.",
            "",
            table(walk_ins + appointments),
            "",
            "baseline (walk-ins): the position shown (walk-ins ahead plus appointments already due) × average recent "
            'service time / open desks. naive (appointments): "you will be called at your booked time", '
            "max(0, booked − check-in). vuoro: the replay (`estimate.predict`) with the appointments checked in and "
            "those still expected; for an appointment this is what the server tells at check-in "
            "(`ServiceForecast.appointment_wait`).",
            "",
            punctuality(out.punctuality_s),
            "",
            "Per service (the first errand's service; MAE in minutes):",
            "",
            per_service(out),
        ]
    )


def write(section: str) -> None:
    doc_section.write_section(DOC, BEGIN, END, section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=5, help="simulated days (default 5)")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--share", type=float, default=SHARE, help="visitors who book (default 0.3)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args(argv)
    result = text(args.days, args.seed, args.config, args.share)
    print(result)
    if not args.no_write:
        write(result)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
