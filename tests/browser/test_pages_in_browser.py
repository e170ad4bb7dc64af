"""The four people-facing pages in a real browser, against a real server, as the people in the centre use them.

A visitor takes a number at the kiosk, a clerk logs in and calls it with a key press, the waiting-room board
shows it within two seconds and the visitor's phone says where to go.  Screenshots of every page land in
tests/artifacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from queue_server.i18n.catalogue import text

from .conftest import Site, closed_now

pytestmark = pytest.mark.browser

FAST = 5.0  # ordinary page updates
CALL_S = 2.0  # the board must show a call this fast


def wait(driver: Any, condition: Callable[[Any], Any], timeout: float = FAST, message: str = "") -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver, timeout, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition, message)


def find(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def find_all(driver: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def text_of(driver: Any, css: str) -> str:
    """The first match's shown text; read again when a live update replaced the element meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(STALE_TRIES - 1):
        try:
            return _text_of(driver, css)
        except StaleElementReferenceException:
            continue
    return _text_of(driver, css)


#: how often a read is tried again when the page re-rendered the element between finding and reading it
STALE_TRIES = 5


def _text_of(driver: Any, css: str) -> str:
    elements = find_all(driver, css)
    return elements[0].text.strip() if elements and elements[0].is_displayed() else ""


def shown(driver: Any, css: str) -> bool:
    elements = find_all(driver, css)
    return bool(elements) and elements[0].is_displayed()


