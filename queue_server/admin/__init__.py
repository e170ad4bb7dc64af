"""Insight for the centre's admins (issue 6): the live dashboard at ``/admin``, its Socket.IO namespace, the PDF
report and the nightly data-retention worker.

Statistics and feedback live in the JSON API (``queue_server/api/insight.py``); the pure computations in
``queue_server/domain/statistics.py`` and ``estimate.py``.
"""

from __future__ import annotations

from flask import Flask

from ..extensions import socketio
from ..services.context import Context
from ..services.retention import RetentionWorker
from ..services.sweeps import Sweeper

# the manage_* modules add the management pages' routes to views.bp
from . import manage, manage_audit, manage_layout, manage_services, views  # noqa: F401
from .live import AdminLive
from .printers import printer_lines

__all__ = ["LIVE", "RETENTION", "SWEEPS", "init_app", "printer_lines", "stop_retention"]

RETENTION = "vuoro_retention"
SWEEPS = "vuoro_sweeps"
LIVE = "vuoro_admin_live"


def init_app(app: Flask) -> None:
    """The dashboard's routes and live namespace, the management pages and the nightly jobs, on ``app``."""
    ctx: Context = app.extensions["vuoro"]
    if "admin" not in app.blueprints:
        app.register_blueprint(views.bp)
        app.register_blueprint(views.assets)
    live = app.extensions[LIVE] = AdminLive(app, ctx, socketio)
    live.install()
    _init_retention(app, ctx)


def _init_retention(app: Flask, ctx: Context) -> None:
    """The nightly purge and the sweep of missed appointments run inside the server unless the config turns them
    off (``retention_worker: false``).  Every process of a deployment may run them: the purge runs once a night
    for all of them (:func:`queue_server.services.retention.nightly` takes a database lock, and skips a night
    that ``vuoro purge`` from deploy/vuoro-purge.timer did already), and each sweep is one statement the
    database decides.

    The app is built in the serving process (after gunicorn's fork), so its thread belongs to that process;
    :func:`queue_server.app.shutdown` stops it.
    """
    worker = RetentionWorker(ctx)
    app.extensions[RETENTION] = worker
    sweeper = app.extensions[SWEEPS] = Sweeper(ctx)
    if ctx.config.retention_worker:
        worker.start()
        sweeper.start()


def stop_retention(app: Flask) -> None:
    """Stop the admin package's threads: the retention worker and the dashboard pusher."""
    worker = app.extensions.get(RETENTION)
    if worker is not None:
        worker.stop()
    sweeper = app.extensions.get(SWEEPS)
    if sweeper is not None:
        sweeper.stop()
    live = app.extensions.get(LIVE)
    if live is not None:
        live.close()
