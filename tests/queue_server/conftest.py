"""Fixtures for the queue-engine tests: an API driver that checks every answer against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.app import create_app, shutdown
from queue_server.services.context import RecordingNotifier
from tests.conftest import FakeClock
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
