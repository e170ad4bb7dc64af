"""An appointment from start to end in Chromium: a visitor books the next free time on ``/book`` (phone), checks
in with the code at the kiosk, gets a ticket of the appointment prefix, is called -- after the walk-in who was
there first, since the booked time has not come and walk-ins wait -- and the phone page follows the call.

The server runs on the real clock; Kela takes appointments around the clock, every 15 minutes, so the next free
slot starts within 15 minutes: inside the 30-minute check-in window.  The controlled-clock rules (not before its
time while walk-ins wait, first at its time, the grace, no-shows) are tests/queue_server/services/test_checkin.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.i18n.catalogue import text
from tests import chromium

from .conftest import Site, browser_config, serve_site
from .test_pages_in_browser import find, find_all, set_viewport, shown, text_of, wait
from .test_phone_page import call_api

pytestmark = pytest.mark.browser

SLOW = 10.0


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("appointment-site")
    config = browser_config(tmp)
    next(s for s in config["services"] if s["key"] == "kela")["appointments"] = {"slot_minutes": 15, "per_slot": 2}
    yield from serve_site(config, tmp, {}, ("k1",), "appointment-tests")


def book_next_free(phone: Any, site: Site) -> str:
    """Book Kela's next free time on /book; the code as shown."""
    phone.get(f"{site.url}/book?lang=en")
    wait(phone, lambda d: find_all(d, "#service-list input[value=kela]"), SLOW, "no services to choose from")
    find(phone, "#service-list input[value=kela]").click()
    wait(phone, lambda d: find_all(d, "#slot-list .book-slot"), SLOW, "no slots")
    free = [b for b in find_all(phone, "#slot-list .book-slot") if b.is_enabled()]
    if not free:  # the day's last slot has begun: the next one is tomorrow's first, minutes away
        find(phone, "#day-next").click()
        wait(phone, lambda d: any(b.is_enabled() for b in find_all(d, "#slot-list .book-slot")), SLOW)
        free = [b for b in find_all(phone, "#slot-list .book-slot") if b.is_enabled()]
    free[0].click()
    find(phone, "#book-button").click()
    wait(phone, lambda d: shown(d, "#booked"), SLOW, "the booking did not go through")
    return text_of(phone, "#booked-code").replace(" ", "")


@pytest.fixture(scope="module")
def drivers(new_driver: Callable[..., Any]) -> tuple[Any, Any]:
    phone = new_driver(390, 844)
    set_viewport(phone, 390, 844)
    kiosk = new_driver(1080, 1920)
    set_viewport(kiosk, 1080, 1920)
    return phone, kiosk


