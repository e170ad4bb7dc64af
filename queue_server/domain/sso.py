"""What Vuoro takes from a verified ID token: a stable subject, a name for the staff screens, a role, desks.

Pure: the token has been checked (signature, issuer, audience, expiry, nonce) before it gets here, by Authlib
in queue_server/web/oidc.py.  Nothing else of the token is kept -- no e-mail, no groups, no token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .roles import STAFF_RANK

MAX_NAME = 128
MAX_DESKS = 200


@dataclass(frozen=True)
class Identity:
    """A provider's user as Vuoro keeps it.  ``role`` is None when none of the token's values is mapped."""

    subject: str
    name: str
    role: str | None
    #: the desks the user may open (None: any), from the ``desks_claim`` when the config names one
    desks: tuple[str, ...] | None
    #: whether the provider decides the desks (a ``desks_claim`` is configured); if not, Vuoro's staff page does
    #: and a sign-in leaves them as they are
    desks_from_token: bool = False

    @property
    def username(self) -> str:
        """The account's handle: from the subject, so it never collides with a local account nor names anyone."""
        return "sso-" + self.subject[:12]


def subject_of(issuer: str, sub: str) -> str:
    """SHA-256 of the issuer and ``sub``: stable per provider and user, and not the provider's own identifier."""
    return hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()


def _strings(value: Any) -> list[str]:
    """A claim as a list of strings: a string alone, a list of them; anything else counts as nothing."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def mapped_role(claim: Any, roles: Mapping[str, str]) -> str | None:
    """The highest role that one of the claim's values maps to (a clerk who is also an admin is an admin)."""
    found = [roles[v] for v in _strings(claim) if v in roles]
    return max(found, key=STAFF_RANK.__getitem__) if found else None


def identity_from(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    role_claim: str,
    roles: Mapping[str, str],
    desks_claim: str | None,
    name_claim: str,
) -> Identity:
    """The identity a verified token describes.  With a ``desks_claim`` the provider decides the desks: the
    claim missing from the token limits nothing, as a local account without a desks list; present, only the
    desks it lists may be opened.  Without one, the desks are set in Vuoro (the staff page, PATCH /api/users)."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise ValueError("the ID token has no subject")
    subject = subject_of(issuer, sub)
    name = next(
        (v for v in (claims.get(name_claim), claims.get("preferred_username")) if isinstance(v, str) and v), None
    )
    desks = None
    if desks_claim is not None and desks_claim in claims:
        desks = tuple(dict.fromkeys(_strings(claims[desks_claim])))[:MAX_DESKS]
    return Identity(
        subject=subject,
        name=(name or "sso-" + subject[:12])[:MAX_NAME],
        role=mapped_role(claims.get(role_claim), roles),
        desks=desks,
        desks_from_token=desks_claim is not None,
    )
