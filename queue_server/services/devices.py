"""Device and script tokens as a manager runs them: list, create, revoke.

A token is shown once, when it is made; only its SHA-256 is kept.  Revoking one refuses it at once over HTTP
(every request looks the token up) and, through the change record, closes the sockets every process holds
for it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..domain.errors import InvalidTransition, NotFound
from ..models import ApiToken
from . import audit
from .accounts import create_token
from .context import Context
from .outbox import note_revoked, writing
from .tokens import token_hash


def _out(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "role": t.role, "created_at": t.created_at.isoformat(),
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}


def list_devices(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.reader() as session:
        return [_out(t) for t in session.scalars(sa.select(ApiToken).order_by(ApiToken.id))]


def create_device(ctx: Context, role: str, name: str, *, actor: str) -> tuple[dict[str, Any], str]:
    token = create_token(ctx.db, role, name)
    with writing(ctx) as session:
        device = session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token))).one()
        audit.record(session, ctx, actor=actor, action="device.create", target=f"{device.id}:{name}",
                     after={"role": role, "name": name})
        out = _out(device)
    return out, token


def revoke_device(ctx: Context, device_id: int, *, actor: str) -> dict[str, Any]:
    with writing(ctx) as session:
        device = session.get(ApiToken, device_id, with_for_update=True)
        if device is None:
            raise NotFound(f"no such device: {device_id}")
        if device.revoked_at is not None:
            raise InvalidTransition(f"device {device_id} was revoked already")
        device.revoked_at = ctx.now()
        audit.record(session, ctx, actor=actor, action="device.revoke", target=f"{device.id}:{device.name}")
        note_revoked(session, "token", device.id)
        return _out(device)
