"""GET /api/desks/<key>/waiting, and calling a ticket picked from it (POST /api/desks/<key>/call by id)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from queue_server.services import waiting_list as waiting_module
from queue_server.services.context import Context
from tests.conftest import FakeClock
from tests.queue_server.helpers import Centre, assert_error, ticket

ENTRY_FIELDS = {"id", "number", "service", "queued_at", "waited_s", "priority", "errands", "appointment_at"}


def waiting(centre: Centre, desk: str) -> dict[str, Any]:
    return centre.api.get(f"/api/desks/{desk}/waiting", headers=centre.desk_auth, expect=200).get_json()


def numbers(centre: Centre, desk: str) -> list[str]:
    return [t["number"] for t in waiting(centre, desk)["tickets"]]


def test_the_list_shows_numbers_waits_priority_and_errands_and_nothing_else(
    centre: Centre, clock: FakeClock, ctx: Context
) -> None:
    first = centre.issue("kela", "library", "health")
    centre.issue("kela", priority=True, step_s=30)
    body = waiting(centre, "d1")
    assert body["desk"] == "d1" and body["total"] == 2
    assert [set(t) for t in body["tickets"]] == [ENTRY_FIELDS, ENTRY_FIELDS]
    priority, normal = body["tickets"]
    assert (priority["number"], priority["priority"], priority["errands"], priority["waited_s"]) == ("K002", True, 1, 0)
    assert (normal["number"], normal["service"], normal["priority"], normal["errands"]) == ("K001", "kela", False, 3)
    assert normal["waited_s"] == 30 and normal["queued_at"] == ticket(ctx, "K001").queued_at.isoformat()
    assert normal["id"] == ticket(ctx, "K001").id
    text = json.dumps(body)
    assert first["token"] not in text and "library" not in text and "health" not in text  # later errands: counted


def test_the_list_is_in_the_order_next_calls(centre: Centre) -> None:
    for service, priority in [
        ("library", False),
        ("kela", False),
        ("kela", True),
        ("library", True),
        ("kela", True),
        ("kela", False),
    ]:
        centre.issue(service, priority=priority)
    # d2 serves both: priority first, at most two in a row (priority_ratio 2), then the longest waiting
    listed = numbers(centre, "d2")
    assert listed == ["K002", "L002", "L001", "K003", "K001", "K004"]
    called = [centre.serve_next("d2") for _ in listed]
    assert called == listed


def test_the_list_follows_the_desks_priority_streak(centre: Centre) -> None:
    for priority in (True, True, False, True):
        centre.issue("kela", priority=priority)
    assert numbers(centre, "d1") == ["K001", "K002", "K003", "K004"]
    centre.serve_next("d1")
    centre.serve_next("d1")  # two priority tickets in a row: a normal one comes next
    assert numbers(centre, "d1") == ["K003", "K004"]
    assert numbers(centre, "d5") == ["K004", "K003"]  # another desk has its own streak


def test_a_desk_sees_only_its_own_services(centre: Centre) -> None:
    centre.issue("kela")
    centre.issue("library")
    centre.issue("mental")
    assert numbers(centre, "d1") == ["K001"]
    assert numbers(centre, "d3") == ["L001"]
    assert numbers(centre, "h1") == ["H001"]


def test_called_and_finished_tickets_leave_the_list_and_a_returned_one_keeps_its_place(centre: Centre) -> None:
    for _ in range(3):
        centre.issue("kela")
    centre.call_next("d1")
    assert numbers(centre, "d5") == ["K002", "K003"]
    centre.act("d1", "return")
    assert numbers(centre, "d5") == ["K001", "K002", "K003"]


def test_the_list_holds_at_most_the_first_fifty_and_counts_the_rest(centre: Centre) -> None:
    for _ in range(55):
        centre.issue("library", step_s=1)
    body = waiting(centre, "d3")
    assert len(body["tickets"]) == waiting_module.LIMIT == 50 and body["total"] == 55
    assert body["tickets"][0]["number"] == "L001" and body["tickets"][-1]["number"] == "L050"


def test_an_idle_desk_with_nobody_waiting_gets_an_empty_list(centre: Centre) -> None:
    assert waiting(centre, "d3") == {"desk": "d3", "tickets": [], "total": 0}


def test_an_unknown_desk_is_404_and_a_kiosk_may_not_look(centre: Centre) -> None:
    assert_error(centre.api.get("/api/desks/d99/waiting", headers=centre.desk_auth), 404, "unknown_desk")
    assert_error(centre.api.get("/api/desks/d1/waiting", headers=centre.kiosk), 403, "forbidden")
    assert_error(centre.api.get("/api/desks/d1/waiting"), 401, "unauthorized")


def test_the_list_is_read_from_the_live_model_without_touching_the_database(
    centre: Centre, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        centre.issue("kela")
    waiting(centre, "d1")  # the model is built
    sessions: list[str] = []

    def counted(name: str) -> Any:
        real = getattr(ctx.db, name)

        def session(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():  # the request's, not the feed thread's
                sessions.append(name)
            return real(*args, **kwargs)

        return session

    for name in ("reader", "writer"):
        monkeypatch.setattr(ctx.db, name, counted(name))
    listed = waiting_module.waiting_list(ctx, "d1")  # what the endpoint answers, less its token check
    assert [t.number for t in listed.tickets] == ["K001", "K002", "K003"]
    assert sessions == []


# -- calling from the list ---------------------------------------------------------------------------------------


def test_a_ticket_picked_from_the_list_is_called_by_its_id(centre: Centre) -> None:
    for _ in range(3):
        centre.issue("kela")
    picked = waiting(centre, "d1")["tickets"][2]
    body = centre.act("d1", "call", json={"ticket": picked["id"]})
    assert (body["ticket"]["number"], body["ticket"]["status"]) == (picked["number"], "called")
    assert numbers(centre, "d1") == ["K001", "K002"]


def test_a_ticket_another_desk_called_first_is_409_already_called(centre: Centre) -> None:
    centre.issue("kela")
    picked = waiting(centre, "d1")["tickets"][0]
    centre.act("d5", "call", json={"ticket": picked["id"]})
    error = assert_error(centre.act("d1", "call", json={"ticket": picked["id"]}, expect=409), 409, "already_called")
    assert error["message"] == "K001 was already called to Desk 5"


def test_calling_an_id_of_another_day_or_none_is_404(centre: Centre, clock: FakeClock) -> None:
    picked = centre.issue("kela")
    ticket_id = waiting(centre, "d1")["tickets"][0]["id"]
    assert_error(centre.act("d1", "call", json={"ticket": ticket_id + 1000}, expect=404), 404, "unknown_ticket")
    clock.advance(24 * 3600)
    assert_error(centre.act("d1", "call", json={"ticket": ticket_id}, expect=404), 404, "unknown_ticket")
    assert picked["number"] == "K001"


@pytest.mark.parametrize(
    "body",
    [
        {"ticket": 0},
        {"ticket": "1"},
        {"ticket": True},
        {"ticket": None},
        {"ticket": 1, "number": "K001"},
        {"ticket": 2**31},
    ],
)
def test_a_malformed_pick_is_400(centre: Centre, body: dict[str, Any]) -> None:
    centre.issue("kela")
    assert_error(centre.act("d1", "call", json=body, expect=400), 400, "invalid_request")
