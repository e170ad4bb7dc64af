"""Helpers shared by the queue-engine tests: reading the database, checking error bodies, OpenAPI validation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from queue_server.api import schemas
from queue_server.api.openapi import build_document
from queue_server.models import Ticket, TicketEvent
from queue_server.services.accounts import create_token
from queue_server.services.context import Context
from tests.conftest import FakeClock

try:  # jsonschema is what validates responses against the OpenAPI document
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:  # pragma: no cover - see test_openapi.py, which requires it
    jsonschema = None

TICKET_FIELDS = {
    "number",
    "service",
    "service_name",
    "location",
    "status",
    "priority",
    "language",
    "issued_at",
    "called_at",
    "position",
    "estimated_wait_s",
    "desk",
    "pending_services",
    "token",
    "track_url",
    "estimate_reason",
    "estimated_wait_text",
    "pending_names",
    "appointment_at",
    "arrived",
}


def bearer(ctx: Context, role: str, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(ctx.db, role, name)}"}


def events(ctx: Context, ticket_id: int | None = None) -> list[TicketEvent]:
    """The event log in insertion order (optionally of one ticket)."""
    with ctx.db.reader() as session:
        stmt = sa.select(TicketEvent).order_by(TicketEvent.id)
        if ticket_id is not None:
            stmt = stmt.where(TicketEvent.ticket_id == ticket_id)
        return list(session.scalars(stmt))


def event_rows(ctx: Context) -> list[tuple[Any, ...]]:
    """Every column of every event row, to check that old rows never change."""
    with ctx.db.reader() as session:
        return [tuple(r) for r in session.execute(sa.select(TicketEvent.__table__).order_by(TicketEvent.id))]


def ticket(ctx: Context, number: str, day: date | None = None) -> Ticket:
    """The stored ticket with ``number`` (on ``day``, default the only one with that number)."""
    with ctx.db.reader() as session:
        stmt = sa.select(Ticket).where(Ticket.number == number)
        if day is not None:
            stmt = stmt.where(Ticket.business_day == day)
        return session.scalars(stmt).one()


def all_tickets(ctx: Context) -> list[Ticket]:
    with ctx.db.reader() as session:
        return list(session.scalars(sa.select(Ticket).order_by(Ticket.id)))


def assert_error(resp: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the API's one error shape; returns the error object."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    assert resp.is_json, resp.get_data(as_text=True)
    body = resp.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"], body
    if code is not None:
        assert error["code"] == code, body
    return error


class OpenApi:
    """Validates a response against the schema the OpenAPI document gives for its path, method and status."""

    def __init__(self) -> None:
        self.document = build_document()
        self._templates = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in self.document["paths"]
        ]
        self._registry = None
        if jsonschema is not None:
            resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
            self._registry = Registry().with_resource("urn:vuoro:openapi", resource)

    def template(self, path: str) -> str:
        if path in self.document["paths"]:  # a literal path wins over a template it also fits (/pair/start)
            return path
        matches = [template for pattern, template in self._templates if pattern.match(path)]
        assert len(matches) == 1, f"{path} matches {matches} in the OpenAPI document"
        return matches[0]

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        """The documented schema; fails when the status is not documented for the operation at all."""
        operation = self.document["paths"][self.template(path)].get(method.lower())
        assert operation is not None, f"{method} {path} is not in the OpenAPI document"
        documented = operation["responses"]
        assert str(status) in documented, f"{method} {path} answered {status}, documented: {sorted(documented)}"
        content = documented[str(status)].get("content")
        if content is None:
            return None
        if "application/json" not in content:
            return {"media_types": sorted(content)}  # CSV, PDF: documented as such, not JSON
        return {**content["application/json"]["schema"], "media_types": sorted(content)}

    def check(self, method: str, resp: TestResponse) -> None:
        path = resp.request.path
        schema = self.response_schema(method, path, resp.status_code)
        if schema is None:
            assert resp.get_data() == b"", f"{method} {path} {resp.status_code} should have no body"
            return
        assert resp.mimetype in schema["media_types"], (method, path, resp.mimetype)
        if resp.mimetype != "application/json":
            return
        assert resp.is_json, f"{method} {path} {resp.status_code} is not JSON"
        self.validate(schema["$ref"], resp.get_json())

    def validate(self, ref: str, instance: Any) -> None:
        """Validate against ``#/components/schemas/Name``: with jsonschema, else with the pydantic model it came
        from (a fresh environment without jsonschema still checks the shape)."""
        if jsonschema is not None:
            full = ref.replace("#", "urn:vuoro:openapi#", 1)
            jsonschema.Draft202012Validator({"$ref": full}, registry=self._registry).validate(instance)
            return
        model = getattr(schemas, ref.rsplit("/", 1)[-1])
        model.model_validate(instance)


class Api:
    """A test client that asserts the status and checks every response against the OpenAPI document."""

    def __init__(self, client: FlaskClient, openapi: OpenApi, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.openapi = openapi
        self.headers = headers or {}

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: int | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        kwargs: dict[str, Any] = {"headers": self.headers if headers is None else headers}
        if json is not None:
            kwargs["json"] = json
        resp = self.client.open(path, method=method.upper(), **kwargs)
        if expect is not None:
            assert resp.status_code == expect, (method, path, resp.status_code, resp.get_data(as_text=True))
        self.openapi.check(method, resp)
        return resp

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.request("get", path, **kw)

    def post(self, path: str, **kw: Any) -> TestResponse:
        return self.request("post", path, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.request("delete", path, **kw)

    def patch(self, path: str, **kw: Any) -> TestResponse:
        return self.request("patch", path, **kw)


class Centre:
    """Drives one app through its API as a kiosk and as desks, with time moving a minute per step."""

    def __init__(self, api: Api, kiosk: dict[str, str], desk: dict[str, str], clock: FakeClock) -> None:
        self.api, self.kiosk, self.desk_auth, self.clock = api, kiosk, desk, clock

    def issue(self, *services: str, expect: int = 201, step_s: float = 60, **fields: Any) -> Any:
        """Issue a ticket (a minute after the previous step): the ticket JSON, or the response when not 201."""
        self.clock.advance(step_s)
        resp = self.api.post(
            "/api/tickets", json={"services": list(services), **fields}, headers=self.kiosk, expect=expect
        )
        return resp.get_json()["ticket"] if expect == 201 else resp

    def act(self, desk: str, action: str, *, expect: int = 200, json: Any = None, step_s: float = 60) -> Any:
        """POST a desk action (a minute later): the JSON body on 200, None on 204, else the response."""
        self.clock.advance(step_s)
        resp = self.api.post(f"/api/desks/{desk}/{action}", json=json, headers=self.desk_auth, expect=expect)
        if expect == 200:
            return resp.get_json()
        return None if expect == 204 else resp

    def call_next(self, desk: str) -> str | None:
        """Call the next ticket at ``desk``; its number, or None when nobody waits."""
        body = self.api.post(f"/api/desks/{desk}/next", headers=self.desk_auth)
        assert body.status_code in (200, 204), body.get_data(as_text=True)
        return body.get_json()["ticket"]["number"] if body.status_code == 200 else None

    def serve_next(self, desk: str) -> str | None:
        """Call the next ticket and finish it at once; the number served, or None."""
        number = self.call_next(desk)
        if number is not None:
            self.act(desk, "finish")
        return number

    def ticket(self, token: str) -> dict[str, Any]:
        return self.api.get(f"/api/tickets/{token}", expect=200).get_json()["ticket"]
