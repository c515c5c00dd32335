"""Funnel-plot control limits for comparing the 25 safety regions.

A funnel plot shows, per unit (a safety region), a statistic against its
precision (expected count or denominator); limits around a target narrow as
precision grows. Outside 95 % is an alert, outside 99.8 % an alarm. Limits
after Spiegelhalter (2005, *Statistics in Medicine* 24:1185), following the R
package FunnelPlotR closely; pure numpy/scipy. Levels: ``Z95 = 1.959964``
and ``Z998 = 3.090232`` (two-sided normal quantiles; 2.5 % and 0.1 % a tail).

Standardised ratios O/E, :func:`ratio_funnel`
    *Without overdispersion*: the exact Poisson test of O given E decides
    (:mod:`pipelines.engine.poisson`): low when ``P(X <= O | E) < 0.001``
    (99.8 %) or ``< 0.025`` (95 %), high likewise on the upper tail; the drawn
    limits are Spiegelhalter's interpolated Poisson quantiles divided by E
    (:func:`~pipelines.engine.poisson.poisson_interpolated_limits`), written
    so that "outside the limit" and "the test rejects" agree for every
    integer O. FunnelPlotR's chi-square form ``chi2.ppf(Phi(-z), 2E) / 2E``
    is not used: at small E it flags far too many low counts (at E = 0.5,
    O = 0 is outside although ``P(O = 0) = 0.61``; Seaton and Manktelow
    2012). *With overdispersion* (SHMI): log scale, ``y = log(O/E)``,
    ``s = 1/sqrt(E)``, limits ``exp(+/- z sqrt(s^2 + tau^2))``.

Proportions r/n, :func:`proportion_funnel`
    Arcsine scale: ``y = asin(sqrt(r/n))``, ``s = 1/(2 sqrt(n))``, target
    ``asin(sqrt(p0))``, p0 by default ``sum(r)/sum(n)``. Limits
    ``target +/- z sqrt(s^2 + tau^2)`` are clamped to ``[0, pi/2]`` before
    ``sin(.)^2``, so they never fold back (FunnelPlotR does not clamp). For
    tiny n see :mod:`pipelines.engine.proportions` (exact binomial test).

Overdispersion (both kinds)
    Spiegelhalter et al. (2012, JRSS A 175:1): the z-scores
    ``(y - target)/s`` are trimmed 10 % per side, ``phi`` = mean of their
    squares (:func:`overdispersion_phi`), and when ``n phi > n - 1`` the
    DerSimonian-Laird (1986) variance (:func:`dersimonian_laird_tau2`)
    ``tau^2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w)``, ``w = 1/s^2``,
    else 0. Limits then use ``sqrt(s^2 + tau^2)``.

Which trimming: one named setting, :data:`OVERDISPERSION_METHOD`
    ``"winsorise"`` (Spiegelhalter 2005; Spiegelhalter et al. 2012; CQC):
    with ``m`` finite z-scores the ``g = floor(trim * m)`` most extreme per
    side are set to the next one and all ``m`` enter phi and tau^2 (as
    ``scipy.stats.mstats.winsorize``). ``"truncate"`` (NHS Digital SHMI;
    FunnelPlotR's default for ratios): average ranks r, ``k = 1/trim``, a
    unit is dropped when ``floor(r k / (m + 1))`` is 0 or at least
    ``k - 1``; phi and tau^2 use the kept units only (:func:`truncated_z`).
    Both tested: O = (100, 150, 180, 80, 120, 225), E = (108, 112, 165, 95,
    100, 220) gives phi = 2.948033 under both (nothing touched at m = 6);
    FunnelPlotR's 54-unit ``medpar`` example gives phi = 8.532851,
    tau^2 = 0.02841023 under ``truncate`` (44 kept) and 11.075039 /
    0.038152 under ``winsorise``. With 25 regions both touch 2 per side.
    Default ``winsorise``: the DerSimonian-Laird moment estimator is
    unbiased only when all units enter; truncation biases tau^2 down twice
    (smaller phi, fewer units). In 1000 simulated sets of 25 regions
    (E 20-200, true tau^2 = 0.04 on the log scale, no real outliers) the
    mean tau^2 was 0.029 winsorised and 0.020 truncated, and the regions
    outside 99.8 % per set 0.27 against 0.57 (0.05 expected): truncation
    doubles the false alarms. Winsorising still caps what a genuine outlier
    can add. The small-count power problem is met by pooling waves
    (:mod:`pipelines.engine.trend`), not by a smaller tau^2.

Edge cases (none raise)
    * ``E == 0``/``n == 0``/missing: value, z and limits NaN; left out of phi.
    * ``O == 0`` (log method): z = ``-inf``, below every lower limit; left out
      of phi and tau^2 before trimming (FunnelPlotR passes ``-Inf`` on).
    * ``r == 0`` and ``r == n`` are ordinary units (angles 0 and pi/2).
    * Fewer than two usable units: phi NaN, tau^2 = 0. All at target: 0, 0.
    * ``n phi <= n - 1``: tau^2 = 0, ``overdispersed`` False, unadjusted limits.
    * Negative counts, ``r > n``, mismatched lengths, trim outside
      ``[0, 0.5)`` or an unknown method raise :class:`ValueError`.

Differences from FunnelPlotR: E is not rounded to two decimals (SHMI
rounds), and with ``overdispersion=False`` phi is still reported (not applied).

Module layout: the trimming, phi and tau^2 live in
:mod:`pipelines.engine.overdispersion` and are re-exported here; this module
builds the limits and the funnels. Like it, it imports only numpy, scipy and
its sibling statistics modules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.engine.overdispersion import (
    OVERDISPERSION_METHOD,
    _check_method,
    _check_trim,
    _trimmed,
    dersimonian_laird_tau2,
    overdispersion_phi,
    truncated_z,
    winsorised_z,
)
from pipelines.engine.poisson import P95, P998, poisson_interpolated_limits

__all__ = [
    "Z95",
    "Z998",
    "FunnelResult",
    "OVERDISPERSION_METHOD",
    "winsorised_z",
    "truncated_z",
    "overdispersion_phi",
    "dersimonian_laird_tau2",
    "ratio_funnel",
    "proportion_funnel",
]

Z95 = 1.959964
Z998 = 3.090232

_HALF_PI = math.pi / 2.0


@dataclass(frozen=True)
class FunnelResult:
    """Funnel limits and the overdispersion estimate for a set of units.

    All arrays have one entry per unit, in input order.

    Attributes:
        target: centre line on the natural scale (1.0 for ratios, p0 for
            proportions).
        phi: dispersion ratio, mean squared winsorised z-score; NaN when
            fewer than two units are usable.
        tau2: additive between-unit variance on the transformed scale;
            0.0 when no overdispersion adjustment was applied.
        overdispersed: True when ``n * phi > n - 1`` and tau2 was applied.
        n_trimmed_low, n_trimmed_high: number of units whose z-score the
            winsorisation changed at the low and high end.
        value: the plotted statistic, O/E or r/n (NaN where E or n is 0).
        z: z-score on the transformed scale,
            ``(y - target) / sqrt(s^2 + tau2)`` (tau2 = 0 unless
            overdispersed).
        lower_95, upper_95, lower_998, upper_998: control limits on the
            natural scale of ``value``.
        method: ``"winsorise"`` or ``"truncate"``; with ``truncate`` the
            n_trimmed counts are units dropped from phi and tau^2.
    """

    target: float
    phi: float
    tau2: float
    overdispersed: bool
    n_trimmed_low: int
    n_trimmed_high: int
    value: np.ndarray
    z: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    method: str = "winsorise"

    def outside(self, level: str = "998") -> np.ndarray:
        """Return a boolean array: True where ``value`` lies outside the limits.

        ``level`` is ``"95"`` or ``"998"``. Units with NaN limits or values
        are reported as False (not flagged).
        """
        if level == "95":
            lo, hi = self.lower_95, self.upper_95
        elif level == "998":
            lo, hi = self.lower_998, self.upper_998
        else:
            raise ValueError(f"level must be '95' or '998', not {level!r}")
        with np.errstate(invalid="ignore"):
            return (self.value < lo) | (self.value > hi)


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Funnels
# --------------------------------------------------------------------------


def _as_pair(a, b, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    x = np.atleast_1d(np.asarray(a, dtype=float)).reshape(-1)
    y = np.atleast_1d(np.asarray(b, dtype=float)).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"{names[0]} and {names[1]} differ in length: {x.size} and {y.size}")
    with np.errstate(invalid="ignore"):
        if np.any(x < 0) or np.any(y < 0):
            raise ValueError(f"{names[0]} and {names[1]} must not be negative")
    return x, y


def _estimate(z0: np.ndarray, s: np.ndarray, usable: np.ndarray, trim: float, method: str = "winsorise"):
    """phi, tau2 and the trim counts from the unadjusted z-scores."""
    zu, su = z0[usable], s[usable]
    phi = overdispersion_phi(zu, trim, method)
    if zu.size >= 2:
        kept, n_low, n_high = _trimmed(zu, trim, method)
        if method == "truncate":
            su = su[np.isfinite(kept)]
    else:
        n_low = n_high = 0
    tau2 = dersimonian_laird_tau2(phi, su, n=int(su.size))
    return phi, tau2, n_low, n_high


def ratio_funnel(
    observed,
    expected,
    overdispersion: bool = True,
    trim: float = 0.1,
    method: str | None = None,
    dispersion: FunnelResult | None = None,
) -> FunnelResult:
    """Funnel limits for standardised ratios O/E (target 1).

    The z-score of each unit is ``log(O/E) / sqrt(1/E + tau2)``. phi is
    always estimated from the (winsorised) unadjusted z-scores of units
    with E > 0 and O > 0.

    * ``overdispersion=True`` and ``n * phi > n - 1``: tau^2 by
      DerSimonian-Laird, limits ``exp(+/- z * sqrt(1/E + tau^2))`` and
      ``overdispersed=True``.
    * otherwise (no overdispersion found, too few units, or
      ``overdispersion=False``): the interpolated Poisson limits that agree
      with the exact test, ``tau2=0``, ``overdispersed=False``.

    Units with E == 0 get NaN value, z and limits; units with O == 0 get
    limits and z = -inf but do not enter phi (see the module docstring).

    Args:
        observed: observed counts O (non-negative).
        expected: expected counts E (non-negative), same length.
        overdispersion: allow the random-effects adjustment.
        trim: trimming share per side for phi (default 0.1).
        method: ``"winsorise"``/``"truncate"``; None: OVERDISPERSION_METHOD.
        dispersion: take phi, tau^2 and the trimming counts from this earlier
            result instead of estimating them from these units (the engine
            estimates them once on all region-waves of the count model).

    Returns:
        A :class:`FunnelResult` with target 1.0.
    """
    trim = _check_trim(trim)
    method = _check_method(method)
    o, e = _as_pair(observed, expected, ("observed", "expected"))
    has_e = np.isfinite(e) & (e > 0) & np.isfinite(o)
    value = np.full(o.shape, np.nan)
    value[has_e] = o[has_e] / e[has_e]

    s = np.full(o.shape, np.nan)
    s[has_e] = 1.0 / np.sqrt(e[has_e])
    y = np.full(o.shape, np.nan)
    with np.errstate(divide="ignore"):
        y[has_e] = np.log(value[has_e])  # -inf where O == 0
    z0 = y / s
    usable = has_e & np.isfinite(z0)

    if dispersion is None:
        phi, tau2, n_low, n_high = _estimate(z0, s, usable, trim, method)
    else:
        phi, tau2 = dispersion.phi, dispersion.tau2
        n_low, n_high = dispersion.n_trimmed_low, dispersion.n_trimmed_high
    overdispersed = bool(overdispersion and tau2 > 0)
    if not overdispersed:
        tau2 = 0.0

    sd = np.sqrt(s * s + tau2)
    z_out = y / sd
    if overdispersed:
        limits = {lvl: (np.exp(-zq * sd), np.exp(zq * sd)) for lvl, zq in (("95", Z95), ("998", Z998))}
    else:
        e_ok = np.where(has_e, e, np.nan)
        limits = {"95": poisson_interpolated_limits(e_ok, P95), "998": poisson_interpolated_limits(e_ok, P998)}
    return FunnelResult(
        target=1.0,
        phi=phi,
        tau2=float(tau2),
        overdispersed=overdispersed,
        n_trimmed_low=n_low,
        n_trimmed_high=n_high,
        value=value,
        z=z_out,
        lower_95=limits["95"][0],
        upper_95=limits["95"][1],
        lower_998=limits["998"][0],
        upper_998=limits["998"][1],
        method=method,
    )


def _arcsine_back(angle: np.ndarray) -> np.ndarray:
    """sin(angle)^2 with the angle clamped to [0, pi/2]; exact 0 and 1 at the ends."""
    out = np.sin(np.clip(angle, 0.0, _HALF_PI)) ** 2
    out = np.where(angle <= 0.0, 0.0, out)
    out = np.where(angle >= _HALF_PI, 1.0, out)
    return np.where(np.isnan(angle), np.nan, out)


def proportion_funnel(
    numerator,
    denominator,
    target: float | None = None,
    overdispersion: bool = True,
    trim: float = 0.1,
    method: str | None = None,
) -> FunnelResult:
    """Funnel limits for proportions r/n on the arcsine-square-root scale.

    ``y = asin(sqrt(r/n))``, ``s = 1/(2 sqrt(n))``, centre
    ``asin(sqrt(p0))``. phi comes from the winsorised z-scores
    ``(y - centre)/s``; with ``overdispersion=True`` and
    ``n * phi > n - 1`` the DerSimonian-Laird tau^2 widens the limits.
    Limits ``centre +/- z * sqrt(s^2 + tau^2)`` are clamped to
    ``[0, pi/2]`` and mapped back with ``sin(.)^2``, so they lie in [0, 1].

    Units with n == 0 get NaN value, z and limits and do not enter phi.
    r == 0 and r == n are ordinary units.

    Args:
        numerator: event counts r (non-negative, r <= n).
        denominator: group sizes n (non-negative), same length.
        target: the proportion p0 to compare against, in [0, 1]; None
            (default) uses the pooled proportion ``sum(r) / sum(n)`` over
            units with n > 0.
        overdispersion: allow the random-effects adjustment.
        trim: trimming share per side for phi (default 0.1).
        method: ``"winsorise"``/``"truncate"``; None: OVERDISPERSION_METHOD.

    Returns:
        A :class:`FunnelResult` with ``target`` = p0. If no unit has n > 0
        and no target is given, p0 and everything else is NaN.
    """
    trim = _check_trim(trim)
    method = _check_method(method)
    r, n = _as_pair(numerator, denominator, ("numerator", "denominator"))
    has_n = np.isfinite(n) & (n > 0) & np.isfinite(r)
    if np.any(r[has_n] > n[has_n]):
        raise ValueError("numerator must not exceed denominator")

    if target is None:
        total = float(n[has_n].sum())
        p0 = float(r[has_n].sum()) / total if total > 0 else float("nan")
    else:
        p0 = float(target)
        if not (0.0 <= p0 <= 1.0):
            raise ValueError(f"target must be a proportion in [0, 1], not {p0}")
    centre = math.asin(math.sqrt(p0)) if math.isfinite(p0) else float("nan")

    value = np.full(r.shape, np.nan)
    value[has_n] = r[has_n] / n[has_n]
    s = np.full(r.shape, np.nan)
    s[has_n] = 1.0 / (2.0 * np.sqrt(n[has_n]))
    y = np.arcsin(np.sqrt(value))
    z0 = (y - centre) / s
    usable = has_n & np.isfinite(z0)

    phi, tau2, n_low, n_high = _estimate(z0, s, usable, trim, method)
    overdispersed = bool(overdispersion and tau2 > 0)
    if not overdispersed:
        tau2 = 0.0

    sd = np.sqrt(s * s + tau2)
    z_out = (y - centre) / sd
    lims = {}
    for lvl, zq in (("95", Z95), ("998", Z998)):
        lims[lvl] = (_arcsine_back(centre - zq * sd), _arcsine_back(centre + zq * sd))
    return FunnelResult(
        target=p0,
        phi=phi,
        tau2=float(tau2),
        overdispersed=overdispersed,
        n_trimmed_low=n_low,
        n_trimmed_high=n_high,
        value=value,
        z=z_out,
        lower_95=lims["95"][0],
        upper_95=lims["95"][1],
        lower_998=lims["998"][0],
        upper_998=lims["998"][1],
        method=method,
    )
