"""Lognormal service times: what is left of a visit in progress, and when the first of several desks frees up.

Pure arithmetic for the wait estimator (estimate.py).  A visit's length ``S`` is lognormal with mean ``mean_s``
and coefficient of variation ``cv``; a visit that has lasted ``elapsed_s`` has the residual ``S - t | S > t``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist

_NORMAL = NormalDist()
#: midpoints integrated per order statistic (quadratically spaced): under 1% off a 512-point integral
_GRID = 24
#: a residual distribution is integrated up to its 1 - _TAIL quantile
_TAIL = 1e-4


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True)
class Residual:
    """The time left of one visit in progress (``mean_s``, ``cv``, lasted ``elapsed_s``), at least ``floor_s``."""

    mean_s: float
    cv: float
    elapsed_s: float
    floor_s: float = 0.0

    @cached_property
    def _params(self) -> tuple[float, float]:
        s2 = math.log(1 + self.cv * self.cv)
        return math.log(self.mean_s) - s2 / 2, math.sqrt(s2)

    @cached_property
    def _tail(self) -> float:
        """P(S > elapsed): how likely a visit goes on this long."""
        if self.elapsed_s <= 0:
            return 1.0
        mu, s = self._params
        return _phi((mu - math.log(self.elapsed_s)) / s)

    @cached_property
    def degenerate(self) -> bool:
        """No spread to speak of: fixed-length visits, or one so far past its expected length that the model
        says nothing (the finish may not have been pressed); it ends after :meth:`mean` then."""
        return self.cv <= 0 or self.mean_s <= 0 or self._tail < 1e-9

    def mean(self) -> float:
        """``E[S - t | S > t]``: the mean at first, shrinking slowly, because a long visit tends to go on."""
        if self.elapsed_s <= 0:
            return max(self.floor_s, self.mean_s)
        if self.cv <= 0 or self.mean_s <= 0:
            return max(self.floor_s, self.mean_s - self.elapsed_s)
        tail = self._tail
        if tail < 1e-9:
            return self.floor_s
        mu, s = self._params
        lt = math.log(self.elapsed_s)
        return max(self.floor_s, self.mean_s * _phi((mu + s * s - lt) / s) / tail - self.elapsed_s)

    def cdf(self, x: float) -> float:
        """P(the visit ends within ``x`` seconds from now)."""
        if self.degenerate:
            return 1.0 if x >= self.mean() else 0.0
        y = self.elapsed_s + x
        if y <= 0:
            return 0.0
        mu, s = self._params
        return max(0.0, 1 - _phi((mu - math.log(y)) / s) / self._tail)

    def upper(self) -> float:
        """A time by which the visit has ended but for a negligible chance."""
        if self.degenerate:
            return self.mean()
        mu, s = self._params
        q = _TAIL * self._tail
        return max(self.floor_s, math.exp(mu - s * _NORMAL.inv_cdf(q)) - self.elapsed_s)


def order_statistics(residuals: Sequence[Residual | None]) -> list[float]:
    """Expected times at which the first, second, ... of these desks frees up (None: free now).

    Desks race: the first of four busy desks frees up sooner than any one of them is expected to, so the
    sorted expected residuals promise the first tickets too long a wait.  ``E[T_(j)] = ∫ P(fewer than j
    desks free by x) dx``, the count of free desks at ``x`` a Poisson-binomial over the desks' residual
    distributions; integrated by midpoints (denser near now) up to the last residual's far tail.
    """
    n = len(residuals)
    out = [0.0] * n
    top = max((r.upper() for r in residuals if r is not None), default=0.0)
    if top <= 0:
        return out
    for g in range(_GRID):
        u = (g + 0.5) / _GRID
        x, h = top * u * u, 2 * top * u / _GRID  # x = top·u²: denser near now, where the first desks free up
        count = [1.0]  # P(exactly c desks free by x)
        for r in residuals:
            p = 1.0 if r is None else r.cdf(x)
            count = [a * (1 - p) + b * p for a, b in zip([*count, 0.0], [0.0, *count], strict=True)]
        below = 0.0
        for j in range(n):
            below += count[j]  # P(at most j desks free by x) = P(the (j+1)-th is still busy)
            out[j] += below * h
    return out
