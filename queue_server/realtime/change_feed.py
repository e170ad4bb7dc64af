"""Brings every committed change to every process's live model.

With Redis: after its commit a process appends the change record to a Redis Stream (``XADD``, trimmed to the
last ``MAXLEN`` entries); each process reads the stream in one background thread (``XREAD BLOCK``) and offers
every record to its live model, which applies them in sequence order.  A stream, not pub/sub: ordered, and a
reader that blinks resumes from the last id it saw.  Redis is a doorbell, never the truth: a record lost with
Redis is in the database's outbox, a gap makes the model rebuild, and while Redis is away the thread polls the
outbox instead; when Redis answers again the model is rebuilt and clients are told to resync.

Without Redis (one process) the same thread only polls the outbox, which catches what other writers (the CLI,
a second process on the same SQLite file) committed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

import redis
from sqlalchemy.exc import SQLAlchemyError

from ..db import DatabaseUnavailable, unavailable_reason
from ..services.live import LiveQueues

log = logging.getLogger(__name__)
MAXLEN = 10_000
POLL_S = 1.0
_FIELD = b"r"


def stream_key(channel: str) -> str:
    """The Redis Stream of one centre's change records: named by its channel, so two centres can share a Redis."""
    return f"vuoro:{channel}:changes"


class _Follower:
    """The background thread's loop; ``step`` is one round of reading (or polling) and care."""

    name = "vuoro-changes"

    def __init__(self, live: LiveQueues, poll_s: float) -> None:
        self.live, self.poll_s = live, poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_s + 2)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except (DatabaseUnavailable, SQLAlchemyError) as exc:  # requests answer 503 meanwhile; try again
                log.warning("live model: the database did not answer (%s)", unavailable_reason(exc))
                self._stop.wait(self.poll_s)
            except Exception:  # keep following: the model rebuilds when in doubt
                log.exception("live model: following changes failed")
                self._stop.wait(self.poll_s)

    def step(self) -> None:
        self._stop.wait(self.poll_s)
        self.live.tick()

    def publish(self, record: Mapping[str, Any]) -> None:
        return None


class OutboxPoller(_Follower):
    """One process: nothing to send; poll the outbox now and then for other writers' changes."""


class RedisChangeFeed(_Follower):
    """Several processes: change records pass through a Redis Stream, and the outbox stands in while it is away."""

    def __init__(self, live: LiveQueues, url: str, channel: str, poll_s: float | None = None) -> None:
        poll_s = POLL_S if poll_s is None else poll_s
        super().__init__(live, poll_s)
        self.key = stream_key(channel)
        self.redis = redis.Redis.from_url(url, socket_timeout=poll_s + 4, socket_connect_timeout=2)
        self.lost = False
        self.last_id: bytes | str = "$"

    def start(self) -> None:
        """Begin after the stream's newest entry: the model, just built from the database, holds the older ones.
        Redis away: follow the outbox until it answers."""
        try:
            newest: Any = self.redis.xrevrange(self.key, count=1)
            self.last_id = newest[0][0] if newest else "0-0"
        except redis.RedisError:
            log.warning("change feed: Redis is not reachable; following the outbox until it is")
            self.lost = True
        super().start()

    def publish(self, record: Mapping[str, Any]) -> None:
        """After the commit (the record is safe in the outbox): ring the other processes' doorbell."""
        try:
            self.redis.xadd(
                self.key, {_FIELD: json.dumps(record, separators=(",", ":"))}, maxlen=MAXLEN, approximate=True
            )
        except redis.RedisError:
            log.warning("change feed: could not publish change %s; the others will read the outbox", record["seq"])
            self.lost = True

    def step(self) -> None:
        """One round: read the stream's new records, blocking up to ``poll_s``, and offer them to the model.
        Redis away: poll the outbox instead; Redis back: rebuild the model, as records may have been missed."""
        try:
            got: Any = self.redis.xread({self.key: self.last_id}, count=500, block=int(self.poll_s * 1000))
        except redis.RedisError:
            if not self.lost:
                log.warning("change feed: lost Redis; following the outbox until it is back")
            self.lost = True
            super().step()
            return
        if self.lost:
            self.lost = False
            log.info("change feed: Redis is back")
            self.live.rebuild("change feed regained")
        for _stream, entries in got or ():
            for entry_id, fields in entries:
                self.last_id = entry_id
                self.live.offer(json.loads(fields[_FIELD]))
        self.live.tick()
