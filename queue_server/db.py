"""Database engine and sessions.

Two kinds of session: ``reader()`` for queries and ``writer()`` for use cases that change state.  On SQLite a
writer starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue up on the database lock instead of
failing half-way (and WAL lets readers go on meanwhile); on PostgreSQL writers lock rows explicitly
(``FOR UPDATE`` / ``SKIP LOCKED``) in the services that need it.

A database that cannot answer now (PostgreSQL stopped or restarting, SQLite locked past the timeout, every pooled
connection in use) leaves these sessions as :class:`DatabaseUnavailable`, which the edges turn into a 503 with
``Retry-After``; :func:`is_unavailable` tells the same for an error raised outside them.  The pool needs no
restart afterwards: ``pool_pre_ping`` replaces the connections the outage broke.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, orm

log = logging.getLogger(__name__)
_WRITE = "vuoro_write"
#: how long a connection attempt, a free pooled connection or a SQLite lock is waited for (seconds)
DEFAULT_TIMEOUT_S = 5.0

# PostgreSQL SQLSTATE classes meaning "the server cannot serve now", not "this statement is wrong": connection
# exception, insufficient resources (too many connections, disk full), operator intervention (shutdown, crash
# recovery, "the database system is starting up"; not 57014, a cancelled statement), system error.
_PG_UNAVAILABLE = ("08", "53", "57P", "58")
# SQLite: another connection holds the lock past busy_timeout, or the file cannot be opened (volume gone).
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN")
_CREDENTIALS = re.compile(r"://[^/\s@]*@")


class SchemaNotCurrent(Exception):
    """The database's schema is not the one this code was written for: serving on it would run half-migrated.

    The message says what to do ("run vuoro db upgrade"); the CLI prints it and the server does not start.
    """


class DatabaseUnavailable(Exception):
    """The database cannot answer now; the request may succeed when retried in a few seconds.

    ``reason`` is short and safe to show (no URL, no password): "Connection refused", "database is locked".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unavailable_now(exc: BaseException) -> bool:
    if isinstance(exc, (DatabaseUnavailable, sa.exc.TimeoutError)):  # TimeoutError: no free pooled connection
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc, sa.exc.InterfaceError):  # psycopg: "the connection is closed"
        return "connection" in str(exc.orig).lower()
    if not isinstance(exc, sa.exc.OperationalError):
        return False  # IntegrityError, ProgrammingError, DataError...: a bug or a conflict, never a 503
    if isinstance(exc.orig, sqlite3.Error):
        return str(getattr(exc.orig, "sqlite_errorname", "")).startswith(_SQLITE_UNAVAILABLE)
    state = getattr(exc.orig, "sqlstate", None)
    # Without a SQLSTATE the driver itself failed: the connection could not be made or was lost.
    return state is None or str(state).startswith(_PG_UNAVAILABLE)


