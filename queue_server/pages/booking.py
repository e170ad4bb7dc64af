"""Routes: the public booking page ``/book`` and a booking code's QR code ``/book/<code>/qr.svg``.

The page is the digital channel beside the kiosk: a visitor picks a service, a day and a free slot, and takes
away a code (shown, as a QR code, and in a calendar file).  It books and cancels through the public API
(queue_server/api/appointments.py); the server gives it only what it needs to start: today, the last day it
may offer, and the services' public names for a booking it shows (docs/appointments.md).
"""

from __future__ import annotations

import json

from flask import Response

from ..domain.errors import NotFound
from ..services.appointments import find, last_public_day
from ..web.qr import qr_svg
from ..web.rendering import catalog, chosen_language, config, not_found, render_page, vuoro
from . import bp


@bp.get("/book")
def book() -> Response:
    """The booking page in the visitor's language (``?lang=``, the cookie, the centre's); its switch changes
    every text in place, so a half-made choice or a shown code survives it."""
    cfg = config()
    ctx = vuoro()
    # a booking shows the public name (a sensitive service's reads like its partner's, as on its tickets)
    public_names = {s.key: dict(s.ticket_name) for s in cfg.services if s.appointments is not None}
    data = {
        "today": ctx.today(ctx.now()).isoformat(),
        "last-day": last_public_day(ctx).isoformat(),
        "centre-names": json.dumps(dict(cfg.centre.name), ensure_ascii=False),
        "public-names": json.dumps(public_names, ensure_ascii=False),
    }
    return render_page(
        "pages/book.html",
        lang=chosen_language(),
        catalog=catalog("book."),
        page="book",
        data=data,
        js_languages=list(cfg.centre.languages),
        today=data["today"],
        last_day=data["last-day"],
    )


@bp.get("/book/<code>/qr.svg")
def book_qr(code: str) -> Response:
    """The code alone as a QR code, for the kiosk's reader at check-in; 404 for a code nobody holds (the
    lookup counts against the address's code budget, as every one does)."""
    try:
        appointment = find(vuoro(), code)
    except NotFound:
        return not_found("text")
    return Response(qr_svg(appointment["code"]), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
