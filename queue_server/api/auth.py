"""Who may call what: bearer tokens for devices and scripts, the login session for clerks and admins."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask_login import UserMixin, current_user

from ..services.accounts import Principal, token_principal
from .context import ctx
from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])

#: roles that may act as a desk, and as a kiosk; admin may do everything
DESK_ROLES = frozenset({"desk", "clerk", "admin"})
KIOSK_ROLES = frozenset({"kiosk", "clerk", "admin"})
ADMIN_ROLES = frozenset({"admin"})


class SessionUser(UserMixin):
    """Flask-Login's view of a logged-in account."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        return str(self.principal.id)


def current_principal() -> Principal | None:
    """The bearer token's principal, else the session user's, else None (anonymous)."""
    if "principal" in g:
        return g.principal
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
