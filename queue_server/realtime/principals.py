"""Who is behind each Socket.IO connection: a device token's principal, a logged-in account's, or nobody.

Decided once, at connect (a wrong token refuses the connection); every namespace keeps its own table.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import request
from flask_login import current_user

from ..db import Database
from ..services.accounts import Principal, token_principal


class SocketPrincipals:
    def __init__(self) -> None:
        self._by_sid: dict[str, Principal | None] = {}
        self._lock = threading.Lock()

    def connect(self, db: Database, auth: Any) -> bool:
        """Record the caller of this ``connect`` event; False (refuse) for a token that is not valid."""
        principal: Principal | None = None
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            principal = token_principal(db, token)
            if principal is None:
                return False
        elif current_user.is_authenticated:
            principal = current_user.principal
        with self._lock:
            self._by_sid[request.sid] = principal  # type: ignore[attr-defined]
        return True

    def disconnect(self) -> None:
        with self._lock:
            self._by_sid.pop(request.sid, None)  # type: ignore[attr-defined]

    def current(self) -> Principal | None:
        with self._lock:
            return self._by_sid.get(request.sid)  # type: ignore[attr-defined]