def press(driver: Any, keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def screenshot(driver: Any, artifacts: Path, name: str) -> None:
    driver.save_screenshot(str(artifacts / name))


def console_problems(driver: Any, allow: str | None = None) -> list[str]:
    """Errors in the browser console: script errors, CSP violations, failed loads (``allow``: a regex to skip)."""
    problems = []
    for entry in driver.get_log("browser"):
        message = entry.get("message", "")
        if entry.get("level") == "SEVERE" or "Content Security Policy" in message:
            if allow and re.search(allow, message):
                continue
            problems.append(message)
    return problems


def decode_qr(element: Any) -> str:
    """Read the QR code as a phone would: from the pixels on the screen."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(element.screenshot_as_png)).convert("L")
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code could be read from the kiosk screen"
    return str(results[0].text)


def viewport(driver: Any) -> tuple[int, int]:
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    return int(width), int(height)


def sign_in(driver: Any, url: str, user: tuple[str, str], next_path: str, landed: str, timeout: float = FAST) -> None:
    """Log ``user`` in through the log-in form, going on to ``next_path`` (already URL-quoted); wait until the
    browser is at a URL ending in ``landed``."""
    driver.get(f"{url}/login?next={next_path}")
    find(driver, "#username").send_keys(user[0])
    find(driver, "#password").send_keys(user[1])
    find(driver, "form.form button[type=submit]").click()
    wait(driver, lambda d: d.current_url.endswith(landed), timeout, f"{user[0]} could not log in")


def set_viewport(driver: Any, width: int, height: int) -> None:
    """Make the page area exactly width x height (the window frame differs between setups)."""
    driver.set_window_size(width, height)
    for _ in range(10):  # a loaded machine's headless window can take a moment to settle
        w, h = viewport(driver)
        if (w, h) == (width, height):
            return
        driver.set_window_size(*(a + (a - b) for a, b in ((width, w), (height, h))))
        time.sleep(0.1)
    assert viewport(driver) == (width, height)


def no_overflow(driver: Any) -> None:
    """Nothing sticks out of the screen sideways (a layout break at this size)."""
    scroll, client = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the page is {scroll}px wide on a {client}px screen"


def tiles_fit(driver: Any) -> None:
    """Every service tile is whole on the screen (none cut off or scrolled away) and a big touch target."""
    area = find(driver, "#tiles").rect
    for tile in find_all(driver, "#tiles .tile"):
        rect = tile.rect
        assert rect["height"] >= 64 and rect["width"] >= 64
        assert rect["y"] + rect["height"] <= area["y"] + area["height"] + 1, tile.text
        assert rect["y"] + rect["height"] <= viewport(driver)[1]


class Window:
    """One window of a shared browser: every use switches the driver to it first.

    The public screens (kiosks, board, phone) share one Chromium, each in its own window, which saves a
    browser start per page; the clerk has a browser of their own (a separate cookie jar).
    """

    def __init__(self, driver: Any, handle: str) -> None:
        self._driver = driver
        self._handle = handle

    def __getattr__(self, name: str) -> Any:
        if getattr(self._driver, "vuoro_window", None) != self._handle:
            self._driver.switch_to.window(self._handle)
            self._driver.vuoro_window = self._handle
        return getattr(self._driver, name)


def open_window(driver: Any, width: int, height: int) -> Window:
    if getattr(driver, "vuoro_window", None) is None:
        handle = driver.current_window_handle  # the browser's first window
    else:
        driver.switch_to.new_window("window")
        handle = driver.current_window_handle
    driver.vuoro_window = handle
    window = Window(driver, handle)
    set_viewport(window, width, height)
    return window


@pytest.fixture(scope="module")
def public(new_driver: Callable[..., Any]) -> Any:
    return new_driver()


@pytest.fixture(scope="module")
def kiosk(public: Any) -> Window:
    return open_window(public, 1920, 1080)


@pytest.fixture(scope="module")
def board(public: Any, kiosk: Window) -> Window:
    return open_window(public, 1920, 1080)


@pytest.fixture(scope="module")
def phone(public: Any, kiosk: Window) -> Window:
    return open_window(public, 360, 640)


@pytest.fixture(scope="module")
def desk(new_driver: Callable[..., Any]) -> Any:
    driver = new_driver(1366, 768)
    set_viewport(driver, 1366, 768)
    return driver


@pytest.fixture(scope="module")
def flow() -> dict[str, str]:
    """What one test hands to the next: the ticket's number and tracking address."""
    return {}


def test_kiosk_enrolment_moves_the_token_out_of_the_address(site: Site, kiosk: Any, artifacts: Path) -> None:
    token = site.kiosk_tokens["k1"]
    kiosk.get(f"{site.url}/kiosk/k1#token={token}")
    wait(kiosk, lambda d: len(find_all(d, "#tiles .tile")) == 9, message="the service tiles did not appear")
    assert "#" not in kiosk.current_url and token not in kiosk.current_url
    assert kiosk.execute_script("return localStorage.getItem('vuoro.kiosk.k1.token')") == token
    assert [b.text for b in find_all(kiosk, "[data-lang-choice]")] == ["Suomi", "Svenska", "English"]
    assert find(kiosk, "html").get_attribute("lang") == "fi"
    assert text_of(kiosk, "#start-title") == "Valitse asiointisi"
    tile = find(kiosk, '[data-service="kela"]')
    assert tile.size["height"] >= 64 and tile.size["width"] >= 64
    assert "ei jonoa" in tile.text
    assert find(kiosk, "#get-ticket").get_attribute("disabled") is not None
    if closed_now():
        closed = find(kiosk, '[data-service="service_point"]')
        assert closed.get_attribute("disabled") is not None and "is-closed" in closed.get_attribute("class")
        assert re.search(r"Suljettu · avautuu (la |su |ma |ti |ke |to |pe )?00\.00", closed.text), closed.text
    tiles_fit(kiosk)
    no_overflow(kiosk)
    screenshot(kiosk, artifacts, "kiosk-start-1920x1080.png")
    # the visitor switches language; the names come from the API in that language
    find(kiosk, '[data-lang-choice="sv"]').click()
    wait(kiosk, lambda d: text_of(d, "#start-title") == "Välj ditt ärende")
    wait(kiosk, lambda d: "Hälsostation" in text_of(d, '[data-service="health"]'))
    assert find(kiosk, "html").get_attribute("lang") == "sv"
    find(kiosk, '[data-lang-choice="fi"]').click()
    wait(kiosk, lambda d: "Terveysasema" in text_of(d, '[data-service="health"]'))
    assert console_problems(kiosk) == []


def test_a_ticket_from_kiosk_to_desk_board_and_phone(
    site: Site, kiosk: Any, board: Any, phone: Any, desk: Any, artifacts: Path, flow: dict[str, str]
) -> None:
    board.get(f"{site.url}/board/z2")
    wait(board, lambda d: shown(d, "#now-empty") and len(find_all(d, "#queues .queue-item")) == 2)
    assert [e.get_attribute("data-service") for e in find_all(board, "#queues .queue-item")] == ["kela", "library"]
    assert "Mielenterveys" not in board.page_source  # no sensitive service on a board

    # -- the kiosk: choose Kela, get a number, see where to wait and the QR code
    find(kiosk, '[data-service="kela"]').click()
    assert find(kiosk, '[data-service="kela"]').get_attribute("aria-pressed") == "true"
    find(kiosk, "#get-ticket").click()
    wait(kiosk, lambda d: shown(d, "#screen-ticket") and re.fullmatch(r"K\d{3}", text_of(d, "#ticket-number")))
    number = text_of(kiosk, "#ticket-number")
    assert text_of(kiosk, "#ticket-place") == "2. kerros"
    assert number in find(kiosk, "#announce").get_attribute("textContent")
    wait(kiosk, lambda d: d.execute_script("return document.getElementById('ticket-qr').naturalWidth") > 0)
    track = decode_qr(find(kiosk, "#ticket-qr"))
    assert re.fullmatch(re.escape(site.url) + r"/t/[A-Za-z0-9_-]{20,}", track), track
    wait(
        kiosk,
        lambda d: "is-printed" in find(d, "#print-status").get_attribute("class"),
        message="the fake printer's 'printed' event did not reach the kiosk",
    )
    assert text_of(kiosk, "#print-status") == "Ota vuorolippu tulostimesta."
    no_overflow(kiosk)
    screenshot(kiosk, artifacts, "kiosk-ticket-1920x1080.png")
    flow.update(number=number, track=track)

    # -- the visitor's phone, opened from the QR code
    phone.get(track)
    wait(phone, lambda d: text_of(d, "#phone-position") != "")
    assert text_of(phone, "#phone-number") == number
    assert find(phone, "#phone-status").get_attribute("data-status") == "waiting"
    # the place is isolated (U+2068 ... U+2069) so that it keeps its direction in a right-to-left sentence
    assert text_of(phone, "#phone-place").strip("\u2068\u2069") in (
        "Odotuspaikka: \u20682. kerros",
        "Odotuspaikka: 2. kerros",
    )
    no_overflow(phone)
    screenshot(phone, artifacts, "phone-waiting-360x640.png")

    # -- the clerk: /desk asks for a log-in first, then goes back to /desk
    desk.get(f"{site.url}/desk")
    assert desk.current_url.endswith("/login?next=/desk")
    screenshot(desk, artifacts, "login-1366x768.png")
    find(desk, "#username").send_keys(site.clerk[0])
    find(desk, "#password").send_keys(site.clerk[1])
    find(desk, "form.form button[type=submit]").click()
    wait(desk, lambda d: d.current_url.endswith("/desk"))
    wait(desk, lambda d: not find(d, "#desk-select").get_attribute("disabled"))
    from selenium.webdriver.support.ui import Select

    Select(find(desk, "#desk-select")).select_by_value("d1")
    wait(desk, lambda d: text_of(d, '#waiting-list [data-service="kela"] .waiting-count') == "1")
    assert "desk=d1" in desk.current_url
    assert desk.execute_script("return localStorage.getItem('vuoro.desk')") == "d1"
    desk_key(desk, "n")  # the keyboard shortcut for "next"
    called_at = time.monotonic()
    wait(desk, lambda d: text_of(d, "#cur-number") == number)
    assert text_of(desk, "#cur-status") == "Kutsuttu"
    assert text_of(desk, '#waiting-list [data-service="kela"] .waiting-count') == "0"

    # -- the board shows it within two seconds of the key press, with the desk, never the service
    wait(
        board,
        lambda d: text_of(d, "#now-number") == number and text_of(d, "#now-desk") == "Tiski 1",
        timeout=max(0.1, CALL_S - (time.monotonic() - called_at)),
        message="the board was too slow",
    )
    assert text_of(board, "#now-location") == "2. kerros"
    assert "Kela" not in find(board, "#now").text
    assert "flash" in find(board, "#now").get_attribute("class")
    assert find(board, "#now-number").size["height"] >= 0.2 * viewport(board)[1]  # readable across a room
    # zone z2 has the chime on: the board fetched the sound and the browser let it play
    wait(
        board,
        lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/sounds/chime.wav'))"
        ),
    )
    assert not shown(board, "#audio-blocked")

    # -- the phone says where to go
    wait(phone, lambda d: find(d, "#phone-status").get_attribute("data-status") == "called")
    assert text_of(phone, "#phone-called-desk") == "Mene: Tiski 1, 2. kerros"
    assert text_of(phone, "#phone-status") == "Kutsuttu"
    no_overflow(phone)
    screenshot(phone, artifacts, "phone-called-360x640.png")
    screenshot(desk, artifacts, "desk-1366x768.png")
    screenshot(board, artifacts, "board-flash-1920x1080.png")  # caught mid-flash
    no_overflow(board)
    for driver in (kiosk, board, phone, desk):
        assert console_problems(driver) == []


