"""The two gunicorn workers ``vuoro serve`` offers, and what each needs before the server starts.

``gthread`` (the default) runs Flask-SocketIO in ``threading`` mode: one thread per open websocket, any database.
``gevent`` runs it in ``gevent`` mode under gevent-websocket's gunicorn worker: a greenlet per websocket, so
thousands of sockets cost little memory. It runs only on PostgreSQL: sqlite3 calls block in C, and one slow
write would stall every greenlet of the process (every board and phone) until it returns.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import resource
from typing import Any

log = logging.getLogger(__name__)

WORKERS = ("gthread", "gevent")
#: set by ``vuoro serve`` for the app factory, so Flask-SocketIO's async mode matches the worker it runs in
WORKER_ENV = "VUORO_WORKER"
#: the gevent worker class with websocket support (gevent-websocket), as Flask-SocketIO's deployment notes name it;
#: python-engineio uses gevent-websocket whenever it is installed, so the plain gevent worker would answer no
#: websocket upgrade and every client would stay on long-polling
GEVENT_WORKER_CLASS = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
#: descriptors kept free for the listening socket, the database pool, Redis, log files and the like
RESERVED_FILES = 256


def refusal(worker: str, database_url: str) -> str | None:
    """Why ``worker`` cannot serve this database here (None: it can)."""
    if worker != "gevent":
        return None
    if database_url.startswith("sqlite"):
        return (
            "the gevent worker needs PostgreSQL: SQLite's calls block the whole process, so one slow write "
            "would stall every greenlet (every board and phone). Use --worker gthread with SQLite."
        )
    missing = [name for name in ("gevent", "geventwebsocket") if importlib.util.find_spec(name) is None]
    if missing:
        return f"the gevent worker needs {' and '.join(missing)}: pip install 'vuoro[gevent]'"
    return None


def prepare_gevent() -> None:
    """Make the standard library cooperative before the database driver is imported; keep access logs off.

    gunicorn's gevent worker patches only after the fork, but ``vuoro serve`` opens the database first, in the
    master (its schema check, the first admin); psycopg, imported when the first engine is created, picks its
    wait function then and would keep a blocking one in the worker.  Importing Vuoro's modules imports no
    database driver, so patching here, before the first engine, is early enough.
    gevent-websocket's handler logs every request line at INFO, and paths hold visitors' tokens.
    """
    # lazy: gevent is the optional extra vuoro[gevent], needed only by the worker that asks for it
    from gevent import monkey

    monkey.patch_all()
    logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard limit (every socket is a descriptor); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, target, exc)
    return soft


def gunicorn_options(worker: str, *, threads: int, open_files: int) -> dict[str, Any]:
    """The worker-specific gunicorn settings."""
    if worker == "gevent":
        # one greenlet per connection: the only limit is the descriptors, so leave room for the rest
        return {"worker_class": GEVENT_WORKER_CLASS, "worker_connections": max(1000, open_files - RESERVED_FILES)}
    # gthread accepts no more than worker_connections sockets (default 1000): every open websocket holds a
    # thread and a connection, and idle keep-alive connections need room beyond the threads.
    return {"worker_class": "gthread", "threads": threads, "worker_connections": threads + 1000}


def announce(worker: str) -> None:
    """Tell the app factory (in the worker, after the fork) which Socket.IO async mode to use."""
    os.environ[WORKER_ENV] = worker
