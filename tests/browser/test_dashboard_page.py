"""The admin dashboard in Chromium (1440×900), in Finnish and English: a management page like the others (the
navigation, log-out), every text in the chosen language (also what its script writes from the live namespace
and the statistics), today's appointments of the one service that takes them, nothing wider than the window,
and no serious or critical axe-core violation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from selenium.webdriver.common.by import By

from queue_server.i18n.catalogue import text
from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_admin_accessibility import run_axe
from tests.browser.test_admin_pages import MANAGER, log_in, wait
from tests.browser.test_phone_page import call_api

pytestmark = pytest.mark.browser

#: English the page wrote by hand before its texts came from the catalogue
ENGLISH_ONLY = (
    "Visits today",
    "not live",
    "Longest wait",
    "Estimate for a new ticket",
    "Desks open",
    "No printers configured",
    "Statistics",
    "Arrivals per hour",
    "Today's appointments",
    "Late now",
)
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("dashboard-site")
    config = browser_config(tmp)
    next(s for s in config["services"] if s["key"] == "kela")["appointments"] = {"slot_minutes": 15, "per_slot": 2}
    yield from serve_site(config, tmp, {"admin": MANAGER}, ("k1", "k2"), "dashboard-tests")


@pytest.fixture(scope="module")
def waiting(site: Site) -> None:
    """A ticket in the queue, so the services table has a wait to show."""
    resp = requests.post(
        f"{site.url}/api/tickets",
        json={"services": ["kela"], "kiosk": "k1"},
        headers={"Authorization": f"Bearer {site.kiosk_tokens['k1']}"},
        timeout=10,
    )
    assert resp.status_code == 201, resp.text


@pytest.fixture(scope="module")
def booked_today(site: Site) -> int:
    """Kela's next slot booked (around the clock, every 15 minutes): 1 booked today, 0 if that is tomorrow."""
    now = datetime.now(UTC)
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)
    resp = requests.post(f"{site.url}/api/bookings", json={"service": "kela", "start": start.isoformat()}, timeout=10)
    assert resp.status_code == 201, resp.text
    return int(start.astimezone(HELSINKI).date() == now.astimezone(HELSINKI).date())


