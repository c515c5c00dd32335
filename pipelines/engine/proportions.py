"""Verdicts for proportions that stay right for very small denominators.

Issue 17, point 2. The arcsine limits of :func:`pipelines.engine.funnel.
proportion_funnel` rest on a normal approximation to the binomial, which
fails when ``n * p0`` or ``n * (1 - p0)`` is small: with p0 = 0.8 and n = 3
the 99.8 % lower limit is sin^2(asin(sqrt(0.8)) - 3.090232 / (2 sqrt 3))
= 0.046, so **0 of 3** lies below it, although ``P(X = 0) = 0.2^3 = 0.008``
is far from the 0.001 the limit stands for.

:func:`proportion_verdict` therefore uses the exact binomial test where the
approximation cannot hold (``n * p0 < MIN_EXPECTED`` or
``n * (1 - p0) < MIN_EXPECTED``, the usual rule of 5, e.g. Agresti,
*Categorical Data Analysis*): unfavourably low when ``P(X <= r | n, p0) < p``,
high when ``P(X >= r | n, p0) < p`` (p = 0.001 at 99.8 %, 0.025 at 95 %),
and the arcsine limits elsewhere, unchanged. Without overdispersion the two
agree closely for larger n; with overdispersion (tau^2 > 0) the exact test
is not used at all, as the limits are then wider than binomial anyway.
Examples (p0 = 0.8, 99.8 %): 0 of 3 conform; 0 of 5 (P = 0.00032) low.
1 of 1 at p0 = 0.2: P(X >= 1) = 0.2, conform. Pure numpy/scipy.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MIN_EXPECTED",
    "binomial_tail_p",
    "binomial_verdict",
    "binomial_limits",
    "approximation_holds",
    "proportion_verdict",
]

MIN_EXPECTED = 5.0


def binomial_tail_p(numerator, denominator, p0: float) -> tuple[np.ndarray, np.ndarray]:
    """``(P(X <= r), P(X >= r))`` for X ~ Binomial(n, p0); NaN where n <= 0."""
    from scipy import stats

    r = np.atleast_1d(np.asarray(numerator, dtype=float))
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    r, n = np.broadcast_arrays(r, n)
    ok = np.isfinite(r) & np.isfinite(n) & (n > 0)
    lo = np.full(r.shape, np.nan)
    hi = np.full(r.shape, np.nan)
    lo[ok] = stats.binom.cdf(r[ok], n[ok], p0)
    hi[ok] = stats.binom.sf(r[ok] - 1, n[ok], p0)
    return lo, hi


def binomial_verdict(numerator, denominator, p0: float, p: float = 0.001) -> np.ndarray:
    """-1 (low), +1 (high) or 0 per unit by the exact binomial test at one-sided level p."""
    lo, hi = binomial_tail_p(numerator, denominator, p0)
    with np.errstate(invalid="ignore"):
        return np.where(lo < p, -1, np.where(hi < p, 1, 0)).astype(int)


def binomial_limits(denominator, p0: float, p: float = 0.001) -> tuple[np.ndarray, np.ndarray]:
    """Limits on r/n that agree with the exact binomial test for every integer r.

    With ``a`` the largest r whose lower tail ``P(X <= r)`` is below p and
    ``b`` the smallest r whose upper tail ``P(X >= r)`` is below p, the limits
    are drawn half a count inside the rejection regions: ``(a + 0.5) / n``
    and ``(b - 0.5) / n``, clipped to [0, 1]. So ``r/n < lower`` exactly when
    the test says low and ``r/n > upper`` exactly when it says high; where no
    count can be rejected (0 of 3 at p0 = 0.8) the limit lies at 0 or 1.
    NaN where n <= 0 or missing.
    """
    from scipy import stats

    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    ok = np.isfinite(n) & (n > 0)
    lower = np.full(n.shape, np.nan)
    upper = np.full(n.shape, np.nan)
    for i in np.flatnonzero(ok):
        k = np.arange(int(n[i]) + 1)
        low = k[stats.binom.cdf(k, n[i], p0) < p]
        high = k[stats.binom.sf(k - 1, n[i], p0) < p]
        a = low.max() if low.size else -1
        b = high.min() if high.size else int(n[i]) + 1
        lower[i] = min(max((a + 0.5) / n[i], 0.0), 1.0)
        upper[i] = min(max((b - 0.5) / n[i], 0.0), 1.0)
    return lower, upper


def approximation_holds(denominator, p0: float, min_expected: float = MIN_EXPECTED) -> np.ndarray:
    """True where ``n p0 >= min_expected`` and ``n (1 - p0) >= min_expected``."""
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    return (n * p0 >= min_expected) & (n * (1.0 - p0) >= min_expected)


def proportion_verdict(
    numerator, denominator, p0: float, lower, upper, p: float = 0.001, overdispersed: bool = False
) -> np.ndarray:
    """-1/0/+1 per unit: exact binomial where the approximation fails, else the limits.

    ``lower``/``upper`` are the arcsine limits of the same level (e.g.
    ``lower_998``/``upper_998`` with p = 0.001). With ``overdispersed`` the
    limits are used everywhere. Units with n = 0 get 0.
    """
    r = np.atleast_1d(np.asarray(numerator, dtype=float))
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    lo = np.atleast_1d(np.asarray(lower, dtype=float))
    hi = np.atleast_1d(np.asarray(upper, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(n > 0, r / n, np.nan)
        by_limits = np.where(v < lo, -1, np.where(v > hi, 1, 0))
    if overdispersed:
        return by_limits.astype(int)
    exact = binomial_verdict(r, n, p0, p)
    use_exact = ~approximation_holds(n, p0)
    return np.where(n > 0, np.where(use_exact, exact, by_limits), 0).astype(int)
