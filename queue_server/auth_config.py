"""``auth:`` in config.yaml: how staff sign in -- the city's OpenID Connect provider, local accounts, or both.

A machine setting like the database URL: it stays in the file (and the client secret preferably in the
environment, ``VUORO_OIDC_CLIENT_SECRET``), never in the centre's live document, which supervisors edit.
docs/deploy.md shows how to register Vuoro at Entra ID and at Keycloak, and which claims to map.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .domain.roles import StaffRole

ClaimName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/-]{1,128}$")]


class OidcConfig(BaseModel):
    """One OpenID Connect provider (Entra ID, Keycloak, a national identity broker).

    ``roles`` maps a value of the ``role_claim`` (a string or a list of strings in the ID token) to a Vuoro
    role; a user whose token carries none of the mapped values is refused.  With ``desks_claim`` the token's
    list of desk keys limits the desks the user may open, as an account's ``desks`` does.
    """

    model_config = ConfigDict(extra="forbid")

    issuer: str
    client_id: Annotated[str, Field(min_length=1, max_length=256)]
    #: the client secret; better given in the environment variable VUORO_OIDC_CLIENT_SECRET than in the file
    client_secret: Annotated[str, Field(min_length=1)]
    scopes: list[ClaimName] = Field(default_factory=lambda: ["openid", "profile"])
    role_claim: ClaimName = "roles"
    #: a provider's claim maps to a staff role only, never to a device's
    roles: dict[str, StaffRole] = Field(min_length=1)
    desks_claim: ClaimName | None = None
    #: the claim whose value the staff screens show beside "Log out" (falls back to preferred_username)
    name_claim: ClaimName = "name"
    #: what the log-in page's button says: "Sign in with <name>"
    name: Annotated[str, Field(min_length=1, max_length=64)] = "OpenID Connect"
    #: the clock skew allowed when checking the ID token's exp and iat (seconds)
    leeway_s: Annotated[int, Field(ge=0, le=300)] = 60
    #: how long a call to the provider (discovery, keys, token) may take before the sign-in answers 503
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5

    @field_validator("issuer")
    @classmethod
    def _issuer_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("the issuer is the provider's https URL, as its discovery document names it")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("the scopes must include 'openid' (without it there is no ID token)")
        return value

    @property
    def discovery_url(self) -> str:
        """The provider's discovery document, where the sign-in (web/oidc.py) finds its endpoints and keys."""
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def origin(self) -> str:
        """The provider's origin: the log-out form posts to Vuoro, which sends the browser on to it (CSP)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


class AuthConfig(BaseModel):
    """``local_login: false`` leaves only the provider's button (the password form and POST /api/session
    with a password answer 403); local accounts stay for small centres and for when the provider is down."""

    model_config = ConfigDict(extra="forbid")

    oidc: OidcConfig | None = None
    local_login: bool = True

    @model_validator(mode="after")
    def _a_way_in(self) -> AuthConfig:
        if not self.local_login and self.oidc is None:
            raise ValueError("local_login: false needs auth.oidc: otherwise nobody can sign in")
        return self


def with_secret_from_env(data: dict[str, object], secret: str | None) -> dict[str, object]:
    """``VUORO_OIDC_CLIENT_SECRET`` fills (or replaces) ``auth.oidc.client_secret`` when ``auth.oidc`` is given."""
    if not secret:
        return data
    auth = data.get("auth")
    if not isinstance(auth, dict) or not isinstance(auth.get("oidc"), dict):
        return data
    return {**data, "auth": {**auth, "oidc": {**auth["oidc"], "client_secret": secret}}}
