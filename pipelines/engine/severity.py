"""Severity of unfavourable deviations and a severity-weighted score.

Issue 17, point 6. Counting verdicts hides size: 3 of 64 equipment cells
below a *modal* norm counted as much as a region that held no exercise.
The severities below are on one scale, **1 = just at the verdict threshold**,
so they can be summed per region beside the plain counts.

* Funnel indicators (:func:`funnel_severity`): ``-log10(p) / 3`` with p the
  one-sided p-value on the unfavourable side (exact Poisson tail, or
  ``Phi(-|z|)`` for the normal-scale funnels). p = 0.001 (the 99.8 % limit)
  gives 1; p = 0.00001 gives 5/3. :func:`z_beyond_limit` gives the plain
  distance ``|z| - 3.090232`` beyond the 99.8 % limit for display.
* Uniform norms (:func:`uniform_severity`): per deviating cell its distance
  in ordinal steps from the norm (for yes/no norms 1), weighted
  :data:`WEIGHT_ADOPTED` = 1.0 when the norm is adopted (``vastgesteld``)
  and :data:`WEIGHT_MODAL` = 0.5 when it is the national mode (``modaal``):
  the mode of 25 regions is a description of practice, not a policy
  decision, and is known with less certainty (it can flip with one region).
  Severity = sum(weight x steps) / cells, scaled so that every cell one
  step below an adopted norm gives 1: ``3 of 64`` cells one step below a
  modal norm gives 3 x 0.5 / 64 = 0.023. A single yes/no norm (one cell)
  failed against an adopted norm gives 1.
* :func:`severity_score`: per region, the sum of the severities of its
  unfavourable deviations, each capped at :data:`SEVERITY_CAP` = 5 so that
  one extreme p-value cannot outweigh everything else.

These weights are a proposal to be confirmed by the inspectorate; they are
named constants in one place.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "WEIGHT_ADOPTED",
    "WEIGHT_MODAL",
    "SEVERITY_CAP",
    "funnel_severity",
    "z_beyond_limit",
    "uniform_severity",
    "severity_score",
]

WEIGHT_ADOPTED = 1.0
WEIGHT_MODAL = 0.5
SEVERITY_CAP = 5.0
_Z998 = 3.090232


def funnel_severity(p_one_sided) -> np.ndarray:
    """``-log10(p) / 3`` per unit (1 at p = 0.001); NaN where p is missing; p = 0 gives inf."""
    p = np.atleast_1d(np.asarray(p_one_sided, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.log10(p) / 3.0


def z_beyond_limit(z, unfavourable_side: str = "low", z_limit: float = _Z998) -> np.ndarray:
    """How far the z-score lies beyond the limit on the unfavourable side, else 0.

    ``unfavourable_side`` ``low`` (polarity higher) or ``high``.
    """
    z = np.atleast_1d(np.asarray(z, dtype=float))
    if unfavourable_side == "low":
        d = -z - z_limit
    elif unfavourable_side == "high":
        d = z - z_limit
    else:
        raise ValueError("unfavourable_side must be 'low' or 'high'")
    return np.where(np.isnan(z), np.nan, np.maximum(d, 0.0))


def uniform_severity(steps, modal, n_cells: int | None = None) -> float:
    """Severity of a uniform-norm deviation from its deviating cells.

    Args:
        steps: per deviating cell the distance from the norm in ordinal steps
            (>= 0; cells at the norm may be included with 0).
        modal: per cell True when its norm is modal, False when adopted.
        n_cells: cells in the matrix (default: len(steps)).

    Returns:
        sum(weight x steps) / n_cells; 0.0 when no cell deviates.
    """
    s = np.asarray(steps, dtype=float).reshape(-1)
    m = np.asarray(modal, dtype=bool).reshape(-1)
    if s.shape != m.shape:
        raise ValueError("steps and modal differ in length")
    if np.any(s < 0):
        raise ValueError("steps must not be negative")
    n = s.size if n_cells is None else int(n_cells)
    if n <= 0:
        return 0.0
    w = np.where(m, WEIGHT_MODAL, WEIGHT_ADOPTED)
    return float((w * s).sum() / n)


def severity_score(severities, cap: float = SEVERITY_CAP) -> float:
    """Sum of the severities of one region's unfavourable deviations, each capped.

    NaN entries are ignored; an empty list gives 0.0.
    """
    x = np.asarray(list(severities), dtype=float).reshape(-1)
    x = x[~np.isnan(x)]
    return float(np.minimum(x, cap).sum()) if x.size else 0.0
