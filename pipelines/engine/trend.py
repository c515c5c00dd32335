"""Persistence, pooled windows and recent trends per region and indicator.

Issue 17, point 4. Pure numpy/scipy/statsmodels; the engine passes one
region x indicator series at a time (waves in ascending order).

* :func:`pooled_window_test`: sum O against sum E over the last ``window``
  waves (default 3, the window the other indicators use), judged with the
  exact Poisson test of :mod:`pipelines.engine.poisson`. One wave's count is
  small (E = 2 to 9); three pooled waves triple E, so a persistently low
  frequency that never reaches zero becomes detectable.
* :func:`persistent`: ``aanhoudend`` when the unfavourable verdict holds in
  at least ``min_hits`` (2) of the last ``window`` (3) waves.
* :func:`count_trend`: Poisson regression of O on the wave with offset
  log E (statsmodels GLM), Wald test of the slope.
* :func:`proportion_trend`: chi-square test for trend in proportions
  (Cochran 1954; Armitage 1955), scores = wave, 1 df, the test Fingertips
  (OHID/PHE) uses for its "recent trend" of proportions.

Both trend tests need at least three waves with a usable value and return
one of :data:`TREND_LABELS`, given the indicator's polarity (``higher``:
rising is better; ``lower``: rising is worse). The default level
:data:`TREND_ALPHA` = 0.002 two-sided matches the 99.8 % verdict level
(Fingertips uses 99.9 % for its recent trends).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from pipelines.contract import verdicts
from pipelines.engine.poisson import P998, poisson_tail_p

__all__ = [
    "TREND_ALPHA",
    "TREND_LABELS",
    "pooled_window_test",
    "persistent",
    "count_trend",
    "proportion_trend",
    "trend_label",
    "count_trends",
    "proportion_trends",
]

TREND_ALPHA = 0.002
TREND_LABELS = tuple(verdicts.TREND_LABELS)


def pooled_window_test(observed, expected, window: int = 3, p: float = P998) -> dict:
    """Pool the last ``window`` waves of one region: sum O against sum E.

    ``observed``/``expected`` are per wave in ascending order; waves with a
    missing O or E (NaN) are left out of the window's sums (the window is
    still the last ``window`` positions). Returns a dict with ``observed``,
    ``expected``, ``ratio`` (NaN when E = 0), ``n_waves`` used, ``p_low``,
    ``p_high`` (exact Poisson tails) and ``verdict`` -1/0/+1 at level p.
    """
    o = np.asarray(observed, dtype=float)[-window:]
    e = np.asarray(expected, dtype=float)[-window:]
    ok = np.isfinite(o) & np.isfinite(e)
    so, se = float(o[ok].sum()), float(e[ok].sum())
    p_low, p_high = poisson_tail_p(so, se)
    verdict = 0
    if p_low[0] < p:
        verdict = -1
    elif p_high[0] < p:
        verdict = 1
    return {
        "observed": so,
        "expected": se,
        "ratio": so / se if se > 0 else math.nan,
        "n_waves": int(ok.sum()),
        "p_low": float(p_low[0]),
        "p_high": float(p_high[0]),
        "verdict": verdict,
    }


def persistent(unfavourable, window: int = 3, min_hits: int = 2) -> bool:
    """True when at least ``min_hits`` of the last ``window`` waves are unfavourable.

    ``unfavourable`` is per wave in ascending order: True/False, or None/NaN
    for a wave without a verdict (counts as not unfavourable).
    """
    last = list(unfavourable)[-window:]
    hits = sum(1 for x in last if x is not None and not (isinstance(x, float) and math.isnan(x)) and bool(x))
    return hits >= min_hits


def trend_label(slope: float, p_value: float, polarity: str, alpha: float = TREND_ALPHA) -> str:
    """Map a slope and its p-value to a label of :data:`TREND_LABELS`.

    polarity ``higher`` (rising is better) or ``lower`` (rising is worse);
    other polarities raise ValueError (a two-sided indicator has no better side).
    """
    if polarity not in ("higher", "lower"):
        raise ValueError(f"polarity must be 'higher' or 'lower', not {polarity!r}")
    if not (math.isfinite(slope) and math.isfinite(p_value)):
        return verdicts.MISSING
    if p_value >= alpha or slope == 0:
        return verdicts.NO_SIGNIFICANT_CHANGE
    rising = slope > 0
    return verdicts.IMPROVING if rising == (polarity == "higher") else verdicts.WORSENING


def count_trend(waves, observed, expected, polarity: str, alpha: float = TREND_ALPHA, min_waves: int = 3) -> dict:
    """Poisson regression ``log E[O] = log E + a + b * wave``; Wald test of b.

    Waves with missing O or E <= 0 are dropped; fewer than ``min_waves``
    left gives ``onvoldoende_gegevens``. All counts zero: the slope is not
    estimable, label ``geen_significante_verandering`` with NaN slope and p = 1.
    Returns ``{"slope", "rate_ratio", "p_value", "n_waves", "label"}``;
    rate_ratio = exp(b), the change in O/E per wave.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    w = np.asarray(waves, dtype=float)
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    ok = np.isfinite(w) & np.isfinite(o) & np.isfinite(e) & (e > 0)
    n = int(ok.sum())
    out = {"slope": math.nan, "rate_ratio": math.nan, "p_value": math.nan, "n_waves": n}
    if n < min_waves or np.unique(w[ok]).size < 2:
        trend_label(0.0, 1.0, polarity)  # validates polarity
        return {**out, "label": verdicts.MISSING}
    if o[ok].sum() == 0:
        trend_label(0.0, 1.0, polarity)
        return {**out, "p_value": 1.0, "label": verdicts.NO_SIGNIFICANT_CHANGE}
    x = sm.add_constant(w[ok] - w[ok].mean())
    with warnings.catch_warnings():  # an exact fit (tiny series) is fine here
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(o[ok], x, family=sm.families.Poisson(), offset=np.log(e[ok])).fit()
    b, pv = float(fit.params[1]), float(fit.pvalues[1])
    return {
        "slope": b,
        "rate_ratio": math.exp(b),
        "p_value": pv,
        "n_waves": n,
        "label": trend_label(b, pv, polarity, alpha),
    }


