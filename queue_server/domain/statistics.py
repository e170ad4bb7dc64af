"""Statistics from the event log, as pure functions (no Flask, no SQLAlchemy).  Definitions: docs/statistics.md.

The unit is the **errand**: one visit to one service's queue.  A ticket for "Kela, then the library" makes two
errands; a transfer ends one errand and starts another.  From a ticket's events (in log order):

- an errand starts at ``issued`` (its first errand: a *visit*), ``next_errand`` or ``transferred`` (the next
  errand, in ``to_service_key``), at the event's instant;
- its **wait** is from that start to its first ``called``; ``recalled`` and ``started`` change nothing, and a
  ``returned`` ticket keeps its errand (and its first wait): it was called already;
- its **service time** is from its last ``called`` to ``finished``, ``next_errand`` or ``transferred`` while at
  a desk -- those end it as *served*;
- ``no_show``, ``cancelled``, ``expired`` end it as such, and ``transferred`` while waiting as *transferred*;
  ``no_show_undone`` takes a no-show back (it was marked by mistake): the errand goes on, with its first wait;
- it belongs to the ticket's business day (the centre's local date at issue), its service, the desk of its
  last call (none when no desk called it) and its **kind**: an *appointment* is the first errand of a ticket
  checked in for an appointment (the ticket has a booked time), every other errand is a *walk-in*;
- an appointment's **punctuality** is its first ``called`` minus its booked time, in whole seconds, negative
  when it was called early (a walk-in has none).

Durations are whole seconds (fractions dropped).  Percentiles interpolate linearly between closest ranks
(Hyndman & Fan type 7: numpy's default, Excel's PERCENTILE.INC), so the median is the usual median.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, tzinfo
from fractions import Fraction
from typing import Any

HOURS = 24
FEEDBACK_CATEGORIES = ("signage", "noise", "privacy", "waiting_time", "service")

#: errand outcomes
SERVED, NO_SHOW, CANCELLED, EXPIRED, TRANSFERRED, OPEN = (
    "served",
    "no_show",
    "cancelled",
    "expired",
    "transferred",
    "open",
)
#: errand kinds
WALK_IN, APPOINTMENT = "walk_in", "appointment"
KINDS = (WALK_IN, APPOINTMENT)


@dataclass(frozen=True)
class Event:
    """The fields of a ``ticket_events`` row that statistics need; ``id`` orders a ticket's events."""

    id: int
    ticket_id: int
    business_day: date
    at: datetime
    type: str
    service_key: str
    to_service_key: str | None = None
    desk_key: str | None = None
    #: the booked time of the ticket's appointment (the same on each of its events), None for a walk-in
    due_at: datetime | None = None


@dataclass
class Errand:
    """One errand (a ticket's turn in one service's queue), replayed from the ticket's events: its day, service,
    desk, kind, wait, service time and outcome (``open`` until an event ends it)."""

    business_day: date
    service_key: str
    queued_at: datetime
    visit: bool
    desk_key: str | None = None
    #: the booked time when this errand is an appointment
    due_at: datetime | None = None
    wait_s: int | None = None
    punctuality_s: int | None = None
    service_s: int | None = None
    outcome: str = OPEN
    # bookkeeping while the events are replayed
    _last_call: datetime | None = field(default=None, repr=False)
    _at_desk: bool = field(default=False, repr=False)


def seconds(start: datetime, end: datetime) -> int:
    """A duration in whole seconds, fractions dropped (never negative)."""
    return max(0, signed_seconds(start, end))


def signed_seconds(start: datetime, end: datetime) -> int:
    """``end - start`` in whole seconds, rounded down (an instant before ``start`` is negative)."""
    return math.floor((end - start).total_seconds())


def build_errands(events: Iterable[Event]) -> list[Errand]:
    """Replay each ticket's events into its errands (see the module docstring for the rules)."""
    by_ticket: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        by_ticket[e.ticket_id].append(e)
    out: list[Errand] = []
    for ticket_events in by_ticket.values():
        out.extend(_ticket_errands(sorted(ticket_events, key=lambda e: e.id)))
    return out


