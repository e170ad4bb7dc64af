"""Where a sign-in at the OpenID provider waits for its callback: Authlib's state cache, kept in the database.

Authlib binds each ``state`` to the browser's session cookie; this store makes it single-use as well, decided
by the database: the callback's read is a ``DELETE ... RETURNING``, so of two callbacks with one state (a
replayed URL, an old cookie, another process) only the first finds it.  What it holds is the PKCE verifier,
the nonce and the redirect URI -- nothing about the user -- and nothing outlives its hour: each new sign-in
sweeps the expired ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..db import Database
from ..models import LoginState


def _key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class LoginStates:
    """The ``cache`` of ``authlib.integrations.flask_client.OAuth``: ``get`` takes, ``set`` puts, ``delete``."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def get(self, key: str) -> str | None:
        """The value, taken out: nobody gets it twice."""
        with self.db.writer() as session:
            return session.scalar(
                sa.delete(LoginState)
                .where(LoginState.key == _key(key), LoginState.expires_at > self.now())
                .returning(LoginState.value)
            )

    def set(self, key: str, value: str, expires_in: int) -> None:
        """Put a new sign-in's state for ``expires_in`` seconds, sweeping the expired ones in passing."""
        now = self.now()
        with self.db.writer() as session:
            session.execute(sa.delete(LoginState).where(LoginState.expires_at <= now))
            session.add(LoginState(key=_key(key), value=value, expires_at=now + timedelta(seconds=expires_in)))

    def delete(self, key: str) -> None:
        """Forget the state under ``key`` (Authlib's clean-up; a state already taken is no error)."""
        with self.db.writer() as session:
            session.execute(sa.delete(LoginState).where(LoginState.key == _key(key)))

    def count(self) -> int:
        """How many sign-ins wait for their callback (tests, and the retention check of docs/security.md)."""
        with self.db.reader() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(LoginState)) or 0
