"""The desk page's waiting list in Chromium at 1440x900, as a clerk uses it: pick a number from the list, mark it a
no-show, take that back; see whom to greet in which language; and the page stays free of serious accessibility
problems while doing so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.webdriver.common.keys import Keys

from queue_server.i18n.catalogue import text
from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_admin_accessibility import run_axe
from tests.browser.test_pages_in_browser import (
    console_problems,
    find,
    find_all,
    press,
    set_viewport,
    shown,
    sign_in,
    text_of,
    wait,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A centre of its own: the test counts on the day's numbers starting at K001."""
    tmp = tmp_path_factory.mktemp("desk-site")
    yield from serve_site(browser_config(tmp), tmp, {"clerk": ("clerk1", "clerk-password-1")}, ("k1",), "desk-page")


def issue(site: Site, *services: str, language: str = "fi", priority: bool = False) -> str:
    resp = requests.post(
        f"{site.url}/api/tickets",
        timeout=10,
        headers={"Authorization": f"Bearer {site.kiosk_tokens['k1']}"},
        json={"services": list(services), "language": language, "priority": priority, "kiosk": "k1"},
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["ticket"]["number"])


def listed(driver: Any) -> list[str]:
    return [row.get_attribute("data-number") for row in find_all(driver, "#queue-list li[data-number]")]


def row(driver: Any, number: str) -> Any:
    return find(driver, f'#queue-list li[data-number="{number}"]')


def idle(driver: Any) -> None:
    """The previous action has been answered (the page ignores actions while one is on its way)."""
    wait(driver, lambda d: "is-busy" not in find(d, "body").get_attribute("class"))


