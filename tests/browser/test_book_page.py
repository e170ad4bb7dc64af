"""The public booking page in Chromium, as a visitor uses it on a phone (390x844) and on a desktop: a service, a
day, a free slot, the code with its QR code and calendar file; a time taken meanwhile; cancelling with the code.

The server runs on the real clock, so the visitor books tomorrow (the centre's services are open around the
clock here, so tomorrow has a slot every 15 minutes).  Every screen gets the checks of the language tests:
its language and direction, nothing sticking out, no catalogue key, no text in another language and no
serious or critical axe-core violation.  Screenshots land in tests/artifacts/ as ``book-*.png``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from icalendar import Calendar

from queue_server.i18n.catalogue import catalogues, text

from .conftest import Site, browser_config, serve_site
from .test_admin_accessibility import run_axe
from .test_languages import KEYLIKE, OVERFLOW_JS, WORDS_JS, strings_in
from .test_pages_in_browser import decode_qr, find, find_all, set_viewport, shown, text_of, wait
from .untranslated import page_leaks

pytestmark = pytest.mark.browser

LANGUAGES = ["fi", "sv", "en", "ru", "et", "ar"]
HELSINKI = ZoneInfo("Europe/Helsinki")
SLOW = 10.0
#: two visitors every 15 minutes, around the clock (the browser centre's services keep no hours)
APPOINTMENTS = {"slot_minutes": 15, "per_slot": 2}
NAMES: list[str] = []


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shared test centre in six languages; Kela and the library take bookings, and so does the sensitive
    mental health service, but through its own booking system only (never on the page)."""
    tmp = tmp_path_factory.mktemp("book-site")
    config = browser_config(tmp)
    config["centre"]["languages"] = LANGUAGES
    for service in config["services"]:
        if service["key"] in ("kela", "library", "mental"):
            service["appointments"] = copy.deepcopy(APPOINTMENTS)
    NAMES.extend(strings_in(config))
    yield from serve_site(config, tmp, {}, (), "book-tests")


def tomorrow_at(hour: int, minute: int = 0) -> str:
    """A slot's start tomorrow in Helsinki, as the API writes it (UTC)."""
    day = datetime.now(HELSINKI).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), HELSINKI).astimezone(UTC).isoformat()


