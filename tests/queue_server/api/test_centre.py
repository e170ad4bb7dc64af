"""The centre's configuration over the API: every documented answer, and changes that take effect at once."""

from __future__ import annotations

from typing import Any

from flask import Flask

from queue_server.services.accounts import create_token
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, OpenApi


def admin(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(app.extensions['vuoro'].db, 'admin', 'manager')}"}


def services(api: Api) -> dict[str, Any]:
    return {s["key"]: s for s in api.get("/api/services", expect=200).get_json()["services"]}


def test_every_documented_answer_of_the_configuration_api(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str], clock: FakeClock
) -> None:
    api = Api(app.test_client(), openapi, admin(app))
    anonymous = Api(app.test_client(), openapi, {})
    kiosk = Api(app.test_client(), openapi, kiosk_auth)
    assert api.get("/api/config", expect=200).get_json()["version"] == 1
    anonymous.get("/api/config", expect=401)
    kiosk.get("/api/config", expect=403)

    passport = {"key": "passport", "prefix": "P", "name": {"fi": "Passit", "sv": "Pass", "en": "Passports"}}
    body = api.request("post", "/api/services", json=passport, expect=201).get_json()
    assert body["version"] == 2 and body["config"]["services"][-1]["key"] == "passport"
    api.request("post", "/api/services", json=passport, expect=409)  # exists already
    api.request("post", "/api/services", json={"key": "x"}, expect=400)  # no prefix, no name
    anonymous.request("post", "/api/services", json=passport, expect=401)
    kiosk.request("post", "/api/services", json=passport, expect=403)
    api.request("post", "/api/services", json={**passport, "key": "visa", "name": {"sv": "Visum"}}, expect=400)

    api.request("patch", "/api/services/passport", json={"service_time_s": 420}, expect=200)
    api.request("patch", "/api/services/passport", json={"colour": "red"}, expect=400)
    api.request("patch", "/api/services/nothing", json={"service_time_s": 420}, expect=404)
    anonymous.request("patch", "/api/services/passport", json={}, expect=401)
    kiosk.request("patch", "/api/services/passport", json={}, expect=403)
    kiosk.request("post", "/api/tickets", json={"services": ["kela"]}, expect=201)
    api.request("patch", "/api/services/kela", json={"prefix": "Q"}, expect=409)  # today's numbers carry K

    api.request("put", "/api/services/library/exceptions/2026-11-28", json={"closed": True}, expect=200)
    api.request("put", "/api/services/library/exceptions/2026-11-28", json={"closed": True, "hours": []}, expect=400)
    api.request("put", "/api/services/library/exceptions/28.11.2026", json={"closed": True}, expect=400)
    api.request("put", "/api/services/nothing/exceptions/2026-11-28", json={"closed": True}, expect=404)
    anonymous.request("put", "/api/services/library/exceptions/2026-11-28", json={"closed": True}, expect=401)
    kiosk.request("put", "/api/services/library/exceptions/2026-11-28", json={"closed": True}, expect=403)
    api.request("delete", "/api/services/library/exceptions/2026-11-28", expect=200)
    api.request("delete", "/api/services/library/exceptions/2026-11-28", expect=404)
    api.request("delete", "/api/services/library/exceptions/bad", expect=400)
    anonymous.request("delete", "/api/services/library/exceptions/2026-11-28", expect=401)
    kiosk.request("delete", "/api/services/library/exceptions/2026-11-28", expect=403)

    api.request("put", "/api/exceptions/2026-12-31", json={"hours": ["10:00-14:00"]}, expect=200)
    api.request("put", "/api/exceptions/2026-12-31", json={"hours": ["14:00-10:00"]}, expect=400)
    anonymous.request("put", "/api/exceptions/2026-12-31", json={"closed": True}, expect=401)
    kiosk.request("put", "/api/exceptions/2026-12-31", json={"closed": True}, expect=403)
    api.request("delete", "/api/exceptions/2026-12-31", expect=200)
    api.request("delete", "/api/exceptions/2026-12-31", expect=404)
    api.request("delete", "/api/exceptions/x", expect=400)
    anonymous.request("delete", "/api/exceptions/2026-12-31", expect=401)
    kiosk.request("delete", "/api/exceptions/2026-12-31", expect=403)

    api.request("patch", "/api/desks/d1", json={"label": {"fi": "Tiski 1A"}}, expect=200)
    api.request("patch", "/api/desks/d1", json={"services": ["nothing"]}, expect=400)
    api.request("patch", "/api/desks/nothing", json={"label": "X"}, expect=404)
    anonymous.request("patch", "/api/desks/d1", json={}, expect=401)
    kiosk.request("patch", "/api/desks/d1", json={}, expect=403)
    api.request("patch", "/api/desks/d1", json={"services": ["kela", "passport"]}, expect=200)

    api.request("delete", "/api/services/kela", expect=409)  # a ticket waits
    api.request("delete", "/api/services/passport", expect=409)  # desk d1 serves it
    api.request("patch", "/api/desks/d1", json={"services": ["kela"]}, expect=200)
    api.request("delete", "/api/services/passport", expect=200)
    api.request("delete", "/api/services/passport", expect=404)
    anonymous.request("delete", "/api/services/kela", expect=401)
    kiosk.request("delete", "/api/services/kela", expect=403)
    api.request("delete", "/api/services/kela", json=None, expect=409)


