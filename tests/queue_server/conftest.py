"""Fixtures for the queue-engine tests: an API driver that checks every answer against the OpenAPI document."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.services.context import RecordingNotifier
from tests.conftest import BASE_CONFIG, FakeClock
from tests.oidc_provider import OidcProvider, require_provider
from tests.queue_server.helpers import Api, Centre, OpenApi
from tests.queue_server.oidc_helpers import OIDC_ACCOUNTS, oidc_section


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return OpenApi()


@pytest.fixture
def api(client: FlaskClient, openapi: OpenApi) -> Api:
    """An anonymous API client; pass ``headers=`` per request for credentials."""
    return Api(client, openapi)


@pytest.fixture
def make_app(clock: FakeClock, notifier: RecordingNotifier) -> Iterator[Callable[[dict[str, Any]], Flask]]:
    """Build another app from a changed config (opening hours, limits, ratio) on the shared clock."""
    apps: list[Flask] = []

    def make(data: dict[str, Any]) -> Flask:
        application = create_app(data, notifier=notifier, clock=clock)
        application.config["TESTING"] = True
        application.config["WTF_CSRF_ENABLED"] = False
        application.extensions["vuoro"].clock = clock
        apps.append(application)
        return application

    yield make
    for application in apps:
        shutdown(application)


@pytest.fixture
def centre(api: Api, kiosk_auth: dict[str, str], desk_auth: dict[str, str], clock: FakeClock) -> Centre:
    return Centre(api, kiosk_auth, desk_auth, clock)


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A real OpenID provider (oidc-provider on Node.js) on loopback, registered for the test config's
    ``public_url``; its accounts are restored after each test that changes them (``oidc``)."""
    require_provider()
    public = BASE_CONFIG["public_url"]
    with OidcProvider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[f"{public}/login/oidc/callback"],
        post_logout_redirect_uris=[f"{public}/login/oidc/logged-out"],
        accounts=copy.deepcopy(OIDC_ACCOUNTS),
    ) as provider:
        yield provider


@pytest.fixture
def oidc(oidc_provider: OidcProvider) -> Iterator[OidcProvider]:
    """The provider with its accounts as given and no tampering, for one test."""
    yield oidc_provider
    if oidc_provider.accounts != OIDC_ACCOUNTS or not oidc_provider.running:
        oidc_provider.accounts = copy.deepcopy(OIDC_ACCOUNTS)
        oidc_provider.restart()
    oidc_provider.tamper(None)


@pytest.fixture
def oidc_app(oidc: OidcProvider, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    """An app whose staff sign in at the test provider (local accounts too)."""
    return make_app({**copy.deepcopy(config_data), "auth": oidc_section(oidc)})
