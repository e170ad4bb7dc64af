"""Routes: ``/login/oidc`` (off to the city's provider), ``/login/oidc/callback`` (back, signed in or refused)
and ``/login/oidc/logged-out`` (back from the provider's log-out).  Thin: queue_server/web/oidc.py speaks the
protocol, services/sso.py decides about the account; without ``auth.oidc`` all three answer 404.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, redirect, request, session, url_for
from flask_login import login_user

from ..services.sso import AccountDisabled, NoRole, sign_in
from ..web.auth import SessionUser
from ..web.oidc import OidcLogin, ProviderUnavailable, SignInRefused, provider
from ..web.rendering import chosen_language, not_found, safe_next, vuoro
from . import bp
from .views import login_page

log = logging.getLogger(__name__)
#: where to go once signed in, kept in the session cookie across the trip to the provider
NEXT = "vuoro_oidc_next"
#: how long to wait before trying again when the provider does not answer
RETRY_AFTER_S = 30


def _provider() -> OidcLogin | None:
    return provider(current_app)


def _unavailable(nxt: str, exc: ProviderUnavailable) -> Response:
    log.warning("sign-in with the provider: %s", exc)
    return login_page(nxt, status=503, error="login.oidc_unavailable", headers={"Retry-After": str(RETRY_AFTER_S)})


@bp.get("/login/oidc")
def oidc_login() -> Response:
    """GET /login/oidc: off to the city's provider, keeping ``next`` in the session; 503 when it does not answer."""
    login = _provider()
    if login is None:
        return not_found("text")
    nxt = safe_next(request.args.get("next"), url_for("pages.desk"))
    session[NEXT] = nxt
    try:
        return login.authorize_redirect(chosen_language())
    except ProviderUnavailable as exc:
        return _unavailable(nxt, exc)


@bp.get("/login/oidc/callback")
def oidc_callback() -> Response:
    """GET /login/oidc/callback: back from the provider: signed in and on to ``next``, or the log-in page with
    why not (401 refused, 403 no role or a disabled account, 503 the provider away)."""
    login = _provider()
    if login is None:
        return not_found("text")
    nxt = safe_next(session.get(NEXT), url_for("pages.desk"))
    try:
        principal = sign_in(vuoro(), login.identity())
    except ProviderUnavailable as exc:
        return _unavailable(nxt, exc)
    except SignInRefused as exc:
        log.info("sign-in with the provider refused: %s", exc.reason)
        return login_page(nxt, status=401, error="login.oidc_failed")
    except NoRole:
        log.info("sign-in with the provider refused: no mapped role")
        return login_page(nxt, status=403, error="login.oidc_no_role")
    except AccountDisabled:
        log.info("sign-in with the provider refused: the account is disabled in Vuoro")
        return login_page(nxt, status=403, error="login.oidc_disabled")
    session.pop(NEXT, None)
    login_user(SessionUser(principal))
    log.info("%s signed in with the provider as %s", principal.actor, principal.role)
    return redirect(nxt, 303)  # type: ignore[return-value]


@bp.get("/login/oidc/logged-out")
def oidc_logged_out() -> Response:
    """The provider's log-out comes back here (its registered post-logout URI): the log-in page says goodbye."""
    if _provider() is None:
        return not_found("text")
    return redirect(url_for("pages.login", bye=1), 303)  # type: ignore[return-value]
