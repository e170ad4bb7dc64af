"""``/kiosk/<key>``: the page, its data for the script, its languages and its assets."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from tests.queue_server.pages.helpers import inline_code


def body_data(page: str) -> dict[str, str]:
    body = re.search(r"<body([^>]*)>", page)
    assert body
    return {k: unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', body[1])}


def test_kiosk_page(client: FlaskClient) -> None:
    resp = client.get("/kiosk/k1")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    data = body_data(page)
    assert data["page"] == "kiosk" and data["kiosk"] == "k1" and data["lang"] == "fi"
    assert data["languages"] == "fi,sv,en"
    assert data["printer"] == "1"  # k1 prints on the fake printer
    assert json.loads(data["centre-names"]) == {"fi": "Testikeskus", "sv": "Testcenter", "en": "Test centre"}
    strings = json.loads(data["strings"])
    assert set(strings) == {"fi", "sv", "en"}  # the visitor switches language without a reload
    assert strings["sv"]["kiosk.get_ticket"] == "Ta könummer"
    assert strings["en"]["kiosk.priority"] == "I need priority (I cannot wait standing)"
    for code, name in (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")):
        assert f'lang="{code}" data-lang-choice="{code}"' in page and name in page
    for part in (
        'id="screen-start"',
        'id="screen-ticket"',
        'id="screen-unenrolled"',
        'aria-live="assertive"',
        'id="priority" class="toggle" aria-pressed="false"',
        'id="get-ticket"',
        'id="ticket-qr"',
    ):
        assert part in page
    assert "/assets/kiosk/kiosk.js" in page and "/assets/vuoro/vendor/socket.io.min.js" in page
    assert inline_code(page) == []


def test_unknown_kiosk_is_a_404(client: FlaskClient) -> None:
    resp = client.get("/kiosk/k9")
    assert resp.status_code == 404
    assert "Tällä nimellä ei ole vuoronumeroautomaattia." in resp.get_data(as_text=True)


def test_kiosk_without_printer_and_own_language(config_data: dict[str, Any]) -> None:
    config_data["printers"].append({"key": "nothing", "type": "none"})
    config_data["kiosks"] = [
        {"key": "k1", "zone": "z1", "printer": "nothing", "language": "sv"},
        {"key": "web", "zone": "z1"},
    ]
    app: Flask = create_app(config_data)
    try:
        client = app.test_client()
        k1 = client.get("/kiosk/k1").get_data(as_text=True)
        assert body_data(k1)["printer"] == "0" and body_data(k1)["lang"] == "sv"
        assert "Välj ditt ärende" in k1 and '<html lang="sv">' in k1
        web = client.get("/kiosk/web").get_data(as_text=True)
        assert body_data(web)["printer"] == "0" and body_data(web)["lang"] == "fi"
    finally:
        shutdown(app)


def test_kiosk_assets(client: FlaskClient) -> None:
    for path in ("/assets/kiosk/kiosk.js", "/assets/kiosk/kiosk.css"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        resp.close()


def test_kiosk_script_keeps_the_token_out_of_urls() -> None:
    """The enrolment token travels from the fragment to localStorage and then only in headers."""
    from tests.conftest import ROOT

    script = (ROOT / "kiosk_ui" / "static" / "kiosk.js").read_text(encoding="utf-8")
    assert '"vuoro.kiosk." + kiosk + ".token"' in script
    assert "history.replaceState" in script
    assert "innerHTML" not in script


def test_a_kiosk_page_names_the_services_it_offers(config_data: dict[str, Any]) -> None:
    config_data["kiosks"] = [{"key": "k1", "zone": "z1", "services": ["kela", "library"]}, {"key": "k2", "zone": "z2"}]
    app: Flask = create_app(config_data)
    try:
        client = app.test_client()
        assert body_data(client.get("/kiosk/k1").get_data(as_text=True))["services"] == "kela,library"
        assert body_data(client.get("/kiosk/k2").get_data(as_text=True))["services"] == "", "every service"
    finally:
        shutdown(app)


def test_kiosk_script_shows_only_the_offered_services_and_asks_again_on_each_snapshot() -> None:
    """The offer comes from the page, then from /api/kiosks/<key> after each snapshot (a configuration change
    sends every screen one), so a running kiosk takes a new offer up without a reload."""
    from tests.conftest import ROOT

    script = (ROOT / "kiosk_ui" / "static" / "kiosk.js").read_text(encoding="utf-8")
    assert "V.data.services" in script and "result.services.filter(" in script
    snapshot = script[script.index('socket.on("snapshot"') :]
    assert "loadOffer();" in snapshot.split("});", 1)[0]
    assert '"/api/kiosks/" + encodeURIComponent(kiosk)' in script


def test_lang_opens_the_kiosk_in_that_language_and_it_returns_home_after(client: FlaskClient) -> None:
    page = client.get("/kiosk/k1?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page and body_data(page)["home-lang"] == "fi"
    assert '<html lang="fi"' in client.get("/kiosk/k1?lang=xx").get_data(as_text=True), "unknown: its own"


def test_an_arabic_kiosk_page_is_right_to_left_and_knows_which_languages_are(config_data: dict[str, Any]) -> None:
    """``dir="rtl"`` on <html> for Arabic; ``data-rtl`` tells the script (V.setLanguage) which of the page's
    languages to turn right to left when the visitor switches without a reload."""
    config_data["centre"]["languages"] = ["fi", "sv", "en", "ru", "et", "ar"]
    app: Flask = create_app(config_data)
    try:
        client = app.test_client()
        page = client.get("/kiosk/k1?lang=ar").get_data(as_text=True)
        assert '<html lang="ar" dir="rtl">' in page
        data = body_data(page)
        assert data["lang"] == "ar" and data["rtl"] == "ar"
        strings = json.loads(data["strings"])
        assert set(strings) == {"fi", "sv", "en", "ru", "et", "ar"}
        assert strings["ar"]["kiosk.get_ticket"] == "احصل على تذكرة"
        assert strings["ru"]["kiosk.title"] == "Возьмите талон"
        for code, name in (("ru", "Русский"), ("et", "Eesti"), ("ar", "العربية")):
            assert f'lang="{code}" data-lang-choice="{code}"' in page and name in page
        russian = client.get("/kiosk/k1?lang=ru").get_data(as_text=True)
        assert '<html lang="ru">' in russian and "Выберите услугу" in russian
    finally:
        shutdown(app)


def test_the_idle_time_comes_from_the_kiosk_config(config_data: dict[str, Any]) -> None:
    """A half-made choice is cleared after the kiosk's idle_s (60 s unless its config says otherwise)."""
    from pydantic import ValidationError

    from queue_server.config import KioskConfig

    config_data["kiosks"] = [{"key": "k1", "zone": "z1", "idle_s": 10}, {"key": "k2", "zone": "z2"}]
    app: Flask = create_app(config_data)
    try:
        client = app.test_client()
        assert body_data(client.get("/kiosk/k1").get_data(as_text=True))["idle-s"] == "10"
        assert body_data(client.get("/kiosk/k2").get_data(as_text=True))["idle-s"] == "60"
    finally:
        shutdown(app)
    for wrong in (5, 601):
        try:
            KioskConfig(key="k1", zone="z1", idle_s=wrong)
        except ValidationError:
            continue
        raise AssertionError(f"idle_s {wrong} was accepted")


def test_the_page_has_a_closed_centre_screen(client: FlaskClient) -> None:
    page = client.get("/kiosk/k1").get_data(as_text=True)
    assert 'id="screen-closed"' in page and 'id="closed-opens"' in page
    assert "Palvelukeskus on nyt suljettu" in page  # the title, in the kiosk's language
