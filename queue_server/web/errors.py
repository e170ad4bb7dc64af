"""One JSON error shape for the whole API: ``{"error": {"code", "message"}}`` with the right status.

A database that cannot answer (stopped, restarting, locked) is a 503 ``database_unavailable`` with ``Retry-After``
on every route, and a short self-refreshing page for the screens, never a 500: nothing is wrong with the request.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from ..db import is_unavailable, unavailable_reason
from ..domain.errors import DomainError

log = logging.getLogger(__name__)
#: seconds a client is asked to wait before it retries while the database is unavailable
RETRY_AFTER_S = 5
#: for pages (kiosk, board, desk, phone): it reloads itself, so a screen comes back with the database
_UNAVAILABLE_PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RETRY_AFTER_S}">
<title>Vuoro</title></head>
<body><p lang="fi">Palvelu on hetken poissa käytöstä. Sivu latautuu uudelleen itsestään.</p>
<p lang="sv">Tjänsten är tillfälligt ur bruk. Sidan laddas om av sig själv.</p>
<p lang="en">The service is unavailable for a moment. This page reloads by itself.</p></body></html>
"""


class ApiError(Exception):
    """A refusal the web layer decides itself (a wrong password, a bad token, a malformed date).
    It is answered in the API's one error shape, {"error": {"code", "message"}}, with its status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


#: the details of a domain error a client may act on (schemas.ErrorBody); the others stay on the server
PUBLIC_DETAILS = ("opens_at", "come_back_at", "start", "walk_in", "service")


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    """The API's one error shape, ``{"error": {"code", "message", ...}}``, with its status (None details left out)."""
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    resp = jsonify({"error": body})
    resp.status_code = status
    return resp


def database_unavailable_response(reason: str) -> Response:
    """503 with ``Retry-After``: JSON ``database_unavailable`` for the API, a page that reloads for screens."""
    if _wants_json():
        message = f"the database is not answering ({reason}); try again in a few seconds"
        resp = error_response(503, "database_unavailable", message)
    else:
        resp = Response(_UNAVAILABLE_PAGE, status=503, mimetype="text/html")
    resp.headers["Retry-After"] = str(RETRY_AFTER_S)
    return resp


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path in ("/healthz", "/metrics")
        or request.accept_mimetypes.best == "application/json"
    )


def register_error_handlers(app: Flask) -> None:
    """Answer every error in that shape: ours, the domain's (their public details), invalid bodies,
    HTTP errors of the API, and anything unexpected (logged; a database outage: 503, never 500)."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        public = {key: exc.details.get(key) for key in PUBLIC_DETAILS}
        return error_response(exc.status, exc.code, exc.message, **public)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> Response:
        return error_response(400, "invalid_request", _validation_message(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        resp = error_response(exc.code or 500, code, exc.description or exc.name)
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The route pattern, not the path: a path may hold a visitor's token.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        if is_unavailable(exc):  # an outage, not a bug: no traceback, and the client is told to come back
            reason = unavailable_reason(exc)
            log.warning("database unavailable on %s %s: %s", request.method, rule, reason)
            return database_unavailable_response(reason)
        log.error("unexpected error on %s %s", request.method, rule, exc_info=exc)
        return error_response(500, "internal_error", "something went wrong; the error was logged")