def desk_key(desk: Any, key: str) -> None:
    """Press a shortcut once the previous action has been answered (the desk ignores keys while busy)."""
    wait(desk, lambda d: "is-busy" not in find(d, "body").get_attribute("class"))
    press(desk, key)


def test_desk_actions_and_error_messages(
    site: Site, desk: Any, board: Any, phone: Any, artifacts: Path, flow: dict[str, str]
) -> None:
    number = flow["number"]
    board.execute_script("document.getElementById('board-announce').textContent = ''")
    desk_key(desk, "r")  # recall: the board announces it again
    wait(
        board,
        lambda d: (
            d.execute_script("return document.getElementById('board-announce').textContent")
            == f"Numero {number}: Tiski 1"
        ),
    )
    desk_key(desk, "s")
    wait(desk, lambda d: text_of(d, "#cur-status") == "Palvelussa")
    assert find(desk, '[data-action="recall"]').get_attribute("disabled") is not None
    desk_key(desk, "f")
    wait(desk, lambda d: shown(d, "#cur-none"))
    wait(phone, lambda d: find(d, "#phone-status").get_attribute("data-status") == "done")
    assert text_of(phone, "#phone-final") == "Kiitos käynnistä! Asiointisi on valmis."
    assert not shown(phone, "#cancel-button")
    no_overflow(phone)
    screenshot(phone, artifacts, "phone-done-360x640.png")
    # a number that does not exist: the error in the clerk's language (the API's own message is English)
    desk_key(desk, "c")
    wait(desk, lambda d: find(d, "#call-dialog").get_attribute("open") is not None)
    find(desk, "#call-number").send_keys("k999\n")
    wait(desk, lambda d: shown(d, "#desk-error"))
    assert text_of(desk, "#desk-error") == text("error.unknown_ticket", "fi") == "Vuoronumeroa ei löytynyt."
    # nobody waits: "next" says so instead of failing
    desk_key(desk, "n")
    wait(desk, lambda d: text_of(d, "#desk-message") == "Kukaan ei ole jonossa.")
    # pause and open again with P
    desk_key(desk, "p")
    wait(desk, lambda d: text_of(d, "#desk-status") == "Tauolla")
    desk_key(desk, "p")
    wait(desk, lambda d: text_of(d, "#desk-status") == "Auki")
    assert console_problems(desk, allow=r"status of 404") == []


