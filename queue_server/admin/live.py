"""The dashboard's Socket.IO namespace (``/admin``): join ``{"admin": true}`` as an admin -> ``snapshot``, then
a ``dashboard`` event with the whole picture after committed changes, at most once a second.

The namespace is the admin package's own, so the default namespace's handlers stay untouched.  Changes reach it
as they reach every consumer: it subscribes to the live model (services/live.py), which hands it each applied
change after the screens' fan-out; it only marks the picture dirty, and its own thread pushes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask_socketio import SocketIO, emit, join_room

from .. import events as ev
from ..realtime.principals import SocketPrincipals
from ..services.changes import Change
from ..services.context import Context
from ..services.dashboard import dashboard
from .printers import printer_lines

log = logging.getLogger(__name__)
NS = ev.ADMIN_NAMESPACE
#: the dashboard is for people watching a room: one picture a second is plenty, whatever the change rate
PUSH_INTERVAL_S = 1.0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class AdminLive:
    """The dashboard's namespace in one process: who is behind each socket, and the thread pushing the picture."""

    def __init__(self, app: Flask, ctx: Context, socketio: SocketIO) -> None:
        self.app, self.ctx, self.socketio = app, ctx, socketio
        self.server = socketio.server  # this app's own (``socketio.server`` is whichever app was bound last)
        self._principals = SocketPrincipals()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def install(self) -> None:
        """Hook the namespace's events, follow the live model and start the pushing thread (admin.init_app)."""
        self.socketio.on_event("connect", self.on_connect, namespace=NS)
        self.socketio.on_event("disconnect", self.on_disconnect, namespace=NS)
        self.socketio.on_event(ev.JOIN, self.on_join, namespace=NS)
        assert self.ctx.live is not None
        self.ctx.live.subscribe(self)
        self._thread = threading.Thread(target=self._run, name="vuoro-dashboard", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the pushing thread (admin.stop_retention, at shutdown), waiting for it at most two seconds."""
        self._stop.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def publish(self, changes: Sequence[Change]) -> None:
        """A consumer of the live model: the picture is stale; the thread pushes it when due."""
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            self.push()
            self._stop.wait(PUSH_INTERVAL_S)

    def _listening(self) -> bool:
        rooms = self.server.manager.rooms.get(NS, {}) if self.server is not None else {}
        return bool(rooms.get(ev.ADMIN_ROOM))

    def payload(self) -> dict[str, Any]:
        """The dashboard's whole picture, for snapshot and push: the live model's figures, the printers' health."""
        return {**dashboard(self.ctx), "printers": printer_lines(self.app)}

    def push(self) -> None:
        """To this process's admins only: every process follows every change and pushes to its own."""
        if not self._listening():
            return
        try:
            with self.app.app_context():
                payload = self.payload()
            self.server.emit(ev.DASHBOARD, payload, to=ev.ADMIN_ROOM, namespace=NS, ignore_queue=True)
        except Exception:  # the change is committed; a missed dashboard update must not turn it into an error
            log.exception("could not push the admin dashboard")

    # -- handlers --------------------------------------------------------------------------------------------
    def on_connect(self, auth: Any = None) -> bool:
        """Record who is behind the socket; False refuses a wrong token."""
        return self._principals.connect(self.ctx.db, auth)

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the closing socket's principal."""
        self._principals.disconnect()

    def on_join(self, data: Any = None, *extra: Any) -> dict[str, Any]:
        """Join the admin room with {"admin": true} and get a snapshot; anyone but an admin gets an error ack."""
        if extra or data != {"admin": True}:
            return _error("invalid_request", 'join {"admin": true}')
        principal = self._principals.current()
        if principal is None or principal.role != "admin":
            return _error("forbidden", "log in as an admin or use an admin token")
        join_room(ev.ADMIN_ROOM)
        emit(ev.SNAPSHOT, self.payload())
        return {"ok": True}
