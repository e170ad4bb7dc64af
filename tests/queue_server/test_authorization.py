"""The authorization matrix (queue_server/authz_matrix.py) against the real app, role by role.

Every rule of the URL map and every Socket.IO handler must be in the matrix; every matrix entry is requested
as each role (anonymous, kiosk token, desk token, clerk session, admin session, admin token) with real path
parameters, and refused roles must get 401/403 (or the login redirect on pages) while allowed roles must not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server import authz_matrix as matrix
from queue_server.app import create_app, shutdown
from queue_server.extensions import socketio
from queue_server.services.accounts import add_user, create_token
from queue_server.services.tickets import issue_ticket
from tests.conftest import BASE_CONFIG, FakeClock

USERS = {
    "clerk": ("clerk1", "clerk-password-1"),
    "supervisor": ("super1", "super-password-1"),
    "admin": ("admin1", "admin-password-1"),
}
DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


@dataclass
class World:
    app: Flask
    tokens: dict[str, str]  # role -> bearer token
    cookies: dict[str, str]  # role -> session cookie
    params: dict[str, str]  # path parameter -> a real value

    def client(self, role: str) -> tuple[FlaskClient, dict[str, str]]:
        c = self.app.test_client()
        if role in self.cookies:
            c.set_cookie("session", self.cookies[role])
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}
        return c, headers


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = {**BASE_CONFIG, "database_url": f"sqlite:///{tmp_path_factory.mktemp('authz') / 'vuoro.db'}"}
    app = create_app(data)
    app.config["TESTING"] = True
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests (test_security_csrf.py)
    ctx = app.extensions["vuoro"]
    ctx.clock = FakeClock()
    for role, (name, password) in USERS.items():
        add_user(ctx.db, name, password, role)
    tokens = {
        "kiosk": create_token(ctx.db, "kiosk", "k1"),
        "desk": create_token(ctx.db, "desk", "desk-device"),
        "admin-token": create_token(ctx.db, "admin", "script"),
        "booking": create_token(ctx.db, "booking", "booking-system"),
    }
    cookies = {}
    for role, (name, password) in USERS.items():
        c = app.test_client()
        assert c.post("/api/session", json={"username": name, "password": password}).status_code == 200
        cookie = c.get_cookie("session")
        assert cookie is not None
        cookies[role] = cookie.value
    view = issue_ticket(ctx, services=["kela"], language="fi", priority=False).view
    params = {
        "token": view.token,
        "key": "d1",
        "kiosk": "k1",
        "zone": "z1",
        "day": "2026-12-24",
        "name": "nobody",
        "device_id": "999999",
        "code": "AAAAAA",
        "action": "disable",
        "int:device_id": "999999",
    }
    yield World(app, tokens, cookies, params)
    shutdown(app)


def _concrete(rule: str, params: dict[str, str]) -> str:
    for name, value in params.items():
        rule = rule.replace(f"<{name}>", value)
    assert "<" not in rule, rule
    return rule


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/login"): {"data": {"username": USERS["clerk"][0], "password": USERS["clerk"][1]}},
    ("POST", "/api/session"): {"json": {"username": USERS["clerk"][0], "password": USERS["clerk"][1]}},
    ("POST", "/api/tickets"): {"json": {"services": ["kela"], "kiosk": "k1"}},
    ("POST", "/api/tickets/<token>/feedback"): {"json": {"rating": 5}},
    ("POST", "/api/desks/<key>/transfer"): {"json": {"service": "kela"}},
    ("POST", "/api/desks/<key>/call"): {"json": {"number": "K999"}},
    ("POST", "/api/desks/<key>/undo-no-show"): {"json": {"number": "K999"}},
    ("POST", "/api/desks/<key>/status"): {"json": {"status": "open"}},
}


def _refused(entry: matrix.Entry, role: str, status: int, location: str) -> bool:
    if entry.rule.startswith("/api/"):
        return status in (401, 403)
    return status == 403 or (status == 302 and location.startswith("/login?next="))


def test_every_route_of_the_url_map_is_in_the_matrix_and_nothing_else(world: World) -> None:
    app = world.app
    seen = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in matrix.STATIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            seen.add((method, rule.rule))
    assert not seen - matrix.route_keys(), "routes missing from queue_server/authz_matrix.py"
    assert not matrix.route_keys() - seen, "matrix entries for routes that do not exist"
    statics = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.endswith("static")}
    assert statics == matrix.STATIC_ENDPOINTS


@pytest.mark.parametrize("entry", matrix.ROUTES, ids=lambda e: f"{e.method} {e.rule}")
def test_each_route_answers_exactly_the_roles_the_matrix_allows(world: World, entry: matrix.Entry) -> None:
    path = _concrete(entry.rule, world.params)
    for role in matrix.ROLES:
        client, headers = world.client(role)
        resp = client.open(path, method=entry.method, headers=headers, **BODIES.get((entry.method, entry.rule), {}))
        refused = _refused(entry, role, resp.status_code, resp.headers.get("Location", ""))
        assert resp.status_code < 500, (role, resp.status_code, resp.get_data(as_text=True)[:300])
        if role in entry.allowed:
            assert not refused, f"{role} was refused {entry.method} {entry.rule}: {resp.status_code}"
        else:
            assert refused, f"{role} was let through {entry.method} {entry.rule}: {resp.status_code}"
            if entry.rule.startswith("/api/"):
                assert resp.status_code == (401 if role == "anonymous" else 403), role


def test_every_socketio_handler_is_in_the_matrix(world: World) -> None:
    registered = {(ns, event) for ns, handlers in socketio.server.handlers.items() for event in handlers}
    assert registered == matrix.event_keys()


JOINS = {
    '{"board": zone}': {"board": "z1"},
    '{"desk": key}': {"desk": "d1"},
    '{"ticket": token}': "ticket",
    '{"kiosk": key}': {"kiosk": "k1"},
    '{"admin": true}': {"admin": True},
}


def _socket(world: World, role: str, namespace: str) -> Any:
    flask_client, _ = world.client(role)
    auth = {"token": world.tokens[role]} if role in world.tokens else None
    return socketio.test_client(world.app, namespace=namespace, auth=auth, flask_test_client=flask_client)


@pytest.mark.parametrize("event", matrix.EVENTS, ids=lambda e: f"{e.namespace} {e.event} {e.payload}")
def test_each_socket_event_answers_exactly_the_roles_the_matrix_allows(world: World, event: matrix.Event) -> None:
    ns = event.namespace
    for role in matrix.ROLES:
        sock = _socket(world, role, ns)
        try:
            assert sock.is_connected(ns), role  # every valid credential, and none, may connect
            if event.event == "join":
                payload = JOINS[event.payload]
                if payload == "ticket":
                    payload = {"ticket": world.params["token"]}
                ack = sock.emit("join", payload, callback=True, namespace=ns)
                if role in event.allowed:
                    assert ack == {"ok": True}, (role, ack)
                else:
                    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (role, ack)
                    assert not [p for p in sock.get_received(ns) if p["name"] == "snapshot"], role
            elif event.event == "leave":
                assert sock.emit("leave", {"board": "z1"}, callback=True, namespace=ns) == {"ok": True}
        finally:
            if sock.is_connected(ns):
                sock.disconnect(namespace=ns)


@pytest.mark.parametrize("namespace", ["/", "/admin"])
def test_a_wrong_socket_token_is_refused_at_connect(world: World, namespace: str) -> None:
    sock = socketio.test_client(world.app, namespace=namespace, auth={"token": "not-a-real-token"})
    assert not sock.is_connected(namespace)


def test_a_kiosk_token_speaks_only_for_its_own_kiosk(world: World) -> None:
    client, headers = world.client("kiosk")
    resp = client.post("/api/tickets", headers=headers, json={"services": ["kela"], "kiosk": "k2"})
    assert resp.status_code == 403
    sock = _socket(world, "kiosk", "/")
    try:
        ack = sock.emit("join", {"kiosk": "k2"}, callback=True)
        assert ack["error"]["code"] == "forbidden"
    finally:
        sock.disconnect()


def test_docs_security_md_shows_the_matrix_verbatim() -> None:
    assert matrix.markdown_table() in DOC.read_text(encoding="utf-8"), (
        "regenerate: python -c 'from queue_server.authz_matrix import markdown_table; print(markdown_table())'"
    )
