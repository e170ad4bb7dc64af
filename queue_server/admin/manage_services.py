"""The services page (``/admin/services``): whether each service is open now, its names, prefix, times and limit,
its weekly opening hours, and the exceptions by date of the whole centre and of each service, in a calendar.

Admins edit, create and retire services and change their weekly hours and appointments (``appointments:``);
supervisors (and admins) change the day's hours: exceptions by date, "close for today" (an exception for today)
and "reopen".  Every form calls the use case the JSON API calls (``services/centre_admin.py``), which validates
the whole configuration and hands it to every process: kiosks, boards and the booking page's slots follow
within a second, without a restart.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask import Response, request
from flask_login import current_user

from ..config import ServiceConfig, VuoroConfig
from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.hours import WEEKDAYS
from ..domain.roles import ADMIN_ROLES, SUPERVISOR_ROLES
from ..i18n.formats import month_name, weekday_name
from ..services import centre_admin
from ..services.context import Context
from ..web.rendering import chosen_language, login_redirect, vuoro
from . import manage_services_forms as forms
from .manage import back_to, manage_page, manager, refused
from .views import bp

STRINGS = ("services.",)
#: the calendar shows this many months from the chosen one (?month=YYYY-MM, this month by default)
MONTHS_SHOWN = 2

Change = Callable[[Context, str], object]


# -- what the page shows ---------------------------------------------------------------------------------------


def _context(
    *, edit: str | None = None, month: str | None = None, posted: Mapping[str, str] | None = None
) -> dict[str, Any]:
    ctx = vuoro()
    cfg, lang = ctx.config, chosen_language()
    local = ctx.now().astimezone(cfg.centre.tz)
    first = _first_of(month, local.date())
    admin = current_user.principal.role in ADMIN_ROLES
    marks = _marks(cfg, lang)
    return {
        "services": [_row(cfg, s, local, lang) for s in cfg.services],
        "today": local.date().isoformat(),
        "admin": admin,
        "new": forms.form_values(None, cfg.centre.languages),
        "edit": _edit_view(cfg.service_map[edit], cfg.centre.languages) if admin and edit in cfg.service_map else None,
        "weekdays": WEEKDAYS,
        "posted": posted or {},
        "month": _month_key(first),
        "day_name": lambda day, width="wide": weekday_name(WEEKDAYS.index(day), lang, width),
        "month_name": lambda month: month_name(month, lang),
        "prev_month": _month_key(_add_months(first, -1)),
        "next_month": _month_key(_add_months(first, 1)),
        "this_month": _month_key(local.date()),
        "months": [_month(_add_months(first, i), local.date(), marks) for i in range(MONTHS_SHOWN)],
    }


def _row(cfg: VuoroConfig, s: ServiceConfig, local: datetime, lang: str) -> dict[str, Any]:
    hours = cfg.hours_map[s.key]
    is_open = hours.is_open(local)
    opens = None if is_open else hours.next_opening(local, cfg.centre.tz)
    own_today = s.exceptions.get(local.date())
    return {
        "key": s.key,
        "name": cfg.text(s.name, lang),
        "prefix": s.prefix,
        "open": is_open,
        "opens_at": opens.strftime("%Y-%m-%d %H:%M") if opens else None,
        "closed_today": own_today is not None and own_today.closed,
        "exceptions": sorted((d.isoformat(), e.ranges) for d, e in s.exceptions.items() if d >= local.date()),
    }


def _edit_view(s: ServiceConfig, languages: Sequence[str]) -> dict[str, Any]:
    return {
        "key": s.key,
        "name": s.name,
        "fields": forms.form_values(s, languages),
        "hours": forms.hours_values(s),
        "appointments": forms.appointment_values(s),
        "appointment_bounds": forms.appointment_bounds(),
    }


def _marks(cfg: VuoroConfig, lang: str) -> dict[date, list[dict[str, Any]]]:
    """Each date's exceptions: the centre's closed dates and exceptions first, then each service's own."""
    marks: dict[date, list[dict[str, Any]]] = {}
    for day in cfg.centre.closed_dates:
        marks.setdefault(day, []).append({"service": None, "who": None, "closed": True, "ranges": [], "holiday": True})
    owners = [(None, None, cfg.centre.exceptions)] + [
        (s.key, cfg.text(s.name, lang), s.exceptions) for s in cfg.services
    ]
    for key, who, exceptions in owners:
        for day, e in sorted(exceptions.items()):
            marks.setdefault(day, []).append(
                {"service": key, "who": who, "closed": e.closed, "ranges": e.ranges, "holiday": False}
            )
    return marks


