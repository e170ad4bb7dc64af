"""Errors: one JSON shape everywhere, the right 4xx for bad input, and never a 500 for anything a client sends."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.domain.text import bad_text
from queue_server.services import tickets as ticket_service
from tests.queue_server.helpers import Centre, assert_error

#: every endpoint that reads a JSON body, as (path, method)
BODY_ENDPOINTS = [
    ("/api/tickets", "POST"),
    ("/api/session", "POST"),
    ("/api/desks/d2/transfer", "POST"),
    ("/api/desks/d2/call", "POST"),
    ("/api/desks/d2/status", "POST"),
]
PATHS = [
    "/api/services",
    "/api/tickets",
    "/api/tickets/abc",
    "/api/desks",
    "/api/desks/d2",
    "/api/desks/d2/next",
    "/api/desks/d2/recall",
    "/api/desks/d2/start",
    "/api/desks/d2/finish",
    "/api/desks/d2/no-show",
    "/api/desks/d2/return",
    "/api/desks/d2/transfer",
    "/api/desks/d2/call",
    "/api/desks/d2/status",
    "/api/session",
    "/api/desks/no-such-desk/next",
    "/api/desks/%00/next",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
#: objects that look like real requests, with wrong values in the right places
near_miss = st.fixed_dictionaries(
    {},
    optional={
        "services": st.lists(
            st.sampled_from(["kela", "library", "health", "mental", "x", "", "KELA"]) | json_values, max_size=7
        ),
        "language": st.sampled_from(["fi", "sv", "en", "de", ""]) | json_values,
        "priority": st.booleans() | json_values,
        "kiosk": st.sampled_from(["k1", "k2", "k9"]) | json_values,
        "service": st.sampled_from(["kela", "library", "nope"]) | json_values,
        "number": st.sampled_from(["K001", "L001", "H002", "K999", "k1", "X1"]) | json_values,
        "status": st.sampled_from(["open", "paused", "closed", "lunch"]) | json_values,
        "username": st.text(max_size=70) | json_values,
        "password": st.text(max_size=20) | json_values,
    },
)


def test_an_unknown_api_route_is_a_json_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")


def test_a_wrong_method_is_a_json_405_with_allow(client: FlaskClient) -> None:
    resp = client.delete("/api/services")
    assert_error(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["Allow"]


def test_a_huge_body_is_a_json_413(client: FlaskClient, kiosk_auth: dict[str, str]) -> None:
    resp = client.post(
        "/api/tickets",
        data=b'{"services": ["' + b"k" * 100_000 + b'"]}',
        headers={**kiosk_auth, "Content-Type": "application/json"},
    )
    assert_error(resp, 413)


def test_an_error_without_an_opening_time_has_no_opens_at(centre: Centre) -> None:
    error = assert_error(centre.issue("nope", expect=404), 404)
    assert "opens_at" not in error


def test_an_unexpected_failure_is_a_json_500_that_does_not_log_the_token(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(ctx: Any, token: str) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ticket_service, "get_ticket", broken)
    secret = "visitor-secret-token-123456789"
    with caplog.at_level(logging.ERROR):
        resp = client.get(f"/api/tickets/{secret}")
    error = assert_error(resp, 500, "internal_error")
    assert "disk on fire" not in error["message"]
    assert any("/api/tickets/<token>" in r.getMessage() for r in caplog.records)
    assert not any(secret in r.getMessage() for r in caplog.records)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(BODY_ENDPOINTS), body=near_miss | json_values)
def test_no_json_body_ever_gives_a_500(
    client: FlaskClient, desk_auth: dict[str, str], kiosk_auth: dict[str, str], endpoint: tuple[str, str], body: Any
) -> None:
    path, method = endpoint
    headers = kiosk_auth if path == "/api/tickets" else desk_auth
    resp = client.open(path, method=method, json=body, headers=headers)
    assert resp.status_code < 500, (path, body, resp.get_data(as_text=True))
    if resp.status_code >= 400:
        assert_error(resp, resp.status_code)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    data=st.binary(max_size=64),
    content_type=st.sampled_from(["application/json", "text/plain", ""]),
)
def test_no_raw_request_gives_a_500(
    client: FlaskClient, desk_auth: dict[str, str], path: str, method: str, data: bytes, content_type: str
) -> None:
    headers = {**desk_auth, "Content-Type": content_type} if content_type else dict(desk_auth)
    resp = client.open(path, method=method, data=data, headers=headers)
    assert resp.status_code < 500, (method, path, data, resp.get_data(as_text=True))
    if resp.status_code >= 400:
        assert_error(resp, resp.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=80).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_no_path_parameter_gives_a_500(client: FlaskClient, desk_auth: dict[str, str], segment: str) -> None:
    from urllib.parse import quote

    quoted = quote(segment, safe="")
    for method, path in [
        ("GET", f"/api/tickets/{quoted}"),
        ("DELETE", f"/api/tickets/{quoted}"),
        ("GET", f"/api/desks/{quoted}"),
        ("POST", f"/api/desks/{quoted}/next"),
    ]:
        resp = client.open(path, method=method, headers=desk_auth)
        if bad_text(segment):  # refused at the edge, before any lookup
            assert_error(resp, 400, "invalid_text")
        else:
            assert_error(resp, 404)
