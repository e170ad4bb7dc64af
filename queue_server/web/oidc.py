"""Signing staff in with the city's OpenID provider: Authlib's Flask client, set up from ``auth.oidc``.

Authlib does the protocol -- the authorization code flow with PKCE (S256), ``state`` and ``nonce``, discovery
from ``/.well-known/openid-configuration``, the ID token's signature against the provider's JWKS (fetched again
when a token names a key it has not seen: the provider rotated its keys), and ``iss``/``aud``/``exp`` with a
small leeway.  This module only adds what Vuoro needs around it: the state kept single-use in the database
(services/login_states.py), the discovered issuer checked against the configured one, ``aud`` checked for the
client id itself, time limits, and the provider's failures sorted into "refused" (a 4xx page) and
"unavailable" (503, try again).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response
from joserfc.errors import JoseError

from ..auth_config import OidcConfig
from ..domain.sso import Identity, identity_from
from ..services.context import Context
from ..services.login_states import LoginStates

log = logging.getLogger(__name__)
EXTENSION = "vuoro_oidc"
#: the name Authlib knows the provider by (its keys in the session cookie start with it)
CLIENT = "city"


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered nonsense (discovery, keys, token endpoint): try again later."""


class SignInRefused(Exception):
    """The provider's answer does not sign anyone in: a bad or replayed state, a refused code, a token that
    fails its checks.  ``reason`` is for the log (never a token); the page says only that it failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OidcLogin:
    """The app's one provider: where to send the browser, and what to make of its way back."""

    def __init__(self, app: Flask, cfg: OidcConfig, context: Context) -> None:
        self.cfg = cfg
        self.callback_url = context.config.public_url.rstrip("/") + "/login/oidc/callback"
        self.logged_out_url = context.config.public_url.rstrip("/") + "/login/oidc/logged-out"
        oauth = OAuth(app, cache=LoginStates(context.db, context.now))
        self.client: Any = oauth.register(
            CLIENT,
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
            server_metadata_url=cfg.discovery_url,
            client_kwargs={
                "scope": " ".join(cfg.scopes),
                "code_challenge_method": "S256",
                "default_timeout": cfg.timeout_s,
            },
        )

    @property
    def _claims(self) -> dict[str, Any]:
        """The ID token's ``iss`` and ``aud`` must name this provider and this client.  Authlib's own default
        checks ``aud`` only through ``azp``, which lets in another client's token that names Vuoro as its
        authorized party (tests/queue_server/test_oidc.py, ``aud_azp``)."""
        return {
            "iss": {"essential": True, "values": [self.cfg.issuer]},
            "aud": {"essential": True, "values": [self.cfg.client_id]},
        }

    def _metadata(self) -> dict[str, Any]:
        """The discovery document (Authlib keeps it after the first fetch), its issuer checked: a document that
        names another issuer would let that one's tokens in."""
        try:
            metadata: dict[str, Any] = self.client.load_server_metadata()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"discovery failed: {type(exc).__name__}") from None
        if str(metadata.get("issuer", "")).rstrip("/") != self.cfg.issuer:
            self.client.server_metadata.clear()  # fetched again next time: perhaps it was a moment's mistake
            raise ProviderUnavailable("the discovery document names another issuer than auth.oidc.issuer")
        return metadata

    def authorize_redirect(self, language: str) -> Response:
        """Off to the provider's log-in page, with a new state, nonce and PKCE challenge."""
        self._metadata()
        try:
            return self.client.authorize_redirect(self.callback_url, ui_locales=language)  # type: ignore[no-any-return]
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"authorization failed: {type(exc).__name__}") from None

    def identity(self) -> Identity:
        """The verified identity of the callback's request, or SignInRefused / ProviderUnavailable."""
        self._metadata()
        try:
            token = self.client.authorize_access_token(leeway=self.cfg.leeway_s, claims_options=self._claims)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"token request failed: {type(exc).__name__}") from None
        except OAuthError as exc:  # a provider's error (access_denied, invalid_grant) or a mismatching state
            raise SignInRefused(f"oauth: {exc.error}") from None
        except (JoseError, ValueError) as exc:  # the ID token's signature or claims
            raise SignInRefused(f"id token: {type(exc).__name__} {getattr(exc, 'error', '')}".strip()) from None
        claims = token.get("userinfo")
        if not claims:
            raise SignInRefused("the token answer has no ID token")
        try:
            return identity_from(
                claims,
                issuer=self.cfg.issuer,
                role_claim=self.cfg.role_claim,
                roles=self.cfg.roles,
                desks_claim=self.cfg.desks_claim,
                name_claim=self.cfg.name_claim,
            )
        except ValueError as exc:
            raise SignInRefused(str(exc)) from None

    def logout_url(self) -> str | None:
        """Where to end the provider's session too (RP-initiated logout), or None when it offers no way.

        No ID token is kept to hint with, so the request names the client instead, as the specification allows;
        the provider comes back to /login/oidc/logged-out."""
        try:
            metadata = self._metadata()
        except ProviderUnavailable as exc:
            log.warning("log-out: the provider's session stays (%s)", exc)
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        url: str = self.client.create_logout_url(
            post_logout_redirect_uri=self.logged_out_url, client_id=self.cfg.client_id
        )["url"]
        return url


def init_app(app: Flask, context: Context) -> None:
    """Set the provider up when ``auth.oidc`` is configured; without it the /login/oidc pages answer 404."""
    cfg = context.config.auth.oidc
    if cfg is not None:
        app.extensions[EXTENSION] = OidcLogin(app, cfg, context)


def provider(app: Flask) -> OidcLogin | None:
    """The app's log-in with the city's provider, or None without ``auth.oidc`` (its pages then answer 404)."""
    found: OidcLogin | None = app.extensions.get(EXTENSION)
    return found
