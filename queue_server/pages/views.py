"""Routes: ``/``, ``/login``, ``/logout``, ``/account/password``, ``/desk``, ``/t/<token>`` and its QR code
``/t/<token>/qr.svg``; and the 403, 404 and 500 pages every page request gets in the reader's language."""

from __future__ import annotations

import json
import logging

from flask import Response, current_app, make_response, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from ..domain.errors import InvalidRequest, NotFound
from ..domain.roles import DESK_ROLES
from ..services.accounts import WrongPassword, authenticate, change_password
from ..services.devices import pairing_status
from ..services.ticket_view import TicketView, track_url
from ..services.tickets import get_ticket
from ..web.auth import SessionUser, release_session_desks
from ..web.oidc import provider
from ..web.qr import qr_svg
from ..web.rendering import catalog, chosen_language, config, login_redirect, not_found, render_page, safe_next, vuoro
from . import bp

MAX_TOKEN = 128
log = logging.getLogger(__name__)
#: the answer when even the translated error page cannot be written (it needs only memory, but must never fail)
PLAIN_ERROR = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>Vuoro</title></head>
<body><p>Jokin meni vikaan. Yritä hetken päästä uudelleen.</p>
<p lang="sv">Något gick fel. Försök igen om en stund.</p>
<p lang="en">Something went wrong. Please try again in a moment.</p></body></html>
"""


def _staff_user() -> SessionUser | None:
    if current_user.is_authenticated and current_user.principal.role in DESK_ROLES:
        user: SessionUser = current_user
        return user
    return None


@bp.get("/")
def index() -> Response:
    """GET /: the start page: the kiosks, the zones' boards, the desk page, log-in and the API's document."""
    cfg = config()
    lang = chosen_language()
    user = current_user.principal.label if current_user.is_authenticated else None
    return render_page(
        "pages/index.html",
        lang=lang,
        catalog=catalog("index.", "login."),
        page="index",
        kiosks=cfg.kiosks,
        zones=cfg.zones,
        zone_map=cfg.zone_map,
        user=user,
    )


def login_page(
    nxt: str,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    username: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    """The log-in page: the provider's button (``auth.oidc``), the password form (``auth.local_login``), or
    both; with ``error``, why the last try failed, in the reader's language."""
    auth = config().auth
    user = current_user.principal.label if current_user.is_authenticated else None
    page = render_page(
        "pages/login.html",
        lang=chosen_language(),
        catalog=catalog("login."),
        page="login",
        status=status,
        next=nxt,
        user=user,
        notice=notice,
        error=error,
        username=username,
        oidc=auth.oidc.name if auth.oidc else None,
        local_login=auth.local_login,
    )
    page.headers.update(headers or {})
    return page


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """GET: the form.  POST: check the credentials, then go to ``next`` (a local path only) or the desk."""
    source = request.form if request.method == "POST" else request.args
    nxt = safe_next(source.get("next"), url_for("pages.desk"))
    if request.method == "GET":
        return login_page(nxt, notice="login.logged_out" if request.args.get("bye") == "1" else None)
    if not config().auth.local_login:
        return login_page(nxt, status=403, error="login.local_off")
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[:256]
    principal = authenticate(vuoro().db, username, password) if username and password else None
    if principal is None:
        return login_page(nxt, status=401, error="login.failed", username=username)
    login_user(SessionUser(principal))
    return redirect(nxt, 303)  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """Ends the session and closes the account's desks; a provider's account goes on to end the provider's
    session too (RP-initiated logout), which comes back to /login/oidc/logged-out."""
    sso = current_user.is_authenticated and current_user.principal.sso
    release_session_desks()  # the account's desks close with its session
    logout_user()
    login = provider(current_app)
    end_session = login.logout_url() if sso and login is not None else None
    return redirect(end_session or url_for("pages.login", bye=1), 303)  # type: ignore[return-value]


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Response:
    """The logged-in account changes its own password; a one-time password must be changed here first."""
    if not current_user.is_authenticated:
        return login_redirect()
    principal = current_user.principal
    lang = chosen_language()
    nxt = safe_next((request.form if request.method == "POST" else request.args).get("next"), url_for("pages.desk"))
    error = None
    if request.method == "POST":
        new = request.form.get("new_password", "")[:256]
        if new != request.form.get("new_password_again", "")[:256]:
            error = "password.mismatch"
        else:
            try:
                changed = change_password(vuoro().db, principal.id, request.form.get("current_password", "")[:256], new)
            except WrongPassword:
                error = "password.wrong"
            except InvalidRequest:
                error = "password.invalid"
            else:
                login_user(SessionUser(changed))
                return redirect(nxt, 303)  # type: ignore[return-value]
    return render_page(
        "pages/password.html",
        lang=lang,
        catalog=catalog("password.", "login."),
        page="password",
        status=400 if error else 200,
        next=nxt,
        error=error,
        user=principal.label,
        must=principal.must_change_password,
    )


