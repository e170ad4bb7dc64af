"""The process's live queues: one owner for everything that happens after a commit.

The database decides; this keeps a :class:`~queue_server.domain.queue_model.QueueModel` of today as a cache
of what it committed, and every read (positions, queue lengths, estimates, snapshots, desk views) comes from it.

- A use case's transaction ends with a change record numbered by the ``changes`` sequence (services/outbox.py).
  After the commit :meth:`LiveQueues.committed` applies it here and hands it to the change feed, which brings
  it to every other process (:meth:`offer`).  Records are applied strictly in sequence order; one that arrives
  early waits for the ones before it.  A change committed here never waits long: every earlier change was
  committed before it got its number, so what is missing is read from the outbox.
- When in doubt the model is rebuilt from the database: at the first read, at a new business day, when a gap in
  the sequence does not close within ``GRACE_S``, and when the feed reports it lost messages.  Consumers are then
  told to resync their clients.
- :meth:`tick` runs every second or so (the feed's thread): it also catches up with changes that reached the
  database without a message (another process without the feed, the CLI).
- Consumers (the socket fan-out, the dashboard, tests' recorders) subscribe and receive each applied change's
  :class:`~queue_server.services.changes.Change` list, in order, exactly once.

Forecasts are computed once per change, for the groups of services the change touched, lazily at the first
read after it (services/forecasts.py, domain/forecast.py), and never per view.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..config import ConfigError, VuoroConfig
from ..domain.forecast import Priors, ServiceForecast
from ..domain.policy import priority_order
from ..domain.queue_model import DeskSpec, LiveTicket, QueueModel, Topology
from ..domain.queue_records import RecentCall
from . import centre_config
from .changes import changes_of
from .context import Context, Notifier
from .counters import sequence_value
from .forecasts import Forecasts
from .live_ports import ChangeFeed, Resyncing, Revoking
from .outbox import SEQUENCE, read_since, us
from .rebuild import load_model

log = logging.getLogger(__name__)
#: how long a gap in the change sequence (a message from another process missing) may stay open before the
#: model is rebuilt
GRACE_S = 0.5
#: how long a change this process committed waits for earlier ones from other threads before reading them
REORDER_S = 0.02
#: how often :meth:`LiveQueues.tick` looks into the outbox for changes that came without a message
POLL_S = 1.0


def topology_of(ctx: Context) -> Topology:
    """Which services and desks the live model tracks, and which desk serves what, from the centre's configuration."""
    cfg = ctx.config
    return Topology(
        services=tuple(s.key for s in cfg.services),
        desks=tuple(DeskSpec(d.key, tuple(d.services), d.zone) for d in cfg.desks),
    )


