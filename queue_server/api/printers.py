"""Printer health for technicians and the desk page: online, paper near end, paper out, offline."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from ..domain.roles import ADMIN_ROLES
from ..printing import EXTENSION
from ..web.auth import require
from . import bp
from .schemas import PrintersEnvelope


@bp.get("/printers")
@require(ADMIN_ROLES)
def list_printers() -> Response:
    """GET /api/printers: each printer's health (online, paper near end, paper out, offline); none on a
    server that prints nothing."""
    printing = current_app.extensions.get(EXTENSION)
    items = printing.status_list() if printing is not None else []
    return jsonify(PrintersEnvelope.model_validate({"printers": items}).model_dump(mode="json"))
