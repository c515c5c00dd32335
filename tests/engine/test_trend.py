"""Pooled window, persistence and trend tests on tiny hand-made data (issue 17, point 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pipelines.engine.trend import (
    count_trend,
    persistent,
    pooled_window_test,
    proportion_trend,
    trend_label,
)


def test_pooled_window_finds_persistently_low_never_zero():
    # O/E about 0.3 each wave, never zero: no single wave is an alarm ...
    o = [5, 2, 2, 1]
    e = [5.0, 7.0, 6.5, 6.0]
    for oi, ei in zip(o[1:], e[1:]):
        assert stats.poisson.cdf(oi, ei) > 0.001
    # ... but the last three pooled: 5 against 19.5, P(X <= 5 | 19.5) = 0.00040
    res = pooled_window_test(o, e)
    assert res["observed"] == 5 and res["expected"] == 19.5 and res["n_waves"] == 3
    assert res["ratio"] == pytest.approx(5 / 19.5)
    p = sum(math.exp(-19.5) * 19.5**k / math.factorial(k) for k in range(6))
    assert res["p_low"] == pytest.approx(p, rel=1e-9) and p < 0.001
    assert res["verdict"] == -1


def test_pooled_window_skips_missing_wave_and_high_side():
    res = pooled_window_test([30, np.nan, 28], [10.0, 12.0, 10.0])
    assert res["observed"] == 58 and res["expected"] == 20 and res["n_waves"] == 2
    assert res["verdict"] == 1
    assert pooled_window_test([], [])["verdict"] == 0


def test_persistent():
    assert persistent([True, False, True]) is True
    assert persistent([True, True, False, False]) is False  # only the last 3 count
    assert persistent([False, None, True]) is False
    assert persistent([True, float("nan"), True]) is True
    assert persistent([True]) is False


def test_trend_label_polarity():
    assert trend_label(0.3, 0.0001, "higher") == "verbetert"
    assert trend_label(0.3, 0.0001, "lower") == "verslechtert"
    assert trend_label(-0.3, 0.0001, "higher") == "verslechtert"
    assert trend_label(-0.3, 0.5, "higher") == "geen_significante_verandering"
    assert trend_label(math.nan, 0.5, "higher") == "onvoldoende_gegevens"
    with pytest.raises(ValueError):
        trend_label(0.1, 0.0, "both")


def test_count_trend_hand_case():
    # O/E doubles every wave: O = 2, 4, 8, 16, 32 with E = 4 each.
    # The Poisson MLE fits exactly: slope = log 2, rate ratio 2.
    res = count_trend([2021, 2022, 2023, 2024, 2025], [2, 4, 8, 16, 32], [4.0] * 5, "higher")
    assert res["slope"] == pytest.approx(math.log(2), rel=1e-6)
    assert res["rate_ratio"] == pytest.approx(2.0, rel=1e-6)
    # Wald se by hand: information = sum mu_i (x_i - xbar_w)^2 ... with centred x
    x = np.array([-2, -1, 0, 1, 2.0])
    mu = np.array([2, 4, 8, 16, 32.0])
    xb = (mu * x).sum() / mu.sum()
    se = 1 / math.sqrt((mu * (x - xb) ** 2).sum())
    assert res["p_value"] == pytest.approx(2 * stats.norm.sf(math.log(2) / se), rel=1e-5)
    assert res["label"] == "verbetert"
    assert count_trend([1, 2, 3, 4, 5], [2, 4, 8, 16, 32], [4.0] * 5, "lower")["label"] == "verslechtert"


def test_count_trend_flat_and_insufficient():
    res = count_trend([1, 2, 3], [5, 5, 5], [5.0, 5.0, 5.0], "higher")
    assert res["slope"] == pytest.approx(0.0, abs=1e-8)
    assert res["label"] == "geen_significante_verandering"
    assert count_trend([1, 2], [1, 9], [5.0, 5.0], "higher")["label"] == "onvoldoende_gegevens"
    assert count_trend([1, 2, 3], [1, 9, np.nan], [5.0, 5.0, 5.0], "higher")["label"] == "onvoldoende_gegevens"
    res = count_trend([1, 2, 3], [0, 0, 0], [5.0, 5.0, 5.0], "higher")
    assert res["label"] == "geen_significante_verandering" and res["p_value"] == 1.0


def test_proportion_trend_hand_case():
    # 10/100, 20/100, 30/100 at waves 1, 2, 3: p = 0.2, xbar = 2,
    # T = 10*(-1) + 20*0 + 30*1 = 20, V = 0.2*0.8*(1400 - 360000/300) = 32,
    # chi2 = 400/32 = 12.5
    res = proportion_trend([1, 2, 3], [10, 20, 30], [100, 100, 100], "higher")
    assert res["chi2"] == pytest.approx(12.5)
    assert res["p_value"] == pytest.approx(stats.chi2.sf(12.5, 1))
    assert res["slope"] == pytest.approx(0.1)
    assert res["label"] == "verbetert"  # p = 0.00041 < 0.002
    assert proportion_trend([1, 2, 3], [10, 20, 30], [100] * 3, "lower")["label"] == "verslechtert"
    # a weaker trend: 10/50, 12/50, 14/50: T = 4, V = 0.24*0.76*(700-90000/150) = 18.24
    res = proportion_trend([1, 2, 3], [10, 12, 14], [50, 50, 50], "higher")
    assert res["chi2"] == pytest.approx(16 / 18.24)
    assert res["label"] == "geen_significante_verandering"


def test_proportion_trend_edges():
    assert proportion_trend([1, 2, 3], [1, 2, 0], [5, 5, 0], "higher")["label"] == "onvoldoende_gegevens"
    res = proportion_trend([1, 2, 3], [5, 5, 5], [5, 5, 5], "higher")
    assert res["label"] == "geen_significante_verandering" and res["p_value"] == 1.0


def test_many_series_at_once_agree_with_one_at_a_time():
    """The engine's vectorised fits give what the one-series functions (statsmodels GLM) give."""
    from pipelines.engine.trend import count_trends, proportion_trends

    rng = np.random.default_rng(17)
    waves = np.arange(2018, 2025)
    e = rng.uniform(1.5, 9.0, size=(40, 7))
    rate = np.exp(rng.normal(0, 0.5, size=(40, 1)) + rng.normal(0, 0.25, size=(40, 1)) * (waves - 2021))
    o = rng.poisson(e * rate).astype(float)
    o[3, :] = 0.0  # all zero
    o[4, :5] = np.nan  # two waves only
    e[5, 2] = np.nan
    many = count_trends(waves, o, e, "higher")
    for i in range(40):
        one = count_trend(waves, o[i], e[i], "higher")
        assert many["label"][i] == one["label"], i
        assert many["n_waves"][i] == one["n_waves"]
        if math.isfinite(one["slope"]):
            assert many["slope"][i] == pytest.approx(one["slope"], abs=1e-6)
            assert many["p_value"][i] == pytest.approx(one["p_value"], rel=1e-4)  # statsmodels stops at tol 1e-8
        else:
            assert not math.isfinite(many["slope"][i])
    n = rng.integers(0, 30, size=(40, 7)).astype(float)
    r = np.floor(n * rng.uniform(0, 1, size=(40, 7)))
    r[7, :] = n[7, :]  # all 100 %
    pm = proportion_trends(waves, r, n, "lower")
    for i in range(40):
        one = proportion_trend(waves, r[i], n[i], "lower")
        assert pm["label"][i] == one["label"], i
        if math.isfinite(one["p_value"]):
            assert pm["p_value"][i] == pytest.approx(one["p_value"], rel=1e-9)
