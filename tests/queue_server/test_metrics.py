"""``GET /metrics``: Prometheus text with the right numbers after a few API calls, one registry per app."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from queue_server import metrics
from queue_server.app import create_app, shutdown
from queue_server.domain.states import Action
from queue_server.services import centre_admin
from queue_server.services.context import Context
from queue_server.services.events import transition
from queue_server.services.outbox import writing
from queue_server.services.rows import one_ticket, select_tickets
from tests.conftest import BASE_CONFIG

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: FlaskClient) -> tuple[str, Samples]:
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.content_type.startswith("text/plain; version=")
    text = resp.get_data(as_text=True)
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    assert key in samples, f"{name}{labels} is not exposed"
    return samples[key]


def issue(client: FlaskClient, auth: dict[str, str], service: str) -> dict[str, Any]:
    resp = client.post("/api/tickets", json={"services": [service]}, headers=auth)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["ticket"]  # type: ignore[no-any-return]


def test_metrics_count_tickets_calls_waiting_and_requests_by_rule(
    client: FlaskClient, kiosk_auth: dict[str, str], desk_auth: dict[str, str]
) -> None:
    _, before = scrape(client)
    assert value(before, "vuoro_tickets_issued_total", service="kela") == 0
    assert value(before, "vuoro_waiting", service="kela") == 0
    assert value(before, "vuoro_print_failures_total", printer="fake") == 0

    first = issue(client, kiosk_auth, "kela")
    issue(client, kiosk_auth, "kela")
    issue(client, kiosk_auth, "library")
    assert client.post("/api/desks/d1/next", headers=desk_auth).status_code == 200
    assert client.post("/api/desks/d1/recall", headers=desk_auth).status_code == 200
    assert client.post("/api/desks/d1/finish", headers=desk_auth).status_code == 200
    assert client.get(f"/api/tickets/{first['token']}").status_code == 200
    assert client.get("/api/tickets/no-such-token-0123456789").status_code == 404

    text, after = scrape(client)
    assert value(after, "vuoro_tickets_issued_total", service="kela") == 2
    assert value(after, "vuoro_tickets_issued_total", service="library") == 1
    assert value(after, "vuoro_tickets_issued_total", service="health+mental") == 0  # sensitive: merged
    assert value(after, "vuoro_calls_total", service="kela") == 1
    assert value(after, "vuoro_recalls_total", service="kela") == 1
    assert value(after, "vuoro_ticket_events_total", event="finished", service="kela") == 1
    # waiting per service comes from the database: one kela ticket was served, one still waits
    assert value(after, "vuoro_waiting", service="kela") == 1
    assert value(after, "vuoro_waiting", service="library") == 1
    assert value(after, "vuoro_waiting", service="health+mental") == 0
    assert 'service="mental"' not in text and 'service="health"' not in text, "no sensitive series of its own"

    # latency by URL rule, never by path: the visitor's token must not appear anywhere in the exposition
    assert value(after, "vuoro_http_request_duration_seconds_count", method="POST", rule="/api/tickets") == 3
    assert value(after, "vuoro_http_request_duration_seconds_count", method="GET", rule="/api/tickets/<token>") == 2
    assert (
        value(after, "vuoro_http_request_duration_seconds_bucket", method="POST", rule="/api/tickets", le="+Inf") == 3
    )
    assert value(after, "vuoro_http_responses_total", method="POST", rule="/api/tickets", status="201") == 3
    assert value(after, "vuoro_http_responses_total", method="GET", rule="/api/tickets/<token>", status="404") == 1
    assert value(after, "vuoro_http_responses_total", method="POST", rule="/api/desks/<key>/next", status="200") == 1
    assert first["token"] not in text and "no-such-token" not in text
    assert value(after, "vuoro_socketio_connections") == 0
    assert value(after, "process_resident_memory_bytes") > 10_000_000


def test_unmatched_paths_share_one_label(client: FlaskClient) -> None:
    for path in ("/nothing/here/abc", "/t-x/secret-looking-thing"):
        assert client.get(path).status_code == 404
    text, samples = scrape(client)
    assert value(samples, "vuoro_http_responses_total", method="GET", rule=metrics.UNMATCHED, status="404") == 2
    assert "secret-looking-thing" not in text


def test_print_failures_counted_per_printer(app: Flask, client: FlaskClient) -> None:
    listeners = app.extensions["vuoro_printers"].failure_listeners  # what the printing port calls on a failure
    assert listeners, "metrics hooked up to the printing port"
    for key in ("fake", "fake", "p-unknown"):
        for listener in listeners:
            listener(key)
    _, samples = scrape(client)
    assert value(samples, "vuoro_print_failures_total", printer="fake") == 2
    assert value(samples, "vuoro_print_failures_total", printer="p-unknown") == 1


def test_failed_print_from_the_printing_port_is_counted(app: Flask, client: FlaskClient) -> None:
    printing = app.extensions.get("vuoro_printers")
    if printing is None:
        pytest.skip("this app has no printing port")
    for listener in printing.failure_listeners:  # what the spooler does when a print fails
        listener("fake")
    _, samples = scrape(client)
    assert value(samples, "vuoro_print_failures_total", printer="fake") == 1


def test_rolled_back_events_are_not_counted(ctx: Context, client: FlaskClient, kiosk_auth: dict[str, str]) -> None:
    issue(client, kiosk_auth, "kela")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), writing(ctx) as session:
        ticket = one_ticket(session, select_tickets(), {})
        assert ticket is not None
        transition(session, ticket, Action.CANCEL, at=ctx.now(), actor="visitor")
        raise Boom
    _, samples = scrape(client)
    assert value(samples, "vuoro_tickets_issued_total", service="kela") == 1
    assert ("vuoro_ticket_events_total", (("event", "cancelled"), ("service", "kela"))) not in samples
    assert value(samples, "vuoro_waiting", service="kela") == 1


def test_each_app_has_its_own_registry(
    app: Flask, client: FlaskClient, kiosk_auth: dict[str, str], tmp_path: Path
) -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["database_url"] = f"sqlite:///{tmp_path / 'other.db'}"
    other = create_app(data)
    try:
        issue(client, kiosk_auth, "kela")
        _, mine = scrape(client)
        _, theirs = scrape(other.test_client())
        assert value(mine, "vuoro_tickets_issued_total", service="kela") == 1
        assert value(theirs, "vuoro_tickets_issued_total", service="kela") == 0
        assert app.extensions[metrics.EXTENSION] is not other.extensions[metrics.EXTENSION]
    finally:
        shutdown(other)


def test_a_service_created_in_the_live_configuration_is_counted_under_its_own_label(
    ctx: Context, client: FlaskClient, kiosk_auth: dict[str, str]
) -> None:
    """The metrics follow the live configuration: a new service's series exists at 0 and counts its tickets."""
    centre_admin.create_service(
        ctx, {"key": "passport", "prefix": "R", "name": {"fi": "Passit", "sv": "Pass", "en": "Passports"}}, actor="test"
    )
    _, samples = scrape(client)
    assert value(samples, "vuoro_tickets_issued_total", service="passport") == 0
    issue(client, kiosk_auth, "passport")
    _, samples = scrape(client)
    assert value(samples, "vuoro_tickets_issued_total", service="passport") == 1
