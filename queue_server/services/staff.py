"""Staff accounts as a manager runs them: list, add, disable, change a role, reset a password.

A disabled account is refused at once everywhere: its session cookie no longer loads a user (every request
looks the account up), and the change record tells every process to close the sockets it holds for it.  A
reset gives a one-time password, shown once, that must be changed at the next log-in.  Every change is audited,
without the password.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ..domain.errors import InvalidRequest, NotFound
from ..domain.roles import STAFF_ROLES
from ..models import User
from . import audit
from .accounts import actor_of, insert_user
from .context import Context
from .desk_state import release_held
from .outbox import note_revoked, writing


def _out(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "active": user.active,
        "desks": user.desks,
        "must_change_password": user.must_change_password,
        "created_at": user.created_at.isoformat(),
        "sso": user.subject is not None,
        "display_name": user.display_name,
    }


def list_users(ctx: Context) -> list[dict[str, Any]]:
    """Every staff account, by username: role, active or not, desks, provider's or local (never a password)."""
    with ctx.db.reader() as session:
        return [_out(u) for u in session.scalars(sa.select(User).order_by(User.username))]


def create_user(ctx: Context, username: str, role: str, *, actor: str) -> tuple[dict[str, Any], str]:
    """A new account with a one-time password (returned, shown once; changed at the first log-in)."""
    password = secrets.token_urlsafe(12)
    with writing(ctx) as session:
        user = insert_user(session, username, password, role, must_change=True)
        audit.record(session, ctx, actor=actor, action="user.create", target=username, after={"role": role})
        return _out(user), password


_ANY = object()


def update_user(
    ctx: Context, username: str, *, actor: str, active: bool | None = None, role: str | None = None, desks: Any = _ANY
) -> dict[str, Any]:
    """Change an account; ``desks`` (a list of desk keys, or None for any desk) only when given."""
    if role is not None and role not in STAFF_ROLES:
        raise InvalidRequest(f"role: one of {', '.join(STAFF_ROLES)}")
    if desks is not _ANY and desks is not None:
        unknown = sorted(set(desks) - set(ctx.config.desk_map))
        if unknown:
            raise InvalidRequest(f"desks: unknown desk {', '.join(unknown)}")
    with writing(ctx) as session:
        user = session.scalar(sa.select(User).where(User.username == username).with_for_update())
        if user is None:
            raise NotFound(f"no such user: {username!r}")
        before = {"active": user.active, "role": user.role, "desks": user.desks}
        if active is not None:
            user.active = active
        if role is not None:
            user.role = role
        if desks is not _ANY:
            user.desks = sorted(desks) if desks is not None else None
        after = {"active": user.active, "role": user.role, "desks": user.desks}
        if before != after:
            audit.record(session, ctx, actor=actor, action="user.update", target=username, before=before, after=after)
            if before["active"] and not user.active or before["role"] != user.role or before["desks"] != user.desks:
                note_revoked(session, "user", user.id)  # its open sockets were opened with the old rights
            if before["active"] and not user.active:
                release_held(session, ctx, actor_of("user", user.id))  # its desks close with its rights
        return _out(user)


def reset_password(ctx: Context, username: str, *, actor: str) -> str:
    """A new one-time password for the account (returned, shown once); its sockets are closed."""
    password = secrets.token_urlsafe(12)
    with writing(ctx) as session:
        user = session.scalar(sa.select(User).where(User.username == username).with_for_update())
        if user is None:
            raise NotFound(f"no such user: {username!r}")
        if user.subject is not None:
            raise InvalidRequest("this account signs in with the city's provider: it has no password to reset")
        user.password_hash = generate_password_hash(password)
        user.must_change_password = True
        audit.record(session, ctx, actor=actor, action="user.password_reset", target=username)
        note_revoked(session, "user", user.id)
    return password
