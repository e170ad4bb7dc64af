"""Arabic in Chromium: a visitor who switches the kiosk to Arabic gets a right-to-left page (and a left-to-right
one again after), the ticket number still reads K042, and a board in Arabic opens right to left.

Screenshots land in tests/artifacts/ (kiosk-ar-*.png, board-ar-*.png).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.i18n.catalogue import text

from .conftest import CLERK, Site, browser_config, serve_site
from .test_pages_in_browser import console_problems, find, find_all, screenshot, shown, text_of, wait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("rtl-site")
    config = browser_config(tmp)
    config["centre"]["languages"] = ["fi", "sv", "en", "ru", "et", "ar"]
    config["zones"][0]["language"] = "ar"  # z1's boards speak Arabic
    yield from serve_site(config, tmp, {"clerk": CLERK}, ("k1",), "rtl-tests")


def direction(driver: Any) -> tuple[str, str]:
    lang, dir_ = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
    return lang, dir_


def test_the_kiosk_turns_right_to_left_in_arabic_and_back(site: Site, new_driver: Any, artifacts: Path) -> None:
    kiosk = new_driver(1080, 1920)
    kiosk.get(f"{site.url}/kiosk/k1#token={site.kiosk_tokens['k1']}")
    wait(kiosk, lambda d: text_of(d, "#start-title") == text("kiosk.choose", "fi") and find_all(d, "#tiles .tile"))
    assert direction(kiosk) == ("fi", "")  # no dir attribute: left to right
    find(kiosk, '[data-lang-choice="ar"]').click()
    wait(kiosk, lambda d: text_of(d, "#start-title") == text("kiosk.choose", "ar"))
    assert direction(kiosk) == ("ar", "rtl")
    assert kiosk.execute_script("return getComputedStyle(document.querySelector('.tile')).direction") == "rtl"
    find(kiosk, '[data-service="kela"]').click()
    find(kiosk, '[data-service="library"]').click()
    first, second = (text_of(kiosk, f'[data-service="{k}"] .tile-name') for k in ("kela", "library"))
    find(kiosk, "#get-ticket").click()
    wait(kiosk, lambda d: shown(d, "#screen-ticket") and re.fullmatch(r"K\d{3}", text_of(d, "#ticket-number")))
    # the first errand on the right, where an Arabic reader starts, and the arrow pointing on to the next
    assert text_of(kiosk, "#ticket-errands") == f"{first} ← {second}"
    assert (
        kiosk.execute_script("return getComputedStyle(document.getElementById('ticket-number')).unicodeBidi")
        == "isolate"
    )
    screenshot(kiosk, artifacts, "kiosk-ar-ticket-1080x1920.png")
    find(kiosk, '[data-lang-choice="fi"]').click()
    wait(kiosk, lambda d: direction(d) == ("fi", "ltr"))
    assert console_problems(kiosk) == []


def test_a_board_in_arabic_opens_right_to_left(site: Site, new_driver: Any, artifacts: Path) -> None:
    board = new_driver(1920, 1080)
    board.get(f"{site.url}/board/z1")
    wait(board, lambda d: text_of(d, "#now-title") == text("board.now", "ar"))
    assert direction(board) == ("ar", "rtl")
    mirrored = board.execute_script("""
        var call = document.getElementById('now-call'), hidden = call.hidden;
        call.hidden = false;  /* a box to measure: the call is hidden until the first one */
        var transform = getComputedStyle(call.querySelector('.now-arrow')).transform;
        call.hidden = hidden;
        return transform;""")
    assert mirrored == "matrix(-1, 0, 0, 1, 0, 0)", "the arrow points left, from the number to the desk"
    screenshot(board, artifacts, "board-ar-1920x1080.png")
    assert console_problems(board) == []
