"""Publishing: nothing half-written is ever visible, and no exported text acts as a formula."""

from __future__ import annotations

import csv

import duckdb
import openpyxl
import pandas as pd
import pytest

from pipelines.lib.publish import export_marts, recover, staged_folder

PAYLOADS = ["=HYPERLINK(\"http://x\",\"klik\")", "+31 6 1234", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
            "<script>alert(1)</script>", "gewone tekst"]


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    c.execute("create schema marts")
    c.execute("create table marts.demo (id integer, text varchar, value double, codes varchar[])")
    c.executemany("insert into marts.demo values (?, ?, ?, ?)",
                  [(i, t, -1.5 * i, ["a", "b"]) for i, t in enumerate(PAYLOADS)])
    yield c
    c.close()


def test_xlsx_text_cells_are_text_never_formulas(con, tmp_path):
    from python_calamine import CalamineWorkbook

    export_marts(con, ["demo"], tmp_path)
    values = CalamineWorkbook.from_path(str(tmp_path / "benchmark.xlsx")).get_sheet_by_name("demo").to_python()
    assert [row[1] for row in values[1:]] == PAYLOADS  # the exact text, kept (calamine decodes _x000D_ as Excel does)
    ws = openpyxl.load_workbook(tmp_path / "benchmark.xlsx")["demo"]
    cells = [ws.cell(row=i + 2, column=2) for i in range(len(PAYLOADS))]
    assert all(c.data_type == "s" for c in cells)  # stored as strings: Excel never evaluates them
    assert ws.cell(row=3, column=3).value == -1.5 and ws.cell(row=3, column=3).data_type == "n"


def test_csv_text_that_would_start_a_formula_is_made_inert(con, tmp_path):
    export_marts(con, ["demo"], tmp_path)
    with (tmp_path / "demo.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    for original, written in zip(PAYLOADS, texts):
        if original[0] in "=+-@\t\r":
            assert written == "'" + original
        else:
            assert written == original
    assert [r["value"] for r in rows][1] == "-1.5"  # numbers are not touched
    assert rows[0]["codes"] == "a|b"


def test_parquet_keeps_the_exact_text(con, tmp_path):
    export_marts(con, ["demo"], tmp_path)
    assert pd.read_parquet(tmp_path / "demo.parquet")["text"].tolist() == PAYLOADS


def test_publication_is_swapped_in_only_when_complete(tmp_path):
    target = tmp_path / "marts"
    with staged_folder(target) as folder:
        (folder / "a.csv").write_text("eerste")
    with pytest.raises(RuntimeError):
        with staged_folder(target) as folder:
            (folder / "a.csv").write_text("half")
            raise RuntimeError("run dies while writing")
    assert (target / "a.csv").read_text() == "eerste"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]  # no leftovers


def test_recover_after_a_death_between_the_two_renames(tmp_path):
    target = tmp_path / "marts"
    old = tmp_path / ".marts.old-1234abcd"
    old.mkdir()
    (old / "a.csv").write_text("vorige")
    (tmp_path / ".marts.new-5678abcd").mkdir()
    assert recover(target) is not None
    assert (target / "a.csv").read_text() == "vorige"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]
