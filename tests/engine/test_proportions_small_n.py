"""Proportions with very small denominators (issue 17, point 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.engine.funnel import Z998, proportion_funnel
from pipelines.engine.proportions import (
    approximation_holds,
    binomial_limits,
    binomial_tail_p,
    binomial_verdict,
    proportion_verdict,
)


def test_zero_of_three_arcsine_flags_but_exact_test_does_not():
    res = proportion_funnel([0], [3], target=0.8, overdispersion=False)
    lower = math.sin(math.asin(math.sqrt(0.8)) - Z998 / (2 * math.sqrt(3))) ** 2
    assert res.lower_998[0] == pytest.approx(lower) and lower == pytest.approx(0.0455, abs=1e-3)
    assert bool(res.outside("998")[0]) is True  # the normal approximation flags it
    lo, hi = binomial_tail_p([0], [3], 0.8)
    assert lo[0] == pytest.approx(0.2**3) and hi[0] == 1.0
    v = proportion_verdict([0], [3], 0.8, res.lower_998, res.upper_998)
    assert v.tolist() == [0]


def test_zero_of_five_is_low_by_exact_test():
    assert binomial_tail_p([0], [5], 0.8)[0][0] == pytest.approx(0.2**5)
    res = proportion_funnel([0], [5], target=0.8, overdispersion=False)
    assert proportion_verdict([0], [5], 0.8, res.lower_998, res.upper_998).tolist() == [-1]


def test_one_of_one():
    res = proportion_funnel([1], [1], target=0.2, overdispersion=False)
    assert res.upper_998[0] == 1.0 and not res.outside("998")[0]
    assert binomial_tail_p([1], [1], 0.2)[1][0] == pytest.approx(0.2)
    assert proportion_verdict([1], [1], 0.2, res.lower_998, res.upper_998).tolist() == [0]
    # 0 of 1 at p0 = 0.9999: P(X = 0) = 0.0001 < 0.001: low, exact only
    assert binomial_verdict([0], [1], 0.9999).tolist() == [-1]


def test_large_n_uses_limits_and_agrees_with_exact():
    n = np.array([200, 200, 200, 400])
    r = np.array([60, 100, 140, 200])
    res = proportion_funnel(r, n, target=0.5, overdispersion=False)
    assert approximation_holds(n, 0.5).all()
    v = proportion_verdict(r, n, 0.5, res.lower_998, res.upper_998)
    assert v.tolist() == [-1, 0, 1, 0]
    assert v.tolist() == binomial_verdict(r, n, 0.5).tolist()


def test_overdispersed_and_empty():
    assert proportion_verdict([0], [3], 0.8, [0.05], [1.0], overdispersed=True).tolist() == [-1]
    assert proportion_verdict([0], [0], 0.8, [np.nan], [np.nan]).tolist() == [0]
    assert approximation_holds([10, 4], 0.5).tolist() == [True, False]


@pytest.mark.parametrize("p0", [0.02, 0.2, 0.5, 0.8, 0.9999])
@pytest.mark.parametrize("level", [0.001, 0.025])
def test_binomial_limits_agree_with_the_exact_test_for_every_count(p0, level):
    from scipy import stats

    for n in range(1, 41):
        lo, hi = binomial_limits([n], p0, level)
        for r in range(n + 1):
            # the exact test straight from scipy, not from the module
            low = stats.binom.cdf(r, n, p0) < level
            high = stats.binom.sf(r - 1, n, p0) < level
            assert (r / n < lo[0]) == low, (n, r)
            assert (r / n > hi[0]) == high, (n, r)


def test_binomial_limits_by_hand():
    # p0 = 0.8, 99.8%: 0 of 3 cannot be rejected (0.008), so the limit is drawn at 0
    lo, hi = binomial_limits([3, 5], 0.8, 0.001)
    assert lo[0] == 0.0 and hi[0] == 1.0
    # 0 of 5: P = 0.00032 < 0.001, 1 of 5: P(X <= 1) = 0.00672: a = 0, lower = 0.5 / 5
    assert lo[1] == pytest.approx(0.1)
    assert binomial_limits([0], 0.8)[0][0] != binomial_limits([0], 0.8)[0][0]  # NaN for n = 0
