"""Retention: old ticket-level rows go, daily aggregates stay, and the statistics do not move."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from queue_server.app import shutdown
from queue_server.domain.errors import NotFound
from queue_server.models import Counter, DailyStats, Feedback, Ticket, TicketEvent
from queue_server.printing import EXTENSION as PRINTING
from queue_server.services import tickets
from queue_server.services.context import Context
from queue_server.services.feedback import give_feedback
from queue_server.services.retention import RetentionWorker, purge
from queue_server.services.statistics import build_report, visit_counts
from tests.conftest import FakeClock
from tests.queue_server.insight_days import D1, D, Played, play_day_d, play_day_d1


def rows(ctx: Context, model: Any, *where: Any) -> int:
    with ctx.db.reader() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture
def ctx1(make_app: Any, config_data: dict[str, Any]) -> Context:
    """The test centre keeping one day: on D+2, day D is purged and D+1 stays."""
    config_data["retention_days"] = 1
    return make_app(config_data).extensions["vuoro"]  # type: ignore[no-any-return]


@pytest.fixture
def played(ctx1: Context, clock: FakeClock) -> Played:
    played = play_day_d(ctx1, clock)
    give_feedback(ctx1, played.tokens["A"], 4, "noise")  # the same evening
    return play_day_d1(ctx1, clock, played)


def test_purge_keeps_the_figures_of_a_range_spanning_purged_and_live_days(
    ctx1: Context, clock: FakeClock, played: Played
) -> None:
    clock.set_local("2026-11-28 12:00:00")
    before = build_report(ctx1, D, D1)
    visits_before = visit_counts(ctx1)[1]
    result = purge(ctx1)
    assert result.days == [D] and result.tickets == 5 and result.events > 0
    after = build_report(ctx1, D, D1)
    assert after.summary == before.summary
    assert after.by_day == before.by_day
    assert after.by_service == before.by_service
    assert after.by_desk == before.by_desk
    assert after.by_day_service == before.by_day_service
    assert after.feedback == before.feedback and after.feedback.answers == 1
    assert visit_counts(ctx1)[1] == visits_before == 6


def test_purge_deletes_the_old_detail_and_keeps_aggregates_and_feedback(
    ctx1: Context, clock: FakeClock, played: Played
) -> None:
    clock.set_local("2026-11-28 12:00:00")
    purge(ctx1)
    assert rows(ctx1, Ticket, Ticket.business_day == D) == 0
    assert rows(ctx1, TicketEvent, TicketEvent.business_day == D) == 0
    assert rows(ctx1, Counter, Counter.day == D) == 0
    assert rows(ctx1, Ticket, Ticket.business_day == D1) == 1  # the live day is untouched
    assert rows(ctx1, DailyStats, DailyStats.business_day == D) == 5  # kela d1 d2 "", library d3 ""
    assert rows(ctx1, DailyStats, DailyStats.business_day == D1) == 0
    with ctx1.db.reader() as session:
        fb = session.scalars(sa.select(Feedback)).one()
    assert (fb.ticket_id, fb.business_day, fb.service_key, fb.rating, fb.category) == (None, D, "kela", 4, "noise")


def test_purge_twice_changes_nothing(ctx1: Context, clock: FakeClock, played: Played) -> None:
    clock.set_local("2026-11-28 12:00:00")
    purge(ctx1)
    stored = rows(ctx1, DailyStats)
    figures = build_report(ctx1, D, D1).summary
    assert purge(ctx1).days == []
    assert rows(ctx1, DailyStats) == stored and build_report(ctx1, D, D1).summary == figures


def test_nothing_within_the_retention_period_is_purged(ctx1: Context, clock: FakeClock, played: Played) -> None:
    clock.set_local("2026-11-27 23:00:00")  # day D is one day old: kept
    assert purge(ctx1).days == []
    assert rows(ctx1, Ticket, Ticket.business_day == D) == 5


def test_finished_tokens_of_earlier_days_no_longer_resolve_for_view_or_cancel(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-26 09:00:00")
    token = tickets.issue_ticket(ctx, services=["kela"], language="fi").view.token or ""
    tickets.cancel_ticket(ctx, token)
    tickets.get_ticket(ctx, token)  # still there the same day
    clock.set_local("2026-11-27 08:00:00")
    with pytest.raises(NotFound):
        tickets.get_ticket(ctx, token)
    with pytest.raises(NotFound):
        tickets.cancel_ticket(ctx, token)


def test_the_worker_runs_the_purge_and_stops(ctx: Context) -> None:
    ran = threading.Event()
    worker = RetentionWorker(ctx, first_delay_s=0.01, run=lambda _ctx: ran.set())
    worker.start()
    thread = worker._thread
    worker.start()  # idempotent: still the same one thread
    try:
        assert ran.wait(5)
        assert worker.running and worker._thread is thread
    finally:
        worker.stop()
    assert not worker.running


def test_the_worker_waits_until_the_next_night(ctx: Context, clock: FakeClock) -> None:
    worker = RetentionWorker(ctx)
    clock.set_local("2026-11-27 03:00:00")
    assert worker.seconds_until_next(clock()) == 15 * 60
    clock.set_local("2026-11-27 04:00:00")
    assert worker.seconds_until_next(clock()) == timedelta(hours=23, minutes=15).total_seconds()


def test_the_server_does_not_start_the_worker_under_testing(app: Flask, client: Any) -> None:
    client.get("/healthz")
    worker = app.extensions.get("vuoro_retention")
    assert worker is not None and not worker.running


def test_the_server_starts_the_worker_with_the_app_and_stops_it_on_shutdown(
    make_app: Any, config_data: dict[str, Any]
) -> None:
    config_data["retention_worker"] = True
    application = make_app(config_data)
    worker = application.extensions["vuoro_retention"]
    try:
        assert worker.running
        worker.start()  # idempotent: still the one thread
        assert worker.running
    finally:
        shutdown(application)
    assert not worker.running


def test_the_worker_can_be_turned_off_in_the_config(make_app: Any, config_data: dict[str, Any]) -> None:
    config_data["retention_worker"] = False
    application = make_app(config_data)
    assert not application.extensions["vuoro_retention"].running


# -- files: every file Vuoro writes is under retention -----------------------------------------------------------


def test_the_nightly_purge_deletes_saved_pdf_tickets_on_the_rows_schedule(
    make_app: Any, config_data: dict[str, Any], clock: FakeClock, tmp_path: Any
) -> None:
    """A real PDF printer writes real tickets on two days; the purge after the retention period deletes the old
    day's files (and a half-written one), keeps the kept day's and anything in the folder it did not write."""
    folder = tmp_path / "pdf-tickets"
    config_data["retention_days"] = 1
    config_data["printers"] = [
        {"key": "fake", "type": "pdf", "folder": str(folder)},
        {"key": "paper", "type": "pdf", "folder": str(tmp_path / "short"), "keep_days": 0},
    ]
    config_data["kiosks"] = [
        {"key": "k1", "zone": "z1", "printer": "fake"},
        {"key": "k2", "zone": "z2", "printer": "paper"},
    ]
    app = make_app(config_data)
    ctx = app.extensions["vuoro"]
    printing = app.extensions[PRINTING]

    def print_one(kiosk: str) -> None:
        """As the spooler does it, but waited for: the kiosk's printer writes the ticket's receipt."""
        issued = tickets.issue_ticket(ctx, services=["kela"], language="fi", priority=False)
        printer = ctx.config.kiosk_map[kiosk].printer
        printing.printers[printer].print_receipt(printing.receipt(issued.view))

    clock.set_local("2026-11-26 10:00:00")
    print_one("k1")
    print_one("k2")
    clock.set_local("2026-11-27 10:00:00")
    print_one("k1")
    print_one("k2")
    (folder / ".2026-11-26_K009.pdf.tmp").write_bytes(b"half")
    (folder / "README.txt").write_text("not a ticket")
    assert sorted(p.name for p in folder.iterdir()) == [
        ".2026-11-26_K009.pdf.tmp",
        "2026-11-26_K001.pdf",
        "2026-11-27_K001.pdf",
        "README.txt",
    ]

    clock.set_local("2026-11-28 03:15:00")  # the night after: 26th is past the one day kept, the 27th is not
    result = purge(ctx)
    assert result.files == 4  # the 26th's ticket and half-written one; the short folder keeps no past day
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-27_K001.pdf", "README.txt"]
    assert list((tmp_path / "short").iterdir()) == []
    assert purge(ctx).files == 0  # idempotent
