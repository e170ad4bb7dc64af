"""The services and opening hours page in Chromium: a manager renames a service and changes its service time,
and a kiosk shows the new name without a reload; a centre exception added on the page shows in its calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_admin_pages import log_in, wait

MANAGER = ("services-manager", "services-manager-password-1")
#: the kiosk loads its services again on each snapshot, and a configuration change sends every screen one
KIOSK_REFRESH_S = 15.0


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The browser tests' centre, with an admin account of its own (this module changes the configuration)."""
    tmp = tmp_path_factory.mktemp("admin-services-site")
    yield from serve_site(browser_config(tmp), tmp, {"admin": MANAGER}, ("k1",), "admin-services-tests")


def saved(driver: Any) -> None:
    wait(driver, lambda: "Saved" in driver.find_element(By.CSS_SELECTOR, ".notice-ok").text, "not saved")


def test_a_manager_renames_a_service_and_the_kiosk_shows_the_new_name(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    kiosk = new_driver(1080, 1920)
    kiosk.get(f"{site.url}/kiosk/k1?lang=en#token={site.kiosk_tokens['k1']}")
    name = '[data-service="library"] .tile-name'
    shown = wait(kiosk, lambda: kiosk.find_element(By.CSS_SELECTOR, name).text, "no library tile")
    renamed = {"Kirjasto": "Kaupunginkirjasto", "Library": "City library"}
    assert shown == "Library"  # ?lang=en: the kiosk opens in English (and returns to Finnish when idle)

    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/services")
    wait(
        manager,
        lambda: manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] .edit-link'),
        "no services page",
    )
    manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] .edit-link').click()
    wait(manager, lambda: manager.find_element(By.ID, "edit-name-en"), "no editor")
    assert manager.find_element(By.ID, "edit-service-time").get_attribute("value") == "5"
    for language, new_name in (("fi", "Kaupunginkirjasto"), ("en", "City library")):
        field = manager.find_element(By.ID, f"edit-name-{language}")
        field.clear()
        field.send_keys(new_name)
    minutes = manager.find_element(By.ID, "edit-service-time")
    minutes.clear()
    minutes.send_keys("7")
    manager.find_element(By.CSS_SELECTOR, "form.service-form button[type=submit]").click()
    saved(manager)
    assert manager.find_element(By.ID, "edit-service-time").get_attribute("value") == "7"
    assert "City library" in manager.find_element(By.CSS_SELECTOR, 'tr[data-service="library"] th').text

    # the kiosk, without a reload: its tile is renamed in place
    wait(
        kiosk,
        lambda: kiosk.find_element(By.CSS_SELECTOR, name).text == renamed[shown],
        "the kiosk still shows the old name",
        timeout=KIOSK_REFRESH_S,
    )
    assert kiosk.execute_script("return performance.getEntriesByType('navigation').length") == 1


def test_a_centre_exception_added_on_the_page_shows_in_the_calendar(site: Site, new_driver: Callable[..., Any]) -> None:
    manager = new_driver(1440, 900)
    log_in(manager, site, MANAGER, "/admin/services")
    wait(manager, lambda: manager.find_element(By.ID, "cal-day"), "no calendar form")
    day = manager.execute_script(  # in 20 days: inside the two months the calendar shows
        "var d = new Date(document.getElementById('cal-day').value + 'T12:00:00');"
        "d.setDate(d.getDate() + 20); var day = d.toISOString().slice(0, 10);"
        "document.getElementById('cal-day').value = day; return day;"
    )
    manager.find_element(By.ID, "cal-hours").send_keys("10:00-14:00")
    manager.find_element(By.CSS_SELECTOR, "form.cal-add button[type=submit]").click()
    saved(manager)
    cell = f'td[data-day="{day}"]'
    assert "The whole centre: 10:00-14:00" in manager.find_element(By.CSS_SELECTOR, cell).text
    assert manager.current_url.endswith("#calendar")

    manager.find_element(By.CSS_SELECTOR, f"{cell} form.cal-remove button").click()
    saved(manager)
    assert not manager.find_elements(By.CSS_SELECTOR, f"{cell} .cal-mark")
