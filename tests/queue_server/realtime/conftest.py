"""Socket.IO fixtures: an app with the real SocketFanout -> HTTP client -> socket test clients.

The root ``app`` fixture records changes instead of pushing them; here it is overridden so that every use case
goes through :class:`queue_server.realtime.fanout.SocketFanout` to the in-process Socket.IO test clients.
The fan-out coalesces queue summaries and phones' position updates in its own thread; a screen's ``take``
first flushes what is due, so tests see every push without waiting for the thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from queue_server.app import create_app, shutdown
from queue_server.extensions import socketio
from queue_server.realtime.fanout import SocketFanout
from tests.conftest import FakeClock


@pytest.fixture
def app(config_data: dict[str, Any], clock: FakeClock) -> Iterator[Flask]:
    """Like the root ``app``, but built without a notifier override: the real SocketFanout pushes events."""
    application = create_app(config_data, clock=clock)
    application.config["TESTING"] = True
    application.config["WTF_CSRF_ENABLED"] = False  # as in the root fixture
    context = application.extensions["vuoro"]
    context.clock = clock
    assert isinstance(context.notifier, SocketFanout)
    yield application
    shutdown(application)


class Screen:
    """A socket test client with helpers: ``join`` returns the ack, ``take`` drains what arrived."""

    def __init__(self, client: SocketIOTestClient, fanout: SocketFanout | None = None) -> None:
        self.client = client
        self.fanout = fanout
        self.log: list[tuple[str, Any]] = []  # everything ever received, for whole-history checks

    @property
    def connected(self) -> bool:
        return self.client.is_connected()

    def join(self, payload: Any) -> Any:
        if self.fanout is not None:  # what was due before this screen joined goes to the others, not to it
            self.fanout.flush(force=True)
        return self.client.emit("join", payload, callback=True)

    def leave(self, payload: Any) -> Any:
        return self.client.emit("leave", payload, callback=True)

    def take(self) -> list[tuple[str, Any]]:
        """(event, payload) pairs received since the last call (after flushing the coalesced pushes)."""
        if self.fanout is not None:
            self.fanout.flush(force=True)
        got = [
            (pkt["name"], pkt["args"][0] if len(pkt["args"]) == 1 else pkt["args"])
            for pkt in self.client.get_received()
        ]
        self.log.extend(got)
        return got

    def take_named(self, name: str) -> list[Any]:
        return [payload for event, payload in self.take() if event == name]

    def history_json(self) -> str:
        """Everything this client ever received, serialized as it travelled (non-ASCII kept readable)."""
        self.take()
        return json.dumps(self.log, ensure_ascii=False)


ScreenFactory = Callable[..., Screen]


@pytest.fixture
def connect(app: Flask) -> Iterator[ScreenFactory]:
    """``connect(auth=..., flask_client=...)`` opens a socket test client; all are disconnected afterwards."""
    opened: list[SocketIOTestClient] = []

    def _connect(auth: dict[str, Any] | None = None, flask_client: FlaskClient | None = None) -> Screen:
        client = socketio.test_client(app, auth=auth, flask_test_client=flask_client)
        opened.append(client)
        return Screen(client, app.extensions["vuoro"].notifier)

    yield _connect
    for client in opened:
        if client.is_connected():
            client.disconnect()
        SocketIOTestClient.clients.pop(client.eio_sid, None)


def token_of(auth_header: dict[str, str]) -> str:
    """The bare token from an ``Authorization: Bearer ...`` header dict (the root credential fixtures)."""
    return auth_header["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def board(connect: ScreenFactory) -> Callable[[str], Screen]:
    """``board("z2")``: an anonymous screen joined to a zone's board, its snapshot already drained."""

    def _board(zone: str) -> Screen:
        screen = connect()
        assert screen.join({"board": zone}) == {"ok": True}
        assert [event for event, _ in screen.take()] == ["snapshot"]
        return screen

    return _board


@pytest.fixture
def desk_screen(connect: ScreenFactory, desk_auth: dict[str, str]) -> Callable[[str], Screen]:
    """``desk_screen("d1")``: a socket with a desk token, joined to one desk, its snapshot drained."""

    def _desk(key: str) -> Screen:
        screen = connect(auth={"token": token_of(desk_auth)})
        assert screen.join({"desk": key}) == {"ok": True}
        assert [event for event, _ in screen.take()] == ["snapshot"]
        return screen

    return _desk


@pytest.fixture
def phone(connect: ScreenFactory) -> Callable[[str], Screen]:
    """``phone(token)``: an anonymous socket following one ticket, its snapshot drained."""

    def _phone(token: str) -> Screen:
        screen = connect()
        assert screen.join({"ticket": token}) == {"ok": True}
        assert [event for event, _ in screen.take()] == ["snapshot"]
        return screen

    return _phone


@pytest.fixture
def issue(client: FlaskClient, kiosk_auth: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """``issue("kela")`` issues a ticket through the API and returns its JSON (with its token)."""

    def _issue(*services: str, priority: bool = False) -> dict[str, Any]:
        resp = client.post(
            "/api/tickets",
            headers=kiosk_auth,
            json={"services": list(services), "language": "fi", "priority": priority},
        )
        assert resp.status_code == 201, resp.json
        return resp.json["ticket"]  # type: ignore[index,no-any-return]

    return _issue


@pytest.fixture
def desk_api(client: FlaskClient, desk_auth: dict[str, str]) -> Callable[..., Any]:
    """``desk_api("d1", "next")`` posts a desk action and returns the response."""

    def _act(desk: str, action: str, body: dict[str, Any] | None = None) -> Any:
        return client.post(f"/api/desks/{desk}/{action}", headers=desk_auth, json=body)

    return _act
