"""What the tests of staff sign-in share: the city's accounts at the test provider, Vuoro's ``auth:`` section for
it, and the browser's trip through Vuoro and the provider, made with Flask's test client and ``requests``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from flask.testing import FlaskClient

from tests.oidc_provider import OidcProvider, sign_in

#: the city's accounts at the test provider: a clerk limited to desk d1, a supervisor, someone Vuoro has no role for
OIDC_ACCOUNTS: dict[str, dict[str, Any]] = {
    "aino": {"name": "Aino Clerk", "vuoro_roles": ["vuoro-clerk"], "vuoro_desks": ["d1"]},
    "ville": {"name": "Ville Super", "vuoro_roles": ["vuoro-clerk", "vuoro-supervisor"]},
    "outsider": {"name": "Olli Outsider", "vuoro_roles": ["library-staff"]},
}


def oidc_section(provider: OidcProvider, **more: Any) -> dict[str, Any]:
    """``auth:`` for a config that signs staff in at ``provider``."""
    return {
        "oidc": {
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "name": "Espoo-tunnus",
            "role_claim": "vuoro_roles",
            "desks_claim": "vuoro_desks",
            "roles": {"vuoro-clerk": "clerk", "vuoro-supervisor": "supervisor", "vuoro-admin": "admin"},
        },
        **more,
    }


def go_to_provider(client: FlaskClient, nxt: str = "/desk") -> str:
    """``/login/oidc``: the provider's authorization URL Vuoro sends the browser to."""
    resp = client.get(f"/login/oidc?next={nxt}")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return resp.headers["Location"]


def callback_path(url: str) -> str:
    """The provider's redirect back to Vuoro, as a path for the test client (the public URL is not served)."""
    parts = urlsplit(url)
    assert parts.path == "/login/oidc/callback", url
    return f"{parts.path}?{parts.query}"


def sign_in_as(client: FlaskClient, login: str, http: requests.Session | None = None) -> Any:
    """The whole trip as a browser makes it: Vuoro, the provider's form, back to Vuoro's callback."""
    back = sign_in(http or requests.Session(), go_to_provider(client), login)
    return client.get(callback_path(back))


def me(client: FlaskClient) -> dict[str, Any] | None:
    resp = client.get("/api/session")
    return resp.get_json() if resp.status_code == 200 else None