def test_a_visitor_books_checks_in_with_the_code_is_called_and_the_phone_follows(
    site: Site, drivers: tuple[Any, Any], artifacts: Path
) -> None:
    phone, kiosk = drivers
    code = book_next_free(phone, site)
    assert len(code) == 6

    kiosk.get(f"{site.url}/kiosk/k1#token={site.kiosk_tokens['k1']}")
    wait(kiosk, lambda d: shown(d, "#have-appointment"), SLOW, "the kiosk offers no check-in")
    walk_in = call_api(site, "POST", "/api/tickets", site.kiosk_tokens["k1"], {"services": ["kela"], "kiosk": "k1"})[
        "ticket"
    ]  # someone was there first
    find(kiosk, "#have-appointment").click()
    wait(kiosk, lambda d: shown(d, "#screen-checkin"), message="the check-in screen did not open")
    assert not shown(kiosk, "#checkin-camera-box")  # no camera that reads QR codes here: typing it is
    assert text_of(kiosk, "#checkin-title") == text("kiosk.checkin_title", "fi")
    assert find(kiosk, "#checkin-submit").get_attribute("disabled") is not None
    for ch in code[:-1]:  # the on-screen keys, and the last one from a keyboard (a scanner types too)
        find(kiosk, f'#checkin-keys button[data-key="{ch}"]').click()
    find(kiosk, "#checkin-code").send_keys(code[-1].lower())
    assert find(kiosk, "#checkin-code").get_attribute("value") == code
    find(kiosk, "#checkin-submit").click()
    wait(kiosk, lambda d: shown(d, "#screen-ticket"), SLOW, "the check-in gave no ticket")
    number = text_of(kiosk, "#ticket-number")
    assert number == "A001"
    assert shown(kiosk, "#ticket-appointment-row") and text_of(kiosk, "#ticket-appointment") != ""
    kiosk.save_screenshot(str(artifacts / "kiosk-checkin-ticket-1080x1920.png"))
    token = find(kiosk, "#ticket-qr").get_attribute("src").split("/t/")[1].split("/")[0]

    phone.get(f"{site.url}/t/{token}?lang=en")
    wait(phone, lambda d: text_of(d, "#phone-number") == number, SLOW, "the phone page did not load")
    wait(phone, lambda d: text("phone.appointment", "en", time="")[:15] in text_of(d, "#phone-estimate"), SLOW)

    desk = site.desk_token
    call_api(site, "POST", "/api/desks/d1/status", desk, {"status": "open"})
    first = call_api(site, "POST", "/api/desks/d1/next", desk)["ticket"]
    assert first["number"] == walk_in["number"]  # the booked time has not come and a walk-in waits
    call_api(site, "POST", "/api/desks/d1/finish", desk)
    second = call_api(site, "POST", "/api/desks/d1/next", desk)["ticket"]
    assert second["number"] == number  # nobody else waits: the desk does not sit idle beside the visitor
    wait(phone, lambda d: shown(d, "#phone-called"), SLOW, "the phone did not follow the call")
    assert "Tiski 1" in text_of(phone, "#phone-called-desk")  # in the language the ticket was taken in
    phone.save_screenshot(str(artifacts / "phone-appointment-called-390x844.png"))
    assert call_api(site, "GET", f"/api/appointments/{code}", desk)["appointment"]["status"] == "called"


#: Chromium on Linux has no Shape Detection API: this stand-in "reads" whatever the test holds up
#: (``window.heldUp``) from the frames of Chromium's fake camera, so what is tested is the kiosk's part: the
#: camera runs on the check-in screen only, a code read from it checks in, and the camera stops after
STAND_IN_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect(source) {
    const live = source.srcObject && source.srcObject.getVideoTracks().some(t => t.readyState === "live");
    return Promise.resolve(live && window.heldUp ? [{format: "qr_code", rawValue: window.heldUp}] : []);
  }
};
"""


def camera_live(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "var v = document.getElementById('checkin-camera');"
            "return !!v.srcObject && v.srcObject.getVideoTracks()"
            ".some(function (t) { return t.readyState === 'live'; });"
        )
    )


def test_a_qr_code_held_to_the_kiosk_camera_checks_in(
    site: Site, drivers: tuple[Any, Any], new_driver: Callable[..., Any], artifacts: Path
) -> None:
    phone, _ = drivers
    code = book_next_free(phone, site)
    kiosk = new_driver(1080, 1920, chromium.FAKE_CAMERA)
    set_viewport(kiosk, 1080, 1920)
    kiosk.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": STAND_IN_DETECTOR})
    kiosk.get(f"{site.url}/kiosk/k1#token={site.kiosk_tokens['k1']}")
    wait(kiosk, lambda d: shown(d, "#have-appointment"), SLOW, "the kiosk offers no check-in")
    assert not camera_live(kiosk)  # the start screen never films the waiting room
    find(kiosk, "#have-appointment").click()
    wait(kiosk, lambda d: shown(d, "#checkin-camera-box") and camera_live(d), SLOW, "the camera did not start")
    assert text_of(kiosk, "#checkin-camera-hint") == text("kiosk.checkin_camera", "fi")
    kiosk.save_screenshot(str(artifacts / "kiosk-checkin-camera-1080x1920.png"))
    kiosk.execute_script("window.heldUp = arguments[0];", "booking " + code.lower())  # not a code: ignored
    kiosk.execute_script("window.heldUp = arguments[0];", code)
    wait(kiosk, lambda d: shown(d, "#screen-ticket"), SLOW, "the code held to the camera gave no ticket")
    assert text_of(kiosk, "#ticket-number").startswith("A")
    wait(kiosk, lambda d: not camera_live(d), SLOW, "the camera kept running after the check-in")
    desk = site.desk_token
    assert call_api(site, "GET", f"/api/appointments/{code}", desk)["appointment"]["status"] == "checked_in"
