"""Method against risk: adjusted R-squared and a nested-model F-test.

Issue 17, point 7. The plain ``r2_method`` (eta squared on up to five method
categories, one of them holding a single region) and ``r2_risk`` (one
continuous basis) are not comparable: R-squared grows with every parameter.
:func:`method_vs_risk` fits, by ordinary least squares (statsmodels):

* ``y ~ C(method)``: adjusted R-squared of the method alone;
* ``y ~ risk``: adjusted R-squared of the risk basis alone (one or more
  continuous columns);
* ``y ~ risk + C(method)``: the full model,

and two nested-model F-tests (``anova_lm`` of the smaller against the full
model): does the method add to the risk basis (``p_method_given_risk``), and
does the risk basis add to the method (``p_risk_given_method``)?
Adjusted R^2 = 1 - (1 - R^2) (n - 1) / (n - p - 1) (Wherry 1931).
With fewer observations than parameters + 2 the values are NaN.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["adjusted_r2", "method_vs_risk"]


def adjusted_r2(r2: float, n: int, p: int) -> float:
    """``1 - (1 - r2) (n - 1) / (n - p - 1)``; NaN when n - p - 1 <= 0."""
    if n - p - 1 <= 0 or not math.isfinite(r2):
        return math.nan
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)


def method_vs_risk(y, method, risk) -> dict:
    """Compare the method (categorical) with the risk basis (continuous) for one outcome.

    Args:
        y: outcome per region (e.g. kans_score of one wave).
        method: method category per region.
        risk: risk basis per region, 1-d or regions x columns.

    Returns a dict with ``n``, ``n_methods``, ``r2_method``,
    ``adj_r2_method``, ``r2_risk``, ``adj_r2_risk``, ``r2_full``,
    ``f_method_given_risk``, ``p_method_given_risk``,
    ``f_risk_given_method``, ``p_risk_given_method``. Rows with a missing
    value are dropped; NaN where a model cannot be fitted.
    """
    import pandas as pd
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    r = np.asarray(risk, dtype=float)
    if r.ndim == 1:
        r = r[:, None]
    df = pd.DataFrame({"y": np.asarray(y, dtype=float), "method": [None if m is None else str(m) for m in method]})
    cols = []
    for j in range(r.shape[1]):
        df[f"risk{j}"] = r[:, j]
        cols.append(f"risk{j}")
    df = df.dropna()
    cols = [c for c in cols if df[c].nunique() > 1]
    n, k = len(df), int(df["method"].nunique())
    out = dict(
        n=n,
        n_methods=k,
        r2_method=math.nan,
        adj_r2_method=math.nan,
        r2_risk=math.nan,
        adj_r2_risk=math.nan,
        r2_full=math.nan,
        f_method_given_risk=math.nan,
        p_method_given_risk=math.nan,
        f_risk_given_method=math.nan,
        p_risk_given_method=math.nan,
    )
    risk_terms = " + ".join(cols)
    if k >= 2 and n > k + 1:
        m_fit = smf.ols("y ~ C(method)", df).fit()
        out.update(r2_method=float(m_fit.rsquared), adj_r2_method=float(m_fit.rsquared_adj))
    if cols and n > len(cols) + 1:
        r_fit = smf.ols(f"y ~ {risk_terms}", df).fit()
        out.update(r2_risk=float(r_fit.rsquared), adj_r2_risk=float(r_fit.rsquared_adj))
    if k >= 2 and cols and n > len(cols) + k:
        full = smf.ols(f"y ~ {risk_terms} + C(method)", df).fit()
        out["r2_full"] = float(full.rsquared)
        a1 = anova_lm(r_fit, full)
        a2 = anova_lm(m_fit, full)
        out.update(
            f_method_given_risk=float(a1["F"].iloc[1]),
            p_method_given_risk=float(a1["Pr(>F)"].iloc[1]),
            f_risk_given_method=float(a2["F"].iloc[1]),
            p_risk_given_method=float(a2["Pr(>F)"].iloc[1]),
        )
    return out
