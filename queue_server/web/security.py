"""The security layer: security headers, CSRF for cookie-authenticated requests, and abuse limits.

- Headers: a Content-Security-Policy without inline scripts or styles, no framing, no sniffing, and no
  referrer (a phone page's URL holds the visitor's token).
- CSRF (Flask-WTF): every state-changing request that carries the session cookie must carry the token
  (form field ``csrf_token`` or header ``X-CSRFToken``, from the page's ``<meta name="csrf-token">``).  One
  without the cookie has no ambient credential to forge, and is authenticated (or refused, 401) on its own,
  unless a browser says it comes from another site (``Origin``).
  Requests with ``Authorization: Bearer`` carry no ambient credential and need none; neither do the visitor's
  own ticket endpoints, where the unguessable token in the path is the credential.
- Rate limits (flask-limiter) from the ``limits:`` section of the config; a limited request is refused before
  its view runs, so nothing is half-written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError

from ..extensions import csrf, limiter
from .errors import error_response

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: endpoints where the path's ticket token or appointment code is the credential (no cookie is involved)
TOKEN_ENDPOINTS = frozenset(
    {"api.cancel", "api.feedback", "api.cancel_appointment", "api.push_subscribe", "api.push_unsubscribe", "api.here"}
)
#: endpoints that log someone in: limited per address
LOGIN_ENDPOINTS = ("api.login", "pages.login")
#: the QR poster's page gives each browser a random name (pages/join.py), the key of its own join budget
JOIN_COOKIE = "vuoro_join"


def permissions_policy(camera: bool = False) -> str:
    """What a page may ask the browser for: nothing, but the kiosk's camera (it reads a booking's QR code)."""
    return f"camera=({'self' if camera else ''}), microphone=(), geolocation=(), payment=()"


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """No inline scripts or styles, nothing from elsewhere.  ``form_targets``: origins a form's redirect may
    lead to -- the city's provider, where the log-out form sends a provider's account on (browsers check
    form-action along the redirects too)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *form_targets]),
            "frame-ancestors 'none'",
        ]
    )


CSP = content_security_policy()


def _kiosk_key() -> str:
    """The device behind a bearer token (one limit per kiosk), else the network address."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "addr:" + get_remote_address()


def _same_origin() -> bool:
    """Whether the request's ``Origin`` (browsers send it with every POST) is this server, or absent."""
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _token_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return "ticket:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]


def _browser_key() -> str:
    """The join page's cookie (hashed), else the address: one budget per phone, even on the centre's Wi-Fi.

    Clearing the cookie gives a new budget, which is why the address keeps a budget of its own too.
    """
    name = request.cookies.get(JOIN_COOKIE, "")
    if name:
        return "browser:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address()


