"""Clerk and admin accounts (hashed passwords) and device API tokens (stored as SHA-256 hashes)."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import Database
from ..domain.errors import DomainError, InvalidRequest
from ..domain.roles import STAFF_ROLES, TOKEN_ROLES
from ..models import ApiToken, User, utcnow
from . import first_start
from .tokens import new_token, token_hash

log = logging.getLogger(__name__)
MIN_PASSWORD = 8
#: the password hash of an account of the city's OpenID provider: no password ever matches it
NO_PASSWORD = "!sso"  # noqa: S105 - a marker, not a secret


class AccountExists(DomainError):
    """The username of a new account is taken already: 409 ``account_exists``."""

    code = "account_exists"
    status = 409


def actor_of(kind: str, ident: int) -> str:
    """How an account (``user``) or a device token (``token``) is named in the audit log and desk holdings."""
    return f"{kind}:{ident}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``kind`` is ``user`` or ``token``; ``actor`` is what the event log records."""

    kind: str
    id: int
    role: str
    name: str
    #: a user whose password someone else chose: until it is changed, the account can do nothing else
    must_change_password: bool = False
    #: the desks a user may open (None: any); tokens are not limited here
    desks: tuple[str, ...] | None = None
    #: an account of the city's OpenID provider (no password; log-out ends the provider's session too)
    sso: bool = False
    #: what the staff screens show: the provider's name for the user, else the account's handle
    display_name: str | None = None

    def may_open(self, desk_key: str) -> bool:
        """Whether the principal may open and work ``desk_key`` (the desk routes and sockets ask): a user
        limited to some desks, only those; anyone else, any."""
        return self.desks is None or desk_key in self.desks

    @property
    def label(self) -> str:
        """The name the staff screens show: the provider's name for an SSO user, else the account's handle."""
        return self.display_name or self.name

    def own_kiosk(self, kiosks: Collection[str]) -> str | None:
        """The kiosk a kiosk device's token is named after, if it is one of ``kiosks``."""
        return self.name if self.role == "kiosk" and self.name in kiosks else None

    def speaks_for(self, kiosk: str, kiosks: Collection[str]) -> bool:
        """A kiosk device's token speaks for its own kiosk only (over HTTP and Socket.IO alike): a stolen one
        cannot issue tickets or watch the printer of another; staff and other tokens speak for any kiosk."""
        own = self.own_kiosk(kiosks)
        return own is None or kiosk == own

    @property
    def actor(self) -> str:
        """How the audit log, the event log and desk holdings name this principal (``user:3``, ``token:7``)."""
        return actor_of(self.kind, self.id)


class WrongPassword(DomainError):
    """A password change with the wrong current password, or for an account that has none to change
    (SSO, disabled, gone): 403 ``wrong_password``."""

    code = "wrong_password"
    status = 403


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(db: Database, username: str, password: str, role: str, *, must_change: bool = False) -> Principal:
    """Create a staff account in its own transaction (the CLI, the first start); the new principal."""
    with db.writer() as session:
        return principal_of(insert_user(session, username, password, role, must_change=must_change))


def insert_user(session: orm.Session, username: str, password: str, role: str, *, must_change: bool = False) -> User:
    """A new account in the caller's transaction (so that its audit entry commits with it)."""
    if role not in STAFF_ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(STAFF_ROLES)}")
    if not username or len(username) > 64:
        raise InvalidRequest("the username must be 1-64 characters")
    _check_new_password(password)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountExists(f"user {username!r} exists already")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        active=True,
        must_change_password=must_change,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def principal_of(user: User) -> Principal:
    """The caller an account makes: its role, the desks it may open, whether it must change its password first."""
    return Principal(
        "user",
        user.id,
        user.role,
        user.username,
        user.must_change_password,
        tuple(user.desks) if user.desks is not None else None,
        sso=user.subject is not None,
        display_name=user.display_name,
    )