def test_board_keeps_the_previous_calls(
    site: Site, desk: Any, board: Any, artifacts: Path, flow: dict[str, str]
) -> None:
    import requests

    headers = {"Authorization": f"Bearer {site.kiosk_tokens['k1']}"}
    for _ in range(3):
        resp = requests.post(
            f"{site.url}/api/tickets", json={"services": ["kela"], "kiosk": "k1"}, headers=headers, timeout=10
        )
        assert resp.status_code == 201, resp.text
    wait(desk, lambda d: text_of(d, '#waiting-list [data-service="kela"] .waiting-count') == "3")
    numbers = []
    for i in range(3):
        desk_key(desk, "n")
        wait(desk, lambda d: text_of(d, "#cur-number") not in ("", *numbers))
        numbers.append(text_of(desk, "#cur-number"))
        if i == 1:  # this visitor came to the wrong queue: transfer to the library (T, a dialog)
            desk_key(desk, "t")
            wait(desk, lambda d: find(d, "#transfer-dialog").get_attribute("open") is not None)
            from selenium.webdriver.support.ui import Select

            Select(find(desk, "#transfer-service")).select_by_value("library")
            find(desk, "#transfer-form button[type=submit]").click()
        else:
            desk_key(desk, "f")
        wait(desk, lambda d: shown(d, "#cur-none"))
    transferred = requests.get(
        f"{site.url}/api/desks/d2", timeout=10, headers={"Authorization": f"Bearer {site.desk_token}"}
    ).json()
    assert transferred["waiting"] == {"kela": 0, "library": 1}
    wait(board, lambda d: text_of(d, "#now-number") == numbers[-1])
    history = [e.text.split("\n")[0] for e in find_all(board, "#history .history-number")]
    assert history == [numbers[1], numbers[0], flow["number"]]  # newest first, each number once
    flow["number"] = numbers[-1]


