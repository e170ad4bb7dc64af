"""Scale-out settings: ``redis:`` as another name for ``redis_url:``, and the Socket.IO channel per centre."""

from __future__ import annotations

import copy

import pytest

from queue_server.config import ConfigError, build_config
from tests.conftest import BASE_CONFIG


def test_redis_is_another_name_for_redis_url() -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["redis"] = "redis://127.0.0.1:6379/3"
    assert build_config(data, environ={}).redis_url == "redis://127.0.0.1:6379/3"
    assert build_config(copy.deepcopy(BASE_CONFIG), environ={}).redis_url is None  # one process, no Redis


def test_redis_and_redis_url_together_are_refused() -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["redis"] = data["redis_url"] = "redis://127.0.0.1:6379/3"
    with pytest.raises(ConfigError, match="redis: give redis_url or redis, not both"):
        build_config(data, environ={})


def test_the_environment_overrides_the_redis_url_and_the_channel() -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["redis"] = "redis://from-the-file:6379/0"
    cfg = build_config(
        data, environ={"VUORO_REDIS_URL": "redis://127.0.0.1:6379/9", "VUORO_SOCKETIO_CHANNEL": "centre-2"}
    )
    assert (cfg.redis_url, cfg.socketio_channel) == ("redis://127.0.0.1:6379/9", "centre-2")
    assert build_config(copy.deepcopy(BASE_CONFIG), environ={}).socketio_channel == "vuoro-socketio"


def test_a_channel_name_with_spaces_is_refused() -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["socketio_channel"] = "two words"
    with pytest.raises(ConfigError, match="socketio_channel"):
        build_config(data, environ={})
