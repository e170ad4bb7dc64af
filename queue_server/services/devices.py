"""Device and script tokens as a manager runs them: list, create, revoke, and enrolment by a pairing code.

Pairing: an unenrolled kiosk asks for a code; it is given a token at once, which is worth nothing until an
admin enters the code the kiosk shows and names the device.  The database keeps only the token's hash, as for
every token; the code expires after ten minutes.

A token is shown once, when it is made; only its SHA-256 is kept.  Revoking one refuses it at once over HTTP
(every request looks the token up) and, through the change record, closes the sockets every process holds
for it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ..domain.codes import new_code
from ..domain.errors import DomainError, InvalidRequest, InvalidTransition, NotFound
from ..domain.roles import PAIRABLE_ROLES
from ..models import ApiToken, DevicePairing
from . import audit
from .accounts import actor_of, insert_token
from .context import Context
from .desk_state import release_held
from .outbox import note_revoked, writing
from .tokens import new_token, token_hash

#: the roles a device can pair for (admin tokens are for scripts, made by an admin, never asked for)


def _out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "role": t.role,
        "created_at": t.created_at.isoformat(),
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "last_seen_at": t.last_seen_at.isoformat() if t.last_seen_at else None,
    }


def list_devices(ctx: Context) -> list[dict[str, Any]]:
    """Every device and script token ever made, revoked ones too: name, role, when made, last seen and revoked."""
    with ctx.db.reader() as session:
        return [_out(t) for t in session.scalars(sa.select(ApiToken).order_by(ApiToken.id))]


def create_device(ctx: Context, role: str, name: str, *, actor: str) -> tuple[dict[str, Any], str]:
    """A new device token, audited: the device as listed, and the token, shown this once (only its hash is kept)."""
    with writing(ctx) as session:
        device, token = insert_token(session, role, name)
        audit.record(
            session,
            ctx,
            actor=actor,
            action="device.create",
            target=f"{device.id}:{name}",
            after={"role": role, "name": name},
        )
        return _out(device), token


def revoke_device(ctx: Context, device_id: int, *, actor: str) -> dict[str, Any]:
    """Revoke a device's token, audited: refused at once over HTTP, its sockets closed and its desks closed with it."""
    with writing(ctx) as session:
        device = session.get(ApiToken, device_id, with_for_update=True)
        if device is None:
            raise NotFound(f"no such device: {device_id}")
        if device.revoked_at is not None:
            raise InvalidTransition(f"device {device_id} was revoked already")
        device.revoked_at = ctx.now()
        audit.record(session, ctx, actor=actor, action="device.revoke", target=f"{device.id}:{device.name}")
        note_revoked(session, "token", device.id)
        release_held(session, ctx, actor_of("token", device.id))  # a revoked desk device's desks close with it
        return _out(device)


# -- enrolment by a pairing code ---------------------------------------------------------------------------

CODE_LENGTH = 6
PAIRING_S = 600
#: at most this many devices may wait for approval at once (a flood of requests makes no room)
MAX_PENDING = 50


class PairingRefused(DomainError):
    """A device asked for a pairing code while too many wait for approval (``MAX_PENDING``), or no code
    was free: 409 ``pairing_refused``; it tries again in a few minutes."""

    code = "pairing_refused"
    status = 409


def start_pairing(ctx: Context, role: str) -> dict[str, Any]:
    """A device asks to be enrolled: it gets a short code to show and its future token (valid once approved)."""
    if role not in PAIRABLE_ROLES:
        raise InvalidRequest(f"role: one of {', '.join(PAIRABLE_ROLES)}")
    now = ctx.now()
    token = new_token()
    with writing(ctx) as session:
        session.execute(
            sa.delete(DevicePairing).where(DevicePairing.expires_at < now, DevicePairing.device_id.is_(None))
        )
        pending = (
            session.scalar(
                sa.select(sa.func.count()).select_from(DevicePairing).where(DevicePairing.device_id.is_(None))
            )
            or 0
        )
        if pending >= MAX_PENDING:
            raise PairingRefused("too many devices wait for approval; try again in a few minutes")
        code = _free_code(session)
        session.add(
            DevicePairing(
                code=code,
                role=role,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + timedelta(seconds=PAIRING_S),
            )
        )
    return {"code": code, "token": token, "expires_at": (now + timedelta(seconds=PAIRING_S)).isoformat()}


def _free_code(session: Any) -> str:
    for _ in range(20):
        code = new_code(CODE_LENGTH)
        if session.scalar(sa.select(DevicePairing.id).where(DevicePairing.code == code)) is None:
            return code
    raise PairingRefused("no free pairing code; try again")  # pragma: no cover - 25^6 codes


def pairing_status(ctx: Context, code: str) -> str:
    """``pending``, ``paired`` or ``expired`` (unknown codes too: nothing to learn from guessing)."""
    with ctx.db.reader() as session:
        row = session.scalar(sa.select(DevicePairing).where(DevicePairing.code == code.upper()))
    if row is None:
        return "expired"
    if row.device_id is not None:
        return "paired"
    return "expired" if row.expires_at < ctx.now() else "pending"


def approve_pairing(ctx: Context, code: str, name: str, *, actor: str) -> dict[str, Any]:
    """An admin enters the code a device shows and names the device: its token becomes valid."""
    if not name or len(name) > 64:
        raise InvalidRequest("name: 1-64 characters (a kiosk's token is named after its kiosk, e.g. k1)")
    with writing(ctx) as session:
        row = session.scalar(
            sa.select(DevicePairing).where(DevicePairing.code == code.upper().strip()).with_for_update()
        )
        if row is None or row.device_id is not None or row.expires_at < ctx.now():
            raise NotFound("no device waits with that code (it may have expired: ask it for a new one)")
        device = ApiToken(name=name, role=row.role, token_hash=row.token_hash, created_at=ctx.now())
        session.add(device)
        session.flush()
        row.device_id = device.id
        audit.record(
            session,
            ctx,
            actor=actor,
            action="device.pair",
            target=f"{device.id}:{name}",
            after={"role": row.role, "name": name},
        )
        return _out(device)
