"""Exact Poisson test and interpolated limits (issue 17, point 1).

Reference values are computed here by hand from the Poisson pmf with
``math``; the verdict grid is checked against scipy.stats.poisson directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pipelines.engine.poisson import (
    P95,
    P998,
    poisson_interpolated_limits,
    poisson_tail_p,
    poisson_verdict,
)


def _cdf(k, mu):
    return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1)) if k >= 0 else 0.0


GRID = np.unique(np.concatenate([np.linspace(0.2, 10, 197), np.linspace(10, 200, 381)]))


@pytest.mark.parametrize("p", [P998, pytest.param(P95, marks=pytest.mark.slow)])  # a second level: same code, 1 s
def test_limits_agree_with_exact_test_for_every_integer(p):
    for e in GRID:
        o = np.arange(0, int(3 * e + 10) + 1)
        lo, hi = poisson_interpolated_limits(e, p)
        v = o / e
        ref_low = stats.poisson.cdf(o, e) < p
        ref_high = stats.poisson.sf(o - 1, e) < p
        np.testing.assert_array_equal(v < lo[0], ref_low, err_msg=f"E={e}")
        np.testing.assert_array_equal(v > hi[0], ref_high, err_msg=f"E={e}")
        verdict = poisson_verdict(o, np.full(o.shape, e), p)
        np.testing.assert_array_equal(verdict == -1, ref_low)
        np.testing.assert_array_equal(verdict == 1, ref_high)
    assert ref_low.any() and ref_high.any()  # the last grid point has both tails


@pytest.mark.parametrize("p", [P998, P95])
def test_limits_monotone_in_expected(p):
    e = np.linspace(0.2, 200, 4000)
    lo, hi = poisson_interpolated_limits(e, p)
    assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) <= 0)
    assert np.all(np.diff(lo * e) >= 0) and np.all(np.diff(hi * e) >= 0)
    assert np.all(lo >= 0) and np.all(lo < 1) and np.all(hi > 1)


def test_reference_limits_by_hand():
    # E = 10, p = 0.025. Lower: F(3) = 0.0103 < p <= F(4) = 0.0293, so r = 4,
    # alpha = (F(4) - p) / (F(4) - F(3)).
    f3, f4 = _cdf(3, 10), _cdf(4, 10)
    assert f3 < 0.025 <= f4
    low = (4 - (f4 - 0.025) / (f4 - f3)) / 10
    # Upper: P(X >= 17) = 0.0270 >= p > P(X >= 18) = 0.0143, so U = 18 and
    # H = 17 + (P(X >= 17) - p) / P(X = 17).
    t17 = 1 - _cdf(16, 10)
    assert t17 >= 0.025 > 1 - _cdf(17, 10)
    high = (17 + (t17 - 0.025) / (_cdf(17, 10) - _cdf(16, 10))) / 10
    lo, hi = poisson_interpolated_limits([10.0], P95)
    assert lo[0] == pytest.approx(low, rel=1e-9) and lo[0] == pytest.approx(0.37752, abs=1e-4)
    assert hi[0] == pytest.approx(high, rel=1e-9) and hi[0] == pytest.approx(1.71601, abs=1e-4)

    # E = 4, p = 0.001: F(0) = e^-4 = 0.0183 >= p, so r = 0 and the lower limit
    # (0 - alpha) / 4 is negative: drawn at 0, and O = 0 is not an alarm.
    lo, hi = poisson_interpolated_limits([4.0], P998)
    assert lo[0] == 0.0
    assert poisson_verdict([0], [4.0], P998)[0] == 0
    # Upper: P(X >= 11) = 0.00284 >= p > P(X >= 12) = 0.000915, so U = 12.
    t11 = 1 - _cdf(10, 4)
    assert t11 >= 0.001 > 1 - _cdf(11, 4)
    h = (11 + (t11 - 0.001) / (_cdf(11, 4) - _cdf(10, 4))) / 4
    assert hi[0] == pytest.approx(h, rel=1e-9) and hi[0] == pytest.approx(2.989, abs=1e-3)
    assert poisson_verdict([11, 12], [4.0, 4.0], P998).tolist() == [0, 1]


def test_issue_case_small_expected_zero_count_not_flagged():
    # E = 0.5, O = 0: P(O = 0) = 0.61; the chi-square limits flagged this.
    p_low, p_high = poisson_tail_p([0], [0.5])
    assert p_low[0] == pytest.approx(math.exp(-0.5)) and p_high[0] == 1.0
    assert poisson_verdict([0], [0.5]).tolist() == [0]
    # E = 9, O = 0: P = e^-9 = 0.000123 < 0.001: an alarm
    assert poisson_verdict([0], [9.0]).tolist() == [-1]


def test_unusable_expected():
    lo, hi = poisson_interpolated_limits([0.0, np.nan, 5.0])
    assert np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all() and np.isfinite(hi[2])
    assert poisson_verdict([1, 1], [0.0, np.nan]).tolist() == [0, 0]
    with pytest.raises(ValueError):
        poisson_interpolated_limits([1.0], 0.6)


def test_ratio_funnel_draws_the_limits_of_the_exact_test():
    from pipelines.engine.funnel import ratio_funnel

    o = np.array([0, 3, 5, 9, 2, 14])
    e = np.array([0.5, 4.0, 5.0, 6.0, 3.0, 4.0])
    res = ratio_funnel(o, e, overdispersion=False)
    assert res.outside("998").tolist() == (poisson_verdict(o, e, P998) != 0).tolist()
    assert res.outside("95").tolist() == (poisson_verdict(o, e, P95) != 0).tolist()
    assert not res.outside("998")[0]  # E = 0.5, O = 0: P(O = 0) = 0.61, no alarm
    assert res.outside("998")[5]  # 14 against 4: P(X >= 14) < 0.001
    od = ratio_funnel([100, 150, 180, 80, 120, 225], [108, 112, 165, 95, 100, 220])
    assert od.overdispersed  # then the log-scale limits stay
    assert od.upper_998[0] == pytest.approx(np.exp(3.090232 * np.sqrt(1 / 108 + od.tau2)))
