"""Severity and the severity-weighted score (issue 17, point 6), hand values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.engine.severity import (
    SEVERITY_CAP,
    WEIGHT_ADOPTED,
    WEIGHT_MODAL,
    funnel_severity,
    severity_score,
    uniform_severity,
    z_beyond_limit,
)


def test_funnel_severity_scale():
    s = funnel_severity([0.001, 1e-5, 0.5, np.nan])
    assert s[0] == pytest.approx(1.0) and s[1] == pytest.approx(5 / 3)
    assert s[2] == pytest.approx(-math.log10(0.5) / 3) and math.isnan(s[3])
    # no exercise at E = 9: p = e^-9
    assert funnel_severity([math.exp(-9)])[0] == pytest.approx(9 / math.log(10) / 3)


def test_z_beyond_limit():
    d = z_beyond_limit([-4.090232, -1.0, 2.0, np.nan], "low")
    assert d[0] == pytest.approx(1.0) and d[1] == 0.0 and d[2] == 0.0 and math.isnan(d[3])
    assert z_beyond_limit([5.090232], "high")[0] == pytest.approx(2.0)
    with pytest.raises(ValueError):
        z_beyond_limit([1.0], "both")


def test_modal_weighs_less_than_adopted():
    assert WEIGHT_MODAL < WEIGHT_ADOPTED
    # 3 of 64 cells one step below a modal norm
    modal3 = uniform_severity([1, 1, 1], [True] * 3, n_cells=64)
    assert modal3 == pytest.approx(3 * 0.5 / 64)
    adopted3 = uniform_severity([1, 1, 1], [False] * 3, n_cells=64)
    assert adopted3 == pytest.approx(3 / 64) and adopted3 > modal3
    # distance counts: two steps below an adopted norm in one of 9 ring cells
    assert uniform_severity([2, 0], [False, True], n_cells=9) == pytest.approx(2 / 9)
    # a yes/no norm failed against an adopted norm: exactly the threshold
    assert uniform_severity([1], [False]) == 1.0
    assert uniform_severity([], [], n_cells=9) == 0.0
    with pytest.raises(ValueError):
        uniform_severity([1, 2], [True])
    with pytest.raises(ValueError):
        uniform_severity([-1], [True])


def test_score_sums_and_caps():
    # region A: no exercise at E = 9 (severity 1.30) + 3 modal cells (0.023)
    a = severity_score([9 / math.log(10) / 3, 3 * 0.5 / 64])
    assert a == pytest.approx(1.3029 + 0.0234, abs=1e-3)
    assert severity_score([10.0, 1.0, np.nan]) == SEVERITY_CAP + 1.0
    assert severity_score([]) == 0.0
