"""A kiosk enrolled by a pairing code in Chromium, then revoked: it falls back to its unenrolled screen.

The admin's side goes through the API (the admin pages that will offer it are still to come, issue 13).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
import yaml

from queue_server.db import Database
from queue_server.services.accounts import create_token
from tests.browser.conftest import Site

WAIT_S = 15.0


def wait(driver: Any, script: str, message: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(message)


def admin_token(site: Site) -> str:
    config = yaml.safe_load(site.server.config_path.read_text(encoding="utf-8"))
    db = Database(config["database_url"])
    try:
        return create_token(db, "admin", "manager")
    finally:
        db.dispose()


def test_a_kiosk_enrols_by_pairing_code_and_falls_back_when_revoked(site: Site, new_driver: Callable[..., Any]) -> None:
    driver = new_driver(1080, 1920)
    driver.get(f"{site.url}/kiosk/k2")
    wait(driver, "return document.body.classList.contains('is-unenrolled')", "the kiosk did not say it is unenrolled")
    driver.find_element("id", "pair-start").click()
    code = wait(
        driver,
        "var e = document.getElementById('pair-code'); return e && !e.hidden && e.textContent",
        "no pairing code shown",
    )
    assert len(code) == 6
    assert code in driver.find_element("id", "pair-help").text and "k2" in driver.find_element("id", "pair-help").text
    wait(
        driver,
        "var q = document.getElementById('pair-qr');return q && !q.hidden && q.complete && q.naturalWidth > 0",
        "no QR code beside the pairing code",
    )

    admin = {"Authorization": f"Bearer {admin_token(site)}"}
    paired = requests.post(f"{site.url}/api/devices/pair", json={"code": code, "name": "k2"}, headers=admin, timeout=10)
    assert paired.status_code == 201, paired.text
    wait(
        driver,
        "return !document.body.classList.contains('is-unenrolled') && !document.getElementById('screen-start').hidden",
        "the kiosk did not start after pairing",
    )
    assert driver.execute_script("return !!window.localStorage.length"), "the token is kept by the kiosk"

    revoked = requests.delete(f"{site.url}/api/devices/{paired.json()['device']['id']}", headers=admin, timeout=10)
    assert revoked.status_code == 200
    wait(
        driver,
        "return document.body.classList.contains('is-unenrolled')",
        "the revoked kiosk did not fall back to its unenrolled screen",
    )
