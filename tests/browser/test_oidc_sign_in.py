"""A clerk signs in with the city's account in Chromium: Vuoro's log-in page, the provider's form (a real
oidc-provider on Node.js), back to the desk page under the provider's name for the clerk; log-out ends both
sessions, so the next sign-in asks for the password at the provider again."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, free_port
from tests.oidc_provider import (
    LOGIN_FIELD,
    LOGOUT_BUTTON,
    PASSWORD_FIELD,
    SIGN_IN_BUTTON,
    OidcProvider,
    require_provider,
)
from tests.queue_server.oidc_helpers import OIDC_ACCOUNTS, oidc_section

from .conftest import Site, browser_config
from .test_pages_in_browser import console_problems, find, screenshot, set_viewport, shown, text_of, wait

pytestmark = pytest.mark.browser

SLOW = 10.0


@pytest.fixture(scope="module")
def provider_and_site(
    chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[OidcProvider, Site]]:
    require_provider()
    tmp = tmp_path_factory.mktemp("oidc-site")
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with OidcProvider(
        tmp,
        redirect_uris=[f"{public}/login/oidc/callback"],
        post_logout_redirect_uris=[f"{public}/login/oidc/logged-out"],
        accounts=copy.deepcopy(OIDC_ACCOUNTS),
    ) as provider:
        config = browser_config(tmp)
        config["auth"] = oidc_section(provider)
        server = LiveServer(config, tmp, port=port).start()
        try:
            yield provider, Site(server, {}, "")
        finally:
            server.stop()


@pytest.fixture(scope="module")
def site(provider_and_site: tuple[OidcProvider, Site]) -> Site:
    return provider_and_site[1]


@pytest.fixture(scope="module")
def provider(provider_and_site: tuple[OidcProvider, Site]) -> OidcProvider:
    return provider_and_site[0]


def at_provider_form(driver: Any, provider: OidcProvider) -> None:
    wait(
        driver,
        lambda d: d.current_url.startswith(provider.issuer) and shown(d, LOGIN_FIELD),
        SLOW,
        "the provider's log-in form did not come",
    )


def test_a_clerk_signs_in_with_the_city_account_and_logs_out_of_both(
    site: Site, provider: OidcProvider, new_driver: Callable[..., Any], artifacts: Path
) -> None:
    driver = new_driver(1440, 900)
    set_viewport(driver, 1440, 900)
    driver.get(f"{site.url}/login?next=/desk&lang=en")
    button = find(driver, "#oidc-login")
    assert button.text == "Sign in with Espoo-tunnus"
    button.click()
    at_provider_form(driver, provider)
    find(driver, LOGIN_FIELD).send_keys("aino")
    find(driver, PASSWORD_FIELD).send_keys("whatever-the-city-checks")
    find(driver, SIGN_IN_BUTTON).click()
    wait(driver, lambda d: d.current_url == f"{site.url}/desk", SLOW, "the clerk did not reach the desk page")
    wait(driver, lambda d: "Aino Clerk" in text_of(d, ".topbar-user"), SLOW, "the desk page does not name the clerk")
    screenshot(driver, artifacts, "oidc-desk.png")
    assert provider.state()["sessions"] >= 1

    find(driver, ".topbar form.inline-form button[type=submit]").click()  # "Log out"
    wait(
        driver,
        lambda d: d.current_url.startswith(f"{provider.issuer}/session/end") and shown(d, LOGOUT_BUTTON),
        SLOW,
        "the provider's log-out was not asked",
    )
    find(driver, LOGOUT_BUTTON).click()
    wait(driver, lambda d: d.current_url == f"{site.url}/login?bye=1", SLOW, "not back at Vuoro's log-in page")
    assert shown(driver, ".notice-ok"), "the log-in page says the clerk logged out"
    assert provider.state()["sessions"] == 0, "the provider's session ended"

    driver.get(f"{site.url}/desk")
    wait(driver, lambda d: "/login" in d.current_url, SLOW, "the Vuoro session should be gone")
    find(driver, "#oidc-login").click()
    at_provider_form(driver, provider)  # no session at the provider: it asks again
    assert console_problems(driver, allow="favicon") == []


def test_a_user_without_a_vuoro_role_is_told_so(
    site: Site, provider: OidcProvider, new_driver: Callable[..., Any]
) -> None:
    driver = new_driver(1280, 800)
    driver.get(f"{site.url}/login?lang=en")
    find(driver, "#oidc-login").click()
    at_provider_form(driver, provider)
    find(driver, LOGIN_FIELD).send_keys("outsider")
    find(driver, PASSWORD_FIELD).send_keys("x")
    find(driver, SIGN_IN_BUTTON).click()
    wait(driver, lambda d: shown(d, "#login-error"), SLOW, "no refusal on the page")
    assert "no role in Vuoro" in text_of(driver, "#login-error")
    driver.get(f"{site.url}/desk")
    wait(driver, lambda d: "/login" in d.current_url, SLOW, "the refused user must not reach the desk page")
