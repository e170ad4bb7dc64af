"""``/kiosk/<key>``: the page only; everything it shows comes from the JSON API and Socket.IO."""

from __future__ import annotations

import json

from flask import Response, request, url_for

from queue_server.i18n.catalogue import text
from queue_server.web.rendering import catalog, config, not_found, render_page
from queue_server.web.security import permissions_policy

from . import bp


def _has_printer(printer_key: str | None) -> bool:
    if printer_key is None:
        return False
    printer = next((p for p in config().printers if p.key == printer_key), None)
    return printer is not None and getattr(printer, "type", "none") != "none"


@bp.get("/kiosk/<kiosk>")
def kiosk_page(kiosk: str) -> Response:
    """GET /kiosk/<kiosk>: the kiosk's page, in its own language or ``?lang=`` until it idles; the camera
    may read a booking's QR code for check-in."""
    cfg = config()
    kcfg = cfg.kiosk_map.get(kiosk)
    if kcfg is None:
        return not_found("kiosk")
    home = kcfg.language or cfg.centre.language
    asked = request.args.get("lang")
    # ?lang=xx opens the kiosk in that language; after its idle time it returns to its own (home-lang)
    lang = asked if asked in cfg.centre.languages else home
    data = {
        "kiosk": kcfg.key,
        "home-lang": home,
        "languages": ",".join(cfg.centre.languages),
        "printer": "1" if _has_printer(kcfg.printer) else "0",
        "idle-s": str(kcfg.idle_s),
        # the services this kiosk offers ("": every service); the script asks /api/kiosks/<key> again on each
        # snapshot, so a change reaches a running kiosk without a reload
        "services": ",".join(kcfg.services or ()),
        "centre-names": json.dumps(dict(cfg.centre.name), ensure_ascii=False),
        "login": url_for("pages.login", next=f"/kiosk/{kcfg.key}"),
    }
    resp = render_page(
        "kiosk/kiosk.html",
        lang=lang,
        catalog=catalog("kiosk."),
        page="kiosk",
        data=data,
        js_languages=list(cfg.centre.languages),
        kiosk=kcfg,
        # the language switch is named in each of its languages: found by whoever reads none of
        # the others ("Kieli · Språk · Language")
        languages_label=" · ".join(dict.fromkeys(text("common.language", code) for code in cfg.centre.languages)),
    )
    # the check-in screen may read a booking's QR code with the kiosk's camera (checkin_camera.js)
    resp.headers["Permissions-Policy"] = permissions_policy(camera=True)
    return resp
