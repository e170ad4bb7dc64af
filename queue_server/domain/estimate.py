"""Wait estimates from recent service times, open desks and the queue ahead.

The estimate for the k-th ticket in a queue served by ``d`` desks with a mean service time ``m`` is roughly
``ceil(k / d) * m``: the visitor waits for whole "rounds" of the open desks.  Recent service times come from
the event log; with no history yet the service's configured ``service_time_s`` stands in.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def mean_service_time(recent_s: Sequence[float], default_s: float, min_samples: int = 3) -> float:
    """A robust mean of recent service times: the median-filtered mean, falling back to the default."""
    if len(recent_s) < min_samples:
        return default_s
    # Blend with the default so a handful of very short services does not promise a near-zero wait.
    weight = min(1.0, len(recent_s) / 20)
    observed = statistics.fmean(sorted(recent_s)[: max(1, int(len(recent_s) * 0.95))])
    return weight * observed + (1 - weight) * default_s


def estimate_wait_s(ahead: int, open_desks: int, mean_service_s: float) -> int:
    """Seconds until a visitor with ``ahead`` tickets in front of them is called."""
    if ahead <= 0:
        return 0
    desks = max(1, open_desks)
    return int(round(math.ceil(ahead / desks) * mean_service_s))
