"""Web Push end to end through a push service of our own on loopback (tests/push_service.py), which checks the
VAPID signature (ES256 JWT, ``aud`` its own origin) and decrypts the ``aes128gcm`` body with the subscriber's
keys, made the way a browser makes them.

Kela's desk d1 serves Kela alone; each visit is 300 s, so with one desk open a ticket at place 4 waits about
15 minutes: "almost" (at place 3 or within 300 s) comes when the desk has called the ones ahead.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from queue_server.metrics import PUSH_EXTENSION
from queue_server.models import PushKey, PushSubscription
from queue_server.realtime.push import PushWorker
from queue_server.services.context import Context
from queue_server.services.outbox import read_since
from tests.push_service import PushService
from tests.queue_server.helpers import Api, OpenApi, assert_error, bearer


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture
def app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], push_service: PushService) -> Flask:
    config_data["push"] = {"endpoint_origins": [push_service.origin], "timeout_s": 0.5, "retries": 0}
    return make_app(config_data)  # tests/conftest.py's ctx and client follow it


def issue(client: FlaskClient, ctx: Context, language: str = "en") -> dict[str, Any]:
    resp = client.post(
        "/api/tickets",
        json={"services": ["kela"], "kiosk": "k2", "language": language},
        headers=bearer(ctx, "kiosk", "k2"),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["ticket"]  # type: ignore[no-any-return]


def track(ticket: dict[str, Any]) -> str:
    return str(ticket["track_url"]).rsplit("/t/", 1)[1]


def subscribe(client: FlaskClient, push_service: PushService, ticket: dict[str, Any], name: str) -> None:
    subscription = push_service.subscribe(name, client.get("/api/push/key").get_json()["key"])
    resp = client.post(
        f"/api/tickets/{track(ticket)}/push", json=subscription.subscription(push_service.endpoint(name))
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {"push": {"subscribed": True}}


def desk(client: FlaskClient, ctx: Context, action: str, body: dict[str, Any] | None = None) -> Any:
    resp = client.post(f"/api/desks/d1/{action}", json=body, headers=bearer(ctx, "desk", "d1"))
    assert resp.status_code in (200, 204), resp.get_json()
    return resp.get_json()


def subscriptions(ctx: Context) -> list[int]:
    with ctx.db.reader() as session:
        return list(session.scalars(sa.select(PushSubscription.ticket_id)))


def settle(push_service: PushService, count: int) -> None:
    """Nothing more arrives: give the background a moment beyond the last expected message."""
    time.sleep(0.5)
    assert len(push_service.received) == count, push_service.received


def test_almost_and_called_arrive_once_each_signed_and_encrypted(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    desk(client, ctx, "status", {"status": "open"})
    tickets = [issue(client, ctx) for _ in range(3)] + [issue(client, ctx, language="fi")]
    subscribe(client, push_service, tickets[3], "fourth")
    settle(push_service, 0)  # place 4, about 15 minutes: not yet
    desk(client, ctx, "next")  # K001 called: the fourth is third now
    [almost] = push_service.wait_for(1)
    assert almost.payload["type"] == "almost" and almost.payload["number"] == tickets[3]["number"]
    assert almost.payload["title"] == f"Vuorosi on pian – {tickets[3]['number']}"  # the ticket's language
    assert "Edelläsi jonossa: 2" in almost.payload["body"]
    assert almost.vapid_claims["aud"] == push_service.origin
    assert almost.vapid_key == client.get("/api/push/key").get_json()["key"]
    assert almost.headers["ttl"] == "900" and almost.headers["urgency"] == "high"
    desk(client, ctx, "finish")
    desk(client, ctx, "next")  # K002: the fourth is second; nothing new
    settle(push_service, 1)
    for _ in range(2):
        desk(client, ctx, "finish")
        desk(client, ctx, "next")
    called = push_service.wait_for(2)[1]
    assert called.payload == {
        "type": "called",
        "number": tickets[3]["number"],
        "tag": f"vuoro-{tickets[3]['number']}",
        "title": f"Sinun vuorosi – {tickets[3]['number']}",
        "body": "Mene: Tiski 1, 2. kerros.",
    }
    desk(client, ctx, "recall")
    recalled = push_service.wait_for(3)[2]
    assert recalled.payload["type"] == "called"  # the desk called again: so does the phone
    desk(client, ctx, "finish")
    settle(push_service, 3)
    assert subscriptions(ctx) == []  # the ticket ended: its subscription went in the same commit


def test_a_subscription_the_push_service_has_dropped_is_deleted(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    desk(client, ctx, "status", {"status": "open"})
    first = issue(client, ctx)
    subscribe(client, push_service, first, "gone")
    push_service.answer("gone", 410)
    desk(client, ctx, "next")  # called: the post is answered 410 Gone
    deadline = time.monotonic() + 5
    while subscriptions(ctx) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert subscriptions(ctx) == [] and push_service.attempts("gone") >= 1  # "almost" or the call, or both


def test_a_push_service_that_never_answers_delays_no_request(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    desk(client, ctx, "status", {"status": "open"})
    first, second = issue(client, ctx), issue(client, ctx)
    subscribe(client, push_service, first, "dead")
    push_service.hang("dead")
    subscribe(client, push_service, second, "alive")
    desk(client, ctx, "next")  # the first is called (a post that will hang), the second is now first
    deadline = time.monotonic() + 5
    while push_service.attempts("dead") == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert push_service.attempts("dead") == 1  # its post is open and will never be answered
    assert issue(client, ctx)["number"] == "K003"  # meanwhile the kiosk issues, and the desk works on
    assert desk(client, ctx, "recall")["ticket"]["number"] == first["number"]
    [alive] = push_service.wait_for(1)  # the other senders post on
    assert alive.name == "alive" and alive.payload["type"] == "almost"


def test_subscriptions_are_refused_for_other_push_services_bad_keys_and_ended_tickets(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    ticket = issue(client, ctx)
    token = track(ticket)
    good = push_service.subscribe("x").subscription(push_service.endpoint("x"))
    for endpoint in ("https://evil.example/push/1", "http://127.0.0.2:9/push", "ftp://127.0.0.1/x", "not a url"):
        assert_error(
            client.post(f"/api/tickets/{token}/push", json={**good, "endpoint": endpoint}), 400, "push_endpoint_refused"
        )
    assert_error(
        client.post(f"/api/tickets/{token}/push", json={**good, "keys": {"p256dh": "AAAA", "auth": "x"}}),
        400,
        "invalid_request",
    )
    assert_error(client.post(f"/api/tickets/{token}/push", json={"endpoint": good["endpoint"]}), 400, "invalid_request")
    assert_error(client.post("/api/tickets/no-such-token/push", json=good), 404, "unknown_ticket")
    assert client.delete(f"/api/tickets/{token}").status_code == 200  # the visitor cancels
    assert_error(client.post(f"/api/tickets/{token}/push", json=good), 409, "ticket_final")
    assert subscriptions(ctx) == []


def test_the_key_is_made_once_kept_in_the_database_and_a_subscription_can_be_withdrawn(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    key = client.get("/api/push/key").get_json()["key"]
    assert client.get("/api/push/key").get_json()["key"] == key
    with ctx.db.reader() as session:
        row = session.get(PushKey, 1)
        assert row is not None and row.public_key == key and "PRIVATE KEY" in row.private_pem
    ticket = issue(client, ctx)
    subscribe(client, push_service, ticket, "mine")
    assert len(subscriptions(ctx)) == 1
    assert client.delete(f"/api/tickets/{track(ticket)}/push").status_code == 204
    assert subscriptions(ctx) == []


def test_without_push_the_key_and_subscriptions_say_so(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    config_data["push"] = {"enabled": False}
    app = make_app(config_data)
    client = app.test_client()
    assert_error(client.get("/api/push/key"), 409, "push_disabled")


def test_the_metrics_count_what_was_sent_and_what_expired(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    desk(client, ctx, "status", {"status": "open"})
    first, second = issue(client, ctx), issue(client, ctx)
    subscribe(client, push_service, first, "one")
    subscribe(client, push_service, second, "two")
    push_service.answer("two", 410)
    desk(client, ctx, "next")  # the first is called; the second, first in line now, is near its turn
    push_service.wait_for(1)
    deadline = time.monotonic() + 5
    while len(subscriptions(ctx)) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    settle(push_service, len(push_service.received))
    text = client.get("/metrics").get_data(as_text=True)
    assert f"vuoro_push_sent_total {float(len(push_service.received))}" in text  # "almost" and/or the call
    assert "vuoro_push_expired_total 1.0" in text and "vuoro_push_failed_total 0.0" in text


@pytest.mark.postgres
def test_two_processes_noticing_the_same_change_notify_once(
    config_data: dict[str, Any],
    make_app: Callable[[dict[str, Any]], Flask],
    push_service: PushService,
    postgres_url: str,
) -> None:
    """Every process applies every change and scans every queue: the database lets one of them send."""
    config_data["database_url"] = postgres_url
    config_data["push"] = {"endpoint_origins": [push_service.origin], "timeout_s": 0.5, "retries": 0}
    apps = [make_app(copy.deepcopy(config_data)) for _ in range(2)]
    client, ctx = apps[0].test_client(), apps[0].extensions["vuoro"]
    desk(client, ctx, "status", {"status": "open"})
    tickets = [issue(client, ctx) for _ in range(5)]
    subscribe(client, push_service, tickets[2], "third")
    workers: list[PushWorker] = [a.extensions[PUSH_EXTENSION] for a in apps]
    for a in apps:
        a.extensions["vuoro"].live.catch_up()

    def at_once(fn: Callable[[PushWorker], None]) -> None:
        threads = [threading.Thread(target=fn, args=(workers[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    at_once(lambda w: w.scan(["kela"]))  # place 3: near its turn, noticed by eight scans on two processes
    [almost] = push_service.wait_for(1)
    assert almost.payload["type"] == "almost"
    for _ in range(2):
        desk(client, ctx, "next")
        desk(client, ctx, "finish")
    desk(client, ctx, "next")  # the third is called
    with ctx.db.reader() as session:
        record = read_since(session, 0)[-1]
    for a in apps:
        a.extensions["vuoro"].live.catch_up()
    at_once(lambda w: w.notice(record))  # the same change, again and in both processes
    received = push_service.wait_for(2)
    settle(push_service, 2)
    assert [m.payload["type"] for m in received] == ["almost", "called"]


def test_every_documented_push_answer_matches_the_openapi_document(
    client: FlaskClient,
    ctx: Context,
    push_service: PushService,
    openapi: OpenApi,
    config_data: dict[str, Any],
    make_app: Callable[[dict[str, Any]], Flask],
) -> None:
    api = Api(client, openapi)
    ticket = issue(client, ctx)
    token = track(ticket)
    key = api.request("get", "/api/push/key", expect=200).get_json()["key"]
    good = push_service.subscribe("doc", key).subscription(push_service.endpoint("doc"))
    assert api.request("get", f"/api/tickets/{token}/push", expect=200).get_json() == {"push": {"subscribed": False}}
    api.request("post", f"/api/tickets/{token}/push", expect=201, json=good)
    assert api.request("get", f"/api/tickets/{token}/push", expect=200).get_json() == {"push": {"subscribed": True}}
    api.request("get", "/api/tickets/unknown/push", expect=404)
    api.request("post", f"/api/tickets/{token}/push", expect=400, json={**good, "endpoint": "https://x.example/1"})
    api.request("post", "/api/tickets/unknown/push", expect=404, json=good)
    api.request("delete", f"/api/tickets/{token}/push", expect=204)
    api.request("delete", "/api/tickets/unknown/push", expect=404)
    assert client.delete(f"/api/tickets/{token}").status_code == 200
    api.request("post", f"/api/tickets/{token}/push", expect=409, json=good)
    config_data["push"] = {"enabled": False}
    Api(make_app(config_data).test_client(), openapi).request("get", "/api/push/key", expect=409)


def test_a_lock_screen_never_names_a_sensitive_service(
    client: FlaskClient, ctx: Context, push_service: PushService
) -> None:
    resp = client.post(
        "/api/tickets",
        json={"services": ["mental"], "kiosk": "k1", "language": "en"},
        headers=bearer(ctx, "kiosk", "k1"),
    )
    ticket = resp.get_json()["ticket"]
    subscribe(client, push_service, ticket, "private")
    h1 = bearer(ctx, "desk", "h1")
    assert client.post("/api/desks/h1/status", json={"status": "open"}, headers=h1).status_code == 200
    assert client.post("/api/desks/h1/next", headers=h1).get_json()["ticket"]["number"] == ticket["number"]
    deadline = time.monotonic() + 5
    while not [m for m in push_service.received if m.payload["type"] == "called"] and time.monotonic() < deadline:
        time.sleep(0.05)
    received = push_service.received  # the call, and "almost" if a scan saw the ticket first in line before it
    assert received and received[-1].payload["type"] == "called"
    assert received[-1].payload["body"] == "Please go to Room 1."
    for message in received:
        text = json.dumps(message.payload, ensure_ascii=False)
        assert "Mental" not in text and "Mielenterveys" not in text and "mental" not in text


def test_the_changes_of_a_busy_second_share_one_scan(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    # a scan reads up to SCAN_DEPTH places and asks the database: once per change, it cost every Next its share
    worker = PushWorker(ctx)
    scans: list[set[str]] = []
    monkeypatch.setattr(worker, "scan", lambda services: scans.append(set(services)))
    worker.start()
    try:
        for i in range(20):
            service = "kela" if i % 2 else "library"
            worker.committed({"seq": i, "events": [{"type": "issued", "service": service, "ticket": i}]})
        deadline = time.monotonic() + 5
        while not scans and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # no second scan follows for the same burst
    finally:
        worker.close()
    assert scans == [{"kela", "library"}]
