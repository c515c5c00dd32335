"""Size of the variation between regions, per indicator and wave.

Issue 17, point 5: how large the variation is, also where nothing is flagged.

* :func:`fold_variation`: highest / lowest rate, over rates > 0 (NaN when
  fewer than two rates or the lowest is 0: then the fold is unbounded).
* :func:`p90_p10_ratio`: 90th / 10th percentile of the rates (linear
  interpolation, numpy's default = R type 7); NaN when P10 <= 0. Less driven
  by one extreme region than the fold variation.
* :func:`systematic_component` (SCV): McPherson, Wennberg, Hovind and
  Clifford (1982), *New England Journal of Medicine* 307:1310-1314::

      SCV = (1/k) * ( sum((O_i - E_i)^2 / E_i^2) - sum(1 / E_i) )

  the between-region variance of O/E left after the Poisson variance 1/E is
  taken off (often reported x 100; values above 0.05, i.e. 5 x 100, are read
  as high variation). May be negative for noise-only data; reported as is.
* :func:`tau2_natural`: DerSimonian-Laird between-region variance of the
  plain rates (O/E with within variance 1/E, or r/n with p(1-p)/n),
  Q = sum w (y - ybar_w)^2, tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w)).
  Unlike funnel.py's tau^2 this is on the natural scale and untrimmed.
* :func:`expected_false_alarms`: number of tests x two-sided level
  (25 regions at 99.8 %: 0.05 per indicator and wave).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fold_variation", "p90_p10_ratio", "systematic_component", "tau2_natural", "expected_false_alarms"]


def _finite(a) -> np.ndarray:
    x = np.asarray(a, dtype=float).reshape(-1)
    return x[np.isfinite(x)]


def fold_variation(rates) -> float:
    """max / min of the finite rates; NaN with fewer than two or a minimum <= 0."""
    x = _finite(rates)
    if x.size < 2 or x.min() <= 0:
        return math.nan
    return float(x.max() / x.min())


def p90_p10_ratio(rates) -> float:
    """90th / 10th percentile of the finite rates; NaN with fewer than two or P10 <= 0."""
    x = _finite(rates)
    if x.size < 2:
        return math.nan
    p10, p90 = np.percentile(x, [10, 90])
    return float(p90 / p10) if p10 > 0 else math.nan


def systematic_component(observed, expected) -> float:
    """McPherson's SCV over units with E > 0 (not x 100); NaN with fewer than two."""
    o = np.asarray(observed, dtype=float).reshape(-1)
    e = np.asarray(expected, dtype=float).reshape(-1)
    ok = np.isfinite(o) & np.isfinite(e) & (e > 0)
    k = int(ok.sum())
    if k < 2:
        return math.nan
    o, e = o[ok], e[ok]
    return float((((o - e) ** 2 / e**2).sum() - (1.0 / e).sum()) / k)


def tau2_natural(numerator, denominator, kind: str = "ratio") -> float:
    """DerSimonian-Laird tau^2 of the plain rates (kind ``ratio`` or ``proportion``).

    ratio: y = O/E, within variance 1/E. proportion: y = r/n, within variance
    p(1-p)/n with p the pooled proportion (0 when p is 0 or 1). NaN with
    fewer than two usable units.
    """
    a = np.asarray(numerator, dtype=float).reshape(-1)
    b = np.asarray(denominator, dtype=float).reshape(-1)
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    a, b = a[ok], b[ok]
    if a.size < 2:
        return math.nan
    y = a / b
    if kind == "ratio":
        w = b.copy()
    elif kind == "proportion":
        p = a.sum() / b.sum()
        if p <= 0 or p >= 1:
            return 0.0
        w = b / (p * (1 - p))
    else:
        raise ValueError(f"kind must be 'ratio' or 'proportion', not {kind!r}")
    ybar = (w * y).sum() / w.sum()
    q = (w * (y - ybar) ** 2).sum()
    denom = w.sum() - (w * w).sum() / w.sum()
    return float(max(0.0, (q - (a.size - 1)) / denom)) if denom > 0 else 0.0


def expected_false_alarms(n_tests: int, level: float = 0.998) -> float:
    """Expected number of units outside the limits by chance: n_tests x (1 - level)."""
    if not (0 < level < 1) or n_tests < 0:
        raise ValueError("level must be in (0, 1) and n_tests >= 0")
    return float(n_tests) * (1.0 - level)