def _unavailable_cause(exc: BaseException) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None and not _unavailable_now(seen):
        seen = seen.__cause__
    return seen


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or the error it was raised from) means the database is unreachable or locked right now.

    For code that talks to the engine outside :meth:`Database.reader` / :meth:`Database.writer` (Socket.IO
    handlers, workers), so that it answers "try again" instead of a crash.  Deadlocks, serialization failures and
    constraint violations are not "unavailable": they are answered by the code that caused them.
    """
    return _unavailable_cause(exc) is not None


def unavailable_reason(exc: BaseException) -> str:
    """A one-line reason for ``exc``, fit for a response body or a log line: no URL, password or traceback."""
    exc = _unavailable_cause(exc) or exc
    if isinstance(exc, DatabaseUnavailable):
        return exc.reason
    if isinstance(exc, sa.exc.TimeoutError):
        return "every database connection is in use"
    text = (str(exc.orig) if isinstance(exc, sa.exc.DBAPIError) else str(exc)).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    line = line.rsplit("failed: ", 1)[-1]  # psycopg: 'connection failed: connection to server ... failed: X'
    return _CREDENTIALS.sub("://***@", line)[:160]


class Database:
    """Owns one engine and its session factories; created once per app."""

    def __init__(self, url: str, *, echo: bool = False, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.timeout_s = timeout_s
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": timeout_s, "check_same_thread": False}
        else:
            # A stopped server must answer "unavailable" in seconds, not after the kernel's TCP timeout (libpq
            # counts whole seconds, at least 2); pre-ping swaps the connections an outage broke for new ones.
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True, pool_timeout=timeout_s)
            if "connect_timeout" not in sa.engine.make_url(url).query:
                kwargs["connect_args"] = {"connect_timeout": max(2, math.ceil(timeout_s))}
        self.engine = sa.create_engine(url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite(self.engine, timeout_s)
        # SQLite has one writer at a time.  Writers of this process take turns on a lock first: a waiting thread is
        # woken the moment the lock is free, where SQLite's busy handler would sleep-and-retry (up to 100 ms a
        # round), which made the p99 of concurrent kiosks soar.  Other processes still wait on busy_timeout.
        self._write_lock = threading.RLock() if self.is_sqlite else None
        self._read = orm.sessionmaker(self.engine, expire_on_commit=False)
        self._write = orm.sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @staticmethod
    def _configure_sqlite(engine: sa.Engine, timeout_s: float) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (see the "begin" hook below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    @contextmanager
    def reader(self) -> Iterator[orm.Session]:
        """A session for queries; raises :class:`DatabaseUnavailable` when the database cannot answer."""
        try:
            with self._read() as session:
                yield session
        except sa.exc.SQLAlchemyError as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(unavailable_reason(exc)) from exc
            raise

    @contextmanager
    def writer(self) -> Iterator[orm.Session]:
        """A session in one write transaction: committed on success, rolled back on any error.

        Raises :class:`DatabaseUnavailable` when the database cannot answer, or when (SQLite) the writers of this
        process have held the database longer than the timeout: a 503 in seconds rather than a kiosk that hangs.
        """
        try:
            if self._write_lock is None:
                with self._write() as session, session.begin():
                    yield session
                return
            if not self._write_lock.acquire(timeout=self.timeout_s):
                raise DatabaseUnavailable(f"the database stayed busy for {self.timeout_s:g} s")
            try:
                with self._write() as session, session.begin():
                    yield session
            finally:
                self._write_lock.release()
        except sa.exc.SQLAlchemyError as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(unavailable_reason(exc)) from exc
            raise

    def problem(self) -> str | None:
        """None while the database answers a query, else the short reason it does not (for ``/healthz``)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:  # whatever the failure, the database does not answer
            reason = unavailable_reason(exc)
            log.warning("database unavailable: %s", reason)
            return reason
        return None

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest Alembic revision."""
        command.upgrade(alembic_config(self.url, self.engine), "head")

    def prepare(self, migrate: bool | None = None) -> None:
        """Make sure the schema is the code's before anything uses it.

        ``migrate=None`` is the deployment's rule: a SQLite file is created or upgraded on the spot (one process
        owns it, and a new user's first ``vuoro serve`` must just work), while PostgreSQL is only checked,
        because several processes share it and ``vuoro db upgrade`` migrates it once per release
        (docs/deploy.md).  ``True`` upgrades whatever the database (``vuoro db upgrade`` itself), ``False`` only
        checks.  Raises :class:`SchemaNotCurrent` when the schema is not at the code's head revision.
        """
        if migrate or (migrate is None and self.is_sqlite):
            self.upgrade()
        else:
            self.require_current()

    def require_current(self) -> None:
        """Raise :class:`SchemaNotCurrent` unless the database is at the code's head revision(s)."""
        script = ScriptDirectory.from_config(alembic_config(self.url))
        heads = set(script.get_heads())
        with self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        if current == heads:
            return
        needs = ", ".join(sorted(heads))
        if not current:
            raise SchemaNotCurrent(
                f"the database has no schema yet (no revision), the code needs {needs}: run vuoro db upgrade"
            )
        at = ", ".join(sorted(current))
        known = {r.revision for r in script.walk_revisions()}
        if current <= known:
            raise SchemaNotCurrent(f"the database is at revision {at}, the code needs {needs}: run vuoro db upgrade")
        raise SchemaNotCurrent(
            f"the database is at revision {at}, which this code does not know (a newer release "
            f"migrated it), the code needs {needs}: run the release that migrated it"
        )

    def dispose(self) -> None:
        """Close the pool's connections: when the app stops, or start-up is done with the database or refused it."""
        self.engine.dispose()


def alembic_config(url: str, engine: sa.Engine | None = None) -> AlembicConfig:
    """Alembic's configuration for ``url``, built in code (no alembic.ini to ship); ``engine`` lets the migrations
    reuse the caller's connection pool (and its SQLite settings) instead of opening their own."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg
