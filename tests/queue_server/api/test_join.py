"""``POST /api/join/<kiosk>``: a ticket from the QR poster on the visitor's own phone, without a token.  Every
answer is checked against the OpenAPI document; the rate limits (per address, per browser) with limits on.

The shared clock stands at Friday 2026-11-27 10:00 in Helsinki.
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
from queue_server.models import Counter, Ticket, TicketEvent
from queue_server.services.context import Context
from queue_server.web.security import JOIN_COOKIE
from tests.conftest import BASE_CONFIG, FakeClock
from tests.queue_server.helpers import TICKET_FIELDS, Api, OpenApi, assert_error, bearer, events, ticket
from tests.queue_server.services.test_remote import WEEKDAYS, remote_config


@pytest.fixture
def config_data(config_data: dict[str, Any]) -> dict[str, Any]:
    """Kela and the library by phone (the library three a day, at most four in all); health only at a kiosk."""
    data = remote_config(config_data)
    data["services"][1]["daily_limit"] = 4
    data["services"][2]["hours"] = dict.fromkeys(WEEKDAYS, "12:00-16:00")  # health: closed at 10:00
    data["services"][2]["remote"] = True
    data["kiosks"][0]["language"] = "sv"
    return data


def join(api: Api, *services: str, kiosk: str = "k1", expect: int = 201, **fields: Any) -> Any:
    resp = api.post(f"/api/join/{kiosk}", json={"services": list(services), **fields}, expect=expect)
    return resp.get_json()["ticket"] if expect == 201 else resp


def test_a_phone_gets_a_ticket_as_a_kiosk_would_without_a_token(api: Api, ctx: Context) -> None:
    got = join(api, "kela", "library", language="en")
    at_kiosk = api.post(
        "/api/tickets", json={"services": ["library"]}, headers=bearer(ctx, "kiosk", "k1"), expect=201
    ).get_json()["ticket"]
    assert set(got) == set(at_kiosk) >= TICKET_FIELDS  # the kiosk's answer, token and phone page included
    assert (got["number"], got["language"], got["pending_services"], got["priority"]) == (
        "K001",
        "en",
        ["library"],
        False,
    )
    assert at_kiosk["number"] == "L001"
    assert got["track_url"] == f"http://vuoro.test/t/{got['token']}"
    assert api.get(f"/api/tickets/{got['token']}", expect=200).get_json()["ticket"]["number"] == "K001"
    stored = ticket(ctx, "K001")
    assert [e.actor for e in events(ctx, stored.id)] == ["remote"]


def test_without_a_language_the_ticket_speaks_the_kiosks(api: Api) -> None:
    assert join(api, "kela")["language"] == "sv"  # k1's own
    assert join(api, "kela", kiosk="k2")["language"] == "fi"  # the centre's


def test_what_the_poster_does_not_offer_is_refused_with_its_reason(api: Api, ctx: Context) -> None:
    assert_error(join(api, "kela", kiosk="nope", expect=404), 404, "unknown_kiosk")
    assert_error(join(api, "nope", expect=404), 404, "unknown_service")
    assert_error(join(api, "library", kiosk="k2", expect=409), 409, "not_remote")  # k2 does not offer it
    assert_error(join(api, "mental", expect=409), 409, "not_remote")  # not taken by phone
    error = assert_error(join(api, "health", kiosk="k2", expect=409), 409, "service_closed")
    assert error["service"] == "health" and error["opens_at"]
    with ctx.db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"services": []},
        {"services": ["kela", "kela"]},
        {"services": ["kela"] * 6},
        {"services": ["kela"], "priority": True},
        {"services": ["kela"], "kiosk": "k2"},
        {"services": ["kela"], "language": "de"},
        {"appointment": "ABCDEF"},
    ],
)
def test_a_malformed_request_is_a_400(api: Api, body: dict[str, Any]) -> None:
    """Priority is not offered from a phone, nor a check-in, nor another kiosk."""
    assert_error(api.post("/api/join/k1", json=body, expect=400), 400)


def test_the_remote_cap_and_the_daily_limit_answer_409_and_the_kiosk_keeps_giving(api: Api, ctx: Context) -> None:
    for _ in range(3):
        join(api, "library")
    error = assert_error(join(api, "library", expect=409), 409, "remote_limit_reached")
    assert error["service"] == "library"
    kiosk = bearer(ctx, "kiosk", "k1")
    api.post("/api/tickets", json={"services": ["library"]}, headers=kiosk, expect=201)  # the fourth, at the kiosk
    error = assert_error(
        api.post("/api/tickets", json={"services": ["library"]}, headers=kiosk, expect=409), 409, "daily_limit_reached"
    )
    assert_error(join(api, "library", expect=409), 409, "daily_limit_reached")  # the daily limit speaks first


# -- rate limits --------------------------------------------------------------------------------------------


@pytest.fixture
def limited(tmp_path: Path, openapi: OpenApi) -> Iterator[Callable[[dict[str, str]], Flask]]:
    apps: list[Flask] = []

    def make(limits: dict[str, str]) -> Flask:
        data = remote_config({**copy.deepcopy(BASE_CONFIG), "database_url": f"sqlite:///{tmp_path / 'v.db'}"})
        data["limits"] = limits
        app = create_app(data)
        app.config["TESTING"] = True
        app.config["WTF_CSRF_ENABLED"] = False
        app.extensions["vuoro"].clock = FakeClock()
        limiter.reset()  # process-wide memory storage: start from zero
        apps.append(app)
        return app

    yield make
    for app in apps:
        shutdown(app)
    limiter.reset()


def browser(app: Flask) -> FlaskClient:
    """A phone that opened the poster's page: it holds the page's cookie."""
    client = app.test_client()
    assert client.get("/join/k1").status_code == 200
    assert client.get_cookie(JOIN_COOKIE) is not None
    return client


def written(app: Flask) -> tuple[int, int, tuple[Any, ...]]:
    with app.extensions["vuoro"].db.reader() as s:
        return (
            s.scalar(sa.select(sa.func.count()).select_from(Ticket)) or 0,
            s.scalar(sa.select(sa.func.count()).select_from(TicketEvent)) or 0,
            tuple(s.execute(sa.select(Counter.scope, Counter.value).order_by(Counter.scope)).all()),
        )


def assert_limited(api: Api) -> None:
    resp = api.post("/api/join/k1", json={"services": ["kela"]}, expect=429)
    assert assert_error(resp, 429, "rate_limited")["message"].startswith("too many requests")
    assert int(resp.headers["Retry-After"]) > 0


def test_each_browser_has_its_own_budget_and_the_address_a_larger_one(
    limited: Callable[[dict[str, str]], Flask], openapi: OpenApi
) -> None:
    app = limited({"remote_per_browser": "3/hour", "remote_per_client": "6/hour"})
    first, second = Api(browser(app), openapi), Api(browser(app), openapi)
    for _ in range(3):
        join(first, "kela")
    before = written(app)
    assert_limited(first)  # the browser's own three
    assert written(app) == before  # refused before the view: nothing half-written
    for _ in range(2):
        join(second, "kela")  # another phone on the same Wi-Fi has its own...
    assert_limited(second)  # ...until the address has had its six (the refused one counted too)
    assert written(app)[0] == 5


def test_without_the_pages_cookie_the_browser_budget_is_the_addresses(
    limited: Callable[[dict[str, str]], Flask], openapi: OpenApi
) -> None:
    app = limited({"remote_per_browser": "2/hour", "remote_per_client": "50/hour"})
    bare = Api(app.test_client(), openapi)
    for _ in range(2):
        join(bare, "kela")
    assert_limited(bare)
    assert_limited(Api(app.test_client(), openapi))  # another cookieless client at that address too
    join(Api(browser(app), openapi), "kela")  # a phone with the page's cookie is not that address's budget
