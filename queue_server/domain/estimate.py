"""Wait estimates from recent service times, the desks open for each service and the queue ahead.

Two estimators, both pure (no Flask, no SQLAlchemy); ``bench/estimates.py`` measures them against
each other on simulated days and writes the table to docs/performance.md.

- :func:`estimate_wait_s` -- the first one: the k-th ticket at ``d`` desks waits ``ceil(k / d)`` whole service
  times.  Kept as the reference the benchmark reports and as the rule for "no desk is open".
- :func:`predict` -- the one Vuoro uses: a short deterministic replay of the queue as it stands.  Every open desk
  becomes free when its current visitor is expected to leave (the *remaining* time of a lognormal service that
  has already lasted this long), then takes the next ticket the way a desk does (call-next policy: longest wait
  first over all the desk's services, at most ``priority_ratio`` priority tickets in a row), and stays busy for
  the service's expected time per call -- recent service times, no-shows included at their own short length.
  A ticket that has more errands rejoins the next queue at its original place when its errand ends.  That
  handles desks serving several services, priority, multi-errand visits and busy desks at once; future
  priority arrivals, which will overtake a normal ticket, stretch its wait by the priority load.

The per-service model both run on (service times, no-shows, departures) is in :mod:`.service_rate`, the replay
in :mod:`.replay`; this module keeps the first estimator and is where the rest of Vuoro imports all of it from
(``estimate.predict``, ``estimate.ServiceRate``, ...).
"""

from __future__ import annotations

import math

from .replay import RACING_DESKS, Booked, Desk, Prediction, Snapshot, Waiting, call_order, predict
from .service_rate import (
    DEFAULT_CV,
    MIN_REMAINING_SHARE,
    MIN_SAMPLE_SHARE,
    NO_SHOW_SHARE,
    PRIOR_SERVICES,
    PRIOR_SPREAD_SERVICES,
    ServiceRate,
    ServiceTime,
    mean_service_time,
    remaining_s,
    service_rate,
    service_time,
)

__all__ = [
    "DEFAULT_CV",
    "MIN_REMAINING_SHARE",
    "MIN_SAMPLE_SHARE",
    "NO_SHOW_SHARE",
    "PRIOR_SERVICES",
    "PRIOR_SPREAD_SERVICES",
    "RACING_DESKS",
    "Booked",
    "Desk",
    "Prediction",
    "ServiceRate",
    "ServiceTime",
    "Snapshot",
    "Waiting",
    "baseline_wait_s",
    "call_order",
    "estimate_wait_s",
    "mean_service_time",
    "predict",
    "remaining_s",
    "service_rate",
    "service_time",
]


def estimate_wait_s(ahead: int, open_desks: int, mean_service_s: float) -> int:
    """The first estimator: seconds until a visitor at position ``ahead`` is called, in whole desk rounds."""
    if ahead <= 0:
        return 0
    desks = max(1, open_desks)
    return int(round(math.ceil(ahead / desks) * mean_service_s))


def baseline_wait_s(position: int, open_desks: int, mean_service_s: float) -> int:
    """The naive baseline: queue length ahead x average service time / open desks."""
    return int(round(max(0, position - 1) * mean_service_s / max(1, open_desks)))
