"""The stack's floor: a minimal Flask app that inserts one SQLite row per POST, served exactly as ``vuoro serve``.

    python bench/floor_app.py --db /tmp/floor.db --port 5100 --threads 64

What a ticket costs can only be judged against what this stack costs to do anything durable at all: gunicorn's
threaded worker (``queue_server.wsgi_server.run``, the very function ``vuoro serve`` calls, so the worker
settings are the same), Flask routing a JSON POST, and one SQLAlchemy Core insert committed to SQLite with
Vuoro's own pragmas (WAL, ``synchronous=NORMAL``).  The bench reports Vuoro's issue and ``/healthz`` throughput
as fractions of this app's.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify, request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queue_server.wsgi_server import run  # noqa: E402

META = sa.MetaData()
ROWS = sa.Table(
    "rows",
    META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32)),
    sa.Column("at", sa.DateTime),
)


def create_app(db_path: str) -> Flask:
    """The app: ``POST /rows`` with ``{"kind": ...}`` inserts a row and answers 201 with its id."""
    engine = sa.create_engine(f"sqlite:///{db_path}", connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    META.create_all(engine)
    insert = ROWS.insert()
    app = Flask(__name__)

    @app.post("/rows")
    def add_row() -> Any:
        body = request.get_json(silent=True) or {}
        with engine.begin() as conn:
            result = conn.execute(insert, {"kind": str(body.get("kind", ""))[:32], "at": datetime.now(UTC)})
        return jsonify({"id": result.lastrowid}), 201

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify({"status": "ok"})

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite file (created)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=64)
    args = parser.parse_args(argv)
    run(lambda: create_app(args.db), host=args.host, port=args.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
