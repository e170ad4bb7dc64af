"""The desk page's waiting list over Socket.IO: in the desk snapshot, then pushed (coalesced) after every change
to the desk's queues -- to that desk's room only; the estimate's reason in the queue summaries; and the phone of
an undone no-show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from queue_server import events as ev

from .conftest import Screen, ScreenFactory, token_of

Issue = Callable[..., dict[str, Any]]
DeskApi = Callable[..., Any]


def listed(payload: dict[str, Any]) -> list[str]:
    return [t["number"] for t in payload["tickets"]]


def test_the_desk_snapshot_holds_the_waiting_list(
    connect: ScreenFactory, desk_auth: dict[str, str], issue: Issue
) -> None:
    issue("kela")
    issue("kela", priority=True)
    screen = connect(auth={"token": token_of(desk_auth)})
    assert screen.join({"desk": "d1"}) == {"ok": True}
    ((event, snapshot),) = screen.take()
    assert event == ev.SNAPSHOT
    assert snapshot["waiting"]["desk"] == "d1" and snapshot["waiting"]["total"] == 2
    assert listed(snapshot["waiting"]) == ["K002", "K001"]
    assert "token" not in snapshot["waiting"]["tickets"][0]


def test_a_change_to_the_desks_queues_pushes_its_list_to_it_only(
    desk_screen: Callable[[str], Screen], issue: Issue, desk_api: DeskApi
) -> None:
    d1, d5, d3 = desk_screen("d1"), desk_screen("d5"), desk_screen("d3")
    issue("kela")
    issue("kela")
    pushes = d1.take_named(ev.WAITING)  # coalesced: two issues, one push (two if the fan-out's tick fell between)
    assert 1 <= len(pushes) <= 2
    assert (pushes[-1]["desk"], listed(pushes[-1]), pushes[-1]["room"]) == ("d1", ["K001", "K002"], "desk:d1")
    assert d3.take_named(ev.WAITING) == []  # d3 serves the library only
    d5.take()
    assert desk_api("d5", "next").status_code == 200
    assert [listed(p) for p in d1.take_named(ev.WAITING)] == [["K002"]]
    assert [listed(p) for p in d5.take_named(ev.WAITING)] == [["K002"]]
    assert desk_api("d5", "no-show").status_code == 200
    assert d1.take_named(ev.WAITING) == []  # a no-show changes no queue
    assert desk_api("d5", "undo-no-show", {"number": "K001"}).status_code == 200
    assert [listed(p) for p in d1.take_named(ev.WAITING)] == [["K001", "K002"]]


def test_queue_summaries_say_why_a_service_has_no_estimate(
    desk_screen: Callable[[str], Screen], desk_api: DeskApi
) -> None:
    d1 = desk_screen("d1")
    assert desk_api("d1", "status", {"status": "open"}).status_code == 200
    summary = d1.take_named(ev.QUEUE)[-1]
    reasons = {s["key"]: (s["estimated_wait_s"], s["estimate_reason"]) for s in summary["services"]}
    assert reasons["kela"][1] is None and reasons["kela"][0] is not None
    assert reasons["library"] == (None, "no_desk_open")


def test_the_phone_of_an_undone_no_show_sees_it_waiting_again(
    phone: Callable[[str], Screen], issue: Issue, desk_api: DeskApi
) -> None:
    follower = phone(issue("kela")["token"])
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    assert desk_api("d1", "no-show").status_code == 200
    assert [u["ticket"]["status"] for u in follower.take_named(ev.TICKET)] == ["called", "no_show"]
    assert desk_api("d1", "undo-no-show", {"number": "K001"}).status_code == 200
    (update,) = follower.take_named(ev.TICKET)
    assert (update["ticket"]["status"], update["ticket"]["position"]) == ("waiting", 1)
