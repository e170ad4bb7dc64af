"""'I am here' in Chromium: a number taken from the QR poster for a service that asks remote visitors to confirm
keeps its place but is passed over by the desk until the visitor taps "I am here" on the phone page."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from queue_server.i18n.catalogue import text

from .conftest import Site, browser_config, serve_site
from .test_admin_accessibility import run_axe
from .test_pages_in_browser import find, set_viewport, shown, text_of, wait
from .test_phone_page import call_api

pytestmark = pytest.mark.browser

SLOW = 10.0


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("here-site")
    config = browser_config(tmp)
    library = next(s for s in config["services"] if s["key"] == "library")
    library.update(remote=True, remote_confirm=True)
    yield from serve_site(config, tmp, {}, ("k1",), "here-tests")


def join(site: Site) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{site.url}/api/join/k1",
        method="POST",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"services": ["library"], "language": "en"}).encode(),
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the test's own server
        return json.loads(resp.read())["ticket"]  # type: ignore[no-any-return]


def test_a_remote_visitor_taps_i_am_here_and_is_called_from_the_place_they_kept(
    site: Site, new_driver: Callable[..., Any]
) -> None:
    remote = join(site)
    walk_in = call_api(site, "POST", "/api/tickets", site.kiosk_tokens["k1"], {"services": ["library"], "kiosk": "k1"})[
        "ticket"
    ]
    phone = new_driver(390, 844)
    set_viewport(phone, 390, 844)
    phone.get(f"{site.url}/t/{remote['token']}?lang=en")
    wait(phone, lambda d: shown(d, "#here"), SLOW, "no 'I am here' for a remote ticket")
    assert text_of(phone, "#here-note") == text("phone.here_note", "en")
    assert [v["id"] for v in run_axe(phone) if v.get("impact") in ("serious", "critical")] == []
    desk = site.desk_token
    call_api(site, "POST", "/api/desks/d3/status", desk, {"status": "open"})
    first = call_api(site, "POST", "/api/desks/d3/next", desk)["ticket"]
    assert first["number"] == walk_in["number"]  # the remote visitor is not here yet: passed over
    call_api(site, "POST", "/api/desks/d3/finish", desk)
    find(phone, "#here-button").click()
    wait(phone, lambda d: not shown(d, "#here"), SLOW, "the page still asks after the tap")
    assert call_api(site, "GET", f"/api/tickets/{remote['token']}", "")["ticket"]["arrived"] is True
    second = call_api(site, "POST", "/api/desks/d3/next", desk)["ticket"]
    assert second["number"] == remote["number"]
    wait(phone, lambda d: shown(d, "#phone-called"), SLOW, "the phone did not follow the call")
