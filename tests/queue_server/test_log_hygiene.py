"""The log filters: client addresses scrubbed, floods held back, client mistakes at INFO, credentials hidden."""

from __future__ import annotations

import logging

import pytest

from queue_server.log_hygiene import AddressScrubber, ClientMistakes, CredentialScrubber, RepeatLimiter, filters, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ratelimit 10 per 1 minute (addr:10.1.2.3) exceeded", "ratelimit 10 per 1 minute (addr:<address>) exceeded"),
        ("Invalid request from ip=192.168.1.20: bad", "Invalid request from ip=<address>: bad"),
        ("from 2001:db8::1 and [2001:db8::5]:443", "from <address> and [<address>]:443"),
        ("mapped ::ffff:10.0.0.1", "mapped <address>"),
        ("Listening at: http://127.0.0.1:5001 (7036)", "Listening at: http://127.0.0.1:5001 (7036)"),
        ("K001 called at 10:00:05, version 1.2.3.4.5", "K001 called at 10:00:05, version 1.2.3.4.5"),
    ],
)
def test_client_addresses_are_scrubbed_and_nothing_else(text: str, expected: str) -> None:
    assert scrub(text) == expected


def record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_the_scrubber_rewrites_the_formatted_message() -> None:
    r = record("flask-limiter", logging.INFO, "ratelimit %s (%s) exceeded", "10/minute", "addr:10.9.8.7")
    assert AddressScrubber().filter(r) and r.getMessage() == "ratelimit 10/minute (addr:<address>) exceeded"


def test_the_provider_s_code_and_state_never_reach_a_log_line() -> None:
    line = '"GET /login/oidc/callback?code=Q7xyz-1.2&state=abc123&iss=http%3A%2F%2Fidp HTTP/1.1" 303'
    r = record("gunicorn.access", logging.INFO, "%s", line)
    assert CredentialScrubber().filter(r)
    assert r.getMessage() == '"GET /login/oidc/callback?code=<hidden>&state=<hidden>&iss=http%3A%2F%2Fidp HTTP/1.1" 303'
    assert any(isinstance(f, CredentialScrubber) for f in filters(log_client_addresses=True)), "always on"


def test_words_that_only_look_like_parameters_stay() -> None:
    r = record("queue_server", logging.INFO, "error code=42 in state=open")
    assert CredentialScrubber().filter(r) and r.getMessage() == "error code=42 in state=open"


def test_a_flood_is_held_back_and_counted() -> None:
    now = [0.0]
    limiter = RepeatLimiter(window_s=60, clock=lambda: now[0])
    passed = []
    for i in range(110):  # a second of "Redis is down" lines
        now[0] = i / 110
        r = record("socketio.redis_manager", logging.ERROR, "Cannot receive from redis... retrying in %s secs", 1)
        if limiter.filter(r):
            passed.append(r.getMessage())
    assert passed == ["Cannot receive from redis... retrying in 1 secs"]
    now[0] = 61
    r = record("socketio.redis_manager", logging.ERROR, "Cannot receive from redis... retrying in %s secs", 1)
    assert limiter.filter(r) and r.getMessage().endswith("(and 109 more like it before)")
    info = record("queue_server.x", logging.INFO, "printed %s", "K001")
    assert limiter.filter(info) and limiter.filter(info), "INFO lines are never held back"


def test_a_clients_mistake_is_info_not_error() -> None:
    r = record("engineio.server", logging.ERROR, "Invalid session %s (further occurrences ...)", "abc")
    assert ClientMistakes().filter(r) and r.levelno == logging.INFO
    real = record("engineio.server", logging.ERROR, "write error on socket")
    assert ClientMistakes().filter(real) and real.levelno == logging.ERROR
