"""Clerk and admin log-in for the JSON API (the desk page's form posts here too)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import login_user, logout_user

from ..services.accounts import authenticate
from . import bp
from .auth import DESK_ROLES, SessionUser, current_principal, require
from .context import ctx, parse_body
from .errors import ApiError
from .schemas import LoginRequest, MeOut


@bp.post("/session")
def login() -> Response:
    req = parse_body(LoginRequest)
    principal = authenticate(ctx().db, req.username, req.password)
    if principal is None:
        raise ApiError(401, "bad_credentials", "wrong username or password")
    login_user(SessionUser(principal))
    return jsonify(MeOut(username=principal.name, role=principal.role).model_dump())


@bp.get("/session")
@require(DESK_ROLES)
def me() -> Response:
    principal = current_principal()
    assert principal is not None  # guaranteed by @require
    return jsonify(MeOut(username=principal.name, role=principal.role).model_dump())


@bp.delete("/session")
def logout() -> tuple[str, int]:
    logout_user()
    return "", 204
