"""``GET /metrics``: Prometheus metrics, one registry per app (tests build many apps in one process).

Where each number comes from:

- ``vuoro_tickets_issued_total{service}``, ``vuoro_calls_total{service}``, ``vuoro_recalls_total{service}`` and
  ``vuoro_ticket_events_total{event,service}`` are counted from the change records this process commits (the
  live model hands each one over after its commit: services/live.py), so a rolled-back transaction counts
  nothing and a change is counted once, by the process that made it.  They are per process, like every
  Prometheus counter: scrape each server process (its own port) and ``sum()`` them.
- The ``service`` label is the service's key, except for a sensitive service and the services sharing its prefix
  and waiting area: they count together under one label, their keys joined with ``+`` (``health+mental``).
- ``vuoro_waiting{service}`` is read from the live model at scrape time, which every process keeps equal to the
  database: aggregate it with ``max()``, not ``sum()``.  ``vuoro_live_seq`` and ``vuoro_live_rebuilds`` show
  how far each process's model is and how often it was rebuilt.
- ``vuoro_http_request_duration_seconds{method,rule}`` (histogram) and ``vuoro_http_responses_total{method,rule,
  status}`` are labelled with the URL *rule* (``/api/tickets/<token>``), never the raw path: paths hold visitors'
  tokens.  Socket.IO traffic never reaches Flask and is not in them.
- ``vuoro_socketio_connections`` counts this process's open Engine.IO connections (boards, desks, phones,
  kiosks), read at scrape time.
- ``vuoro_print_failures_total{printer}``: counted by :meth:`AppMetrics.print_failures_for`, one of the printing
  port's failure listeners (hooked up here when the app has printing).
- ``process_*`` (resident memory, CPU seconds, open files) from prometheus-client's process collector.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from .config import VuoroConfig
from .db import DatabaseUnavailable
from .domain.states import Action
from .extensions import socketio

log = logging.getLogger(__name__)
EXTENSION = "vuoro_metrics"
#: seconds: from a cached page (1 ms) to a slow PostgreSQL round trip under load
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "(no route)"


class AppMetrics:
    """The metrics of one app: its registry, its counters and the collectors that read state at scrape time."""

    def __init__(self, app: Flask) -> None:
        ctx = app.extensions["vuoro"]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.issued = Counter("vuoro_tickets_issued", "Tickets issued", ["service"], registry=r)
        self.calls = Counter(
            "vuoro_calls", "Tickets called to a desk (first calls; recalls apart)", ["service"], registry=r
        )
        self.recalls = Counter("vuoro_recalls", "Tickets called again to the same desk", ["service"], registry=r)
        self.events = Counter(
            "vuoro_ticket_events",
            "Ticket state changes by event type (the event log)",
            ["event", "service"],
            registry=r,
        )
        self.latency = Histogram(
            "vuoro_http_request_duration_seconds",
            "HTTP request latency by URL rule",
            ["method", "rule"],
            buckets=BUCKETS,
            registry=r,
        )
        self.responses = Counter(
            "vuoro_http_responses", "HTTP responses by URL rule and status", ["method", "rule", "status"], registry=r
        )
        self.print_failures = Counter(
            "vuoro_print_failures", "Tickets that did not come out of their printer", ["printer"], registry=r
        )
        # a sensitive service's figures go under its cover group's label ("health+mental"): /metrics is not
        # for the public (nginx denies it), but nor should it show who just took a mental-health ticket
        self.label: dict[str, str] = {}
        self.relabel(ctx.config)
        r.register(_StateCollector(app))
        ProcessCollector(registry=r)

    def relabel(self, config: VuoroConfig) -> None:
        """Take up a configuration: its cover labels, and a series at 0 for each new service and printer (a
        retired one keeps its series until the process restarts: counters never go backwards)."""
        self.label = config.public_label
        for label in set(self.label.values()):  # every series exists from the start, at 0
            self.issued.labels(label)
            self.calls.labels(label)
            self.recalls.labels(label)
        for p in config.printers:
            self.print_failures.labels(p.key)

    # -- counting committed ticket events -------------------------------------------------------------------
    def count_committed(self, rows: list[tuple[str, str]]) -> None:
        """Count a change record's (event type, service) rows; the live model hands them over after its commit."""
        for event_type, service in rows:
            label = self.label.get(service, service)
            self.events.labels(event_type, label).inc()
            if event_type == Action.ISSUE.value:
                self.issued.labels(label).inc()
            elif event_type == Action.CALL.value:
                self.calls.labels(label).inc()
            elif event_type == Action.RECALL.value:
                self.recalls.labels(label).inc()

    def print_failures_for(self, printer_key: str) -> None:
        """Count a ticket that did not come out of ``printer_key``: a failure listener of the printing port."""
        self.print_failures.labels(printer_key).inc()

    def exposition(self) -> bytes:
        """This app's registry in Prometheus's text format, the body of ``GET /metrics``."""
        return generate_latest(self.registry)


