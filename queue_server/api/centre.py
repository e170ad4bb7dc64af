"""The centre's configuration over HTTP: read it, and change services, exceptions and desks (admins).

Thin handlers: the use cases (``services/centre_admin.py``) validate the whole configuration, audit the
change and hand it to every process; a refused change answers 400 or 409 with the reason and changes nothing.
"""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from ..domain.roles import ADMIN_ROLES, SUPERVISOR_ROLES
from ..services import centre_admin, centre_config
from ..web.auth import current_principal, require
from ..web.context import ctx, parse_body
from ..web.errors import ApiError
from . import bp
from .centre_schemas import ConfigOut, DayExceptionIn, DeskPatch, ServiceCreate, ServicePatch


def _actor() -> str:
    principal = current_principal()
    assert principal is not None  # guaranteed by @require
    return principal.actor


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_request", "the date must look like 2026-12-24") from None


def _out(result: dict[str, object]) -> Response:
    return jsonify(ConfigOut.model_validate(result).model_dump(mode="json"))


@bp.get("/config")
@require(ADMIN_ROLES)
def config_show() -> Response:
    """GET /api/config: the centre's live configuration, in config.yaml's shape, and its version."""
    version, _ = centre_config.current(ctx().db)
    return _out({"version": version, "config": centre_config.document_of(ctx().config)})


@bp.post("/services")
@require(ADMIN_ROLES)
def service_create() -> tuple[Response, int]:
    """POST /api/services: an admin adds a service; 201 with the configuration it makes."""
    body = parse_body(ServiceCreate).model_dump(exclude_unset=True)
    return _out(centre_admin.create_service(ctx(), body, actor=_actor())), 201


@bp.patch("/services/<key>")
@require(ADMIN_ROLES)
def service_update(key: str) -> Response:
    """PATCH /api/services/<key>: change a service; a field left out stays, null gives its default."""
    changes = parse_body(ServicePatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_service(ctx(), key, changes, actor=_actor()))


@bp.delete("/services/<key>")
@require(ADMIN_ROLES)
def service_retire(key: str) -> Response:
    """DELETE /api/services/<key>: retire a service; 409 while it has tickets today or desks serve it."""
    return _out(centre_admin.retire_service(ctx(), key, actor=_actor()))


@bp.put("/services/<key>/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def service_exception_set(key: str, day: str) -> Response:
    """PUT /api/services/<key>/exceptions/<day>: a supervisor closes the service on that date, or
    gives it that day's hours."""
    body = parse_body(DayExceptionIn).model_dump(exclude_defaults=True)
    return _out(centre_admin.set_exception(ctx(), _day(day), body, service=key, actor=_actor()))


@bp.delete("/services/<key>/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def service_exception_remove(key: str, day: str) -> Response:
    """DELETE /api/services/<key>/exceptions/<day>: remove the service's exception on that date."""
    return _out(centre_admin.set_exception(ctx(), _day(day), None, service=key, actor=_actor()))


@bp.put("/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def centre_exception_set(day: str) -> Response:
    """PUT /api/exceptions/<day>: a supervisor closes the whole centre on that date, or gives it that
    day's hours."""
    body = parse_body(DayExceptionIn).model_dump(exclude_defaults=True)
    return _out(centre_admin.set_exception(ctx(), _day(day), body, service=None, actor=_actor()))


@bp.delete("/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def centre_exception_remove(day: str) -> Response:
    """DELETE /api/exceptions/<day>: remove the whole centre's exception on that date."""
    return _out(centre_admin.set_exception(ctx(), _day(day), None, service=None, actor=_actor()))


@bp.patch("/desks/<key>")
@require(SUPERVISOR_ROLES)
def desk_update(key: str) -> Response:
    """PATCH /api/desks/<key>: a supervisor changes a desk for the day: its label, location, zone, services."""
    changes = parse_body(DeskPatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_desk(ctx(), key, changes, actor=_actor()))
