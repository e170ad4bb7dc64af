"""Turns committed changes into Socket.IO events.  Called after the commit, never inside a transaction.

Order matters for the waiting room: the ``called`` event goes out first, then the desk's and the ticket's own
updates, then queue lengths and the refreshed positions of everybody still waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask_socketio import SocketIO

from ..domain.states import Action
from ..models import Ticket
from ..services.changes import Change
from ..services.context import Context
from ..services.desks import desk_overview
from ..services.overview import service_summaries
from ..services.queues import ServiceLoad
from ..services.ticket_view import build_view, waiting_views
from . import events as ev

log = logging.getLogger(__name__)


class SocketNotifier:
    def __init__(self, socketio: SocketIO, ctx: Context) -> None:
        self.socketio = socketio
        self.ctx = ctx

    def emit(self, event: str, payload: Any, room: str) -> None:
        self.socketio.emit(event, payload, to=room)

    def publish(self, changes: Sequence[Change]) -> None:
        try:
            self._publish(changes)
        except Exception:  # the change is committed; a lost screen update must not turn it into an error
            log.exception("could not push %d change(s) to screens", len(changes))

    def _publish(self, changes: Sequence[Change]) -> None:
        config = self.ctx.config
        for change in changes:
            t = change.ticket
            if t and change.action in (Action.CALL.value, Action.RECALL.value) and change.desk_key and t.called_at:
                payload = ev.called_payload(config, number=t.number, desk_key=change.desk_key,
                                            called_at=t.called_at, recall=change.recall)
                self.emit(ev.CALLED, payload, ev.board_room(payload["zone"]))
        touched: set[str] = set()    # queues whose length changed: new counts for every screen
        reordered: set[str] = set()  # queues where waiting visitors' positions moved
        for change in changes:
            touched |= change.services
            if not _appends_only(change):
                reordered |= change.services
        # A ticket just issued has no phone yet (its token is only in the answer still to be sent), and an issue
        # touches no desk: then no session is opened here at all -- the kiosks' hot path (see docs/performance.md).
        own_views = [c for c in changes if c.ticket is not None and c.action != Action.ISSUE.value]
        if own_views or reordered or any(c.desk_key for c in changes):
            with self.ctx.db.reader() as session:
                for change in changes:
                    if change in own_views:
                        ticket = session.get(Ticket, change.ticket.id)  # type: ignore[union-attr]
                        if ticket is not None:
                            own = build_view(session, self.ctx, ticket).to_dict()
                            self.emit(ev.TICKET, {"ticket": own}, ev.ticket_room(ticket.token_hash))
                    if change.desk_key:
                        self.emit(ev.DESK, desk_payload(self.ctx, change.desk_key), ev.desk_room(change.desk_key))
                if reordered:
                    for token_hash, view in waiting_views(session, self.ctx, self.ctx.today(), reordered):
                        self.emit(ev.TICKET, {"ticket": view.to_dict()}, ev.ticket_room(token_hash))
        if touched:
            # loads computed by the use case inside its transaction describe the committed state: reuse them
            given = [c.loads for c in changes if c.loads is not None]
            self.push_queues(given[-1] if len(given) == len(changes) else None)

    def push_queues(self, loads: Mapping[str, ServiceLoad] | None = None) -> None:
        summaries = service_summaries(self.ctx, loads)
        self.emit(ev.QUEUE, ev.queue_payload(summaries, for_board=False), ev.SCREENS_ROOM)
        board = ev.queue_payload(summaries, for_board=True)
        for zone in self.ctx.config.zones:
            self.emit(ev.QUEUE, board, ev.board_room(zone.key))


def _appends_only(change: Change) -> bool:
    """A normal ticket joining at the back moves nobody else's position: no need to refresh every phone."""
    return change.action == Action.ISSUE.value and change.ticket is not None and not change.ticket.priority


def desk_payload(ctx: Context, desk_key: str) -> dict[str, Any]:
    """The desk's state, its current ticket and its services' waiting counts."""
    result, waiting = desk_overview(ctx, desk_key)
    return {
        "desk": desk_key,
        "status": result.desk_status,
        "ticket": result.ticket.to_dict() if result.ticket else None,
        "waiting": waiting,
    }
