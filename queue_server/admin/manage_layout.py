"""The desks, zones and kiosks pages: where each service is served, what boards say, what kiosks offer; and a
kiosk's QR poster, to print.

Plain forms over the same use cases as the JSON API (``services/centre_admin.py``, ``services/staff.py``, the
printing port).  A supervisor may change the desks for the day (their label, location, zone and services);
adding and retiring desks, who may open them, zones, kiosks and printers are an admin's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, current_app, request
from flask_login import current_user
from markupsafe import Markup

from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.roles import ADMIN_ROLES, SUPERVISOR_ROLES
from ..i18n.catalogue import text
from ..printing import EXTENSION
from ..services import centre_admin, staff
from ..services.remote import remote_services
from ..web.qr import qr_svg
from ..web.rendering import catalog, chosen_language, login_redirect, not_found, render_page, text_direction, vuoro
from .manage import back_to, manage_page, manager, refused
from .views import bp

STRINGS = ("layout.",)


def _say(key: str) -> str:
    """A reason in the page's language, for a refusal the form itself finds."""
    return catalog(*STRINGS).get(key, chosen_language())


def _texts(prefix: str) -> dict[str, str]:
    """A text per centre language from the form's ``<prefix>-<lang>`` fields; blank ones are left out."""
    values = {lang: request.form.get(f"{prefix}-{lang}", "").strip() for lang in vuoro().config.centre.languages}
    return {lang: text for lang, text in values.items() if text}


def _local(moment: str | None) -> str | None:
    """A stored UTC time as the centre's wall clock, to the second (a printer's check, a test print)."""
    if moment is None:
        return None
    return datetime.fromisoformat(moment).astimezone(vuoro().config.centre.tz).strftime("%Y-%m-%d %H:%M:%S")


# -- what each page shows ----------------------------------------------------------------------------------


def _desks_context() -> dict[str, Any]:
    cfg = vuoro().config
    admin = current_user.principal.role in ADMIN_ROLES
    users = staff.list_users(vuoro()) if admin else []  # who may open a desk: the accounts are an admin's
    limited = {u["username"]: u["desks"] for u in users if u["desks"] is not None}
    desks = [
        {
            "key": d.key,
            "label": d.label if isinstance(d.label, dict) else {cfg.centre.language: d.label},
            "location": d.location,
            "zone": d.zone,
            "services": d.services,
            "who": [name for name, keys in limited.items() if d.key in keys],
        }
        for d in cfg.desks
    ]
    return {
        "desks": desks,
        "zones": cfg.zones,
        "services": cfg.services,
        "users": users,
        "admin": admin,
        "limited": bool(limited),
        "unlimited": len(limited) < len(users),
        "zone_names": {z.key: z.name for z in cfg.zones},
        "service_names": {s.key: s.name for s in cfg.services},
    }


def _zones_context() -> dict[str, Any]:
    return {"zones": vuoro().config.zones}


def _kiosks_context() -> dict[str, Any]:
    cfg = vuoro().config
    printing = current_app.extensions.get(EXTENSION)
    printers = [
        {
            **p,
            "checked_local": _local(p["checked_at"]),
            "test_local": _local(p["last_test"]["at"]) if p.get("last_test") else None,
        }
        for p in (printing.status_list() if printing is not None else [])
    ]
    return {"kiosks": cfg.kiosks, "printers": printers, "zones": cfg.zones, "services": cfg.services}


_CONTEXT: dict[str, Callable[[], dict[str, Any]]] = {
    "desks": _desks_context,
    "zones": _zones_context,
    "kiosks": _kiosks_context,
}


def _show(section: str, roles: frozenset[str] = ADMIN_ROLES) -> Response:
    if manager(roles) is None:
        return login_redirect()
    return manage_page(
        section,
        strings=STRINGS,
        saved=request.args.get("saved") == "1",
        tested=request.args.get("tested", "")[:32],
        **_CONTEXT[section](),
    )


def _change(section: str, roles: frozenset[str], change: Callable[[str], object], **done: str) -> Response:
    """Run one change as the logged-in manager: back to the page (303), or the page again with the reason."""
    actor = manager(roles)
    if actor is None:
        return login_redirect()
    try:
        change(actor)
    except DomainError as exc:
        return refused(section, exc, strings=STRINGS, **_CONTEXT[section]())
    return back_to(section, **(done or {"saved": "1"}))


# -- the forms ---------------------------------------------------------------------------------------------


def _desk_form() -> dict[str, Any]:
    services = request.form.getlist("services")
    if not services:
        raise InvalidRequest(_say("layout.no_services"))
    return {
        "label": _texts("label"),
        "location": _texts("location"),
        "zone": request.form.get("zone", ""),
        "services": services,
    }


def _zone_form() -> dict[str, Any]:
    form = request.form
    try:
        volume = float(form.get("volume", ""))
    except ValueError:
        volume = -1.0
    if not 0 <= volume <= 1:  # NaN too
        raise InvalidRequest(_say("layout.volume_invalid"))
    return {
        "name": _texts("name"),
        "language": form.get("language") or None,
        "languages": form.getlist("languages") or None,
        "chime": form.get("chime") == "1",
        "speech": form.get("speech") == "1",
        "volume": volume,
        "message": _texts("message") or None,
    }