def test_unenrolled_kiosk_then_enrolled_portrait_with_failed_print(
    site: Site, public: Any, phone: Any, artifacts: Path
) -> None:
    kiosk = open_window(public, 1080, 1920)
    kiosk.get(f"{site.url}/kiosk/k2")
    wait(kiosk, lambda d: shown(d, "#screen-unenrolled"), message="no 'not enrolled' state without a token")
    assert text_of(kiosk, "#unenrolled-title") == "This kiosk is not enrolled"
    screenshot(kiosk, artifacts, "kiosk-unenrolled-1080x1920.png")

    kiosk.get(f"{site.url}/kiosk/k2#token={site.kiosk_tokens['k2']}")
    wait(kiosk, lambda d: shown(d, "#screen-start") and len(find_all(d, "#tiles .tile")) == 9)
    tiles_fit(kiosk)
    no_overflow(kiosk)
    screenshot(kiosk, artifacts, "kiosk-start-1080x1920.png")
    find(kiosk, '[data-service="library"]').click()
    find(kiosk, '[data-service="kela"]').click()
    assert [text_of(kiosk, f'[data-service="{k}"] .tile-order') for k in ("library", "kela")] == ["1", "2"]
    find(kiosk, "#priority").click()
    assert find(kiosk, "#priority").get_attribute("aria-pressed") == "true"
    find(kiosk, "#get-ticket").click()
    wait(kiosk, lambda d: re.fullmatch(r"L\d{3}", text_of(d, "#ticket-number")))
    number = text_of(kiosk, "#ticket-number")
    assert text_of(kiosk, "#ticket-errands") == "Library → Kela"
    assert shown(kiosk, "#ticket-priority")
    wait(
        kiosk,
        lambda d: "is-failed" in find(d, "#print-status").get_attribute("class"),
        message="the broken printer's 'failed' event did not reach the kiosk",
    )
    assert text_of(kiosk, "#print-status") == (
        f"The ticket could not be printed. Note your number {number} or scan the QR code."
    )
    assert find(kiosk, "#print-status").get_attribute("role") == "alert"
    wait(kiosk, lambda d: d.execute_script("return document.getElementById('ticket-qr').naturalWidth") > 0)
    no_overflow(kiosk)
    screenshot(kiosk, artifacts, "kiosk-ticket-failed-print-1080x1920.png")
    track = decode_qr(find(kiosk, "#ticket-qr"))

    # "Done" goes back to the start, in the kiosk's own language, with nothing chosen
    find(kiosk, "#done").click()
    wait(kiosk, lambda d: shown(d, "#screen-start"))
    assert find_all(kiosk, ".tile.is-selected") == []
    assert find(kiosk, "#priority").get_attribute("aria-pressed") == "false"

    # the visitor cancels on the phone (in English, the ticket's language), with a confirm step
    phone.get(track)
    wait(phone, lambda d: find(d, "#phone-status").get_attribute("data-status") == "waiting")
    assert text_of(phone, "#phone-title") == "Your number"
    find(phone, "#cancel-button").click()
    assert shown(phone, "#cancel-confirm") and not shown(phone, "#cancel-button")
    find(phone, "#cancel-yes").click()
    wait(phone, lambda d: find(d, "#phone-status").get_attribute("data-status") == "cancelled")
    assert text_of(phone, "#phone-final") == "The ticket has been cancelled."
    assert not shown(phone, "#cancel-button")
    assert console_problems(kiosk) == []
    assert console_problems(phone) == []


def test_board_shows_it_lost_the_server_and_recovers_by_itself(
    site: Site, board: Any, flow: dict[str, str], artifacts: Path
) -> None:
    number = flow["number"]
    assert not shown(board, "#offline")
    wait(
        board,
        lambda d: "flash" not in find(d, "#now").get_attribute("class"),
        timeout=10,
        message="the call's flash did not end by itself",
    )
    screenshot(board, artifacts, "board-1920x1080.png")
    site.server.kill()
    wait(board, lambda d: shown(d, "#offline"), timeout=10, message="no 'connection lost' marker")
    assert text_of(board, "#offline") == "Yhteys katkesi – yhdistetään uudelleen…"
    screenshot(board, artifacts, "board-offline-1920x1080.png")
    board.execute_script("document.getElementById('now-number').textContent = 'stale'")
    site.server.start()
    wait(board, lambda d: not shown(d, "#offline"), timeout=15, message="the board did not reconnect")
    wait(board, lambda d: text_of(d, "#now-number") == number, message="not re-rendered from the snapshot")
