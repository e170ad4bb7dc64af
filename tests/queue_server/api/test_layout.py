"""Zones, kiosks, adding and retiring desks, and printer tests over the API: every documented answer, and
changes that take effect at once (a board's message line, a kiosk's offer, a new desk that calls)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from queue_server.extensions import socketio
from queue_server.services import audit
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, OpenApi, bearer


def admin_api(app: Flask, openapi: OpenApi) -> Api:
    return Api(app.test_client(), openapi, bearer(app.extensions["vuoro"], "admin", "manager"))


def board_snapshot(app: Flask, zone: str) -> dict[str, Any]:
    board = socketio.test_client(app)
    try:
        assert board.emit("join", {"board": zone}, callback=True) == {"ok": True}
        return next(p["args"][0] for p in board.get_received() if p["name"] == "snapshot")
    finally:
        board.disconnect()


def last_test(app: Flask, printer: str, timeout_s: float = 5.0) -> dict[str, Any]:
    printing = app.extensions["vuoro_printers"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        item = next(p for p in printing.status_list() if p["key"] == printer)
        if item["last_test"] is not None:
            return dict(item["last_test"])
        time.sleep(0.02)
    raise AssertionError(f"no test print outcome for {printer}")


def test_every_documented_answer_of_the_layout_api(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str], desk_auth: dict[str, str]
) -> None:
    api = admin_api(app, openapi)
    anonymous, kiosk = Api(app.test_client(), openapi, {}), Api(app.test_client(), openapi, kiosk_auth)
    desk = Api(app.test_client(), openapi, desk_auth)
    new_desk = {"key": "d7", "label": {"fi": "Tiski 7", "en": "Desk 7"}, "services": ["library"], "zone": "z1"}
    for who, status in ((anonymous, 401), (kiosk, 403), (desk, 403)):
        who.request("patch", "/api/zones/z1", json={"chime": True}, expect=status)
        who.request("patch", "/api/kiosks/k1", json={"services": ["kela"]}, expect=status)
        who.request("post", "/api/desks", json=new_desk, expect=status)
        who.request("delete", "/api/desks/d3", expect=status)
        who.request("post", "/api/printers/fake/test", expect=status)

    body = api.request(
        "patch",
        "/api/zones/z1",
        json={"chime": True, "volume": 0.8, "message": {"fi": " Kela suljetaan klo 16 ", "en": ""}},
        expect=200,
    ).get_json()
    assert body["config"]["zones"][0]["message"] == {"fi": "Kela suljetaan klo 16"}  # blank texts left out
    api.request("patch", "/api/zones/z1", json={"volume": 1.5}, expect=400)
    api.request("patch", "/api/zones/z1", json={"message": {"fi": "x" * 201}}, expect=400)
    api.request("patch", "/api/zones/z1", json={"name": {"en": "Street"}}, expect=400)  # no Finnish name
    api.request("patch", "/api/zones/z1", json={"colour": "red"}, expect=400)
    api.request("patch", "/api/zones/z9", json={"chime": True}, expect=404)
    cleared = api.request("patch", "/api/zones/z1", json={"message": None}, expect=200).get_json()
    assert "message" not in cleared["config"]["zones"][0]

    api.request("patch", "/api/kiosks/k1", json={"services": ["kela", "library"], "language": "sv"}, expect=200)
    shown = anonymous.get("/api/kiosks/k1", expect=200).get_json()
    assert shown == {"key": "k1", "zone": "z1", "language": "sv", "printer": True, "services": ["kela", "library"]}
    anonymous.get("/api/kiosks/k9", expect=404)
    api.request("patch", "/api/kiosks/k1", json={"services": ["nothing"]}, expect=400)
    api.request("patch", "/api/kiosks/k1", json={"services": []}, expect=400)
    api.request("patch", "/api/kiosks/k1", json={"printer": "nowhere"}, expect=400)
    api.request("patch", "/api/kiosks/k9", json={"printer": None}, expect=404)
    api.request("patch", "/api/kiosks/k1", json={"printer": None, "services": None, "language": None}, expect=200)
    assert anonymous.get("/api/kiosks/k1", expect=200).get_json() == {
        "key": "k1",
        "zone": "z1",
        "language": "fi",
        "printer": False,
        "services": None,
    }

    created = api.request("post", "/api/desks", json=new_desk, expect=201).get_json()
    assert created["config"]["desks"][-1]["key"] == "d7"
    api.request("post", "/api/desks", json=new_desk, expect=409)  # exists already
    api.request("post", "/api/desks", json={**new_desk, "key": "d8", "zone": "z9"}, expect=400)  # no such zone
    api.request("post", "/api/desks", json={"key": "d8"}, expect=400)
    desk.request("post", "/api/desks/d7/status", json={"status": "open"}, expect=200)
    api.request("delete", "/api/desks/d7", expect=409)  # open
    desk.request("post", "/api/desks/d7/status", json={"status": "closed"}, expect=200)
    api.request("delete", "/api/desks/d7", expect=200)
    api.request("delete", "/api/desks/d7", expect=404)

    queued = api.request("post", "/api/printers/fake/test", expect=202).get_json()
    assert queued["printer"]["key"] == "fake"
    api.request("post", "/api/printers/nothing/test", expect=404)


def test_a_board_shows_its_zones_message_line_and_loses_it_when_cleared(app: Flask, openapi: OpenApi) -> None:
    api = admin_api(app, openapi)
    assert board_snapshot(app, "z2")["message"] == {}
    api.request(
        "patch",
        "/api/zones/z2",
        json={"message": {"fi": "Kela suljetaan tänään klo 16", "sv": "FPA stänger i dag kl. 16"}},
        expect=200,
    )
    assert board_snapshot(app, "z2")["message"] == {
        "fi": "Kela suljetaan tänään klo 16",
        "sv": "FPA stänger i dag kl. 16",
    }
    assert board_snapshot(app, "z1")["message"] == {}, "another zone's boards say nothing"
    api.request("patch", "/api/zones/z2", json={"message": {"fi": "  "}}, expect=200)
    assert board_snapshot(app, "z2")["message"] == {}
    entries = audit.entries(app.extensions["vuoro"].db, limit=10)
    assert [e["action"] for e in entries][:2] == ["zone.update", "zone.update"]


def test_a_kiosk_limited_to_one_service_issues_only_that_one(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str]
) -> None:
    api = admin_api(app, openapi)
    kiosk = Api(app.test_client(), openapi, kiosk_auth)
    api.request("patch", "/api/kiosks/k1", json={"services": ["kela"]}, expect=200)
    kiosk.post("/api/tickets", json={"services": ["kela"], "kiosk": "k1"}, expect=201)
    refused = kiosk.post("/api/tickets", json={"services": ["library"], "kiosk": "k1"}, expect=409)
    assert refused.get_json()["error"]["code"] == "not_offered"
    page = app.test_client().get("/kiosk/k1").get_data(as_text=True)
    assert 'data-services="kela"' in page


def test_a_new_desk_calls_at_once_and_a_desk_cannot_be_retired_while_it_serves(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str], desk_auth: dict[str, str], clock: FakeClock
) -> None:
    api = admin_api(app, openapi)
    kiosk = Api(app.test_client(), openapi, kiosk_auth)
    desk = Api(app.test_client(), openapi, desk_auth)
    api.request(
        "post", "/api/desks", json={"key": "p1", "label": "Passit", "services": ["health"], "zone": "z1"}, expect=201
    )
    number = kiosk.post("/api/tickets", json={"services": ["health"]}, expect=201).get_json()["ticket"]["number"]
    clock.advance(60)
    called = desk.post("/api/desks/p1/next", expect=200).get_json()
    assert called["ticket"]["number"] == number
    desk.post("/api/desks/p1/status", json={"status": "paused"}, expect=200)
    reason = api.request("delete", "/api/desks/p1", expect=409).get_json()["error"]["message"]
    assert "serving" in reason
    desk.post("/api/desks/p1/finish", expect=200)
    api.request("delete", "/api/desks/p1", expect=409)  # still paused: close it first
    desk.post("/api/desks/p1/status", json={"status": "closed"}, expect=200)
    api.request("delete", "/api/desks/p1", expect=200)
    desk.post("/api/desks/p1/next", expect=404)


def test_the_last_desk_of_a_service_with_waiting_visitors_stays(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str]
) -> None:
    api = admin_api(app, openapi)
    kiosk = Api(app.test_client(), openapi, kiosk_auth)
    api.request("delete", "/api/desks/d2", expect=200)  # d3 still serves the library; nobody waits for it anyway
    kiosk.post("/api/tickets", json={"services": ["library"]}, expect=201)
    reason = api.request("delete", "/api/desks/d3", expect=409).get_json()["error"]["message"]
    assert "only desk serving 'library'" in reason and "1 ticket(s) wait" in reason
    api.request("delete", "/api/desks/d1", expect=200)  # kela has d5 and d6 besides


def test_a_test_print_reports_its_outcome_in_the_printers_status(
    make_app: Callable[[dict[str, Any]], Flask], config_data: dict[str, Any], openapi: OpenApi
) -> None:
    config_data["printers"] += [{"key": "broken", "type": "fake", "fail": "offline"}, {"key": "screen", "type": "none"}]
    app = make_app(config_data)
    api = admin_api(app, openapi)
    assert api.request("post", "/api/printers/fake/test", expect=202).get_json()["printer"]["last_test"] is None
    outcome = last_test(app, "fake")
    assert outcome["ok"] is True and outcome["error"] is None and outcome["at"]
    printed = app.extensions["vuoro_printers"].printers["fake"].printed
    receipt = printed[-1]
    assert receipt.number == "TEST" and receipt.service_name == "Tulostustesti / Utskriftstest / Print test"
    assert receipt.centre_name == "Testikeskus" and receipt.track_url == ""

    api.request("post", "/api/printers/broken/test", expect=202)
    failed = last_test(app, "broken")
    assert failed["ok"] is False and failed["error"] == "offline"
    refused = api.request("post", "/api/printers/screen/test", expect=409).get_json()
    assert refused["error"]["code"] == "not_a_printer"
    assert last_test(app, "fake")["ok"] is True, "each printer keeps its own outcome"


def test_a_zone_gets_several_board_languages_over_the_api(app: Flask, admin_auth: dict[str, str]) -> None:
    client = app.test_client()
    resp = client.patch("/api/zones/z1", json={"languages": ["fi", "sv"]}, headers=admin_auth)
    assert resp.status_code == 200, resp.get_json()
    assert app.extensions["vuoro"].config.zone_map["z1"].board_languages("fi") == ["fi", "sv"]
    assert client.patch("/api/zones/z1", json={"languages": []}, headers=admin_auth).status_code == 400
    assert client.patch("/api/zones/z1", json={"languages": ["xx"]}, headers=admin_auth).status_code == 400
