"""Route: ``/join/<kiosk>``, the page the kiosk's QR poster opens on a visitor's own phone.

The visitor picks one or more errands among the services the kiosk offers that are taken remotely, and gets a
number through the public API (``POST /api/join/<kiosk>``, queue_server/api/join.py); then the phone page of the
ticket follows their turn.  The page gives the browser a random name in a cookie (``vuoro_join``), nothing
else: the API's per-browser rate limit is keyed on it (queue_server/web/security.py), and nothing stores it.
"""

from __future__ import annotations

import json
import secrets

from flask import Response, request

from ..services.remote import remote_services
from ..web.rendering import catalog, chosen_language, config, not_found, render_page
from ..web.security import JOIN_COOKIE
from . import bp

#: a day: the per-browser budget is counted by the hour, and a visit never lasts longer
JOIN_COOKIE_MAX_AGE = 24 * 3600


@bp.get("/join/<kiosk>")
def join(kiosk: str) -> Response:
    """The poster's page in the visitor's language (``?lang=``, the cookie, the kiosk's, the centre's)."""
    cfg = config()
    kcfg = cfg.kiosk_map.get(kiosk)
    if kcfg is None:
        return not_found("kiosk")
    services = remote_services(cfg, kiosk)
    data = {
        "kiosk": kcfg.key,
        "services": ",".join(services),
        "centre-names": json.dumps(dict(cfg.centre.name), ensure_ascii=False),
    }
    response = render_page(
        "pages/join.html",
        lang=chosen_language(kcfg.language),
        catalog=catalog("join."),
        page="join",
        data=data,
        js_languages=list(cfg.centre.languages),
        remote=bool(services),
    )
    if not request.cookies.get(JOIN_COOKIE):  # kept as it is: a reload must not give a fresh budget
        response.set_cookie(
            JOIN_COOKIE,
            secrets.token_hex(16),
            max_age=JOIN_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response
