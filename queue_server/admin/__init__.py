"""Insight for the centre's admins (issue 6): the live dashboard at ``/admin``, its Socket.IO namespace, the PDF
report and the nightly data-retention worker.

Statistics and feedback live in the JSON API (``queue_server/api/insight.py``); the pure computations in
``queue_server/domain/statistics.py`` and ``estimate.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from ..services.context import Context
from ..services.retention import RetentionWorker

RETENTION = "vuoro_retention"
log = logging.getLogger(__name__)


def printer_lines(app: Flask) -> list[dict[str, Any]]:
    """Printers' health from the printing extension when it runs; ``unknown`` for every printer otherwise."""
    printing = app.extensions.get("vuoro_printers")
    if printing is not None and hasattr(printing, "status_list"):
        try:
            return list(printing.status_list())
        except Exception:  # noqa: BLE001 - a printer problem must not take the dashboard down
            log.warning("printer status unavailable", exc_info=True)
    ctx: Context = app.extensions["vuoro"]
    return [{"key": p.key, "type": p.type, "state": "unknown", "detail": "", "checked_at": None,
             "kiosks": [k.key for k in ctx.config.kiosks if k.printer == p.key]} for p in ctx.config.printers]


def init_app(app: Flask) -> None:
    from ..extensions import socketio
    from . import views
    from .live import AdminLive

    ctx: Context = app.extensions["vuoro"]
    if "admin" not in app.blueprints:
        app.register_blueprint(views.bp)
        app.register_blueprint(views.assets)
    AdminLive(app, ctx, socketio).install()
    _init_retention(app, ctx)


def _init_retention(app: Flask, ctx: Context) -> None:
    """The nightly purge, started with the first request (when TESTING is known) unless the config turns it off.

    Idempotent: one worker per app, and starting a running worker does nothing.  ``stop_retention(app)`` ends it.
    """
    if RETENTION in app.extensions:
        return
    worker = RetentionWorker(ctx)
    app.extensions[RETENTION] = worker

    @app.before_request
    def _start_retention() -> None:
        if worker.running or app.config.get("TESTING") or not ctx.config.retention_worker:
            return
        worker.start()


def stop_retention(app: Flask) -> None:
    worker = app.extensions.get(RETENTION)
    if worker is not None:
        worker.stop()