def proportion_trend(
    waves, numerator, denominator, polarity: str, alpha: float = TREND_ALPHA, min_waves: int = 3
) -> dict:
    """Chi-square test for trend in proportions (Cochran-Armitage), scores = wave.

    With p = sum r / sum n, ``T = sum r_i (x_i - xbar)``, ``xbar = sum n_i x_i / sum n``,
    ``V = p (1 - p) (sum n_i x_i^2 - (sum n_i x_i)^2 / sum n)``, ``chi2 = T^2 / V``
    on 1 df. Waves with n = 0 or missing values are dropped. Returns
    ``{"slope", "chi2", "p_value", "n_waves", "label"}``; slope is the
    least-squares slope of r/n on the wave weighted by n (its sign is T's).
    """
    from scipy import stats

    x = np.asarray(waves, dtype=float)
    r = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    ok = np.isfinite(x) & np.isfinite(r) & np.isfinite(n) & (n > 0)
    x, r, n = x[ok], r[ok], n[ok]
    k = int(ok.sum())
    out = {"slope": math.nan, "chi2": math.nan, "p_value": math.nan, "n_waves": k}
    if k < min_waves or np.unique(x).size < 2:
        trend_label(0.0, 1.0, polarity)
        return {**out, "label": verdicts.MISSING}
    N = n.sum()
    p = r.sum() / N
    xbar = (n * x).sum() / N
    T = (r * (x - xbar)).sum()
    V = p * (1 - p) * ((n * x * x).sum() - (n * x).sum() ** 2 / N)
    slope = T / ((n * (x - xbar) ** 2).sum())
    if not V > 0:  # all 0 % or all 100 %: no variation to test
        trend_label(0.0, 1.0, polarity)
        return {**out, "slope": slope, "chi2": 0.0, "p_value": 1.0, "label": verdicts.NO_SIGNIFICANT_CHANGE}
    chi2 = T * T / V
    pv = float(stats.chi2.sf(chi2, 1))
    return {
        "slope": float(slope),
        "chi2": float(chi2),
        "p_value": pv,
        "n_waves": k,
        "label": trend_label(slope, pv, polarity, alpha),
    }


# --------------------------------------------------------------------------
# Many series at once (the engine: every region of one indicator, one end wave)
# --------------------------------------------------------------------------


def _labels(slope: np.ndarray, p_value: np.ndarray, polarity: str, alpha: float) -> np.ndarray:
    return np.array([trend_label(float(b), float(pv), polarity, alpha) for b, pv in zip(slope, p_value)], dtype=object)


