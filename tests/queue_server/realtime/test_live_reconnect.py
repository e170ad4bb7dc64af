"""A real server process and a real Socket.IO client: a board survives a server restart on its own.

The board client reconnects by itself (python-socketio's reconnection), joins again from its ``connect``
handler and gets a snapshot that shows the true state, including the call made before the restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.db import Database
from queue_server.services.accounts import create_token
from tests.live_server import LiveServer
from tests.socket_clients import BoardClient

pytestmark = pytest.mark.slow


class _LogPath(type(Path())):  # type: ignore[misc]
    """A path that keeps the files opened on it, so that they can be closed."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        handle = super().open(*args, **kwargs)
        self.__dict__.setdefault("handles", []).append(handle)
        return handle


class Server(LiveServer):
    """LiveServer.start opens the log file for the child and never closes the parent's copy; under
    ``filterwarnings = error`` the ResourceWarning at its garbage collection fails a later test.  Close it."""

    def start(self, timeout: float = 20.0) -> LiveServer:
        self.log_path = _LogPath(self.log_path)
        try:
            return super().start(timeout)
        finally:
            for handle in self.log_path.__dict__.pop("handles", []):
                handle.close()  # the child has its own descriptor


@pytest.fixture
def server(config_data: dict[str, Any], tmp_path: Path) -> Iterator[LiveServer]:
    """A ``vuoro serve`` process that is always stopped afterwards, whatever the test did to it."""
    live = Server(config_data, tmp_path)
    try:
        live.start()
        yield live
    finally:
        live.kill()  # the socket client is gone by now: no need to wait for a graceful shutdown


@pytest.fixture
def tokens(server: LiveServer, config_data: dict[str, Any]) -> dict[str, str]:
    """Device tokens written straight into the server's SQLite file (as ``vuoro token create`` does)."""
    db = Database(config_data["database_url"])
    try:
        return {role: create_token(db, role, f"live-{role}") for role in ("kiosk", "desk")}
    finally:
        db.dispose()


class Api:
    """The HTTP side: a kiosk issues, a desk calls."""

    def __init__(self, server: LiveServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.http = requests.Session()
        self.tokens = tokens

    def issue(self, service: str) -> dict[str, Any]:
        resp = self.http.post(
            f"{self.server.url}/api/tickets",
            json={"services": [service], "language": "fi"},
            headers={"Authorization": f"Bearer {self.tokens['kiosk']}"},
            timeout=5,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["ticket"]  # type: ignore[no-any-return]

    def call_next(self, desk: str) -> dict[str, Any]:
        resp = self.http.post(
            f"{self.server.url}/api/desks/{desk}/next",
            headers={"Authorization": f"Bearer {self.tokens['desk']}"},
            timeout=5,
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["ticket"]  # type: ignore[no-any-return]


@pytest.fixture
def api(server: LiveServer, tokens: dict[str, str]) -> Iterator[Api]:
    client = Api(server, tokens)
    yield client
    client.http.close()


@pytest.fixture
def board_client(server: LiveServer) -> Iterator[Callable[[str], BoardClient]]:
    opened: list[BoardClient] = []

    def _open(zone: str) -> BoardClient:
        client = BoardClient(server.url, zone)
        opened.append(client)
        return client

    yield _open
    for client in opened:
        client.close()


def numbers(calls: list[dict[str, Any]]) -> list[str]:
    return [c["number"] for c in calls]


def test_board_reconnects_after_a_server_crash_and_sees_the_true_state(
    server: LiveServer, api: Api, board_client: Callable[[str], BoardClient]
) -> None:
    board = board_client("z2")
    assert board.wait_for("ack") == {"ok": True}
    first = board.wait_for("snapshot")
    assert first["board"] == "z2" and first["calls"] == []

    api.issue("kela")
    api.issue("kela")
    assert api.call_next("d1")["number"] == "K001"
    called = board.wait_for("called")
    assert (called["number"], called["desk"], called["zone"], called["recall"]) == ("K001", "d1", "z2", False)

    server.kill()  # kill -9: a crash, no goodbye to the clients
    board.wait_for("disconnected")
    server.start()  # same port, same database

    assert board.wait_for("ack") == {"ok": True}  # joined again from its connect handler, by itself
    again = board.wait_for("snapshot")
    assert board.connects == 2
    assert numbers(again["calls"]) == ["K001"]
    assert again["calls"][0]["called_at"] == called["called_at"]
    waiting = {s["key"]: s["waiting"] for s in again["queue"]["services"]}
    assert waiting["kela"] == 1  # K002 still waits

    assert api.call_next("d5")["number"] == "K002"
    after = board.wait_for("called")
    assert (after["number"], after["desk"]) == ("K002", "d5")
