"""Turns applied changes into Socket.IO events for this process's own clients.

Every process applies every committed change to its live model (services/live.py) and this consumer then
tells *its own* sockets (``ignore_queue``: nothing goes through the message queue), so the work per change
grows with what changed, not with who is connected anywhere:

- ``called`` to the zone's boards first, at once;
- the changed ticket's own ``ticket`` event and the desk's ``desk`` event, at once;
- phones whose ticket waits in a queue the change touched get a fresh view only if their position, state or
  estimate (to the minute) moved, at most once a second each; nobody else's phone hears of it;
- queue summaries to kiosks, desks and boards at most four times a second;
- each desk page whose services' queues the change touched gets its waiting list (the first 50 it would call,
  services/waiting_list.py) at most four times a second.

Every event to a room carries ``room`` and that room's ``seq`` (1, 2, 3, ... per room in this process); the
snapshot a ``join`` answers with carries the current ``seqs``.  A client that sees a gap, or gets ``resync``
(sent when the model was rebuilt: a gap, a lost change feed), joins again for a fresh snapshot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from flask_socketio import SocketIO

from .. import events as ev
from ..services.changes import Change
from ..services.context import Context
from ..services.desks import desk_overview
from ..services.outbox import from_us
from ..services.overview import public_summaries, staff_summaries
from ..services.tickets import live_view
from ..services.waiting_list import waiting_list

log = logging.getLogger(__name__)
NAMESPACE = "/"
QUEUE_INTERVAL_S = 0.25
PHONE_INTERVAL_S = 1.0
TICK_S = 0.05
#: phone updates pushed between two yields of the flushing thread
YIELD_EVERY = 100
_CALLS = frozenset({"called", "recalled"})


def desk_payload(ctx: Context, desk_key: str) -> dict[str, Any]:
    """The desk's state, its current ticket and its services' waiting counts."""
    result, waiting = desk_overview(ctx, desk_key)
    return {
        "desk": desk_key,
        "status": result.desk_status,
        "ticket": result.ticket.to_dict() if result.ticket else None,
        "waiting": waiting,
    }


class SocketFanout:
    """The live model's consumer that tells this process's sockets what changed.
    It numbers each room's events, knows the tickets phones follow, and coalesces what is due."""

    def __init__(self, socketio: SocketIO, ctx: Context) -> None:
        self.socketio, self.ctx = socketio, ctx
        #: this app's own Socket.IO server (``socketio.server`` is whichever app was bound last)
        self.server = socketio.server
        self._lock = threading.RLock()
        self._room_seq: dict[str, int] = {}
        self._followed: dict[str, str | None] = {}  # token hash -> the service its ticket waits in (or None)
        self._by_service: dict[str, set[str]] = {}
        self._by_sid: dict[str, set[str]] = {}
        self._sent: dict[str, tuple[tuple[Any, ...], float]] = {}  # token hash -> (what it saw, when)
        self._stale: set[str] = set()
        self._queues_dirty = False
        self._queues_sent = 0.0
        self._lists_dirty: set[str] = set()  # desks whose waiting list is due
        self._lists_sent = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread that sends the coalesced pushes, every ``TICK_S``."""
        self._thread = threading.Thread(target=self._run, name="vuoro-fanout", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the pushing thread at shutdown, waiting for it at most two seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            try:
                self.flush()
            except Exception:  # never let a push kill the thread: the next tick tries again
                log.exception("could not push coalesced updates")

    # -- rooms ---------------------------------------------------------------------------------------------
    def members(self, room: str) -> int:
        """How many of this process's sockets are in ``room`` (none: nothing is sent to it)."""
        rooms = self.server.manager.rooms.get(NAMESPACE, {}) if self.server is not None else {}
        return len(rooms.get(room) or ())

    def emit(self, event: str, payload: dict[str, Any], room: str) -> None:
        """Send to this process's members of ``room``, numbered; an empty room costs nothing."""
        if not self.members(room):
            return
        with self._lock:
            seq = self._room_seq[room] = self._room_seq.get(room, 0) + 1
        self.server.emit(event, {**payload, "room": room, "seq": seq}, to=room, namespace=NAMESPACE, ignore_queue=True)

    def seqs(self, rooms: Iterable[str]) -> dict[str, int]:
        """Each room's last sequence number, for a join's snapshot, which reads them under the model's lock."""
        with self._lock:
            return {room: self._room_seq.get(room, 0) for room in rooms}

    def follow(self, sid: str, token_hash: str, view: dict[str, Any]) -> None:
        """A phone in this process follows a ticket (``view``: what its snapshot showed): from now on it hears
        when that ticket's place, wait or state moves, and only then."""
        with self._lock:
            self._by_sid.setdefault(sid, set()).add(token_hash)
            self._move(token_hash, view["service"] if view["status"] == "waiting" else None)
            self._sent[token_hash] = (_seen(view), time.monotonic())

    def forget(self, sid: str) -> None:
        """A socket closed: its tickets are followed no more, unless another socket here follows them too."""
        with self._lock:
            for token_hash in self._by_sid.pop(sid, set()):
                if not any(token_hash in hashes for hashes in self._by_sid.values()):
                    self._move(token_hash, None)
                    del self._followed[token_hash]
                    self._sent.pop(token_hash, None)

    def _move(self, token_hash: str, service: str | None) -> None:
        """Index a followed ticket under the service it waits in (None: it does not wait)."""
        old = self._followed.get(token_hash)
        if old is not None:
            self._by_service.get(old, set()).discard(token_hash)
        self._followed[token_hash] = service
        if service is not None:
            self._by_service.setdefault(service, set()).add(token_hash)

    # -- the consumer side -----------------------------------------------------------------------------------
    def publish(self, changes: Sequence[Change]) -> None:
        """One applied change record's changes; called by the live model in sequence order."""
        live = self.ctx.live
        assert live is not None
        for c in changes:
            if c.ticket is not None and c.action in _CALLS and c.desk_key and not c.stale and c.ticket.called_at:
                desk = self.ctx.config.desk_map.get(c.desk_key)
                if desk is not None:
                    payload = ev.called_payload(
                        self.ctx.config,
                        number=c.ticket.number,
                        desk_key=c.desk_key,
                        called_at=from_us(c.ticket.called_at),
                        recall=c.recall,
                    )
                    self.emit(ev.CALLED, payload, ev.board_room(desk.zone))
        touched: set[str] = set()
        for c in changes:
            if c.stale:
                continue
            touched |= c.services
            if c.ticket is not None:
                self._own_ticket(c)
            if c.desk_key:  # (a desk_status change's services are the desk's: changes_of says so)
                self.emit(ev.DESK, desk_payload(self.ctx, c.desk_key), ev.desk_room(c.desk_key))
        if touched:
            with self._lock:
                self._queues_dirty = True
                self._lists_dirty.update(d.key for d in self.ctx.config.desks if touched.intersection(d.services))
                for group in {live.group_of[s] for s in touched if s in live.group_of}:
                    for service in group:
                        self._stale |= self._by_service.get(service, set())

    def _own_ticket(self, c: Change) -> None:
        ticket = c.ticket
        assert ticket is not None
        with self._lock:
            followed = ticket.token_hash in self._followed
            if followed:
                self._move(ticket.token_hash, ticket.service if ticket.status == "waiting" else None)
        if c.action == "issued" or not followed:
            return  # a ticket just issued has no phone yet: its token is only in the answer still to be sent
        view = live_view(self.ctx, ticket).to_dict()
        self.emit(ev.TICKET, {"ticket": view}, ev.ticket_room(ticket.token_hash))
        with self._lock:
            self._sent[ticket.token_hash] = (_seen(view), time.monotonic())
            self._stale.discard(ticket.token_hash)

    def resync(self, reason: str) -> None:
        """The model was rebuilt: whatever a client holds may be stale; every client asks for a snapshot."""
        with self._lock:
            self._sent.clear()
            self._queues_dirty = True
        if self.server is not None:
            self.server.emit(ev.RESYNC, {"reason": reason}, namespace=NAMESPACE, ignore_queue=True)

    # -- coalesced pushes ----------------------------------------------------------------------------------
    def flush(self, *, force: bool = False) -> None:
        """Send what is due: queue summaries (<= 4/s) and phones whose view moved (<= 1/s each)."""
        now = time.monotonic()
        with self._lock:
            push_queues = self._queues_dirty and (force or now - self._queues_sent >= QUEUE_INTERVAL_S)
            if push_queues:
                self._queues_dirty, self._queues_sent = False, now
            lists: set[str] = set()
            if self._lists_dirty and (force or now - self._lists_sent >= QUEUE_INTERVAL_S):
                lists, self._lists_dirty, self._lists_sent = self._lists_dirty, set(), now
            due = [h for h in self._stale if force or h not in self._sent or now - self._sent[h][1] >= PHONE_INTERVAL_S]
            self._stale.difference_update(due)
        if push_queues:
            self.push_queues()
        self.push_waiting(lists)
        for i, token_hash in enumerate(due, 1):
            self._refresh_phone(token_hash, now)
            if i % YIELD_EVERY == 0:
                # thousands of phones may be due at once: let the sockets' writers (and a call's `called` to the
                # boards) run in between -- a greenlet switch under gevent, the GIL handed over in threads
                time.sleep(0)

    def _refresh_phone(self, token_hash: str, now: float) -> None:
        live = self.ctx.live
        assert live is not None
        ticket = live.find(token_hash)
        if ticket is None:
            return
        view = live_view(self.ctx, ticket).to_dict()
        seen = _seen(view)
        with self._lock:
            last = self._sent.get(token_hash)
            if last is not None and last[0] == seen:
                return
            self._sent[token_hash] = (seen, now)
        self.emit(ev.TICKET, {"ticket": view}, ev.ticket_room(token_hash))

    def push_waiting(self, desks: Iterable[str]) -> None:
        """Each of ``desks`` its waiting list, where a desk page in this process shows it (nobody: no work)."""
        for key in sorted(desks):
            room = ev.desk_room(key)
            if key in self.ctx.config.desk_map and self.members(room):
                self.emit(ev.WAITING, waiting_list(self.ctx, key).to_dict(), room)

    def push_queues(self) -> None:
        """Staff (desks) see every service's own figures; kiosks and boards only the public ones, where a
        sensitive service's are merged with its cover group's (services/overview.py)."""
        self.emit(ev.QUEUE, ev.queue_payload(staff_summaries(self.ctx), for_board=False), ev.STAFF_ROOM)
        summaries = public_summaries(self.ctx)
        self.emit(ev.QUEUE, ev.queue_payload(summaries, for_board=False), ev.SCREENS_ROOM)
        board = ev.queue_payload(summaries, for_board=True)
        for zone in self.ctx.config.zones:
            self.emit(ev.QUEUE, board, ev.board_room(zone.key))


def _seen(view: dict[str, Any]) -> tuple[Any, ...]:
    """What a phone shows: a new view is worth sending only when one of these moved."""
    wait = view.get("estimated_wait_s")
    return (
        view["status"],
        view["service"],
        view["position"],
        None if wait is None else round(wait / 60),
        (view.get("desk") or {}).get("key"),
    )
