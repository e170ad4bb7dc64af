"""What ``vuoro serve`` writes to its standard output (the journal, under systemd) holds no password, no token
and no client address: a first start, a full visit (issue, follow, call, serve) and failed log-ins past the
rate limit, all from one visitor address that must not appear."""

from __future__ import annotations

import http.client
import json
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.db import Database
from queue_server.services.accounts import create_token
from queue_server.services.first_start import FILE_NAME
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def server(config_data: dict[str, Any], tmp_path: Path) -> Iterator[LiveServer]:
    config_data["limits"] = {"enabled": True, "login": "3/minute"}
    live = LiveServer(config_data, tmp_path).start()
    yield live
    live.stop()


class Visitor:
    """Requests from one loopback address of this run's own (a stand-in for a visitor's phone or a kiosk)."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"  # noqa: S311

    def __call__(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10, source_address=(self.address, 0))
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
            resp = conn.getresponse()
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text.startswith("{") else text)
        finally:
            conn.close()


def test_the_server_log_holds_no_password_token_or_client_address(
    server: LiveServer, config_data: dict[str, Any]
) -> None:
    one_time = (server.workdir / FILE_NAME).read_text().split()[1]
    db = Database(config_data["database_url"])
    kiosk, desk = create_token(db, "kiosk", "k1"), create_token(db, "desk", "d")
    db.dispose()
    visit = Visitor(server)

    status, body = visit("POST", "/api/tickets", {"services": ["kela"]}, {"Authorization": f"Bearer {kiosk}"})
    assert status == 201, body
    token = body["ticket"]["token"]
    assert visit("GET", f"/t/{token}")[0] == 200
    assert visit("GET", f"/api/tickets/{token}")[0] == 200
    assert visit("POST", "/api/desks/d1/next", {}, {"Authorization": f"Bearer {desk}"})[0] == 200
    assert visit("POST", "/api/desks/d1/finish", {}, {"Authorization": f"Bearer {desk}"})[0] == 200
    assert visit("GET", "/api/tickets/not-a-real-token-at-all")[0] == 404
    logins = [visit("POST", "/api/session", {"username": "admin", "password": f"wrong-{i}"})[0] for i in range(5)]
    assert logins[:3] == [401, 401, 401] and logins[3:] == [429, 429], logins
    time.sleep(0.5)  # the last lines reach the file

    log = server.output()
    assert "<address>" in log, "the rate limiter's line is there, its address scrubbed"
    for secret in (one_time, token, kiosk, desk, "wrong-0", "wrong-4"):
        assert secret not in log, f"{secret[:4]}… is in the server's log"
    assert visit.address not in log, "the visitor's address is in the server's log"
    assert not re.search(r"/t/[A-Za-z0-9_-]{16,}|/api/tickets/[A-Za-z0-9_-]{16,}", log), "a token path"


def test_with_redis_down_the_log_says_so_without_a_flood(config_data: dict[str, Any], tmp_path: Path) -> None:
    """Every emit fails while Redis is away; the log must still be readable: each kind of line at most once a
    minute (it was ~110 ERROR lines a second)."""
    config_data["redis_url"] = "redis://127.0.0.1:1/0"  # nothing listens there
    live = LiveServer(config_data, tmp_path).start()
    try:
        db = Database(config_data["database_url"])
        kiosk, desk = create_token(db, "kiosk", "k1"), create_token(db, "desk", "d")
        db.dispose()
        visit = Visitor(live)
        for _ in range(30):
            assert visit("POST", "/api/tickets", {"services": ["kela"]}, {"Authorization": f"Bearer {kiosk}"})[0] == 201
            assert visit("POST", "/api/desks/d1/next", {}, {"Authorization": f"Bearer {desk}"})[0] == 200
            assert visit("POST", "/api/desks/d1/finish", {}, {"Authorization": f"Bearer {desk}"})[0] == 200
        time.sleep(0.5)
    finally:
        live.stop()
    noisy = [line for line in live.output().splitlines() if " ERROR " in line or " WARNING " in line]
    kinds = {re.sub(r"^\S+ \S+ ", "", line) for line in noisy}
    assert len(noisy) <= 2 * len(kinds) + 2, "\n".join(noisy[:40])
    assert len(noisy) < 20, "\n".join(noisy[:40])
