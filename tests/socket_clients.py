"""Socket.IO clients as the pages run them, on python-socketio's real client (polling, websocket, or both)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import requests
import socketio

WAIT_S = 10.0


class BoardClient:
    """A display board as the browser page runs it: (re)join the zone on every ``connect``.

    The client runs handlers on their own threads, so an event and the ack sent after it may be seen in
    either order: ``wait_for`` takes the first unconsumed match and leaves everything else for later calls.
    ``transports`` pins the Engine.IO transports (``["polling"]`` never upgrades); ``cookies`` go with every
    request of the session (a balancing cookie, say): python-engineio sends its ``headers`` argument with the
    handshake only, so a cookie must sit in the client's HTTP session's jar to reach the later polls.
    ``snapshots`` holds the arrival time of every snapshot, so a test can tell how long a board was without
    the true state.
    """

    def __init__(
        self, url: str, zone: str, *, transports: Sequence[str] | None = None, cookies: dict[str, str] | None = None
    ) -> None:
        self.received: list[tuple[str, Any]] = []
        self.snapshots: list[float] = []
        self.changed = threading.Condition()
        self.connects = 0
        self.http = requests.Session()
        for name, value in (cookies or {}).items():
            self.http.cookies.set(name, value)
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=0.1,
            reconnection_delay_max=0.5,
            randomization_factor=0.1,
            handle_sigint=False,
            http_session=self.http,
        )

        @self.sio.event
        def connect() -> None:
            self.connects += 1
            self.sio.emit("join", {"board": zone}, callback=lambda ack: self._put("ack", ack))

        @self.sio.event
        def disconnect(reason: Any = None) -> None:
            self._put("disconnected", reason)

        @self.sio.on("*")
        def any_event(event: str, data: Any = None) -> None:
            if event == "snapshot":
                self.snapshots.append(time.monotonic())
            self._put(event, data)

        self.sio.connect(url, wait_timeout=WAIT_S, transports=list(transports) if transports else None)

    @property
    def disconnects(self) -> int:
        with self.changed:
            return sum(1 for name, _ in self.received if name == "disconnected")

    @property
    def transport(self) -> str:
        return str(self.sio.transport())

    def _put(self, event: str, data: Any) -> None:
        with self.changed:
            self.received.append((event, data))
            self.changed.notify_all()

    def wait_for(
        self, event: str | tuple[str, ...], match: Callable[[Any], bool] = lambda _: True, timeout: float = WAIT_S
    ) -> Any:
        """Take the first received ``event`` (or any of several) whose payload matches; fail after ``timeout``."""
        events = (event,) if isinstance(event, str) else event

        def find() -> int | None:
            return next((i for i, (name, data) in enumerate(self.received) if name in events and match(data)), None)

        with self.changed:
            self.changed.wait_for(lambda: find() is not None, timeout)
            found = find()
            if found is None:
                got = [f"{n}({d})" if n == "disconnected" else n for n, d in self.received]
                pytest.fail(f"no matching {event!r} within {timeout}s; got {got}")
            return self.received.pop(found)[1]

    def close(self) -> None:
        """Disconnect and wait for the client's threads (a reconnection loop left running would go on using the
        process's random module and sockets in later tests)."""
        self.sio.reconnection = False
        self.sio.disconnect()
        waiter = threading.Thread(target=self.sio.wait, daemon=True)
        waiter.start()
        waiter.join(5)
        self.http.close()
