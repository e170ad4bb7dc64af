"""Serving the app with gunicorn: one worker process, threaded (``gthread``) or greenlets (``gevent``).

One worker process only: Socket.IO sessions live in the process (several processes need Redis and sticky
sessions, see docs/deploy.md). The worker kinds and their settings are in :mod:`queue_server.workers`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from . import log_hygiene, workers


def _logger_class(log_client_addresses: bool) -> type[Logger]:
    """gunicorn's logger with Vuoro's log hygiene on its handlers (it sets them up itself, in each process)."""

    class HygienicLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            log_hygiene.install(
                [*self.error_log.handlers, *self.access_log.handlers], log_client_addresses=log_client_addresses
            )

    return HygienicLogger


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn's control socket (newer releases) sits at one fixed path, ~/.gunicorn/gunicorn.ctl, for every
            # instance, so the processes of one machine would take it from each other; Vuoro does not use it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        # Built in the worker, after the fork: database pools and background threads belong to it.
        return self.factory()


def run(
    factory: Callable[[], Flask],
    *,
    host: str,
    port: int,
    worker: str = "gthread",
    threads: int = 200,
    open_files: int = 1024,
    log_client_addresses: bool = False,
) -> None:
    """Serve until stopped; ``open_files`` is the descriptor limit the gevent worker sizes itself to."""
    workers.announce(worker)
    _Gunicorn(
        factory,
        {
            "bind": f"{host}:{port}",
            "workers": 1,
            **workers.gunicorn_options(worker, threads=threads, open_files=open_files),
            "timeout": 0,  # websockets stay open; a worker busy with a long broadcast must not be killed
            # idle keep-alive connections outlive nginx's upstream keepalive_timeout (60 s): nginx closes them
            # first, and never sends a request on one the server is closing (deploy/nginx.conf)
            "keepalive": 75,
            "graceful_timeout": 5,
            "accesslog": None,  # access logs would hold visitors' tokens in paths
            "loglevel": "info",
            "logger_class": _logger_class(log_client_addresses),
        },
    ).run()
