"""The OpenAPI document: served, well-formed, in step with the routes, and true to every answer the API gives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from queue_server.api.openapi import OPERATIONS, build_document
from queue_server.services.accounts import add_user
from tests.queue_server.helpers import Api, OpenApi, bearer

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates the API against its OpenAPI document")

#: operations whose tests live with their own features, not with the queue engine
ELSEWHERE = {
    ("get", "/api/printers"),
    ("get", "/api/stats"),
    ("get", "/api/stats.csv"),
    ("get", "/api/report.pdf"),
    ("post", "/api/tickets/{token}/feedback"),
    # the centre's configuration: tests/queue_server/api/test_centre.py
    ("get", "/api/config"),
    ("post", "/api/services"),
    ("patch", "/api/services/{key}"),
    ("delete", "/api/services/{key}"),
    ("put", "/api/services/{key}/exceptions/{day}"),
    ("delete", "/api/services/{key}/exceptions/{day}"),
    ("put", "/api/exceptions/{day}"),
    ("delete", "/api/exceptions/{day}"),
    ("patch", "/api/desks/{key}"),
    # staff, devices, audit: tests/queue_server/api/test_staff.py
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("patch", "/api/users/{name}"),
    ("post", "/api/users/{name}/password-reset"),
    ("get", "/api/devices"),
    ("post", "/api/devices"),
    ("delete", "/api/devices/{device_id}"),
    ("get", "/api/audit"),
    ("post", "/api/devices/pair/start"),
    ("get", "/api/devices/pair/{code}"),
    ("post", "/api/devices/pair"),
    # zones, kiosks, adding and retiring desks, printer tests: tests/queue_server/api/test_layout.py
    ("patch", "/api/zones/{key}"),
    ("get", "/api/kiosks/{key}"),
    ("patch", "/api/kiosks/{key}"),
    ("post", "/api/desks"),
    ("delete", "/api/desks/{key}"),
    ("post", "/api/printers/{key}/test"),
    # appointments, bookings and slots: tests/queue_server/api/test_appointments.py
    ("post", "/api/appointments"),
    ("get", "/api/appointments"),
    ("get", "/api/appointments/{code}"),
    ("delete", "/api/appointments/{code}"),
    ("post", "/api/bookings"),
    ("get", "/api/services/{key}/slots"),
    # the calendar file of an appointment: tests/queue_server/pages/test_book_page.py
    ("get", "/api/appointments/{code}/calendar.ics"),
    # Web Push: tests/queue_server/realtime/test_push.py
    ("get", "/api/push/key"),
    ("post", "/api/tickets/{token}/push"),
    ("delete", "/api/tickets/{token}/push"),
    ("get", "/api/tickets/{token}/push"),
    # a ticket from the QR poster, on one's own phone: tests/queue_server/api/test_join.py
    ("post", "/api/join/{kiosk}"),
    # "I am here" of a remote ticket: tests/queue_server/services/test_arrival.py
    ("post", "/api/tickets/{token}/here"),
}
#: documented for every desk action, but only reachable for some (a simple action always has a ticket to show;
#: without a body there is nothing malformed except a CSRF failure, which tests/queue_server/test_security covers)
UNREACHABLE = {("post", f"/api/desks/{{key}}/{a}", 204) for a in ("recall", "start", "finish", "no-show", "return")}
#: every operation documents 503 database_unavailable: produced with the database away, in
#: tests/queue_server/test_database_down.py (through a TCP forwarder the test cuts), not in this tour
DATABASE_AWAY = 503
#: 429 is documented where the config's limits apply; limits are off in this tour, on in test_security_limits.py
LIMITED = 429


def concrete(template: str, token: str) -> str:
    """A documented path with its parameters filled in: a real ticket token, desk d1, a date."""
    return (
        template.replace("{token}", token)
        .replace("{key}", "d1")
        .replace("{day}", "2026-12-24")
        .replace("{name}", "nobody")
        .replace("{device_id}", "999999")
        .replace("{code}", "AAAAAA")
    )


def flask_path(template: str) -> str:
    return template.replace("{", "<").replace("}", ">")


def test_the_document_is_served_as_openapi_3_1(api: Api) -> None:
    body = api.client.get("/api/openapi.json").get_json()
    assert body == build_document()
    assert body["openapi"] == "3.1.0"
    assert body["info"]["title"]


def test_every_component_schema_is_a_valid_json_schema() -> None:
    schemas = build_document()["components"]["schemas"]
    assert {"TicketEnvelope", "ErrorOut", "IssueRequest", "DeskActionOut"} <= set(schemas)
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_document_passes_an_openapi_validator() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(build_document())


def test_every_documented_operation_is_a_route(app: Flask) -> None:
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules() for method in rule.methods or ()}
    for method, path, *_ in OPERATIONS:
        assert (flask_path(path), method) in routes, (method, path)


def test_every_api_route_is_documented(app: Flask) -> None:
    documented = {(flask_path(path), method) for method, path, *_ in OPERATIONS}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz") or rule.rule == "/api/openapi.json":
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (rule.rule, method.lower()) in documented, (method, rule.rule)


def test_protected_operations_declare_their_security_and_public_ones_do_not() -> None:
    paths = build_document()["paths"]
    for method, path, _summary, _body, _responses, who in OPERATIONS:
        op = paths[path][method]
        assert ("security" in op) is (who is not None), (method, path)
        assert (401 in _responses) is (who is not None or path == "/api/session" and method == "post"), (method, path)


def test_request_bodies_refuse_unknown_fields_in_the_document_too() -> None:
    schemas = build_document()["components"]["schemas"]
    for name in ("IssueRequest", "TransferRequest", "CallRequest", "DeskStatusRequest", "LoginRequest"):
        assert schemas[name].get("additionalProperties") is False, name


def test_the_validator_is_not_vacuous(openapi: OpenApi) -> None:
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("#/components/schemas/TicketEnvelope", {"ticket": {"number": 5}})
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("#/components/schemas/ErrorOut", {"error": "nope"})
    with pytest.raises(AssertionError, match="documented"):
        openapi.response_schema("get", "/api/tickets/abc", 201)


@pytest.mark.parametrize(
    "body",
    [
        {"services": ["kela"]},
        {"services": ["kela", "library"], "language": "sv", "priority": True},
        {"services": ["kela"], "extra": 1},
        {"services": ["kela"], "priority": 1},
        {"services": []},
        {"services": ["a", "b", "c", "d", "e", "f"]},
        {"services": ["Kela"]},
        {"language": "fi"},
    ],
)
def test_the_documented_request_schema_agrees_with_the_api(
    api: Api, kiosk_auth: dict[str, str], openapi: OpenApi, body: dict[str, Any]
) -> None:
    try:
        openapi.validate("#/components/schemas/IssueRequest", body)
        valid = True
    except jsonschema.ValidationError:
        valid = False
    resp = api.post("/api/tickets", json=body, headers=kiosk_auth)
    assert (resp.status_code != 400) is valid, (body, resp.get_json())


# -- the tour: every documented answer of the queue engine, produced and validated ------------------------------


@pytest.fixture
def tour_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = copy.deepcopy(config_data)
    data["services"][2]["daily_limit"] = 1  # health: the second ticket is refused with 409
    return make_app(data)


def test_every_documented_response_is_produced_and_matches_its_schema(tour_app: Flask, openapi: OpenApi) -> None:
    ctx = tour_app.extensions["vuoro"]
    kiosk, desk = bearer(ctx, "kiosk", "k1"), bearer(ctx, "desk", "d")
    add_user(ctx.db, "clerk", "clerk-password", "clerk")
    seen: set[tuple[str, str, int]] = set()

    def call(
        method: str, path: str, expect: int, auth: dict[str, str] | None = None, json: Any = None, client: Any = None
    ) -> Any:
        api = Api(client or tour_app.test_client(), openapi)
        resp = api.request(method, path, expect=expect, json=json, headers=auth or {})  # validates the body
        seen.add((method, openapi.template(path.split("?")[0]), expect))
        return resp.get_json()

    call("get", "/healthz", 200)
    call("get", "/api/services", 200)
    call("get", "/api/services?language=xx", 400)
    first = call("post", "/api/tickets", 201, kiosk, {"services": ["kela", "library"]})["ticket"]["token"]
    second = call("post", "/api/tickets", 201, kiosk, {"services": ["kela"]})["ticket"]["token"]
    call("post", "/api/tickets", 201, kiosk, {"services": ["health"]})
    call("post", "/api/tickets", 409, kiosk, {"services": ["health"]})
    call("post", "/api/tickets", 400, kiosk, {"services": "kela"})
    call("post", "/api/tickets", 404, kiosk, {"services": ["passport"]})
    call("post", "/api/tickets", 401, None, {"services": ["kela"]})
    call("post", "/api/tickets", 403, desk, {"services": ["kela"]})
    call("get", f"/api/tickets/{first}", 200)
    call("get", "/api/tickets/unknown", 404)

    call("get", "/api/desks", 200, desk)
    call("get", "/api/desks", 401)
    call("get", "/api/desks", 403, kiosk)
    call("get", "/api/desks/d1", 200, desk)
    call("get", "/api/desks/d1", 401)
    call("get", "/api/desks/d1", 403, kiosk)
    call("get", "/api/desks/zz", 404, desk)

    clerk = tour_app.test_client()
    call("post", "/api/session", 400, json={"username": "clerk"}, client=clerk)
    call("post", "/api/session", 401, json={"username": "clerk", "password": "wrong-password"}, client=clerk)
    call("get", "/api/session", 401, client=clerk)
    call("post", "/api/session", 200, json={"username": "clerk", "password": "clerk-password"}, client=clerk)
    call("get", "/api/session", 200, client=clerk)
    call("get", "/api/session", 403, kiosk)
    call("post", "/api/session/password", 400, json={"current_password": "clerk-password"}, client=clerk)
    call(
        "post",
        "/api/session/password",
        403,
        json={"current_password": "not-it", "new_password": "clerks-own-1"},
        client=clerk,
    )
    call("post", "/api/session/password", 403, kiosk, {"current_password": "x", "new_password": "clerks-own-1"})
    call("post", "/api/session/password", 401, json={"current_password": "x", "new_password": "clerks-own-1"})
    call(
        "post",
        "/api/session/password",
        204,
        json={"current_password": "clerk-password", "new_password": "clerks-own-password"},
        client=clerk,
    )
    call("delete", "/api/session", 204, client=clerk)

    actions = ["next", "recall", "start", "finish", "no-show", "return", "transfer", "call", "status", "undo-no-show"]
    bodies: dict[str, Any] = {
        "transfer": {"service": "kela"},
        "call": {"number": "K001"},
        "status": {"status": "open"},
        "undo-no-show": {"number": "K001"},
    }
    for action in actions:
        call("post", f"/api/desks/d1/{action}", 401, json=bodies.get(action))
        call("post", f"/api/desks/d1/{action}", 403, kiosk, bodies.get(action))
        call("post", f"/api/desks/zz/{action}", 404, desk, bodies.get(action))
    for action in ["recall", "start", "finish", "no-show", "return", "transfer"]:
        call("post", f"/api/desks/d1/{action}", 409, desk, bodies.get(action))  # nothing at the desk

    call("post", "/api/desks/d1/next", 200, desk)  # K001
    call("post", "/api/desks/d1/next", 409, desk)  # busy
    call("post", "/api/desks/d1/call", 409, desk, {"number": "K002"})
    call("post", "/api/desks/d1/recall", 200, desk)
    call("post", "/api/desks/d1/start", 200, desk)
    call("post", "/api/desks/d1/status", 409, desk, {"status": "closed"})
    call("post", "/api/desks/d1/status", 400, desk, {"status": "gone"})
    call("post", "/api/desks/d1/finish", 200, desk)  # K001 goes on to library
    call("post", "/api/desks/d1/next", 200, desk)  # K002
    call("post", "/api/desks/d1/no-show", 200, desk)
    call("post", "/api/desks/d1/next", 204, desk)  # nobody waits for kela
    call("post", "/api/desks/d3/next", 200, desk)  # K001 at the library
    call("post", "/api/desks/d3/return", 200, desk)
    call("post", "/api/desks/d3/next", 200, desk)
    call("post", "/api/desks/d3/transfer", 400, desk, {"service": 1})
    call("post", "/api/desks/d3/transfer", 404, desk, {"service": "passport"})
    call("post", "/api/desks/d3/transfer", 200, desk, {"service": "kela"})
    call("post", "/api/desks/d1/call", 400, desk, {"number": "1"})
    call("post", "/api/desks/d1/call", 404, desk, {"number": "K404"})
    call("post", "/api/desks/d3/call", 409, desk, {"number": "K001"})  # d3 does not serve kela
    call("post", "/api/desks/d1/call", 200, desk, {"number": "K001"})
    call("post", "/api/desks/d1/finish", 200, desk)
    call("post", "/api/desks/d1/status", 200, desk, {"status": "closed"})

    call("delete", f"/api/tickets/{second}", 409)  # a no-show cannot be cancelled
    call("get", "/api/desks/d1/waiting", 200, desk)
    call("get", "/api/desks/d1/waiting", 401)
    call("get", "/api/desks/d1/waiting", 403, kiosk)
    call("get", "/api/desks/zz/waiting", 404, desk)
    call("post", "/api/desks/d1/undo-no-show", 400, desk, {"number": "K002", "ticket": 2})
    call("post", "/api/desks/d1/undo-no-show", 404, desk, {"number": "K404"})
    call("post", "/api/desks/d3/undo-no-show", 409, desk, {"number": "K002"})  # d3 does not serve kela
    call("post", "/api/desks/d1/undo-no-show", 200, desk, {"number": "K002"})  # waits again, in its old place
    third = call("post", "/api/tickets", 201, kiosk, {"services": ["library"]})["ticket"]["token"]
    call("delete", f"/api/tickets/{third}", 200)
    call("delete", "/api/tickets/unknown", 404)

    # the edge, for every operation: a control character anywhere is 400 invalid_text, a body over 64 kB 413
    admin = bearer(ctx, "admin", "tour-admin")
    for template, item in build_document()["paths"].items():
        for method in item:
            path = concrete(template, first)
            call(method, f"{path}?x=%00", 400, admin)
            call(method, path, 413, admin, {"x": "a" * 70_000})

    everything = {
        (method, path, int(status))
        for path, item in build_document()["paths"].items()
        for method, op in item.items()
        for status in op["responses"]
    }
    documented = {d for d in everything if d[:2] not in ELSEWHERE}
    assert {d for d in documented if d[2] not in (DATABASE_AWAY, LIMITED)} - UNREACHABLE - seen == set()
    assert seen <= everything
