"""The centre's layout over HTTP: zones, kiosks, adding and retiring desks (admins), printer tests, and what a
kiosk offers (public: the kiosk page asks it after each configuration change).

Thin handlers over ``services/centre_admin.py`` (validated whole, audited, live on every process) and the
printing port; a refused change answers 400, 404 or 409 with the reason and changes nothing.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify

from ..domain.errors import NotFound
from ..domain.roles import ADMIN_ROLES
from ..printing import EXTENSION
from ..services import centre_admin
from ..web.auth import require
from ..web.context import ctx, parse_body
from ..web.errors import ApiError
from . import bp
from .centre import _actor, _out
from .layout_schemas import DeskCreate, KioskOut, KioskPatch, PrinterTestQueued, ZonePatch


@bp.patch("/zones/<key>")
@require(ADMIN_ROLES)
def zone_update(key: str) -> Response:
    """PATCH /api/zones/<key>: change a zone: name, language, chime, speech, volume, the boards' message."""
    changes = parse_body(ZonePatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_zone(ctx(), key, changes, actor=_actor()))


@bp.get("/kiosks/<key>")
def kiosk_show(key: str) -> Response:
    """GET /api/kiosks/<key>: what the kiosk offers: its services (null: all), its language, whether it prints."""
    cfg = ctx().config
    kiosk = cfg.kiosk_map.get(key)
    if kiosk is None:
        raise NotFound(f"unknown kiosk {key!r}", code="unknown_kiosk")
    printer = next((p for p in cfg.printers if p.key == kiosk.printer), None)
    return jsonify(
        KioskOut(
            key=kiosk.key,
            zone=kiosk.zone,
            language=kiosk.language or cfg.centre.language,
            printer=printer is not None and printer.type != "none",
            services=kiosk.services,
        ).model_dump(mode="json")
    )


@bp.patch("/kiosks/<key>")
@require(ADMIN_ROLES)
def kiosk_update(key: str) -> Response:
    """PATCH /api/kiosks/<key>: change a kiosk: its zone, printer, language and the services it offers."""
    changes = parse_body(KioskPatch).model_dump(exclude_unset=True)
    return _out(centre_admin.update_kiosk(ctx(), key, changes, actor=_actor()))


@bp.post("/desks")
@require(ADMIN_ROLES)
def desk_create() -> tuple[Response, int]:
    """POST /api/desks: an admin adds a desk; 201 with the configuration it makes."""
    desk = parse_body(DeskCreate).model_dump(exclude_unset=True)
    return _out(centre_admin.create_desk(ctx(), desk, actor=_actor())), 201


@bp.delete("/desks/<key>")
@require(ADMIN_ROLES)
def desk_retire(key: str) -> Response:
    """DELETE /api/desks/<key>: retire a desk; 409 while it is open or serving, or while it is the only desk
    of a service with visitors waiting today."""
    return _out(centre_admin.retire_desk(ctx(), key, actor=_actor()))


@bp.post("/printers/<key>/test")
@require(ADMIN_ROLES)
def printer_test(key: str) -> tuple[Response, int]:
    """POST /api/printers/<key>/test: a test ticket, printed in the background (202); its outcome shows in
    ``last_test``, and a server that prints nothing answers 404."""
    printing = current_app.extensions.get(EXTENSION)
    if printing is None:
        raise ApiError(404, "unknown_printer", "this server prints nothing")
    printing.test_print(key)
    status = next(p for p in printing.status_list() if p["key"] == key)
    return jsonify(PrinterTestQueued.model_validate({"printer": status}).model_dump(mode="json")), 202
