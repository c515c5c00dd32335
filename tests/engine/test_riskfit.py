"""Method against risk (issue 17, point 7): adjusted R^2 and nested F-tests by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pipelines.engine.riskfit import adjusted_r2, method_vs_risk


def test_adjusted_r2_formula():
    assert adjusted_r2(0.81, 25, 4) == pytest.approx(1 - 0.19 * 24 / 20)
    assert adjusted_r2(0.39, 25, 1) == pytest.approx(1 - 0.61 * 24 / 23)
    assert math.isnan(adjusted_r2(0.5, 3, 2))


def _ss(y, groups):
    y = np.asarray(y, float)
    tot = ((y - y.mean()) ** 2).sum()
    within = sum(((y[groups == g] - y[groups == g].mean()) ** 2).sum() for g in np.unique(groups))
    return tot, within


def test_method_vs_risk_by_hand():
    y = np.array([1.0, 2.0, 3.0, 2.0, 4.0, 5.0, 4.5, 3.0])
    method = np.array(["a", "a", "a", "b", "b", "b", "c", "c"])
    risk = np.array([1.0, 2.0, 2.5, 1.5, 3.0, 4.0, 3.5, 2.0])
    res = method_vs_risk(y, method, risk)
    n = 8
    tot, within = _ss(y, method)
    r2m = 1 - within / tot
    assert res["r2_method"] == pytest.approx(r2m)
    assert res["adj_r2_method"] == pytest.approx(1 - (1 - r2m) * 7 / 5)
    r2r = np.corrcoef(y, risk)[0, 1] ** 2
    assert res["r2_risk"] == pytest.approx(r2r)
    assert res["adj_r2_risk"] == pytest.approx(1 - (1 - r2r) * 7 / 6)
    # full model by least squares by hand: columns 1, risk, b, c
    X = np.column_stack([np.ones(n), risk, method == "b", method == "c"]).astype(float)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    rss_full = ((y - X @ beta) ** 2).sum()
    rss_risk = (1 - r2r) * tot
    f = ((rss_risk - rss_full) / 2) / (rss_full / (n - 4))
    assert res["f_method_given_risk"] == pytest.approx(f)
    assert res["p_method_given_risk"] == pytest.approx(stats.f.sf(f, 2, n - 4))
    f2 = ((within - rss_full) / 1) / (rss_full / (n - 4))
    assert res["f_risk_given_method"] == pytest.approx(f2)
    assert res["p_risk_given_method"] == pytest.approx(stats.f.sf(f2, 1, n - 4))
    assert res["r2_full"] == pytest.approx(1 - rss_full / tot)
    assert res["n"] == 8 and res["n_methods"] == 3


def test_method_vs_risk_degenerate():
    res = method_vs_risk([1.0, 2.0, 3.0], ["a", "a", "a"], [1.0, 2.0, 4.0])
    assert math.isnan(res["r2_method"]) and math.isnan(res["p_method_given_risk"])
    assert res["r2_risk"] == pytest.approx(np.corrcoef([1, 2, 3], [1, 2, 4])[0, 1] ** 2)
    res = method_vs_risk([1.0, np.nan, 3.0, 4.0], ["a", "b", "b", "a"], [1.0, 2.0, 2.0, 2.0])
    assert res["n"] == 3
