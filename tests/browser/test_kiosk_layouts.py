"""The kiosk's layouts and states in Chromium, at a portrait kiosk's 1080x1920 and a tablet's 1280x800, in
Finnish and Swedish (the longest service names): every tile and a four-digit number whole, a service at its
daily limit shown as full, a closed centre's own screen, and the reset after the kiosk's idle time.

The centre is tests/browser/conftest.py's nine services; its H numbers start at H1000 today (the counter the
server bumps is set to 999 before the first ticket), lab gives one ticket a day, the kiosk ``closed`` offers only
services that are closed now and ``idle`` resets after 10 s.  Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from queue_server.db import Database
from queue_server.i18n.catalogue import text
from queue_server.models import Counter

from .conftest import CLERK, WEEKDAYS, Site, browser_config, closed_now, serve_site
from .test_admin_accessibility import run_axe
from .test_pages_in_browser import find, find_all, no_overflow, set_viewport, shown, text_of, tiles_fit, wait

pytestmark = pytest.mark.browser

SIZES = [(1080, 1920), (1280, 800)]
LANGUAGES = ["fi", "sv"]
TZ = ZoneInfo("Europe/Helsinki")
NINE = ["kela", "library", "health", "mental", "youth", "kohtaamo", "maternity", "lab", "service_point"]
LONGEST = {
    "kohtaamo": {"fi": "Kohtaamo – kulttuurin kohtaamispaikka", "sv": "Kohtaamo – kulturell mötesplats"},
    "maternity": {"fi": "Äitiys- ja lastenneuvola", "sv": "Mödra- och barnrådgivning"},
}
LAB = {"fi": "Laboratorio ja kuvantaminen", "sv": "Laboratorium och bilddiagnostik"}
#: the weekday the closed kiosk's second service opens: later than service_point's next midnight
LATER = (datetime.now(TZ) + timedelta(days=3)).weekday()


def layout_config(tmp: Path) -> dict[str, Any]:
    data = browser_config(tmp)
    next(s for s in data["services"] if s["key"] == "lab")["daily_limit"] = 1
    data["services"].append(
        {
            "key": "evening",
            "prefix": "E",
            "hours": {WEEKDAYS[LATER]: "00:00-00:01"},
            "name": {"fi": "Iltavastaanotto", "sv": "Kvällsmottagning", "en": "Evening clinic"},
        }
    )
    data["kiosks"] = [
        {"key": "k1", "zone": "z1", "printer": "fake", "services": NINE},
        {"key": "closed", "zone": "z1", "services": ["evening", "service_point"]},
        {"key": "idle", "zone": "z1", "services": NINE, "idle_s": 10},
    ]
    return data


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("kiosk-layouts")
    config = layout_config(tmp)
    sites = serve_site(config, tmp, {"clerk": CLERK}, ("k1", "closed", "idle"), "layout-tests")
    running = next(sites)
    try:
        db = Database(config["database_url"])
        with db.writer() as session:  # today's next H number is H1000: a real four-digit number
            session.add(Counter(scope="prefix:H", day=datetime.now(TZ).date(), value=999))
        db.dispose()
        yield running
    finally:
        sites.close()


@pytest.fixture(scope="module")
def driver(new_driver: Callable[..., Any]) -> Any:
    return new_driver(1280, 800)


def open_kiosk(driver: Any, site: Site, key: str, size: tuple[int, int], language: str) -> None:
    set_viewport(driver, *size)
    driver.get(f"{site.url}/kiosk/{key}?lang={language}#token={site.kiosk_tokens[key]}")
    wait(driver, lambda d: find(d, "#tiles").get_attribute("aria-busy") == "false", message="no tiles")


def nothing_spills(driver: Any) -> None:
    """No shown element's content is wider (or, for a box of fixed height, taller) than its box, and none
    reaches past the screen: text that spills into the next tile or past the edge fails."""
    problems = driver.execute_script("""
        var bad = [], width = document.documentElement.clientWidth;
        document.querySelectorAll('.kiosk *').forEach(function (el) {
          if (!el.getClientRects().length || el.closest('.visually-hidden')) return;
          var style = getComputedStyle(el), rect = el.getBoundingClientRect();
          var name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '');
          if (rect.left < -1 || rect.right > width + 1) bad.push(name + ' reaches past the screen');
          if (style.display === 'inline') return;
          if (el.scrollWidth > el.clientWidth + 1)
            bad.push(name + ' ' + el.scrollWidth + 'px wide in ' + el.clientWidth);
          if (el.scrollHeight > el.clientHeight + 1 && style.overflowY !== 'auto')
            bad.push(name + ' ' + el.scrollHeight + 'px tall in ' + el.clientHeight);
        });
        return bad;""")
    assert problems == [], problems
    no_overflow(driver)


def serious_violations(driver: Any) -> list[tuple[str, str]]:
    return [(v["id"], v["help"]) for v in run_axe(driver) if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=["1080x1920", "1280x800"])
def test_every_tile_is_whole_with_the_longest_names(
    site: Site, driver: Any, size: tuple[int, int], language: str, artifacts: Path
) -> None:
    open_kiosk(driver, site, "k1", size, language)
    assert len(find_all(driver, "#tiles .tile")) == 9
    assert [text_of(driver, f'[data-service="{key}"] .tile-name') for key in LONGEST] == [
        names[language] for names in LONGEST.values()
    ]
    tiles_fit(driver)
    nothing_spills(driver)
    # still large type: the names are shrunk to fit, not to a footnote
    smallest = min(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('.tile-name'))"
            ".map(n => parseFloat(getComputedStyle(n).fontSize))"
        )
    )
    assert smallest >= 20, smallest
    assert serious_violations(driver) == []
    driver.save_screenshot(str(artifacts / f"kiosk-start-{language}-{size[0]}x{size[1]}.png"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=["1080x1920", "1280x800"])
def test_a_four_digit_number_and_the_priority_badge_fit_the_ticket_screen(
    site: Site, driver: Any, size: tuple[int, int], language: str, artifacts: Path
) -> None:
    open_kiosk(driver, site, "k1", size, language)
    find(driver, '[data-service="maternity"]').click()
    find(driver, '[data-service="kohtaamo"]').click()
    find(driver, "#priority").click()
    find(driver, "#get-ticket").click()
    wait(
        driver,
        lambda d: shown(d, "#screen-ticket") and re.fullmatch(r"H1\d{3}", text_of(d, "#ticket-number")),
        message="no four-digit H number",
    )
    wait(driver, lambda d: d.execute_script("return document.getElementById('ticket-qr').naturalWidth") > 0)
    assert text_of(driver, "#ticket-errands") == " → ".join(LONGEST[k][language] for k in ("maternity", "kohtaamo"))
    nothing_spills(driver)
    number = find(driver, "#ticket-number").rect
    card = find(driver, ".ticket-card").rect
    assert number["height"] >= 0.1 * size[1], "the number is still the screen's largest thing"
    assert card["y"] + card["height"] <= size[1], "the ticket card is whole on the screen"
    # the priority mark is a badge to read from a step away, not a footnote beside the number
    assert shown(driver, "#ticket-priority")
    badge = find(driver, "#ticket-priority")
    size_px = float(badge.value_of_css_property("font-size").removesuffix("px"))
    assert size_px >= 28 and badge.rect["height"] >= 48, (size_px, badge.rect)
    assert text_of(driver, "#ticket-priority").endswith(text("kiosk.priority_note", language))
    assert serious_violations(driver) == []
    driver.save_screenshot(str(artifacts / f"kiosk-ticket-H1000-{language}-{size[0]}x{size[1]}.png"))
    find(driver, "#done").click()
    wait(driver, lambda d: shown(d, "#screen-start"))


def test_a_service_at_its_daily_limit_is_full_and_cannot_be_chosen(
    site: Site, driver: Any, new_driver: Callable[..., Any], artifacts: Path
) -> None:
    """lab gives one ticket a day: after it, the tile says so and cannot be chosen.  A kiosk that has not heard
    yet (its live updates are cut off here) meets the 409 at the tap, and the message names the service."""
    stale = new_driver(1280, 800)
    stale.execute_cdp_cmd("Network.enable", {})
    stale.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/socket.io/*"]})
    for kiosk in (driver, stale):
        open_kiosk(kiosk, site, "k1", (1280, 800), "fi")
        find(kiosk, '[data-service="lab"]').click()
        assert find(kiosk, '[data-service="lab"]').get_attribute("aria-pressed") == "true"
    resp = requests.post(
        f"{site.url}/api/tickets",
        json={"services": ["lab"], "kiosk": "k1"},
        timeout=10,
        headers={"Authorization": f"Bearer {site.kiosk_tokens['k1']}"},
    )
    assert resp.status_code == 201, resp.text

    # the live kiosk: the tile turns full by itself, leaves the choice, and the visitor is told which one
    lab = '[data-service="lab"]'
    wait(driver, lambda d: "is-full" in find(d, lab).get_attribute("class"), message="no live 'full' tile")
    assert find(driver, lab).get_attribute("disabled") is not None
    assert find(driver, lab).get_attribute("aria-pressed") == "false"
    assert text_of(driver, f"{lab} .tile-meta") == text("kiosk.full_today", "fi") == "Päivän vuoronumerot on jaettu"
    assert text_of(driver, "#start-error") == text("kiosk.error_limit_named", "fi").format(service=LAB["fi"])
    assert find(driver, "#get-ticket").get_attribute("disabled") is not None
    tiles_fit(driver)
    nothing_spills(driver)
    assert serious_violations(driver) == []
    driver.save_screenshot(str(artifacts / "kiosk-full-today-fi-1280x800.png"))
    find(driver, '[data-lang-choice="sv"]').click()
    wait(driver, lambda d: text_of(d, f"{lab} .tile-meta") == text("kiosk.full_today", "sv"))
    nothing_spills(driver)
    driver.save_screenshot(str(artifacts / "kiosk-full-today-sv-1280x800.png"))

    # the kiosk that did not hear: the tap meets 409 daily_limit_reached, and the message names lab
    assert "is-full" not in find(stale, lab).get_attribute("class")
    find(stale, "#get-ticket").click()
    wait(
        stale,
        lambda d: text_of(d, "#start-error") == text("kiosk.error_limit_named", "fi").format(service=LAB["fi"]),
        message="the 409 did not name the service",
    )
    wait(stale, lambda d: "is-full" in find(d, lab).get_attribute("class"))
    assert find_all(stale, ".tile.is-selected") == []
    stale.save_screenshot(str(artifacts / "kiosk-full-today-refused-fi-1280x800.png"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=["1080x1920", "1280x800"])
def test_a_closed_centre_says_when_it_opens_next(
    site: Site, driver: Any, size: tuple[int, int], language: str, artifacts: Path
) -> None:
    if not closed_now():
        pytest.skip("service_point is open 00:00-00:01 in Helsinki")
    set_viewport(driver, *size)
    driver.get(f"{site.url}/kiosk/closed?lang={language}#token={site.kiosk_tokens['closed']}")
    wait(driver, lambda d: shown(d, "#screen-closed"), message="no closed-centre screen")
    assert not shown(driver, "#screen-start"), "a closed screen instead of a grid of grey tiles"
    assert text_of(driver, "#closed-title") == text("kiosk.closed_title", language)
    # the earliest opening of the offered services: service_point's next midnight, not evening's in 3 days
    tomorrow = (datetime.now(TZ) + timedelta(days=1)).weekday()
    day = driver.execute_script(
        "return new Intl.DateTimeFormat(arguments[0], {weekday: 'short'}).format(new Date(2024, 0, 1 + arguments[1]))",
        {"fi": "fi-FI", "sv": "sv-FI"}[language],
        tomorrow,
    )  # 2024-01-01 was a Monday
    opens = text_of(driver, "#closed-opens")
    assert re.fullmatch(re.escape(text("kiosk.closed_opens", language).format(time=f"{day} ")) + r"00[.:]00", opens), (
        opens
    )
    nothing_spills(driver)
    assert serious_violations(driver) == []
    driver.save_screenshot(str(artifacts / f"kiosk-closed-{language}-{size[0]}x{size[1]}.png"))


def test_a_half_made_choice_is_cleared_after_the_idle_time(site: Site, driver: Any, artifacts: Path) -> None:
    """The kiosk ``idle`` has idle_s 10: a visitor who walks away leaves no choice and no language behind."""
    open_kiosk(driver, site, "idle", (1080, 1920), "fi")
    assert find(driver, "body").get_attribute("data-idle-s") == "10"
    find(driver, '[data-lang-choice="sv"]').click()
    wait(driver, lambda d: text_of(d, "#start-title") == text("kiosk.choose", "sv"))
    find(driver, '[data-service="kela"]').click()
    find(driver, '[data-service="youth"]').click()
    find(driver, "#priority").click()
    left = time.monotonic()
    nothing_spills(driver)
    driver.save_screenshot(str(artifacts / "kiosk-chosen-sv-1080x1920.png"))
    time.sleep(6)
    assert len(find_all(driver, ".tile.is-selected")) == 2, "not before the idle time"
    wait(driver, lambda d: not find_all(d, ".tile.is-selected"), timeout=10, message="the choice was not cleared")
    assert time.monotonic() - left >= 9.5
    wait(driver, lambda d: text_of(d, "#start-title") == text("kiosk.choose", "fi"))
    assert find(driver, "html").get_attribute("lang") == "fi"
    assert find(driver, "#priority").get_attribute("aria-pressed") == "false"
    assert find(driver, '[data-lang-choice="fi"]').get_attribute("aria-pressed") == "true"
    nothing_spills(driver)
