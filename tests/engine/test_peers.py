"""Similar regions (issue 17, point 8) on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.engine.peers import nearest_peers, standardise


def test_standardise_drops_constant_columns():
    z = standardise([[1, 5, 0], [3, 5, 2], [5, 5, 4]])
    assert z.shape == (3, 2)
    np.testing.assert_allclose(z[:, 0], [-math.sqrt(1.5), 0, math.sqrt(1.5)])


def test_nearest_on_a_line_with_ties_by_code():
    # one feature 0, 1, 2, 3, 4, 5, 6: sd = 2, so one step is 0.5 in z
    codes = ["VR07", "VR01", "VR02", "VR03", "VR04", "VR05", "VR06"]
    feats = [[6], [0], [1], [2], [3], [4], [5]]
    rows = nearest_peers(codes, feats, k=5)
    vr04 = [r for r in rows if r[0] == "VR04"]
    # VR04 at 3: VR03 and VR05 at 0.5 (tie: code order), then VR02, VR06, then VR01 (tie with VR07)
    assert [r[2] for r in vr04] == ["VR03", "VR05", "VR02", "VR06", "VR01"]
    assert [r[1] for r in vr04] == [1, 2, 3, 4, 5]
    assert vr04[0][3] == pytest.approx(0.5) and vr04[4][3] == pytest.approx(1.5)
    assert len(rows) == 35 and rows[0][0] == "VR01"
    assert all(r[0] != r[2] for r in rows)


def test_two_features_scaled_equally():
    # population in the thousands and events in units: z-scoring makes them count alike
    codes = ["A", "B", "C"]
    feats = [[1000, 1], [2000, 1], [1000, 3]]
    rows = nearest_peers(codes, feats, k=2)
    a = [r for r in rows if r[0] == "A"]
    # z: pop sd = 471.4 -> B is 2.121 away on pop; events sd 0.943 -> C 2.121 away: tie, by code
    assert [r[2] for r in a] == ["B", "C"]
    assert a[0][3] == pytest.approx(a[1][3])


def test_missing_feature_left_out_and_errors():
    rows = nearest_peers(["A", "B", "C"], [[1.0], [np.nan], [2.0]], k=5)
    assert {r[0] for r in rows} == {"A", "C"} and all(r[2] != "B" for r in rows)
    with pytest.raises(ValueError):
        nearest_peers(["A"], [[1.0], [2.0]])
