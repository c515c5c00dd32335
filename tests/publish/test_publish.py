"""Publishing: nothing half-written is ever visible, and no exported text acts as a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from pipelines.publish.outputs import export_marts, recover, staged_folder

PAYLOADS = [
    '=HYPERLINK("http://x","klik")',
    "+31 6 1234",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "<script>alert(1)</script>",
    "gewone tekst",
]


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    c.execute("create schema marts")
    c.execute("create table marts.demo (id integer, text varchar, value double, codes varchar[])")
    c.executemany(
        "insert into marts.demo values (?, ?, ?, ?)", [(i, t, -1.5 * i, ["a", "b"]) for i, t in enumerate(PAYLOADS)]
    )
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
    with pytest.raises(RuntimeError), staged_folder(target) as folder:
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


def test_csv_is_crlf_with_guard_and_lists_as_the_pandas_export_wrote_them(tmp_path):
    """The DuckDB COPY path: CRLF records, quoting, empty/NULL, booleans, list flattening and the guard on it."""
    c = duckdb.connect(":memory:")
    c.execute("create schema marts")
    c.execute("create table marts.m (text varchar, flag boolean, n integer, x double, codes varchar[])")
    c.executemany(
        "insert into marts.m values (?, ?, ?, ?, ?)",
        [
            ("regel 1\nregel 2", True, 1, 0.1, ["=a", "b"]),
            ("", False, None, float("nan"), []),
            (None, None, 3, 1e20, None),
            ('a,"b"', True, -4, -1.5, ["x", None]),
            ("-\u202eevil", False, 5, 2.0, ["-1"]),
        ],
    )
    export_marts(c, ["m"], tmp_path)
    raw = (tmp_path / "m.csv").read_bytes()
    assert raw.startswith(b"text,flag,n,x,codes\r\n") and raw.endswith(b"\r\n")
    assert raw.count(b"\r\n") == 6 and b"\n" not in raw.replace(b"\r\n", b"").replace(b"regel 1\nregel 2", b"")
    assert b'"regel 1\nregel 2"' in raw  # a field holding a newline is quoted
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1:] == [
        ["regel 1\nregel 2", "True", "1", "0.1", "'=a|b"],  # the list is joined first, then guarded
        ["", "False", "", "", ""],  # an empty text, NaN and an empty list: empty fields, as NULL
        ["", "", "3", "1e+20", ""],
        ['a,"b"', "True", "-4", "-1.5", "x|None"],
        ["'-\u202eevil", "False", "5", "2.0", "'-1"],
    ]
    c.close()


def test_workbook_from_export_splits_long_marts_and_keeps_row_order(tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    from pipelines.publish import xlsx, xlsx_duckdb

    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)
    monkeypatch.setattr(xlsx_duckdb, "BATCH_ROWS", 3)  # batches that straddle the sheet boundaries
    c = duckdb.connect(":memory:")
    c.execute("create schema marts")
    c.execute("create table marts.long_mart as select i, 'r' || i as label from range(10) t(i)")
    c.execute("create table marts.gaps as select i from range(12) t(i)")
    c.execute("delete from marts.gaps where i in (0, 5)")  # rowids no longer 0..n-1: the row_number() path
    c.execute("create table marts.empty (a integer)")
    export_marts(c, ["long_mart", "gaps", "empty"], tmp_path)
    wb = CalamineWorkbook.from_path(str(tmp_path / "benchmark.xlsx"))
    parts = ["long_mart", "long_mart (2)", "long_mart (3)", "gaps", "gaps (2)", "gaps (3)", "empty"]
    assert wb.sheet_names == ["Toelichting", *parts]
    intro = wb.get_sheet_by_name("Toelichting").to_python()
    assert ["long_mart, long_mart (2), long_mart (3)", 10] in [row[:2] for row in intro]
    sheets = {n: wb.get_sheet_by_name(n).to_python() for n in parts}
    filters = {ws.title: ws.auto_filter.ref for ws in openpyxl.load_workbook(tmp_path / "benchmark.xlsx")}
    assert [filters[n] for n in parts] == ["A1:B5", "A1:B5", "A1:B3", "A1:A5", "A1:A5", "A1:A3", "A1:A1"]
    assert all(s[0] == ["i", "label"] for n, s in sheets.items() if n.startswith("long_mart"))
    assert [r for n in ["long_mart", "long_mart (2)", "long_mart (3)"] for r in sheets[n][1:]] == [
        [i, f"r{i}"] for i in range(10)
    ]
    assert [len(sheets[n]) for n in ["long_mart", "long_mart (2)", "long_mart (3)"]] == [5, 5, 3]
    assert [r[0] for n in ["gaps", "gaps (2)", "gaps (3)"] for r in sheets[n][1:]] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert sheets["empty"] == [["a"]]
    c.close()


def test_a_failed_swap_puts_the_previous_publication_back_at_once(tmp_path, monkeypatch):
    target = tmp_path / "marts"
    with staged_folder(target) as folder:
        (folder / "a.csv").write_text("eerste")
    real_rename = Path.rename

    def rename(self, dest):
        if self.name.startswith(".marts.new-") and Path(dest) == target:
            raise OSError("rename failed")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError), staged_folder(target) as folder:
        (folder / "a.csv").write_text("tweede")
    assert (target / "a.csv").read_text() == "eerste"  # back now, not only after the next recover()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]


@pytest.mark.slow  # a size run: 400,000 rows written as CSV
def test_csv_rows_keep_the_table_order_on_a_large_mart(tmp_path):
    """DuckDB's parallel COPY may reorder rows once the guard is in the query; the export must not."""
    c = duckdb.connect(":memory:")
    c.execute("set threads = 4")
    c.execute("create schema marts")
    c.execute("create table marts.big as select i, 'r' || i as label, i % 7 = 0 as flag from range(400000) t(i)")
    export_marts(c, ["big"], tmp_path)
    with (tmp_path / "big.csv").open(encoding="utf-8", newline="") as fh:
        got = [int(row[0]) for row in csv.reader(fh) if row[0] != "i"]
    assert got == list(range(400000))
    c.close()