def test_a_kiosk_sees_a_closed_service_at_once_and_the_estimator_uses_a_new_service_time(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str], clock: FakeClock
) -> None:
    api = Api(app.test_client(), openapi, admin(app))
    kiosk = Api(app.test_client(), openapi, kiosk_auth)
    today = app.extensions["vuoro"].today().isoformat()
    assert services(kiosk)["library"]["open"] is True
    api.request("put", f"/api/services/library/exceptions/{today}", json={"closed": True}, expect=200)
    listed = services(kiosk)["library"]
    assert listed["open"] is False and listed["opens_at"] is not None
    resp = kiosk.request("post", "/api/tickets", json={"services": ["library"]}, expect=409)
    assert resp.get_json()["error"]["code"] == "service_closed"

    kiosk.request("post", "/api/tickets", json={"services": ["kela"]}, expect=201)
    api.request("post", "/api/desks/d1/next", expect=200)  # a desk open (no desk open: no estimate at all)
    before = services(kiosk)["kela"]["estimated_wait_s"]
    api.request("patch", "/api/services/kela", json={"service_time_s": 1800}, expect=200)
    assert services(kiosk)["kela"]["estimated_wait_s"] > before * 3


def test_a_service_takes_appointments_through_the_api_and_its_slots_follow_at_once(
    app: Flask, openapi: OpenApi
) -> None:
    api = Api(app.test_client(), openapi, admin(app))
    public = Api(app.test_client(), openapi, {})
    public.get("/api/services/library/slots?day=2026-11-30", expect=409)  # walk-ins only
    block = {"slot_minutes": 20, "per_slot": 3, "hours": {"mon": "09:00-10:00"}}
    body = api.request("patch", "/api/services/library", json={"appointments": block}, expect=200).get_json()
    assert {s["key"]: s for s in body["config"]["services"]}["library"]["appointments"] == block
    monday = public.get("/api/services/library/slots?day=2026-11-30", expect=200).get_json()["slots"]
    assert [(s["start"][11:16], s["capacity"]) for s in monday] == [("07:00", 3), ("07:20", 3), ("07:40", 3)]

    for bad in (
        {"slot_minutes": 2},
        {"per_slot": "many"},
        {"hours": {"mon": "10:00-09:00"}},
        {"colour": "red"},
        {"prefix": "a"},
    ):
        error = api.request("patch", "/api/services/library", json={"appointments": bad}, expect=400).get_json()
        assert error["error"]["code"] == "invalid_request" and "appointments." in error["error"]["message"]
    assert len(public.get("/api/services/library/slots?day=2026-11-30", expect=200).get_json()["slots"]) == 3

    api.request("patch", "/api/services/library", json={"appointments": None}, expect=200)
    public.get("/api/services/library/slots?day=2026-11-30", expect=409)


def test_the_push_thresholds_and_the_poster_s_remote_tickets_are_changed_live(app: Flask, openapi: OpenApi) -> None:
    api = Api(app.test_client(), openapi, admin(app))
    body = api.request(
        "patch",
        "/api/services/kela",
        json={"notify_at_position": 5, "notify_at_wait_s": 600, "remote": True, "remote_daily_limit": 40},
        expect=200,
    ).get_json()
    kela = {s["key"]: s for s in body["config"]["services"]}["kela"]
    assert (kela["notify_at_position"], kela["notify_at_wait_s"], kela["remote"], kela["remote_daily_limit"]) == (
        5,
        600,
        True,
        40,
    )
    service = app.extensions["vuoro"].config.service_map["kela"]
    assert (service.notify_at_position, service.remote) == (5, True)  # the worker reads the live config
    for bad in ({"notify_at_position": 0}, {"notify_at_wait_s": -1}, {"remote_daily_limit": 0}, {"remote": "maybe"}):
        api.request("patch", "/api/services/kela", json=bad, expect=400)
