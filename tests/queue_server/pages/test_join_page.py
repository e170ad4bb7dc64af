"""The QR poster's page ``/join/<kiosk>`` through Flask's test client: in each language, under the strict CSP,
with the browser's cookie for the per-browser budget; a kiosk without remote services, an unknown kiosk."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.i18n.catalogue import text
from queue_server.web.security import JOIN_COOKIE
from tests.queue_server.services.test_remote import remote_config

from .helpers import inline_code, script_sources
from .test_book_page import LANGUAGES, body_data


@pytest.fixture
def join_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = remote_config(config_data)
    data["centre"]["languages"] = LANGUAGES
    data["services"][0]["remote"] = False  # k2 offers Kela and health: neither by phone now
    return make_app(data)


@pytest.fixture
def client(join_app: Flask) -> FlaskClient:
    return join_app.test_client()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_join_page_opens_in_each_language(client: FlaskClient, lang: str) -> None:
    resp = client.get(f"/join/k1?lang={lang}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    direction = ' dir="rtl"' if lang == "ar" else ""
    assert f'<html lang="{lang}"{direction}>' in html
    for key in ("join.title", "join.intro", "join.privacy", "join.choose", "join.get"):
        assert text(key, lang) in html, key
    assert 'id="join-at-kiosk"' not in html
    assert inline_code(html) == []
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]
    assert script_sources(html) == ["/assets/vuoro/vuoro.js", "/assets/vuoro/join.js"]
    assert (body_data(html, "kiosk"), body_data(html, "services")) == ("k1", "library")
    strings = json.loads(body_data(html, "strings"))
    assert sorted(strings) == sorted(LANGUAGES)  # the switch changes every text in place
    assert strings[lang]["join.error_remote_full"] == text("join.error_remote_full", lang)
    for code in LANGUAGES:
        assert f'data-lang-choice="{code}"' in html


def test_the_page_names_the_browser_once_with_a_random_httponly_cookie(client: FlaskClient) -> None:
    first = client.get("/join/k1")
    header = next(h for h in first.headers.getlist("Set-Cookie") if h.startswith(f"{JOIN_COOKIE}="))
    value = header.split(";")[0].split("=", 1)[1]
    assert len(value) == 32 and int(value, 16) >= 0  # 128 random bits
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "max-age", "path"} <= attributes
    assert "Max-Age=86400" in header and "SameSite=Lax" in header
    again = client.get("/join/k1")  # a reload keeps the name: it is the key of the browser's budget
    assert not [h for h in again.headers.getlist("Set-Cookie") if h.startswith(f"{JOIN_COOKIE}=")]
    other = FlaskClient(client.application).get("/join/k1")
    assert value not in " ".join(other.headers.getlist("Set-Cookie"))


def test_a_kiosk_with_no_remote_service_sends_the_visitor_to_the_kiosk(client: FlaskClient) -> None:
    resp = client.get("/join/k2?lang=en")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert text("join.at_kiosk", "en") in html
    assert 'id="join-form"' not in html and body_data(html, "services") == ""
    assert inline_code(html) == []


def test_an_unknown_kiosk_is_the_sites_not_found_page(client: FlaskClient) -> None:
    resp = client.get("/join/nope?lang=en")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert text("notfound.kiosk", "en") in html
    assert JOIN_COOKIE not in " ".join(resp.headers.getlist("Set-Cookie"))