def serious(driver: Any) -> list[tuple[str, str, list[Any]]]:
    return [
        (v["id"], v["help"], [n.get("target") for n in v["nodes"][:3]])
        for v in run_axe(driver)
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def clerk(site: Site, new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(1440, 900)
    set_viewport(driver, 1440, 900)
    driver.set_script_timeout(30)
    sign_in(driver, site.url, site.clerk, "/desk%3Fdesk%3Dd1", "/desk?desk=d1")
    return driver


def test_a_clerk_calls_a_number_from_the_list_marks_it_a_no_show_and_takes_that_back(
    site: Site, clerk: Any, artifacts: Path
) -> None:
    first = issue(site, "kela", priority=True)
    swedish = issue(site, "kela", language="sv")
    third = issue(site, "kela", "library")
    wait(clerk, lambda d: listed(d) == [first, swedish, third], message="the three tickets are not listed")

    # numbers, minutes waited, the priority mark and the errands left: nothing else about the visitor
    assert text_of(clerk, f'#queue-list [data-number="{first}"] .pill-warn') == text("desk.priority", "fi")
    assert text("desk.waited_min", "fi", n=0) in row(clerk, swedish).text
    assert text("desk.errands", "fi", n=2) in row(clerk, third).text
    assert text("desk.errands", "fi", n=1) not in row(clerk, swedish).text
    # no desk serves Kela yet: the summary says so in the server's words, not with an estimate of its own
    assert text_of(clerk, '#waiting-list [data-service="kela"] .waiting-eta') == text("wait.no_desk_open", "fi")
    assert serious(clerk) == []

    # the second one, picked with the keyboard
    button = row(clerk, swedish).find_element("css selector", "button")
    assert button.accessible_name == text("desk.call_ticket", "fi", number=swedish)
    button.send_keys(Keys.ENTER)
    wait(clerk, lambda d: text_of(d, "#cur-number") == swedish)
    wait(clerk, lambda d: listed(d) == [first, third])
    assert text_of(clerk, "#desk-message") == text("desk.called_msg", "fi", number=swedish)
    badge = find(clerk, "#cur-language")
    assert text_of(clerk, "#cur-language .lang-badge-code") == "SV"
    assert badge.get_attribute("title") == text("desk.visitor_lang_sv", "fi")
    assert "Asiakas asioi ruotsiksi" in badge.get_attribute("textContent")  # for a screen reader too
    assert text_of(clerk, "#cur-service") == "Kela"  # the clerk's language, not the visitor's "FPA"
    assert all(b.get_attribute("disabled") is not None for b in find_all(clerk, "#queue-list button"))
    clerk.save_screenshot(str(artifacts / "desk-waiting-list-1440x900.png"))
    assert serious(clerk) == []

    # a no-show, then undone: the ticket is back at its old place
    idle(clerk)
    press(clerk, "x")
    wait(clerk, lambda d: shown(d, "#undo-box") and shown(d, "#cur-none"))
    assert text_of(clerk, "#undo-text") == text("desk.no_show_msg", "fi", number=swedish)
    assert serious(clerk) == []
    clerk.save_screenshot(str(artifacts / "desk-undo-no-show-1440x900.png"))
    idle(clerk)
    find(clerk, "#undo-button").click()
    wait(clerk, lambda d: listed(d) == [first, swedish, third], message="the undone ticket is not back in its place")
    assert not shown(clerk, "#undo-box")
    assert text_of(clerk, "#desk-message") == text("desk.undone_msg", "fi", number=swedish)

    # a colleague was quicker: the page says so in the clerk's language
    idle(clerk)
    clerk.execute_script(
        "var x = new XMLHttpRequest(); x.open('POST', '/api/desks/d5/call', false);"  # no push in between
        "x.setRequestHeader('Authorization', 'Bearer ' + arguments[0]);"
        "x.setRequestHeader('Content-Type', 'application/json');"
        "x.send(JSON.stringify({ticket: Number(arguments[1])}));"
        "document.querySelector('#queue-list li[data-number=\"' + arguments[2] + '\"] button').click();",
        site.desk_token,
        row(clerk, first).get_attribute("data-ticket"),
        first,
    )
    wait(clerk, lambda d: shown(d, "#desk-error"))
    assert text_of(clerk, "#desk-error") == text("error.already_called", "fi")
    wait(clerk, lambda d: listed(d) == [swedish, third])

    # the single keys still work: N calls the first of the list, F finishes it
    idle(clerk)
    press(clerk, "n")
    wait(clerk, lambda d: text_of(d, "#cur-number") == swedish)
    idle(clerk)
    press(clerk, "f")
    wait(clerk, lambda d: shown(d, "#cur-none") and listed(d) == [third])
    assert console_problems(clerk, allow=r"status of 409|Synchronous XMLHttpRequest") == []


def test_the_page_speaks_the_clerks_language_and_the_badge_the_visitors(site: Site, clerk: Any) -> None:
    clerk.get(f"{site.url}/desk?desk=d1&lang=sv")
    wait(clerk, lambda d: len(listed(d)) == 1)  # the first test's third ticket
    options = {o.get_attribute("value"): o.text for o in find_all(clerk, "#desk-select option")}
    assert options["d1"] == "Disk 1 · 2 våningen"  # the API answers in the centre's default language
    assert clerk.title.startswith("Disk 1 · ")
    swedish = issue(site, "kela", language="sv")
    finnish = issue(site, "kela", language="fi")
    wait(clerk, lambda d: listed(d)[-2:] == [swedish, finnish])
    row(clerk, finnish).find_element("css selector", "button").click()
    wait(clerk, lambda d: text_of(d, "#cur-number") == finnish)
    badge = find(clerk, "#cur-language")
    assert text_of(clerk, "#cur-language .lang-badge-code") == "FI"
    assert badge.get_attribute("title") == text("desk.visitor_lang_fi", "sv")
    assert "is-other" in badge.get_attribute("class")  # not the clerk's language: it stands out
    assert text_of(clerk, "#cur-service") == "FPA"
    assert find(clerk, "html").get_attribute("lang") == "sv"
