"""Staff accounts of the city's OpenID provider: made at the first sign-in, kept in step at each later one.

The provider says who the user is and what role they have; Vuoro says whether they may come in.  A first
sign-in creates the account with the mapped role, a role or desks change at the provider applies at the next
sign-in, a token without a mapped role is refused, and an account disabled in Vuoro stays out whatever the
provider says.  The desks follow the provider only when ``auth.oidc.desks_claim`` is set; otherwise a manager
sets them in Vuoro and sign-ins leave them be.  Every account change is audited, in the same transaction, by
the actor ``oidc``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.errors import DomainError
from ..domain.sso import Identity
from ..models import User
from . import audit
from .accounts import NO_PASSWORD, Principal, principal_of
from .context import Context
from .outbox import note_revoked, writing

#: who the audit log names for a change the provider's token made
ACTOR = "oidc"


class NoRole(DomainError):
    """The provider vouched for the user, but none of the token's role values is mapped to a Vuoro role."""

    code = "no_role"
    status = 403


class AccountDisabled(DomainError):
    """A manager disabled the account in Vuoro: the provider's word does not bring it back."""

    code = "account_disabled"
    status = 403


def sign_in(ctx: Context, identity: Identity) -> Principal:
    """The account for a verified identity, made or brought up to date; NoRole or AccountDisabled refuse it.

    Two first sign-ins of one user at once (two tabs) meet at the unique subject: the second finds the first's
    account on its retry."""
    try:
        return _sign_in(ctx, identity)
    except sa.exc.IntegrityError:
        return _sign_in(ctx, identity)


def _sign_in(ctx: Context, identity: Identity) -> Principal:
    with writing(ctx) as session:
        user = session.scalar(sa.select(User).where(User.subject == identity.subject).with_for_update())
        if user is not None and not user.active:
            raise AccountDisabled("this account is disabled in Vuoro")
        if identity.role is None:
            raise NoRole("the provider gives this user no role that Vuoro knows")
        if user is None:
            user = _create(session, ctx, identity, identity.role)
        else:
            _update(session, ctx, user, identity, identity.role)
        return principal_of(user)


def _state(user: User) -> dict[str, Any]:
    return {"role": user.role, "desks": user.desks, "display_name": user.display_name}


def _create(session: orm.Session, ctx: Context, identity: Identity, role: str) -> User:
    user = User(
        username=identity.username,
        password_hash=NO_PASSWORD,
        role=role,
        active=True,
        must_change_password=False,
        desks=list(identity.desks) if identity.desks is not None else None,
        created_at=ctx.now(),
        subject=identity.subject,
        display_name=identity.name,
    )
    session.add(user)
    session.flush()
    audit.record(session, ctx, actor=ACTOR, action="user.create", target=user.username, after=_state(user))
    return user


def _update(session: orm.Session, ctx: Context, user: User, identity: Identity, role: str) -> None:
    before = _state(user)
    user.role = role
    if identity.desks_from_token:
        user.desks = list(identity.desks) if identity.desks is not None else None
    user.display_name = identity.name
    after = _state(user)
    if before == after:
        return
    audit.record(session, ctx, actor=ACTOR, action="user.update", target=user.username, before=before, after=after)
    if before["role"] != after["role"] or before["desks"] != after["desks"]:
        note_revoked(session, "user", user.id)  # sockets opened with the old rights close