def _ticket_errands(events: Sequence[Event]) -> list[Errand]:
    errands: list[Errand] = []
    cur: Errand | None = None

    def close(outcome: str, at: datetime) -> None:
        assert cur is not None
        cur.outcome = outcome
        if outcome == SERVED and cur._last_call is not None:
            cur.service_s = seconds(cur._last_call, at)
        cur._at_desk = False

    for e in events:
        if e.type == "issued":
            cur = Errand(e.business_day, e.service_key, e.at, visit=True, due_at=e.due_at)
            errands.append(cur)
            continue
        if cur is None or cur.outcome != OPEN:
            if cur is not None and cur.outcome == NO_SHOW and e.type == "no_show_undone":
                cur.outcome = OPEN  # the no-show was marked by mistake: the errand goes on
            continue  # a log that starts mid-ticket, or an event after the end: nothing to attribute
        if e.type == "called":
            if cur.wait_s is None:
                cur.wait_s = seconds(cur.queued_at, e.at)
                if cur.due_at is not None:
                    cur.punctuality_s = signed_seconds(cur.due_at, e.at)
            cur._last_call, cur._at_desk, cur.desk_key = e.at, True, e.desk_key
        elif e.type == "returned":
            cur._at_desk = False
        elif e.type == "finished":  # only ever from a desk (called or serving)
            close(SERVED, e.at)
        elif e.type in ("next_errand", "transferred"):
            close(SERVED if cur._at_desk else TRANSFERRED, e.at)
            cur = Errand(e.business_day, e.to_service_key or e.service_key, e.at, visit=False)
            errands.append(cur)
        elif e.type == "no_show":
            close(NO_SHOW, e.at)
        elif e.type == "cancelled":
            close(CANCELLED, e.at)
        elif e.type == "expired":
            close(EXPIRED, e.at)
    return errands


CellKey = tuple[date, str, str, str]  # (business day, service, desk or "", kind)


@dataclass
class Cell:
    """Everything statistics keep of one day x service x desk: counts and the sorted durations.

    This is also exactly what ``daily_stats`` stores once retention has deleted the day's tickets.
    """

    business_day: date
    service_key: str
    desk_key: str = ""
    kind: str = WALK_IN
    errands: int = 0
    visits: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    expired: int = 0
    transferred: int = 0
    served_waits_s: list[int] = field(default_factory=list)
    other_waits_s: list[int] = field(default_factory=list)
    service_times_s: list[int] = field(default_factory=list)
    arrivals_by_hour: list[int] = field(default_factory=lambda: [0] * HOURS)
    #: appointments only: first call minus booked time, signed
    punctuality_s: list[int] = field(default_factory=list)

    @property
    def key(self) -> CellKey:
        """The cell's (day, service, desk or "", kind): what errands are gathered by and cells sorted on."""
        return (self.business_day, self.service_key, self.desk_key, self.kind)


def build_cells(errands: Iterable[Errand], tz: tzinfo) -> list[Cell]:
    """Aggregate errands per day x service x desk x kind; arrivals by the local hour (``tz``) they joined."""
    cells: dict[CellKey, Cell] = {}
    for er in errands:
        key = (er.business_day, er.service_key, er.desk_key or "", WALK_IN if er.due_at is None else APPOINTMENT)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell(*key)
        cell.errands += 1
        cell.visits += er.visit
        cell.arrivals_by_hour[er.queued_at.astimezone(tz).hour] += 1
        if er.outcome == SERVED:
            cell.served += 1
        elif er.outcome == NO_SHOW:
            cell.no_shows += 1
        elif er.outcome == CANCELLED:
            cell.cancelled += 1
        elif er.outcome == EXPIRED:
            cell.expired += 1
        elif er.outcome == TRANSFERRED:
            cell.transferred += 1
        if er.wait_s is not None:
            (cell.served_waits_s if er.outcome == SERVED else cell.other_waits_s).append(er.wait_s)
        if er.service_s is not None:
            cell.service_times_s.append(er.service_s)
        if er.punctuality_s is not None:
            cell.punctuality_s.append(er.punctuality_s)
    for cell in cells.values():
        cell.served_waits_s.sort()
        cell.other_waits_s.sort()
        cell.service_times_s.sort()
        cell.punctuality_s.sort()
    return sorted(cells.values(), key=lambda c: c.key)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) of ascending values, linear between closest ranks (type 7)."""
    n = len(sorted_values)
    if n == 0:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be within 0..100")
    h = Fraction(n - 1) * Fraction(p) / 100  # exact: whole-second inputs give the one correctly rounded float
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    a, b = Fraction(sorted_values[lo]), Fraction(sorted_values[hi])
    return float(a + (h - lo) * (b - a))


@dataclass(frozen=True)
class Durations:
    """How many durations, and their mean, median and 90th percentile in seconds (None when none)."""

    n: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None

    @classmethod
    def of(cls, values: Iterable[int]) -> Durations:
        """The figures of ``values`` (whole seconds), percentiles by :func:`percentile` (type 7)."""
        xs = sorted(values)
        if not xs:
            return cls(0, None, None, None)
        return cls(len(xs), sum(xs) / len(xs), percentile(xs, 50), percentile(xs, 90))


@dataclass(frozen=True)
class Summary:
    """What a report shows of a set of cells: the outcomes counted, wait and service time, the share
    served within target, arrivals by hour and how punctually appointments were called."""

    errands: int
    visits: int
    served: int
    no_shows: int
    cancelled: int
    expired: int
    transferred: int
    wait: Durations
    service_time: Durations
    #: served errands whose wait was within their service's target, as a share of served errands
    served_within_target: float | None
    arrivals_per_hour: list[int]
    #: of the appointments among the errands: how many, and first call minus booked time (negative: early)
    appointments: int
    punctuality: Durations

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the API's JSON (api/insight.py), the durations nested."""
        return asdict(self)


