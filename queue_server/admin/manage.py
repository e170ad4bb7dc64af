"""The admin pages: staff, devices (enrolment by code) and the audit log, and what every management page shares
(the services page is ``manage_services.py``).

Plain forms (no script needed), in the staff pages' look and language; each posts to a thin view that calls the
same use case as the JSON API and shows the page again with what happened.  Admin sessions only: a clerk gets
403, anyone else is sent to log in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user

from ..domain.errors import DomainError
from ..domain.roles import ADMIN_ROLES
from ..services import devices, staff
from ..web.rendering import catalog, chosen_language, login_redirect, render_page, vuoro
from .views import SECTIONS, SUPERVISOR_SECTIONS, bp

#: the management pages in the navigation's order; a supervisor sees only the day's part
#: what the staff page's buttons do to an account
STAFF_ACTIONS = ("disable", "enable", "reset")


def manager(roles: frozenset[str] = ADMIN_ROLES) -> str | None:
    """The logged-in manager's actor name, or None (the caller sends them to log in); 403 for other roles."""
    if not current_user.is_authenticated:
        return None
    if current_user.principal.role not in roles:
        abort(403)
    return str(current_user.principal.actor)


def manage_page(section: str, status: int = 200, strings: tuple[str, ...] = (), **context: Any) -> Response:
    """One management page in the staff look, with the navigation; ``strings``: the prefixes of the page's own texts."""
    return render_page(
        f"admin/manage_{section}.html",
        lang=chosen_language(),
        catalog=catalog("manage.", "login.", *strings),
        page=f"admin-{section}",
        status=status,
        section=section,
        user=current_user.principal.label,
        sections=SECTIONS if current_user.principal.role in ADMIN_ROLES else SUPERVISOR_SECTIONS,
        dashboard=current_user.principal.role in ADMIN_ROLES,
        **context,
    )


def back_to(section: str, **query: str) -> Response:
    """After a change: back to the section's page (303, so a reload does not post again)."""
    return redirect(url_for(f"admin.manage_{section}", **query), 303)  # type: ignore[return-value,arg-type]


def refused(section: str, exc: DomainError | ValueError, **context: Any) -> Response:
    """The page again with the reason a change was refused, and the error's status (400, 404, 409)."""
    message = exc.message if isinstance(exc, DomainError) else str(exc)
    return manage_page(section, status=getattr(exc, "status", 400), error=message, **context)


# -- staff -------------------------------------------------------------------------------------------------


@bp.get("/staff")
def manage_staff() -> Response:
    """GET /admin/staff: the staff accounts, to add, disable, enable or give a new one-time password."""
    if manager() is None:
        return login_redirect()
    return manage_page("staff", users=staff.list_users(vuoro()))


@bp.post("/staff")
def manage_staff_add() -> Response:
    """POST /admin/staff: add an account; the page shows its one-time password, this once."""
    actor = manager()
    if actor is None:
        return login_redirect()
    try:
        user, password = staff.create_user(
            vuoro(), request.form.get("username", "").strip(), request.form.get("role", ""), actor=actor
        )
    except DomainError as exc:
        return refused("staff", exc, users=staff.list_users(vuoro()))
    return manage_page(
        "staff", users=staff.list_users(vuoro()), one_time={"name": user["username"], "password": password}
    )


@bp.post("/staff/<name>/<action>")
def manage_staff_change(name: str, action: str) -> Response:
    """POST /admin/staff/<name>/<action>: disable, enable or reset an account (reset: a new one-time
    password, shown once on the page)."""
    actor = manager()
    if actor is None:
        return login_redirect()
    if action not in STAFF_ACTIONS:
        abort(404)
    try:
        if action == "reset":
            password = staff.reset_password(vuoro(), name, actor=actor)
            return manage_page("staff", users=staff.list_users(vuoro()), one_time={"name": name, "password": password})
        staff.update_user(vuoro(), name, actor=actor, active=action == "enable")
    except DomainError as exc:
        return refused("staff", exc, users=staff.list_users(vuoro()))
    return back_to("staff")


# -- devices -----------------------------------------------------------------------------------------------


def _local(moment: str | None) -> str | None:
    """A stored UTC time as the centre's wall clock, to the minute (what a manager compares with their watch)."""
    if moment is None:
        return None
    return datetime.fromisoformat(moment).astimezone(vuoro().config.centre.tz).strftime("%Y-%m-%d %H:%M")


def _device_list() -> list[dict[str, Any]]:
    return [
        {**d, "created_local": _local(d["created_at"]), "last_seen_local": _local(d["last_seen_at"])}
        for d in devices.list_devices(vuoro())
    ]


@bp.get("/devices")
def manage_devices() -> Response:
    """GET /admin/devices: the device tokens, and the pairing form with ``?code=`` filled in (the pairing QR)."""
    if manager() is None:
        return login_redirect()
    return manage_page("devices", devices=_device_list(), code=request.args.get("code", "")[:8])


@bp.post("/devices/pair")
def manage_devices_pair() -> Response:
    """POST /admin/devices/pair: enrol the device that shows this code, under this name."""
    actor = manager()
    if actor is None:
        return login_redirect()
    try:
        devices.approve_pairing(
            vuoro(), request.form.get("code", ""), request.form.get("name", "").strip(), actor=actor
        )
    except DomainError as exc:
        return refused("devices", exc, devices=_device_list(), code=request.form.get("code", ""))
    return back_to("devices")


@bp.post("/devices/<int:device_id>/revoke")
def manage_devices_revoke(device_id: int) -> Response:
    """POST /admin/devices/<id>/revoke: revoke a device's token; it is refused at once."""
    actor = manager()
    if actor is None:
        return login_redirect()
    try:
        devices.revoke_device(vuoro(), device_id, actor=actor)
    except DomainError as exc:
        return refused("devices", exc, devices=_device_list(), code="")
    return back_to("devices")
