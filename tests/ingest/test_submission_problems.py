"""The mart submission_problems: every error and warning of every file, one row per problem.

Built here from a real ingest of a small generated world in which one region's
workbook is broken on purpose, so the mart has rows of its own (a world of one wave: no plausibility warnings).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines import sample
from pipelines.core import paths
from pipelines.engine import build as engine
from pipelines.engine import checks as mart_checks
from pipelines.engine.reference import write_reference_tables
from pipelines.ingest.loader import ingest_wave
from pipelines.ingest.warehouse import ensure_schema
from pipelines.publish.outputs import export_marts
from tests.support import read_sheets

SEED = 11
WAVE = 2024


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    regions = sample.make_regions(3, SEED)
    root = tmp_path_factory.mktemp("problems")
    sample.generate(root / "raw", [WAVE], seed=SEED, regions=regions, form="xlsx")
    code = regions[0].code
    book = next((root / "raw" / str(WAVE)).glob(f"{code}_*.xlsx"))
    sheets = read_sheets(book)
    sheets["risico"][0]["kans_score"] = "heel hoog"  # Excel row 2
    sheets["middelen"][3]["training_gevolgd"] = "soms"  # Excel row 5
    sheets["middelen"][1]["training_gevolgd"] = "af en toe"  # Excel row 3
    sample.write_workbook(book, sheets)
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    ingest_wave(con, root / "raw", WAVE, [r.code for r in regions])
    write_reference_tables(con, paths.REFERENCE, regions)  # the mart also lists int_plausibility's warnings
    engine.run_intermediate(con, only=["int_plausibility"])
    engine.run_sql_model(
        con, "marts.submission_problems", engine.MART_SQL["marts.submission_problems"], engine.sql_parameters()
    )
    yield con, code, root
    con.close()


def test_one_row_per_problem_with_the_contract_columns(world):
    con, code, _ = world
    cols = [r[0] for r in con.execute("describe marts.submission_problems").fetchall()]
    assert tuple(cols) == engine.MART_COLUMNS["submission_problems"]
    staged = con.execute("select * from stg_problems order by all").fetchall()
    published = con.execute("select * from marts.submission_problems order by all").fetchall()
    assert published == staged and len(published) >= 3
    errors = con.execute(
        "select sheet, row_number, column_name, severity from marts.submission_problems "
        "where region_code = ? and severity = 'fout'",
        [code],
    ).fetchall()
    assert set(errors) >= {
        ("risico", 2, "kans_score", "fout"),
        ("middelen", 3, "training_gevolgd", "fout"),
        ("middelen", 5, "training_gevolgd", "fout"),
    }


def test_rows_are_ordered_by_where_the_problem_is(world):
    con, _, _ = world
    df = con.execute("select * from marts.submission_problems").df()
    key = ["wave", "region_code", "module", "source_file", "sheet", "row_number", "column_name", "rule"]
    ordered = df.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(df[key], ordered[key])
    middelen = df[(df.sheet == "middelen") & (df.severity == "fout")]["row_number"].tolist()
    assert middelen == sorted(middelen) and middelen[:2] == [3, 5]


def test_submission_status_names_the_first_error_and_how_many_more(world):
    con, code, _ = world
    msg = dict(
        con.execute(
            "select module, message from stg_submission_status where region_code = ? and status = 'afgewezen'", [code]
        ).fetchall()
    )
    assert msg["middelen"].startswith("2 fout(en); eerste: ")
    assert "blad 'middelen', rij 3, kolom 'training_gevolgd'" in msg["middelen"] and ", en nog 1;" in msg["middelen"]
    assert msg["risico"].startswith("1 fout(en); eerste: ") and "rij 2, kolom 'kans_score'" in msg["risico"]
    assert "en nog" not in msg["risico"] and "submission_problems" in msg["risico"]
    assert "af en toe" not in msg["middelen"]  # the status names place and rule, never the value


def test_published_as_parquet_csv_and_sheet(world, tmp_path):
    from python_calamine import CalamineWorkbook

    con, _, _ = world
    rows = export_marts(con, ["submission_problems"], tmp_path)
    table = con.execute("select * from marts.submission_problems").df()
    parquet = pd.read_parquet(tmp_path / "submission_problems.parquet")
    csv_frame = pd.read_csv(tmp_path / "submission_problems.csv")
    assert rows["submission_problems"] == len(table) == len(parquet) == len(csv_frame) >= 3
    assert list(parquet.columns) == list(csv_frame.columns) == list(engine.MART_COLUMNS["submission_problems"])
    assert parquet["message"].tolist() == table["message"].tolist()
    sheet = CalamineWorkbook.from_path(str(tmp_path / "benchmark.xlsx")).get_sheet_by_name("submission_problems")
    values = sheet.to_python()
    assert list(values[0]) == list(engine.MART_COLUMNS["submission_problems"]) and len(values) == len(table) + 1


def test_the_mart_check_catches_an_unknown_severity(world):
    con, _, _ = world
    check = next(c for c in mart_checks.MART_CHECKS if c.mart == "submission_problems" and c.name == "codes")
    assert mart_checks.run_check(con, check).passed
    con.execute("create temp table keep as select * from marts.submission_problems")
    con.execute("update marts.submission_problems set severity = 'ernstig' where row_number = 2")
    try:
        outcome = mart_checks.run_check(con, check)
        assert not outcome.passed and outcome.n_failing >= 1
    finally:
        con.execute("create or replace table marts.submission_problems as select * from keep")
