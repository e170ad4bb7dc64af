"""A kiosk's QR poster (``/admin/kiosks/<key>/poster``): an admin's page to print, its code the poster page's
address, its line in each of the centre's languages, under the strict CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape

from queue_server.i18n.catalogue import text
from tests.queue_server.pages.helpers import decode_svg_qr, inline_code, script_sources
from tests.queue_server.pages.test_book_page import LANGUAGES
from tests.queue_server.services.test_remote import remote_config

from .test_manage_layout import log_in


@pytest.fixture
def poster_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = remote_config(config_data)
    data["centre"]["languages"] = LANGUAGES
    data["centre"]["name"] = {"fi": "Testikeskus", "sv": "Testcenter", "en": "Test centre"}
    data["services"][0]["remote"] = False  # k2 offers Kela and health: neither by phone now
    return make_app(data)


def inline_svg(html: str) -> bytes:
    found = re.search(r"<svg .*?</svg>", html, re.S)
    assert found, "no inline SVG"
    return found.group(0).encode()


def test_the_poster_codes_the_join_page_and_says_it_in_every_language(poster_app: Flask) -> None:
    admin = log_in(poster_app, poster_app.extensions["vuoro"], "admin")
    resp = admin.get("/admin/kiosks/k1/poster?lang=en")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert inline_code(html) == []  # the inline SVG has no script and no style attribute
    assert script_sources(html) == ["/admin/static/poster.js"]
    assert decode_svg_qr(inline_svg(html)) == "http://vuoro.test/join/k1"
    assert "http://vuoro.test/join/k1" in html
    assert "Testikeskus · Testcenter · Test centre" in html  # ru, et, ar have no name of their own
    for lang in LANGUAGES:
        direction = "rtl" if lang == "ar" else "ltr"
        assert f'<p class="poster-take" lang="{lang}" dir="{direction}">{escape(text("poster.take", lang))}</p>' in html
        assert escape(text("poster.scan", lang)) in html
    assert text("poster.print", "en") in html and 'id="poster-no-remote"' not in html
    assert 'class="manage-nav"' not in html  # nothing but the poster (the tools hide in print)


def test_the_kiosks_page_links_each_poster_and_a_kiosk_without_remote_services_is_warned_of(poster_app: Flask) -> None:
    admin = log_in(poster_app, poster_app.extensions["vuoro"], "admin")
    html = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    for key in ("k1", "k2"):
        assert f'href="/admin/kiosks/{key}/poster"' in html
    html = admin.get("/admin/kiosks/k2/poster?lang=en").get_data(as_text=True)
    assert escape(text("poster.no_remote", "en")) in html
    assert admin.get("/admin/kiosks/nope/poster").status_code == 404


def test_only_an_admin_prints_a_poster(poster_app: Flask) -> None:
    ctx = poster_app.extensions["vuoro"]
    for role in ("clerk", "supervisor"):
        assert log_in(poster_app, ctx, role).get("/admin/kiosks/k1/poster").status_code == 403
    resp = poster_app.test_client().get("/admin/kiosks/k1/poster")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")
