"""Data retention: ticket-level rows older than ``retention_days`` go, their daily aggregates stay; so do the
PDF tickets that PDF printers saved to a folder (on the same schedule, or their printer's ``keep_days``).

For each business day older than the retention period that still has tickets, one transaction computes the
day's ``daily_stats`` cells from its event log, stores them, then deletes the day's events and tickets (and
unlinks its feedback, which keeps only day, service, rating and category).  Statistics read such a day from the
aggregates from then on, with the same figures.  Running it again changes nothing: it is idempotent, and two
processes racing on a day end with one set of aggregates (the unique cell key refuses the second).

Runs on demand as ``vuoro purge`` (also what ``deploy/vuoro-purge.timer`` runs every night) and nightly inside
every server process (:class:`RetentionWorker`), but once per deployment and night: :func:`nightly` lets only the
first process that night purge (see there), and ``vuoro purge`` counts as that night's run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from printer.config import PdfPrinterConfig
from printer.pdf_backend import PdfPrinter

from ..models import Counter, DailyStats, Feedback, Ticket, TicketEvent
from .context import Context
from .counters import bump_counter
from .housekeeping import expire_previous_days
from .outbox import purge_before, writing
from .statistics import live_cells, row_from_cell

log = logging.getLogger(__name__)
#: the counters row (scope, business day) that says how many purges ran that day: "did tonight's run happen?"
NIGHTLY_SCOPE = "nightly:purge"
#: the PostgreSQL advisory lock held by the process that purges now (any fixed number; ASCII "vuoro-nt")
NIGHTLY_LOCK = 0x76756F726F2D6E74


@dataclass
class PurgeResult:
    """What a purge removed: the days purged (their aggregates kept), tickets, events and PDF tickets."""

    days: list[date] = field(default_factory=list)
    tickets: int = 0
    events: int = 0
    files: int = 0


def cutoff_day(ctx: Context, today: date | None = None) -> date:
    """Days before this one are purged: ``retention_days`` whole days are always kept before today."""
    return (today or ctx.today()) - timedelta(days=ctx.config.retention_days)


def purge(ctx: Context, *, today: date | None = None) -> PurgeResult:
    """Purge every business day before :func:`cutoff_day` that still has tickets, each in its own transaction;
    idempotent, so a run cut short is finished by the next one."""
    now = ctx.now()
    today = today or ctx.today(now)
    cutoff = cutoff_day(ctx, today)
    result = PurgeResult()
    with writing(ctx) as session:  # what earlier days left active is expired first: their days are over
        expire_previous_days(session, today, now)
    with ctx.db.reader() as session:
        days = list(
            session.scalars(
                sa.select(Ticket.business_day)
                .where(Ticket.business_day < cutoff)
                .distinct()
                .order_by(Ticket.business_day)
            )
        )
    for day in days:
        try:
            tickets, events = _purge_day(ctx, day)
        except sa.exc.IntegrityError:  # another process stored this day's aggregates at the same moment
            log.info("retention: %s was purged by another process", day)
            continue
        result.days.append(day)
        result.tickets += tickets
        result.events += events
    with ctx.db.writer() as session:
        session.execute(sa.delete(Counter).where(Counter.day < cutoff))
        # change records only serve processes catching up: a day's are settled once the next one is over
        purge_before(session, today - timedelta(days=1))
    result.files = purge_ticket_files(ctx, today)
    if result.days:
        log.info(
            "retention: purged %d day(s) before %s: %d tickets, %d events",
            len(result.days),
            cutoff,
            result.tickets,
            result.events,
        )
    return result


def nightly(ctx: Context, *, run: Callable[[Context], PurgeResult] = purge) -> PurgeResult | None:
    """Tonight's purge for the whole deployment: the first server process to try runs it, every other skips.

    Every process of a deployment runs a :class:`RetentionWorker`, and they wake at the same time.  The purge is
    idempotent, so racing would not lose data, but N processes would each expire, aggregate and delete at once,
    and one night's work is one process's.  So, on PostgreSQL, one transaction takes a transaction-level
    advisory lock without waiting (``pg_try_advisory_xact_lock``): a process that does not get it skips, since
    another is purging now.  Holding it, the process skips too if the ``nightly:purge`` counter of today is
    set (a process, or ``vuoro purge``, did it earlier today); else it purges and sets the counter in that same
    transaction, whose commit releases the lock.  A purge that fails sets nothing and leaves the night to the
    next try.  SQLite serves one process, so it checks and sets the counter without a lock.

    None when skipped, else what the purge did.
    """
    return _once(ctx, run, wait=False)


def purge_now(ctx: Context, *, run: Callable[[Context], PurgeResult] = purge) -> PurgeResult:
    """``vuoro purge``: purge now whatever ran today, after a server's run in progress ends (it waits for the
    lock), and count as today's run, so that the servers' workers skip the night the timer already did."""
    result = _once(ctx, run, wait=True)
    assert result is not None  # waiting, it never skips
    return result


def _once(ctx: Context, run: Callable[[Context], PurgeResult], *, wait: bool) -> PurgeResult | None:
    today = ctx.today()
    marker = sa.select(Counter.value).where(Counter.scope == NIGHTLY_SCOPE, Counter.day == today)
    if ctx.db.is_sqlite:
        with ctx.db.reader() as session:
            if not wait and session.scalar(marker):
                return None
        result = run(ctx)
        with ctx.db.writer() as session:
            bump_counter(session, NIGHTLY_SCOPE, today)
        return result
    with ctx.db.writer() as session:  # the lock's transaction: open while the purge runs on other connections
        if wait:
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(NIGHTLY_LOCK)))
        elif not session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(NIGHTLY_LOCK))):
            log.info("retention: another process is purging now")
            return None
        elif session.scalar(marker):
            log.info("retention: today's purge was done already")
            return None
        result = run(ctx)
        bump_counter(session, NIGHTLY_SCOPE, today)
    return result


def purge_ticket_files(ctx: Context, today: date) -> int:
    """Delete the PDF tickets that PDF printers saved, on the rows' schedule or their own ``keep_days``:
    each holds a number and the ticket page's capability URL, and nothing Vuoro writes outlives its time."""
    deleted = 0
    for cfg in ctx.config.printers:
        if isinstance(cfg, PdfPrinterConfig) and not cfg.command:
            keep = ctx.config.retention_days if cfg.keep_days is None else cfg.keep_days
            deleted += PdfPrinter(cfg).delete_before(today - timedelta(days=keep))
    if deleted:
        log.info("retention: deleted %d saved PDF ticket(s)", deleted)
    return deleted


