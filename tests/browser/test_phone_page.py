"""The phone page at 390x844 in Chromium: its language switch (fi, sv, Arabic right to left and back, kept for
the ticket) and the feedback scale whose ends say which is good; no overflow, no serious axe-core violation."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from queue_server.i18n.catalogue import text
from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_admin_accessibility import run_axe
from tests.browser.test_pages_in_browser import find, no_overflow, screenshot, set_viewport, shown, text_of, wait

pytestmark = pytest.mark.browser
LANGUAGES = ["fi", "sv", "en", "ru", "et", "ar"]


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shared test centre, speaking every language Vuoro has a catalogue for."""
    tmp = tmp_path_factory.mktemp("phone-site")
    config = browser_config(tmp)
    config["centre"]["languages"] = LANGUAGES
    yield from serve_site(config, tmp, {}, ("k1",), "phone-tests")


def call_api(site: Site, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{site.url}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the test's own server
        raw = resp.read()
    return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def ticket(site: Site) -> dict[str, Any]:
    answer = call_api(
        site,
        "POST",
        "/api/tickets",
        site.kiosk_tokens["k1"],
        {"services": ["library"], "language": "fi", "kiosk": "k1"},
    )
    return answer["ticket"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def phone(new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(390, 844)
    set_viewport(driver, 390, 844)
    driver.set_script_timeout(30)
    return driver


def serious(driver: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in run_axe(driver)
        if v.get("impact") in ("serious", "critical")
    ]


def choose(driver: Any, lang: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'[data-lang-choice="{lang}"]').click()
    wait(
        driver,
        lambda d: d.execute_script("return document.documentElement.lang") == lang,
        message=f"the page did not switch to {lang}",
    )


def page_is_in(driver: Any, lang: str) -> None:
    direction = "rtl" if lang == "ar" else "ltr"
    assert driver.execute_script("return document.documentElement.dir || 'ltr'") == direction
    assert text_of(driver, "#phone-title") == text("phone.title", lang)
    assert text_of(driver, "#phone-status") == text("status.waiting", lang)
    assert text_of(driver, "#cancel-button") == text("phone.cancel", lang)
    pressed = [
        b.get_attribute("data-lang-choice")
        for b in driver.find_elements(By.CSS_SELECTOR, "[aria-pressed=true]")
        if b.get_attribute("data-lang-choice")
    ]
    assert pressed == [lang]


def test_the_phone_page_switches_language_and_keeps_the_choice_for_the_ticket(
    site: Site, phone: Any, ticket: dict[str, Any], artifacts: Path
) -> None:
    phone.get(ticket["track_url"].replace("http://vuoro.test", site.url))
    wait(phone, lambda d: text_of(d, "#phone-position") != "", message="the phone page did not load")
    page_is_in(phone, "fi")
    service = text_of(phone, "#phone-service")
    for lang in ("sv", "ar", "fi"):
        choose(phone, lang)
        page_is_in(phone, lang)
        # the server's texts of the ticket stay in the ticket's language (Finnish): only the label around them
        assert "Kirjasto" in text_of(phone, "#phone-service")
        no_overflow(phone)
        assert serious(phone) == [], lang
        screenshot(phone, artifacts, f"phone-lang-{lang}-390x844.png")
    assert text_of(phone, "#phone-service") == service
    choose(phone, "ar")
    phone.refresh()  # the choice is remembered for this ticket
    wait(phone, lambda d: text_of(d, "#phone-position") != "", message="the phone page did not load again")
    page_is_in(phone, "ar")
    choose(phone, "fi")


def test_the_feedback_scale_says_which_end_is_good(
    site: Site, phone: Any, ticket: dict[str, Any], artifacts: Path
) -> None:
    desk = site.desk_token
    call_api(site, "POST", "/api/desks/d3/status", desk, {"status": "open"})
    call_api(site, "POST", "/api/desks/d3/next", desk)
    call_api(site, "POST", "/api/desks/d3/start", desk)
    call_api(site, "POST", "/api/desks/d3/finish", desk)
    wait(phone, lambda d: shown(d, "#feedback"), message="the feedback question did not appear")
    for lang in ("fi", "sv", "ar"):
        choose(phone, lang)
        low, high = phone.find_elements(By.CSS_SELECTOR, "#feedback-scale span")
        assert low.is_displayed() and high.is_displayed()
        assert (low.text, high.text) == (text("feedback.scale_low", lang), text("feedback.scale_high", lang))
        one = find(phone, "input[name=rating][value='1']")
        five = find(phone, "input[name=rating][value='5']")
        assert one.accessible_name == text("feedback.scale_low", lang)
        assert five.accessible_name == text("feedback.scale_high", lang)
        assert text_of(phone, "#feedback-q") == text("feedback.question", lang)
        # the good end is where the 5 is: right in ltr, left in rtl
        label_five, label_one = five.find_element(By.XPATH, ".."), one.find_element(By.XPATH, "..")
        assert (label_five.rect["x"] > label_one.rect["x"]) == (lang != "ar")
        assert (high.rect["x"] > low.rect["x"]) == (lang != "ar")
        no_overflow(phone)
        assert serious(phone) == [], lang
        screenshot(phone, artifacts, f"phone-feedback-{lang}-390x844.png")
    choose(phone, "fi")
