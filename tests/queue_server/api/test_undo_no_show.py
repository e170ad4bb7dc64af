"""POST /api/desks/<key>/undo-no-show: a no-show marked by mistake waits again, in its old place, for 10 minutes."""

from __future__ import annotations

from typing import Any

import pytest

from queue_server.domain.statistics import NO_SHOW, OPEN, SERVED, Event, build_errands
from queue_server.services.context import Context
from tests.conftest import FakeClock
from tests.queue_server.helpers import Centre, assert_error, events, ticket


def no_show_first(centre: Centre, waiting_after: int = 2) -> None:
    """K001 is called and marked a no-show; ``waiting_after`` more kela tickets came after it."""
    for _ in range(1 + waiting_after):
        centre.issue("kela")
    assert centre.call_next("d1") == "K001"
    centre.act("d1", "no-show")


@pytest.mark.parametrize("body", [{"number": "K001"}, {"number": "k1"}, "id"])
def test_the_ticket_waits_again_in_its_old_place(centre: Centre, ctx: Context, body: Any) -> None:
    no_show_first(centre)
    arrived = ticket(ctx, "K001").queued_at
    if body == "id":
        body = {"ticket": ticket(ctx, "K001").id}
    undone = centre.act("d1", "undo-no-show", json=body)
    t = undone["ticket"]
    assert (t["number"], t["status"], t["position"], t["desk"], t["called_at"]) == ("K001", "waiting", 1, None, None)
    stored = ticket(ctx, "K001")
    assert (stored.status, stored.queued_at, stored.desk_key) == ("waiting", arrived, None)
    assert centre.call_next("d5") == "K001"  # ahead of K002 and K003, who came after it


def test_the_undo_is_an_event_of_the_ticket_by_that_desk(centre: Centre, ctx: Context) -> None:
    no_show_first(centre, 0)
    centre.act("d5", "undo-no-show", json={"number": "K001"})  # a colleague at another kela desk
    log = [(e.type, e.from_status, e.to_status, e.desk_key) for e in events(ctx)]
    assert log[-2:] == [("no_show", "called", "no_show", "d1"), ("no_show_undone", "no_show", "waiting", "d5")]
    assert events(ctx)[-1].actor.startswith("token:")


def test_ten_minutes_after_the_no_show_it_can_no_longer_be_undone(
    centre: Centre, clock: FakeClock, ctx: Context
) -> None:
    no_show_first(centre, 0)
    clock.advance(10 * 60)
    clock.advance(1)
    error = assert_error(
        centre.act("d1", "undo-no-show", json={"number": "K001"}, step_s=0, expect=409), 409, "undo_expired"
    )
    assert error["message"].startswith("K001 was marked a no-show more than 10 minutes ago")
    assert ticket(ctx, "K001").status == "no_show"


def test_exactly_ten_minutes_after_it_still_can(centre: Centre, clock: FakeClock) -> None:
    no_show_first(centre, 0)
    clock.advance(10 * 60)
    assert centre.act("d1", "undo-no-show", json={"number": "K001"}, step_s=0)["ticket"]["status"] == "waiting"


def test_the_window_counts_from_the_latest_no_show(centre: Centre, clock: FakeClock) -> None:
    no_show_first(centre, 0)
    centre.act("d1", "undo-no-show", json={"number": "K001"}, step_s=9 * 60)
    centre.call_next("d1")
    centre.act("d1", "no-show", step_s=5 * 60)
    assert centre.act("d1", "undo-no-show", json={"number": "K001"}, step_s=9 * 60)["ticket"]["position"] == 1


def test_a_ticket_that_is_no_no_show_cannot_be_undone(centre: Centre, ctx: Context) -> None:
    centre.issue("library")
    error = assert_error(
        centre.act("d3", "undo-no-show", json={"number": "L001"}, expect=409), 409, "invalid_transition"
    )
    assert error["message"] == "L001 is not a no-show (it is waiting)"
    no_show_first(centre, 0)
    centre.act("d1", "undo-no-show", json={"number": "K001"})
    assert_error(centre.act("d5", "undo-no-show", json={"number": "K001"}, expect=409), 409, "invalid_transition")
    assert [e.type for e in events(ctx)].count("no_show_undone") == 1


def test_only_a_desk_serving_its_service_may_undo_it(centre: Centre, ctx: Context) -> None:
    no_show_first(centre, 0)
    assert_error(centre.act("d3", "undo-no-show", json={"number": "K001"}, expect=409), 409, "not_served_here")
    assert ticket(ctx, "K001").status == "no_show"


def test_an_unknown_or_yesterdays_number_is_404(centre: Centre, clock: FakeClock) -> None:
    assert_error(centre.act("d1", "undo-no-show", json={"number": "K404"}, expect=404), 404, "unknown_ticket")
    no_show_first(centre, 0)
    clock.advance(24 * 3600)
    assert_error(centre.act("d1", "undo-no-show", json={"number": "K001"}, expect=404), 404, "unknown_ticket")


@pytest.mark.parametrize("body", [{}, {"number": "K001", "ticket": 1}, {"number": 1}, {"desk": "d1"}])
def test_a_malformed_undo_is_400(centre: Centre, body: dict[str, Any]) -> None:
    no_show_first(centre, 0)
    assert_error(centre.act("d1", "undo-no-show", json=body, expect=400), 400, "invalid_request")


def test_a_kiosk_may_not_undo(centre: Centre) -> None:
    no_show_first(centre, 0)
    resp = centre.api.post("/api/desks/d1/undo-no-show", json={"number": "K001"}, headers=centre.kiosk)
    assert_error(resp, 403, "forbidden")


def test_the_undone_errand_counts_as_served_not_as_a_no_show(centre: Centre, ctx: Context) -> None:
    no_show_first(centre, 0)
    centre.act("d1", "undo-no-show", json={"number": "K001"})
    log = [
        Event(e.id, e.ticket_id, e.business_day, e.at, e.type, e.service_key, e.to_service_key, e.desk_key)
        for e in events(ctx, ticket(ctx, "K001").id)
    ]
    assert [e.outcome for e in build_errands(log)] == [OPEN]
    assert centre.serve_next("d1") == "K001"
    log = [
        Event(e.id, e.ticket_id, e.business_day, e.at, e.type, e.service_key, e.to_service_key, e.desk_key)
        for e in events(ctx, ticket(ctx, "K001").id)
    ]
    (errand,) = build_errands(log)
    assert errand.outcome == SERVED != NO_SHOW
    issued, first_call = log[0], next(e for e in log if e.type == "called")
    assert errand.wait_s == int((first_call.at - issued.at).total_seconds())  # its first wait, kept
    assert errand.service_s == 60  # from the call after the undo to the finish


def test_the_live_model_after_an_undo_is_the_one_rebuilt_from_the_database(centre: Centre, ctx: Context) -> None:
    no_show_first(centre)
    centre.act("d1", "undo-no-show", json={"number": "K001"})
    assert ctx.live is not None
    kept = ctx.live.state()
    ctx.live.rebuild("test")
    assert ctx.live.state() == kept
    assert ctx.live.model.service_stats("kela").no_shows == 0
