"""Who may call what: bearer tokens for devices and scripts, the login session for clerks and admins."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, g, redirect, request, url_for
from flask_login import UserMixin, current_user

from ..db import DatabaseUnavailable
from ..services.accounts import Principal, token_principal
from ..services.desk_state import release_desks
from .context import ctx
from .errors import ApiError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

#: what an account whose password must be changed may still reach: the change itself, log-out, who am I
PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"pages.password", "api.change_password", "pages.logout", "api.logout", "api.me", "pages.login", "static"}
)


class SessionUser(UserMixin):  # type: ignore[misc]  # Flask-Login ships no types
    """Flask-Login's view of a logged-in account."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        """The account's id, kept in the session cookie: Flask-Login reloads the account by it each request."""
        return str(self.principal.id)


def current_principal() -> Principal | None:
    """The bearer token's principal, else the session user's, else None (anonymous)."""
    if "principal" in g:
        known: Principal | None = g.principal
        return known
    principal: Principal | None = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "use 'Authorization: Bearer <token>'")
        principal = token_principal(ctx().db, token.strip())
        if principal is None:
            raise ApiError(401, "unauthorized", "unknown or revoked token")
    elif current_user.is_authenticated:
        principal = current_user.principal
    g.principal = principal
    return principal


def require(roles: frozenset[str]) -> Callable[[F], F]:
    """Refuse with 401 when nobody is authenticated and 403 when the role may not do this."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise ApiError(401, "unauthorized", "log in or send a bearer token")
            if principal.role not in roles:
                raise ApiError(403, "forbidden", f"the {principal.role} role may not do this")
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def check_desk(desk_key: str) -> None:
    """403 ``not_your_desk`` for an account that may not open this desk (its ``desks`` list leaves it out)."""
    principal = current_principal()
    if principal is not None and not principal.may_open(desk_key):
        raise ApiError(403, "not_your_desk", f"this account may not open desk {desk_key!r}")


def password_change_gate() -> Response | None:
    """``before_request``: a session whose password must be changed (the first start's one-time one) reaches
    nothing but the change: pages redirect to it, the API answers 403 ``password_change_required``.  Bearer
    tokens are not sessions and pass."""
    if request.headers.get("Authorization") or not current_user.is_authenticated:
        return None
    if not current_user.principal.must_change_password:
        return None
    endpoint = request.endpoint or ""
    if endpoint in PASSWORD_CHANGE_ENDPOINTS or endpoint.endswith(".static"):
        return None
    if request.path.startswith("/api/"):
        raise ApiError(
            403, "password_change_required", "this account's password must be changed first: POST /api/session/password"
        )
    return redirect(url_for("pages.password", next=request.full_path.rstrip("?")), 303)  # type: ignore[return-value]


def release_session_desks() -> None:
    """Close the desks the logged-in account holds (log-out, here and on the /logout page): an open desk nobody
    mans would go on counting for the estimates and the dashboard (services/desk_state.py).  Log-out must
    work with the database away too: the desks then stay as they are, for a supervisor to close."""
    if not current_user.is_authenticated:
        return
    actor = current_user.principal.actor
    try:
        closed = release_desks(ctx(), actor)
    except DatabaseUnavailable as exc:
        log.warning("log-out: could not close the desks of %s (%s)", actor, exc.reason)
        return
    if closed:
        log.info("log-out: %s closed desks %s", actor, ", ".join(closed))