def init_app(app: Flask) -> None:
    """CSRF for requests the session cookie authenticates, the rate limits of the config's ``limits:``, and
    the security headers (CSP and the rest) on every response."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # we decide below which requests need it
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # desk pages stay open all day
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.extensions["vuoro"].config.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    _apply_limits(app)

    @app.before_request
    def _csrf_for_cookie_auth() -> None:
        if request.method not in UNSAFE or request.endpoint in TOKEN_ENDPOINTS:
            return
        if request.routing_exception is not None:  # no such route or method: 404 / 405 say so first
            return
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            # No cookie, no ambient credential to forge: the request is authenticated (or refused with 401)
            # on its own.  A browser posting from another site says so in Origin: refuse that, so no other
            # site can log a visitor's browser in to its own account either.
            if not _same_origin():
                raise CSRFError("The request came from another site.")
            return
        csrf.protect()

    oidc = app.extensions["vuoro"].config.auth.oidc
    policy = content_security_policy((oidc.origin,)) if oidc is not None else CSP

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", policy)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Permissions-Policy", permissions_policy())
        resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith("/api/") or request.path.startswith("/t/"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_response(400, "csrf_failed", f"{exc.description} Reload the page and try again.")

    @app.errorhandler(RateLimitExceeded)
    def _limited(exc: RateLimitExceeded) -> Response:
        # flask-limiter adds Retry-After and the X-RateLimit-* headers to this response
        return error_response(429, "rate_limited", f"too many requests ({exc.description}); wait a moment")


#: (endpoint, limits field, key function, method, shared scope): the limits table, read per request from the
#: current app's config, so each app (tests build many in one process) enforces its own ``limits:`` section
LIMITS: list[tuple[str, str, Callable[[], str], str | None, str | None]] = [
    ("api.issue", "issue_per_kiosk", _kiosk_key, None, None),
    ("api.issue", "issue_per_client", get_remote_address, None, None),
    ("api.show", "ticket_per_token", _token_key, None, None),
    ("api.cancel", "ticket_per_token", _token_key, None, None),
    ("api.feedback", "ticket_per_token", _token_key, None, None),
    ("api.push_subscribe", "ticket_per_token", _token_key, None, None),
    ("api.push_state", "ticket_per_token", _token_key, None, None),
    ("api.here", "ticket_per_token", _token_key, None, None),
    ("api.push_unsubscribe", "ticket_per_token", _token_key, None, None),
    ("pages.ticket_qr", "ticket_per_token", _token_key, None, None),
    ("pages.phone", "ticket_per_token", _token_key, None, None),
    # one budget for both log-in doors: the form and the API must not each grant the full limit
    *[(name, "login", get_remote_address, "POST", "login") for name in LOGIN_ENDPOINTS],
    ("api.book_public", "booking_per_client", get_remote_address, None, None),
    # the QR poster: no token, so a budget per address and a smaller one per browser (its join page's cookie)
    ("api.join", "remote_per_client", get_remote_address, None, None),
    ("api.join", "remote_per_browser", _browser_key, None, None),
    # an appointment's code is its only key: one budget per address for every endpoint that takes one
    *[
        (name, "appointment_code_per_client", get_remote_address, None, "appointment_code")
        for name in ("api.show_appointment", "api.cancel_appointment", "api.appointment_calendar", "pages.book_qr")
    ],
    # each trip to the city's provider leaves a state in the database until its callback or its hour is up
    ("pages.oidc_login", "oidc_per_client", get_remote_address, None, None),
    # asking for a pairing code is asking for a credential: the log-in budget of the address
    ("api.devices_pair_start", "login", get_remote_address, "POST", "login"),
]
#: flask-limiter keeps decorated limits on the (process-wide) limiter: wrap each view function once only
_WRAPPED: dict[tuple[str, int], Callable[..., Any]] = {}


def _configured(field: str) -> Callable[[], str]:
    def value() -> str:
        return str(getattr(current_app.extensions["vuoro"].config.limits, field))

    return value


def _limits_off() -> bool:
    """A request filter: exempt every request of an app whose config says ``limits: {enabled: false}``."""
    return not current_app.extensions["vuoro"].config.limits.enabled


def _apply_limits(app: Flask) -> None:
    """Wrap each limited endpoint's view (once per process) and install the wrapper in this app."""
    if not _WRAPPED:
        limiter.request_filter(_limits_off)
    for endpoint in dict.fromkeys(e for e, *_ in LIMITS):
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        key = (endpoint, id(view))
        if key not in _WRAPPED:
            wrapped = view
            for _, field, key_func, method, shared in (row for row in LIMITS if row[0] == endpoint):
                methods = [method] if method else None
                if shared:
                    decorator = limiter.shared_limit(_configured(field), shared, key_func=key_func, methods=methods)
                else:
                    decorator = limiter.limit(
                        _configured(field), key_func=key_func, methods=methods, scope=f"{endpoint}:{key_func.__name__}"
                    )
                wrapped = decorator(wrapped)  # type: ignore[assignment]
            _WRAPPED[key] = wrapped
        app.view_functions[endpoint] = _WRAPPED[key]
