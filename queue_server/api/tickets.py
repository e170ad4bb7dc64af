"""Tickets: the kiosk issues them; the visitor follows or cancels theirs by its token."""

from __future__ import annotations

from flask import Response, jsonify

from ..domain.roles import KIOSK_ROLES
from ..services import arrival, checkin
from ..services import tickets as service
from ..web.auth import current_principal, require
from ..web.context import ctx, parse_body
from ..web.errors import ApiError
from . import bp
from .schemas import IssueRequest, TicketEnvelope, TicketOut


def ticket_json(view: object, status: int = 200) -> tuple[Response, int]:
    """The ticket as the API answers it (``{"ticket": ...}``): the kiosk's, and the QR poster's (join.py)."""
    body = TicketEnvelope(ticket=TicketOut.model_validate(view, from_attributes=True))
    return jsonify(body.model_dump(mode="json")), status


@bp.post("/tickets")
@require(KIOSK_ROLES)
def issue() -> tuple[Response, int]:
    """POST /api/tickets: a kiosk issues a ticket for its errands, or checks an appointment in; a kiosk's token
    speaks for its own kiosk only."""
    req = parse_body(IssueRequest)
    principal = current_principal()
    kiosk = req.kiosk
    kiosks = ctx().config.kiosk_map
    if principal is not None:
        if kiosk is not None and kiosk in kiosks and not principal.speaks_for(kiosk, kiosks):
            raise ApiError(403, "forbidden", f"this token belongs to kiosk {principal.name!r}")
        kiosk = kiosk or principal.own_kiosk(kiosks)
    kcfg = kiosks.get(kiosk) if kiosk else None
    language = req.language or (kcfg.language if kcfg else None) or ctx().config.centre.language
    actor = principal.actor if principal else "system"
    if req.appointment is not None:
        issued = checkin.check_in(ctx(), req.appointment, language=language, kiosk=kiosk, actor=actor)
    else:
        assert req.services is not None  # the request's model requires one of the two
        issued = service.issue_ticket(
            ctx(), services=req.services, language=language, priority=req.priority, kiosk=kiosk, actor=actor
        )
    return ticket_json(issued.view, 201)


@bp.get("/tickets/<token>")
def show(token: str) -> tuple[Response, int]:
    """GET /api/tickets/<token>: the visitor's ticket; the token is the key (rate-limited per token)."""
    return ticket_json(service.get_ticket(ctx(), token))


@bp.delete("/tickets/<token>")
def cancel(token: str) -> tuple[Response, int]:
    """DELETE /api/tickets/<token>: the visitor cancels the ticket; the token is the key."""
    return ticket_json(service.cancel_ticket(ctx(), token))


@bp.post("/tickets/<token>/here")
def here(token: str) -> tuple[Response, int]:
    """The visitor of a remote ticket is in the centre: it may be called now (services/arrival.py)."""
    return ticket_json(arrival.arrive(ctx(), token))
