"""Statistics read side: the event log for live days, ``daily_stats`` for days retention has purged.

The figures themselves are computed in :mod:`queue_server.domain.statistics`; this module only reads rows and
groups them.  A day is read from ``daily_stats`` as soon as it has rows there (retention writes them in the same
transaction that deletes the day's tickets), otherwise from ``ticket_events``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain import statistics as st
from ..domain.errors import InvalidRequest, NotFound
from ..i18n.catalogue import text
from ..models import DailyStats, Feedback, Ticket, TicketEvent
from .context import Context

MAX_RANGE_DAYS = 3660
#: the groupings a CSV export may ask for, in column order
CSV_KEYS = ("day", "service", "desk", "kind")


@dataclass(frozen=True)
class StatsReport:
    """Everything the statistics API, the CSV export and the PDF report show of a period: its cells,
    their summary and the groupings, and the visitors' feedback."""

    start: date
    end: date
    service: str | None
    cells: list[st.Cell]
    summary: st.Summary
    by_day: dict[date, st.Summary]
    by_service: dict[str, st.Summary]
    by_desk: dict[str, st.Summary]
    by_day_service: dict[tuple[date, str], st.Summary]
    #: walk-ins and appointments apart, over everything and per service
    by_kind: dict[str, st.Summary]
    by_service_kind: dict[tuple[str, str], st.Summary]
    feedback: st.FeedbackSummary
    feedback_by_service: dict[str, st.FeedbackSummary]


def targets(ctx: Context) -> dict[str, int]:
    """Each service's target wait, seconds: a served errand within it counts towards ``served_within_target``."""
    return {s.key: s.target_wait_s for s in ctx.config.services}


def check_range(ctx: Context, start: date | None, end: date | None, service: str | None) -> tuple[date, date]:
    """Default both ends to today (the centre's local date); refuse inverted or huge ranges, unknown services."""
    today = ctx.today()
    start = start or end or today
    end = end or (start if start > today else today)
    if end < start:
        raise InvalidRequest("'from' must not be after 'to'")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidRequest(f"at most {MAX_RANGE_DAYS} days at a time")
    if service is not None and service not in ctx.config.service_map:
        raise NotFound(f"unknown service {service!r}", code="unknown_service")
    return start, end


def cell_from_row(row: DailyStats) -> st.Cell:
    """A purged day's stored ``daily_stats`` row as the cell the event log would have given."""
    return st.Cell(
        business_day=row.business_day,
        service_key=row.service_key,
        desk_key=row.desk_key,
        kind=row.kind,
        errands=row.errands,
        visits=row.visits,
        served=row.served,
        no_shows=row.no_shows,
        cancelled=row.cancelled,
        expired=row.expired,
        transferred=row.transferred,
        served_waits_s=list(row.served_waits_s),
        other_waits_s=list(row.other_waits_s),
        service_times_s=list(row.service_times_s),
        arrivals_by_hour=list(row.arrivals_by_hour),
        punctuality_s=list(row.punctuality_s),
    )


def row_from_cell(cell: st.Cell) -> DailyStats:
    """A cell as a ``daily_stats`` row: retention keeps a day's figures this way when it deletes its tickets."""
    return DailyStats(
        business_day=cell.business_day,
        service_key=cell.service_key,
        desk_key=cell.desk_key,
        kind=cell.kind,
        errands=cell.errands,
        visits=cell.visits,
        served=cell.served,
        no_shows=cell.no_shows,
        cancelled=cell.cancelled,
        expired=cell.expired,
        transferred=cell.transferred,
        served_waits_s=cell.served_waits_s,
        other_waits_s=cell.other_waits_s,
        service_times_s=cell.service_times_s,
        arrivals_by_hour=cell.arrivals_by_hour,
        punctuality_s=cell.punctuality_s,
    )


