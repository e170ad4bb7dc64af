"""How often a socket, and an address, may join rooms: every join is answered with a snapshot, which is work.

A board joins once per connection and again after a gap; four anonymous sockets repeating board joins as fast
as they could once slowed every kiosk of a centre down.  A join over the limit gets an error ack
(``rate_limited``) and costs nothing more.  The limits come from the config's ``limits:`` section
(``join_per_socket``, ``join_per_client``), counted by the ``limits`` library that flask-limiter is built on,
in Redis when the processes share one (so the address limit holds across them) and in memory otherwise.  When
Redis does not answer, joins are let through: a screen must not go dark because a counter is away.
"""

from __future__ import annotations

import logging
import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from ..config import VuoroConfig

log = logging.getLogger(__name__)
#: at most one "could not count" warning per this many seconds (Redis down must not flood the log)
WARN_EVERY_S = 60.0


class JoinLimiter:
    """One app's join counters, per socket and per address: in Redis when processes share one, else in memory."""

    def __init__(self, config: VuoroConfig) -> None:
        self.enabled = config.limits.enabled
        self.per_socket: list[RateLimitItem] = parse_many(config.limits.join_per_socket)
        self.per_client: list[RateLimitItem] = parse_many(config.limits.join_per_client)
        uri = config.redis_url or "memory://"
        storage = storage_from_string(uri, key_prefix=f"vuoro:{config.socketio_channel}:joins")
        assert isinstance(storage, Storage)  # a synchronous store: memory:// or redis://
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(self.storage)
        self._warned = 0.0

    def allow(self, sid: str, address: str | None) -> bool:
        """Count one join of socket ``sid`` from ``address``; False when either is over its limit."""
        if not self.enabled:
            return True
        try:
            by_socket = all(self.limiter.hit(item, "socket", sid) for item in self.per_socket)
            return by_socket and all(self.limiter.hit(item, "client", address or "-") for item in self.per_client)
        except Exception as exc:  # noqa: BLE001 - any storage failure: count nothing, let the screen in
            now = time.monotonic()
            if now - self._warned > WARN_EVERY_S:
                self._warned = now
                log.warning(
                    "socket joins are not rate-limited for now: the counter store failed (%s)", type(exc).__name__
                )
            return True
