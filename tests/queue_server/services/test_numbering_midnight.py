"""Numbers restart each business day in Helsinki; what yesterday left waiting expires and is never called today."""

from __future__ import annotations

from datetime import date

import pytest

from queue_server.domain.errors import NotFound
from queue_server.services import desks
from queue_server.services.context import Context
from queue_server.services.tickets import get_ticket, issue_ticket
from tests.conftest import FakeClock
from tests.queue_server.helpers import all_tickets, events, ticket


def issue(ctx: Context, *services: str) -> tuple[str, str]:
    """(number, token)"""
    view = issue_ticket(ctx, services=list(services), language="fi").view
    assert view.token is not None
    return view.number, view.token


def called(ctx: Context, desk: str) -> str | None:
    result = desks.call_next(ctx, desk, "user:1")
    return result.ticket.number if result.ticket else None


@pytest.mark.parametrize(
    ("evening", "morning", "yesterday", "today"),
    [
        ("2026-11-27T23:59", "2026-11-28T00:01", date(2026, 11, 27), date(2026, 11, 28)),  # winter, UTC+2
        ("2026-06-30T23:59", "2026-07-01T00:01", date(2026, 6, 30), date(2026, 7, 1)),  # summer, UTC+3
        ("2026-03-28T23:59", "2026-03-29T00:01", date(2026, 3, 28), date(2026, 3, 29)),  # the night before DST
        ("2026-10-24T23:59", "2026-10-25T00:01", date(2026, 10, 24), date(2026, 10, 25)),  # the night DST ends
    ],
)
def test_numbers_restart_at_one_after_local_midnight(
    ctx: Context, clock: FakeClock, evening: str, morning: str, yesterday: date, today: date
) -> None:
    clock.set_local(evening)
    assert [issue(ctx, "kela")[0] for _ in range(3)] == ["K001", "K002", "K003"]
    assert issue(ctx, "library")[0] == "L001"
    clock.set_local(morning)
    assert issue(ctx, "kela")[0] == "K001"
    assert issue(ctx, "kela")[0] == "K002"
    assert issue(ctx, "library")[0] == "L001"
    assert ticket(ctx, "K003").business_day == yesterday
    assert {t.business_day for t in all_tickets(ctx) if t.status == "waiting"} == {today}


def test_the_dst_night_is_one_business_day(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-03-29T02:59")  # EET; at 03:00 clocks jump to 04:00 EEST
    assert issue(ctx, "kela")[0] == "K001"
    clock.set_local("2026-03-29T04:01")
    assert issue(ctx, "kela")[0] == "K002"
    clock.set_local("2026-10-25T03:59")  # EEST; at 04:00 clocks fall back to 03:00 EET
    first = issue(ctx, "kela")[0]
    clock.advance(2 * 3600)  # 04:59 EET, the same calendar day
    assert (first, issue(ctx, "kela")[0]) == ("K001", "K002")


def test_yesterdays_waiting_and_called_tickets_expire_with_one_event_each(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T23:50")
    issue(ctx, "kela")
    issue(ctx, "kela", "library")
    issue(ctx, "library")
    assert called(ctx, "d1") == "K001"
    clock.set_local("2026-11-27T23:55")
    assert called(ctx, "d3") == "L001"
    desks.start(ctx, "d3", "user:1")
    clock.set_local("2026-11-28T08:00")
    issue(ctx, "health")  # the first ticket of the new day closes yesterday
    stale = [t for t in all_tickets(ctx) if t.business_day == date(2026, 11, 27)]
    assert {t.number: t.status for t in stale} == {"K001": "expired", "K002": "expired", "L001": "expired"}
    assert all(t.desk_key is None for t in stale)
    for t in stale:
        expired = [e for e in events(ctx, t.id) if e.type == "expired"]
        assert len(expired) == 1, t.number
        assert expired[0].actor == "system" and expired[0].at == clock.now
    by_number = {t.number: events(ctx, t.id)[-1] for t in stale}
    assert (by_number["K001"].from_status, by_number["K001"].desk_key) == ("called", "d1")
    assert (by_number["L001"].from_status, by_number["L001"].desk_key) == ("serving", "d3")
    assert (by_number["K002"].from_status, by_number["K002"].desk_key) == ("waiting", None)


def test_expiry_runs_once_a_day(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T15:00")
    issue(ctx, "kela")
    clock.set_local("2026-11-28T09:00")
    issue(ctx, "kela")
    issue(ctx, "library")
    issue(ctx, "kela")
    assert [e.type for e in events(ctx, ticket(ctx, "K001", date(2026, 11, 27)).id)] == ["issued", "expired"]


def test_yesterdays_tickets_are_never_called_today(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T23:59")
    issue(ctx, "kela")
    issue(ctx, "library")
    clock.set_local("2026-11-28T00:01")
    assert called(ctx, "d1") is None  # before anything expired them, the old ones are still not today's
    assert called(ctx, "d2") is None
    issue(ctx, "kela")
    assert called(ctx, "d1") == "K001"
    assert ticket(ctx, "K001", date(2026, 11, 28)).status == "called"
    assert called(ctx, "d2") is None


def test_a_desk_holding_yesterdays_ticket_is_free_today(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T23:58")
    issue(ctx, "kela")
    called(ctx, "d1")
    clock.set_local("2026-11-28T09:00")
    issue(ctx, "kela")
    assert called(ctx, "d1") == "K001"
    assert desks.desk_overview(ctx, "d1")[0].ticket is not None


def test_yesterdays_number_cannot_be_called_by_number_today(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T23:59")
    issue(ctx, "kela")
    issue(ctx, "kela")
    clock.set_local("2026-11-28T00:01")
    issue(ctx, "kela")
    with pytest.raises(NotFound):
        desks.call_number(ctx, "d1", "K002", "user:1")
    assert desks.call_number(ctx, "d1", "K001", "user:1").ticket.number == "K001"  # type: ignore[union-attr]
    assert ticket(ctx, "K001", date(2026, 11, 28)).status == "called"


def test_yesterdays_expired_ticket_no_longer_resolves_for_the_visitor(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T23:59")
    _, token = issue(ctx, "kela")
    clock.set_local("2026-11-28T08:00")
    issue(ctx, "kela")
    with pytest.raises(NotFound):
        get_ticket(ctx, token)


def test_monday_starts_from_one_after_a_weekend(ctx: Context, clock: FakeClock) -> None:
    clock.set_local("2026-11-27T15:00")  # Friday
    for _ in range(5):
        issue(ctx, "kela")
    clock.set_local("2026-11-30T09:00")  # Monday
    assert issue(ctx, "kela")[0] == "K001"
