"""Tickets: the kiosk issues them; the visitor follows or cancels theirs by its token."""

from __future__ import annotations

from flask import Response, jsonify

from ..services import arrival, checkin
from ..services import tickets as service
from . import bp
from .auth import KIOSK_ROLES, current_principal, require
from .context import ctx, parse_body
from .errors import ApiError
from .schemas import IssueRequest, TicketEnvelope, TicketOut


def ticket_json(view: object, status: int = 200) -> tuple[Response, int]:
    body = TicketEnvelope(ticket=TicketOut.model_validate(view, from_attributes=True))
    return jsonify(body.model_dump(mode="json")), status


@bp.post("/tickets")
@require(KIOSK_ROLES)
def issue() -> tuple[Response, int]:
    req = parse_body(IssueRequest)
    principal = current_principal()
    kiosk = req.kiosk
    kiosks = ctx().config.kiosk_map
    if principal is not None and principal.role == "kiosk" and principal.name in kiosks:
        # A kiosk device's token (named after its kiosk) speaks for that kiosk only.
        if kiosk in kiosks and kiosk != principal.name:
            raise ApiError(403, "forbidden", f"this token belongs to kiosk {principal.name!r}")
        if kiosk is None:
            kiosk = principal.name
    kcfg = kiosks.get(kiosk) if kiosk else None
    language = req.language or (kcfg.language if kcfg else None) or ctx().config.centre.language
    actor = principal.actor if principal else "system"
    if req.appointment is not None:
        issued = checkin.check_in(ctx(), req.appointment, language=language, kiosk=kiosk, actor=actor)
    else:
        assert req.services is not None  # the request's model requires one of the two
        issued = service.issue_ticket(ctx(), services=req.services, language=language, priority=req.priority,
                                      kiosk=kiosk, actor=actor)
    return ticket_json(issued.view, 201)


@bp.get("/tickets/<token>")
def show(token: str) -> tuple[Response, int]:
    return ticket_json(service.get_ticket(ctx(), token))


@bp.delete("/tickets/<token>")
def cancel(token: str) -> tuple[Response, int]:
    return ticket_json(service.cancel_ticket(ctx(), token))


@bp.post("/tickets/<token>/here")
def here(token: str) -> tuple[Response, int]:
    """The visitor of a remote ticket is in the centre: it may be called now (services/arrival.py)."""
    return ticket_json(arrival.arrive(ctx(), token))
