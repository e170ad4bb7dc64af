"""The service worker ``/sw.js`` (Web Push, issue 16) and the phone page's offer of notifications, through
Flask's test client; the browser side is tests/browser/test_phone_push.py."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.web.security import CSP

from .helpers import inline_code, script_sources

#: what phone_push.js says (phone.push_<name>)
PUSH_TEXTS = ("offer", "on", "stop", "may_close", "unsupported", "denied", "refused", "failed", "stop_failed")


@pytest.fixture
def ticket(client: FlaskClient, kiosk_auth: dict[str, str]) -> dict[str, Any]:
    resp = client.post("/api/tickets", json={"services": ["kela"], "language": "fi", "kiosk": "k1"}, headers=kiosk_auth)
    assert resp.status_code == 201, resp.json
    return resp.json["ticket"]  # type: ignore[index,no-any-return]


def test_the_service_worker_is_served_at_the_root_for_scope_root(client: FlaskClient) -> None:
    resp = client.get("/sw.js")
    assert resp.status_code == 200
    assert resp.mimetype == "application/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/"
    assert resp.headers["Cache-Control"] == "no-cache"  # a phone checks for a new version on each update
    assert resp.headers["Content-Security-Policy"] == CSP
    script = resp.get_data(as_text=True)
    for event in ('"push"', '"notificationclick"'):
        assert f"addEventListener({event}" in script
    assert "showNotification(" in script and "openWindow(" in script
    # no offline copy (the page reconnects itself): the only thing kept is the ticket page's own address
    assert '"fetch"' not in script and "cache.put" not in script and "caches.open(CACHE)" in script


def test_the_phone_page_loads_the_push_script_after_its_own(
    app: Flask, client: FlaskClient, ticket: dict[str, Any]
) -> None:
    resp = client.get(f"/t/{ticket['token']}")
    page = resp.get_data(as_text=True)
    scripts = script_sources(page)
    assert scripts.index("/assets/vuoro/phone_push.js") == scripts.index("/assets/vuoro/phone.js") + 1
    assert inline_code(page) == []
    assert resp.headers["Content-Security-Policy"] == CSP
    # the offer starts hidden: the script shows it once it knows the ticket waits and what the browser can do
    assert '<div id="push" class="phone-push" hidden>' in page
    assert "Ilmoita, kun vuoroni on pian" in page  # the button's text, in the ticket's language
    # the page's catalogue carries the script's texts in every language the visitor may switch to
    strings = json.loads(html.unescape(re.search(r'data-strings="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert set(strings) == set(app.extensions["vuoro"].config.centre.languages)
    for table in strings.values():
        assert {f"phone.push_{name}" for name in PUSH_TEXTS} <= set(table)


def test_the_push_script_is_a_static_asset(client: FlaskClient) -> None:
    resp = client.get("/assets/vuoro/phone_push.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    script = resp.get_data(as_text=True)
    resp.close()
    assert 'register("/sw.js", { scope: "/" })' in script
    assert "innerHTML" not in script


def test_the_phone_page_offers_notifications_only_when_the_centre_sends_them(
    app: Flask, client: FlaskClient, ticket: dict[str, Any]
) -> None:
    page = client.get(f"/t/{ticket['token']}").get_data(as_text=True)
    assert 'data-push="on"' in page
    app.extensions["vuoro"].config.push.enabled = False
    assert 'data-push="off"' in client.get(f"/t/{ticket['token']}").get_data(as_text=True)
