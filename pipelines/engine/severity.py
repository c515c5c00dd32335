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
import pandas as pd

from pipelines.contract import indicators, verdicts

__all__ = [
    "WEIGHT_ADOPTED",
    "WEIGHT_MODAL",
    "SEVERITY_CAP",
    "SEVERE",
    "funnel_severity",
    "z_beyond_limit",
    "uniform_severity",
    "severity_score",
]

WEIGHT_ADOPTED = 1.0
WEIGHT_MODAL = 0.5
SEVERITY_CAP = 5.0
#: From this severity on the site marks a deviation as severe: twice the verdict threshold (a funnel's
#: p <= 0.000001; against a uniform norm on average two steps per cell). A proposal, like the weights.
SEVERE = 2.0
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


# --------------------------------------------------------------------------
# The register's rows (the engine)
# --------------------------------------------------------------------------

#: Uniform-norm indicators judged on cells, by their module: the cells and their steps from the norm.
_CELL_SQL = {
    "middelen": """
        select wave, region_code, coalesce(norm_source = 'modaal', false) as modal,
               case when below_norm then coalesce(norm_rank - level_rank, 1) else 0 end as steps
        from int_equipment_cells""",
    "ringenmodel": """
        select wave, region_code, coalesce(norm_source = 'modaal', false) as modal,
               case when deviates then coalesce(abs(access_level - norm_level), 1) else 0 end as steps
        from int_ring_model_cells""",
}


def cell_severities(con) -> dict[str, pd.DataFrame]:
    """Per cell indicator: wave, region_code and the severity of its cells (:func:`uniform_severity`)."""
    out = {}
    cell_indicators = {
        i.modules[0]: i.id for i in indicators.INDICATORS if i.norm_type == "vastgesteld" and i.kind == "share"
    }
    for module, sql in _CELL_SQL.items():
        ind = cell_indicators[module]
        cells = con.execute(sql).df()
        if cells.empty:
            out[ind] = pd.DataFrame(columns=["wave", "region_code", "severity"])
            continue
        w = np.where(cells["modal"].astype(bool), WEIGHT_MODAL, WEIGHT_ADOPTED)
        cells["_w"] = w * cells["steps"].astype(float)
        g = cells.groupby(["wave", "region_code"])
        out[ind] = (g["_w"].sum() / g.size()).rename("severity").reset_index()
    return out


def p_unfavourable(reg: pd.DataFrame, exact_low: pd.Series) -> pd.Series:
    """One-sided p-value on the unfavourable side for the rows judged against limits.

    ``exact_low``: the exact lower-tail p-value where the verdict came from an
    exact test (``ex_count`` without overdispersion, small-denominator
    proportions), NaN elsewhere; there the normal tail of the z-score is used
    (for polarity ``both`` the side the value lies on).
    """
    from scipy import stats

    z = pd.to_numeric(reg["z_score"], errors="coerce").to_numpy(float)
    pol = reg["polarity"].to_numpy(object)
    normal = np.where(
        pol == "higher", stats.norm.cdf(z), np.where(pol == "lower", stats.norm.sf(z), stats.norm.sf(np.abs(z)))
    )
    exact = exact_low.reindex(reg.index).to_numpy(float)
    limit_based = reg["norm_type"].isin(["model", "landelijk"]).to_numpy()
    p = np.where(np.isfinite(exact), exact, normal)
    return pd.Series(np.where(limit_based, p, np.nan), index=reg.index)


def row_severities(reg: pd.DataFrame, p_unfav: pd.Series, cells: dict[str, pd.DataFrame]) -> pd.Series:
    """The severity of every unfavourable row (null for the others).

    Funnel rows: :func:`funnel_severity` of ``p_unfav``. Cell indicators: the
    cells' :func:`uniform_severity`. Other uniform norms (one yes/no value, or a
    count against 0): one step, weighted by the norm's source; for a count,
    the share of the counted items (characteristics in the plan).
    """
    unfav = reg["verdict"].isin(verdicts.UNFAVOURABLE).to_numpy()
    out = pd.Series(np.nan, index=reg.index, dtype=float)
    limit_based = reg["norm_type"].isin(["model", "landelijk"]).to_numpy()
    m = unfav & limit_based
    out[m] = funnel_severity(p_unfav[m].to_numpy(float))
    weight = np.where(reg["norm_source"].astype(object).to_numpy() == "modaal", WEIGHT_MODAL, WEIGHT_ADOPTED)
    uniform = unfav & ~limit_based
    for ind, f in reg[uniform].groupby("indicator_id"):
        if ind in cells:
            sev = f[["wave", "region_code"]].merge(cells[ind], on=["wave", "region_code"], how="left")["severity"]
            out[f.index] = sev.to_numpy(float)
        elif indicators.BY_ID[str(ind)].kind == "count" and indicators.BY_ID[str(ind)].polarity == "lower":
            share = f["numerator"].to_numpy(float) / f["denominator"].to_numpy(float)
            out[f.index] = share * weight[reg.index.get_indexer(f.index)]
        else:
            out[f.index] = weight[reg.index.get_indexer(f.index)]
    return out
