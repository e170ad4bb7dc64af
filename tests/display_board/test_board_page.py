"""``/board/<zone>``: the page in its zone's language; everything live comes from Socket.IO."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.i18n.catalogue import languages, text
from tests.kiosk_ui.test_kiosk_page import body_data
from tests.queue_server.pages.helpers import inline_code


def test_board_page(client: FlaskClient) -> None:
    resp = client.get("/board/z2")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    data = body_data(page)
    assert data["page"] == "board" and data["zone"] == "z2" and data["lang"] == "fi"
    assert data["timezone"] == "Europe/Helsinki"
    assert data["chime"] == "/assets/vuoro/sounds/chime.wav"
    assert "<h1 id=\"zone-name\">2. kerros</h1>" in page
    for part in ('id="now-number"', 'id="now-desk"', 'id="history"', 'id="queues"', 'id="clock"',
                 'id="offline"', "Nyt vuorossa", "Yhteys katkesi"):
        assert part in page
    assert "/assets/board/board.js" in page
    assert inline_code(page) == []


def test_unknown_zone_is_a_404(client: FlaskClient) -> None:
    resp = client.get("/board/z9")
    assert resp.status_code == 404
    assert "Tällä nimellä ei ole odotustilan näyttöä." in resp.get_data(as_text=True)


def test_board_in_its_zones_language(config_data: dict[str, Any]) -> None:
    config_data["zones"][0]["language"] = "sv"
    app = create_app(config_data)
    try:
        page = app.test_client().get("/board/z1").get_data(as_text=True)
        assert '<html lang="sv">' in page and "Nu i tur" in page and "Gatuplan" in page
    finally:
        shutdown(app)


def test_board_never_names_a_service_in_a_call() -> None:
    """The spoken and shown call is the number and the desk only (a sensitive service must not leak)."""
    for key in ("board.speech", "board.call_text"):
        for lang in languages():
            assert set(re.findall(r"\{(\w+)\}", text(key, lang))) == {"number", "desk"}


def test_board_assets(client: FlaskClient) -> None:
    for path in ("/assets/board/board.js", "/assets/board/board.css"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        resp.close()


def test_board_has_a_message_line_hidden_until_its_zone_has_one(client: FlaskClient) -> None:
    page = client.get("/board/z1").get_data(as_text=True)
    assert '<p id="board-message" class="board-message" hidden></p>' in page
    assert page.index('id="board-message"') < page.index('class="board-queues"'), "under the calls"


def test_board_script_shows_the_message_as_text_in_its_language() -> None:
    from tests.conftest import ROOT

    script = (ROOT / "display_board" / "static" / "board.js").read_text(encoding="utf-8")
    body = script[script.index("function renderMessage"):]
    body = body[:body.index("\n  }\n")]
    assert "texts[lang]" in body and "node.textContent = text" in body and "V.show(node, !!text)" in body
    assert "innerHTML" not in script
    assert "renderMessage(snapshot.message)" in script
    css = (ROOT / "display_board" / "static" / "board.css").read_text(encoding="utf-8")
    rule = css[css.index(".board-message {"):]
    assert "animation" not in rule[:rule.index("}")], "a steady line: nothing blinks"
