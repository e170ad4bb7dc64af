"""The dashboard's Socket.IO namespace (``/admin``): join ``{"admin": true}`` as an admin -> ``snapshot``, then
a ``dashboard`` event with the whole picture after every committed change.

The namespace is the admin package's own, so the default namespace's handlers stay untouched; changes reach it
by following the app's notifier (every change goes to the screens first, then the dashboard is pushed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask_socketio import SocketIO, emit, join_room

from ..realtime import events as ev
from ..realtime.principals import SocketPrincipals
from ..services.changes import Change
from ..services.context import Context, Notifier
from ..services.dashboard import dashboard

log = logging.getLogger(__name__)
NS = ev.ADMIN_NAMESPACE


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class AdminLive:
    def __init__(self, app: Flask, ctx: Context, socketio: SocketIO) -> None:
        self.app, self.ctx, self.socketio = app, ctx, socketio
        self._principals = SocketPrincipals()
        #: push only once somebody could listen: an admin joined here, or other processes share a message queue
        self.active = bool(ctx.config.redis_url)

    def install(self) -> None:
        self.socketio.on_event("connect", self.on_connect, namespace=NS)
        self.socketio.on_event("disconnect", self.on_disconnect, namespace=NS)
        self.socketio.on_event(ev.JOIN, self.on_join, namespace=NS)
        follow_notifier(self.ctx.notifier, self)

    def payload(self) -> dict[str, Any]:
        from . import printer_lines

        return {**dashboard(self.ctx), "printers": printer_lines(self.app)}

    def push(self) -> None:
        if not self.active:
            return
        try:
            self.socketio.emit(ev.DASHBOARD, self.payload(), to=ev.ADMIN_ROOM, namespace=NS)
        except Exception:  # the change is committed; a missed dashboard update must not turn it into an error
            log.exception("could not push the admin dashboard")

    # -- handlers --------------------------------------------------------------------------------------------
    def on_connect(self, auth: Any = None) -> bool:
        return self._principals.connect(self.ctx.db, auth)

    def on_disconnect(self, reason: Any = None) -> None:
        self._principals.disconnect()

    def on_join(self, data: Any = None, *extra: Any) -> dict[str, Any]:
        if extra or data != {"admin": True}:
            return _error("invalid_request", 'join {"admin": true}')
        principal = self._principals.current()
        if principal is None or principal.role != "admin":
            return _error("forbidden", "log in as an admin or use an admin token")
        join_room(ev.ADMIN_ROOM)
        self.active = True
        emit(ev.SNAPSHOT, self.payload())
        return {"ok": True}


def follow_notifier(notifier: Notifier, live: AdminLive) -> None:
    """After every ``publish`` of the app's notifier, push the dashboard too.

    The notifier object stays the same (others check its type); only this instance's ``publish`` is wrapped,
    once: the change goes to the screens first, then the dashboard follows.
    """
    if getattr(notifier, "_vuoro_admin_follows", False):
        return
    inner = notifier.publish

    def publish(changes: Sequence[Change]) -> None:
        inner(changes)
        live.push()

    notifier.publish = publish  # type: ignore[method-assign]
    notifier._vuoro_admin_follows = True  # type: ignore[attr-defined]
