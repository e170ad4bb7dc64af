"""Logs hold no secrets: every record (root logger at DEBUG) written while people log in (right
and wrong passwords), tokens are created, tickets are issued, printed, looked up, followed on the phone and
cancelled, and while a view crashes, is searched for the token and password values.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

from queue_server.services.accounts import add_user, create_token

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - a test password
WRONG = "Wrong-Password-Attempt-7"  # noqa: S105


def record_texts(records: list[logging.LogRecord]) -> list[str]:
    texts = []
    for r in records:
        texts.append(str(r.msg))
        texts.append(r.getMessage())
        texts.append(repr(r.args))
        if r.exc_info:
            texts.append(logging.Formatter().formatException(r.exc_info))
        if r.exc_text:
            texts.append(r.exc_text)
        if r.stack_info:
            texts.append(r.stack_info)
    return texts


def test_no_token_or_password_reaches_any_log_record(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records too
    ctx = app.extensions["vuoro"]
    secrets: list[str] = [PASSWORD, WRONG]

    add_user(ctx.db, "clerk1", PASSWORD, "clerk")
    kiosk = create_token(ctx.db, "kiosk", "k1")
    admin = create_token(ctx.db, "admin", "script")
    secrets += [kiosk, admin]

    client = app.test_client()
    assert client.post("/api/session", json={"username": "clerk1", "password": WRONG}).status_code == 401
    assert client.post("/api/session", json={"username": "nobody", "password": WRONG}).status_code == 401
    assert client.post("/login", data={"username": "clerk1", "password": WRONG}).status_code == 401
    assert client.post("/api/session", json={"username": "clerk1", "password": PASSWORD}).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    secrets.append(cookie.value)

    assert client.get("/api/tickets", headers={"Authorization": "Bearer not-a-token-xyz"}).status_code == 405
    assert client.get("/api/desks", headers={"Authorization": "Bearer wrong-token-value-123"}).status_code == 401
    secrets += ["not-a-token-xyz", "wrong-token-value-123"]

    issued = client.post(
        "/api/tickets", json={"services": ["kela"], "kiosk": "k1"}, headers={"Authorization": f"Bearer {kiosk}"}
    )
    assert issued.status_code == 201  # k1 prints on the fake printer: the printing path logs too
    token = issued.json["ticket"]["token"]
    secrets.append(token)
    for path in (f"/api/tickets/{token}", f"/t/{token}", f"/t/{token}/qr.svg"):
        assert anon_get(app, path) == 200
    assert client.delete(f"/api/tickets/{token}").status_code == 200
    assert client.post(f"/api/tickets/{token}/feedback", json={"rating": 5}).status_code in (201, 409)

    # a crash while a token is in the path: the error is logged, the path is not
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("queue_server.api.tickets.service.get_ticket", boom)
    resp = app.test_client().get(f"/api/tickets/{token}")
    assert resp.status_code == 500
    assert any(r.levelno >= logging.ERROR and "unexpected error" in r.getMessage() for r in caplog.records)

    texts = record_texts(caplog.records)
    # the capture works: the issue, the print and the crash (with its traceback) are there
    assert any("issued K001" in t for t in texts) and any("printed K001" in t for t in texts)
    assert any("the database went away" in t for t in texts)
    for secret in secrets:
        leaks = [t for t in texts if secret in t]
        assert not leaks, f"a secret ({secret[:4]}...) is in the logs: {leaks[:2]}"


def anon_get(app: Flask, path: str) -> int:
    return app.test_client().get(path).status_code
