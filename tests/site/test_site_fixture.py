"""The synthetic warehouse of tests/site/synthetic.py has the contract's columns and agrees with itself."""

from __future__ import annotations

import duckdb

from tests.site.synthetic import CONTRACT, build_synthetic_warehouse


def test_fixture_has_the_contract_columns(tmp_path):
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=5)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    for mart, cols in CONTRACT.items():
        got = [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()]
        assert got == cols, mart


def test_fixture_is_consistent(tmp_path):
    info = build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=6, waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    n = con.execute("""select count(*) from marts.region_scorecard s join (
        select wave, region_code, count(*) filter (where verdict = 'afwijking_niet_onderbouwd') k
        from marts.variation_register group by all) r using (wave, region_code)
        where s.n_unjustified <> r.k""").fetchone()[0]
    assert n == 0
    w, code = info["missing"]
    assert (
        con.execute(
            "select count(*) from marts.variation_register where wave = ? and region_code = ? "
            "and verdict <> 'onvoldoende_gegevens'",
            [w, code],
        ).fetchone()[0]
        == 0
    )


def test_fixture_summary_and_scorecard_have_every_column_of_the_mart_contract(tmp_path):
    """The site shows the statistics after the first contract columns too: the fixture has them all, in order."""
    from pipelines.contract.marts import MARTS

    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=5, waves=[2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    for mart in ("indicator_summary", "region_scorecard"):
        got = [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()]
        assert got == list(MARTS[mart].column_names), mart
