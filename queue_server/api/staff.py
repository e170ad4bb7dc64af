"""Staff accounts, device tokens and the audit log over HTTP (admins).  Thin handlers over
``services/staff.py``, ``services/devices.py`` and ``services/audit.py``."""

from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from ..domain.errors import NotFound
from ..domain.roles import ADMIN_ROLES
from ..models import as_utc
from ..services import audit as audit_service
from ..services import devices as device_service
from ..services import staff as staff_service
from ..web.auth import current_principal, require
from ..web.context import ctx, parse_body
from . import bp
from .centre_schemas import (
    AuditEnvelope,
    DeviceCreate,
    DeviceCreated,
    DeviceOut,
    DevicePaired,
    DevicesEnvelope,
    OneTimePasswordOut,
    PairingApprove,
    PairingStart,
    PairingStarted,
    PairingStatus,
    UserCreate,
    UserOut,
    UserPatch,
    UsersEnvelope,
)
from .insight_schemas import AuditQuery


def _actor() -> str:
    principal = current_principal()
    assert principal is not None  # guaranteed by @require
    return principal.actor


@bp.get("/users")
@require(ADMIN_ROLES)
def users_list() -> Response:
    """GET /api/users: the staff accounts, their roles and the desks each may open."""
    return jsonify(UsersEnvelope(users=staff_service.list_users(ctx())).model_dump())  # type: ignore[arg-type]


@bp.post("/users")
@require(ADMIN_ROLES)
def users_create() -> tuple[Response, int]:
    """POST /api/users: add an account; its one-time password is in the answer, once (201)."""
    req = parse_body(UserCreate)
    user, password = staff_service.create_user(ctx(), req.username, req.role, actor=_actor())
    return jsonify(OneTimePasswordOut(user=UserOut(**user), password=password).model_dump()), 201


@bp.patch("/users/<name>")
@require(ADMIN_ROLES)
def users_update(name: str) -> Response:
    """PATCH /api/users/<name>: disable or enable an account, change its role or the desks it may open
    (its sockets close at once)."""
    req = parse_body(UserPatch)
    desks = {"desks": req.desks} if "desks" in req.model_fields_set else {}
    user = staff_service.update_user(ctx(), name, actor=_actor(), active=req.active, role=req.role, **desks)
    return jsonify(UserOut(**user).model_dump())


@bp.post("/users/<name>/password-reset")
@require(ADMIN_ROLES)
def users_password_reset(name: str) -> Response:
    """POST /api/users/<name>/password-reset: a new one-time password for the account, shown once."""
    password = staff_service.reset_password(ctx(), name, actor=_actor())
    user = next(u for u in staff_service.list_users(ctx()) if u["username"] == name)
    return jsonify(OneTimePasswordOut(user=UserOut(**user), password=password).model_dump())


@bp.get("/devices")
@require(ADMIN_ROLES)
def devices_list() -> Response:
    """GET /api/devices: the device and script tokens (never the tokens themselves)."""
    return jsonify(DevicesEnvelope(devices=device_service.list_devices(ctx())).model_dump())  # type: ignore[arg-type]


@bp.post("/devices")
@require(ADMIN_ROLES)
def devices_create() -> tuple[Response, int]:
    """POST /api/devices: a new device token for a role, shown once in the answer (201)."""
    req = parse_body(DeviceCreate)
    device, token = device_service.create_device(ctx(), req.role, req.name, actor=_actor())
    return jsonify(DeviceCreated(device=DeviceOut(**device), token=token).model_dump()), 201


@bp.post("/devices/pair/start")
def devices_pair_start() -> tuple[Response, int]:
    """An unenrolled device asks for a pairing code (public, limited per address like log-ins)."""
    req = parse_body(PairingStart)
    return jsonify(PairingStarted(**device_service.start_pairing(ctx(), req.role)).model_dump()), 201


@bp.get("/devices/pair/<code>")
def devices_pair_status(code: str) -> Response:
    """GET /api/devices/pair/<code>: ``pending``, ``paired`` or ``expired``: the waiting device asks."""
    return jsonify(PairingStatus(status=device_service.pairing_status(ctx(), code[:8])).model_dump())  # type: ignore[arg-type]


@bp.post("/devices/pair")
@require(ADMIN_ROLES)
def devices_pair() -> tuple[Response, int]:
    """POST /api/devices/pair: an admin enrols the device showing this code, under this name (201)."""
    req = parse_body(PairingApprove)
    device = device_service.approve_pairing(ctx(), req.code, req.name, actor=_actor())
    return jsonify(DevicePaired(device=DeviceOut(**device)).model_dump()), 201


@bp.delete("/devices/<device_id>")
@require(ADMIN_ROLES)
def devices_revoke(device_id: str) -> Response:
    """DELETE /api/devices/<device_id>: revoke a token: refused at once, its sockets closed on every process."""
    if not device_id.isdigit() or len(device_id) > 12:
        raise NotFound(f"no such device: {device_id!r}")
    return jsonify(DeviceOut(**device_service.revoke_device(ctx(), int(device_id), actor=_actor())).model_dump())


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


@bp.get("/audit")
@require(ADMIN_ROLES)
def audit_list() -> Response:
    """GET /api/audit: who changed what, when (newest first), filtered by time, actor and action prefix;
    ``?format=csv`` for a file."""
    q = AuditQuery.model_validate({k: v for k, v in request.args.items() if v != ""})
    rows = audit_service.entries(ctx().db, since=_utc(q.since), until=_utc(q.until), actor=q.actor, action=q.action)
    if q.format == "csv":
        return Response(
            audit_service.to_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="vuoro-audit.csv"'},
        )
    return jsonify(AuditEnvelope(entries=rows).model_dump())  # type: ignore[arg-type]