def _kiosk_form() -> dict[str, Any]:
    form = request.form
    return {
        "zone": form.get("zone", ""),
        "printer": form.get("printer") or None,
        "language": form.get("language") or None,
        "services": form.getlist("services") or None,
    }


def _retire(key: str, actor: str) -> None:
    if request.form.get("confirm") != "1":
        raise InvalidRequest(_say("layout.confirm_missing"))
    centre_admin.retire_desk(vuoro(), key, actor=actor)


def _test_print(key: str) -> None:
    printing = current_app.extensions.get(EXTENSION)
    if printing is None:
        raise NotFound(f"no such printer: {key!r}")
    printing.test_print(key)


# -- desks -------------------------------------------------------------------------------------------------


@bp.get("/desks")
def manage_desks() -> Response:
    """GET /admin/desks: the desks and what each serves (for an admin, who may open them); supervisors too."""
    return _show("desks", SUPERVISOR_ROLES)


@bp.post("/desks")
def manage_desk_add() -> Response:
    """POST /admin/desks: an admin adds a desk."""
    return _change(
        "desks",
        ADMIN_ROLES,
        lambda actor: centre_admin.create_desk(
            vuoro(), {"key": request.form.get("key", "").strip(), **_desk_form()}, actor=actor
        ),
    )


@bp.post("/desks/<key>")
def manage_desk_update(key: str) -> Response:
    """POST /admin/desks/<key>: change a desk's label, location, zone and services (a supervisor may too)."""
    return _change(
        "desks", SUPERVISOR_ROLES, lambda actor: centre_admin.update_desk(vuoro(), key, _desk_form(), actor=actor)
    )


@bp.post("/desks/<key>/retire")
def manage_desk_retire(key: str) -> Response:
    """POST /admin/desks/<key>/retire: an admin retires a desk, once the form's confirmation is ticked."""
    return _change("desks", ADMIN_ROLES, lambda actor: _retire(key, actor))


@bp.post("/accounts/<name>/desks")
def manage_account_desks(name: str) -> Response:
    """The desks an account may open: those ticked, or, with none ticked, any desk."""
    return _change(
        "desks",
        ADMIN_ROLES,
        lambda actor: staff.update_user(vuoro(), name, actor=actor, desks=request.form.getlist("desks") or None),
    )


# -- zones -------------------------------------------------------------------------------------------------


@bp.get("/zones")
def manage_zones() -> Response:
    """GET /admin/zones: the zones, and what their boards say and play."""
    return _show("zones")


@bp.post("/zones/<key>")
def manage_zone_update(key: str) -> Response:
    """POST /admin/zones/<key>: change a zone's name, languages, chime, speech, volume, boards' message."""
    return _change(
        "zones", ADMIN_ROLES, lambda actor: centre_admin.update_zone(vuoro(), key, _zone_form(), actor=actor)
    )


# -- kiosks and printers -----------------------------------------------------------------------------------


@bp.get("/kiosks")
def manage_kiosks() -> Response:
    """GET /admin/kiosks: the kiosks and what each offers, and the printers with their health and last test."""
    return _show("kiosks")


@bp.post("/kiosks/<key>")
def manage_kiosk_update(key: str) -> Response:
    """POST /admin/kiosks/<key>: change a kiosk's zone, printer, language and the services it offers."""
    return _change(
        "kiosks", ADMIN_ROLES, lambda actor: centre_admin.update_kiosk(vuoro(), key, _kiosk_form(), actor=actor)
    )


@bp.post("/printers/<key>/test")
def manage_printer_test(key: str) -> Response:
    """POST /admin/printers/<key>/test: print a test ticket; the page comes back with ``?tested=<key>``."""
    return _change("kiosks", ADMIN_ROLES, lambda actor: _test_print(key), tested=key)


@bp.get("/kiosks/<key>/poster")
def manage_kiosk_poster(key: str) -> Response:
    """The kiosk's QR poster: an A4 page whose code opens ``/join/<kiosk>`` on a visitor's phone, its line in
    each of the centre's languages.  The code is inline SVG from our own generator (no script, no style
    attribute: the page keeps the strict CSP)."""
    if manager() is None:
        return login_redirect()
    cfg = vuoro().config
    if key not in cfg.kiosk_map:
        return not_found("kiosk")
    url = f"{cfg.public_url.rstrip('/')}/join/{key}"
    lines = [
        {
            "lang": code,
            "dir": text_direction(code),
            "take": text("poster.take", code),
            "scan": text("poster.scan", code),
        }
        for code in cfg.centre.languages
    ]
    names = list(dict.fromkeys(cfg.text(cfg.centre.name, code) for code in cfg.centre.languages))
    qr = Markup(qr_svg(url).decode())  # noqa: S704 - segno's SVG of our own URL, no text of anybody's
    return render_page(
        "admin/poster.html",
        lang=chosen_language(),
        catalog=catalog("poster."),
        page="admin-poster",
        kiosk=key,
        url=url,
        qr=qr,
        lines=lines,
        names=names,
        remote=bool(remote_services(cfg, key)),
    )
