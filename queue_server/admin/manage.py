"""The admin pages: services and their exceptions by date, staff, devices (enrolment by code) and the audit log.

Plain forms (no script needed), in the staff pages' look and language; each posts to a thin view that calls the
same use case as the JSON API and shows the page again with what happened.  Admin sessions only: a clerk gets
403, anyone else is sent to log in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user

from ..api.auth import ADMIN_ROLES, SUPERVISOR_ROLES
from ..domain.errors import DomainError
from ..pages.rendering import catalog, chosen_language, login_redirect, render_page, vuoro
from ..pages.strings import LOGIN
from ..services import audit as audit_service
from ..services import centre_admin, devices, staff
from .manage_strings import MANAGE
from .views import bp

SECTIONS = ("services", "staff", "devices", "audit")


def _admin(roles: frozenset[str] = ADMIN_ROLES) -> str | None:
    """The logged-in manager's actor name, or None (the caller sends them to log in); 403 for other roles."""
    if not current_user.is_authenticated:
        return None
    if current_user.principal.role not in roles:
        abort(403)
    return str(current_user.principal.actor)


def _page(section: str, status: int = 200, **context: Any) -> Response:
    return render_page(f"admin/manage_{section}.html", lang=chosen_language(), catalog=catalog(MANAGE, LOGIN),
                       page=f"admin-{section}", status=status, section=section, user=current_user.principal.name,
                       sections=SECTIONS if current_user.principal.role in ADMIN_ROLES else ("services",),
                       dashboard=current_user.principal.role in ADMIN_ROLES, **context)


def _done(section: str, **query: str) -> Response:
    return redirect(url_for(f"admin.manage_{section}", **query), 303)  # type: ignore[return-value,arg-type]


def _refused(section: str, exc: DomainError | ValueError, **context: Any) -> Response:
    message = exc.message if isinstance(exc, DomainError) else str(exc)
    return _page(section, status=getattr(exc, "status", 400), error=message, **context)


# -- services and exceptions -----------------------------------------------------------------------------------

def _services_context() -> dict[str, Any]:
    ctx = vuoro()
    local = ctx.now().astimezone(ctx.config.centre.tz)
    return {"services": [{"key": s.key, "name": ctx.config.text(s.name, chosen_language()), "prefix": s.prefix,
                          "open": ctx.config.hours_map[s.key].is_open(local),
                          "exceptions": sorted((d.isoformat(), e.ranges) for d, e in s.exceptions.items())}
                         for s in ctx.config.services],
            "today": ctx.today().isoformat()}


@bp.get("/services")
def manage_services() -> Response:
    if _admin(SUPERVISOR_ROLES) is None:
        return login_redirect()
    return _page("services", saved=request.args.get("saved") == "1", **_services_context())


@bp.post("/services/<key>/exceptions")
def manage_exception_add(key: str) -> Response:
    actor = _admin(SUPERVISOR_ROLES)
    if actor is None:
        return login_redirect()
    form = request.form
    hours = [h.strip() for h in form.get("hours", "").split(",") if h.strip()]
    try:
        day = date.fromisoformat(form.get("day", ""))
        rule = {"closed": True} if form.get("closed") or not hours else {"hours": hours}
        centre_admin.set_exception(vuoro(), day, rule, service=key, actor=actor)
    except (DomainError, ValueError) as exc:
        return _refused("services", exc, **_services_context())
    return _done("services", saved="1")


@bp.post("/services/<key>/exceptions/<day>/remove")
def manage_exception_remove(key: str, day: str) -> Response:
    actor = _admin(SUPERVISOR_ROLES)
    if actor is None:
        return login_redirect()
    try:
        centre_admin.set_exception(vuoro(), date.fromisoformat(day), None, service=key, actor=actor)
    except (DomainError, ValueError) as exc:
        return _refused("services", exc, **_services_context())
    return _done("services", saved="1")


# -- staff -------------------------------------------------------------------------------------------------

@bp.get("/staff")
def manage_staff() -> Response:
    if _admin() is None:
        return login_redirect()
    return _page("staff", users=staff.list_users(vuoro()))


@bp.post("/staff")
def manage_staff_add() -> Response:
    actor = _admin()
    if actor is None:
        return login_redirect()
    try:
        user, password = staff.create_user(vuoro(), request.form.get("username", "").strip(),
                                           request.form.get("role", ""), actor=actor)
    except DomainError as exc:
        return _refused("staff", exc, users=staff.list_users(vuoro()))
    return _page("staff", users=staff.list_users(vuoro()), one_time={"name": user["username"], "password": password})


@bp.post("/staff/<name>/<action>")
def manage_staff_change(name: str, action: str) -> Response:
    actor = _admin()
    if actor is None:
        return login_redirect()
    if action not in ("disable", "enable", "reset"):
        abort(404)
    try:
        if action == "reset":
            password = staff.reset_password(vuoro(), name, actor=actor)
            return _page("staff", users=staff.list_users(vuoro()), one_time={"name": name, "password": password})
        staff.update_user(vuoro(), name, actor=actor, active=action == "enable")
    except DomainError as exc:
        return _refused("staff", exc, users=staff.list_users(vuoro()))
    return _done("staff")


# -- devices -----------------------------------------------------------------------------------------------

@bp.get("/devices")
def manage_devices() -> Response:
    if _admin() is None:
        return login_redirect()
    return _page("devices", devices=devices.list_devices(vuoro()), code=request.args.get("code", "")[:8])


@bp.post("/devices/pair")
def manage_devices_pair() -> Response:
    actor = _admin()
    if actor is None:
        return login_redirect()
    try:
        devices.approve_pairing(vuoro(), request.form.get("code", ""), request.form.get("name", "").strip(),
                                actor=actor)
    except DomainError as exc:
        return _refused("devices", exc, devices=devices.list_devices(vuoro()), code=request.form.get("code", ""))
    return _done("devices")


@bp.post("/devices/<int:device_id>/revoke")
def manage_devices_revoke(device_id: int) -> Response:
    actor = _admin()
    if actor is None:
        return login_redirect()
    try:
        devices.revoke_device(vuoro(), device_id, actor=actor)
    except DomainError as exc:
        return _refused("devices", exc, devices=devices.list_devices(vuoro()), code="")
    return _done("devices")


# -- audit -------------------------------------------------------------------------------------------------

@bp.get("/audit")
def manage_audit() -> Response:
    if _admin() is None:
        return login_redirect()
    return _page("audit", entries=audit_service.entries(vuoro().db, limit=200))