def api(site: Site, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.request(method, f"{site.url}{path}", json=body, timeout=10)


def open_booking(driver: Any, site: Site, lang: str) -> None:
    """Open /book in ``lang``, pick Kela and tomorrow, and wait for tomorrow's slots."""
    driver.get(f"{site.url}/book?lang={lang}")
    wait(driver, lambda d: find_all(d, "#service-list input[value=kela]"), SLOW, "no services to choose from")
    offered = [e.get_attribute("value") for e in find_all(driver, "#service-list input")]
    assert offered == ["kela", "library"], "a sensitive service is never offered on the page"
    find(driver, "#service-list input[value=kela]").click()
    wait(driver, lambda d: find_all(d, "#slot-list .book-slot"), SLOW, "no slots for today")
    first = find(driver, "#slot-list .book-slot")  # today's 00:00
    if datetime.now(HELSINKI).time() >= time(0, 15):
        assert not first.is_enabled() and first.text.splitlines()[1] == text("book.slot_past_short", lang)
    find(driver, "#day-next").click()
    start = tomorrow_at(10)
    wait(driver, lambda d: find_all(d, f'#slot-list .book-slot[data-start="{start}"]'), SLOW, "no slots tomorrow")


def slot(driver: Any, start: str) -> Any:
    return find(driver, f'#slot-list .book-slot[data-start="{start}"]')


def check(driver: Any, lang: str, artifacts: Path, name: str) -> None:
    """The language tests' checks (tests/browser/test_languages.py), with a screenshot saved first."""
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.save_screenshot(str(artifacts / f"book-{name}-{lang}-{width}x{height}.png"))
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


@pytest.fixture(scope="module")
def phone(new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(390, 844)
    set_viewport(driver, 390, 844)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture(scope="module")
def desktop(new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(1440, 900)
    set_viewport(driver, 1440, 900)
    driver.set_script_timeout(30)
    return driver


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_booking_page_in_each_language(site: Site, phone: Any, artifacts: Path, lang: str) -> None:
    open_booking(phone, site, lang)
    assert text_of(phone, "#book-title") == text("book.title", lang)
    assert text_of(phone, "#day-name") != ""
    # the days run the way the page reads: "previous" at the start, on the right in Arabic
    assert (find(phone, "#day-prev").rect["x"] > find(phone, "#day-next").rect["x"]) == (lang == "ar")
    check(phone, lang, artifacts, "slots")


def test_a_visitor_books_a_time_and_takes_the_code_away(site: Site, phone: Any, artifacts: Path) -> None:
    start = tomorrow_at(10)
    open_booking(phone, site, "fi")
    assert slot(phone, start).text.splitlines() == ["10.00", text("book.slot_free", "fi", n=2)]
    slot(phone, start).click()
    wait(phone, lambda d: shown(d, "#book-choice"), message="the chosen time is not shown")
    assert slot(phone, start).get_attribute("aria-pressed") == "true"
    find(phone, "#book-button").click()
    wait(phone, lambda d: shown(d, "#booked"), SLOW, "the booking did not go through")
    assert text_of(phone, "#booked-title") == text("book.booked_title", "fi")
    shown_code = text_of(phone, "#booked-code")
    code = shown_code.replace(" ", "")
    assert len(code) == 6 and shown_code == " ".join(code), "the code is shown spaced, character by character"
    assert api(site, "GET", f"/api/appointments/{code}").json()["appointment"]["start"] == start

    qr = find(phone, "#booked-qr")
    wait(
        phone,
        lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr),
        message="the QR code did not load",
    )
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", qr)
    assert decode_qr(qr) == code

    calendar = requests.get(find(phone, "#booked-ics").get_attribute("href"), timeout=10)
    assert calendar.status_code == 200 and calendar.headers["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(calendar.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime.fromisoformat(start)
    assert code in str(event["DESCRIPTION"])
    phone.execute_script("window.scrollTo(0, 0)")
    check(phone, "fi", artifacts, "booked")


def test_a_time_taken_meanwhile_is_said_plainly_and_the_slots_come_again(
    site: Site, phone: Any, artifacts: Path
) -> None:
    start = tomorrow_at(11)
    open_booking(phone, site, "en")
    slot(phone, start).click()
    wait(phone, lambda d: shown(d, "#book-choice"), message="the chosen time is not shown")
    for _ in range(2):  # two other visitors take both places
        assert api(site, "POST", "/api/bookings", {"service": "kela", "start": start}).status_code == 201
    find(phone, "#book-button").click()
    wait(phone, lambda d: text_of(d, "#book-error") == text("book.slot_full", "en"), SLOW, "no slot_full message")
    wait(phone, lambda d: not slot(d, start).is_enabled(), SLOW, "the taken time is still offered")
    assert slot(phone, start).text.splitlines() == ["11:00", text("book.slot_taken", "en")]
    assert not shown(phone, "#book-choice") and not shown(phone, "#booked")
    check(phone, "en", artifacts, "slot-full")


def test_a_visitor_with_a_code_finds_the_booking_and_cancels_it(site: Site, desktop: Any, artifacts: Path) -> None:
    start = tomorrow_at(12, 15)
    code = api(site, "POST", "/api/bookings", {"service": "kela", "start": start}).json()["appointment"]["code"]

    def free() -> int:
        day = datetime.fromisoformat(start).astimezone(HELSINKI).date().isoformat()
        slots = api(site, "GET", f"/api/services/kela/slots?day={day}").json()["slots"]
        return int(next(s["free"] for s in slots if s["start"] == start))

    assert free() == 1
    desktop.get(f"{site.url}/book?lang=ar")
    wait(desktop, lambda d: find_all(d, "#service-list input"), SLOW, "the page did not load")
    find(desktop, "#code-input").send_keys(f"{code[:3].lower()}-{code[3:]}")  # typed as a visitor may type it
    find(desktop, "#code-form button[type=submit]").click()
    wait(desktop, lambda d: shown(d, "#booked"), SLOW, "the booking was not found")
    assert text_of(desktop, "#booked-title") == text("book.found_title", "ar")
    assert text_of(desktop, "#booked-code").replace(" ", "") == code
    check(desktop, "ar", artifacts, "found")

    find(desktop, '[data-lang-choice="sv"]').click()  # the switch keeps the booking on the screen
    wait(desktop, lambda d: text_of(d, "#booked-title") == text("book.found_title", "sv"), message="no switch")
    assert desktop.execute_script("return [document.documentElement.dir, location.search]") == ["ltr", "?lang=sv"]
    find(desktop, "#cancel-button").click()
    find(desktop, "#cancel-yes").click()
    wait(desktop, lambda d: text_of(d, "#cancel-done") == text("book.cancelled", "sv"), SLOW, "not cancelled")
    assert text_of(desktop, "#booked-status") == text("book.status_cancelled", "sv")
    assert not any(shown(desktop, css) for css in ("#cancel-button", "#booked-ics", "#booked-qr", "#booked-keep"))
    assert free() == 2, "cancelling gave the place back"
    check(desktop, "sv", artifacts, "cancelled")

    find(desktop, "#book-again").click()
    wait(desktop, lambda d: shown(d, "#book-form") and shown(d, "#have-code"), message="not back to booking")
    assert api(site, "GET", "/api/appointments/AAAAAA").status_code == 404
    find(desktop, "#code-input").send_keys("AAAAAA")
    find(desktop, "#code-form button[type=submit]").click()
    wait(desktop, lambda d: text_of(d, "#code-error") == text("book.code_unknown", "sv"), SLOW, "no unknown message")
