"""The QR poster's page in Chromium, as a visitor uses it on a phone (390x844): choose errands in order, get a
number, land on the ticket's phone page; the per-browser rate limit said plainly.

Every screen gets the checks of the language tests: its language and direction, nothing sticking out, no
catalogue key, no text in another language and no serious or critical axe-core violation.  Screenshots land in
tests/artifacts/ as ``join-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.i18n.catalogue import catalogues, text

from .conftest import Site, browser_config, serve_site
from .test_admin_accessibility import run_axe
from .test_languages import KEYLIKE, OVERFLOW_JS, WORDS_JS, strings_in
from .test_pages_in_browser import find, find_all, set_viewport, shown, text_of, wait
from .untranslated import page_leaks

pytestmark = pytest.mark.browser

LANGUAGES = ["fi", "sv", "en", "ru", "et", "ar"]
SLOW = 10.0
#: each browser may take this many numbers an hour from the poster
PER_BROWSER = 2
NAMES: list[str] = []


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shared test centre in six languages; Kela and the library are taken by phone, health is not."""
    tmp = tmp_path_factory.mktemp("join-site")
    config = browser_config(tmp)
    config["centre"]["languages"] = LANGUAGES
    config["limits"] = {"remote_per_browser": f"{PER_BROWSER}/hour", "remote_per_client": "100/hour"}
    for service in config["services"]:
        if service["key"] in ("kela", "library"):
            service["remote"] = True
    NAMES.extend(strings_in(config))
    yield from serve_site(config, tmp, {}, (), "join-tests")


@pytest.fixture(scope="module")
def phone(new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(390, 844)
    set_viewport(driver, 390, 844)
    driver.set_script_timeout(30)
    return driver


def check(driver: Any, lang: str, artifacts: Path, name: str) -> None:
    """The language tests' checks (tests/browser/test_languages.py), with a screenshot saved first."""
    driver.save_screenshot(str(artifacts / f"join-{name}-{lang}-390x844.png"))
    lang_, dir_ = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
    assert (lang_, dir_ == "rtl") == (lang, lang == "ar")
    overflow = driver.execute_script(OVERFLOW_JS)
    assert overflow == [], "\n".join(overflow)
    keys = catalogues().keys
    assert sorted({k for k in KEYLIKE.findall(driver.execute_script(WORDS_JS)) if k in keys}) == []
    leaked = page_leaks(driver, lang, NAMES)
    assert leaked == [], "text in another language on the screen:\n" + "\n".join(leaked)
    serious = [
        (v["id"], v["help"], [n.get("target") for n in v["nodes"][:3]])
        for v in run_axe(driver)
        if v.get("impact") in ("serious", "critical")
    ]
    assert serious == []


def open_join(driver: Any, site: Site, lang: str) -> None:
    driver.get(f"{site.url}/join/k1?lang={lang}")
    wait(driver, lambda d: find_all(d, '#service-list [data-service="library"]'), SLOW, "no services to choose")
    offered = [e.get_attribute("data-service") for e in find_all(driver, "#service-list .join-service")]
    assert offered == ["kela", "library"], "only the kiosk's remote services are offered"


def choose(driver: Any, key: str) -> None:
    find(driver, f'#service-list [data-service="{key}"]').click()


def take_number(driver: Any) -> str:
    find(driver, "#join-button").click()
    wait(driver, lambda d: "/t/" in d.current_url, SLOW, "the phone page did not open")
    wait(driver, lambda d: text_of(d, "#phone-number"), SLOW, "the phone page shows no number")
    return text_of(driver, "#phone-number")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_visitor_takes_a_number_on_their_phone(site: Site, phone: Any, artifacts: Path, lang: str) -> None:
    phone.delete_all_cookies()  # a new visitor: their own browser, their own budget
    open_join(phone, site, lang)
    assert text_of(phone, "#join-title") == text("join.title", lang)
    assert not find(phone, "#join-button").is_enabled()
    choose(phone, "library")
    choose(phone, "kela")  # the order of the choice is the order of the errands
    pressed = {
        e.get_attribute("data-service"): (e.get_attribute("aria-pressed"), e.text.splitlines()[0])
        for e in find_all(phone, "#service-list .join-service")
    }
    assert pressed == {"library": ("true", "1"), "kela": ("true", "2")}
    assert text_of(phone, "#join-summary").startswith(text("join.summary", lang, errands="")[:4])
    check(phone, lang, artifacts, "chosen")
    number = take_number(phone)
    assert re.fullmatch(r"L\d{3}", number), "the first errand's prefix numbers the ticket"
    assert phone.execute_script("return document.documentElement.lang") == lang
    check(phone, lang, artifacts, "ticket")


def test_the_language_switch_changes_the_page_in_place(site: Site, phone: Any, artifacts: Path) -> None:
    open_join(phone, site, "fi")
    choose(phone, "kela")
    find(phone, '[data-lang-choice="ar"]').click()
    wait(phone, lambda d: text_of(d, "#join-title") == text("join.title", "ar"), message="no switch")
    assert phone.execute_script("return [document.documentElement.dir, location.search]") == ["rtl", "?lang=ar"]
    wait(
        phone,
        lambda d: find(d, '[data-service="kela"]').get_attribute("aria-pressed") == "true",
        message="the choice did not survive the switch",
    )
    check(phone, "ar", artifacts, "switched")


def test_the_per_browser_limit_is_said_plainly(site: Site, phone: Any, artifacts: Path) -> None:
    phone.delete_all_cookies()
    for _ in range(PER_BROWSER):
        open_join(phone, site, "en")
        choose(phone, "kela")
        assert re.fullmatch(r"K\d{3}", take_number(phone))
    open_join(phone, site, "en")
    choose(phone, "kela")
    find(phone, "#join-button").click()
    wait(phone, lambda d: shown(d, "#join-error"), SLOW, "no message for the limit")
    assert text_of(phone, "#join-error") == text("join.error_rate", "en")
    assert "/join/k1" in phone.current_url
    check(phone, "en", artifacts, "limited")
