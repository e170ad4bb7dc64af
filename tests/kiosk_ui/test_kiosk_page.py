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
    for part in ('id="screen-start"', 'id="screen-ticket"', 'id="screen-unenrolled"', 'aria-live="assertive"',
                 'id="priority" class="toggle" aria-pressed="false"', 'id="get-ticket"', 'id="ticket-qr"'):
        assert part in page
    assert "/assets/kiosk/kiosk.js" in page and "/assets/vuoro/vendor/socket.io.min.js" in page
    assert inline_code(page) == []


def test_unknown_kiosk_is_a_404(client: FlaskClient) -> None:
    resp = client.get("/kiosk/k9")
    assert resp.status_code == 404
    assert "Tällä nimellä ei ole vuoronumeroautomaattia." in resp.get_data(as_text=True)


def test_kiosk_without_printer_and_own_language(config_data: dict[str, Any]) -> None:
    config_data["printers"].append({"key": "nothing", "type": "none"})
    config_data["kiosks"] = [{"key": "k1", "zone": "z1", "printer": "nothing", "language": "sv"},
                             {"key": "web", "zone": "z1"}]
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
    snapshot = script[script.index('socket.on("snapshot"'):]
    assert "loadOffer();" in snapshot.split("});", 1)[0]
    assert '"/api/kiosks/" + encodeURIComponent(kiosk)' in script


def test_lang_opens_the_kiosk_in_that_language_and_it_returns_home_after(client: FlaskClient) -> None:
    page = client.get("/kiosk/k1?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page and body_data(page)["home-lang"] == "fi"
    assert '<html lang="fi"' in client.get("/kiosk/k1?lang=xx").get_data(as_text=True), "unknown: its own"
