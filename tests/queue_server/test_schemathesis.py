"""Fuzzing the API from its own OpenAPI document, on SQLite and on PostgreSQL.

- schemathesis generates requests from ``/api/openapi.json``, valid ones (positive) and invalid ones
  (negative), and sends them to the app with an admin token;
- hypothesis adds what a hostile client sends: bodies nested a thousand deep, bodies over the size limit,
  control characters and lone surrogates in every documented field, and values of the wrong type.

For every answer: never a 5xx, the status and the body are the ones the document gives, and when the request
was refused (4xx) nothing in the database changed — every row of every table is the same as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from queue_server.api.openapi import build_document
from queue_server.app import create_app, shutdown
from queue_server.db import Database
from queue_server.models import Base
from queue_server.services.accounts import create_token
from queue_server.services.tickets import issue_ticket
from tests.conftest import FakeClock
from tests.queue_server.helpers import OpenApi

pytestmark = pytest.mark.slow
EXAMPLES = 8  # per operation and mode, on each database: ~25 operations x 2 modes x 2 databases


#: columns a request may change without changing data: when a device's token was last used
NOTES = {"api_tokens": {"last_seen_at"}}


def fingerprint(db: Database) -> str:
    """Every row of every table, hashed: equal before and after a refused request, or something changed."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in NOTES.get(table.name, set())]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{[tuple(map(str, r)) for r in rows]}".encode())
    return digest.hexdigest()


class Fuzzed:
    def __init__(self, app: Flask) -> None:
        self.app = app
        ctx = app.extensions["vuoro"]
        self.db: Database = ctx.db
        self.auth = {"Authorization": f"Bearer {create_token(ctx.db, 'admin', 'fuzzer')}"}
        empty = fingerprint(ctx.db)
        issued = [
            issue_ticket(ctx, services=s, language="fi", priority=False)
            for s in (["kela"], ["library", "kela"], ["mental"])
        ]  # something for the desks to act on
        assert fingerprint(ctx.db) != empty, "the fingerprint sees a change (else the fuzz test could not fail)"
        self.token = issued[0].view.token or ""


@pytest.fixture
def fuzzed(any_db_config: dict[str, Any], clock: FakeClock) -> Iterator[Fuzzed]:
    app = create_app(any_db_config, clock=clock)
    app.config["TESTING"] = True
    yield Fuzzed(app)
    shutdown(app)


def unchanged_when_refused(fuzz: Fuzzed, status: int, before: str, what: str) -> None:
    if 400 <= status < 500:
        assert fingerprint(fuzz.db) == before, f"{what} was refused with {status} but changed the database"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_generated_requests_never_5xx_match_the_document_and_refusals_change_nothing(
    fuzzed: Fuzzed, mode: GenerationMode
) -> None:
    # Driven by hand rather than through schemathesis's pytest plugin, whose lazy fixture loader relies on
    # pytest internals (``Node._nodeid``) that newer pytest releases no longer have.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the document lost operations"
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
            ],
        )
        def check(case: Any) -> None:
            before = fingerprint(fuzzed.db)
            response = case.call(headers=fuzzed.auth)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            unchanged_when_refused(fuzzed, response.status_code, before, f"{case.method} {case.path}")

        try:
            check()
        except Unsatisfiable:  # negative mode, an operation that takes nothing: no invalid request to make
            assert mode is GenerationMode.NEGATIVE, operation.label


# -- hostile bodies -------------------------------------------------------------------------------------------

NASTY_TEXT = st.text(
    alphabet=st.sampled_from(["\x00", "\x1b", "\x7f", "\u0085", "\n", "\t", "\ud800", "a", "ä"]),
    min_size=1,
    max_size=12,
).filter(lambda s: any(c < " " or "\x7f" <= c <= "\x9f" or "\ud800" <= c <= "\udfff" for c in s))
WRONG_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def operations() -> list[tuple[str, str, list[str]]]:
    """(method, path template, the request body's field names) of every documented operation."""
    document = build_document()
    out = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            fields: list[str] = []
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in ref:
                model = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
                fields = sorted(model.get("properties", {}))
            out.append((method, path, fields))
    return out


def raw(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


@st.composite
def hostile_body(draw: st.DrawFn, fields: list[str]) -> tuple[str, Any]:
    """(kind, what to build it from): the body is built in the test, so that a failing example stays short."""
    kind = draw(st.sampled_from(["deep", "huge", "text", "types", "garbage"]))
    if kind == "deep":
        return kind, (draw(st.sampled_from(fields or ["services"])), draw(st.integers(min_value=40, max_value=1500)))
    if kind == "huge":
        return kind, draw(st.integers(min_value=65_000, max_value=120_000))
    if kind == "text" and fields:
        return kind, {f: draw(NASTY_TEXT) for f in fields}
    if kind == "types" and fields:
        return kind, {f: draw(WRONG_TYPES) for f in fields}
    return "garbage", draw(st.binary(max_size=64))


def build_body(spec: tuple[str, Any], fields: list[str]) -> bytes:
    kind, data = spec
    if kind == "deep":
        key, depth = data
        return f'{{"{key}": {"[" * depth}{"]" * depth}}}'.encode()
    if kind == "huge":
        return raw({f: "x" * data for f in fields or ["x"]})
    if kind in ("text", "types"):
        return raw(data)
    return bytes(data)


@pytest.mark.parametrize(("method", "template", "fields"), operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_hostile_bodies_never_5xx_match_the_document_and_change_nothing(
    fuzzed: Fuzzed, method: str, template: str, fields: list[str]
) -> None:
    openapi = OpenApi()
    path = template.replace("{token}", fuzzed.token).replace("{key}", "d1")
    client = fuzzed.app.test_client()

    @given(spec=hostile_body(fields))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(spec: tuple[str, Any]) -> None:
        body = build_body(spec, fields)
        before = fingerprint(fuzzed.db)
        resp = client.open(
            path, method=method.upper(), data=body, headers={**fuzzed.auth, "Content-Type": "application/json"}
        )
        assert resp.status_code < 500, (method, path, body[:80], resp.get_data(as_text=True)[:300])
        openapi.check(method, resp)
        unchanged_when_refused(fuzzed, resp.status_code, before, f"{method} {path}")

    check()
