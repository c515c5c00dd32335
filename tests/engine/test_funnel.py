"""Tests for pipelines.engine.funnel (Spiegelhalter funnel limits).

Expected values are worked out here from the formulas with ``math`` and
``scipy.stats`` directly, never by calling the module under test.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pipelines.engine import funnel, overdispersion, poisson
from pipelines.engine.funnel import (
    Z95,
    Z998,
    FunnelResult,
    dersimonian_laird_tau2,
    overdispersion_phi,
    proportion_funnel,
    ratio_funnel,
    winsorised_z,
)
from pipelines.engine.poisson import poisson_interpolated_limits

REF_O = (100, 150, 180, 80, 120, 225)
REF_E = (108, 112, 165, 95, 100, 220)


def _limits(res: FunnelResult):
    return res.lower_998, res.lower_95, res.upper_95, res.upper_998


def _hand_tau2(n, phi, s):
    w = [1.0 / (x * x) for x in s]
    sw = sum(w)
    return max(0.0, (n * phi - (n - 1)) / (sw - sum(x * x for x in w) / sw))


# --------------------------------------------------------------------------
# Reference case (FunnelPlotR's own test data)
# --------------------------------------------------------------------------


def test_reference_phi_matches_funnelplotr():
    res = ratio_funnel(REF_O, REF_E)
    assert res.phi == pytest.approx(2.948033, abs=1e-6)
    assert res.n_trimmed_low == 0 and res.n_trimmed_high == 0


def test_reference_phi_from_z_scores_directly():
    z = [math.sqrt(e) * math.log(o / e) for o, e in zip(REF_O, REF_E)]
    assert overdispersion_phi(z, trim=0.1) == pytest.approx(2.948033, abs=1e-6)


def test_reference_is_not_quantile_type7_winsorisation():
    # Clamping at R's type-7 10%/90% quantiles would give 2.149053; the
    # module deliberately uses count-based winsorisation instead.
    z = np.array([math.sqrt(e) * math.log(o / e) for o, e in zip(REF_O, REF_E)])
    lo, hi = np.quantile(z, [0.1, 0.9])
    type7 = float(np.mean(np.clip(z, lo, hi) ** 2))
    assert type7 == pytest.approx(2.149053, abs=1e-6)
    assert abs(overdispersion_phi(z) - type7) > 0.5


def test_reference_tau2_and_overdispersed_limits_by_hand():
    res = ratio_funnel(REF_O, REF_E)
    n = len(REF_E)
    phi = sum(e * math.log(o / e) ** 2 for o, e in zip(REF_O, REF_E)) / n
    sum_e = sum(REF_E)
    tau2 = (n * phi - (n - 1)) / (sum_e - sum(e * e for e in REF_E) / sum_e)
    assert res.overdispersed is True
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    for i, (o, e) in enumerate(zip(REF_O, REF_E)):
        sd = math.sqrt(1.0 / e + tau2)
        assert res.lower_95[i] == pytest.approx(math.exp(-Z95 * sd), rel=1e-12)
        assert res.upper_95[i] == pytest.approx(math.exp(Z95 * sd), rel=1e-12)
        assert res.lower_998[i] == pytest.approx(math.exp(-Z998 * sd), rel=1e-12)
        assert res.upper_998[i] == pytest.approx(math.exp(Z998 * sd), rel=1e-12)
        assert res.value[i] == pytest.approx(o / e)
        assert res.z[i] == pytest.approx(math.log(o / e) / sd, rel=1e-12)
    assert res.target == 1.0


# --------------------------------------------------------------------------
# Exact Poisson limits
# --------------------------------------------------------------------------


def _exact_test_rejects(o, e, p):
    """The exact Poisson test, straight from scipy: -1 low, +1 high, 0 neither."""
    if stats.poisson.cdf(o, e) < p:
        return -1
    return 1 if stats.poisson.sf(o - 1, e) < p else 0


def test_ratio_funnel_without_overdispersion_uses_poisson_limits():
    res = ratio_funnel(REF_O, REF_E, overdispersion=False)
    assert res.overdispersed is False and res.tau2 == 0.0
    assert res.phi == pytest.approx(2.948033, abs=1e-6)  # still reported
    lo95, hi95 = poisson_interpolated_limits(REF_E, 0.025)
    np.testing.assert_array_equal(res.lower_95, lo95)
    np.testing.assert_array_equal(res.upper_95, hi95)
    for i, e in enumerate(REF_E):
        assert res.z[i] == pytest.approx(math.sqrt(e) * math.log(REF_O[i] / e))
        # outside the drawn limits exactly when scipy's exact test rejects
        for level, p in (("95", 0.025), ("998", 0.001)):
            assert bool(res.outside(level)[i]) == (_exact_test_rejects(REF_O[i], e, p) != 0)


def test_ratio_funnel_no_overdispersion_found_falls_back_to_poisson():
    # Ratios close to 1: n * phi <= n - 1, so no tau2 and exact limits.
    o = [100, 101, 99, 200, 50, 75]
    e = [100, 100, 100, 200, 50, 75]
    n = len(e)
    phi = sum(b * math.log(a / b) ** 2 for a, b in zip(o, e)) / n
    assert n * phi <= n - 1
    res = ratio_funnel(o, e)
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.overdispersed is False and res.tau2 == 0.0
    lo998, _ = poisson_interpolated_limits(e, 0.001)
    _, hi95 = poisson_interpolated_limits(e, 0.025)
    np.testing.assert_array_equal(res.lower_998, lo998)
    np.testing.assert_array_equal(res.upper_95, hi95)


# --------------------------------------------------------------------------
# Winsorisation, phi, DerSimonian-Laird
# --------------------------------------------------------------------------


def test_winsorised_z_count_based():
    w, lo, hi = winsorised_z(list(range(10)), trim=0.1)
    assert w.tolist() == [1, 1, 2, 3, 4, 5, 6, 7, 8, 8]
    assert (lo, hi) == (1, 1)
    # 25 regions: two per side
    z = np.arange(25, dtype=float)[::-1]
    w, lo, hi = winsorised_z(z, trim=0.1)
    assert (lo, hi) == (2, 2)
    assert w.min() == 2 and w.max() == 22
    assert w[0] == 22 and w[-1] == 2  # order preserved
    assert z[0] == 24  # input untouched


def test_winsorised_z_ties_and_nonfinite():
    w, lo, hi = winsorised_z([-5, -5, -5, 0, 0, 0, 0, 0, 0, 1], trim=0.1)
    assert lo == 0 and hi == 1  # the lowest value already equals the clamp
    assert w.tolist()[-1] == 0
    w, lo, hi = winsorised_z([np.nan, -np.inf, 1.0, 2.0], trim=0.1)
    assert np.isnan(w[0]) and w[1] == -np.inf and (lo, hi) == (0, 0)


def test_winsorised_z_rejects_bad_trim():
    with pytest.raises(ValueError):
        winsorised_z([1, 2, 3], trim=0.5)
    with pytest.raises(ValueError):
        winsorised_z([1, 2, 3], trim=-0.1)


def test_phi_with_winsorisation_by_hand():
    z = [-6.0, -1.0, -0.5, 0.0, 0.2, 0.4, 0.8, 1.0, 1.5, 9.0]
    clamped = [-1.0, -1.0, -0.5, 0.0, 0.2, 0.4, 0.8, 1.0, 1.5, 1.5]
    assert overdispersion_phi(z) == pytest.approx(sum(x * x for x in clamped) / 10)
    assert overdispersion_phi(z, trim=0.0) == pytest.approx(sum(x * x for x in z) / 10)


def test_dersimonian_laird_hand_case():
    s = [0.1, 0.2, 0.5]
    # w = 100, 25, 4; sum 129; sum w^2 = 10641
    expected = (3 * 2.0 - 2) / (129 - 10641 / 129)
    assert dersimonian_laird_tau2(2.0, s) == pytest.approx(expected, rel=1e-12)
    assert dersimonian_laird_tau2(2.0, s) == pytest.approx(0.0860000, abs=1e-6)
    # explicit n
    assert dersimonian_laird_tau2(2.0, s, n=4) == pytest.approx((8 - 3) / (129 - 10641 / 129))
    # no overdispersion / undefined
    assert dersimonian_laird_tau2(2 / 3, s) == 0.0
    assert dersimonian_laird_tau2(0.5, s) == 0.0
    assert dersimonian_laird_tau2(float("nan"), s) == 0.0
    assert dersimonian_laird_tau2(5.0, [0.1]) == 0.0


# --------------------------------------------------------------------------
# Proportions
# --------------------------------------------------------------------------


def _hand_proportion(r, n, p0, tau2):
    centre = math.asin(math.sqrt(p0))
    out = []
    for ri, ni in zip(r, n):
        sd = math.sqrt(1 / (4 * ni) + tau2)
        row = {"z": (math.asin(math.sqrt(ri / ni)) - centre) / sd}
        for name, zq in (("95", Z95), ("998", Z998)):
            lo = min(max(centre - zq * sd, 0.0), math.pi / 2)
            hi = min(max(centre + zq * sd, 0.0), math.pi / 2)
            row["lo" + name] = math.sin(lo) ** 2
            row["hi" + name] = math.sin(hi) ** 2
        out.append(row)
    return out


def test_proportion_funnel_overdispersed_hand_case():
    r = [5, 12, 30, 8, 45]
    n = [50, 60, 80, 100, 150]
    p0 = sum(r) / sum(n)
    centre = math.asin(math.sqrt(p0))
    s = [1 / (2 * math.sqrt(x)) for x in n]
    z = [(math.asin(math.sqrt(a / b)) - centre) / si for a, b, si in zip(r, n, s)]
    phi = sum(x * x for x in z) / 5  # floor(0.1 * 5) = 0: nothing winsorised
    assert 5 * phi > 4
    tau2 = _hand_tau2(5, phi, s)

    res = proportion_funnel(r, n)
    assert res.target == pytest.approx(p0)
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    assert res.overdispersed is True
    for i, row in enumerate(_hand_proportion(r, n, p0, tau2)):
        assert res.value[i] == pytest.approx(r[i] / n[i])
        assert res.z[i] == pytest.approx(row["z"], rel=1e-12)
        assert res.lower_95[i] == pytest.approx(row["lo95"], rel=1e-12)
        assert res.upper_95[i] == pytest.approx(row["hi95"], rel=1e-12)
        assert res.lower_998[i] == pytest.approx(row["lo998"], rel=1e-12, abs=1e-15)
        assert res.upper_998[i] == pytest.approx(row["hi998"], rel=1e-12)


def test_proportion_funnel_not_overdispersed_hand_case():
    r = [20, 41, 59, 100]
    n = [100, 200, 300, 500]
    p0 = 0.2
    res = proportion_funnel(r, n, target=p0)
    centre = math.asin(math.sqrt(p0))
    z = [(math.asin(math.sqrt(a / b)) - centre) * 2 * math.sqrt(b) for a, b in zip(r, n)]
    phi = sum(x * x for x in z) / 4
    assert 4 * phi <= 3
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.tau2 == 0.0 and res.overdispersed is False
    assert res.target == 0.2
    for i, row in enumerate(_hand_proportion(r, n, p0, 0.0)):
        assert res.lower_95[i] == pytest.approx(row["lo95"], rel=1e-12)
        assert res.upper_998[i] == pytest.approx(row["hi998"], rel=1e-12)


def test_proportion_funnel_with_winsorisation_by_hand():
    r = [0, 3, 5, 6, 8, 9, 10, 12, 15, 40]
    n = [40] * 10
    p0 = sum(r) / sum(n)
    centre = math.asin(math.sqrt(p0))
    z = sorted((math.asin(math.sqrt(a / 40)) - centre) * 2 * math.sqrt(40) for a in r)
    clamped = [z[1]] + z[1:9] + [z[8]]  # g = floor(0.1 * 10) = 1 per side
    phi = sum(x * x for x in clamped) / 10
    res = proportion_funnel(r, n)
    assert (res.n_trimmed_low, res.n_trimmed_high) == (1, 1)
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.tau2 == pytest.approx(_hand_tau2(10, phi, [1 / (2 * math.sqrt(40))] * 10), rel=1e-12)


def test_proportion_limits_clamped_not_folded():
    # p0 = 0.01 and n = 4: centre - z * s is far below zero.
    res = proportion_funnel([0, 1], [4, 96], target=0.01, overdispersion=False)
    centre = math.asin(0.1)
    assert centre - Z95 / (2 * math.sqrt(4)) < 0
    assert res.lower_95[0] == 0.0 and res.lower_998[0] == 0.0
    # the naive formula would fold back above zero
    assert math.sin(centre - Z998 / 4) ** 2 > 0.05
    # p0 = 0.99 mirrors at the top
    res = proportion_funnel([4], [4], target=0.99, overdispersion=False)
    assert res.upper_95[0] == 1.0 and res.upper_998[0] == 1.0


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_zero_numerator_proportion():
    res = proportion_funnel([0, 10, 20], [50, 50, 50])
    assert res.value[0] == 0.0
    assert np.isfinite(res.z[0]) and res.z[0] < 0
    assert np.all(np.isfinite(res.lower_95)) and math.isfinite(res.phi)


def test_numerator_equals_denominator():
    res = proportion_funnel([50, 10, 20], [50, 50, 50])
    assert res.value[0] == 1.0 and np.isfinite(res.z[0]) and res.z[0] > 0
    assert np.all(res.upper_998 <= 1.0) and np.all(res.lower_998 >= 0.0)


def test_all_zero_and_all_full_proportions():
    res = proportion_funnel([0, 0, 0], [10, 20, 30])
    assert res.target == 0.0 and res.phi == 0.0 and res.tau2 == 0.0
    assert np.all(res.lower_95 == 0.0) and np.all(res.upper_95 > 0.0)
    res = proportion_funnel([10, 20, 30], [10, 20, 30])
    assert res.target == 1.0 and res.phi == 0.0
    assert np.all(res.upper_998 == 1.0) and np.all(res.lower_998 < 1.0)


def test_one_unit():
    res = ratio_funnel([12], [10])
    assert math.isnan(res.phi) and res.tau2 == 0.0 and res.overdispersed is False
    lo, hi = poisson_interpolated_limits([10], 0.025)
    assert res.lower_95[0] == lo[0] and res.upper_95[0] == hi[0]
    res = proportion_funnel([3], [10])
    assert math.isnan(res.phi) and res.tau2 == 0.0 and res.target == pytest.approx(0.3)
    assert res.z[0] == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(overdispersion_phi([1.5]))
    assert math.isnan(overdispersion_phi([]))


def test_all_units_equal():
    res = ratio_funnel([50, 100, 200], [50, 100, 200])
    assert res.phi == 0.0 and res.tau2 == 0.0 and res.overdispersed is False
    assert np.all(res.z == 0.0)
    res = proportion_funnel([5, 10, 20], [50, 100, 200])
    assert res.phi == pytest.approx(0.0, abs=1e-24) and res.tau2 == 0.0


def test_zero_expected_or_denominator_gives_nan_and_is_excluded():
    res = ratio_funnel(REF_O + (7,), REF_E + (0,))
    assert math.isnan(res.value[-1]) and math.isnan(res.z[-1])
    assert all(math.isnan(a[-1]) for a in _limits(res))
    assert res.phi == pytest.approx(2.948033, abs=1e-6)
    ref = ratio_funnel(REF_O, REF_E)
    assert res.tau2 == pytest.approx(ref.tau2, rel=1e-12)
    np.testing.assert_allclose(res.upper_95[:-1], ref.upper_95)

    r, n = [5, 12, 30, 8, 45], [50, 60, 80, 100, 150]
    base = proportion_funnel(r, n)
    res = proportion_funnel(r + [0], n + [0])
    assert math.isnan(res.value[-1]) and math.isnan(res.lower_95[-1])
    assert res.phi == pytest.approx(base.phi) and res.target == pytest.approx(base.target)


def test_zero_observed_in_log_method():
    res = ratio_funnel(REF_O + (0,), REF_E + (40,))
    assert res.value[-1] == 0.0
    assert res.z[-1] == -np.inf
    assert all(np.isfinite(a[-1]) for a in _limits(res))
    assert res.lower_998[-1] > 0.0  # so the unit is flagged low
    assert bool(res.outside("998")[-1]) is True
    # excluded from phi and tau2: same as without the unit
    ref = ratio_funnel(REF_O, REF_E)
    assert res.phi == pytest.approx(ref.phi, rel=1e-12)
    assert res.tau2 == pytest.approx(ref.tau2, rel=1e-12)
    assert res.upper_95[-1] == pytest.approx(math.exp(Z95 * math.sqrt(1 / 40 + ref.tau2)))


def test_zero_observed_without_overdispersion_gets_poisson_limits():
    res = ratio_funnel([0, 10], [3, 10], overdispersion=False)
    # E = 3: P(X = 0) = 0.0498 is not below 0.025, so the lower 95% limit is drawn at 0 and O = 0 is conform
    assert res.lower_95[0] == 0.0 and not res.outside("95")[0]
    # upper: P(X >= 8) = 0.0119 < 0.025 <= P(X >= 7) = 0.0335, interpolated within [7, 8) by P(X = 7)
    h = 7 + (stats.poisson.sf(6, 3) - 0.025) / stats.poisson.pmf(7, 3)
    assert res.upper_95[0] == pytest.approx(h / 3, rel=1e-9)
    assert 7 / 3 < res.upper_95[0] < 8 / 3


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        ratio_funnel([1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        ratio_funnel([-1, 2], [1, 2])
    with pytest.raises(ValueError):
        proportion_funnel([5, 2], [4, 2])
    with pytest.raises(ValueError):
        proportion_funnel([1, 2], [4, 4], target=1.5)
    with pytest.raises(ValueError):
        ratio_funnel([1, 2], [1, 2], trim=0.6)


# --------------------------------------------------------------------------
# Properties: ordering and narrowing
# --------------------------------------------------------------------------


def _assert_ordered(res: FunnelResult):
    ok = np.isfinite(res.lower_95)
    assert ok.any()
    t = res.target
    assert np.all(res.lower_998[ok] <= res.lower_95[ok])
    assert np.all(res.lower_95[ok] <= t)
    assert np.all(t <= res.upper_95[ok])
    assert np.all(res.upper_95[ok] <= res.upper_998[ok])


@pytest.mark.slow  # a fuzz run of 200 examples; test_ordering_with_numpy_random_fixed_seeds stays quick
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5000), st.floats(0.05, 5000, allow_nan=False)),
        min_size=1,
        max_size=30,
    ),
    st.booleans(),
)
def test_ratio_limits_ordered(units, od):
    o = [u[0] for u in units]
    e = [u[1] for u in units]
    res = ratio_funnel(o, e, overdispersion=od)
    _assert_ordered(res)
    assert res.tau2 >= 0.0
    if not od:
        assert res.overdispersed is False and res.tau2 == 0.0


@pytest.mark.slow  # a fuzz run of 200 examples; test_ordering_with_numpy_random_fixed_seeds stays quick
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        min_size=1,
        max_size=30,
    ),
    st.booleans(),
)
def test_proportion_limits_ordered_and_in_unit_interval(units, od):
    r = [u[0] for u in units]
    n = [u[1] for u in units]
    res = proportion_funnel(r, n, overdispersion=od)
    _assert_ordered(res)
    assert np.all(res.lower_998 >= 0.0) and np.all(res.upper_998 <= 1.0)


def test_ordering_with_numpy_random_fixed_seeds():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        e = rng.uniform(1, 500, size=25)
        o = rng.poisson(e * rng.lognormal(0, 0.3, size=25))
        _assert_ordered(ratio_funnel(o, e))
        n = rng.integers(5, 2000, size=25)
        r = rng.binomial(n, rng.beta(2, 8, size=25))
        _assert_ordered(proportion_funnel(r, n))


def _assert_narrowing(res: FunnelResult):
    assert np.all(np.diff(res.lower_95) > 0) and np.all(np.diff(res.lower_998) > 0)
    assert np.all(np.diff(res.upper_95) < 0) and np.all(np.diff(res.upper_998) < 0)


def test_poisson_limits_narrow_as_expected_grows():
    # from E = 20 up every lower limit is above 0 (below that, even O = 0 may not be rare: drawn at 0)
    e = np.array([20, 50, 100, 300, 1000, 10000], dtype=float)
    res = ratio_funnel(e, e, overdispersion=False)
    _assert_narrowing(res)


def test_overdispersed_ratio_limits_narrow_as_expected_grows():
    o = [50, 150, 180, 300, 800, 2500]
    e = [60, 112, 200, 250, 1000, 2200]
    res = ratio_funnel(o, e)
    assert res.overdispersed is True
    _assert_narrowing(res)
    # but never narrower than the between-unit spread alone
    assert np.all(res.upper_95 > math.exp(Z95 * math.sqrt(res.tau2)) - 1e-12)


def test_proportion_limits_narrow_as_n_grows():
    n = np.array([10, 50, 100, 500, 5000])
    res = proportion_funnel(n // 4, n, target=0.25, overdispersion=False)
    _assert_narrowing(res)


# --------------------------------------------------------------------------
# The module contract
# --------------------------------------------------------------------------


#: The statistics modules: they import only numpy, scipy, the standard basics and each other.
STATISTICS_MODULES = {"pipelines.engine.funnel", "pipelines.engine.overdispersion", "pipelines.engine.poisson"}


@pytest.mark.parametrize("module", [funnel, overdispersion, poisson])
def test_module_is_pure_numpy_scipy(module):
    tree = ast.parse(Path(module.__file__).read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.module in STATISTICS_MODULES:
                continue
            roots.add((node.module or "").split(".")[0])
    assert roots <= {"__future__", "math", "dataclasses", "numpy", "scipy", "typing"}


def test_public_api_documented():
    assert funnel.__doc__ and len(funnel.__doc__) > 500
    for name in funnel.__all__:
        obj = getattr(funnel, name)
        if callable(obj):
            assert obj.__doc__, name
    assert (Z95, Z998) == (1.959964, 3.090232)