#: the Web Push worker's counts (realtime/push.py), as this process sent them
PUSH_EXTENSION = "vuoro_push"
PUSH_COUNTS = {
    "sent": "Web Push notifications the push service accepted",
    "failed": "Web Push notifications not delivered (refused, or still failing after the retries)",
    "expired": "Web Push subscriptions the push service said were gone (404, 410): deleted",
    "dropped": "Web Push notifications dropped because the send queue was full",
}


class _StateCollector(Collector):
    """Numbers read when Prometheus scrapes: waiting tickets per service, this process's open sockets."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.ctx = app.extensions["vuoro"]
        self.sio_server = socketio.server  # this app's: create_app binds Socket.IO before the extras

    def describe(self) -> Iterator[Metric]:
        # Without a database round trip while registering (auto_describe would otherwise call collect()).
        yield GaugeMetricFamily("vuoro_waiting", "Tickets waiting now, per service", labels=["service"])
        yield GaugeMetricFamily("vuoro_socketio_connections", "Open Socket.IO connections in this process")
        yield GaugeMetricFamily("vuoro_live_rebuilds", "Times this process rebuilt its live model from the database")
        yield GaugeMetricFamily("vuoro_live_seq", "The last change this process's live model applied")
        for what, help_text in PUSH_COUNTS.items():
            yield CounterMetricFamily(f"vuoro_push_{what}", help_text)

    def collect(self) -> Iterator[Metric]:
        waiting = GaugeMetricFamily("vuoro_waiting", "Tickets waiting now, per service", labels=["service"])
        live = self.ctx.live
        try:
            counts, seq = live.waiting_counts(), live.seq
        except (DatabaseUnavailable, SQLAlchemyError):  # the model needed a rebuild and the database is down
            log.warning("metrics: could not read the live model", exc_info=True)
            counts, seq = {}, 0
        by_label: dict[str, int] = {}
        for s in self.ctx.config.services:
            label = self.ctx.config.public_label[s.key]
            by_label[label] = by_label.get(label, 0) + counts.get(s.key, 0)
        for label, count in by_label.items():
            waiting.add_metric([label], count)
        yield waiting
        yield GaugeMetricFamily(
            "vuoro_live_rebuilds", "Times this process rebuilt its live model from the database", value=live.rebuilds
        )
        yield GaugeMetricFamily("vuoro_live_seq", "The last change this process's live model applied", value=seq)
        push = self.app.extensions.get(PUSH_EXTENSION)
        counts = push.counts if push is not None else {}
        for what, help_text in PUSH_COUNTS.items():
            yield CounterMetricFamily(f"vuoro_push_{what}", help_text, value=counts.get(what, 0))
        eio = getattr(self.sio_server, "eio", None)
        sockets = len(getattr(eio, "sockets", {}) or {})
        yield GaugeMetricFamily(
            "vuoro_socketio_connections", "Open Socket.IO connections in this process", value=sockets
        )


def init_app(app: Flask) -> None:
    """Create the app's registry, count its committed ticket events, time its requests and serve /metrics."""
    metrics = AppMetrics(app)
    app.extensions[EXTENSION] = metrics
    live = app.extensions["vuoro"].live
    live.on_local_commit(lambda record: metrics.count_committed([(e["type"], e["service"]) for e in record["events"]]))
    live.on_config(metrics.relabel)

    printing = app.extensions.get("vuoro_printers")
    if printing is not None and hasattr(printing, "failure_listeners"):
        printing.failure_listeners.append(metrics.print_failures_for)

    @app.before_request
    def _start_timer() -> None:
        g.vuoro_started = time.perf_counter()

    @app.after_request
    def _observe(resp: Response) -> Response:
        started = g.pop("vuoro_started", None)
        if started is not None:
            rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED
            metrics.latency.labels(request.method, rule).observe(time.perf_counter() - started)
            metrics.responses.labels(request.method, rule, str(resp.status_code)).inc()
        return resp

    def _metrics_view() -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    app.add_url_rule("/metrics", "metrics", _metrics_view, methods=["GET"])
