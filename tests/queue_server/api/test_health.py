"""GET /healthz: 200 while the database answers, 503 saying why when it does not (no credentials needed)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from queue_server.services.context import Context
from tests.queue_server.helpers import Api


def test_health_is_ok_while_the_database_answers(api: Api) -> None:
    assert api.get("/healthz", headers={}, expect=200).get_json() == {"status": "ok", "database": True}


def test_health_is_503_when_the_database_is_gone(app: Flask, ctx: Context, api: Api) -> None:
    working = ctx.db.engine
    ctx.db.engine = sa.create_engine("sqlite:////nonexistent-dir/vuoro-gone.db")
    try:
        resp = api.get("/healthz", expect=503)
    finally:
        ctx.db.engine.dispose()
        ctx.db.engine = working
    assert resp.get_json() == {
        "status": "unavailable",
        "database": False,
        "error": {"code": "database_unavailable", "message": "unable to open database file"},
    }
    assert int(resp.headers["Retry-After"]) > 0
    assert api.get("/healthz", expect=200).get_json()["database"] is True


def test_health_says_why_without_the_database_password(app: Flask, ctx: Context, api: Api) -> None:
    working = ctx.db.engine
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    ctx.db.engine = sa.create_engine("postgresql+psycopg://vuoro:s3cret-pw@127.0.0.1:1/vuoro")
    try:
        resp = api.get("/healthz", expect=503)
    finally:
        ctx.db.engine.dispose()
        ctx.db.engine = working
    assert resp.get_json()["error"]["message"] == "Connection refused"
    assert "s3cret" not in resp.get_data(as_text=True)
