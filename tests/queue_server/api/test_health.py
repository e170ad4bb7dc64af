"""GET /healthz: 200 while the database answers, 503 when it does not (no credentials needed)."""

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
        body = api.get("/healthz", expect=503).get_json()
    finally:
        ctx.db.engine.dispose()
        ctx.db.engine = working
    assert body == {"status": "unavailable", "database": False}
    assert api.get("/healthz", expect=200).get_json()["database"] is True
