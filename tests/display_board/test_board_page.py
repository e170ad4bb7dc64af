"""``/board/<zone>``: the page in its zone's language; everything live comes from Socket.IO."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.config import ConfigError, build_config, load_config
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
    assert '<h1 id="zone-name">2. kerros</h1>' in page
    for part in (
        'id="now-number"',
        'id="now-desk"',
        'id="history"',
        'id="queues"',
        'id="clock"',
        'id="offline"',
        "Nyt vuorossa",
        "Yhteys katkesi",
    ):
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
    body = script[script.index("function renderMessage") :]
    body = body[: body.index("\n  }\n")]
    assert "texts[lang]" in body and "node.textContent = text" in body and "V.show(node, !!text)" in body
    assert "innerHTML" not in script
    assert "renderMessage(snapshot.message)" in script
    css = (ROOT / "display_board" / "static" / "board.css").read_text(encoding="utf-8")
    rule = css[css.index(".board-message {") :]
    assert "animation" not in rule[: rule.index("}")], "a steady line: nothing blinks"


def _board_snapshot(app: Any, zone: str) -> dict[str, Any]:
    from flask_socketio import SocketIOTestClient

    from queue_server.extensions import socketio

    screen = socketio.test_client(app)
    try:
        assert screen.emit("join", {"board": zone}, callback=True) == {"ok": True}
        return next(p["args"][0] for p in screen.get_received() if p["name"] == "snapshot")
    finally:
        screen.disconnect()
        SocketIOTestClient.clients.pop(screen.eio_sid, None)


def test_a_bilingual_zones_board_takes_turns_in_its_languages(config_data: dict[str, Any]) -> None:
    config_data["zones"][1]["languages"] = ["fi", "sv"]
    app = create_app(config_data)
    try:
        assert _board_snapshot(app, "z2")["languages"] == ["fi", "sv"]
        assert _board_snapshot(app, "z1")["languages"] == ["fi"], "no languages: the centre's default alone"
        page = app.test_client().get("/board/z2?rotate=2").get_data(as_text=True)
        data = body_data(page)
        assert data["lang"] == "fi" and data["languages"] == "fi sv" and data["rotate"] == "2"
        strings = json.loads(data["strings"])
        assert strings["fi"]["board.speech"] and strings["sv"]["board.speech"], "each language speaks its own"
        assert json.loads(data["centre-names"]).keys() == {"fi", "sv"}
        assert 'data-i18n="board.now"' in page and 'data-i18n="board.queues"' in page  # the labels take turns
        assert body_data(app.test_client().get("/board/z2?rotate=nan").get_data(as_text=True))["rotate"] == "8"
    finally:
        shutdown(app)


def test_a_zones_one_language_is_a_one_language_list(config_data: dict[str, Any]) -> None:
    config_data["zones"][0]["language"] = "sv"
    app = create_app(config_data)
    try:
        assert _board_snapshot(app, "z1")["languages"] == ["sv"]
        assert body_data(app.test_client().get("/board/z1").get_data(as_text=True))["languages"] == "sv"
    finally:
        shutdown(app)


def test_an_unknown_zone_language_is_refused_naming_the_field(config_data: dict[str, Any]) -> None:
    config_data["zones"][1]["languages"] = ["fi", "xx"]
    with pytest.raises(ConfigError, match=r"zones\.1\.languages\.1: "):
        build_config(config_data)
    config_data["zones"][1]["languages"] = []
    with pytest.raises(ConfigError, match=r"zones\.1\.languages: "):
        build_config(config_data)


def test_the_example_centres_street_and_kela_boards_speak_finnish_and_swedish() -> None:
    from tests.conftest import ROOT

    cfg = load_config(ROOT / "config.yaml", environ={})
    assert {z.key: z.board_languages(cfg.centre.language) for z in cfg.zones} == {
        "street": ["fi", "sv"],
        "kela": ["fi", "sv"],
        "health": ["fi"],
    }


def test_board_script_speaks_each_language_in_turn_after_one_chime() -> None:
    from tests.conftest import ROOT

    script = (ROOT / "display_board" / "static" / "board.js").read_text(encoding="utf-8")
    speak = script[script.index("function speakCall") :]
    speak = speak[: speak.index("\n  }\n")]
    assert "rotation.languages.forEach" in speak and 'textIn(code, "board.speech"' in speak
    assert "V.speak(" in speak and "), code, volume)" in speak, "each text in its own language's voice"
    assert script.count("V.playSound(V.data.chime, settings.volume)") == 1, "one chime, then the languages"
    assert 'matchMedia("(prefers-reduced-motion: reduce)")' in script
