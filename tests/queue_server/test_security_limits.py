"""Abuse limits (flask-limiter, the ``limits:`` config section): a limited request gets 429 with a clear JSON
message and writes nothing; ``limits: {enabled: false}`` turns them all off.

These tests build their own app with the limits ON (the shared fixtures turn them off).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.extensions import limiter
from queue_server.models import Counter, Feedback, Ticket, TicketEvent
from queue_server.services.accounts import add_user, create_token
from tests.conftest import BASE_CONFIG, FakeClock

CLERK = ("clerk1", "clerk-password-1")


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(limits: dict[str, Any]) -> Flask:
        data = copy.deepcopy(BASE_CONFIG)
        data.update(database_url=f"sqlite:///{tmp_path / f'vuoro{len(apps)}.db'}", limits=limits)
        app = create_app(data)
        app.config["TESTING"] = True
        app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; here only the limits count
        app.extensions["vuoro"].clock = FakeClock()
        add_user(app.extensions["vuoro"].db, *CLERK, "clerk")
        limiter.reset()  # the limiter's memory storage is process-wide: start every test from zero
        apps.append(app)
        return app

    yield make
    for app in apps:
        shutdown(app)
    limiter.reset()


def bearer(app: Flask, role: str, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(app.extensions['vuoro'].db, role, name)}"}


def written(app: Flask) -> tuple[Any, ...]:
    """Everything a refused request could have half-written: tickets, events, counters, feedback."""
    with app.extensions["vuoro"].db.reader() as s:
        return (
            tuple(s.execute(sa.select(Ticket.number, Ticket.status).order_by(Ticket.id)).all()),
            s.scalar(sa.select(sa.func.count()).select_from(TicketEvent)),
            tuple(s.execute(sa.select(Counter.scope, Counter.value).order_by(Counter.scope)).all()),
            s.scalar(sa.select(sa.func.count()).select_from(Feedback)),
        )


def assert_limited(resp: Any) -> None:
    assert resp.status_code == 429, (resp.status_code, resp.get_data(as_text=True)[:200])
    error = resp.json["error"]
    assert error["code"] == "rate_limited"
    assert "too many requests" in error["message"]
    assert int(resp.headers["Retry-After"]) > 0


def issue(client: FlaskClient, auth: dict[str, str], kiosk: str) -> Any:
    return client.post("/api/tickets", json={"services": ["kela"], "kiosk": kiosk}, headers=auth)


def test_ticket_issuing_is_limited_per_kiosk_and_per_client_and_a_refusal_writes_nothing(
    build: Callable[..., Flask],
) -> None:
    app = build({"issue_per_kiosk": "3/minute", "issue_per_client": "5/minute"})
    k1, k2 = bearer(app, "kiosk", "k1"), bearer(app, "kiosk", "k2")
    client = app.test_client()
    for _ in range(3):
        assert issue(client, k1, "k1").status_code == 201
    before = written(app)
    assert_limited(issue(client, k1, "k1"))  # the kiosk's own limit
    assert written(app) == before
    for _ in range(2):
        assert issue(client, k2, "k2").status_code == 201  # another kiosk has its own budget...
    before = written(app)
    assert_limited(issue(client, k2, "k2"))  # ...but the address has spent its five
    assert written(app) == before
    assert len(before[0]) == 5


def test_phone_endpoints_are_limited_per_ticket_token(build: Callable[..., Flask]) -> None:
    app = build({"ticket_per_token": "4/minute"})
    kiosk = bearer(app, "kiosk", "k1")
    client = app.test_client()
    tokens = [issue(client, kiosk, "k1").json["ticket"]["token"] for _ in range(2)]
    hot, other = tokens
    for path in (f"/api/tickets/{hot}", f"/t/{hot}", f"/t/{hot}/qr.svg"):
        for _ in range(4):
            assert client.get(path).status_code == 200, path
        assert_limited(client.get(path))
    before = written(app)
    for _ in range(4):
        client.post(f"/api/tickets/{hot}/feedback", json={"rating": 5})
    assert_limited(client.post(f"/api/tickets/{hot}/feedback", json={"rating": 5}))
    for _ in range(4):
        client.get("/api/tickets/nope")  # another token's budget is not this one's
    statuses = []
    for _ in range(5):
        statuses.append(client.delete(f"/api/tickets/{hot}").status_code)
    assert statuses[-1] == 429
    assert written(app)[3] == before[3] == 0
    assert client.get(f"/api/tickets/{other}").status_code == 200  # another ticket is unaffected


def test_the_eleventh_login_in_a_minute_from_one_address_is_refused(build: Callable[..., Flask]) -> None:
    app = build({})  # the defaults: 10/minute;50/hour
    client = app.test_client()
    for _ in range(10):
        assert client.post("/api/session", json={"username": CLERK[0], "password": "wrong"}).status_code == 401
    resp = client.post("/api/session", json={"username": CLERK[0], "password": CLERK[1]})
    assert_limited(resp)  # even the right password: the address is throttled
    assert client.get("/api/session").status_code == 401
    # another address still gets in
    other = app.test_client()
    resp = other.post(
        "/api/session", json={"username": CLERK[0], "password": CLERK[1]}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert resp.status_code == 200


def test_the_login_form_and_the_api_share_one_login_budget(build: Callable[..., Flask]) -> None:
    app = build({"login": "4/minute"})
    client = app.test_client()
    for _ in range(2):
        assert client.post("/api/session", json={"username": "x", "password": "wrong"}).status_code == 401
    for _ in range(2):
        assert client.post("/login", data={"username": "x", "password": "wrong"}).status_code == 401
    assert client.post("/login", data={"username": "x", "password": "wrong"}).status_code == 429
    assert client.get("/login").status_code == 200  # only attempts count


def test_limits_enabled_false_turns_every_limit_off(build: Callable[..., Flask]) -> None:
    app = build(
        {
            "enabled": False,
            "issue_per_kiosk": "1/minute",
            "issue_per_client": "1/minute",
            "ticket_per_token": "1/minute",
            "login": "1/minute",
        }
    )
    kiosk = bearer(app, "kiosk", "k1")
    client = app.test_client()
    token = ""
    for _ in range(3):
        resp = issue(client, kiosk, "k1")
        assert resp.status_code == 201
        token = resp.json["ticket"]["token"]
        assert client.get(f"/api/tickets/{token}").status_code == 200
        assert client.post("/api/session", json={"username": "x", "password": "wrong"}).status_code == 401


def test_behind_a_proxy_each_visitor_address_has_its_own_issue_budget(
    make_app: Any, config_data: dict[str, Any]
) -> None:
    config_data["proxy_hops"] = 1
    config_data["limits"] = {"enabled": True, "issue_per_client": "2/minute", "issue_per_kiosk": "100/minute"}
    application = make_app(config_data)
    client = application.test_client()
    token = create_token(application.extensions["vuoro"].db, "admin", "script")
    headers = {"Authorization": f"Bearer {token}"}

    def issue(addr: str) -> int:
        return client.post(
            "/api/tickets", json={"services": ["kela"]}, headers={**headers, "X-Forwarded-For": addr}
        ).status_code

    assert [issue("198.51.100.1") for _ in range(3)] == [201, 201, 429]
    assert issue("198.51.100.2") == 201  # another visitor behind the same proxy is not punished
