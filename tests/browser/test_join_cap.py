"""The poster's daily cap in Chromium: once a service has given its ``remote_daily_limit`` numbers by phone, the
next visitor is told plainly, by name, to take one at the kiosk, and the service greys out on the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from queue_server.i18n.catalogue import text

from .conftest import Site, browser_config, serve_site
from .test_pages_in_browser import find, find_all, set_viewport, shown, text_of, wait
from .test_phone_page import call_api

pytestmark = pytest.mark.browser

SLOW = 10.0


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("join-cap-site")
    config = browser_config(tmp)
    library = next(s for s in config["services"] if s["key"] == "library")
    library.update(remote=True, remote_daily_limit=1)
    yield from serve_site(config, tmp, {}, ("k1",), "join-cap-tests")


def take(phone: Any, site: Site) -> None:
    phone.delete_all_cookies()  # another visitor, another browser
    phone.get(f"{site.url}/join/k1?lang=en")
    wait(phone, lambda d: find_all(d, '#service-list [data-service="library"]'), SLOW, "no services to choose")
    find(phone, '#service-list [data-service="library"]').click()
    find(phone, "#join-button").click()


def test_the_second_phone_is_told_the_cap_is_reached_and_the_kiosk_still_gives_numbers(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    phone = new_driver(390, 844)
    set_viewport(phone, 390, 844)
    take(phone, site)
    wait(phone, lambda d: "/t/" in d.current_url, SLOW, "the first phone got no number")
    take(phone, site)
    wait(phone, lambda d: shown(d, "#join-error"), SLOW, "no message for the cap")
    name = next(
        s["name"] for s in call_api(site, "GET", "/api/services?language=en", "")["services"] if s["key"] == "library"
    )
    assert text_of(phone, "#join-error") == text("join.error_remote_full", "en", service=name)
    assert "/join/k1" in phone.current_url
    wait(
        phone,
        lambda d: text("join.remote_full", "en") in text_of(d, '#service-list [data-service="library"]'),
        SLOW,
        "the service did not grey out",
    )
    kiosk = call_api(site, "POST", "/api/tickets", site.kiosk_tokens["k1"], {"services": ["library"], "kiosk": "k1"})
    assert kiosk["ticket"]["number"].startswith("L")  # the cap is the phones' only
