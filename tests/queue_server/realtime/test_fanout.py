"""The fan-out grows with what changed, not with who is connected: counted per phone and per room.

- a phone hears only of its own ticket, and only when what it shows (state, position, estimate to the
  minute, desk) moved -- at most once a second, however many changes came in between;
- every event to a room is numbered 1, 2, 3, ... per room, and a snapshot gives the numbers it starts from;
- a rebuilt model tells every client to ``resync``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from queue_server import events as ev
from queue_server.realtime import fanout as fanout_module
from queue_server.realtime.fanout import PHONE_INTERVAL_S, SocketFanout
from queue_server.services.accounts import create_token
from queue_server.services.context import Context
from tests.queue_server.realtime.conftest import Screen, ScreenFactory

Maker = Callable[[str], Screen]
Issue = Callable[..., dict[str, Any]]
DeskApi = Callable[..., Any]


class Ticking:
    """A monotonic clock the test moves by hand (the fan-out's "at most once a second")."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticking(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Ticking:
    """The fan-out's clock moved by hand; its own background tick (on real time) is stopped, so that only the
    test's ``flush()`` calls push: a tick between two of the test's steps would spend a phone's once-a-second
    allowance on an intermediate position (a flaky failure seen in CI)."""
    clock = Ticking()
    monkeypatch.setattr(fanout_module.time, "monotonic", clock)
    fanout_of(app).close()
    return clock


def fanout_of(app: Flask) -> SocketFanout:
    notifier = app.extensions["vuoro"].notifier
    assert isinstance(notifier, SocketFanout)
    return notifier


def drain(screen: Screen) -> list[tuple[str, Any]]:
    """What arrived, flushing only what is due (not forcing: the rate limits stay in force)."""
    return [(p["name"], p["args"][0]) for p in screen.client.get_received()]


def test_each_phone_hears_only_its_own_ticket_and_at_most_once_a_second(
    app: Flask, connect: ScreenFactory, issue: Issue, desk_api: DeskApi, ticking: Ticking
) -> None:
    fanout = fanout_of(app)
    kela = [issue("kela") for _ in range(6)]
    library = issue("library")
    phones = {t["number"]: connect() for t in [*kela, library]}
    for t in [*kela, library]:
        assert phones[t["number"]].join({"ticket": t["token"]}) == {"ok": True}
    for screen in phones.values():
        assert [e for e, _ in drain(screen)] == ["snapshot"]
    ticking.now += PHONE_INTERVAL_S  # the snapshot counts as the phone's message of this second

    # three calls at kela within the same second: every kela phone behind moves three places
    for desk in ("d1", "d5", "d6"):
        assert desk_api(desk, "next").status_code == 200
    fanout.flush()
    got = {number: drain(screen) for number, screen in phones.items()}
    # the called ones hear it at once, each exactly once, about its own ticket
    for number in ("K001", "K002", "K003"):
        assert [(e, p["ticket"]["number"], p["ticket"]["status"]) for e, p in got[number]] == [
            (ev.TICKET, number, "called")
        ]
    # the ones still waiting: one update each, with the newest position (coalesced, not three)
    for number, position in (("K004", 1), ("K005", 2), ("K006", 3)):
        assert [(e, p["ticket"]["number"], p["ticket"]["position"]) for e, p in got[number]] == [
            (ev.TICKET, number, position)
        ]
    assert got["L001"] == []  # another service's queue: nothing moved for it

    # within the same second nothing more goes out for a waiting phone, however many changes come
    assert desk_api("d1", "finish").status_code == 200
    assert desk_api("d1", "next").status_code == 200  # K004 called: its own state, at once
    fanout.flush()
    assert [p["ticket"]["status"] for _, p in drain(phones["K004"])] == ["called"]
    assert drain(phones["K005"]) == [] and drain(phones["K006"]) == []
    ticking.now += PHONE_INTERVAL_S
    fanout.flush()
    assert [p["ticket"]["position"] for _, p in drain(phones["K005"])] == [1]
    assert [p["ticket"]["position"] for _, p in drain(phones["K006"])] == [2]
    # every ticket event any phone got was about its own ticket
    for number, screen in phones.items():
        assert all(p["ticket"]["number"] == number for e, p in screen.log if e == ev.TICKET)


def test_a_phone_gets_at_most_two_messages_per_change_of_its_own_ticket(
    app: Flask, connect: ScreenFactory, issue: Issue, desk_api: DeskApi, ticking: Ticking
) -> None:
    fanout = fanout_of(app)
    mine = issue("kela", "library")
    others = [issue("kela") for _ in range(3)]
    phone = connect()
    assert phone.join({"ticket": mine["token"]}) == {"ok": True}
    drain(phone)
    ticking.now += PHONE_INTERVAL_S
    changes_of_mine = 0
    for step in ("next", "recall", "start", "finish"):  # called, recalled, started, next errand (library)
        assert desk_api("d1", step).status_code == 200
        changes_of_mine += 1
        ticking.now += PHONE_INTERVAL_S
        fanout.flush()
    for _ in others:  # the others' calls and finishes at kela no longer concern this ticket (it is at library)
        assert desk_api("d5", "next").status_code in (200, 204)
        assert desk_api("d5", "finish").status_code in (200, 409)
        ticking.now += PHONE_INTERVAL_S
        fanout.flush()
    received = [p for e, p in drain(phone) if e == ev.TICKET]
    assert len(received) <= 2 * changes_of_mine
    assert [p["ticket"]["status"] for p in received][-1] == "waiting"
    assert received[-1]["ticket"]["service"] == "library"


def test_room_events_are_numbered_from_the_snapshot_on(
    app: Flask, connect: ScreenFactory, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    board = connect()
    assert board.join({"board": "z2"}) == {"ok": True}
    (snapshot,) = [p for e, p in board.take() if e == ev.SNAPSHOT]
    start = snapshot["seqs"]["board:z2"]
    for _ in range(2):
        issue("kela")
        assert desk_api("d1", "next").status_code == 200
        assert desk_api("d1", "finish").status_code == 200
    numbered = [(p["room"], p["seq"]) for e, p in board.take()]
    assert numbered and all(room == "board:z2" for room, _ in numbered)
    assert [seq for _, seq in numbered] == list(range(start + 1, start + 1 + len(numbered)))  # no gap, no repeat


def test_a_rebuilt_model_tells_every_client_to_resync(
    app: Flask, ctx: Context, connect: ScreenFactory, issue: Issue, desk_api: DeskApi
) -> None:
    issue("kela")
    assert desk_api("d1", "next").status_code == 200
    board, desk = connect(), connect(auth={"token": _desk_token(ctx)})
    assert board.join({"board": "z2"}) == {"ok": True}
    assert desk.join({"desk": "d1"}) == {"ok": True}
    board.take(), desk.take()
    assert ctx.live is not None
    ctx.live.rebuild("a test")
    assert [p for e, p in board.take() if e == ev.RESYNC] == [{"reason": "a test"}]
    assert [p for e, p in desk.take() if e == ev.RESYNC] == [{"reason": "a test"}]
    # the board joins again, as the page does on resync, and sees the call
    assert board.join({"board": "z2"}) == {"ok": True}
    (snapshot,) = [p for e, p in board.take() if e == ev.SNAPSHOT]
    assert [c["number"] for c in snapshot["calls"]] == ["K001"]


def _desk_token(ctx: Context) -> str:
    return create_token(ctx.db, "desk", "fanout-test")
