"""The overdispersion setting (issue 17, point 3): winsorise against truncate.

Published values: FunnelPlotR's six-unit test case (phi = 2.948033) and its
54-unit ``medpar`` example (phi = 8.532851, tau2 = 0.02841023 under SHMI
truncation); counts and provenance in tests/engine/reference/.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from pipelines.engine import funnel
from pipelines.engine.funnel import (
    OVERDISPERSION_METHOD,
    overdispersion_phi,
    proportion_funnel,
    ratio_funnel,
    truncated_z,
)

REF = Path(__file__).resolve().parent / "reference" / "funnelplotr_medpar_oe.csv"
SIX_O = (100, 150, 180, 80, 120, 225)
SIX_E = (108, 112, 165, 95, 100, 220)


def _medpar():
    with REF.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [float(r["observed"]) for r in rows], [float(r["expected"]) for r in rows]


def test_default_is_one_named_setting():
    assert OVERDISPERSION_METHOD in ("winsorise", "truncate")
    assert ratio_funnel(SIX_O, SIX_E).method == OVERDISPERSION_METHOD
    with pytest.raises(ValueError):
        ratio_funnel(SIX_O, SIX_E, method="trim")


@pytest.mark.parametrize("method", ["winsorise", "truncate"])
def test_six_units_same_under_both(method):
    res = ratio_funnel(SIX_O, SIX_E, method=method)
    assert res.phi == pytest.approx(2.948033, abs=1e-6)
    assert (res.n_trimmed_low, res.n_trimmed_high) == (0, 0)
    assert res.method == method


def test_medpar_reference_file_is_complete():
    o, e = _medpar()
    assert len(o) == 54 and all(x > 0 for x in o) and all(x > 0 for x in e)


def test_medpar_truncate_reproduces_funnelplotr():
    o, e = _medpar()
    res = ratio_funnel(o, e, method="truncate")
    assert res.phi == pytest.approx(8.532851, abs=1e-6)
    assert res.tau2 == pytest.approx(0.02841023, abs=1e-8)
    assert (res.n_trimmed_low, res.n_trimmed_high) == (5, 5)  # 44 of 54 kept
    assert res.overdispersed is True


def test_medpar_winsorise_values_and_direction():
    o, e = _medpar()
    win = ratio_funnel(o, e, method="winsorise")
    tru = ratio_funnel(o, e, method="truncate")
    assert win.phi == pytest.approx(11.08, abs=0.005)
    assert win.tau2 == pytest.approx(0.038, abs=0.0005)
    # by hand: clamp the 5 lowest / highest z to the 6th, all 54 units enter
    z = sorted(math.sqrt(b) * math.log(a / b) for a, b in zip(o, e))
    clamped = [z[5]] * 5 + z[5:49] + [z[48]] * 5
    assert win.phi == pytest.approx(sum(x * x for x in clamped) / 54, rel=1e-12)
    # wider limits under winsorising: fewer flags
    assert np.all(win.upper_998 > tru.upper_998)
    assert win.outside("998").sum() <= tru.outside("998").sum()


def test_truncated_z_rule_by_hand():
    # 25 values: ranks 1, 2 and 24, 25 are dropped (floor(r * 10 / 26) is 0 or >= 9)
    z = np.arange(25, dtype=float)[::-1]
    kept, lo, hi = truncated_z(z, 0.1)
    assert (lo, hi) == (2, 2)
    assert np.isnan(kept[[0, 1, 23, 24]]).all() and np.isfinite(kept[2:23]).all()
    # phi then is the mean over the 21 kept
    assert overdispersion_phi(z, method="truncate") == pytest.approx(sum(x * x for x in range(2, 23)) / 21)
    # 10 values: floor(r * 10 / 11) is 0 only for r = 1 and >= 9 only for r = 10
    kept, lo, hi = truncated_z(list(range(10)), 0.1)
    assert (lo, hi) == (1, 1) and np.isnan(kept[[0, 9]]).all()
    # non-finite left alone, not counted
    kept, lo, hi = truncated_z([-np.inf, 1.0, 2.0, np.nan], 0.1)
    assert kept[0] == -np.inf and np.isnan(kept[3]) and (lo, hi) == (0, 0)


def test_truncate_tau2_uses_kept_units_only():
    r = [0, 3, 5, 6, 8, 9, 10, 12, 15, 40]
    n = [40, 40, 40, 40, 40, 40, 80, 80, 80, 80]
    res = proportion_funnel(r, n, method="truncate")
    p0 = sum(r) / sum(n)
    c = math.asin(math.sqrt(p0))
    z = [(math.asin(math.sqrt(a / b)) - c) * 2 * math.sqrt(b) for a, b in zip(r, n)]
    order = sorted(range(10), key=lambda i: z[i])
    keep = order[1:9]
    phi = sum(z[i] ** 2 for i in keep) / 8
    w = [4 * n[i] for i in keep]
    tau2 = max(0.0, (8 * phi - 7) / (sum(w) - sum(x * x for x in w) / sum(w)))
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    assert (res.n_trimmed_low, res.n_trimmed_high) == (1, 1)


def test_docstring_states_the_default_and_both_references():
    doc = funnel.__doc__
    assert "8.532851" in doc and "2.948033" in doc and "OVERDISPERSION_METHOD" in doc
