"""Debian's chromium through Debian's chromedriver, headless, each with a fresh profile: nothing downloaded."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from tests.conftest import service_unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_paths() -> tuple[str, str]:
    """The browser and the driver; skip without them (on a developer machine) or fail (in CI)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) and os.access(path, os.X_OK)):
            service_unavailable("Chromium", FileNotFoundError(f"{path} (apt-get install chromium chromium-driver)"))
    return CHROMIUM, CHROMEDRIVER


#: a camera that shows Chromium's test pattern, granted without asking
FAKE_CAMERA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


def start_chromium(paths: tuple[str, str], width: int = 1920, height: int = 1080, flags: tuple[str, ...] = ()) -> Any:
    """A headless Chromium with its own fresh profile (cookies, localStorage); ``quit_chromium`` ends it.
    ``flags`` adds command-line switches (a fake camera: ``FAKE_CAMERA``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    profile = tempfile.mkdtemp(prefix="vuoro-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--lang=fi-FI",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        *flags,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(paths[1]))
    driver.set_page_load_timeout(20)
    driver.vuoro_profile = profile
    return driver


def quit_chromium(driver: Any) -> None:
    driver.quit()
    shutil.rmtree(driver.vuoro_profile, ignore_errors=True)
