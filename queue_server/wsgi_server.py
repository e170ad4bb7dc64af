"""Serving the app with gunicorn's threaded worker, which Flask-SocketIO supports in threading mode.

One worker process only: Socket.IO sessions live in the process (several processes need Redis and sticky
sessions, see docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Built in the worker, after the fork: database pools and background threads belong to it.
        return self.factory()


def run(factory: Callable[[], Flask], *, host: str, port: int, threads: int) -> None:
    _Gunicorn(factory, {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # gthread accepts no more than worker_connections sockets (default 1000): every open websocket holds a
        # thread and a connection, and idle keep-alive connections need room beyond the threads.
        "worker_connections": threads + 1000,
        "timeout": 0,          # websockets stay open; the threaded worker must not be killed for it
        "graceful_timeout": 5,
        "accesslog": None,     # access logs would hold visitors' tokens in paths
        "loglevel": "info",
    }).run()
