"""The edge of the API: JSON that does not parse, however deep, and text with control characters are a 400 on
every route and every database, before any handler or query runs (a NUL byte was a 500 on PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.services.accounts import add_user, create_token
from queue_server.services.tickets import issue_ticket
from tests.queue_server.helpers import assert_error

DEEP = '{"services": ' + "[" * 1000 + "]" * 1000 + "}"


@pytest.fixture
def edge_app(any_db_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(any_db_config)
    app.config["TESTING"] = True
    yield app
    shutdown(app)


@pytest.fixture
def edge(edge_app: Flask) -> tuple[FlaskClient, dict[str, str], str]:
    ctx = edge_app.extensions["vuoro"]
    add_user(ctx.db, "clerk1", "clerk-password-1", "clerk")
    token = issue_ticket(ctx, services=["kela"], language="fi", priority=False).view.token
    return edge_app.test_client(), {"Authorization": f"Bearer {create_token(ctx.db, 'admin', 'edge')}"}, token


def json_routes(token: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/tickets"),
        ("POST", "/api/session"),
        ("POST", "/api/desks/d1/call"),
        ("POST", "/api/desks/d1/transfer"),
        ("POST", "/api/desks/d1/status"),
        ("POST", f"/api/tickets/{token}/feedback"),
    ]


def test_json_nested_a_thousand_deep_is_invalid_json_everywhere_and_logs_nothing(
    edge: tuple[FlaskClient, dict[str, str], str], caplog: pytest.LogCaptureFixture
) -> None:
    client, auth, token = edge
    with caplog.at_level(logging.WARNING):
        for method, path in json_routes(token):
            resp = client.open(path, method=method, data=DEEP, headers={**auth, "Content-Type": "application/json"})
            assert_error(resp, 400, "invalid_json")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a traceback per request: log flooding"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "\x7f", "line\nbreak", "\ud800"])
def test_a_control_character_in_any_text_is_refused_before_the_database(
    edge: tuple[FlaskClient, dict[str, str], str], bad: str
) -> None:
    client, auth, token = edge
    assert_error(client.post("/api/session", json={"username": bad, "password": "x"}), 400, "invalid_text")
    assert_error(client.post("/api/session", json={"username": "clerk1", "password": bad}), 400, "invalid_text")
    assert_error(
        client.post("/api/tickets", json={"services": ["kela"], "kiosk": bad}, headers=auth), 400, "invalid_text"
    )
    if bad == "\ud800":
        return  # a URL or a form carries bytes: no lone surrogate can arrive in one (only JSON can say "\ud800")
    # the log-in form, the query and the path too
    assert client.post("/login", data={"username": bad, "password": "x"}).status_code == 400
    assert_error(client.get("/api/stats", query_string={"service": bad}, headers=auth), 400, "invalid_text")
    assert_error(client.get("/api/services", query_string={"language": bad}), 400, "invalid_text")
    assert_error(client.get(f"/api/tickets/{token}{quote(bad)}"), 400, "invalid_text")
    # and a clean log-in still works on the same database
    assert client.post("/api/session", json={"username": "clerk1", "password": "clerk-password-1"}).status_code == 200


def test_valid_json_of_the_wrong_shape_is_the_models_to_refuse(edge: tuple[FlaskClient, dict[str, str], str]) -> None:
    client, auth, _ = edge
    for body in ("[]", "1", '"x"', "null"):
        resp = client.post("/api/tickets", data=body, headers={**auth, "Content-Type": "application/json"})
        assert_error(resp, 400, "invalid_request")
    resp = client.post("/api/tickets", data='{"services": ["kela"]}', headers={**auth, "Content-Type": "text/plain"})
    assert_error(resp, 400, "invalid_json")