class LiveQueues:
    """This process's live model of today, kept current from committed changes, and every read of the
    queues; thread-safe under one lock (:meth:`locked`)."""

    def __init__(self, ctx: Context, config_version: int = 0) -> None:
        self.ctx = ctx
        #: the version of the centre's configuration ``ctx.config`` holds (services/centre_config.py)
        self.config_version = config_version
        self._configure()
        self.feed: ChangeFeed | None = None
        self.rebuilds = 0
        self._lock = threading.RLock()
        self._applied = threading.Condition(self._lock)
        self._model: QueueModel | None = None
        self._pending: dict[int, Mapping[str, Any]] = {}
        self._gap_since: float | None = None
        self._polled = 0.0
        self._consumers: list[Notifier] = []
        self._local: list[Callable[[Mapping[str, Any]], None]] = []
        self._config_listeners: list[Callable[[VuoroConfig], None]] = []
        self._reconfigure_to: int | None = None

    def _configure(self) -> None:
        """What the model derives from the configuration: which desks serve what, the estimator's priors."""
        cfg = self.ctx.config
        self.topology = topology_of(self.ctx)
        self.priors = Priors({s.key: float(s.service_time_s) for s in cfg.services}, cfg.priority_ratio)
        self.desk_services = {d.key: d.services for d in self.topology.desks}
        self.forecasts_cache = Forecasts(self.topology, self.priors)
        #: service -> the services linked to it by desks (a change in one can move the others' waits)
        self.group_of = self.forecasts_cache.group_of

    # -- consumers ---------------------------------------------------------------------------------------------
    def subscribe(self, consumer: Notifier) -> None:
        """Hand ``consumer`` every applied change from now on, in sequence order, exactly once."""
        with self._lock:
            self._consumers.append(consumer)

    def on_local_commit(self, fn: Callable[[Mapping[str, Any]], None]) -> None:
        """``fn(record)`` after each change *this* process commits (counters that must not count a change once per
        process, like the metrics)."""
        self._local.append(fn)

    def on_config(self, fn: Callable[[VuoroConfig], None]) -> None:
        """``fn(config)`` after this process takes up a newer configuration: what holds a part of it past the
        request (the printing port's printers, the metrics' labels) follows without a restart."""
        self._config_listeners.append(fn)

    # -- the model ---------------------------------------------------------------------------------------------
    @property
    def model(self) -> QueueModel:
        """Today's model, rebuilt first when there is none yet or the business day changed."""
        with self._lock:
            today = self.ctx.today().isoformat()
            if self._model is None or self._model.day != today:
                self.rebuild("new day" if self._model is not None else "start", notify=self._model is not None)
            assert self._model is not None
            return self._model

    def rebuild(self, reason: str, *, notify: bool = True) -> None:
        """Replace the model with one read from the database; consumers resync their clients."""
        with self._lock:
            self._load_config()  # a rebuild may skip the record that announced a newer one
            self._model = load_model(self.ctx.db, self.topology, self.ctx.today(), self.ctx.config.centre.tz)
            self.rebuilds += 1
            self._pending = {s: r for s, r in self._pending.items() if s > self._model.seq}
            self._gap_since = None
            self.forecasts_cache.clear()
            log.info("live model rebuilt (%s) at change %d", reason, self._model.seq)
            if notify:
                for consumer in self._consumers:
                    if isinstance(consumer, Resyncing):
                        self._safely(consumer.resync, reason)
            self._drain()

    # -- changes in --------------------------------------------------------------------------------------------
    def committed(self, record: Mapping[str, Any]) -> None:
        """A record this process just committed: apply it (and everything before it), then publish it."""
        seq = int(record["seq"])
        with self._lock:
            self._offer(record)
            if not self._applied.wait_for(lambda: self.model.seq >= seq, timeout=REORDER_S):
                # Every change before ours committed before ours could take its number (the sequence row was
                # locked until then): what has not reached us yet is in the outbox.  Not a lost message.
                self._read_outbox(upto=seq)
        if self.feed is not None:
            self.feed.publish(record)
        for fn in self._local:
            self._safely(fn, record)

    def catch_up(self) -> None:
        """Apply every change the outbox holds beyond the model's, now (not at the next tick's once a second)."""
        self._read_outbox()

    def _read_outbox(self, upto: int | None = None) -> None:
        with self._lock:
            after = self.model.seq
            with self.ctx.db.reader() as session:
                records = read_since(session, after, upto)
            for record in records:
                self._offer(record)

    def offer(self, record: Mapping[str, Any]) -> None:
        """A record from the change feed (another process's, or our own coming back: applied once)."""
        with self._lock:
            self._offer(record)

    def _offer(self, record: Mapping[str, Any]) -> None:
        seq = int(record["seq"])
        if seq <= self.model.seq:
            return
        self._pending[seq] = record
        self._drain()
        if self._pending and self._gap_since is None:
            self._gap_since = time.monotonic()

    def _drain(self) -> None:
        model = self._model
        assert model is not None
        while model.seq + 1 in self._pending:
            self._apply(model, self._pending.pop(model.seq + 1))
        if not self._pending:
            self._gap_since = None
        self._applied.notify_all()
        if self._reconfigure_to is not None:
            version, self._reconfigure_to = self._reconfigure_to, None
            self._reconfigure(version)

    def _reconfigure(self, version: int) -> None:
        """A committed change stored a newer configuration: rebuild the model on it, which loads it (consumers
        resync: every screen gets a snapshot with the new names, hours and desks)."""
        if version > self.config_version:
            self.rebuild(f"configuration {version}")

    def _load_config(self) -> None:
        """Take up the stored configuration if it is newer than the one this process holds."""
        try:
            stored, document = centre_config.current(self.ctx.db)
            if stored <= self.config_version:
                return
            config = centre_config.with_document(self.ctx.config, document)
        except ConfigError as exc:  # validated when stored: only a release that changed the rules gets here
            log.error("the stored configuration does not load (%s); keeping version %d", exc, self.config_version)
            return
        self.ctx.config = config
        self.config_version = stored
        self._configure()
        for fn in self._config_listeners:
            self._safely(fn, config)
        log.info("configuration %d taken up", stored)

    def _apply(self, model: QueueModel, record: Mapping[str, Any]) -> None:
        if int(record.get("config") or 0) > self.config_version:
            self._reconfigure_to = max(int(record["config"]), self._reconfigure_to or 0)
        changes = changes_of(record, self.desk_services)
        self.forecasts_cache.invalidate(model, record)
        model.apply(record)
        for consumer in self._consumers:
            self._safely(consumer.publish, changes)
            if record.get("revoked") and isinstance(consumer, Revoking):
                self._safely(consumer.revoke, record["revoked"])

    def tick(self) -> None:
        """Periodic care: a new day, a gap that did not close, changes that came without a message."""
        with self._lock:
            model = self.model
            if self._gap_since is not None and time.monotonic() - self._gap_since > GRACE_S:
                self.rebuild(f"gap after change {model.seq}")
                return
            if self._pending or time.monotonic() - self._polled < POLL_S:
                return
            self._polled = time.monotonic()
            after = model.seq
        with self.ctx.db.reader() as session:
            if sequence_value(session, SEQUENCE) <= after:
                return
        self._read_outbox()

    @staticmethod
    def _safely(fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # a consumer's failure must not stop the model or the other consumers
            log.exception("could not push a committed change to %s", getattr(fn, "__self__", fn))

    # -- reads -------------------------------------------------------------------------------------------------
    def forecast(self, service: str) -> ServiceForecast:
        """``service``'s forecast now: from the cache, one bounded replay of its group after a change."""
        with self._lock:
            return self.forecasts_cache.get(self.model, service, us(self.ctx.now()))

    def forecasts(self) -> dict[str, ServiceForecast]:
        """Every service's forecast, under one hold of the lock (the dashboard and the summaries)."""
        with self._lock:
            return {key: self.forecast(key) for key in self.topology.services}

    def place(self, ticket: LiveTicket) -> tuple[int | None, int | None]:
        """(position, estimated wait) of a waiting ticket as the model has it; (None, None) otherwise."""
        with self._lock:
            model = self.model
            current = model.tickets.get(ticket.id)
            if current is None or current.status != "waiting":
                return None, None
            now = us(self.ctx.now())
            position = model.position(current, now)
            assert position is not None
            forecast = self.forecast(current.service)
            if current.due is not None:
                return position, forecast.appointment_wait(current.id, current.due, now)
            return position, forecast.wait_for(model.walk_in_rank(current), now)

    def estimate_for_new(self, service: str, priority: bool) -> int:
        """The wait a ticket issued now would be told: behind everyone (normal) or behind the priority ones."""
        with self._lock:
            model = self.model
            fc = self.forecast(service)
            ahead = model.queues[service].bisect_left((True,)) if priority else model.walk_ins_waiting(service)
            return fc.wait_for(int(ahead) + 1, us(self.ctx.now()))

    def candidates(self, services: Sequence[str], streak: int) -> list[int]:
        """The tickets call-next would try, best first, by the call-next policy (domain/policy.py): a due
        appointment, then one walk-in per class tried, then -- only when no walk-in waits -- an early appointment."""
        with self._lock:
            model = self.model
            now = us(self.ctx.now())
            due = model.first_appointment(services, due_by=now)
            out = [due.id] if due is not None else []
            for want in priority_order(streak, self.priors.priority_ratio):
                head = model.head(services, want)
                if head is not None:
                    out.append(head.id)
            early = model.first_appointment(services)
            if len(out) == 0 and early is not None:
                out.append(early.id)
            return out

    def find(self, token_hash: str) -> LiveTicket | None:
        """The active ticket behind a token's hash (a phone page), None if the model has none: O(1)."""
        with self._lock:
            return self.model.by_token_hash(token_hash)

    def ticket(self, ticket_id: int) -> LiveTicket | None:
        """Today's active ticket with ``ticket_id`` as the model has it, None once it ended: O(1)."""
        with self._lock:
            return self.model.tickets.get(ticket_id)

    def at_desk(self, desk_key: str) -> LiveTicket | None:
        """The ticket called or served at ``desk_key``, None when the desk has none: O(1)."""
        with self._lock:
            return self.model.at_desk(desk_key)

    def desk_status(self, desk_key: str) -> str:
        """``desk_key``'s status (open, paused, closed; closed for a desk the model lacks): O(1)."""
        with self._lock:
            desk = self.model.desks.get(desk_key)
            return desk.status if desk else "closed"

    def desk_statuses(self) -> dict[str, str]:
        """Every desk's status, by key: one pass over the desks, never the database."""
        with self._lock:
            return {key: d.status for key, d in self.model.desks.items()}

    def waiting_counts(self, services: Sequence[str] | None = None) -> dict[str, int]:
        """How many wait for each of ``services`` (default: all), appointments included: O(1) each."""
        with self._lock:
            model = self.model
            return {key: model.waiting_count(key) for key in (services or self.topology.services)}

    def oldest_waiting(self, service: str) -> int | None:
        """When the longest-waiting ticket of ``service`` joined (us): the first priority or the first normal."""
        with self._lock:
            queue = self.model.queues.get(service)
            if not queue:
                return None
            first_normal = int(queue.bisect_left((True,)))
            candidates = [queue[0][1]]
            if first_normal < len(queue):
                candidates.append(queue[first_normal][1])
            first: int = min(candidates)
            return first

    def recent_calls(self, zone: str) -> list[RecentCall]:
        """The zone's recent calls, newest first (a board that (re)connects shows them): O(1)."""
        with self._lock:
            return self.model.recent_calls(zone)

    def state(self) -> dict[str, Any]:
        """The model as plain data (tests compare it with a model rebuilt from the database)."""
        with self._lock:
            return self.model.state()

    @property
    def seq(self) -> int:
        """The last change applied: what a cache keyed on the model's state (overview.py) checks."""
        with self._lock:
            return self.model.seq

    def locked(self) -> threading.RLock:
        """The model's lock: hold it to read several things that must describe the same change."""
        return self._lock


def install(ctx: Context, consumers: Sequence[Notifier] = (), config_version: int = 0) -> LiveQueues:
    """Make this process's live queues, subscribe ``consumers``, and put them on ``ctx`` for every use case."""
    live = LiveQueues(ctx, config_version)
    for consumer in consumers:
        live.subscribe(consumer)
    ctx.live = live
    return live
