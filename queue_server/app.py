"""The application factory: the single place where configuration becomes a running app."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app

import display_board
import kiosk_ui

from . import admin, metrics, pages, printing
from .api import bp as api_bp
from .config import VuoroConfig, build_config, load_config
from .db import Database
from .extensions import login_manager, socketio
from .health import bp as health_bp
from .i18n import web as i18n_web
from .metrics import PUSH_EXTENSION
from .models import utcnow
from .proxy import behind_proxies
from .realtime.change_feed import OutboxPoller, RedisChangeFeed
from .realtime.fanout import SocketFanout
from .realtime.handlers import Handlers
from .realtime.push import PushWorker
from .services.accounts import load_user
from .services.centre_config import load_or_seed
from .services.context import Context, Notifier
from .services.live import install
from .web import security
from .web.auth import SessionUser, password_change_gate
from .web.edge import refuse_control_characters
from .web.errors import register_error_handlers
from .web.oidc import init_app as init_oidc
from .web.rendering import chosen_language

log = logging.getLogger(__name__)
FEED, FANOUT, PUSH = "vuoro_change_feed", "vuoro_fanout", PUSH_EXTENSION


def _as_config(config: VuoroConfig | Mapping[str, Any] | str | os.PathLike[str] | None) -> VuoroConfig:
    if isinstance(config, VuoroConfig):
        return config
    if config is None or isinstance(config, (str, os.PathLike)):
        return load_config(config)
    return build_config(config, base_dir=Path.cwd())


def create_app(
    config: VuoroConfig | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    notifier: Notifier | None = None,
    migrate: bool | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """Build a Vuoro app from a config object, a config mapping or a path to a YAML file.

    ``migrate`` is :meth:`Database.prepare`'s: by default a SQLite file is created or upgraded here, and a
    PostgreSQL database that is not at the code's revision raises :class:`~queue_server.db.SchemaNotCurrent`
    (``vuoro db upgrade`` migrates it once per release, never every process at its start).
    ``clock`` replaces the wall clock (tests): given here, the app's background threads never see another.
    """
    cfg = _as_config(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=cfg.secret_key,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.public_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    db = Database(cfg.resolved_database_url(), timeout_s=cfg.database_timeout_s)
    try:
        db.prepare(migrate)
    except Exception:
        db.dispose()
        raise
    # the centre's part of the configuration lives in the database: config.yaml seeds an empty one
    cfg, config_version = load_or_seed(db, cfg)
    context = Context(config=cfg, db=db, clock=clock or utcnow)
    app.extensions["vuoro"] = context
    _init_realtime(app, context, notifier, config_version)
    # outermost, around Socket.IO's middleware too: rate limits (HTTP and socket joins) see the visitor's
    # address, not nginx's
    app.wsgi_app = behind_proxies(app.wsgi_app, cfg.proxy_hops)  # type: ignore[method-assign,assignment]

    _init_login(app)
    init_oidc(app, context)  # staff sign-in with the city's provider, when auth.oidc is configured
    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp)
    register_error_handlers(app)
    app.before_request(refuse_control_characters)  # first of the hooks: before CSRF, limits and handlers
    app.before_request(password_change_gate)
    _init_pages(app)
    _init_extras(app)
    return app


def _init_extras(app: Flask) -> None:
    """Metrics (/metrics), the admin dashboard and statistics, and the security layer (headers, CSRF, limits)."""
    metrics.init_app(app)
    admin.init_app(app)
    security.init_app(app)


def shutdown(app: Flask) -> None:
    """Stop the app's background workers and close its database pool (tests and clean exits)."""
    spooler = app.extensions.get(printing.EXTENSION)
    if spooler is not None:
        spooler.close()
    admin.stop_retention(app)
    for key in (FEED, FANOUT, PUSH):
        worker = app.extensions.get(key)
        if worker is not None:
            worker.close()
    app.extensions["vuoro"].db.dispose()


def _init_realtime(app: Flask, context: Context, notifier: Notifier | None, config_version: int) -> None:
    """Socket.IO in threading mode (never eventlet), with Redis as message queue when several processes run."""
    # Without Redis, say so (client_manager=None): Flask-SocketIO keeps the options of its previous init_app, so an
    # app built after one with a message queue would otherwise inherit that app's queue.
    queue: dict[str, Any] = (
        {"message_queue": context.config.redis_url}
        if context.config.redis_url
        else {"message_queue": None, "client_manager": None}
    )
    socketio.init_app(
        app,
        async_mode="gevent" if os.environ.get("VUORO_WORKER") == "gevent" else "threading",
        channel=context.config.socketio_channel,
        **queue,
    )
    handlers = Handlers()
    handlers.register(socketio)
    Handlers.init_app(app)
    _init_live(app, context, notifier, config_version)
    assert context.live is not None
    context.live.subscribe(handlers)  # closes the sockets of disabled users and revoked tokens
    printing.init_app(app, context, socketio)


def _init_live(app: Flask, context: Context, notifier: Notifier | None, config_version: int) -> None:
    """The live model, its first consumer (the socket fan-out, or the caller's recorder) and the change feed."""
    live = install(context, config_version=config_version)
    if notifier is None:
        fanout = SocketFanout(socketio, context)
        fanout.start()
        app.extensions[FANOUT] = fanout
        notifier = fanout
    context.notifier = notifier
    live.subscribe(notifier)
    cfg = context.config
    feed = RedisChangeFeed(live, cfg.redis_url, cfg.socketio_channel) if cfg.redis_url else OutboxPoller(live, 1.0)
    live.feed = feed
    feed.start()
    app.extensions[FEED] = feed
    if cfg.push.enabled:
        push = PushWorker(context)
        push.start()
        live.on_local_commit(push.committed)
        app.extensions[PUSH] = push


def _init_pages(app: Flask) -> None:
    """The people-facing pages: kiosk, display board, desk, phone, login."""
    i18n_web.init_app(app, chosen_language)
    kiosk_ui.init_app(app)
    display_board.init_app(app)
    pages.init_app(app)


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"

    def _load(user_id: str) -> SessionUser | None:
        if not user_id.isdigit():
            return None
        principal = load_user(current_app.extensions["vuoro"].db, int(user_id))
        return SessionUser(principal) if principal else None

    login_manager.user_loader(_load)  # called, not a decorator: Flask-Login's decorator is untyped