@bp.get("/desk")
def desk() -> Response:
    """GET /desk: the desk page for a logged-in staff account (``?desk=`` picks the desk); anyone else logs in."""
    user = _staff_user()
    if user is None:
        return login_redirect()
    lang = chosen_language()
    return render_page(
        "pages/desk.html",
        lang=lang,
        catalog=catalog("desk.", "login.", "error."),
        page="desk",
        data={"desk": request.args.get("desk", "")},
        user=user.principal.label,
    )


def _ticket(token: str) -> TicketView | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    try:
        return get_ticket(vuoro(), token)
    except NotFound:
        return None


@bp.get("/t/<token>")
def phone(token: str) -> Response:
    """GET /t/<token>: the visitor's phone page for the ticket, in the ticket's language unless ``?lang=`` asks."""
    view = _ticket(token)
    if view is None:
        return not_found("ticket")
    cfg = config()
    ticket_lang = view.language if view.language in cfg.centre.languages else cfg.centre.language
    # ``?lang=xx`` opens the page in another language; the visitor's switch (phone.js) changes the fixed labels
    # only, because the ticket's own texts (service name, wait, later errands) come in the ticket's language
    asked = request.args.get("lang", "")
    lang = asked if asked in cfg.centre.languages else ticket_lang
    data = {
        "token": token,
        "chime": url_for("pages.static", filename="sounds/chime.wav"),
        "ticket-lang": ticket_lang,
        "centre-names": json.dumps(dict(cfg.centre.name), ensure_ascii=False),
        "push": "on" if cfg.push.enabled else "off",
    }  # phone_push.js: offer notifications (issue 16)
    return render_page(
        "pages/phone.html",
        lang=lang,
        catalog=catalog("phone.", "feedback."),
        page="phone",
        data=data,
        js_languages=list(cfg.centre.languages),
        ticket=view,
    )


@bp.get("/pair/<code>/qr.svg")
def pairing_qr(code: str) -> Response:
    """A waiting device's pairing code as a QR code: the admin's phone opens the devices page with it filled in."""
    if pairing_status(vuoro(), code[:8]) != "pending":
        return not_found("text")
    url = f"{config().public_url.rstrip('/')}/admin/devices?code={code[:8].upper()}"
    return Response(qr_svg(url), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str) -> Response:
    """GET /t/<token>/qr.svg: the ticket's phone page as a QR code (not cached); an unknown token: 404."""
    view = _ticket(token)
    if view is None:
        return not_found("ticket")
    return Response(
        qr_svg(track_url(vuoro().config, token)), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


# -- error pages -------------------------------------------------------------------------------------------------


def _is_page_request() -> bool:
    """Whether an error answers a person reading a page: not the JSON API, Socket.IO, health or metrics, nor a
    client that asks for JSON (those keep the API's JSON errors, queue_server/web/errors.py)."""
    if request.path.startswith(("/api/", "/socket.io/")) or request.path in ("/healthz", "/metrics"):
        return False
    return request.accept_mimetypes.best != "application/json"


def error_page(status: int) -> Response:
    """The friendly 403, 404 or 500 page in the reader's language (``chosen_language()``).

    It says nothing about what failed (that is in the log) and reads nothing from the database: the config and
    the catalogues are in memory.  Should even that fail, a fixed page in fi, sv and en answers instead."""
    try:
        if status == 404:
            return not_found("text")
        return render_page(
            "pages/error.html",
            lang=chosen_language(),
            catalog=catalog("index."),
            page="error",
            status=status,
            forbidden=status == 403,
            login_url=url_for("pages.login", next=request.path),
        )
    except Exception:  # noqa: BLE001 - the error page must answer whatever else is broken; logged, not hidden
        log.exception("the %s page could not be written", status)
        return Response(PLAIN_ERROR, status=status, mimetype="text/html")


@bp.record_once
def _register_error_pages(state: BlueprintSetupState) -> None:
    """Page requests that end in 403, 404 or 500 get :func:`error_page`; every other request keeps the API's answer.

    The API's handlers (``register_error_handlers``, registered before this blueprint) answer every path, with
    JSON or Werkzeug's English page; these take their place and hand back each request that is not a page's.
    An unexpected exception still goes through the API's handler first: it logs the error once and turns a
    database outage into its self-reloading 503, which a page keeps."""
    app = state.app
    handlers = app.error_handler_spec[None][None]
    api_http, api_unexpected = handlers.get(HTTPException), handlers.get(Exception)

    def http_error(exc: HTTPException) -> Response | HTTPException:
        if _is_page_request():
            return error_page(exc.code or 500)
        return make_response(api_http(exc)) if api_http is not None else exc

    for code in (403, 404, 500):
        app.register_error_handler(code, http_error)
    if api_unexpected is None:
        return  # Flask turns an unhandled exception into a 500, which http_error answers

    def unexpected(exc: Exception) -> Response:
        answer = make_response(api_unexpected(exc))
        return error_page(500) if answer.status_code == 500 and _is_page_request() else answer

    app.register_error_handler(Exception, unexpected)
