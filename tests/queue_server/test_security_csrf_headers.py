"""CSRF on every cookie-authenticated unsafe request, secure session cookies and security headers.

These tests build their own app with CSRF ON (the shared fixtures turn it off).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.models import Ticket, TicketEvent
from queue_server.services.accounts import add_user, create_token
from queue_server.services.tickets import issue_ticket
from tests.conftest import BASE_CONFIG, FakeClock

CLERK = ("clerk1", "clerk-password-1")
ADMIN = ("admin1", "admin-password-1")
META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(**changes: Any) -> Flask:
        data = copy.deepcopy(BASE_CONFIG)
        data.update(database_url=f"sqlite:///{tmp_path / f'vuoro{len(apps)}.db'}", **changes)
        app = create_app(data)
        app.config["TESTING"] = True
        assert app.config.get("WTF_CSRF_ENABLED", True), "CSRF must be on in these tests"
        ctx = app.extensions["vuoro"]
        ctx.clock = FakeClock()
        add_user(ctx.db, *CLERK, "clerk")
        add_user(ctx.db, *ADMIN, "admin")
        apps.append(app)
        return app

    yield make
    for app in apps:
        shutdown(app)


def csrf_from(client: FlaskClient, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    match = META.search(resp.get_data(as_text=True))
    assert match and match.group(1), f"no csrf-token meta on {path}"
    return match.group(1)


def login(client: FlaskClient, user: tuple[str, str] = CLERK) -> None:
    token = csrf_from(client, "/login")
    resp = client.post("/login", data={"username": user[0], "password": user[1], "csrf_token": token})
    assert resp.status_code == 303, resp.status_code


def counts(app: Flask) -> tuple[int, int, tuple[str, ...]]:
    with app.extensions["vuoro"].db.reader() as s:
        tickets = s.scalar(sa.select(sa.func.count()).select_from(Ticket))
        events = s.scalar(sa.select(sa.func.count()).select_from(TicketEvent))
        statuses = tuple(s.scalars(sa.select(Ticket.status).order_by(Ticket.id)))
    return tickets, events, statuses  # type: ignore[return-value]


def test_a_clerk_session_post_without_the_csrf_token_is_refused_and_changes_nothing(
    build: Callable[..., Flask],
) -> None:
    app = build()
    issue_ticket(app.extensions["vuoro"], services=["kela"], language="fi", priority=False)
    client = app.test_client()
    login(client)
    before = counts(app)
    resp = client.post("/api/desks/d1/next")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    resp = client.post("/api/desks/d1/next", headers={"X-CSRFToken": "forged"})
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    assert counts(app) == before

    token = csrf_from(client, "/desk")
    resp = client.post("/api/desks/d1/next", headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.json
    assert resp.json["ticket"]["number"] == "K001"
    assert counts(app) != before


def test_another_sessions_csrf_token_does_not_work(build: Callable[..., Flask]) -> None:
    app = build()
    attacker, victim = app.test_client(), app.test_client()
    login(attacker)
    login(victim)
    stolen = csrf_from(attacker, "/desk")
    resp = victim.post("/api/desks/d1/status", json={"status": "paused"}, headers={"X-CSRFToken": stolen})
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"


def test_login_with_the_session_cookie_but_without_its_token_is_refused(build: Callable[..., Flask]) -> None:
    app = build()
    client = app.test_client()
    client.get("/login")  # the page sets the session cookie that holds the CSRF secret
    resp = client.post("/login", data={"username": CLERK[0], "password": CLERK[1]})
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    resp = client.post("/api/session", json={"username": CLERK[0], "password": CLERK[1]})
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    assert client.get("/api/session").status_code == 401  # not logged in


def test_a_request_without_the_cookie_has_nothing_to_forge_and_is_judged_on_its_own(
    build: Callable[..., Flask],
) -> None:
    client = build().test_client()
    # no credentials: 401, not csrf_failed; a wrong method: 405; logging out nobody: 204 as documented
    assert client.post("/api/desks/d1/next").status_code == 401
    assert client.put("/api/session", json={}).status_code == 405
    assert client.delete("/api/session").status_code == 204
    assert client.post("/api/session", json={"username": CLERK[0], "password": "wrong"}).status_code == 401
    assert client.post("/api/session", json={"username": CLERK[0], "password": CLERK[1]}).status_code == 200


def test_another_site_cannot_log_a_browser_in_even_without_the_cookie(build: Callable[..., Flask]) -> None:
    client = build().test_client()
    resp = client.post(
        "/login", data={"username": CLERK[0], "password": CLERK[1]}, headers={"Origin": "https://evil.example"}
    )
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    resp = client.post(
        "/api/session", json={"username": CLERK[0], "password": CLERK[1]}, headers={"Origin": "https://evil.example"}
    )
    assert resp.status_code == 400 and client.get("/api/session").status_code == 401
    resp = client.post(
        "/api/session", json={"username": CLERK[0], "password": CLERK[1]}, headers={"Origin": "http://localhost"}
    )  # the test client's own origin
    assert resp.status_code == 200


def test_logout_needs_the_token(build: Callable[..., Flask]) -> None:
    app = build()
    client = app.test_client()
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/api/session").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": csrf_from(client, "/desk")}).status_code == 303
    assert client.get("/api/session").status_code == 401


def test_bearer_requests_and_the_visitors_token_endpoints_need_no_csrf_token(build: Callable[..., Flask]) -> None:
    app = build()
    ctx = app.extensions["vuoro"]
    kiosk = {"Authorization": f"Bearer {create_token(ctx.db, 'kiosk', 'k1')}"}
    desk = {"Authorization": f"Bearer {create_token(ctx.db, 'desk', 'desk-device')}"}
    client = app.test_client()
    issued = client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    assert issued.status_code == 201
    assert client.post("/api/desks/d1/next", headers=desk).status_code == 200
    other = client.post("/api/tickets", json={"services": ["library"]}, headers=kiosk).json["ticket"]["token"]
    assert client.delete(f"/api/tickets/{other}").status_code == 200


@pytest.mark.parametrize(("public_url", "secure"), [("http://vuoro.test", False), ("https://vuoro.example", True)])
def test_session_cookie_is_httponly_samesite_lax_and_secure_behind_https(
    build: Callable[..., Flask], public_url: str, secure: bool
) -> None:
    app = build(public_url=public_url)
    client = app.test_client()
    token = csrf_from(client, "/login")
    resp = client.post("/login", data={"username": CLERK[0], "password": CLERK[1], "csrf_token": token})
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, resp.headers
    flags = [p.strip().lower() for p in cookies[-1].split(";")]
    assert "httponly" in flags and "samesite=lax" in flags
    assert ("secure" in flags) is secure


def _assert_security_headers(path: str, resp: Any) -> None:
    csp = resp.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("script-src") == "script-src 'self'", (path, csp)
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", (path, csp)
    assert directives.get("object-src") == "object-src 'none'", (path, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (path, csp)
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
    assert resp.headers.get("Referrer-Policy") == "no-referrer", path
    assert resp.headers.get("X-Frame-Options") == "DENY", path


def test_every_page_and_api_answer_carries_the_security_headers_and_pages_have_no_inline_script(
    build: Callable[..., Flask],
) -> None:
    app = build()
    ctx = app.extensions["vuoro"]
    token = issue_ticket(ctx, services=["kela"], language="fi", priority=False).view.token
    anon, admin = app.test_client(), app.test_client()
    login(admin, ADMIN)
    pages = ["/", "/login", "/kiosk/k1", "/board/z1", f"/t/{token}", "/desk", "/admin", "/t/nope"]
    api = [
        "/api/services",
        "/api/openapi.json",
        f"/api/tickets/{token}",
        "/api/nope",
        "/api/desks",
        "/healthz",
        f"/t/{token}/qr.svg",
    ]
    for path in pages + api:
        client = admin if path in ("/desk", "/admin") else anon
        resp = client.get(path)
        assert resp.status_code in (200, 401, 404), (path, resp.status_code)
        _assert_security_headers(path, resp)
        if path in pages and resp.mimetype == "text/html":
            html = resp.get_data(as_text=True)
            for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
                assert " src=" in tag, (path, tag)  # no inline scripts: CSP would block them anyway
            assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), path  # no inline event handlers
        if path.startswith(("/api/", "/t/")):
            assert resp.headers.get("Cache-Control") == "no-store", path