def _month(first: date, today: date, marks: Mapping[date, list[dict[str, Any]]]) -> dict[str, Any]:
    weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
    return {
        "key": _month_key(first),
        "year": first.year,
        "month": first.month,
        "weeks": [
            [
                {
                    "day": d,
                    "iso": d.isoformat(),
                    "inside": d.month == first.month,
                    "today": d == today,
                    "marks": marks.get(d, []),
                    "closed": any(m["closed"] and m["service"] is None for m in marks.get(d, [])),
                }
                for d in week
            ]
            for week in weeks
        ],
    }


def _first_of(text: str | None, today: date) -> date:
    """The first day of ``YYYY-MM``; this month's for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if not 2000 <= year <= 2200:
            raise ValueError(text)
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _month_key(day: date) -> str:
    return day.strftime("%Y-%m")


def _month_after(text: str) -> str:
    """The calendar to go back to: the one the form was sent from if it shows the day, else the day's month."""
    try:
        day = forms.day(text)
    except InvalidRequest:
        return request.form.get("month", "")
    first = _first_of(request.form.get("month"), day)
    return _month_key(first if first <= day < _add_months(first, MONTHS_SHOWN) else day)


# -- the routes ------------------------------------------------------------------------------------------------


def _change(roles: frozenset[str], change: Change, *, editing: str | None = None, **after: str) -> Response:
    """Run one change for a manager of ``roles`` (403 for others), then back to the page; the page again with
    the reason, the form's values and the error's status (400, 404, 409) when it is refused."""
    actor = manager(roles)
    if actor is None:
        return login_redirect()
    try:
        change(vuoro(), actor)
    except DomainError as exc:
        return refused(
            "services",
            exc,
            strings=STRINGS,
            **_context(edit=editing, month=request.form.get("month"), posted=request.form),
        )
    return back_to("services", saved="1", **after)


def _exception_change(service: str | None, day: str | None = None) -> Response:
    """Add (or, given ``day``, remove) an exception of ``service`` or of the whole centre (None)."""

    def change(ctx: Context, actor: str) -> None:
        rule = None if day is not None else forms.exception_rule(request.form)
        centre_admin.set_exception(
            ctx, forms.day(day or request.form.get("day", "")), rule, service=service, actor=actor
        )

    return _change(
        SUPERVISOR_ROLES,
        change,
        month=_month_after(day or request.form.get("day", "")),
        _anchor="calendar" if request.form.get("form") == "calendar" else "services",
    )


@bp.get("/services")
def manage_services() -> Response:
    """GET /admin/services: the services, their hours and the exceptions in a calendar (``?month=``);
    ``?edit=`` opens a service's form for an admin."""
    if manager(SUPERVISOR_ROLES) is None:
        return login_redirect()
    return manage_page(
        "services",
        strings=STRINGS,
        saved=request.args.get("saved") == "1",
        **_context(edit=request.args.get("edit"), month=request.args.get("month")),
    )


@bp.post("/services")
def manage_service_create() -> Response:
    """POST /admin/services: an admin adds a service; the page comes back with its form open."""

    def create(ctx: Context, actor: str) -> None:
        fields = forms.service_fields(request.form, None, ctx.config.centre.languages)
        service = {"key": request.form.get("key", "").strip(), **{k: v for k, v in fields.items() if v is not None}}
        centre_admin.create_service(ctx, service, actor=actor)

    return _change(ADMIN_ROLES, create, edit=request.form.get("key", "").strip(), _anchor="edit")


