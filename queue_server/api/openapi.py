"""The OpenAPI 3.1 document, built from the same pydantic models that validate requests and shape responses."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import bp
from .appointment_schemas import OPENAPI_EXTRA as APPOINTMENT_EXTRA
from .insight_schemas import OPENAPI_EXTRA
from .openapi_more_operations import LATER_OPERATIONS, RATE_LIMITED
from .openapi_operations import OPERATIONS as FIRST_OPERATIONS
from .schemas import ErrorOut

#: every documented operation, in the document's order
OPERATIONS = [*FIRST_OPERATIONS, *LATER_OPERATIONS]

_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "Accepted: it runs in the background",
    204: "No content",
    400: "Malformed request: invalid_json, invalid_text (a control character), invalid_request",
    401: "Not authenticated",
    403: "Not allowed for this role",
    404: "Unknown service, desk or token",
    409: "Wrong state, or the service is closed",
    413: "The body is larger than 64 kB",
    429: "Rate-limited (the config's limits:); retry after Retry-After seconds",
    503: "The database is not available (code database_unavailable); retry after Retry-After seconds",
}


@functools.cache
def build_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document, built once from ``OPERATIONS`` and the pydantic models."""
    models = {m for op in OPERATIONS for m in (op[3], *op[4].values()) if m is not None}
    _, schemas = models_json_schema(
        [
            (m, "validation" if m.__name__.endswith("Request") else "serialization")
            for m in sorted(models, key=lambda m: m.__name__)
        ],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, responses, who in OPERATIONS:
        op: dict[str, Any] = {"summary": summary, "responses": {}}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            op["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
            ]
        if body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}},
            }
        # every request may be refused at the edge (400: a control character anywhere, a body that does not
        # parse; 413: a body over 64 kB, whatever the method), some are rate-limited (429), and every operation
        # may meet the database away: 503 database_unavailable with Retry-After (docs/deploy.md)
        edge: dict[int, type[BaseModel] | None] = {400: ErrorOut, 413: ErrorOut, 503: ErrorOut}
        if (method, path) in RATE_LIMITED:
            edge[429] = ErrorOut
        for status, model in sorted({**responses, **edge}.items()):
            entry: dict[str, Any] = {"description": _DESCRIPTIONS[status]}
            if model is not None:
                entry["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}
            op["responses"][str(status)] = entry
        if who:
            op["security"] = [{"bearer": []}, {"session": []}]
            op["description"] = f"Who may call: {who}."
        extras = {**OPENAPI_EXTRA, **APPOINTMENT_EXTRA}.get((method, path), {})
        for key, extra in extras.items():  # query parameters, non-JSON bodies
            if key == "responses":
                for status, fields in extra.items():
                    op["responses"][status].update(fields)
            else:
                op[key] = [*op.get(key, []), *extra]
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vuoro queue API",
            "version": "1",
            "description": "Tickets are called by number, never by name; nothing personal is stored.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """GET /api/openapi.json: the API's OpenAPI document (public; the start page links to it)."""
    return jsonify(build_document())
