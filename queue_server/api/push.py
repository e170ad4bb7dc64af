"""Web Push: the server's public key, and a ticket's browser subscribing to "almost your turn" (public: the
ticket's token is the key, as for following the ticket)."""

from __future__ import annotations

from flask import Response, jsonify

from ..services import push as service
from ..web.context import ctx, parse_body
from . import bp
from .schemas import PushKeyOut, PushSubscribed, PushSubscribedState, PushSubscriptionIn


@bp.get("/push/key")
def push_key() -> Response:
    """GET /api/push/key: the VAPID public key a phone subscribes with; 409 when the centre sends no notifications."""
    if not ctx().config.push.enabled:
        raise service.PushDisabled("this centre sends no notifications")
    _, public = service.keys(ctx())
    return jsonify(PushKeyOut(key=public).model_dump())


@bp.post("/tickets/<token>/push")
def push_subscribe(token: str) -> tuple[Response, int]:
    """POST /api/tickets/<token>/push: the ticket's browser subscribes to "almost your turn" and the call."""
    body = parse_body(PushSubscriptionIn)
    service.subscribe(ctx(), token, body.endpoint, body.keys.p256dh, body.keys.auth)
    return jsonify(PushSubscribed(push=PushSubscribedState(subscribed=True)).model_dump()), 201


@bp.get("/tickets/<token>/push")
def push_state(token: str) -> Response:
    """Whether the ticket has a subscription: the phone page asks once when it opens, to show "stop" or "tell
    me" (a read of its own, so that following the ticket stays a read of the live model alone)."""
    subscribed = service.subscribed(ctx(), token)
    return jsonify(PushSubscribed(push=PushSubscribedState(subscribed=subscribed)).model_dump())


@bp.delete("/tickets/<token>/push")
def push_unsubscribe(token: str) -> tuple[str, int]:
    """DELETE /api/tickets/<token>/push: stop the ticket's notifications."""
    service.unsubscribe(ctx(), token)
    return "", 204
