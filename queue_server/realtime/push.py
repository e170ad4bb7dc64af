"""Web Push, the sending side: which subscribed tickets have earned a notification, and posting it in the
background (docs/realtime.md, "Wait away").

Nothing here runs in a request.  After each change this process commits, the live model hands the record to
:meth:`PushWorker.committed`, which only queues it; the worker's thread then claims the calls' notifications
and looks at the front of each queue the change touched for tickets now near their turn; every ``SCAN_S`` it
looks at every queue, since an estimate falls with time alone.  Claims are made in the database
(services/push.py), so a notification goes once whichever process notices first.  Sender threads post through
pywebpush with a time limit and a few retries, from a bounded queue: a slow or dead push service delays only
its own notifications, and when the queue is full a notification is dropped and counted, never waited for.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from pywebpush import WebPushException, webpush

from ..domain import push as dp
from ..domain.queue_model import LiveTicket
from ..services import push as sp
from ..services.context import Context

log = logging.getLogger(__name__)
#: how often every queue is looked at (estimates fall with time, without any change)
SCAN_S = 15.0
#: how far into a queue "almost" is looked for: past its position and wait thresholds nobody is near
SCAN_DEPTH = 50
#: how long the queues a change touched wait for their scan: the changes of a busy second share one scan (a
#: scan reads the places of up to SCAN_DEPTH tickets and asks the database), instead of one scan per change
#: costing every Next and Finish its share whether or not anybody subscribed
NOTICE_S = 1.0
#: waits between tries of a post that failed for a reason that may pass (a timeout, 429, 5xx)
BACKOFF_S = (1.0, 4.0, 15.0, 30.0, 60.0)
#: the push service forgot the subscription: it will never deliver to it again
GONE = frozenset({404, 410})
_CALLS = frozenset({"called", "recalled"})


@dataclass(frozen=True)
class Job:
    """One notification to post: the subscription, the message, and how many tries came before."""

    subscription: sp.Subscription
    message: dp.Message
    attempt: int = 0


class PushWorker:
    """One per app: a thread deciding what to notify and ``push.senders`` threads posting it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        cfg = ctx.config.push
        self.records: queue.Queue[Mapping[str, Any] | None] = queue.Queue(maxsize=cfg.queue_size)
        self.jobs: queue.Queue[Job | None] = queue.Queue(maxsize=cfg.queue_size)
        self.counts = {"sent": 0, "failed": 0, "expired": 0, "dropped": 0}
        self._counts_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- life ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """The deciding thread now; the senders at the first notification (most processes of a test suite,
        and a centre where nobody subscribes, never need them)."""
        self._start(threading.Thread(target=self._decide, name="vuoro-push", daemon=True))

    def _start(self, thread: threading.Thread) -> None:
        self._threads.append(thread)
        thread.start()

    def _senders(self) -> None:
        with self._counts_lock:
            if len(self._threads) > 1 or self._stop.is_set():
                return
            for i in range(self.ctx.config.push.senders):
                self._start(threading.Thread(target=self._send, name=f"vuoro-push-send-{i}", daemon=True))

    def close(self, timeout: float = 5.0) -> None:
        """Stop the threads at shutdown: wake each and wait up to ``timeout`` for it; the queues are not drained."""
        self._stop.set()
        for q in (self.records, self.jobs):
            for _ in self._threads:
                try:
                    q.put_nowait(None)
                except queue.Full:
                    break
        for thread in self._threads:
            thread.join(timeout)

    def count(self, what: str) -> None:
        """Count one notification's fate (sent, failed, expired, dropped) for the metrics."""
        with self._counts_lock:
            self.counts[what] += 1

    # -- deciding ------------------------------------------------------------------------------------------
    def committed(self, record: Mapping[str, Any]) -> None:
        """A change this process committed (the live model's local-commit hook): queue it, never wait."""
        if not record.get("events"):
            return
        try:
            self.records.put_nowait(record)
        except queue.Full:  # the next scan still finds who is near; a lost call's notification is counted
            self.count("dropped")

    def _decide(self) -> None:
        next_scan = time.monotonic() + SCAN_S
        touched: set[str] = set()
        touched_scan = math.inf  # when the queues the changes touched are scanned
        while not self._stop.is_set():
            try:
                record = self.records.get(timeout=max(0.0, min(next_scan, touched_scan) - time.monotonic()))
            except queue.Empty:
                record = None
                if self._stop.is_set():
                    break
            try:
                if record is not None:
                    touched |= self.calls(record)
                    touched_scan = min(touched_scan, time.monotonic() + NOTICE_S)
                now = time.monotonic()
                if now >= touched_scan:
                    services, touched, touched_scan = touched, set(), math.inf
                    self.scan(services)
                if now >= next_scan:
                    next_scan = now + SCAN_S
                    self.scan(s.key for s in self.ctx.config.services)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the thread
                log.warning("push: could not decide what to notify", exc_info=True)

    def notice(self, record: Mapping[str, Any]) -> None:
        """A committed change at once: notify its calls, then look at the queues it touched."""
        self.scan(self.calls(record))

    def calls(self, record: Mapping[str, Any]) -> set[str]:
        """Notify the calls of a committed change (at once: a call is the notification that matters most), and
        answer the services it touched, whose queues may now hold somebody near their turn."""
        tickets = {int(row["id"]): row for row in record.get("tickets", ())}
        services: set[str] = set()
        for event in record.get("events", ()):
            services.add(event["service"])
            ticket = tickets.get(int(event["ticket"]))
            if ticket is not None:
                services.add(ticket["service"])
                if event["type"] in _CALLS:
                    self._called(ticket, event, int(record["seq"]))
        return services

    def _called(self, ticket: Mapping[str, Any], event: Mapping[str, Any], seq: int) -> None:
        claimed = sp.claim_called(self.ctx, int(ticket["id"]), seq, self.ctx.now())
        if claimed is not None:
            self.enqueue(
                Job(
                    claimed,
                    sp.called_message(
                        self.ctx.config, number=ticket["number"], desk=event.get("desk"), language=ticket["language"]
                    ),
                )
            )

    def scan(self, services: Iterable[str]) -> None:
        """Claim "almost" for the waiting tickets of ``services`` now near their turn."""
        near = self.near(services)
        if not near:
            return
        for claimed in sp.claim_almost(self.ctx, list(near), self.ctx.now()):
            ticket, position = near[claimed.ticket_id]
            self.enqueue(
                Job(
                    claimed,
                    sp.almost_message(
                        self.ctx.config,
                        number=ticket.number,
                        service=ticket.service,
                        language=ticket.language,
                        position=position,
                    ),
                )
            )

    def near(self, services: Iterable[str]) -> dict[int, tuple[LiveTicket, int]]:
        """Ticket id -> (ticket, position) of the waiting tickets at or within their service's thresholds."""
        live = self.ctx.live
        assert live is not None
        config = self.ctx.config
        out: dict[int, tuple[LiveTicket, int]] = {}
        with live.locked():
            model = live.model
            for key in set(services):
                service = config.service_map.get(key)
                if service is None:
                    continue
                waiting = [*model.appointments_in(key), *model.waiting_in(key, SCAN_DEPTH)]
                for ticket in waiting:
                    position, wait = live.place(ticket)
                    if dp.almost_due(
                        position, wait, at_position=service.notify_at_position, at_wait_s=service.notify_at_wait_s
                    ):
                        out[ticket.id] = (ticket, int(position or 0))
        return out

    # -- sending -------------------------------------------------------------------------------------------
    def enqueue(self, job: Job) -> None:
        """Queue a notification for the senders (started at the first); when full, drop and count it, never wait."""
        self._senders()
        try:
            self.jobs.put_nowait(job)
        except queue.Full:
            self.count("dropped")

    def _send(self) -> None:
        while not self._stop.is_set():
            job = self.jobs.get()
            if job is None:
                break
            try:
                self.post(job)
            except Exception:  # noqa: BLE001 - one bad post must not end the sender
                log.warning("push: a post failed unexpectedly", exc_info=True)
                self.count("failed")

    def post(self, job: Job) -> None:
        """Post one notification; retry what may pass, forget a subscription its push service dropped."""
        cfg = self.ctx.config.push
        vapid, _ = sp.keys(self.ctx)
        try:
            webpush(
                job.subscription.info(),
                json.dumps(job.message.payload(), ensure_ascii=False),
                vapid_private_key=vapid,
                vapid_claims={"sub": sp.contact(self.ctx.config)},
                timeout=cfg.timeout_s,
                ttl=cfg.ttl_s,
                headers={"Urgency": "high"},
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            self._failed(job, status)
            return
        except requests.RequestException:
            self._failed(job, None)
            return
        self.count("sent")

    def _failed(self, job: Job, status: int | None) -> None:
        if status in GONE:
            sp.forget(self.ctx, job.subscription.id)
            self.count("expired")
            return
        retry = status is None or status == 429 or status >= 500
        if retry and job.attempt < self.ctx.config.push.retries and not self._stop.is_set():
            delay = BACKOFF_S[min(job.attempt, len(BACKOFF_S) - 1)]
            timer = threading.Timer(delay, self.enqueue, (Job(job.subscription, job.message, job.attempt + 1),))
            timer.daemon = True
            timer.start()
            return
        log.info("push: a notification was not delivered (status %s)", status)
        self.count("failed")
