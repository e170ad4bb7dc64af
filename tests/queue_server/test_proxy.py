"""Behind a proxy: with proxy_hops the client's own address is believed; without, the server says so once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask.testing import FlaskClient

from queue_server.proxy import behind_proxies


def echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]


def call(app: Any, headers: dict[str, str]) -> str:
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    return b"".join(app(environ, lambda *_: None)).decode()


def test_one_hop_believes_the_last_forwarded_address_and_scheme_only() -> None:
    app = behind_proxies(echo, 1)
    assert call(app, {"X-Forwarded-For": "10.1.2.3", "X-Forwarded-Proto": "https"}) == "10.1.2.3 https"
    # a client's own X-Forwarded-For comes before nginx's entry and is not believed
    assert call(app, {"X-Forwarded-For": "6.6.6.6, 10.1.2.4"}) == "10.1.2.4 http"


def test_without_hops_a_forwarded_request_is_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    app = behind_proxies(echo, 0)
    with caplog.at_level(logging.WARNING, logger="queue_server.proxy"):
        assert call(app, {}) == "127.0.0.1 http"
        assert not caplog.records, "no proxy, no warning"
        for _ in range(3):
            assert call(app, {"X-Forwarded-For": "10.1.2.3"}) == "127.0.0.1 http"
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "proxy_hops is 0" in warnings[0] and "127.0.0.1" in warnings[0]
    assert "10.1.2.3" not in warnings[0], "the visitor's address is not logged"


def test_the_app_warns_when_nginx_forwards_to_a_server_without_proxy_hops(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="queue_server.proxy"):
        assert client.get("/healthz", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
    assert any("proxy_hops is 0" in r.getMessage() for r in caplog.records)
