"""Small statistics for reports: Wilson intervals, percentiles, McNemar's test (stdlib only).

>>> low, high = wilson_interval(80, 100)
>>> round(low, 3), round(high, 3)
(0.711, 0.867)
>>> percentile([1.0, 2.0, 3.0, 4.0], 50)
2.5
>>> round(mcnemar(10, 2).p_exact, 4)
0.0386
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: number of successes.
        trials: number of trials (0 gives ``(0.0, 1.0)``).
        z: normal quantile (1.96 for 95%).

    Returns:
        ``(low, high)`` in [0, 1].
    """
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (linear interpolation) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _binom_cdf_half(k: int, n: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (stable for large n)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    log_half_n = n * math.log(0.5)
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + log_half_n for i in range(k + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(x - top) for x in logs))


@dataclass(frozen=True)
class McNemar:
    """McNemar's test on paired outcomes.

    Args:
        b: pairs right in the first run and wrong in the second.
        c: pairs wrong in the first run and right in the second.
        p_exact: two-sided exact (binomial) p-value.
        chi2: the statistic with continuity correction.
        p_chi2: its p-value (1 degree of freedom).
    """

    b: int
    c: int
    p_exact: float
    chi2: float
    p_chi2: float


def mcnemar(b: int, c: int) -> McNemar:
    """McNemar's test for ``b`` and ``c`` discordant pairs (exact and chi-squared)."""
    n = b + c
    if n == 0:
        return McNemar(b, c, 1.0, 0.0, 1.0)
    p_exact = min(1.0, 2 * _binom_cdf_half(min(b, c), n))
    chi2 = (abs(b - c) - 1) ** 2 / n if abs(b - c) > 1 else 0.0
    p_chi2 = math.erfc(math.sqrt(chi2 / 2))
    return McNemar(b, c, p_exact, chi2, p_chi2)
