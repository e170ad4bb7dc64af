"""``vuoro simulate``: the day model (pure, seeded) and a short run against a real server process."""

from __future__ import annotations

import copy
import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from queue_server.config import build_config
from tests.conftest import BASE_CONFIG
from vuoro_tools.cli import main
from vuoro_tools.simulate.model import DeskSpec, ServiceSpec, capacity_weights, plan_day, specs_from_config

H = 3600.0
SERVICES = [
    ServiceSpec("kela", 600, ((9 * H, 16 * H),)),
    ServiceSpec("library", 300, ((8 * H, 20 * H),)),
    ServiceSpec("lab", 300, ((7 * H, 12 * H),)),
    ServiceSpec("orphan", 300, ()),  # nobody serves it
]
DESKS = [
    DeskSpec("k1", ("kela",), "z"),
    DeskSpec("k2", ("kela",), "z"),
    DeskSpec("l1", ("library",), "z"),
    DeskSpec("x1", ("library", "lab"), "z"),
]


def test_the_same_seed_replays_the_same_day() -> None:
    one = plan_day(SERVICES, DESKS, 500, seed=7)
    assert one == plan_day(SERVICES, DESKS, 500, seed=7)
    assert one.visits != plan_day(SERVICES, DESKS, 500, seed=8).visits


def test_visits_arrive_in_order_while_their_services_are_open() -> None:
    plan = plan_day(SERVICES, DESKS, 2000, seed=1)
    assert len(plan.visits) == 2000
    assert (plan.start_s, plan.end_s) == (7 * H, 20 * H)
    times = [v.at_s for v in plan.visits]
    assert times == sorted(times)
    by_key = {s.key: s for s in SERVICES}
    for v in plan.visits:
        assert by_key[v.services[0]].is_open(v.at_s, (plan.start_s, plan.end_s)), v
        assert len(set(v.services)) == len(v.services) == len(v.service_times_s)
        assert "orphan" not in v.services  # no desk serves it: nobody is sent there
        assert v.language in ("fi", "sv", "en")


def test_the_mix_follows_the_desks_and_the_day_has_its_peaks() -> None:
    plan = plan_day(SERVICES, DESKS, 4000, seed=3)
    firsts = Counter(v.services[0] for v in plan.visits)
    # two kela desks at 600 s serve as many visitors per hour as one and a half library desks at 300 s ...
    weights = capacity_weights(SERVICES, DESKS)
    assert weights["kela"] == pytest.approx(2 / 600) and weights["library"] == pytest.approx(1.5 / 300)
    assert firsts["library"] > firsts["kela"] > firsts["lab"] > 0
    hours = Counter(int(v.at_s // H) for v in plan.visits)
    assert hours[10] > 2 * hours[7] and hours[13] > 2 * hours[19]  # the morning and after-lunch peaks
    share = Counter(len(v.services) for v in plan.visits)[2] / len(plan.visits)
    assert 0.03 < share < 0.15  # a few come for two errands
    no_shows = sum(v.no_show for v in plan.visits) / len(plan.visits)
    assert 0.03 < no_shows < 0.1
    kela_times = [t for v in plan.visits for s, t in zip(v.services, v.service_times_s, strict=True) if s == "kela"]
    assert 450 < sum(kela_times) / len(kela_times) < 750  # log-normal around the configured 600 s


def test_specs_follow_the_configs_hours_for_the_weekday() -> None:
    data = copy.deepcopy(BASE_CONFIG)
    data["services"][0]["hours"] = {"mon": "09:00-16:00", "sat": "10:00-14:00"}
    data["services"][1]["hours"] = {"mon": ["08:00-12:00", "13:00-18:00"]}
    cfg = build_config(data)
    services, desks = specs_from_config(cfg, 0)
    by_key = {s.key: s for s in services}
    assert by_key["kela"].hours == ((9 * H, 16 * H),)
    assert by_key["library"].hours == ((8 * H, 12 * H), (13 * H, 18 * H))
    assert by_key["health"].hours == ()  # no hours: always open
    saturday, sat_desks = specs_from_config(cfg, 5)
    assert "library" not in {s.key for s in saturday}  # closed all Saturday
    assert all("library" not in d.services for d in sat_desks)
    assert "d3" not in {d.key for d in sat_desks}  # a library-only desk has nothing to do that day


@pytest.mark.slow
def test_a_short_day_against_a_live_server(live_server: Any, tmp_path: Path) -> None:
    out = tmp_path / "day.csv"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            "--config",
            str(live_server.config_path),
            "--url",
            live_server.url,
            "--visits",
            "40",
            "--speed",
            "6000",
            "--seed",
            "5",
            "--phones",
            "0.5",
            "--no-progress",
            "--out",
            str(out),
            "--max-minutes",
            "2",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0]: line for line in result.output.splitlines()}
    assert "tickets issued      40   (refused: none)" in result.output, result.output
    assert lines["errors"].startswith("errors              0 "), result.output
    assert "call -> board" in result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40
    assert len({r["number"] for r in rows}) == 40
    outcomes = Counter(r["outcome"] for r in rows)
    assert outcomes["served"] + outcomes["no_show"] + outcomes["waiting"] == 40
    assert outcomes["served"] >= 25, outcomes
    called = [r for r in rows if r["observed_wait_s"]]
    assert all(r["estimated_wait_s"] != "" for r in rows)
    assert all(float(r["observed_wait_s"]) >= 0 for r in called)
    assert sum(r["seen_on_board"] == "1" for r in called) == len(called)  # every call reached its zone's board
