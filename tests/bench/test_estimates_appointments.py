"""bench/estimates_appointments.py: with 30% of visitors booked, the replay beats the naive answers for both kinds."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench.{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_replay_beats_the_naive_answers_for_walk_ins_and_appointments() -> None:
    bench = _load("estimates_appointments")
    out = bench.simulate(1, 7, BENCH.parent / "config.yaml")
    assert out.checked_in > 200 and out.issued > 500 and out.checked_in < out.booked
    _, base_mae, _, _ = out.walk_ins["baseline"].row()
    _, walk_in_mae, _, _ = out.walk_ins["vuoro"].row()
    _, naive_mae, _, _ = out.appointments["naive"].row()
    n, mae, within, bias = out.appointments["vuoro"].row()
    assert walk_in_mae < base_mae and mae < naive_mae
    assert n > 200 and within > 0.5 and not math.isnan(bias)
    assert "Punctuality" in bench.punctuality(out.punctuality_s)
