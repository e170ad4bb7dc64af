"""Database engine and sessions.

Two kinds of session: ``reader()`` for queries and ``writer()`` for use cases that change state.  On SQLite a
writer starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue up on the database lock instead of
failing half-way (and WAL lets readers go on meanwhile); on PostgreSQL writers lock rows explicitly
(``FOR UPDATE`` / ``SKIP LOCKED``) in the services that need it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, orm

log = logging.getLogger(__name__)
_WRITE = "vuoro_write"


class Database:
    """Owns one engine and its session factories; created once per app."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = sa.create_engine(url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite(self.engine)
        # SQLite has one writer at a time.  Writers of this process take turns on a lock first: a waiting thread is
        # woken the moment the lock is free, where SQLite's busy handler would sleep-and-retry (up to 100 ms a
        # round), which made the p99 of concurrent kiosks soar.  Other processes still wait on busy_timeout.
        self._write_lock = threading.RLock() if self.is_sqlite else None
        self._read = orm.sessionmaker(self.engine, expire_on_commit=False)
        self._write = orm.sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @staticmethod
    def _configure_sqlite(engine: sa.Engine) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (see the "begin" hook below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    @contextmanager
    def reader(self) -> Iterator[orm.Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writer(self) -> Iterator[orm.Session]:
        """A session in one write transaction: committed on success, rolled back on any error."""
        if self._write_lock is None:
            with self._write() as session, session.begin():
                yield session
            return
        with self._write_lock, self._write() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            log.warning("database ping failed", exc_info=True)
            return False

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest Alembic revision."""
        command.upgrade(alembic_config(self.url, self.engine), "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str, engine: sa.Engine | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg
