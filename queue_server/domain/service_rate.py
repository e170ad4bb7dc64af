"""What a service takes at a desk, from today's log: the length of a visit and its spread, what a call costs
with no-shows, priority arrivals and visitors who give up -- the per-service model both wait estimators
(:mod:`.estimate`) run on.

Pure (no Flask, no SQLAlchemy).  The priors live here too: how soon a wrong configured ``service_time_s`` is
outweighed is a decision about the model of a service, not about any one ticket's wait.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .lognormal import Residual

#: the spread of service times assumed before any was seen (lognormal coefficient of variation)
DEFAULT_CV = 0.6
#: how many observed services the configured ``service_time_s`` is worth: after three services the observed
#: ones weigh 60%, after ten 83%, so a wrong configuration is outweighed within the first few visits of the day
PRIOR_SERVICES = 2.0
#: how many observed services the assumed spread is worth: a spread needs more samples than a mean to settle
PRIOR_SPREAD_SERVICES = 5.0
#: a recorded service shorter than this share of the configured time counts as this long (a call finished at
#: once says the visit was short, not that it took no time, and the logarithm of zero is no number)
MIN_SAMPLE_SHARE = 0.01
#: what a no-show costs a desk, as a share of a served visit, until one has been timed
NO_SHOW_SHARE = 0.25
#: the least time left of a visit that has overrun its expected length, as a share of the mean
MIN_REMAINING_SHARE = 0.1


@dataclass(frozen=True)
class ServiceTime:
    """The expected length of a visit and its spread (coefficient of variation), as far as today tells."""

    mean_s: float
    cv: float


def service_time(
    recent_s: Sequence[float], default_s: float, *, prior_services: float = PRIOR_SERVICES, prior_cv: float = DEFAULT_CV
) -> ServiceTime:
    """The service time from recent services, with the configured ``default_s`` only as a prior.

    Service times are modelled lognormal, as the replay assumes: the logarithm of a visit's length is normal.
    The prior is ``prior_services`` pseudo-services at the configured mean and ``PRIOR_SPREAD_SERVICES`` at
    ``prior_cv``; the estimate is the conjugate (normal) posterior on the log scale.  So it is scale-free
    (30 s and 30 min services adapt alike, no threshold in seconds), the configured time is outweighed after
    a handful of services, and one forgotten finish does not double the mean the way it would an average --
    on the log scale a 10x outlier is one step, not ten.
    """
    s0 = math.log(1 + prior_cv * prior_cv)
    mu0 = math.log(default_s) - s0 / 2
    if not recent_s or default_s <= 0:
        return ServiceTime(default_s, prior_cv)
    floor = MIN_SAMPLE_SHARE * default_s
    logs = [math.log(max(x, floor)) for x in recent_s]
    n = len(logs)
    centre = statistics.fmean(logs)
    mu = (prior_services * mu0 + n * centre) / (prior_services + n)
    s2 = (PRIOR_SPREAD_SERVICES * s0 + sum((y - centre) ** 2 for y in logs)) / (PRIOR_SPREAD_SERVICES + n - 1)
    return ServiceTime(math.exp(mu + s2 / 2), math.sqrt(math.expm1(s2)))


def mean_service_time(recent_s: Sequence[float], default_s: float, *, prior_services: float = PRIOR_SERVICES) -> float:
    """The expected length of a visit from recent services, the configured ``default_s`` as a prior
    (see :func:`service_time`)."""
    return service_time(recent_s, default_s, prior_services=prior_services).mean_s


@dataclass(frozen=True)
class ServiceRate:
    """What a desk spends per call of this service: served visits at ``mean_s``, no-shows at ``no_show_s``."""

    mean_s: float
    cv: float = DEFAULT_CV
    no_show_share: float = 0.0
    #: what a no-show costs the desk; None: ``NO_SHOW_SHARE`` of a served visit (none was timed yet)
    no_show_s: float | None = None
    #: priority tickets issued per second lately (they will overtake waiting normal tickets)
    priority_per_s: float = 0.0
    #: how often a waiting visitor gives up, per second of waiting (cancelled while waiting / time waited)
    leave_per_s: float = 0.0

    @property
    def per_call_s(self) -> float:
        """What one call costs a desk on average, served visits and no-shows weighed by their share."""
        no_show_s = NO_SHOW_SHARE * self.mean_s if self.no_show_s is None else self.no_show_s
        return (1 - self.no_show_share) * self.mean_s + self.no_show_share * no_show_s


def service_rate(
    recent_s: Sequence[float],
    default_s: float,
    *,
    called: int = 0,
    no_shows: int = 0,
    no_show_s: float | None = None,
    priority_last_hour: int = 0,
    left_waiting: int = 0,
    waited_s: float = 0.0,
) -> ServiceRate:
    """A service's rate from today's log: recent service times, no-shows, priority arrivals, visitors who left.

    The mean and spread come from :func:`service_time` (the configured ``default_s`` is only a prior).  Shares
    are shrunk towards zero while counts are small (ten calls' worth of prior), so one early no-show does not
    move every estimate.  ``no_show_s`` is what today's no-shows kept a desk; without one timed, a no-show is
    taken as ``NO_SHOW_SHARE`` of a visit -- a desk waits for a visitor about as patiently as its visits are long.
    """
    st = service_time(recent_s, default_s)
    return ServiceRate(
        mean_s=st.mean_s,
        cv=st.cv,
        no_show_share=no_shows / (called + 10) if called else 0.0,
        no_show_s=no_show_s,
        priority_per_s=priority_last_hour / 3600,
        leave_per_s=left_waiting / waited_s if left_waiting and waited_s > 0 else 0.0,
    )


def remaining_s(mean_s: float, cv: float, elapsed_s: float) -> float:
    """Expected time left of a lognormal service (mean ``mean_s``, variation ``cv``) that lasted ``elapsed_s``.

    ``E[S - t | S > t]``: it starts at the mean and shrinks slowly, because a long service tends to go on.  It
    never drops below ``MIN_REMAINING_SHARE`` of the mean: a visit far past its expected length says the
    model is off (the finish may not have been pressed), and the next one is still a visit away, at any scale.
    """
    return Residual(mean_s, cv, elapsed_s, MIN_REMAINING_SHARE * mean_s).mean()
