"""Size of the variation, method against risk and the peers, wired into the engine (issue 17, points 5, 7, 8).

Hand-made frames with the expected values worked out in the comments; then the marts on a tiny warehouse.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipelines.contract import indicators
from pipelines.engine import build as engine
from pipelines.engine import checks as mart_checks
from pipelines.engine.spread import region_peers, variation_size
from tests.engine import engine_data as T

COUNT, SCORE = indicators.COUNT_MODEL_ID, indicators.SCORE_MODEL_ID
PROPORTION = next(i.id for i in indicators.INDICATORS if i.norm_type == "landelijk")
UNIFORM = next(i.id for i in indicators.INDICATORS if i.norm_type == "vastgesteld")
NAN = math.nan
WAVES = [2024, 2025]


def _reg(indicator, values, num=None, den=None, verdicts=None, wave=2025):
    n = len(values)
    return pd.DataFrame(
        dict(
            wave=wave,
            region_code=[f"R{i:02d}" for i in range(n)],
            indicator_id=indicator,
            value=values,
            numerator=num if num is not None else [NAN] * n,
            denominator=den if den is not None else [NAN] * n,
            verdict=verdicts or ["conform"] * n,
        )
    )


def _score_basis():
    """Seven regions of 2025 with a score of the wave, one carried forward, one of 2024."""
    y = [1, 2, 4, 3, 5, 6, 5]
    return pd.DataFrame(
        dict(
            wave=[2025] * 8 + [2024],
            region_code=[f"R{i:02d}" for i in range(8)] + ["R00"],
            basis_wave=[2025] * 7 + [2023, 2024],
            method=["a"] * 3 + ["b"] * 4 + ["a", "c"],
            probability_score=[*y, 5, 1],
            log_population=[1, 2, 3, 1, 2, 3, 4, 9, 2],
            high_risk_sites=[7] * 9,  # no variation: left out of the risk basis
            large_events=[3] * 9,
        )
    )


@pytest.fixture(scope="module")
def size():
    register = pd.concat(
        [
            # O = 10, 20, 5 against E = 10 each (O/E 1, 2, 0.5), and a region without data
            _reg(
                COUNT,
                [1.0, 2.0, 0.5, NAN],
                [10, 20, 5, NAN],
                [10.0, 10.0, 10.0, NAN],
                ["conform", "afwijking_niet_onderbouwd", "conform", "onvoldoende_gegevens"],
            ),
            _reg(PROPORTION, [0.1, 0.3], [10, 30], [100, 100]),
            _reg(UNIFORM, [0.0, 0.0, 1.0], verdicts=["afwijking_onderbouwd", "conform", None]),
            _reg(SCORE, [1, 2, 4, 3, 5, 6, 5, NAN], verdicts=["conform"] * 7 + ["onvoldoende_gegevens"]),
        ]
    )
    out = variation_size(register, _score_basis())
    return out.set_index("indicator_id")


def test_count_model_gets_scv_and_tau2_on_the_ratio_scale(size):
    r = size.loc[COUNT]
    assert r["n_tests"] == 3
    assert r["expected_false_alarms"] == pytest.approx(0.006)
    # sorted 0.5, 1, 2: P10 = 0.5 + 0.2 * 0.5 = 0.6, P90 = 1 + 0.8 * 1 = 1.8
    assert r["p90_p10_ratio"] == pytest.approx(3.0)
    # ((0 + 100 + 25) / 100 - 3 / 10) / 3
    assert r["scv"] == pytest.approx(0.316666667)
    # ybar = 7/6, Q = 10 (1/36 + 25/36 + 16/36) = 11.6667, denominator 30 - 300/30 = 20: (11.6667 - 2) / 20
    assert r["tau2_natural"] == pytest.approx(0.483333333)
    assert all(math.isnan(r[c]) for c in ("adj_r2_method", "p_method_given_risk"))


def test_national_proportion_gets_tau2_on_the_proportion_scale_and_no_scv(size):
    r = size.loc[PROPORTION]
    assert r["n_tests"] == 2
    # p = 0.2, w = 100 / 0.16 = 625, Q = 625 (0.01 + 0.01) = 12.5, denominator 1250 - 625: (12.5 - 1) / 625
    assert r["tau2_natural"] == pytest.approx(0.0184)
    assert r["p90_p10_ratio"] == pytest.approx(0.28 / 0.12)
    assert math.isnan(r["scv"])


def test_uniform_norm_has_no_scv_or_tau2_and_a_missing_verdict_is_no_test(size):
    r = size.loc[UNIFORM]
    assert r["n_tests"] == 2 and r["expected_false_alarms"] == pytest.approx(0.004)
    assert math.isnan(r["scv"]) and math.isnan(r["tau2_natural"])
    assert math.isnan(r["p90_p10_ratio"])  # sorted 0, 0, 1: P10 is 0


def test_method_against_risk_on_the_scores_of_the_wave_only(size):
    r = size.loc[SCORE]
    # the seven regions assessed in 2025 (not R07's carried-forward score, not 2024); risk = log_population only.
    # Worked out with least squares: SST = 19.4286, SS(method) = 9.4167, SS(risk) = 9.5385, SS(full) = 3.3810
    assert r["n_methods"] == 2
    assert r["adj_r2_method"] == pytest.approx(0.418382353)
    assert r["adj_r2_risk"] == pytest.approx(0.410859729)
    assert r["r2_full"] == pytest.approx(0.825980392)
    assert r["f_method_given_risk"] == pytest.approx(7.284940412)
    assert r["p_method_given_risk"] == pytest.approx(0.054146866, rel=1e-6)
    assert r["f_risk_given_method"] == pytest.approx(7.140845070)
    assert r["p_risk_given_method"] == pytest.approx(0.055676281, rel=1e-6)
    assert math.isnan(r["scv"]) and math.isnan(r["tau2_natural"])
    assert r["n_tests"] == 7


def test_peers_on_a_line_leave_out_regions_without_a_basis_and_flat_waves():
    basis = pd.DataFrame(
        dict(
            wave=[2024] * 5 + [2025] * 3,
            region_code=["D", "A", "B", "C", "E", "A", "B", "C"],
            log_population=[3.0, 0.0, 1.0, 2.0, NAN, 1.0, 1.0, 1.0],
            high_risk_sites=[4, 4, 4, 4, 4, 2, 2, 2],
            large_events=[1, 1, 1, 1, 1, 5, 5, 5],
        )
    )
    out = region_peers(basis)
    # 2025: nothing varies, so no peers; E has no population in 2024, so it is nobody's peer
    assert set(out["wave"]) == {2024}
    assert set(out["region_code"]) == {"A", "B", "C", "D"} and "E" not in set(out["peer_code"])
    assert set(out["features"]) == {"log_population"}
    # 0, 1, 2, 3: sd = sqrt(1.25), one step is 0.894427 in z; B's neighbours A and C tie, broken by code
    b = out[out["region_code"] == "B"]
    assert b["peer_code"].tolist() == ["A", "C", "D"]
    assert b["rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(b["distance"], [0.894427191, 0.894427191, 1.788854382])
    assert len(out) == 4 * 3


# --------------------------------------------------------------------------
# The marts on a tiny warehouse (eight synthetic regions, two waves)
# --------------------------------------------------------------------------

NEW_SUMMARY_COLUMNS = [
    "n_tests",
    "expected_false_alarms",
    "p90_p10_ratio",
    "scv",
    "tau2_natural",
    "n_methods",
    "adj_r2_method",
    "adj_r2_risk",
    "r2_full",
    "f_method_given_risk",
    "p_method_given_risk",
    "f_risk_given_method",
    "p_risk_given_method",
]


def _tiny(drop_risk: str | None = None):
    con = T.new_warehouse()
    T.synthetic(con, 8, waves=WAVES, seed=5)
    if drop_risk:
        con.execute("delete from stg_risk_assessments where region_code = ?", [drop_risk])
    engine.build_marts(con)
    return con


@pytest.fixture(scope="module")
def tiny():
    con = _tiny()
    yield con
    con.close()


def test_indicator_summary_holds_the_new_columns_in_order(tiny):
    cols = [c for (c,) in tiny.execute("select column_name from (describe marts.indicator_summary)").fetchall()]
    start = cols.index(NEW_SUMMARY_COLUMNS[0])
    assert cols[start : start + len(NEW_SUMMARY_COLUMNS)] == NEW_SUMMARY_COLUMNS
    assert start > len(engine.MART_COLUMNS["indicator_summary"])  # added after the contract columns
    assert cols[: len(engine.MART_COLUMNS["indicator_summary"])] == list(engine.MART_COLUMNS["indicator_summary"])


def test_indicator_summary_holds_the_size_of_the_variation(tiny):
    # the counts and McPherson's formula again, in SQL on the register
    rows = tiny.execute(
        """
        with r as (
            select wave, indicator_id,
                   count(*) filter (where verdict <> 'onvoldoende_gegevens') as n,
                   (sum(power(numerator - denominator, 2) / power(denominator, 2)) filter (where denominator > 0)
                    - sum(1 / denominator) filter (where denominator > 0))
                   / count(*) filter (where denominator > 0) as scv
            from marts.variation_register group by all
        )
        select s.indicator_id, s.n_tests, r.n, s.expected_false_alarms, s.scv, r.scv, s.tau2_natural
        from marts.indicator_summary as s join r using (wave, indicator_id)
        """
    ).fetchall()
    assert len(rows) == 2 * len(indicators.INDICATORS)
    for ind, n_tests, n, efa, scv, scv_sql, tau2 in rows:
        assert n_tests == n and efa == pytest.approx(0.002 * n)
        if ind == COUNT:
            assert scv is not None and scv == pytest.approx(scv_sql) and tau2 is not None and tau2 >= 0
        else:
            assert scv is None
        if indicators.BY_ID[ind].norm_type == "vastgesteld":
            assert tau2 is None
    assert any(n_tests == 8 for _, n_tests, *_ in rows)


def test_method_against_risk_only_for_the_score(tiny):
    rows = tiny.execute(
        "select indicator_id, n_methods, r2_full, p_method_given_risk from marts.indicator_summary"
    ).fetchall()
    assert all(n is None and r2 is None and p is None for ind, n, r2, p in rows if ind != SCORE)
    methods = dict(
        tiny.execute(
            """select wave, count(distinct method) from int_risk_basis
               where basis_wave = wave and probability_score is not null group by wave"""
        ).fetchall()
    )
    got = dict(
        tiny.execute("select wave, n_methods from marts.indicator_summary where indicator_id = ?", [SCORE]).fetchall()
    )
    assert got == methods


def test_region_peers_grain_and_names(tiny):
    peers = tiny.execute("select * from marts.region_peers").df()
    # eight regions: each has five of the seven others as peers in each wave
    assert len(peers) == 2 * 8 * 5
    assert not peers.duplicated(["wave", "region_code", "rank"]).any()
    assert not peers.duplicated(["wave", "region_code", "peer_code"]).any()
    assert (peers["region_code"] != peers["peer_code"]).all()
    assert sorted(peers.groupby(["wave", "region_code"])["rank"].apply(list).iloc[0]) == [1, 2, 3, 4, 5]
    assert peers["peer_name"].notna().all() and peers["region_name"].notna().all()
    assert (peers.groupby(["wave", "region_code"])["distance"].apply(lambda d: d.is_monotonic_increasing)).all()
    outcomes = [o for o in mart_checks.check_marts(tiny) if o.mart == "region_peers"]
    assert {o.name for o in outcomes} == {"unique_grain", "contract_columns"}
    assert [o.examples for o in outcomes if not o.passed] == []


@pytest.mark.slow  # an engine build of its own (the module's shared build is tiny)
def test_a_region_without_a_risk_assessment_has_no_peers():
    con = _tiny(drop_risk="R0003")
    try:
        peers = con.execute("select region_code, peer_code from marts.region_peers").fetchall()
        summary = con.execute("select count(*) from marts.indicator_summary").fetchone()[0]
    finally:
        con.close()
    # seven regions left, each with five of the six others, in both waves
    assert len(peers) == 2 * 7 * 5
    assert all("R0003" not in row for row in peers)
    assert summary == 2 * len(indicators.INDICATORS)
