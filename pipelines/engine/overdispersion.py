"""Overdispersion of funnel z-scores: trimming, phi and DerSimonian-Laird tau^2.

The building blocks that :mod:`pipelines.engine.funnel` uses to widen its
limits (Spiegelhalter et al. 2012): winsorised or truncated z-scores
(:func:`winsorised_z`, :func:`truncated_z`, chosen by the one named setting
:data:`OVERDISPERSION_METHOD`), the dispersion ratio phi
(:func:`overdispersion_phi`) and the additive variance tau^2
(:func:`dersimonian_laird_tau2`). The method and its choice are documented
in the funnel module's docstring. This module does not compute control limits
or funnels and knows nothing of regions or marts; pure numpy/scipy.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "OVERDISPERSION_METHOD",
    "winsorised_z",
    "truncated_z",
    "overdispersion_phi",
    "dersimonian_laird_tau2",
]

#: The one place the trimming of z-scores for phi and tau^2 is chosen.
OVERDISPERSION_METHOD = "winsorise"
_METHODS = ("winsorise", "truncate")


def _check_trim(trim: float) -> float:
    trim = float(trim)
    if not (0.0 <= trim < 0.5):
        raise ValueError(f"trim must be in [0, 0.5), not {trim}")
    return trim


def winsorised_z(z, trim: float = 0.1) -> tuple[np.ndarray, int, int]:
    """Winsorise z-scores by count, ``trim`` per side.

    With ``m`` finite z-scores, ``g = floor(trim * m)`` of the lowest values
    are replaced by the (g+1)-th lowest and ``g`` of the highest by the
    (g+1)-th highest. Non-finite entries (NaN, +/-inf) are returned
    unchanged and do not count towards ``m``.

    Args:
        z: z-scores, any 1-d array-like.
        trim: share to winsorise at each end, in ``[0, 0.5)``; default 10%.

    Returns:
        ``(winsorised, n_low, n_high)``: a new float array the same length as
        ``z``, and how many values were actually changed at the low and the
        high end (ties with the clamping value count as unchanged).

    Example:
        >>> w, lo, hi = winsorised_z(range(10), trim=0.1)
        >>> w.tolist(), lo, hi
        ([1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0], 1, 1)
    """
    trim = _check_trim(trim)
    out = np.array(z, dtype=float, copy=True).reshape(-1)
    finite = np.isfinite(out)
    m = int(finite.sum())
    if m == 0:
        return out, 0, 0
    # The small epsilon keeps e.g. 0.1 * 30 from flooring to 2 through
    # floating-point error.
    g = int(math.floor(trim * m + 1e-9))
    if g == 0:
        return out, 0, 0
    ordered = np.sort(out[finite])
    lo, hi = ordered[g], ordered[m - 1 - g]
    vals = out[finite]
    n_low = int((vals < lo).sum())
    n_high = int((vals > hi).sum())
    out[finite] = np.clip(vals, lo, hi)
    return out, n_low, n_high


def _check_method(method: str | None) -> str:
    method = OVERDISPERSION_METHOD if method is None else method
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, not {method!r}")
    return method


def truncated_z(z, trim: float = 0.1) -> tuple[np.ndarray, int, int]:
    """SHMI / FunnelPlotR truncation: drop the most extreme z-scores per side.

    With ``m`` finite z-scores, average ranks r and ``k = 1/trim``, a value is
    dropped (set to NaN) when ``floor(r * k / (m + 1))`` is 0 (low side) or
    at least ``k - 1`` (high side). With trim = 0.1: 2 per side at m = 25,
    5 at m = 54, none at m = 6. Non-finite entries are returned unchanged.

    Returns ``(kept, n_low, n_high)``: a new array with dropped values NaN,
    and how many were dropped at each side.
    """
    from scipy.stats import rankdata

    trim = _check_trim(trim)
    out = np.array(z, dtype=float, copy=True).reshape(-1)
    finite = np.isfinite(out)
    m = int(finite.sum())
    if m == 0 or trim == 0.0:
        return out, 0, 0
    k = 1.0 / trim
    sp = np.floor(rankdata(out[finite]) * k / (m + 1) + 1e-9)
    low, high = sp <= 0, sp >= k - 1
    vals = out[finite]
    vals[low | high] = np.nan
    out[finite] = vals
    return out, int(low.sum()), int(high.sum())


def _trimmed(z, trim: float, method: str):
    if method == "truncate":
        return truncated_z(z, trim)
    return winsorised_z(z, trim)


def overdispersion_phi(z, trim: float = 0.1, method: str | None = None) -> float:
    """Return the dispersion ratio phi: the mean squared winsorised z-score.

    Only finite z-scores are used (NaN and +/-inf are dropped first). phi
    near 1 means the spread is what sampling error predicts; phi well above
    1 means overdispersion.

    Args:
        z: z-scores ``(y - target) / s`` on the transformed scale.
        trim: share to trim at each end (see :func:`winsorised_z`).
        method: ``"winsorise"`` or ``"truncate"``; None uses
            :data:`OVERDISPERSION_METHOD`. Truncated units leave the mean.

    Returns:
        phi as a float, or NaN when fewer than two finite z-scores remain
        (with one unit there is no between-unit spread to measure).
    """
    method = _check_method(method)
    arr = np.asarray(z, dtype=float).reshape(-1)
    arr = arr[np.isfinite(arr)]
    if arr.size < 2:
        _check_trim(trim)
        return float("nan")
    w, _, _ = _trimmed(arr, trim, method)
    w = w[np.isfinite(w)]
    return float(np.mean(w * w)) if w.size else float("nan")


def dersimonian_laird_tau2(phi: float, s, n: int | None = None) -> float:
    """Return the DerSimonian-Laird between-unit variance tau^2.

    ``tau^2 = (n*phi - (n-1)) / (sum(w) - sum(w^2)/sum(w))`` with
    ``w = 1/s^2``, applied only when ``n * phi > n - 1``; otherwise 0.

    Args:
        phi: dispersion ratio from :func:`overdispersion_phi`.
        s: within-unit standard errors on the transformed scale, one per
            unit used for phi. Non-finite or non-positive entries are ignored.
        n: number of units behind phi; defaults to the number of usable
            entries in ``s``.

    Returns:
        tau^2 >= 0. Returns 0.0 when phi is NaN, fewer than two units are
        usable, there is no overdispersion, or the weights give a
        zero denominator.
    """
    s_arr = np.asarray(s, dtype=float).reshape(-1)
    s_arr = s_arr[np.isfinite(s_arr) & (s_arr > 0)]
    if n is None:
        n = int(s_arr.size)
    if phi is None or not math.isfinite(phi) or n < 2 or s_arr.size < 2:
        return 0.0
    excess = n * phi - (n - 1)
    if excess <= 0:
        return 0.0
    w = 1.0 / (s_arr * s_arr)
    sw = float(w.sum())
    denom = sw - float((w * w).sum()) / sw
    if not denom > 0:
        return 0.0
    return float(max(0.0, excess / denom))
