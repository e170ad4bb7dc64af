"""``GET /healthz``: 200 while the database answers, 503 otherwise (for load balancers and systemd)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    ok = current_app.extensions["vuoro"].db.ping()
    return jsonify({"status": "ok" if ok else "unavailable", "database": ok}), 200 if ok else 503
