"""Routes: ``/``, ``/login``, ``/logout``, ``/account/password``, ``/desk``, ``/t/<token>`` and its QR code
``/t/<token>/qr.svg``."""

from __future__ import annotations

import io

import segno
from flask import Response, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from ..api.auth import DESK_ROLES, SessionUser
from ..api.session import release_session_desks
from ..domain.errors import InvalidRequest, NotFound
from ..services.accounts import WrongPassword, authenticate, change_password
from ..services.devices import pairing_status
from ..services.ticket_view import TicketView, track_url
from ..services.tickets import get_ticket
from . import bp
from .rendering import catalog, chosen_language, config, login_redirect, not_found, render_page, safe_next, vuoro

MAX_TOKEN = 128


def _staff_user() -> SessionUser | None:
    if current_user.is_authenticated and current_user.principal.role in DESK_ROLES:
        return current_user
    return None


@bp.get("/")
def index() -> Response:
    cfg = config()
    lang = chosen_language()
    user = current_user.principal.name if current_user.is_authenticated else None
    return render_page("pages/index.html", lang=lang, catalog=catalog("index.", "login."), page="index",
                       kiosks=cfg.kiosks, zones=cfg.zones, zone_map=cfg.zone_map, user=user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """GET: the form.  POST: check the credentials, then go to ``next`` (a local path only) or the desk."""
    lang = chosen_language()
    source = request.form if request.method == "POST" else request.args
    nxt = safe_next(source.get("next"), url_for("pages.desk"))
    if request.method == "GET":
        user = current_user.principal.name if current_user.is_authenticated else None
        notice = "login.logged_out" if request.args.get("bye") == "1" else None
        return render_page("pages/login.html", lang=lang, catalog=catalog("login."), page="login", next=nxt,
                           user=user, notice=notice, error=None, username="")
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[:256]
    principal = authenticate(vuoro().db, username, password) if username and password else None
    if principal is None:
        return render_page("pages/login.html", lang=lang, catalog=catalog("login."), page="login", status=401,
                           next=nxt, user=None, notice=None, error="login.failed", username=username)
    login_user(SessionUser(principal))
    return redirect(nxt, 303)  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    release_session_desks()  # the account's desks close with its session
    logout_user()
    return redirect(url_for("pages.login", bye=1), 303)  # type: ignore[return-value]


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
                changed = change_password(vuoro().db, principal.id, request.form.get("current_password", "")[:256],
                                          new)
            except WrongPassword:
                error = "password.wrong"
            except InvalidRequest:
                error = "password.invalid"
            else:
                login_user(SessionUser(changed))
                return redirect(nxt, 303)  # type: ignore[return-value]
    return render_page("pages/password.html", lang=lang, catalog=catalog("password.", "login."), page="password",
                       status=400 if error else 200, next=nxt, error=error, user=principal.name,
                       must=principal.must_change_password)


@bp.get("/desk")
def desk() -> Response:
    user = _staff_user()
    if user is None:
        return login_redirect()
    lang = chosen_language()
    return render_page("pages/desk.html", lang=lang, catalog=catalog("desk.", "login.", "error."), page="desk",
                       data={"desk": request.args.get("desk", "")}, user=user.principal.name)


def _ticket(token: str) -> TicketView | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    try:
        return get_ticket(vuoro(), token)
    except NotFound:
        return None


@bp.get("/t/<token>")
def phone(token: str) -> Response:
    view = _ticket(token)
    if view is None:
        return not_found("ticket")
    lang = view.language if view.language in config().centre.languages else config().centre.language
    return render_page("pages/phone.html", lang=lang, catalog=catalog("phone."), page="phone",
                       data={"token": token, "chime": url_for("pages.static", filename="sounds/chime.wav")},
                       ticket=view)


def qr_svg(url: str) -> bytes:
    """A scalable QR code (dark on white, quiet zone included) that encodes ``url`` and nothing else."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=4, xmldecl=False, omitsize=True, dark="#000", light="#fff",
              svgclass=None, lineclass=None)
    return out.getvalue()


@bp.get("/pair/<code>/qr.svg")
def pairing_qr(code: str) -> Response:
    """A waiting device's pairing code as a QR code: the admin's phone opens the devices page with it filled in."""
    if pairing_status(vuoro(), code[:8]) != "pending":
        return not_found("text")
    url = f"{config().public_url.rstrip('/')}/admin/devices?code={code[:8].upper()}"
    return Response(qr_svg(url), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str) -> Response:
    view = _ticket(token)
    if view is None:
        return not_found("ticket")
    return Response(qr_svg(track_url(vuoro().config, token)), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})