def cells(driver: Any, selector: str) -> list[str]:
    return [c.text for c in driver.find_elements(By.CSS_SELECTOR, selector)]


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_dashboard_is_a_management_page_in_the_chosen_language(
    site: Site, new_driver: Callable[..., Any], waiting: None, booked_today: int, language: str, artifacts: Path
) -> None:
    driver = new_driver(1440, 900)
    driver.set_script_timeout(30)
    log_in(driver, site, MANAGER, "/admin")
    wait(driver, lambda: driver.find_element(By.ID, "visits-today"), "the dashboard did not load")
    driver.get(f"{site.url}/admin?lang={language}")

    def say(key: str) -> str:
        return text(key, language)

    # live: the namespace answered and the script rewrote the tables; the statistics came too
    wait(driver, lambda: "live-on" in driver.find_element(By.ID, "live").get_attribute("class"), "not live")
    wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "#stats-summary tbody tr.total"), "no statistics")
    assert driver.find_element(By.ID, "live").text == say("dashboard.live")
    assert driver.find_element(By.CSS_SELECTOR, "#stats-summary tr.total td").text == say("dashboard.all")
    assert driver.execute_script(  # the charts were drawn: renderStats ran to its end
        "return ['chart-arrivals', 'chart-waits', 'chart-days'].every(function (id) {"
        " return !!window.Chart.getChart(id); })"
    )
    legend = driver.execute_script("return Chart.getChart('chart-days').data.datasets.map(d => d.label)")
    assert legend == [say("report.visits"), say("report.served")]

    # the management pages' header and navigation, the dashboard marked as the current page, log-out
    current = driver.find_element(By.CSS_SELECTOR, "nav.manage-nav a[aria-current=page]")
    assert current.text == say("manage.dashboard") and current.get_attribute("href").endswith("/admin/")
    assert len(driver.find_elements(By.CSS_SELECTOR, "nav.manage-nav a")) >= 8
    logout = driver.find_element(By.CSS_SELECTOR, "nav.manage-nav form.manage-logout button")
    assert logout.text.startswith(say("login.logout")) and driver.find_element(By.CSS_SELECTOR, "header.topbar")
    assert driver.find_element(By.TAG_NAME, "h1").text == say("manage.dashboard")

    # the texts, the ones the script wrote included
    assert driver.find_element(By.ID, "h-services").text == say("dashboard.services")
    assert say("dashboard.visits_today") in driver.find_element(By.CSS_SELECTOR, "p.visits").text
    states = {say(f"desk.status.{s}") for s in ("open", "paused", "closed")}
    assert set(cells(driver, "#desks tbody tr td:nth-child(2)")) <= states
    kela = driver.find_element(By.CSS_SELECTOR, '#services tr[data-key="kela"]').find_elements(By.TAG_NAME, "td")
    assert kela[2].text == "1" and kela[4].text == say("wait.no_desk_open")
    assert kela[5].text == "15 min" and kela[1].text == say("manage.yes")
    # today's appointments: Kela's only (the others take none), named by the script as in the services table
    assert driver.find_element(By.ID, "h-appointments").text == say("dashboard.appointments")
    assert cells(driver, "#appointments th") == [
        say(k)
        for k in ("manage.service", "dashboard.booked", "dashboard.checked_in", "dashboard.late", "report.no_shows")
    ]
    assert cells(driver, "#appointments tbody td") == [kela[0].text, str(booked_today), "0", "0", "0"]
    assert set(cells(driver, "#printers tbody td:nth-child(4)")) <= {
        say(f"layout.state.{s}") for s in ("online", "offline", "paper_near_end", "paper_out", "unknown")
    }
    page = driver.find_element(By.TAG_NAME, "body").text
    if language != "en":
        assert not [e for e in ENGLISH_ONLY if e in page]
    assert driver.find_element(By.ID, "dl-pdf").get_attribute("href").endswith(f"language={language}")

    # nothing wider than the window; a table is no wider than its box
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    too_wide = driver.execute_script(
        "return Array.from(document.querySelectorAll('table')).filter("
        " function (t) { return t.getBoundingClientRect().right > document.documentElement.clientWidth + 1; })"
        ".map(function (t) { return t.id; })"
    )
    assert too_wide == []

    driver.save_screenshot(str(artifacts / f"admin-dashboard-{language}.png"))
    bad = [v for v in run_axe(driver) if v.get("impact") in ("serious", "critical")]
    assert not bad, json.dumps(
        [(v["id"], v["help"], [n.get("target") for n in v["nodes"][:5]]) for v in bad], indent=1, ensure_ascii=False
    )


def test_the_statistics_show_walk_ins_and_appointments_apart_once_an_appointment_was_called(
    site: Site, new_driver: Callable[..., Any], waiting: None
) -> None:
    now = datetime.now(UTC)
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)
    if start.astimezone(HELSINKI).date() != now.astimezone(HELSINKI).date():
        pytest.skip("the next slot is tomorrow's: today's statistics would hold no appointment")
    booked = requests.post(f"{site.url}/api/bookings", json={"service": "kela", "start": start.isoformat()}, timeout=10)
    assert booked.status_code == 201, booked.text
    call_api(
        site,
        "POST",
        "/api/tickets",
        site.kiosk_tokens["k2"],
        {"appointment": booked.json()["appointment"]["code"], "kiosk": "k2"},
    )
    call_api(site, "POST", "/api/desks/d1/status", site.desk_token, {"status": "open"})
    for _ in range(5):  # the walk-ins waiting first, then the appointment (early: nobody else waits)
        number = call_api(site, "POST", "/api/desks/d1/next", site.desk_token)["ticket"]["number"]
        call_api(site, "POST", "/api/desks/d1/finish", site.desk_token)
        if number.startswith("A"):
            break
    assert number.startswith("A"), "the appointment was never called"
    driver = new_driver(1440, 900)
    log_in(driver, site, MANAGER, "/admin")
    driver.get(f"{site.url}/admin?lang=en")
    wait(
        driver,
        lambda: driver.find_elements(By.CSS_SELECTOR, '#stats-kinds tr[data-kind="appointment"]'),
        "no walk-ins and appointments table",
    )
    assert driver.find_element(By.ID, "h-stats-kinds").text == text("report.by_kind", "en")
    rows = {
        tr.get_attribute("data-kind"): [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "#stats-kinds tbody tr")
    }
    assert rows["appointment"][:3] == [text("report.appointments", "en"), "1", "1"]
    assert rows["walk_in"][0] == text("report.walk_ins", "en") and rows["walk_in"][5] == "–"
    assert rows["appointment"][5].startswith("-")  # called before its time (nobody else waited): negative
