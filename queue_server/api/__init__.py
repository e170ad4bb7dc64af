"""The JSON API blueprint (``/api``); each module adds the routes of one resource."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import appointments, centre, desks, insight, join, layout, openapi, printers  # noqa: E402,F401,I001  (routes register on import)
from . import push, services, session, staff, tickets  # noqa: E402,F401,I001
