"""Who receives what over Socket.IO: every event reaches exactly its rooms, and joining is guarded.

Every use case here goes through the HTTP API with the real SocketNotifier, so these tests see what a board,
a desk page or a phone would see after a clerk clicks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from queue_server import events as ev
from queue_server.services.accounts import create_token
from queue_server.services.context import Context
from tests.conftest import FakeClock

from .conftest import Screen, ScreenFactory, token_of

Issue = Callable[..., dict[str, Any]]
DeskApi = Callable[..., Any]
Maker = Callable[[str], Screen]

#: every trace of the sensitive service in the test config: its key and its names in all languages
MENTAL_TRACES = ("mental", "Mielenterveyspalvelut", "Mentalvård", "Mental health services")


def names(screen: Screen) -> list[str]:
    return [event for event, _ in screen.take()]


# -- boards ---------------------------------------------------------------------------------------------------


def test_call_at_a_desk_reaches_the_board_of_its_zone_only(board: Maker, issue: Issue, desk_api: DeskApi) -> None:
    z1, z2 = board("z1"), board("z2")
    issue("kela")
    z1.take()
    z2.take()

    assert desk_api("d1", "next").status_code == 200  # d1 is in zone z2

    assert [p["number"] for p in z2.take_named(ev.CALLED)] == ["K001"]
    assert z1.take_named(ev.CALLED) == []


def test_call_in_zone_z1_does_not_reach_the_z2_board(board: Maker, issue: Issue, desk_api: DeskApi) -> None:
    z1, z2 = board("z1"), board("z2")
    issue("library")
    assert desk_api("d3", "next").status_code == 200  # d3 is in zone z1

    assert [p["desk"] for p in z1.take_named(ev.CALLED)] == ["d3"]
    assert z2.take_named(ev.CALLED) == []


def test_boards_receive_only_snapshots_queues_and_calls_through_a_whole_day(
    board: Maker, issue: Issue, desk_api: DeskApi, client: FlaskClient, clock: FakeClock
) -> None:
    boards = [board("z1"), board("z2")]
    assert issue("kela", "library")["number"] == "K001"
    issue("kela")
    gone = issue("library")
    issue("library")
    for desk, action, body in (
        ("d2", "next", None),
        ("d2", "recall", None),
        ("d2", "start", None),
        ("d2", "finish", None),  # K001's next errand: it waits for library now
        ("d2", "next", None),
        ("d2", "transfer", {"service": "library"}),
        ("d2", "next", None),
        ("d2", "no-show", None),
        ("d2", "status", {"status": "paused"}),
        ("d3", "next", None),
        ("d3", "return", None),
        ("d3", "call", {"number": "L002"}),
    ):
        clock.advance(60)
        resp = desk_api(desk, action, body)
        assert resp.status_code == 200, (desk, action, resp.json)
    assert client.delete(f"/api/tickets/{gone['token']}").status_code == 200

    for screen in boards:
        received = {event for event, _ in screen.take()}
        assert ev.CALLED in received  # d2 is in zone z2, d3 in zone z1: both boards had calls
        assert received <= {ev.SNAPSHOT, ev.QUEUE, ev.CALLED}, received


def test_board_queue_updates_reach_every_zone_after_a_ticket_is_issued(board: Maker, issue: Issue) -> None:
    z1, z2 = board("z1"), board("z2")
    issue("kela")
    for screen in (z1, z2):
        queues = screen.take_named(ev.QUEUE)
        assert len(queues) == 1
        assert {s["key"]: s["waiting"] for s in queues[0]["services"]}["kela"] == 1


# -- the sensitive service never reaches a board --------------------------------------------------------------


def test_sensitive_service_never_appears_in_anything_a_board_receives(
    connect: ScreenFactory,
    board: Maker,
    desk_screen: Maker,
    phone: Maker,
    issue: Issue,
    desk_api: DeskApi,
    clock: FakeClock,
) -> None:
    early = {zone: board(zone) for zone in ("z1", "z2")}
    room = desk_screen("h1")  # the desk serving it is a control: it must see the service, or the check is void
    m1 = issue("mental")
    m2 = issue("mental")
    follower = phone(m2["token"])
    assert m1["number"] == "H001" and m2["number"] == "H002"  # the prefix is shared with health
    clock.advance(30)
    assert desk_api("h1", "next").status_code == 200
    clock.advance(30)
    assert desk_api("h1", "recall").status_code == 200
    assert desk_api("h1", "finish").status_code == 200
    assert desk_api("h1", "next").status_code == 200
    late = {zone: connect() for zone in ("z1", "z2")}  # these join after the calls: snapshot with recent calls
    for zone, screen in late.items():
        assert screen.join({"board": zone}) == {"ok": True}

    calls = early["z1"].take_named(ev.CALLED)
    assert [(c["number"], c["recall"]) for c in calls] == [("H001", False), ("H001", True), ("H002", False)]
    snapshot = late["z1"].take_named(ev.SNAPSHOT)[0]
    assert [c["number"] for c in snapshot["calls"]] == ["H002", "H001", "H001"]
    assert snapshot["services"] == ["health", "library"]
    assert all(s["key"] != "mental" for s in snapshot["queue"]["services"])
    for screen in (*early.values(), *late.values()):
        seen = screen.history_json()
        assert seen.count('"') > 10  # it did receive payloads
        for trace in MENTAL_TRACES:
            assert trace not in seen, f"{trace!r} reached a board: {seen}"

    assert "mental" in room.history_json()
    assert "Mielenterveyspalvelut" in follower.history_json()


# -- the called payload ---------------------------------------------------------------------------------------


def test_called_payload_has_number_desk_labels_location_zone_time_and_recall(
    board: Maker, issue: Issue, desk_api: DeskApi, clock: FakeClock
) -> None:
    z2 = board("z2")
    issue("kela")
    called_at = clock.now
    assert desk_api("d1", "next").status_code == 200
    clock.advance(45)
    assert desk_api("d1", "recall").status_code == 200

    first, again = z2.take_named(ev.CALLED)
    assert (first.pop("room"), again.pop("room")) == ("board:z2", "board:z2")
    assert again.pop("seq") > first.pop("seq") > 0  # numbered per room (the queue summaries between count too)
    expected = {
        "number": "K001",
        "desk": "d1",
        "desk_label": "Tiski 1",  # in the zone's language, here the centre's default (fi)
        "desk_labels": {"fi": "Tiski 1", "sv": "Disk 1", "en": "Desk 1"},
        "location": {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"},
        "zone": "z2",
        "called_at": called_at.isoformat(),
        "recall": False,
    }
    assert first == expected
    assert again == {**expected, "called_at": clock.now.isoformat(), "recall": True}


def test_called_payload_for_a_desk_with_a_plain_label_repeats_it_in_every_language(
    board: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    z2 = board("z2")
    issue("library")
    assert desk_api("d2", "next").status_code == 200
    (called,) = z2.take_named(ev.CALLED)
    assert called["desk_label"] == "Desk 2"
    assert called["desk_labels"] == {"fi": "Desk 2", "sv": "Desk 2", "en": "Desk 2"}
    assert called["location"] == {"fi": "2. kerros"}
    assert called["recall"] is False


def test_called_desk_label_follows_the_zone_language(
    request: pytest.FixtureRequest, config_data: dict[str, Any]
) -> None:
    config_data["zones"][1]["language"] = "sv"  # z2 speaks Swedish; built before the app
    connect: ScreenFactory = request.getfixturevalue("connect")
    issue: Issue = request.getfixturevalue("issue")
    desk_api: DeskApi = request.getfixturevalue("desk_api")
    z2 = connect()
    assert z2.join({"board": "z2"}) == {"ok": True}
    assert z2.take_named(ev.SNAPSHOT)[0]["language"] == "sv"
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    assert [c["desk_label"] for c in z2.take_named(ev.CALLED)] == ["Disk 1"]


# -- desks ----------------------------------------------------------------------------------------------------


def test_desk_receives_its_own_desk_events_and_not_another_desks(
    desk_screen: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    d1, d2 = desk_screen("d1"), desk_screen("d2")
    issue("kela")
    issue("kela")
    d1.take(), d2.take()

    assert desk_api("d1", "next").status_code == 200
    (state,) = d1.take_named(ev.DESK)
    assert state["desk"] == "d1" and state["status"] == "open"
    assert state["ticket"]["number"] == "K001" and state["ticket"]["status"] == "called"
    assert state["waiting"] == {"kela": 1}
    after_d1 = d2.take()
    assert ev.DESK not in [e for e, _ in after_d1]
    assert ev.QUEUE in [e for e, _ in after_d1]  # the other desk does see the queue shrink

    assert desk_api("d2", "next").status_code == 200
    assert [s["desk"] for s in d2.take_named(ev.DESK)] == ["d2"]
    assert d1.take_named(ev.DESK) == []


def test_desk_status_change_reaches_only_that_desk(desk_screen: Maker, desk_api: DeskApi) -> None:
    d1, d5 = desk_screen("d1"), desk_screen("d5")
    assert desk_api("d5", "status", {"status": "paused"}).status_code == 200
    assert [(s["desk"], s["status"], s["ticket"]) for s in d5.take_named(ev.DESK)] == [("d5", "paused", None)]
    assert d1.take_named(ev.DESK) == []


def test_desks_and_boards_never_receive_ticket_events(
    desk_screen: Maker, board: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    d1, z2 = desk_screen("d1"), board("z2")
    issue("kela")
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    for screen in (d1, z2):
        assert ev.TICKET not in names(screen)


# -- phones ---------------------------------------------------------------------------------------------------


def test_phone_receives_its_own_ticket_called_with_the_desk(phone: Maker, issue: Issue, desk_api: DeskApi) -> None:
    mine = issue("kela")
    other = issue("kela")
    mine_phone, other_phone = phone(mine["token"]), phone(other["token"])

    assert desk_api("d1", "next").status_code == 200

    updates = mine_phone.take_named(ev.TICKET)
    assert len(updates) == 1
    ticket = updates[0]["ticket"]
    assert ticket["number"] == "K001" and ticket["status"] == "called"
    assert ticket["desk"] == {"key": "d1", "label": "Tiski 1", "location": "2. kerros"}
    assert ticket["position"] is None
    assert ticket["token"] is None  # the token never travels back out
    assert all(u["ticket"]["number"] == "K002" for u in other_phone.take_named(ev.TICKET))


def test_phone_gets_its_new_position_when_the_ticket_ahead_is_called(
    connect: ScreenFactory, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    second = issue("kela")
    follower = connect()
    assert follower.join({"ticket": second["token"]}) == {"ok": True}
    (snapshot,) = follower.take_named(ev.SNAPSHOT)
    assert snapshot["ticket"]["number"] == "K002" and snapshot["ticket"]["position"] == 2

    assert desk_api("d1", "next").status_code == 200

    updates = [u["ticket"] for u in follower.take_named(ev.TICKET)]
    assert [(t["number"], t["status"], t["position"]) for t in updates] == [("K002", "waiting", 1)]


def test_phone_of_another_service_gets_no_ticket_event_for_a_call(
    phone: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    library = phone(issue("library")["token"])
    assert desk_api("d1", "next").status_code == 200
    assert library.take() == []  # a phone hears of its own ticket only: not even other queues' lengths


def test_phone_sees_its_ticket_cancelled(phone: Maker, issue: Issue, client: FlaskClient) -> None:
    ticket = issue("kela")
    follower = phone(ticket["token"])
    assert client.delete(f"/api/tickets/{ticket['token']}").status_code == 200
    assert [u["ticket"]["status"] for u in follower.take_named(ev.TICKET)] == ["cancelled"]


def test_phone_is_not_disturbed_when_a_normal_ticket_joins_behind_it(phone: Maker, issue: Issue) -> None:
    follower = phone(issue("kela")["token"])
    issue("kela")
    assert follower.take() == []  # nothing it shows moved


def test_phone_moves_back_when_a_priority_ticket_is_issued_ahead(phone: Maker, issue: Issue) -> None:
    follower = phone(issue("kela")["token"])
    issue("kela", priority=True)
    assert [(u["ticket"]["number"], u["ticket"]["position"]) for u in follower.take_named(ev.TICKET)] == [("K001", 2)]


def test_desk_opening_refreshes_the_estimates_of_waiting_phones(phone: Maker, issue: Issue, desk_api: DeskApi) -> None:
    issue("kela")
    follower = phone(issue("kela")["token"])
    estimates = []
    for desk in ("d1", "d5"):
        assert desk_api(desk, "status", {"status": "open"}).status_code == 200
        estimates += [u["ticket"]["estimated_wait_s"] for u in follower.take_named(ev.TICKET)]
    assert len(estimates) == 2 and estimates[1] < estimates[0]  # two open desks: a shorter wait


def test_recall_start_and_no_show_change_no_queue_length_so_boards_get_only_the_recall(
    board: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    z2 = board("z2")
    for action in ("recall", "start"):
        assert desk_api("d1", action).status_code == 200
    assert [(e, p["recall"]) for e, p in z2.take()] == [(ev.CALLED, True)]
    assert desk_api("d1", "return").status_code == 200
    assert desk_api("d1", "next").status_code == 200
    z2.take()
    assert desk_api("d1", "no-show").status_code == 200
    assert z2.take() == []


# -- join rules -----------------------------------------------------------------------------------------------


def test_desk_join_without_a_clerk_session_or_desk_token_is_forbidden(
    connect: ScreenFactory, issue: Issue, desk_api: DeskApi
) -> None:
    anonymous = connect()
    assert anonymous.connected  # anonymous sockets may connect (boards and phones need no login)
    ack = anonymous.join({"desk": "d1"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert anonymous.take() == []  # no snapshot
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    assert ev.DESK not in names(anonymous)  # and not in the room


def test_desk_join_with_a_kiosk_token_is_forbidden(connect: ScreenFactory, kiosk_auth: dict[str, str]) -> None:
    kiosk = connect(auth={"token": token_of(kiosk_auth)})
    assert kiosk.connected
    assert kiosk.join({"desk": "d1"})["error"]["code"] == "forbidden"
    assert kiosk.take() == []


def test_desk_join_with_a_desk_token_is_accepted_with_a_snapshot(
    connect: ScreenFactory, desk_auth: dict[str, str]
) -> None:
    screen = connect(auth={"token": token_of(desk_auth)})
    assert screen.join({"desk": "d1"}) == {"ok": True}
    (snapshot,) = screen.take_named(ev.SNAPSHOT)
    assert snapshot["desk"] == "d1"
    assert snapshot["state"] == {"desk": "d1", "status": "closed", "ticket": None, "waiting": {"kela": 0}}
    assert "mental" in {s["key"] for s in snapshot["queue"]["services"]}  # staff see every service


def test_desk_join_with_a_logged_in_clerk_session_is_accepted(
    connect: ScreenFactory, clerk_client: FlaskClient
) -> None:
    screen = connect(flask_client=clerk_client)
    assert screen.join({"desk": "d2"}) == {"ok": True}
    assert screen.take_named(ev.SNAPSHOT)[0]["state"]["desk"] == "d2"


def test_desk_join_after_logging_out_is_forbidden(connect: ScreenFactory, clerk_client: FlaskClient) -> None:
    assert clerk_client.delete("/api/session").status_code == 204
    screen = connect(flask_client=clerk_client)
    assert screen.join({"desk": "d2"})["error"]["code"] == "forbidden"


def test_wrong_token_in_auth_refuses_the_connection(connect: ScreenFactory, clerk_client: FlaskClient) -> None:
    assert not connect(auth={"token": "not-a-real-token"}).connected
    # a wrong device token is refused even where a valid clerk session would otherwise let it in
    assert not connect(auth={"token": "not-a-real-token"}, flask_client=clerk_client).connected


@pytest.mark.parametrize("token", [123, "", ["x"], {"t": 1}, True, "a\x00b", "x" * 300])
def test_a_token_that_is_not_a_token_refuses_the_connection(connect: ScreenFactory, token: Any) -> None:
    """Not taken for "no token": {token: 123} connected as anonymous before."""
    assert not connect(auth={"token": token}).connected
    assert connect(auth={}).connected and connect(auth={"token": None}).connected  # none given: anonymous


def test_revoked_token_refuses_the_connection(connect: ScreenFactory, ctx: Context) -> None:
    import sqlalchemy as sa

    from queue_server.models import ApiToken, utcnow
    from queue_server.services.accounts import create_token

    token = create_token(ctx.db, "desk", "old-desk")
    assert connect(auth={"token": token}).connected
    with ctx.db.writer() as session:
        session.execute(sa.update(ApiToken).where(ApiToken.name == "old-desk").values(revoked_at=utcnow()))
    assert not connect(auth={"token": token}).connected


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"board": "nowhere"}, "unknown_zone"),
        ({"desk": "d99"}, "unknown_desk"),
        ({"ticket": "no-such-ticket-token"}, "unknown_ticket"),
        ({"kiosk": "k99"}, "unknown_kiosk"),
    ],
)
def test_join_of_something_unknown_gets_an_error_ack_and_no_snapshot(
    connect: ScreenFactory, desk_auth: dict[str, str], kiosk_auth: dict[str, str], payload: dict[str, str], code: str
) -> None:
    # a principal allowed to join that kind of room: the refusal is about the key
    screen = connect(auth={"token": token_of(kiosk_auth if "kiosk" in payload else desk_auth)})
    ack = screen.join(payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]
    assert screen.take() == []


@pytest.mark.parametrize(
    "payload",
    [
        ["board", "z1"],
        {"board": "z1", "desk": "d1"},
        {"board": 1},
        {"board": None},
        {"board": ["z1"]},
        {"ticket": {"token": "x"}},
        {"board": ""},
        {},
        {"printer": "fake"},
        {"admin": True},  # the dashboard's join belongs to the /admin namespace, not to "/"
        "z1",
        None,
        42,
    ],
    ids=[
        "list",
        "two-keys",
        "int-value",
        "null-value",
        "list-value",
        "dict-value",
        "empty-value",
        "empty",
        "unknown-kind",
        "admin",
        "string",
        "null",
        "number",
    ],
)
def test_malformed_join_is_an_invalid_request_not_an_exception(connect: ScreenFactory, payload: Any) -> None:
    screen = connect()
    ack = screen.join(payload)
    assert ack == {"ok": False, "error": {"code": "invalid_request", "message": ack["error"]["message"]}}
    assert screen.take() == []
    assert screen.connected


def test_join_without_an_argument_is_an_invalid_request(connect: ScreenFactory) -> None:
    screen = connect()
    ack = screen.client.emit("join", callback=True)
    assert ack["error"]["code"] == "invalid_request"


def test_kiosk_join_needs_a_kiosk_token(connect: ScreenFactory, kiosk_auth: dict[str, str]) -> None:
    assert connect().join({"kiosk": "k1"})["error"]["code"] == "forbidden"
    kiosk = connect(auth={"token": token_of(kiosk_auth)})
    assert kiosk.join({"kiosk": "k1"}) == {"ok": True}
    (snapshot,) = kiosk.take_named(ev.SNAPSHOT)
    assert snapshot["kiosk"] == "k1"
    assert "mental" in {s["key"] for s in snapshot["queue"]["services"]}  # visitors choose it at the kiosk


def test_join_with_an_extra_argument_is_an_invalid_request(connect: ScreenFactory) -> None:
    screen = connect()
    ack = screen.client.emit("join", {"board": "z1"}, "extra", callback=True)
    assert ack["error"]["code"] == "invalid_request"
    assert screen.take() == []


def test_leave_without_an_argument_is_answered_not_raised(connect: ScreenFactory) -> None:
    screen = connect()
    assert screen.client.emit("leave", callback=True) == {"ok": True}


def test_printer_news_in_the_staff_room_reaches_desks_only(
    connect: ScreenFactory, kiosk_auth: dict[str, str], desk_screen: Maker, board: Maker, phone: Maker, issue: Issue
) -> None:
    """Printer health goes to ``staff``: desk pages hear it; boards, phones and kiosks do not."""
    from queue_server.extensions import socketio

    kiosk = connect(auth={"token": token_of(kiosk_auth)})
    assert kiosk.join({"kiosk": "k1"}) == {"ok": True}
    desk, z1, follower = desk_screen("d1"), board("z1"), phone(issue("kela")["token"])
    for screen in (kiosk, desk, z1, follower):
        screen.take()

    socketio.emit(ev.PRINTER, {"key": "fake", "state": "paper_out"}, to=ev.STAFF_ROOM)

    assert desk.take() == [(ev.PRINTER, {"key": "fake", "state": "paper_out"})]
    for screen in (kiosk, z1, follower):
        assert screen.take() == []


def test_a_kiosk_token_cannot_listen_to_another_kiosk(connect: ScreenFactory, ctx: Context) -> None:
    sock = connect(auth={"token": create_token(ctx.db, "kiosk", "k1")})
    assert sock.join({"kiosk": "k2"})["error"]["code"] == "forbidden"
    assert sock.join({"kiosk": "k1"}) == {"ok": True}


def test_print_result_reaches_the_issuing_kiosk_only(
    connect: ScreenFactory, ctx: Context, board: Maker, client: FlaskClient
) -> None:
    kiosks, auth = {}, {}
    for key in ("k1", "k2"):
        token = create_token(ctx.db, "kiosk", key)
        auth[key] = {"Authorization": f"Bearer {token}"}
        kiosks[key] = connect(auth={"token": token})
        assert kiosks[key].join({"kiosk": key}) == {"ok": True}
        kiosks[key].take()
    z2 = board("z2")
    resp = client.post(
        "/api/tickets", headers=auth["k2"], json={"services": ["kela"], "language": "fi", "kiosk": "k2"}
    )  # k2 has no printer
    assert resp.status_code == 201
    failed = kiosks["k2"].take_named(ev.FAILED)
    assert [(f["number"], f["ok"], f["error"]) for f in failed] == [("K001", False, "no_printer")]
    assert {e for e, _ in kiosks["k1"].take()} == {ev.QUEUE}
    assert {e for e, _ in z2.take()} == {ev.QUEUE}


def test_left_board_receives_no_more_calls(board: Maker, issue: Issue, desk_api: DeskApi) -> None:
    z2 = board("z2")
    assert z2.leave({"board": "z2"}) == {"ok": True}
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    assert names(z2) == []


# -- snapshots: a screen that (re)joins sees the true state ---------------------------------------------------


def test_board_joining_after_calls_gets_the_recent_calls_newest_first(
    connect: ScreenFactory, issue: Issue, desk_api: DeskApi, clock: FakeClock
) -> None:
    issue("kela")
    issue("library")
    issue("library")
    times = []
    for desk, action in (("d1", "next"), ("d2", "next"), ("d3", "next"), ("d1", "recall")):
        clock.advance(20)
        times.append(clock.now.isoformat())
        assert desk_api(desk, action).status_code == 200

    screen = connect()
    assert screen.join({"board": "z2"}) == {"ok": True}
    (snapshot,) = screen.take_named(ev.SNAPSHOT)
    assert [(c["number"], c["desk"], c["called_at"], c["recall"]) for c in snapshot["calls"]] == [
        ("K001", "d1", times[3], True),
        ("L001", "d2", times[1], False),
        ("K001", "d1", times[0], False),
    ]  # L002 was called at d3, in zone z1
    assert snapshot["board"] == "z2"
    assert snapshot["name"] == {"fi": "2. kerros", "sv": "2 våningen", "en": "2nd floor"}
    assert snapshot["language"] == "fi"
    assert snapshot["settings"] == {"chime": False, "speech": False, "volume": 0.5}
    assert snapshot["services"] == ["kela", "library"]
    assert {s["key"]: s["waiting"] for s in snapshot["queue"]["services"]} == {"kela": 0, "library": 0, "health": 0}


def test_reconnecting_board_sees_the_calls_it_missed(
    board: Maker, connect: ScreenFactory, issue: Issue, desk_api: DeskApi
) -> None:
    before = board("z2")
    issue("kela")
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    assert [c["number"] for c in before.take_named(ev.CALLED)] == ["K001"]
    before.client.disconnect()  # the Wi-Fi drops
    assert desk_api("d5", "next").status_code == 200

    again = connect()
    assert again.join({"board": "z2"}) == {"ok": True}
    (snapshot,) = again.take_named(ev.SNAPSHOT)
    assert [(c["number"], c["desk"]) for c in snapshot["calls"]] == [("K002", "d5"), ("K001", "d1")]


def test_board_snapshot_of_an_empty_day_has_no_calls(connect: ScreenFactory) -> None:
    screen = connect()
    assert screen.join({"board": "z1"}) == {"ok": True}
    (snapshot,) = screen.take_named(ev.SNAPSHOT)
    assert snapshot["calls"] == []
    assert snapshot["services"] == ["health", "library"]  # mental (h1, zone z1) is left out


def test_desk_snapshot_shows_the_current_ticket_after_a_reconnect(
    connect: ScreenFactory, desk_auth: dict[str, str], issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    screen = connect(auth={"token": token_of(desk_auth)})
    assert screen.join({"desk": "d1"}) == {"ok": True}
    state = screen.take_named(ev.SNAPSHOT)[0]["state"]
    assert state["status"] == "open"
    assert state["ticket"]["number"] == "K001" and state["ticket"]["status"] == "called"


def test_phone_snapshot_shows_its_ticket_and_the_queue(connect: ScreenFactory, issue: Issue) -> None:
    ticket = issue("kela")
    screen = connect()
    assert screen.join({"ticket": ticket["token"]}) == {"ok": True}
    (snapshot,) = screen.take_named(ev.SNAPSHOT)
    assert snapshot["ticket"]["number"] == "K001"
    assert snapshot["ticket"]["status"] == "waiting" and snapshot["ticket"]["position"] == 1
    assert {s["key"]: s["waiting"] for s in snapshot["queue"]["services"]}["kela"] == 1


# -- events go out after the commit, and only then ------------------------------------------------------------


def test_failing_call_on_a_busy_desk_emits_nothing(
    board: Maker, desk_screen: Maker, phone: Maker, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    waiting = issue("kela")
    assert desk_api("d1", "next").status_code == 200
    screens = [board("z1"), board("z2"), desk_screen("d1"), phone(waiting["token"])]

    resp = desk_api("d1", "next")

    assert resp.status_code == 409 and resp.json["error"]["code"] == "desk_busy"
    for screen in screens:
        assert screen.take() == []


@pytest.mark.parametrize(
    ("desk", "action", "body", "status"),
    [
        ("d1", "recall", None, 409),  # nothing called at the desk
        ("d1", "call", {"number": "K999"}, 404),  # no such number today
        ("d3", "call", {"number": "K001"}, 409),  # d3 does not serve kela
        ("d1", "transfer", {"service": "nope"}, 404),
        ("d99", "next", None, 404),
    ],
)
def test_failing_desk_actions_emit_nothing(
    board: Maker,
    desk_screen: Maker,
    phone: Maker,
    issue: Issue,
    desk_api: DeskApi,
    desk: str,
    action: str,
    body: dict[str, str] | None,
    status: int,
) -> None:
    waiting = issue("kela")
    screens = [board("z1"), board("z2"), desk_screen("d1"), desk_screen("d3"), phone(waiting["token"])]
    resp = desk_api(desk, action, body)
    assert resp.status_code == status, resp.json
    for screen in screens:
        assert screen.take() == []


def test_events_are_emitted_only_once_the_change_is_committed(
    ctx: Context, board: Maker, phone: Maker, issue: Issue, desk_api: DeskApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the moment of each emit, a separate database session already sees the new state."""
    import sqlalchemy as sa

    from queue_server.models import Ticket

    first = issue("kela")
    screens = [board("z2"), phone(first["token"])]
    seen: list[tuple[str, str | None]] = []
    real_emit = ctx.notifier.emit  # type: ignore[attr-defined]

    def spying_emit(event: str, payload: Any, room: str) -> None:
        with ctx.db.reader() as session:
            status = session.scalar(sa.select(Ticket.status).where(Ticket.number == "K001"))
        seen.append((event, status))
        real_emit(event, payload, room)

    monkeypatch.setattr(ctx.notifier, "emit", spying_emit)
    assert desk_api("d1", "next").status_code == 200

    assert [e for e, _ in seen][:1] == [ev.CALLED]  # called first: the board hears it before anything else
    assert seen and all(status == "called" for _, status in seen), seen
    assert [p["number"] for p in screens[0].take_named(ev.CALLED)] == ["K001"]
    assert [u["ticket"]["status"] for u in screens[1].take_named(ev.TICKET)] == ["called"]


def test_a_notifier_failure_does_not_undo_the_committed_call(
    ctx: Context,
    board: Maker,
    issue: Issue,
    desk_api: DeskApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    z2 = board("z2")
    issue("kela")
    assert z2.take_named(ev.QUEUE)

    def broken(event: str, payload: Any, room: str) -> None:
        raise ConnectionError("message queue down")

    monkeypatch.setattr(ctx.notifier, "emit", broken)
    resp = desk_api("d1", "next")
    assert resp.status_code == 200 and resp.json["ticket"]["status"] == "called"
    assert "could not push" in caplog.text
    assert z2.take() == []
