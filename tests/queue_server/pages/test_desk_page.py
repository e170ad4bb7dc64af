"""The desk page as the server writes it: desks labelled in the clerk's language, the waiting list's and the
undo's places, the scripts in the order they need each other (tests/browser/test_desk_page.py drives it)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from .helpers import inline_code, script_sources


def page(client: FlaskClient, query: str = "") -> str:
    resp = client.get(f"/desk{query}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "label"), [("fi", "Tiski 1 · 2. kerros"), ("sv", "Disk 1 · 2 våningen"), ("en", "Desk 1 · 2nd floor")]
)
def test_the_desks_are_labelled_in_the_pages_language(clerk_client: FlaskClient, lang: str, label: str) -> None:
    html = page(clerk_client, f"?lang={lang}")
    option = re.search(r'<option value="d1" data-label="([^"]*)">([^<]*)</option>', html)
    assert option is not None and option.group(2) == label and option.group(1) == label.split(" · ")[0]
    assert '<option value="d3" data-label="Desk 3">Desk 3</option>' in html  # a plain label, no location


def test_the_page_holds_the_waiting_list_and_the_undo(clerk_client: FlaskClient) -> None:
    html = page(clerk_client, "?lang=sv")
    assert re.search(r'<ol id="queue-list"[^>]*aria-labelledby="h-queue"', html)
    assert re.search(r'<h2 id="h-queue"[^>]*>Kön i uppropsordning</h2>', html)
    assert re.search(r'<div id="undo-box"[^>]*hidden>', html)
    assert re.search(r'<button type="button" id="undo-button"[^>]*>Ångra</button>', html)
    assert re.search(r'<span id="cur-language"[^>]*hidden>', html)
    assert inline_code(html) == []


def test_the_view_script_comes_before_the_desks_own(clerk_client: FlaskClient) -> None:
    scripts = [src.rsplit("/", 1)[-1].split("?")[0] for src in script_sources(page(clerk_client))]
    assert scripts[-2:] == ["desk_view.js", "desk.js"]
    resp = clerk_client.get("/assets/vuoro/desk_view.js")
    assert (resp.status_code, resp.mimetype) == (200, "text/javascript")
    resp.close()


def test_the_desk_scripts_get_their_texts(clerk_client: FlaskClient) -> None:
    html = page(clerk_client, "?lang=sv")
    for key in (
        "desk.waited_min",
        "desk.call_ticket",
        "desk.no_show_msg",
        "desk.undone_msg",
        "desk.visitor_lang_sv",
        "desk.visitor_lang_other",
        "error.already_called",
        "error.undo_expired",
    ):
        assert f"&#34;{key}&#34;" in html or f'"{key}"' in html, key
