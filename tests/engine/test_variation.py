"""Size of the variation (issue 17, point 5): hand values."""

from __future__ import annotations

import math

import pytest

from pipelines.engine.variation import (
    expected_false_alarms,
    fold_variation,
    p90_p10_ratio,
    systematic_component,
    tau2_natural,
)


def test_fold_and_percentile_ratio():
    rates = [0.5, 1.0, 2.0, float("nan"), 4.0]
    assert fold_variation(rates) == 8.0
    assert math.isnan(fold_variation([0.0, 1.0, 2.0]))
    assert math.isnan(fold_variation([1.0]))
    # 11 values 1..11: P10 = 2, P90 = 10 (type 7)
    assert p90_p10_ratio(list(range(1, 12))) == pytest.approx(5.0)
    assert math.isnan(p90_p10_ratio([0, 0, 0, 5]))


def test_scv_by_hand():
    o, e = [10, 20, 5], [10.0, 10.0, 10.0]
    # ((0 + 100 + 25) / 100 - 0.3) / 3 = (1.25 - 0.3) / 3
    assert systematic_component(o, e) == pytest.approx(0.95 / 3)
    # O = E everywhere: -(mean 1/E)
    assert systematic_component([4, 8], [4.0, 8.0]) == pytest.approx(-(0.25 + 0.125) / 2)
    assert math.isnan(systematic_component([1], [1.0]))
    assert systematic_component([10, 20, 5, 3], [10.0, 10.0, 10.0, 0.0]) == pytest.approx(0.95 / 3)


def test_tau2_natural_ratio_by_hand():
    o, e = [10, 20, 5], [10.0, 10.0, 10.0]
    # y = 1, 2, 0.5; w = 10 each; ybar = 7/6; Q = 10 * sum (y - 7/6)^2
    ybar = 3.5 / 3
    q = 10 * ((1 - ybar) ** 2 + (2 - ybar) ** 2 + (0.5 - ybar) ** 2)
    expected = (q - 2) / (30 - 300 / 30)
    assert tau2_natural(o, e) == pytest.approx(expected)
    assert tau2_natural([10, 10], [10.0, 10.0]) == 0.0


def test_tau2_natural_proportion_by_hand():
    r, n = [10, 30], [100, 100]
    p = 0.2
    w = 100 / (p * (1 - p))
    q = w * (0.1**2 + 0.1**2)
    assert tau2_natural(r, n, "proportion") == pytest.approx((q - 1) / (2 * w - 2 * w * w / (2 * w)))
    assert tau2_natural([0, 0], [5, 5], "proportion") == 0.0
    with pytest.raises(ValueError):
        tau2_natural(r, n, "rate")


def test_expected_false_alarms():
    assert expected_false_alarms(25) == pytest.approx(0.05)
    assert expected_false_alarms(25 * 14, 0.95) == pytest.approx(17.5)
    with pytest.raises(ValueError):
        expected_false_alarms(5, 1.5)
