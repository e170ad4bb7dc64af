"""Clerk and admin log-in for the JSON API (the desk page's form posts here too)."""

from __future__ import annotations

import logging

from flask import Response, jsonify
from flask_login import login_user, logout_user

from ..domain.roles import DESK_ROLES
from ..services.accounts import Principal, authenticate, change_password
from ..web.auth import SessionUser, current_principal, release_session_desks, require
from ..web.context import ctx, parse_body
from ..web.errors import ApiError
from . import bp
from .schemas import LoginRequest, MeOut, PasswordChangeRequest

log = logging.getLogger(__name__)


@bp.post("/session")
def login() -> Response:
    """POST /api/session: a clerk or admin logs in with a password; 403 when the centre signs in by its provider."""
    req = parse_body(LoginRequest)
    if not ctx().config.auth.local_login:
        raise ApiError(403, "local_login_disabled", "sign in with the city's provider: GET /login/oidc")
    principal = authenticate(ctx().db, req.username, req.password)
    if principal is None:
        raise ApiError(401, "bad_credentials", "wrong username or password")
    login_user(SessionUser(principal))
    return _me(principal)


def _me(principal: Principal) -> Response:
    return jsonify(
        MeOut(
            username=principal.name,
            role=principal.role,
            must_change_password=principal.must_change_password,
            sso=principal.sso,
            display_name=principal.display_name,
        ).model_dump()
    )


@bp.get("/session")
@require(DESK_ROLES)
def me() -> Response:
    """GET /api/session: who is logged in (or whose token this is), and whether they must change their password."""
    principal = current_principal()
    assert principal is not None  # guaranteed by @require
    return _me(principal)


@bp.post("/session/password", endpoint="change_password")
def change_password_view() -> tuple[str, int]:
    """The logged-in account changes its own password (the current one proves it is the holder)."""
    principal = current_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "log in first")
    if principal.kind != "user":
        raise ApiError(403, "forbidden", "a password belongs to an account, not to a token")
    req = parse_body(PasswordChangeRequest)
    login_user(SessionUser(change_password(ctx().db, principal.id, req.current_password, req.new_password)))
    return "", 204


@bp.delete("/session")
def logout() -> tuple[str, int]:
    """DELETE /api/session: log out; the account's desks close with its session."""
    release_session_desks()
    logout_user()
    return "", 204
