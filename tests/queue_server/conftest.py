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


#: the city's accounts at the test provider: a clerk limited to desk d1, a supervisor, someone Vuoro has no role for
OIDC_ACCOUNTS: dict[str, dict[str, Any]] = {
    "aino": {"name": "Aino Clerk", "vuoro_roles": ["vuoro-clerk"], "vuoro_desks": ["d1"]},
    "ville": {"name": "Ville Super", "vuoro_roles": ["vuoro-clerk", "vuoro-supervisor"]},
    "outsider": {"name": "Olli Outsider", "vuoro_roles": ["library-staff"]},
}


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A real OpenID provider (oidc-provider on Node.js) on loopback, registered for the test config's
    ``public_url``; its accounts are restored after each test that changes them (``oidc``)."""
    require_provider()
    public = BASE_CONFIG["public_url"]
    with OidcProvider(tmp_path_factory.mktemp("oidc"), redirect_uris=[f"{public}/login/oidc/callback"],
                      post_logout_redirect_uris=[f"{public}/login/oidc/logged-out"],
                      accounts=copy.deepcopy(OIDC_ACCOUNTS)) as provider:
        yield provider


@pytest.fixture
def oidc(oidc_provider: OidcProvider) -> Iterator[OidcProvider]:
    """The provider with its accounts as given and no tampering, for one test."""
    yield oidc_provider
    if oidc_provider.accounts != OIDC_ACCOUNTS or not oidc_provider.running:
        oidc_provider.accounts = copy.deepcopy(OIDC_ACCOUNTS)
        oidc_provider.restart()
    oidc_provider.tamper(None)


def oidc_section(provider: OidcProvider, **more: Any) -> dict[str, Any]:
    """``auth:`` for a config that signs staff in at ``provider``."""
    return {"oidc": {"issuer": provider.issuer, "client_id": provider.client_id,
                     "client_secret": provider.client_secret, "name": "Espoo-tunnus",
                     "role_claim": "vuoro_roles", "desks_claim": "vuoro_desks",
                     "roles": {"vuoro-clerk": "clerk", "vuoro-supervisor": "supervisor", "vuoro-admin": "admin"}},
            **more}


@pytest.fixture
def oidc_app(oidc: OidcProvider, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    """An app whose staff sign in at the test provider (local accounts too)."""
    return make_app({**copy.deepcopy(config_data), "auth": oidc_section(oidc)})
