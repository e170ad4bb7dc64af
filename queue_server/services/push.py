"""Web Push, the database's side: the server's VAPID keys, the visitors' subscriptions, and claiming each
notification once whichever process sends it (docs/realtime.md, "Wait away").

Every process applies every change, and several may notice at once that a ticket is near its turn: the one
whose conditional update changes the row sends, the others send nothing.  A subscription is deleted when its
ticket ends (the seal of that change, services/outbox.py), when the push service answers that it is gone, and
with its ticket by retention.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from ..config import VuoroConfig
from ..domain import push as dp
from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.states import FINAL, TicketStatus
from ..i18n.catalogue import text
from ..models import PushKey, PushSubscription, Ticket
from .context import Context
from .tokens import token_hash

_KEY_ID = 1
_keys: dict[str, tuple[Vapid, str]] = {}
_keys_lock = threading.Lock()


class PushDisabled(DomainError):
    """``push: {enabled: false}``: the centre sends no notifications."""

    code = "push_disabled"
    status = 409


class TicketEnded(DomainError):
    """A phone asked for notifications of a ticket that has ended: 409 ``ticket_final``; there is
    nothing left to tell it."""

    code = "ticket_final"
    status = 409


@dataclass(frozen=True)
class Subscription:
    """Where one notification goes: the endpoint and the keys to encrypt for, as pywebpush takes them."""

    id: int
    ticket_id: int
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, Any]:
        """The subscription as pywebpush's ``subscription_info``: the endpoint and its two keys."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


_COLUMNS = (
    PushSubscription.id,
    PushSubscription.ticket_id,
    PushSubscription.endpoint,
    PushSubscription.p256dh,
    PushSubscription.auth,
)


# -- the server's keys ---------------------------------------------------------------------------------------


def keys(ctx: Context) -> tuple[Vapid, str]:
    """The VAPID key pair and its public key (base64url of the uncompressed point): made on first use, kept in
    the database so every process and every restart signs with the same one (a browser subscribed with it)."""
    cache_key = str(ctx.db.engine.url)
    with _keys_lock:
        if cache_key not in _keys:
            _keys[cache_key] = _load_or_make(ctx)
        return _keys[cache_key]


def _load_or_make(ctx: Context) -> tuple[Vapid, str]:
    with ctx.db.reader() as session:
        row = session.get(PushKey, _KEY_ID)
        pem = row.private_pem if row is not None else None
    if pem is None:
        fresh = Vapid()
        fresh.generate_keys()
        made = fresh.private_pem().decode("ascii")
        try:
            with ctx.db.writer() as session:
                session.add(PushKey(id=_KEY_ID, private_pem=made, public_key=_public_key(fresh), created_at=ctx.now()))
        except sa.exc.IntegrityError:
            pass  # another process made its pair first: use that one
        with ctx.db.reader() as session:
            pem = session.get(PushKey, _KEY_ID).private_pem  # type: ignore[union-attr]
    vapid = Vapid.from_pem(pem.encode("ascii"))
    return vapid, _public_key(vapid)


