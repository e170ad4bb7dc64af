"""The admin pages in Chromium, as a manager uses them: close a service for the day, and for tomorrow, and see
the kiosk say so; add a clerk, who logs in with the one-time password and must choose their own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import Site, browser_config, serve_site

WAIT_S = 15.0
MANAGER = ("manager", "manager-password-1")


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The browser tests' centre, with an admin account of its own (this module changes the configuration)."""
    tmp = tmp_path_factory.mktemp("admin-site")
    yield from serve_site(browser_config(tmp), tmp, {"admin": MANAGER}, ("k1", "k2"), "admin-tests")


def wait(driver: Any, condition: Callable[[], Any], message: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the page is still loading
            value = None
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(message)


def log_in(driver: Any, site: Site, user: tuple[str, str], next_path: str) -> None:
    driver.get(f"{site.url}/login?next={next_path}&lang=en")
    driver.find_element(By.ID, "username").send_keys(user[0])
    driver.find_element(By.ID, "password").send_keys(user[1])
    driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()


def test_a_manager_closes_a_service_for_the_day_and_the_kiosk_says_so(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    kiosk = new_driver(1080, 1920)
    kiosk.get(f"{site.url}/kiosk/k1?lang=en#token={site.kiosk_tokens['k1']}")
    tile = '[data-service="library"]'
    wait(kiosk, lambda: kiosk.find_element(By.CSS_SELECTOR, tile).is_displayed(), "no library tile on the kiosk")
    closed = f"return !!document.querySelector('{tile}.is-closed, {tile} .is-closed')"
    assert not kiosk.execute_script(closed)

    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/services")
    wait(manager, lambda: manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"]'), "no services page")
    row = manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"]')
    assert row.find_element(By.CSS_SELECTOR, ".open-now").text == "yes"
    row.find_element(By.CSS_SELECTOR, "form.form-row button[type=submit]").click()  # today, closed all day
    wait(manager, lambda: "Saved" in manager.find_element(By.CSS_SELECTOR, ".notice-ok").text, "not saved")
    row = manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"]')
    assert row.find_element(By.CSS_SELECTOR, ".open-now").text == "no"

    # the kiosk, without a reload: the change reached it through the live model and its socket
    wait(kiosk, lambda: kiosk.execute_script(closed), "the kiosk still offers the closed service")
    assert "Closed" in kiosk.find_element(By.CSS_SELECTOR, tile).text  # ?lang=en: the kiosk opened in English
    manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] form.exception button').click()
    wait(
        manager,
        lambda: manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] .open-now').text == "yes",
        "the exception was not removed",
    )
    wait(kiosk, lambda: not kiosk.execute_script(closed), "the kiosk did not offer the service again")

    # closed tomorrow: today's visitors are told on the tile
    tomorrow = manager.execute_script(
        "var d = new Date(document.getElementById('day-library').value + 'T12:00:00');"
        "d.setDate(d.getDate() + 1); return d.toISOString().slice(0, 10);"
    )
    manager.execute_script("document.getElementById('day-library').value = arguments[0];", tomorrow)
    manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] form.form-row button[type=submit]').click()
    wait(
        manager,
        lambda: tomorrow in manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"]').text,
        "tomorrow's exception is not listed",
    )
    wait(
        kiosk,
        lambda: "closed tomorrow" in kiosk.find_element(By.CSS_SELECTOR, tile).text.lower(),
        "the kiosk does not say the service is closed tomorrow",
    )
    assert not kiosk.execute_script(closed), "it is still open today"


def test_a_manager_adds_a_clerk_who_logs_in_and_changes_their_password(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/staff")
    wait(manager, lambda: manager.find_element(By.ID, "new-username"), "no staff page")
    manager.find_element(By.ID, "new-username").send_keys("liisa")
    manager.find_element(By.CSS_SELECTOR, "form.form-narrow button[type=submit]").click()
    notice = wait(manager, lambda: manager.find_element(By.ID, "one-time").text, "no one-time password shown")
    password = notice.split(": ", 1)[1].split(" ", 1)[0]
    assert len(password) >= 12

    clerk = new_driver(1366, 768)
    log_in(clerk, site, ("liisa", password), "/desk")
    wait(clerk, lambda: "/account/password" in clerk.current_url, "the one-time password was not to be changed")
    clerk.find_element(By.ID, "current_password").send_keys(password)
    clerk.find_element(By.ID, "new_password").send_keys("liisas-own-password")
    clerk.find_element(By.ID, "new_password_again").send_keys("liisas-own-password")
    clerk.find_element(By.CSS_SELECTOR, "main form.form button[type=submit]").click()
    wait(clerk, lambda: clerk.current_url.endswith("/desk"), "the clerk did not reach the desk after the change")

    # the manager disables the clerk: the desk page loses its session at once
    manager.get(f"{site.url}/admin/staff")
    manager.find_element(By.CSS_SELECTOR, 'tr[data-user="liisa"] button[data-action="disable"]').click()
    wait(manager, lambda: "no" in manager.find_element(By.CSS_SELECTOR, 'tr[data-user="liisa"]').text, "not disabled")
    clerk.get(f"{site.url}/desk")
    wait(clerk, lambda: "/login" in clerk.current_url, "a disabled clerk still reached the desk")
