"""``GET /healthz``: 200 while the database answers, 503 saying why otherwise (load balancers, systemd, people).

The 503 body keeps the health shape (``status``, ``database``) and adds the API's error object, so a load balancer
reads ``status`` and an operator reads why: ``{"status": "unavailable", "database": false, "error": {"code":
"database_unavailable", "message": "Connection refused"}}``, with ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .web.errors import RETRY_AFTER_S

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the database answers; 503 with the reason and ``Retry-After`` while it does not."""
    problem = current_app.extensions["vuoro"].db.problem()
    if problem is None:
        return jsonify({"status": "ok", "database": True})
    resp = jsonify(
        {"status": "unavailable", "database": False, "error": {"code": "database_unavailable", "message": problem}}
    )
    resp.status_code = 503
    resp.headers["Retry-After"] = str(RETRY_AFTER_S)
    return resp
