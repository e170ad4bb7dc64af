"""Who is behind each Socket.IO connection: a device token's principal, a logged-in account's, or nobody.

Decided once, at connect (a wrong token refuses the connection); every namespace keeps its own table.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import request
from flask_login import current_user

from ..db import Database
from ..domain.text import bad_text
from ..services.accounts import Principal, token_principal

#: longer than any token Vuoro makes (they are 32 characters): not worth hashing
MAX_TOKEN = 256


class SocketPrincipals:
    """Who is behind each socket of one namespace, by ``sid``: a principal, or None for an anonymous screen."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Principal | None] = {}
        self._lock = threading.Lock()

    def connect(self, db: Database, auth: Any) -> bool:
        """Record the caller of this ``connect`` event; False (refuse) for a token that is not valid."""
        principal: Principal | None = None
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is not None:
            # a token that is not a token ({token: 123}, "", a list) is refused like a wrong one, never taken
            # for "no token" (which would connect it as anonymous)
            if not isinstance(token, str) or not token or len(token) > MAX_TOKEN or bad_text(token):
                return False
            principal = token_principal(db, token)
            if principal is None:
                return False
        elif current_user.is_authenticated and not current_user.principal.must_change_password:
            principal = current_user.principal  # (a one-time password reaches nothing until it is changed)
        with self._lock:
            self._by_sid[request.sid] = principal  # type: ignore[attr-defined]
        return True

    def disconnect(self) -> None:
        """Forget the closing socket."""
        with self._lock:
            self._by_sid.pop(request.sid, None)  # type: ignore[attr-defined]

    def sids_of(self, kind: str, principal_id: int) -> list[str]:
        """The sockets held for a user (``kind`` ``user``) or a device token (``token``)."""
        with self._lock:
            return [sid for sid, p in self._by_sid.items() if p is not None and p.kind == kind and p.id == principal_id]

    def current(self) -> Principal | None:
        """The principal behind the current event's socket (None: anonymous)."""
        with self._lock:
            return self._by_sid.get(request.sid)  # type: ignore[attr-defined]