def event_records(session: orm.Session, start: date, end: date, skip_days: Iterable[date] = ()) -> list[st.Event]:
    """The range's events with their ticket's booked time (an outer join: an event outlives nothing, but a log
    read mid-purge must not lose events)."""
    skip = list(skip_days)
    stmt = (
        sa.select(
            TicketEvent.id,
            TicketEvent.ticket_id,
            TicketEvent.business_day,
            TicketEvent.at,
            TicketEvent.type,
            TicketEvent.service_key,
            TicketEvent.to_service_key,
            TicketEvent.desk_key,
            Ticket.due_at,
        )
        .outerjoin(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.business_day >= start, TicketEvent.business_day <= end)
        .order_by(TicketEvent.ticket_id, TicketEvent.id)
    )
    if skip:
        stmt = stmt.where(TicketEvent.business_day.not_in(skip))
    return [st.Event(*row) for row in session.execute(stmt)]


def live_cells(
    session: orm.Session, ctx: Context, start: date, end: date, skip_days: Iterable[date] = ()
) -> list[st.Cell]:
    """Cells computed from the event log (the days not in ``skip_days``)."""
    return st.build_cells(st.build_errands(event_records(session, start, end, skip_days)), ctx.config.centre.tz)


def load_cells(session: orm.Session, ctx: Context, start: date, end: date) -> list[st.Cell]:
    """Every day x service x desk cell in the range: stored aggregates where they exist, else the event log."""
    rows = session.scalars(
        sa.select(DailyStats).where(DailyStats.business_day >= start, DailyStats.business_day <= end)
    ).all()
    stored = [cell_from_row(r) for r in rows]
    purged_days = {c.business_day for c in stored}
    return sorted(stored + live_cells(session, ctx, start, end, purged_days), key=lambda c: c.key)


def feedback_answers(
    session: orm.Session, start: date, end: date, service: str | None = None
) -> list[st.FeedbackAnswer]:
    """The visitors' feedback answers of the range, of one service or every one."""
    stmt = sa.select(Feedback.business_day, Feedback.service_key, Feedback.rating, Feedback.category).where(
        Feedback.business_day >= start, Feedback.business_day <= end
    )
    if service is not None:
        stmt = stmt.where(Feedback.service_key == service)
    return [st.FeedbackAnswer(*row) for row in session.execute(stmt)]


def build_report(
    ctx: Context, start: date | None = None, end: date | None = None, service: str | None = None
) -> StatsReport:
    """The statistics of a range (default: today), of one service or all: every grouping, and the feedback."""
    start, end = check_range(ctx, start, end, service)
    with ctx.db.reader() as session:
        cells = load_cells(session, ctx, start, end)
        answers = feedback_answers(session, start, end, service)
    if service is not None:
        cells = [c for c in cells if c.service_key == service]
    tg = targets(ctx)
    by_service_answers: dict[str, list[st.FeedbackAnswer]] = {}
    for a in answers:
        by_service_answers.setdefault(a.service_key, []).append(a)
    return StatsReport(
        start=start,
        end=end,
        service=service,
        cells=cells,
        summary=st.summarize(cells, tg),
        by_day=st.group(cells, lambda c: c.business_day, tg),
        by_service=_in_config_order(ctx, st.group(cells, lambda c: c.service_key, tg)),
        by_desk=st.group(cells, lambda c: c.desk_key, tg),
        by_day_service=st.group(cells, lambda c: (c.business_day, c.service_key), tg),
        by_kind=st.group(cells, lambda c: c.kind, tg),
        by_service_kind=st.group(cells, lambda c: (c.service_key, c.kind), tg),
        feedback=st.summarize_feedback(answers),
        feedback_by_service={k: st.summarize_feedback(v) for k, v in sorted(by_service_answers.items())},
    )


