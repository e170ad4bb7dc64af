"""Browser tests: Debian's chromium through chromedriver against a real ``vuoro serve`` process.

Nothing is downloaded: the browser and the driver are the Debian packages (``apt-get install chromium
chromium-driver``).  Without them the tests skip, except with ``VUORO_REQUIRE_SERVICES=1`` (CI), where they fail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from queue_server.db import Database
from queue_server.services.accounts import add_user, create_token
from tests import chromium
from tests.conftest import BASE_CONFIG, ROOT
from tests.live_server import LiveServer

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ARTIFACTS = ROOT / "tests" / "artifacts"
CLERK = ("clerk1", "clerk-password-1")


@dataclass
class Site:
    """The running server and what the tests log in with."""

    server: LiveServer
    kiosk_tokens: dict[str, str]
    desk_token: str
    clerk: tuple[str, str] = CLERK
    drivers: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url


def browser_config(tmp: Path) -> dict[str, Any]:
    """The shared test centre (always open), with kiosk printers that succeed (k1) and fail (k2)."""
    data = copy.deepcopy(BASE_CONFIG)
    data["database_url"] = f"sqlite:///{tmp / 'vuoro.db'}"
    # nine services as in the real centre, so the kiosk's tiles are laid out at their real count
    data["services"] += [
        {
            "key": "youth",
            "prefix": "N",
            "name": {"fi": "Nuorisopalvelut", "sv": "Ungdomstjänster", "en": "Youth services"},
        },
        {
            "key": "kohtaamo",
            "prefix": "C",
            "name": {
                "fi": "Kohtaamo – kulttuurin kohtaamispaikka",
                "sv": "Kohtaamo – kulturell mötesplats",
                "en": "Kohtaamo culture meeting place",
            },
        },
        {
            "key": "maternity",
            "prefix": "H",
            "name": {
                "fi": "Äitiys- ja lastenneuvola",
                "sv": "Mödra- och barnrådgivning",
                "en": "Maternity and child health clinic",
            },
        },
        {
            "key": "lab",
            "prefix": "H",
            "name": {
                "fi": "Laboratorio ja kuvantaminen",
                "sv": "Laboratorium och bilddiagnostik",
                "en": "Laboratory and imaging",
            },
        },
        # open one minute a day: closed whenever the tests run (see closed_now below)
        {
            "key": "service_point",
            "prefix": "P",
            "hours": dict.fromkeys(WEEKDAYS, "00:00-00:01"),
            "name": {"fi": "Asiointipiste", "sv": "Servicepunkt", "en": "Public service point"},
        },
    ]
    data["desks"].append({"key": "y1", "label": "Desk 7", "services": ["youth", "kohtaamo"], "zone": "z1"})
    data["printers"] = [{"key": "fake", "type": "fake"}, {"key": "broken", "type": "fake", "fail": "offline"}]
    data["kiosks"] = [
        {"key": "k1", "zone": "z1", "printer": "fake"},
        {"key": "k2", "zone": "z2", "printer": "broken", "language": "en"},
    ]
    data["zones"][1]["chime"] = True
    return data


def closed_now() -> bool:
    """Whether the one-minute service is closed now (always, except 00:00-00:01 in Helsinki)."""
    now = datetime.now(ZoneInfo("Europe/Helsinki"))
    return not (now.hour == 0 and now.minute == 0)


@pytest.fixture(scope="session")
def chromium_paths() -> tuple[str, str]:
    return chromium.chromium_paths()


def serve_site(
    config: dict[str, Any], tmp: Path, users: dict[str, tuple[str, str]], kiosks: tuple[str, ...], desk_name: str
) -> Iterator[Site]:
    """Prepare the database (accounts by role, kiosk and desk tokens), run a live server, stop it afterwards."""
    db = Database(config["database_url"])
    db.upgrade()
    for role, (name, password) in users.items():
        add_user(db, name, password, role)
    tokens = {key: create_token(db, "kiosk", key) for key in kiosks}
    desk_token = create_token(db, "desk", desk_name)
    db.dispose()
    server = LiveServer(config, tmp).start()
    try:
        yield Site(server, tokens, desk_token)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser-site")
    yield from serve_site(browser_config(tmp), tmp, {"clerk": CLERK}, ("k1", "k2"), "browser-tests")


@pytest.fixture(scope="module")
def new_driver(site: Site, chromium_paths: tuple[str, str]) -> Callable[..., Any]:
    """Start a headless Chromium with its own fresh profile (cookies, localStorage)."""

    def make(width: int = 1920, height: int = 1080, flags: tuple[str, ...] = ()) -> Any:
        driver = chromium.start_chromium(chromium_paths, width, height, flags)
        site.drivers.append(driver)
        return driver

    yield make
    for driver in site.drivers:
        chromium.quit_chromium(driver)
    site.drivers.clear()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
