"""Hostile text in the config is shown as text, never run: a centre, services, locations, a zone and a desk
named with HTML/script payloads, opened in a real browser on the kiosk, desk page, board, phone page and admin
dashboard.  Each page must show the payload literally, hold no ``<img src=x>``, fire no alert and leave
``window.__xss`` unset.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASE_CONFIG

from .conftest import CLERK, Site, serve_site
from .test_pages_in_browser import find, wait

pytestmark = pytest.mark.browser

IMG_ALERT = "<img src=x onerror=alert(1)>"
SCRIPT_ALERT = '"><script>alert(1)</script>'
IMG_FLAG = "<img src=x onerror=window.__xss=1>"
SCRIPT_FLAG = '"><script>window.__xss=2</script>'
PAYLOADS = (IMG_ALERT, SCRIPT_ALERT, IMG_FLAG, SCRIPT_FLAG)
ADMIN = ("admin1", "admin-password-1")


def everywhere(text: str) -> dict[str, str]:
    return {"fi": text, "sv": text, "en": text}


def hostile_config(tmp: Path) -> dict[str, Any]:
    data = copy.deepcopy(BASE_CONFIG)
    data["database_url"] = f"sqlite:///{tmp / 'vuoro.db'}"
    data["centre"]["name"] = everywhere(f"Keskus {IMG_FLAG}")
    kela, library = data["services"][0], data["services"][1]
    kela["name"], kela["location"] = everywhere(IMG_ALERT), everywhere(SCRIPT_ALERT)
    library["name"], library["location"] = everywhere(SCRIPT_FLAG), everywhere(IMG_FLAG)
    data["zones"][1]["name"] = everywhere(IMG_FLAG)
    d1 = data["desks"][0]
    d1["label"], d1["location"] = everywhere(IMG_ALERT), everywhere(SCRIPT_FLAG)
    return data


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Overrides the shared site: the same harness on the hostile config."""
    tmp = tmp_path_factory.mktemp("xss-site")
    yield from serve_site(hostile_config(tmp), tmp, {"clerk": CLERK, "admin": ADMIN}, ("k1",), "xss-tests")


def log_in(driver: Any, site: Site, user: tuple[str, str], target: str) -> None:
    driver.get(f"{site.url}/login?next={target}")
    find(driver, "#username").send_keys(user[0])
    find(driver, "#password").send_keys(user[1])
    find(driver, "form.form button[type=submit]").click()
    wait(driver, lambda d: target in d.current_url)


def assert_inert(driver: Any, page: str, expected: tuple[str, ...]) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    def shown(d: Any) -> bool:
        text = d.execute_script("return document.body.innerText") or ""
        return all(p in text for p in expected)

    wait(driver, shown, message=f"{page}: the payloads are not shown as text")
    content = driver.execute_script("return document.documentElement.textContent")
    for payload in expected:
        assert payload in content, (page, payload)
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert is open
    assert driver.execute_script("return window.__xss") is None, page
    images = driver.execute_script(
        "return Array.from(document.querySelectorAll('img,[onerror]')).map(e => e.outerHTML)"
    )
    assert not [i for i in images if "onerror" in i or 'src="x"' in i], (page, images)
    scripts = driver.execute_script(
        "return Array.from(document.querySelectorAll('script')).map(s => s.src ? '' : s.textContent)"
    )
    assert not [s for s in scripts if "alert(" in s or "__xss" in s], (page, scripts)


def test_hostile_names_show_as_text_on_every_page(site: Site, new_driver: Any) -> None:
    import requests

    kiosk_auth = {"Authorization": f"Bearer {site.kiosk_tokens['k1']}"}
    desk_auth = {"Authorization": f"Bearer {site.desk_token}"}
    tickets = []
    for _ in range(2):
        resp = requests.post(
            f"{site.url}/api/tickets", json={"services": ["kela"], "kiosk": "k1"}, headers=kiosk_auth, timeout=10
        )
        assert resp.status_code == 201, resp.text
        tickets.append(resp.json()["ticket"]["token"])
    assert requests.post(f"{site.url}/api/desks/d1/next", headers=desk_auth, timeout=10).status_code == 200

    driver = new_driver(1366, 900)
    driver.get(f"{site.url}/kiosk/k1#token={site.kiosk_tokens['k1']}")
    assert_inert(driver, "kiosk", (IMG_ALERT, SCRIPT_FLAG))

    driver.get(f"{site.url}/board/z2")
    assert_inert(driver, "board", (IMG_ALERT,))

    driver.get(f"{site.url}/t/{tickets[0]}")  # called to d1
    assert_inert(driver, "phone (called)", (IMG_ALERT,))
    driver.get(f"{site.url}/t/{tickets[1]}")  # waiting for kela
    assert_inert(driver, "phone (waiting)", (IMG_ALERT, SCRIPT_ALERT))

    log_in(driver, site, CLERK, "/desk")
    driver.get(f"{site.url}/desk?desk=d1")
    assert_inert(driver, "desk", (IMG_ALERT,))

    admin = new_driver(1366, 900)
    log_in(admin, site, ADMIN, "/admin")
    assert_inert(admin, "dashboard", (IMG_ALERT, IMG_FLAG))
