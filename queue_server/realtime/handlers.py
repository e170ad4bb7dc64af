"""Socket.IO handlers: authenticate on connect, join rooms, and answer every join with a snapshot.

A screen that reconnects (server restart, Wi-Fi drop) joins again and gets the true state at once.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_socketio import SocketIO, emit, join_room, leave_room

from ..api.auth import DESK_ROLES, KIOSK_ROLES
from ..domain.errors import DomainError
from ..printing import EXTENSION as PRINTING
from ..services.accounts import Principal
from ..services.board import recent_calls
from ..services.context import Context
from ..services.overview import service_summaries
from ..services.tickets import get_ticket
from ..services.tokens import token_hash
from . import events as ev
from .notifier import desk_payload
from .principals import SocketPrincipals

log = logging.getLogger(__name__)


def _ctx() -> Context:
    return current_app.extensions["vuoro"]


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class Handlers:
    """Keeps who is behind each socket (``sid``): a token's or a logged-in account's principal, or nobody."""

    def __init__(self) -> None:
        self._principals = SocketPrincipals()

    def register(self, socketio: SocketIO) -> None:
        socketio.on_event("connect", self.on_connect)
        socketio.on_event("disconnect", self.on_disconnect)
        socketio.on_event(ev.JOIN, self.on_join)
        socketio.on_event(ev.LEAVE, self.on_leave)

    def principal(self) -> Principal | None:
        return self._principals.current()

    def on_connect(self, auth: Any = None) -> bool:
        return self._principals.connect(_ctx().db, auth)

    def on_disconnect(self, reason: Any = None) -> None:
        self._principals.disconnect()

    def on_leave(self, data: Any = None, *_extra: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            for kind, room in (("board", ev.board_room), ("desk", ev.desk_room), ("kiosk", ev.kiosk_room)):
                if isinstance(data.get(kind), str):
                    leave_room(room(data[kind]))
        return {"ok": True}

    def on_join(self, data: Any = None, *extra: Any) -> dict[str, Any]:
        # no argument or extra arguments get the same answer as a malformed payload, never a TypeError
        if extra or not isinstance(data, dict) or len(data) != 1:
            return _error("invalid_request", "join one of: board, desk, ticket, kiosk")
        (kind, value), = data.items()
        handler = {"board": self._join_board, "desk": self._join_desk, "ticket": self._join_ticket,
                   "kiosk": self._join_kiosk}.get(kind)
        if handler is None or not isinstance(value, str) or not value:
            return _error("invalid_request", "join one of: board, desk, ticket, kiosk")
        return handler(value)

    def _join_board(self, zone: str) -> dict[str, Any]:
        ctx = _ctx()
        zcfg = ctx.config.zone_map.get(zone)
        if zcfg is None:
            return _error("unknown_zone", "no such zone")
        join_room(ev.board_room(zone))
        calls = [
            ev.called_payload(ctx.config, number=c.number, desk_key=c.desk_key, called_at=c.called_at, recall=c.recall)
            for c in recent_calls(ctx, zone)
            if c.desk_key in ctx.config.desk_map
        ]
        zone_services = sorted({s for d in ctx.config.desks if d.zone == zone for s in d.services})
        emit(ev.SNAPSHOT, {
            "board": zone,
            "name": dict(zcfg.name),
            "language": zcfg.language or ctx.config.centre.language,
            "settings": {"chime": zcfg.chime, "speech": zcfg.speech, "volume": zcfg.volume},
            "calls": calls,
            "services": [s for s in zone_services if not ctx.config.service_map[s].sensitive],
            "queue": ev.queue_payload(service_summaries(ctx), for_board=True),
        })
        return {"ok": True}

    def _join_desk(self, desk: str) -> dict[str, Any]:
        ctx = _ctx()
        principal = self.principal()
        if principal is None or principal.role not in DESK_ROLES:
            return _error("forbidden", "log in as a clerk or use a desk token")
        if desk not in ctx.config.desk_map:
            return _error("unknown_desk", "no such desk")
        join_room(ev.desk_room(desk))
        join_room(ev.SCREENS_ROOM)
        join_room(ev.STAFF_ROOM)
        printing = current_app.extensions.get(PRINTING)
        emit(ev.SNAPSHOT, {"desk": desk, "state": desk_payload(ctx, desk),
                           "queue": ev.queue_payload(service_summaries(ctx), for_board=False),
                           "printers": printing.status_list() if printing is not None else []})
        return {"ok": True}

    def _join_ticket(self, token: str) -> dict[str, Any]:
        ctx = _ctx()
        try:
            view = get_ticket(ctx, token)
        except DomainError:
            return _error("unknown_ticket", "no such ticket")
        join_room(ev.ticket_room(token_hash(token)))
        join_room(ev.SCREENS_ROOM)
        emit(ev.SNAPSHOT, {"ticket": view.to_dict(),
                           "queue": ev.queue_payload(service_summaries(ctx), for_board=False)})
        return {"ok": True}

    def _join_kiosk(self, kiosk: str) -> dict[str, Any]:
        ctx = _ctx()
        principal = self.principal()
        if principal is None or principal.role not in KIOSK_ROLES:
            return _error("forbidden", "use a kiosk token")
        if kiosk not in ctx.config.kiosk_map:
            return _error("unknown_kiosk", "no such kiosk")
        if principal.role == "kiosk" and principal.name in ctx.config.kiosk_map and principal.name != kiosk:
            return _error("forbidden", "this token belongs to another kiosk")
        join_room(ev.kiosk_room(kiosk))
        join_room(ev.SCREENS_ROOM)
        emit(ev.SNAPSHOT, {"kiosk": kiosk, "queue": ev.queue_payload(service_summaries(ctx), for_board=False)})
        return {"ok": True}