def _public_key(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def contact(config: VuoroConfig) -> str:
    """The VAPID ``sub`` claim: the configured contact, else the public URL when it is https (RFC 8292)."""
    if config.push.contact:
        return config.push.contact
    if config.public_url.startswith("https://"):
        return config.public_url
    return "mailto:vuoro@localhost"


# -- subscriptions -------------------------------------------------------------------------------------------


def subscribe(ctx: Context, token: str, endpoint: str, p256dh: str, auth: str) -> None:
    """Keep the browser's subscription with the ticket behind ``token`` (replacing an earlier one): only a
    push service of ``push.endpoint_origins``, only for a ticket that has not ended."""
    if not ctx.config.push.enabled:
        raise PushDisabled("this centre sends no notifications")
    if not ctx.config.push.allows(endpoint):
        raise InvalidRequest("the endpoint is not a push service this centre posts to", code="push_endpoint_refused")
    try:
        dp.check_keys(p256dh, auth)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    with ctx.db.writer() as session:
        ticket_id = _active_ticket(session, token)
        session.execute(sa.delete(PushSubscription).where(PushSubscription.ticket_id == ticket_id))
        session.add(
            PushSubscription(ticket_id=ticket_id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=ctx.now())
        )


def unsubscribe(ctx: Context, token: str) -> None:
    """Forget the ticket's subscription (the visitor turned notifications off); nothing to forget is fine."""
    with ctx.db.writer() as session:
        row = session.execute(sa.select(Ticket.id).where(Ticket.token_hash == token_hash(token))).first()
        if row is None:
            raise NotFound("no such ticket", code="unknown_ticket")
        session.execute(sa.delete(PushSubscription).where(PushSubscription.ticket_id == row.id))


def subscribed(ctx: Context, token: str) -> bool:
    """Whether the ticket behind ``token`` has a subscription (404 for no such ticket)."""
    with ctx.db.reader() as session:
        row = session.execute(sa.select(Ticket.id).where(Ticket.token_hash == token_hash(token))).first()
        if row is None:
            raise NotFound("no such ticket", code="unknown_ticket")
        return (
            session.execute(sa.select(PushSubscription.id).where(PushSubscription.ticket_id == row.id)).first()
            is not None
        )


def _active_ticket(session: Any, token: str) -> int:
    row = session.execute(
        sa.select(Ticket.id, Ticket.status).where(Ticket.token_hash == token_hash(token)).with_for_update()
    ).first()
    if row is None:
        raise NotFound("no such ticket", code="unknown_ticket")
    if TicketStatus(row.status) in FINAL:
        raise TicketEnded("the ticket has ended: there is nothing to notify")
    return int(row.id)


def forget(ctx: Context, subscription_id: int) -> None:
    """The push service says the subscription is gone (404, 410): posting to it again is pointless."""
    with ctx.db.writer() as session:
        session.execute(sa.delete(PushSubscription).where(PushSubscription.id == subscription_id))


def ended(session: Any, ticket_ids: Iterable[int]) -> None:
    """Inside the transaction that ends these tickets: their subscriptions go with them (every Finish and
    no-show runs this, so the statement is built once, in Core)."""
    ids = list(ticket_ids)
    if ids:
        session.execute(_ENDED, {"ids": ids})


_SUBSCRIPTIONS: sa.Table = PushSubscription.__table__  # type: ignore[assignment]
_ENDED = sa.delete(_SUBSCRIPTIONS).where(_SUBSCRIPTIONS.c.ticket_id.in_(sa.bindparam("ids", expanding=True)))


# -- claiming a notification ---------------------------------------------------------------------------------


def claim_almost(ctx: Context, ticket_ids: Sequence[int], now: datetime) -> list[Subscription]:
    """The subscriptions of these tickets not told "almost" yet, now marked told: each is claimed by one
    process only.  A read first, so a change with no subscriber near the front writes nothing."""
    if not ticket_ids:
        return []
    pending = sa.and_(PushSubscription.ticket_id.in_(list(ticket_ids)), PushSubscription.almost_sent_at.is_(None))
    with ctx.db.reader() as session:
        if session.execute(sa.select(PushSubscription.id).where(pending).limit(1)).first() is None:
            return []
    with ctx.db.writer() as session:
        rows = session.execute(
            sa.update(PushSubscription).where(pending).values(almost_sent_at=now).returning(*_COLUMNS)
        ).all()
    return [Subscription(*row) for row in rows]


def claim_called(ctx: Context, ticket_id: int, seq: int, now: datetime) -> Subscription | None:
    """The ticket's subscription, when the call of change ``seq`` has not been notified yet (by anybody)."""
    with ctx.db.reader() as session:
        if (
            session.execute(sa.select(PushSubscription.id).where(PushSubscription.ticket_id == ticket_id)).first()
            is None
        ):
            return None
    with ctx.db.writer() as session:
        row = session.execute(
            sa.update(PushSubscription)
            .where(
                PushSubscription.ticket_id == ticket_id,
                sa.or_(PushSubscription.called_seq.is_(None), PushSubscription.called_seq < seq),
            )
            .values(called_seq=seq, almost_sent_at=sa.func.coalesce(PushSubscription.almost_sent_at, now))
            .returning(*_COLUMNS)
        ).first()
    return Subscription(*row) if row is not None else None


# -- what a notification says --------------------------------------------------------------------------------


def almost_message(config: VuoroConfig, *, number: str, service: str, language: str, position: int) -> dp.Message:
    """ "Almost your turn": the number, where to come (the service's public place), how many are ahead."""
    svc = config.service_map.get(service)
    location = config.text(svc.ticket_location, language) if svc is not None and svc.ticket_location else ""
    body_key = "push.almost_body" if location else "push.almost_body_no_place"
    return dp.Message(
        dp.ALMOST,
        number,
        text("push.almost_title", language, number=number),
        text(body_key, language, location=location, ahead=max(0, position - 1)),
    )


def called_message(config: VuoroConfig, *, number: str, desk: str | None, language: str) -> dp.Message:
    """ "Your turn": the number and the desk with its place, as the board shows them."""
    d = config.desk_map.get(desk or "")
    label = config.text(d.label, language) if d is not None else ""
    place = config.text(d.location, language) if d is not None and d.location else ""
    body = (
        text("push.called_body", language, desk=label, location=place)
        if place
        else text("push.called_body_desk", language, desk=label)
    )
    return dp.Message(dp.CALLED, number, text("push.called_title", language, number=number), body)
