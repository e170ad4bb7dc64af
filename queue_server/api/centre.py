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
    version, _ = centre_config.current(ctx().db)
    return _out({"version": version, "config": centre_config.document_of(ctx().config)})


@bp.post("/services")
@require(ADMIN_ROLES)
def service_create() -> tuple[Response, int]:
    body = parse_body(ServiceCreate).model_dump(exclude_unset=True)
    return _out(centre_admin.create_service(ctx(), body, actor=_actor())), 201


@bp.patch("/services/<key>")
@require(ADMIN_ROLES)
def service_update(key: str) -> Response:
    changes = parse_body(ServicePatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_service(ctx(), key, changes, actor=_actor()))


@bp.delete("/services/<key>")
@require(ADMIN_ROLES)
def service_retire(key: str) -> Response:
    return _out(centre_admin.retire_service(ctx(), key, actor=_actor()))


@bp.put("/services/<key>/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def service_exception_set(key: str, day: str) -> Response:
    body = parse_body(DayExceptionIn).model_dump(exclude_defaults=True)
    return _out(centre_admin.set_exception(ctx(), _day(day), body, service=key, actor=_actor()))


@bp.delete("/services/<key>/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def service_exception_remove(key: str, day: str) -> Response:
    return _out(centre_admin.set_exception(ctx(), _day(day), None, service=key, actor=_actor()))


@bp.put("/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def centre_exception_set(day: str) -> Response:
    body = parse_body(DayExceptionIn).model_dump(exclude_defaults=True)
    return _out(centre_admin.set_exception(ctx(), _day(day), body, service=None, actor=_actor()))


@bp.delete("/exceptions/<day>")
@require(SUPERVISOR_ROLES)
def centre_exception_remove(day: str) -> Response:
    return _out(centre_admin.set_exception(ctx(), _day(day), None, service=None, actor=_actor()))


@bp.patch("/desks/<key>")
@require(SUPERVISOR_ROLES)
def desk_update(key: str) -> Response:
    changes = parse_body(DeskPatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_desk(ctx(), key, changes, actor=_actor()))
