"""The desks, zones and kiosks pages in Chromium, as a manager uses them: a zone's message line appears on its
board without a reload (as text, even when it looks like markup), a kiosk limited to one service shows only
that tile without a reload, and axe-core finds no serious or critical violation on the three pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_admin_accessibility import run_axe
from tests.browser.test_admin_pages import MANAGER, log_in, wait

pytestmark = pytest.mark.browser
MESSAGE = "Kela suljetaan tänään klo 16 <img src=x onerror=window.__xss=1>"


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The browser tests' centre with an admin account of its own (this module changes the configuration)."""
    tmp = tmp_path_factory.mktemp("layout-site")
    yield from serve_site(browser_config(tmp), tmp, {"admin": MANAGER}, ("k1", "k2"), "layout-tests")


def submit(driver: Any, form_css: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]").click()
    wait(driver, lambda: "Saved" in driver.find_element(By.CSS_SELECTOR, ".notice-ok").text, "not saved")


def test_a_manager_sets_a_zones_message_line_and_the_board_shows_it_at_once(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    board = new_driver(1920, 1080)
    board.get(f"{site.url}/board/z2")
    wait(board, lambda: board.find_elements(By.CSS_SELECTOR, "#queues .queue-item"), "no snapshot on the board")
    assert not board.find_element(By.ID, "board-message").is_displayed()

    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/zones")
    field = wait(manager, lambda: manager.find_element(By.ID, "zone-z2-message-fi"), "no zones page")
    field.send_keys(MESSAGE)
    submit(manager, "#zone-z2 form.layout-form")

    line = board.find_element(By.ID, "board-message")
    wait(board, lambda: line.is_displayed() and line.text == MESSAGE, "the board does not show the message line")
    assert line.get_attribute("lang") == "fi"
    assert board.execute_script("return window.__xss === undefined && !document.querySelector('#board-message *')")

    # at once: a screen rejoins at most once a second, and makes a rejoin asked for meanwhile when it ends
    manager.find_element(By.ID, "zone-z2-message-fi").clear()
    submit(manager, "#zone-z2 form.layout-form")
    wait(board, lambda: not line.is_displayed(), "the cleared message line is still shown")


def test_a_manager_limits_kiosk_k1_to_one_service_and_the_kiosk_shows_only_that_tile(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    kiosk = new_driver(1080, 1920)
    kiosk.get(f"{site.url}/kiosk/k1?lang=en#token={site.kiosk_tokens['k1']}")
    tiles = "return Array.from(document.querySelectorAll('#tiles [data-service]')).map(t => t.dataset.service)"
    wait(kiosk, lambda: len(kiosk.execute_script(tiles)) > 1, "the kiosk shows no tiles")

    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/kiosks")
    wait(manager, lambda: manager.find_element(By.ID, "kiosk-k1-service-kela"), "no kiosks page").click()
    submit(manager, "#kiosk-k1 form.layout-form")

    wait(kiosk, lambda: kiosk.execute_script(tiles) == ["kela"], "the kiosk still offers other services")
    assert "/kiosk/k1" in kiosk.current_url, "no reload: the page took the new offer up itself"

    # at once: a screen rejoins at most once a second, and makes a rejoin asked for meanwhile when it ends
    manager.find_element(By.ID, "kiosk-k1-service-kela").click()  # none ticked: every service again
    submit(manager, "#kiosk-k1 form.layout-form")
    wait(kiosk, lambda: len(kiosk.execute_script(tiles)) > 1, "the kiosk does not offer every service again")


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_layout_pages_have_no_serious_or_critical_violations(
    site: Site, new_driver: Callable[..., Any], language: str
) -> None:
    driver = new_driver(1440, 900)
    driver.set_script_timeout(30)
    log_in(driver, site, MANAGER, "/admin/desks")
    wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "main.manage"), "the desks page did not load")
    found = {}
    for path in ("/admin/desks", "/admin/zones", "/admin/kiosks"):
        driver.get(f"{site.url}{path}?lang={language}")
        wait(driver, lambda: driver.find_element(By.ID, "main"), f"{path} did not load")
        bad = [v for v in run_axe(driver) if v.get("impact") in ("serious", "critical")]
        if bad:
            found[path] = [(v["id"], v["help"], [n.get("target") for n in v["nodes"][:3]]) for v in bad]
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