@bp.post("/services/<key>/edit")
def manage_service_update(key: str) -> Response:
    """POST /admin/services/<key>/edit: save the fields the form changed (none changed: nothing saved)."""

    def update(ctx: Context, actor: str) -> None:
        old = ctx.config.service_map.get(key)
        if old is None:
            raise NotFound(f"no such service: {key!r}")
        changes = forms.changed_fields(request.form, old, ctx.config.centre.languages)
        if changes:
            centre_admin.update_service(ctx, key, changes, actor=actor)

    return _change(ADMIN_ROLES, update, editing=key, edit=key, _anchor="edit")


@bp.post("/services/<key>/hours")
def manage_service_hours(key: str) -> Response:
    """POST /admin/services/<key>/hours: an admin sets the service's weekly opening hours."""
    return _change(
        ADMIN_ROLES,
        lambda ctx, actor: centre_admin.update_service(ctx, key, {"hours": forms.weekly(request.form)}, actor=actor),
        editing=key,
        edit=key,
        _anchor="edit",
    )


@bp.post("/services/<key>/appointments")
def manage_service_appointments(key: str) -> Response:
    """The service's ``appointments:`` block: slots, places, prefix, check-in window, hours; unticked, none.
    Appointments already booked are kept; the slots and new bookings follow the new settings at once."""

    def update(ctx: Context, actor: str) -> None:
        old = ctx.config.service_map.get(key)
        if old is None:
            raise NotFound(f"no such service: {key!r}")
        block = forms.appointments(request.form)
        if block != forms.appointments_of(old):
            centre_admin.update_service(ctx, key, {"appointments": block}, actor=actor)

    return _change(ADMIN_ROLES, update, editing=key, edit=key, _anchor="appointments")


@bp.post("/services/<key>/retire")
def manage_service_retire(key: str) -> Response:
    """POST /admin/services/<key>/retire: an admin retires the service, once the confirmation is ticked."""

    def retire(ctx: Context, actor: str) -> None:
        if request.form.get("confirm") != "1":
            raise InvalidRequest("confirm: tick the box to retire the service")
        centre_admin.retire_service(ctx, key, actor=actor)

    return _change(ADMIN_ROLES, retire, editing=key)


@bp.post("/services/<key>/close")
def manage_service_close(key: str) -> Response:
    """POST /admin/services/<key>/close: "close for today", an exception of today that closes the service."""
    return _change(
        SUPERVISOR_ROLES,
        lambda ctx, actor: centre_admin.set_exception(ctx, ctx.today(), {"closed": True}, service=key, actor=actor),
        _anchor="services",
    )


@bp.post("/services/<key>/reopen")
def manage_service_reopen(key: str) -> Response:
    """POST /admin/services/<key>/reopen: remove today's exception of the service ("reopen")."""
    return _change(
        SUPERVISOR_ROLES,
        lambda ctx, actor: centre_admin.set_exception(ctx, ctx.today(), None, service=key, actor=actor),
        _anchor="services",
    )


@bp.post("/services/<key>/exceptions")
def manage_exception_add(key: str) -> Response:
    """POST /admin/services/<key>/exceptions: a supervisor gives the service an exception on a date."""
    return _exception_change(key)


@bp.post("/services/<key>/exceptions/<day>/remove")
def manage_exception_remove(key: str, day: str) -> Response:
    """POST /admin/services/<key>/exceptions/<day>/remove: remove the service's exception on that date."""
    return _exception_change(key, day)


@bp.post("/exceptions")
def manage_centre_exception_add() -> Response:
    """The calendar's form: an exception of the whole centre, or of the service it names (``service``)."""
    return _exception_change(request.form.get("service") or None)


@bp.post("/exceptions/<day>/remove")
def manage_centre_exception_remove(day: str) -> Response:
    """POST /admin/exceptions/<day>/remove: remove the whole centre's exception on that date."""
    return _exception_change(None, day)