def count_trends(waves, observed, expected, polarity: str, alpha: float = TREND_ALPHA, min_waves: int = 3) -> dict:
    """:func:`count_trend` for many series at once: one row per series, one column per wave.

    ``observed`` and ``expected`` are (series x waves) arrays, ``waves`` the
    column's wave numbers. The Poisson regression is fitted by Newton-Raphson
    for all rows together (the same maximum-likelihood fit and Wald test as
    statsmodels' GLM, which :func:`count_trend` uses and the tests compare).
    Returns arrays ``slope``, ``p_value``, ``n_waves`` and ``label``.
    """
    from scipy import stats

    o = np.atleast_2d(np.asarray(observed, dtype=float))
    e = np.atleast_2d(np.asarray(expected, dtype=float))
    w = np.broadcast_to(np.asarray(waves, dtype=float), o.shape)
    ok = np.isfinite(o) & np.isfinite(e) & (e > 0)
    n = ok.sum(axis=1)
    x = np.where(ok, w, 0.0)
    xbar = np.divide(x.sum(axis=1), n, out=np.zeros(len(n)), where=n > 0)
    x = np.where(ok, w - xbar[:, None], 0.0)
    oo = np.where(ok, o, 0.0)
    log_e = np.where(ok, np.log(np.where(ok, e, 1.0)), 0.0)
    total_o, total_e = oo.sum(axis=1), np.where(ok, e, 0.0).sum(axis=1)
    a = np.log(np.where((total_o > 0) & (total_e > 0), total_o / np.where(total_e > 0, total_e, 1.0), 1.0))
    b = np.zeros(len(n))
    i11 = np.ones(len(n))
    for _ in range(50):
        mu = np.where(ok, np.exp(np.clip(log_e + a[:, None] + b[:, None] * x, -700, 700)), 0.0)
        r = oo - mu
        u0, u1 = r.sum(axis=1), (r * x).sum(axis=1)
        i00, i01, i11 = mu.sum(axis=1), (mu * x).sum(axis=1), (mu * x * x).sum(axis=1)
        det = i00 * i11 - i01 * i01
        good = det > 1e-300
        da = np.where(good, (i11 * u0 - i01 * u1) / np.where(good, det, 1.0), 0.0)
        db = np.where(good, (i00 * u1 - i01 * u0) / np.where(good, det, 1.0), 0.0)
        a, b = a + da, b + db
        if np.all(np.abs(db) < 1e-10) and np.all(np.abs(da) < 1e-10):
            break
    mu = np.where(ok, np.exp(np.clip(log_e + a[:, None] + b[:, None] * x, -700, 700)), 0.0)
    i00, i01, i11 = mu.sum(axis=1), (mu * x).sum(axis=1), (mu * x * x).sum(axis=1)
    det = i00 * i11 - i01 * i01
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(i00 / det)
        pv = 2.0 * stats.norm.sf(np.abs(b / se))
    distinct = np.array([np.unique(w[k][ok[k]]).size for k in range(len(n))])
    enough = (n >= min_waves) & (distinct >= 2)
    all_zero = enough & (total_o == 0)
    slope = np.where(enough & ~all_zero, b, np.nan)
    p_value = np.where(all_zero, 1.0, np.where(enough, np.nan_to_num(pv, nan=1.0), np.nan))
    label = _labels(slope, p_value, polarity, alpha)
    label[all_zero] = verdicts.NO_SIGNIFICANT_CHANGE
    label[~enough] = verdicts.MISSING
    return {"slope": slope, "p_value": p_value, "n_waves": n, "label": label}


def proportion_trends(
    waves, numerator, denominator, polarity: str, alpha: float = TREND_ALPHA, min_waves: int = 3
) -> dict:
    """:func:`proportion_trend` (Cochran-Armitage) for many series at once (series x waves arrays)."""
    from scipy import stats

    r = np.atleast_2d(np.asarray(numerator, dtype=float))
    n = np.atleast_2d(np.asarray(denominator, dtype=float))
    w = np.broadcast_to(np.asarray(waves, dtype=float), r.shape)
    ok = np.isfinite(r) & np.isfinite(n) & (n > 0)
    k = ok.sum(axis=1)
    r0, n0, x = np.where(ok, r, 0.0), np.where(ok, n, 0.0), np.where(ok, w, 0.0)
    big_n = n0.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = r0.sum(axis=1) / big_n
        xbar = (n0 * x).sum(axis=1) / big_n
        t = (r0 * (x - xbar[:, None]) * ok).sum(axis=1)
        v = p * (1 - p) * ((n0 * x * x).sum(axis=1) - (n0 * x).sum(axis=1) ** 2 / big_n)
        slope = t / (n0 * (x - xbar[:, None]) ** 2 * ok).sum(axis=1)
        chi2 = t * t / v
    distinct = np.array([np.unique(w[i][ok[i]]).size for i in range(len(k))])
    enough = (k >= min_waves) & (distinct >= 2)
    flat = enough & ~(v > 0)
    p_value = np.where(flat, 1.0, np.where(enough, stats.chi2.sf(chi2, 1), np.nan))
    slope = np.where(enough, slope, np.nan)
    label = _labels(np.where(flat, 0.0, slope), p_value, polarity, alpha)
    label[~enough] = verdicts.MISSING
    return {"slope": slope, "p_value": p_value, "n_waves": k, "label": label}
