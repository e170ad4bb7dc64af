"""``POST /api/join/<kiosk>``: the QR poster's page takes a ticket on the visitor's own phone, without a token.

Public by design: what keeps it from being emptied is the poster's own rules (services/remote.py: remote
services only, a daily cap counted by the database) and the rate limits per address and per browser
(security.py).  The answer is the kiosk's: the ticket with its token and phone page.
"""

from __future__ import annotations

from flask import Response

from ..services.remote import join_queue
from ..web.context import ctx, parse_body
from . import bp
from .schemas import JoinRequest
from .tickets import ticket_json


@bp.post("/join/<kiosk>")
def join(kiosk: str) -> tuple[Response, int]:
    """POST /api/join/<kiosk>: the poster's ticket, in the visitor's language, else the kiosk's, else the centre's."""
    req = parse_body(JoinRequest)
    config = ctx().config
    kcfg = config.kiosk_map.get(kiosk)
    language = req.language or (kcfg.language if kcfg else None) or config.centre.language
    issued = join_queue(ctx(), kiosk, services=req.services, language=language)
    return ticket_json(issued.view, 201)
