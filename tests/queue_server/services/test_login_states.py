"""The sign-ins under way at the provider: each state is taken once, by one callback, and none outlives its hour
-- decided by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from queue_server.services.context import Context
from queue_server.services.login_states import LoginStates
from tests.conftest import FakeClock


@pytest.fixture
def app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    return make_app(copy.deepcopy(any_db_config))


def test_a_state_is_taken_once(ctx: Context, clock: FakeClock) -> None:
    states = LoginStates(ctx.db, clock)
    states.set("_state_city_abc", '{"data": {"nonce": "n"}}', 3600)
    assert states.get("_state_city_abc") == '{"data": {"nonce": "n"}}'
    assert states.get("_state_city_abc") is None, "a replayed state finds nothing"
    assert states.get("_state_city_other") is None


def test_of_many_callbacks_with_one_state_exactly_one_gets_it(ctx: Context, clock: FakeClock) -> None:
    states = LoginStates(ctx.db, clock)
    states.set("_state_city_race", "v", 3600)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: states.get("_state_city_race"), range(8)))
    assert got.count("v") == 1 and got.count(None) == 7


def test_an_expired_state_is_refused_and_swept_by_the_next_sign_in(ctx: Context, clock: FakeClock) -> None:
    states = LoginStates(ctx.db, clock)
    states.set("_state_city_old", "v", 3600)
    clock.advance(3601)
    assert states.count() == 1
    assert states.get("_state_city_old") is None
    states.set("_state_city_old2", "v", 3600)
    clock.advance(3601)
    states.set("_state_city_new", "v", 3600)
    assert states.count() == 1, "only the new one is kept"


def test_the_key_is_stored_hashed(ctx: Context, clock: FakeClock) -> None:
    LoginStates(ctx.db, clock).set("_state_city_secret-state-value", "v", 60)
    with ctx.db.engine.connect() as conn:
        keys = [row[0] for row in conn.exec_driver_sql("SELECT key FROM login_states")]
    assert keys and all("secret-state-value" not in k for k in keys)
