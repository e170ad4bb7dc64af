"""Services: what a kiosk offers and which the booking page offers, public (counts only)."""

from __future__ import annotations

from flask import Response, jsonify

from ..services.appointments import publicly_bookable
from ..services.overview import public_summaries
from ..web.context import ctx, query_language
from . import bp
from .schemas import ServiceOut, ServicesEnvelope


@bp.get("/services")
def list_services() -> Response:
    """GET /api/services: each service, open or not, its queue and wait in ``?language=``, and whether the
    booking page books it or a kiosk checks its appointments in (public: counts only)."""
    config = ctx().config
    language = query_language()
    bookable = {s.key for s in config.services if publicly_bookable(s)}
    checkin = {s.key for s in config.services if s.appointments is not None}
    items = [
        ServiceOut(
            key=s.key,
            prefix=s.prefix,
            name=config.text(s.names, language),
            names=s.names,
            location=config.text(s.locations, language),
            open=s.open,
            opens_at=s.opens_at,
            closed_tomorrow=s.closed_tomorrow,
            waiting=s.waiting,
            estimated_wait_s=s.estimated_wait_s,
            estimate_reason=s.estimate_reason,
            wait_text=s.wait_texts.get(language),
            sensitive=s.sensitive,
            full_today=s.full_today,
            appointments=s.key in bookable,
            checkin=s.key in checkin,
        )
        for s in public_summaries(ctx())
    ]
    return jsonify(ServicesEnvelope(services=items).model_dump(mode="json"))