def change_password(db: Database, user_id: int, current: str, new: str) -> Principal:
    """The account's own password change: the current one proves it is the holder; the new one must differ.

    It clears the "must change" mark, which is what lets a first start's admin do anything at all.
    """
    _check_new_password(new)
    if new == current:
        raise InvalidRequest("the new password must differ from the current one")
    with db.writer() as session:
        user = session.get(User, user_id, with_for_update=True)
        if user is None or not user.active or user.subject is not None:
            raise WrongPassword("this account cannot change its password")
        if not check_password_hash(user.password_hash, current):
            raise WrongPassword("the current password is wrong")
        one_time = user.must_change_password
        user.password_hash = generate_password_hash(new)
        user.must_change_password = False
        changed = principal_of(user)
    if one_time:
        first_start.forget()
    return changed


def ensure_first_admin(db: Database) -> tuple[str, str] | None:
    """On a fresh database create ``admin`` with a random one-time password, to be changed at the first
    log-in; returns (name, password)."""
    with db.reader() as session:
        if session.scalar(sa.select(sa.func.count()).select_from(User)):
            return None
    password = secrets.token_urlsafe(12)
    try:
        add_user(db, "admin", password, "admin", must_change=True)
    except (AccountExists, sa.exc.IntegrityError):  # another process won the race (N servers starting at once)
        return None
    return "admin", password


def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """The principal for a local log-in, or None: a wrong password, an unknown or disabled name, a provider's account.

    An unknown name costs as long as a wrong password, so the answer's time does not tell which names exist."""
    with db.reader() as session:
        user = session.scalar(
            sa.select(User).where(User.username == username, User.active.is_(True), User.subject.is_(None))
        )  # a provider's account: no password
    if user is None:
        # Spend the same time as a real check so that response times do not reveal which names exist.
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return principal_of(user)


def load_user(db: Database, user_id: int) -> Principal | None:
    """The session cookie's account, looked up at every request: None once it is deleted or disabled."""
    with db.reader() as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return principal_of(user)


def create_token(db: Database, role: str, name: str) -> str:
    """Create a device token and return it; only its hash is kept, so it is shown this once."""
    with db.writer() as session:
        return insert_token(session, role, name)[1]


def insert_token(session: orm.Session, role: str, name: str) -> tuple[ApiToken, str]:
    """A new device token in the caller's transaction: the row, and the token (shown once, never stored)."""
    if role not in TOKEN_ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(TOKEN_ROLES)}")
    if not name or len(name) > 64:
        raise InvalidRequest("the token name must be 1-64 characters")
    token = new_token()
    row = ApiToken(name=name, role=role, token_hash=token_hash(token), created_at=utcnow())
    session.add(row)
    session.flush()
    return row, token


def token_principal(db: Database, token: str) -> Principal | None:
    """The live token's principal, or None; notes that the device was seen (at most once a minute)."""
    with db.engine.connect() as conn:
        row = conn.execute(_LIVE_TOKEN, {"hash": token_hash(token)}).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_seen_at is None or now - row.last_seen_at > SEEN_EVERY:
        _mark_seen(db, row.id, now)
    return Principal("token", row.id, row.role, row.name)


def _mark_seen(db: Database, token_id: int, now: datetime) -> None:
    """Best effort: a device's "last seen" is worth no failed request (a busy SQLite, a database going away)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(_SEEN, {"token_id": token_id, "seen": now})
    except sa.exc.OperationalError as exc:  # busy or away; anything else is a bug and must show
        log.info("could not note that device %d was seen (%s)", token_id, type(exc).__name__)


# Built once, in Core (no ORM object load): every device request looks its token up (see docs/performance.md).
_TOKENS = ApiToken.__table__
_LIVE_TOKEN = sa.select(_TOKENS.c.id, _TOKENS.c.role, _TOKENS.c.name, _TOKENS.c.last_seen_at).where(
    _TOKENS.c.token_hash == sa.bindparam("hash"), _TOKENS.c.revoked_at.is_(None)
)
_SEEN = sa.update(ApiToken).where(_TOKENS.c.id == sa.bindparam("token_id")).values(last_seen_at=sa.bindparam("seen"))
#: how stale "last seen" may get: one write a minute per device instead of one per request
SEEN_EVERY = timedelta(minutes=1)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")
