"""Socket.IO handlers: authenticate on connect, join rooms, and answer every join with a snapshot.

A screen that reconnects (server restart, Wi-Fi drop) joins again and gets the true state at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, request
from flask_socketio import SocketIO, emit, join_room, leave_room
from sqlalchemy.exc import SQLAlchemyError

from .. import events as ev
from ..db import DatabaseUnavailable, unavailable_reason
from ..domain.errors import DomainError
from ..domain.roles import DESK_ROLES, KIOSK_ROLES
from ..printing import EXTENSION as PRINTING
from ..services.accounts import Principal
from ..services.board import recent_calls
from ..services.overview import public_summaries, staff_summaries
from ..services.tickets import get_ticket
from ..services.tokens import token_hash
from ..services.waiting_list import waiting_list
from ..web.context import ctx as _ctx
from .fanout import SocketFanout, desk_payload
from .join_limits import JoinLimiter
from .principals import SocketPrincipals

log = logging.getLogger(__name__)
JOIN_LIMITS = "vuoro_join_limits"


def _fanout() -> SocketFanout | None:
    """The app's socket fan-out (None where a test replaced it with a recorder)."""
    notifier = _ctx().notifier
    return notifier if isinstance(notifier, SocketFanout) else None


def _snapshot(rooms: list[str], body: dict[str, Any]) -> None:
    """Join ``rooms`` and send the snapshot, with each room's current sequence number, under the model's lock:
    no change can slip between what the snapshot shows and the numbers it gives."""
    ctx = _ctx()
    assert ctx.live is not None
    fanout = _fanout()
    with ctx.live.locked():
        for room in rooms:
            join_room(room)
        emit(ev.SNAPSHOT, {**body, "seqs": fanout.seqs(rooms) if fanout else {}})


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class Handlers:
    """Keeps who is behind each socket (``sid``): a token's or a logged-in account's principal, or nobody."""

    def __init__(self) -> None:
        self._principals = SocketPrincipals()
        self._server: Any = None

    @staticmethod
    def init_app(app: Any) -> None:
        """This app's join limits (each app its own counters; handlers find them through ``current_app``)."""
        app.extensions[JOIN_LIMITS] = JoinLimiter(app.extensions["vuoro"].config)

    # -- a live-model consumer: sockets of disabled users and revoked tokens are closed at once ---------------
    def publish(self, changes: Any) -> None:
        """Queue changes are the fan-out's; this consumer only acts on revocations."""

    def revoke(self, principals: Sequence[Mapping[str, Any]]) -> None:
        """Close this process's sockets of disabled accounts and revoked tokens at once (a record's ``revoked``)."""
        server = self._server
        if server is None:
            return
        for item in principals:
            for sid in self._principals.sids_of(str(item.get("kind")), int(item.get("id") or 0)):
                log.info("closing a socket of a revoked %s", item.get("kind"))
                server.disconnect(sid, namespace="/", ignore_queue=True)

    def register(self, socketio: SocketIO) -> None:
        """Hook the default namespace's events on ``socketio``: connect, disconnect, join, leave (app.py)."""
        self._server = socketio.server
        socketio.on_event("connect", self.on_connect)
        socketio.on_event("disconnect", self.on_disconnect)
        socketio.on_event(ev.JOIN, self.on_join)
        socketio.on_event(ev.LEAVE, self.on_leave)

    def principal(self) -> Principal | None:
        """Who is behind the current event's socket (None: anonymous)."""
        return self._principals.current()

    def on_connect(self, auth: Any = None) -> bool:
        """Decide once who is behind the socket; False refuses it (a wrong token)."""
        return self._principals.connect(_ctx().db, auth)

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the closing socket: its principal, and the tickets it followed."""
        self._principals.disconnect()
        fanout = _fanout()
        if fanout is not None:
            fanout.forget(request.sid)  # type: ignore[attr-defined]

    def on_leave(self, data: Any = None, *_extra: Any) -> dict[str, Any]:
        """Leave the board, desk or kiosk rooms named in ``data``; always acknowledged."""
        if isinstance(data, dict):
            for kind, room in (("board", ev.board_room), ("desk", ev.desk_room), ("kiosk", ev.kiosk_room)):
                if isinstance(data.get(kind), str):
                    leave_room(room(data[kind]))
        return {"ok": True}

    def on_join(self, data: Any = None, *extra: Any) -> dict[str, Any]:
        """Join one room (board, desk, ticket or kiosk) and get its snapshot.
        Rate-limited; a refusal is an error ack, never an exception."""
        limits = current_app.extensions.get(JOIN_LIMITS)
        if limits is not None and not limits.allow(request.sid, request.remote_addr):  # type: ignore[attr-defined]
            return _error("rate_limited", "too many joins from this screen or address; wait a moment")
        # no argument or extra arguments get the same answer as a malformed payload, never a TypeError
        if extra or not isinstance(data, dict) or len(data) != 1:
            return _error("invalid_request", "join one of: board, desk, ticket, kiosk")
        ((kind, value),) = data.items()
        handler = {
            "board": self._join_board,
            "desk": self._join_desk,
            "ticket": self._join_ticket,
            "kiosk": self._join_kiosk,
        }.get(kind)
        if handler is None or not isinstance(value, str) or not value:
            return _error("invalid_request", "join one of: board, desk, ticket, kiosk")
        try:
            return handler(value)
        except (DatabaseUnavailable, SQLAlchemyError) as exc:  # the model had to be rebuilt and the database is away
            log.warning("join: the database did not answer (%s)", unavailable_reason(exc))
            return _error("database_unavailable", "the database is not available; try again in a few seconds")

    def _join_board(self, zone: str) -> dict[str, Any]:
        ctx = _ctx()
        zcfg = ctx.config.zone_map.get(zone)
        if zcfg is None:
            return _error("unknown_zone", "no such zone")
        calls = [
            ev.called_payload(ctx.config, number=c.number, desk_key=c.desk_key, called_at=c.called_at, recall=c.recall)
            for c in recent_calls(ctx, zone)
            if c.desk_key in ctx.config.desk_map
        ]
        zone_services = sorted({s for d in ctx.config.desks if d.zone == zone for s in d.services})
        _snapshot(
            [ev.board_room(zone)],
            {
                "board": zone,
                "name": dict(zcfg.name),
                "language": zcfg.language or ctx.config.centre.language,
                "languages": zcfg.board_languages(ctx.config.centre.language),  # its boards take turns in these
                "settings": {"chime": zcfg.chime, "speech": zcfg.speech, "volume": zcfg.volume},
                "message": dict(zcfg.message or {}),  # the zone's message line, per language ({}: none)
                "calls": calls,
                "services": [s for s in zone_services if not ctx.config.service_map[s].sensitive],
                "queue": ev.queue_payload(public_summaries(ctx), for_board=True),
            },
        )
        return {"ok": True}

    def _join_desk(self, desk: str) -> dict[str, Any]:
        ctx = _ctx()
        principal = self.principal()
        if principal is None or principal.role not in DESK_ROLES:
            return _error("forbidden", "log in as a clerk or use a desk token")
        if not principal.may_open(desk):
            return _error("not_your_desk", "this account may not open this desk")
        if desk not in ctx.config.desk_map:
            return _error("unknown_desk", "no such desk")
        printing = current_app.extensions.get(PRINTING)
        _snapshot(
            [ev.desk_room(desk), ev.STAFF_ROOM],
            {
                "desk": desk,
                "state": desk_payload(ctx, desk),
                "waiting": waiting_list(ctx, desk).to_dict(),
                "queue": ev.queue_payload(staff_summaries(ctx), for_board=False),
                "printers": printing.status_list() if printing is not None else [],
            },
        )
        return {"ok": True}

    def _join_ticket(self, token: str) -> dict[str, Any]:
        ctx = _ctx()
        try:
            view = get_ticket(ctx, token)
        except DomainError:
            return _error("unknown_ticket", "no such ticket")
        digest = token_hash(token)
        shown = view.to_dict()
        fanout = _fanout()
        if fanout is not None:
            fanout.follow(request.sid, digest, shown)  # type: ignore[attr-defined]
        _snapshot(
            [ev.ticket_room(digest)],
            {"ticket": shown, "queue": ev.queue_payload(public_summaries(ctx), for_board=False)},
        )
        return {"ok": True}

    def _join_kiosk(self, kiosk: str) -> dict[str, Any]:
        ctx = _ctx()
        principal = self.principal()
        if principal is None or principal.role not in KIOSK_ROLES:
            return _error("forbidden", "use a kiosk token")
        if kiosk not in ctx.config.kiosk_map:
            return _error("unknown_kiosk", "no such kiosk")
        if not principal.speaks_for(kiosk, ctx.config.kiosk_map):
            return _error("forbidden", "this token belongs to another kiosk")
        _snapshot(
            [ev.kiosk_room(kiosk), ev.SCREENS_ROOM],
            {"kiosk": kiosk, "queue": ev.queue_payload(public_summaries(ctx), for_board=False)},
        )
        return {"ok": True}
