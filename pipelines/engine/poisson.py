"""Exact Poisson test of O given E and the funnel limits that agree with it.

Issue 17, point 1. Without overdispersion a region's count O is judged with
the exact Poisson test of O given its expected count E:

* unfavourably **low** when ``P(X <= O | E) < p`` and
* **high** when ``P(X >= O | E) < p``,

with ``p = 0.001`` for the 99.8 % level and ``p = 0.025`` for the 95 % signal
(one tail each, as for the two-sided normal limits z = 3.090232 and 1.959964).

The limits drawn on the O/E funnel are Spiegelhalter's interpolated Poisson
quantiles divided by E (D. J. Spiegelhalter, "Funnel plots for comparing
institutional performance", *Statistics in Medicine* 24 (2005) 1185-1202,
appendix A.1: with ``r_p`` the p-quantile, ``F(r_p) >= p > F(r_p - 1)``, the
limit is ``(r_p - alpha) / E`` with
``alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``), which makes the limit a
smooth, monotone function of E. They are written so that, for every integer
O, "outside the drawn limit" and "the exact test rejects" agree:

* lower limit (in counts): ``L = r_p - alpha``. ``L`` lies in
  ``(r_p - 1, r_p]``, so ``O < L`` exactly when ``O <= r_p - 1``, i.e. when
  ``F(O) < p``.
* upper limit (in counts): the rejection region of ``P(X >= O) < p`` is
  ``O >= U`` with ``U`` the smallest count whose upper tail is below p. The
  limit interpolates the upper tail linearly between ``U - 1`` and ``U``:
  ``H = U - 1 + (P(X >= U - 1) - p) / P(X = U - 1)``, in ``[U - 1, U)``,
  so ``O > H`` exactly when ``O >= U``. Written with ``q = 1 - p`` and the
  quantile ``r_q`` this is ``r_q + 1 - alpha_q``: Spiegelhalter's
  interpolated upper quantile plus one count. Plain ``(r_q - alpha_q)/E``
  would flag ``O = r_q``, whose upper tail ``P(X >= r_q)`` is at least p,
  so it would disagree with the test at one count per E.

A margin of 1e-9 count keeps each limit strictly inside its interval so that
dividing by E (floating point) can never move a count across it.

Why not the chi-square ("exact confidence interval") limits of FunnelPlotR:
Seaton and Manktelow (2012, *BMC Medical Research Methodology* 12:98) show
that for small E they flag low counts far more often than nominal (at E = 0.5,
O = 0 is outside although ``P(O = 0) = 0.61``); the test above never does.

With overdispersion the log-scale limits of :mod:`pipelines.engine.funnel`
stay; this module is the no-overdispersion case only. Pure numpy/scipy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["P998", "P95", "poisson_tail_p", "poisson_verdict", "poisson_interpolated_limits"]

P998 = 0.001
P95 = 0.025
_MARGIN = 1e-9


def _arrays(observed, expected):
    o = np.atleast_1d(np.asarray(observed, dtype=float))
    e = np.atleast_1d(np.asarray(expected, dtype=float))
    o, e = np.broadcast_arrays(o, e)
    return o, e


def poisson_tail_p(observed, expected) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(P(X <= O | E), P(X >= O | E))`` for X ~ Poisson(E).

    NaN where E <= 0 or either input is missing. Vectorised over arrays.
    """
    from scipy import stats

    o, e = _arrays(observed, expected)
    ok = np.isfinite(o) & np.isfinite(e) & (e > 0)
    p_low = np.full(o.shape, np.nan)
    p_high = np.full(o.shape, np.nan)
    p_low[ok] = stats.poisson.cdf(o[ok], e[ok])
    p_high[ok] = stats.poisson.sf(o[ok] - 1, e[ok])
    return p_low, p_high


def poisson_verdict(observed, expected, p: float = P998) -> np.ndarray:
    """Return -1 (low), +1 (high), 0 (neither) per unit; 0 where E is unusable.

    Low when ``P(X <= O) < p``, high when ``P(X >= O) < p`` (one tail each).
    """
    p_low, p_high = poisson_tail_p(observed, expected)
    with np.errstate(invalid="ignore"):
        low = p_low < p
        high = p_high < p
    return np.where(low, -1, np.where(high, 1, 0)).astype(int)


def _lower_count(e: np.ndarray, p: float) -> np.ndarray:
    from scipy import stats

    r = np.maximum(stats.poisson.ppf(p, e), 0.0)
    # make r the smallest count with F(r) >= p, by the same cdf the test uses
    for _ in range(3):
        r = np.where(stats.poisson.cdf(r, e) < p, r + 1, r)
        r = np.where((r > 0) & (stats.poisson.cdf(r - 1, e) >= p), r - 1, r)
    f_r = stats.poisson.cdf(r, e)
    f_prev = np.where(r > 0, stats.poisson.cdf(r - 1, e), 0.0)
    alpha = (f_r - p) / (f_r - f_prev)
    lim = np.clip(r - alpha, r - 1 + _MARGIN, r)
    return np.maximum(lim, 0.0)  # O >= 0 is never below 0: same verdicts


def _upper_count(e: np.ndarray, p: float) -> np.ndarray:
    from scipy import stats

    # U: smallest count with P(X >= U) = sf(U - 1) < p
    u = np.maximum(stats.poisson.isf(p, e), 0.0) + 1
    for _ in range(3):
        u = np.where(stats.poisson.sf(u - 1, e) >= p, u + 1, u)
        u = np.where((u > 0) & (stats.poisson.sf(u - 2, e) < p), u - 1, u)
    t_prev = stats.poisson.sf(u - 2, e)  # P(X >= U - 1), >= p
    mass = stats.poisson.pmf(u - 1, e)
    frac = (t_prev - p) / mass
    lim = u - 1 + frac
    return np.clip(lim, u - 1, u - _MARGIN)


def poisson_interpolated_limits(expected, p: float = P998) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated Poisson limits on the ratio O/E, agreeing with the exact test.

    Returns ``(lower, upper)`` shaped like ``expected``: ``L/E`` and ``H/E``
    with L and H as in the module docstring. ``O/E < lower`` exactly when
    ``P(X <= O | E) < p``; ``O/E > upper`` exactly when ``P(X >= O | E) < p``.
    A lower limit below 0 (small E, where even O = 0 is not rare) is drawn
    at 0, which changes no verdict since O >= 0.
    NaN where E <= 0 or missing.
    """
    if not (0.0 < p < 0.5):
        raise ValueError(f"p must be in (0, 0.5), not {p}")
    e = np.atleast_1d(np.asarray(expected, dtype=float))
    ok = np.isfinite(e) & (e > 0)
    lower = np.full(e.shape, np.nan)
    upper = np.full(e.shape, np.nan)
    eo = e[ok]
    lower[ok] = _lower_count(eo, p) / eo
    upper[ok] = _upper_count(eo, p) / eo
    return lower, upper