#: the counts a summary adds up from its cells
COUNTS = ("errands", "visits", "served", "no_shows", "cancelled", "expired", "transferred")


def summarize(cells: Iterable[Cell], targets: Mapping[str, int]) -> Summary:
    """Merge cells into one summary; ``targets`` is each service's target wait in seconds."""
    cells = list(cells)
    served_waits = [w for c in cells for w in c.served_waits_s]
    within = sum(1 for c in cells for w in c.served_waits_s if w <= targets.get(c.service_key, math.inf))
    arrivals = [sum(hours) for hours in zip(*(c.arrivals_by_hour for c in cells), strict=True)] or [0] * HOURS
    return Summary(
        **{name: sum(getattr(c, name) for c in cells) for name in COUNTS},
        wait=Durations.of([*served_waits, *(w for c in cells for w in c.other_waits_s)]),
        service_time=Durations.of(w for c in cells for w in c.service_times_s),
        served_within_target=within / len(served_waits) if served_waits else None,
        arrivals_per_hour=arrivals,
        appointments=sum(c.errands for c in cells if c.kind == APPOINTMENT),
        punctuality=Durations.of(p for c in cells for p in c.punctuality_s),
    )


def group(cells: Iterable[Cell], key: Callable[[Cell], Hashable], targets: Mapping[str, int]) -> dict[Any, Summary]:
    """One summary per ``key(cell)``, in key order."""
    buckets: dict[Any, list[Cell]] = defaultdict(list)
    for c in cells:
        buckets[key(c)].append(c)
    return {k: summarize(buckets[k], targets) for k in sorted(buckets)}


@dataclass(frozen=True)
class FeedbackAnswer:
    """One visitor's answer after a finished visit: a rating 1-5 and, if they chose one, a category;
    the day and service only, nothing that leads back to the ticket."""

    business_day: date
    service_key: str
    rating: int
    category: str | None


@dataclass(frozen=True)
class FeedbackSummary:
    """The answers of a period counted: how many, the mean rating, and the answers per rating and per
    category (every rating and category present, zeros included)."""

    answers: int
    mean_rating: float | None
    ratings: dict[str, int]  # "1".."5" -> answers
    categories: dict[str, int]  # every category -> answers naming it

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the API's JSON (api/insight.py)."""
        return asdict(self)


def summarize_feedback(answers: Iterable[FeedbackAnswer]) -> FeedbackSummary:
    """The visitors' answers counted: how many, the mean rating, and the answers per rating and per category."""
    answers = list(answers)
    ratings = {str(r): 0 for r in range(1, 6)}
    categories = dict.fromkeys(FEEDBACK_CATEGORIES, 0)
    for a in answers:
        ratings[str(a.rating)] += 1
        if a.category in categories:
            categories[a.category] += 1
    mean = sum(a.rating for a in answers) / len(answers) if answers else None
    return FeedbackSummary(len(answers), mean, ratings, categories)
