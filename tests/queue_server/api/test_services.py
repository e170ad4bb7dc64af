"""GET /api/services: what a kiosk offers -- open or not, waiting counts, estimates; counts only."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from queue_server.domain import estimate
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, Centre, OpenApi, assert_error, bearer

SERVICE_FIELDS = {
    "key",
    "prefix",
    "name",
    "names",
    "location",
    "open",
    "opens_at",
    "closed_tomorrow",
    "waiting",
    "estimated_wait_s",
    "sensitive",
    "wait_text",
    "estimate_reason",
    "full_today",
    "appointments",
    "checkin",
}


def services(api: Api, query: str = "") -> dict[str, dict[str, Any]]:
    body = api.get(f"/api/services{query}", expect=200).get_json()
    return {s["key"]: s for s in body["services"]}


def test_every_service_is_listed_in_config_order_without_credentials(api: Api) -> None:
    body = api.get("/api/services", headers={}, expect=200).get_json()
    assert [s["key"] for s in body["services"]] == ["kela", "library", "health", "mental"]
    for s in body["services"]:
        assert set(s) == SERVICE_FIELDS


def test_a_service_shows_its_prefix_names_and_location(api: Api) -> None:
    kela = services(api)["kela"]
    assert kela["prefix"] == "K"
    assert kela["name"] == "Kela" and kela["location"] == "2. kerros"
    assert kela["names"] == {"fi": "Kela", "sv": "FPA", "en": "Kela"}
    assert kela["open"] is True and kela["opens_at"] is None


def test_the_language_parameter_picks_the_names(api: Api) -> None:
    kela = services(api, "?language=sv")["kela"]
    assert kela["name"] == "FPA" and kela["location"] == "2 våningen"


def test_a_missing_translation_falls_back_to_the_default_language(api: Api) -> None:
    assert services(api, "?language=en")["health"]["location"] == ""  # no location at all
    assert services(api, "?language=sv")["library"]["name"] == "Bibliotek"


@pytest.mark.parametrize("language", ["de", "", "FI", "fi,sv"])
def test_an_unknown_language_is_400(api: Api, language: str) -> None:
    assert_error(api.get(f"/api/services?language={language}"), 400, "invalid_request")


def test_the_sensitive_service_is_marked(api: Api) -> None:
    assert {k: s["sensitive"] for k, s in services(api).items()} == {
        "kela": False,
        "library": False,
        "health": False,
        "mental": True,
    }


def test_waiting_counts_and_estimates_follow_the_queue(centre: Centre) -> None:
    for desk in ("d1", "d3"):
        centre.act(desk, "status", json={"status": "open"})
    for _ in range(3):
        centre.issue("kela")
    centre.issue("library")
    listed = services(centre.api)
    assert {k: s["waiting"] for k, s in listed.items()} == {"kela": 3, "library": 1, "health": 0, "mental": 0}
    # a newcomer would be fourth at kela's one idle desk: about three rounds of 600 s (a median, so a little
    # less than the mean, and the minute each issue step took is already behind it)
    assert 3 * 600 - 4 * 60 - 300 <= listed["kela"]["estimated_wait_s"] <= 3 * 600
    # the default service time (300 s), one round, quoted as the median of a lognormal service
    assert listed["library"]["estimated_wait_s"] >= round(300 / math.sqrt(1 + estimate.DEFAULT_CV**2))
    assert listed["kela"]["estimate_reason"] is None
    # no desk serving health (or the sensitive mental, whose figures are merged with health's) is open: no
    # estimate for the group, and the reason -- the same for both, so it tells nothing about mental's desks
    for key in ("health", "mental"):
        assert (listed[key]["estimated_wait_s"], listed[key]["estimate_reason"]) == (None, "no_desk_open")
    centre.act("h1", "status", json={"status": "open"})
    listed = services(centre.api)
    # merged, in 5-minute steps (nobody waits: 0 s)
    assert listed["health"]["estimated_wait_s"] == listed["mental"]["estimated_wait_s"] == 0
    centre.call_next("d1")
    assert services(centre.api)["kela"]["waiting"] == 2


def test_a_sensitive_queue_shows_publicly_only_merged_with_its_cover_group(centre: Centre) -> None:
    """A mental-health ticket moves the figures of health and mental alike: nobody can tell which it was."""
    before = services(centre.api)
    centre.issue("mental")
    after_mental = services(centre.api)
    centre.issue("health")
    after_health = services(centre.api)
    for listed in (before, after_mental, after_health):
        assert listed["health"]["waiting"] == listed["mental"]["waiting"]
        assert listed["health"]["estimated_wait_s"] == listed["mental"]["estimated_wait_s"]
    assert [s["health"]["waiting"] for s in (before, after_mental, after_health)] == [0, 1, 2]
    # staff see each service's own count on the desk that serves both
    desk = centre.api.get("/api/desks/h1", headers=centre.desk_auth, expect=200).get_json()
    assert desk["waiting"] == {"health": 1, "mental": 1}


def test_a_sensitive_service_with_no_cover_shows_no_public_figures(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], openapi: OpenApi
) -> None:
    data = copy.deepcopy(config_data)
    # mental's visitors wait on another floor (its tickets still say health's floor): nobody to hide among
    data["services"][3]["location"] = {"fi": "4. kerros"}
    data["services"][3]["public_location"] = {}  # what health's tickets say (it has no location)
    api = Api(make_app(data).test_client(), openapi)
    listed = services(api)
    assert listed["mental"]["waiting"] is None and listed["mental"]["estimated_wait_s"] is None
    assert listed["mental"]["estimate_reason"] is None  # private, not "no desk open": it says nothing at all
    assert listed["health"]["waiting"] == 0 and listed["health"]["estimate_reason"] == "no_desk_open"


def test_the_list_holds_counts_never_tickets(centre: Centre) -> None:
    tokens = [centre.issue("kela")["token"], centre.issue("mental")["token"]]
    text = json.dumps(centre.api.get("/api/services", expect=200).get_json())
    for leaked in [*tokens, "K001", "H001"]:
        assert leaked not in text


def test_a_closed_service_says_when_it_opens(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock, openapi: OpenApi
) -> None:
    data = copy.deepcopy(config_data)
    data["services"][0]["hours"] = {"mon": "09:00-16:00", "fri": "09:00-16:00"}
    data["centre"]["closed_dates"] = ["2026-11-30"]
    api = Api(make_app(data).test_client(), openapi)
    clock.set_local("2026-11-27T16:30")  # Friday after closing; Monday is a holiday
    listed = services(api)
    assert listed["kela"]["open"] is False
    assert listed["kela"]["opens_at"] == "2026-12-04T09:00:00+02:00"
    assert listed["library"]["open"] is True
    clock.set_local("2026-11-30T12:00")  # the holiday closes every service
    assert not any(s["open"] for s in services(api).values())


def test_a_service_at_its_daily_limit_is_full_today_until_the_next_day(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock, openapi: OpenApi
) -> None:
    """A kiosk shows a full service as such instead of letting the visitor tap it and fail."""
    data = copy.deepcopy(config_data)
    data["services"][0]["daily_limit"] = 2
    app = make_app(data)
    api = Api(app.test_client(), openapi)
    centre = Centre(api, bearer(app.extensions["vuoro"], "kiosk", "k1"), {}, clock)
    assert not any(s["full_today"] for s in services(api).values())
    centre.issue("kela")
    assert services(api)["kela"]["full_today"] is False
    centre.issue("library", "kela")  # an errand later in the visit counts too, as issue_ticket counts it
    listed = services(api)
    assert listed["kela"]["full_today"] is True and listed["kela"]["open"] is True
    assert listed["library"]["full_today"] is False
    assert_error(centre.issue("kela", expect=409), 409, "daily_limit_reached")
    assert services(api)["kela"]["full_today"] is True, "the refused ticket did not count"
    clock.advance(24 * 3600)
    assert services(api)["kela"]["full_today"] is False