def _in_config_order(ctx: Context, by_service: dict[str, st.Summary]) -> dict[str, st.Summary]:
    order = {s.key: i for i, s in enumerate(ctx.config.services)}
    return dict(sorted(by_service.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def visit_counts(ctx: Context) -> tuple[int, int]:
    """(visits today, visits ever): tickets issued, from the event log plus the purged days' aggregates."""
    today = ctx.today()
    with ctx.db.reader() as session:
        issued = sa.select(sa.func.count()).select_from(TicketEvent).where(TicketEvent.type == "issued")
        today_n = session.scalar(issued.where(TicketEvent.business_day == today)) or 0
        live_n = session.scalar(issued) or 0
        purged_days = sa.select(DailyStats.business_day).distinct().scalar_subquery()
        # a purged day's events are gone, but guard against counting a day twice all the same
        live_n -= session.scalar(issued.where(TicketEvent.business_day.in_(purged_days))) or 0
        stored_n = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DailyStats.visits), 0))) or 0
    return int(today_n), int(live_n + stored_n)


# -- CSV ---------------------------------------------------------------------------------------------------------

CSV_METRICS = (
    "errands",
    "visits",
    "served",
    "no_shows",
    "cancelled",
    "expired",
    "transferred",
    "wait_n",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "service_n",
    "service_mean_s",
    "service_median_s",
    "service_p90_s",
    "served_within_target",
    "appointments",
    "punctuality_n",
    "punctuality_mean_s",
    "punctuality_median_s",
    "punctuality_p90_s",
)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def summary_values(s: st.Summary) -> list[str]:
    """A summary's figures as CSV cells, in :data:`CSV_METRICS` order (no value: an empty cell)."""
    return [
        str(s.errands),
        str(s.visits),
        str(s.served),
        str(s.no_shows),
        str(s.cancelled),
        str(s.expired),
        str(s.transferred),
        str(s.wait.n),
        _fmt(s.wait.mean_s),
        _fmt(s.wait.median_s),
        _fmt(s.wait.p90_s),
        str(s.service_time.n),
        _fmt(s.service_time.mean_s),
        _fmt(s.service_time.median_s),
        _fmt(s.service_time.p90_s),
        "" if s.served_within_target is None else f"{s.served_within_target:.4f}",
        str(s.appointments),
        str(s.punctuality.n),
        _fmt(s.punctuality.mean_s),
        _fmt(s.punctuality.median_s),
        _fmt(s.punctuality.p90_s),
    ]


def parse_by(text: str | None) -> tuple[str, ...]:
    """The CSV export's ``by`` as groupings in column order (default: day and service); 400 for an unknown key."""
    if not text:
        return ("day", "service")
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in keys if k not in CSV_KEYS]
    if bad or not keys:  # a key named twice is named once
        raise InvalidRequest(f"'by' is a comma-separated subset of {', '.join(CSV_KEYS)}")
    return tuple(k for k in CSV_KEYS if k in keys)


def csv_header(by: Sequence[str], language: str | None) -> list[str]:
    """The column names: stable keys for scripts (``wait_mean_s``), or, with ``language``, the names a
    manager reads in a spreadsheet ("Odotus keskiarvo (s)"), from the catalogue's ``csv.*`` texts."""
    keys = [*by, *CSV_METRICS]
    if language is None:
        return [*keys, *(f"arrivals_{h:02d}" for h in range(st.HOURS))]
    return [
        *(text(f"csv.{k}", language) for k in keys),
        *(text("csv.arrivals_hour", language, hour=f"{h:02d}") for h in range(st.HOURS)),
    ]


def to_csv(ctx: Context, report: StatsReport, by: Sequence[str], language: str | None = None) -> str:
    """One row per group (``by`` of day, service, desk), with arrivals per local hour at the end."""
    getters = {
        "day": lambda c: c.business_day.isoformat(),
        "service": lambda c: c.service_key,
        "desk": lambda c: c.desk_key,
        "kind": lambda c: c.kind,
    }
    groups = st.group(report.cells, lambda c: tuple(getters[k](c) for k in by), targets(ctx))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header(by, language))
    for key, summary in groups.items():
        writer.writerow([*key, *summary_values(summary), *summary.arrivals_per_hour])
    return out.getvalue()