def _purge_day(ctx: Context, day: date) -> tuple[int, int]:
    with ctx.db.writer() as session:
        stored = session.scalar(
            sa.select(sa.func.count()).select_from(DailyStats).where(DailyStats.business_day == day)
        )
        if not stored:
            session.add_all(row_from_cell(c) for c in live_cells(session, ctx, day, day))
            session.flush()
        ticket_ids = sa.select(Ticket.id).where(Ticket.business_day == day).scalar_subquery()
        session.execute(sa.update(Feedback).where(Feedback.ticket_id.in_(ticket_ids)).values(ticket_id=None))
        events = _deleted(session.execute(sa.delete(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids))))
        tickets = _deleted(session.execute(sa.delete(Ticket).where(Ticket.business_day == day)))
    return tickets, events


class RetentionWorker:
    """Runs :func:`nightly` shortly after start and then every day at ``at`` (local time); stoppable.

    The run after start catches up a night the server was down for; :func:`nightly` makes it, and each night's,
    a no-op in every process but the first, and on a day already purged.

    ``start`` is idempotent (a second call does nothing while the thread runs); ``stop`` wakes the thread and
    waits for it.  A failing run is logged and retried the next day.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        at: time = time(3, 15),
        first_delay_s: float = 60.0,
        run: Callable[[Context], object] = nightly,
    ) -> None:
        self.ctx = ctx
        self.at = at
        self.first_delay_s = first_delay_s
        self._run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.runs = 0

    @property
    def running(self) -> bool:
        """Whether the thread is alive (it waits for the night, or runs the purge)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread, unless it runs already: the first purge after ``first_delay_s``."""
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="vuoro-retention", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Wake the thread and wait up to ``timeout`` seconds for it to end."""
        with self._lock:
            thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout)

    def seconds_until_next(self, now: datetime) -> float:
        """Seconds from ``now`` to the next ``at`` in the centre's time (tomorrow's, once today's
        has passed), one at least."""
        tz = self.ctx.config.centre.tz
        local = now.astimezone(tz)
        nxt = datetime.combine(local.date(), self.at, tz)
        if nxt <= local:
            nxt = datetime.combine(local.date() + timedelta(days=1), self.at, tz)
        return max(1.0, (nxt - local).total_seconds())

    def _loop(self) -> None:
        delay = self.first_delay_s
        while not self._stop.wait(delay):
            try:
                self._run(self.ctx)
            except Exception:  # noqa: BLE001 - a failed night must not kill the thread; it tries again tomorrow
                log.exception("retention: the purge failed")
            self.runs += 1
            delay = self.seconds_until_next(self.ctx.now())


def _deleted(result: sa.Result[Any]) -> int:
    """Rows a DELETE removed (a DML result is a CursorResult, which knows its rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)
