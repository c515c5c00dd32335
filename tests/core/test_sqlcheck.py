"""One check type for staging and marts: a query that returns the violating rows."""

from __future__ import annotations

import duckdb

from pipelines.core.sqlcheck import SqlCheck, run_check
from pipelines.engine import checks as mart_checks


def test_staging_and_mart_checks_are_one_type():
    from pipelines.defs import sqlchecks  # the Dagster side: imported by the tests that need it, not at collection
    from pipelines.defs.marts.checks import MART_CHECK_SPECS
    from pipelines.defs.staging.checks import CHECKS as STAGING_CHECKS

    assert STAGING_CHECKS and mart_checks.MART_CHECKS
    assert all(type(c) is SqlCheck for c in (*STAGING_CHECKS, *mart_checks.MART_CHECKS))
    assert {c.asset_path[0] for c in mart_checks.MART_CHECKS} == {"marts"}
    assert all(len(c.asset_path) == 1 and c.table.startswith("stg_") for c in STAGING_CHECKS)
    assert [s.key for s in MART_CHECK_SPECS] == [sqlchecks.check_key(c) for c in mart_checks.MART_CHECKS]


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute(
        "create table stg_x as select * from (values (2024, 'R1', 1), (2024, 'R1', 1), (2024, 'R2', 2)) "
        "as t(wave, region_code, id)"
    )
    con.execute(
        "create table marts.y as select * from (values (2024, 'R1', 'goed'), (2024, 'R2', 'fout'), "
        "(2024, 'R3', 'fout')) as t(wave, region_code, status)"
    )
    return con


STAGING_LIKE = SqlCheck(
    "stg_x",
    "id_uniek",
    "id is uniek",
    "select wave, region_code, id, count(*) as n from stg_x group by all having count(*) > 1",
)
MART_LIKE = SqlCheck(
    "marts.y",
    "codes",
    "status from its set",
    "select * from marts.y where not list_contains(?, status)",
    params=(["goed"],),
    label_sql="region_code || ': ' || status",
)


def test_run_check_counts_the_violating_rows_and_names_examples():
    con = _warehouse()
    staging = run_check(con, STAGING_LIKE)
    assert (staging.passed, staging.n_failing, staging.examples) == (False, 1, ["2024 / R1 / 1 / 2"])
    assert list(staging.example_rows.columns) == ["wave", "region_code", "id", "n"]
    mart = run_check(con, MART_LIKE, n_examples=1)
    assert (mart.passed, mart.n_failing, mart.mart, mart.examples) == (False, 2, "y", ["R2: fout"])
    assert run_check(con, SqlCheck("marts.y", "leeg", "", "select * from marts.y where false")).passed
    con.close()


def test_both_kinds_report_the_same_way_in_dagster():
    import dagster as dg

    from pipelines.defs import sqlchecks

    con = _warehouse()
    results = [sqlchecks.check_result(run_check(con, c, sqlchecks.EXAMPLES)) for c in (STAGING_LIKE, MART_LIKE)]
    assert [r.asset_key for r in results] == [dg.AssetKey("stg_x"), dg.AssetKey(["marts", "y"])]
    assert [set(r.metadata) for r in results] == [{"violations", "examples"}] * 2
    assert [r.metadata["violations"].value for r in results] == [1, 2]
    assert [r.description for r in results] == ["1 overtreding(en)", "2 overtreding(en)"]
    assert "| voorbeeld |" in results[1].metadata["examples"].value
    assert all(not r.passed and r.severity == dg.AssetCheckSeverity.ERROR for r in results)
    passed = sqlchecks.check_result(run_check(con, SqlCheck("stg_x", "leeg", "", "select * from stg_x where false")))
    assert passed.passed and passed.description == "in orde" and passed.metadata["examples"].value == "geen"
    con.close()
