"""The marts workbook writer: exact text, real numbers, never a formula, and Excel's row limit respected."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from pipelines.publish import xlsx, xlsx_duckdb

AWKWARD = [
    "=1+1",
    "+31",
    "-x",
    "@SUM(A1)",
    "\tt",
    "a\rb",
    "regel 1\nregel 2",
    "_x0041_ blijft letterlijk",
    "<b>&amp;</b>",
    "bel\x07",
    "Fryslân 🚒 \u202eevil",
    "",
]


def test_round_trip_of_text_numbers_booleans_and_empties(tmp_path):
    frame = pd.DataFrame(
        {
            "text": AWKWARD,
            "number": [1, 2.5, -3, None, np.nan, 1e20, 0, 7, 8, 9, 10, 11],
            "flag": pd.array([True, False, None] + [True] * 9, dtype="boolean"),
            "when": [dt.date(2024, 3, 5)] * 12,
            "count": pd.array(list(range(11)) + [None], dtype="Int64"),
        }
    )
    path = tmp_path / "t.xlsx"
    assert xlsx.write_xlsx({"demo": frame}, path) == {"demo": ["demo"]}
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("demo").to_python()
    assert rows[0] == ["text", "number", "flag", "when", "count"]
    assert [r[0] for r in rows[1:]] == AWKWARD
    assert [r[1] for r in rows[1:6]] == [1, 2.5, -3, "", ""]
    assert rows[6][1] == 1e20
    assert [r[2] for r in rows[1:4]] == [True, False, ""]
    assert rows[1][3] == "2024-03-05"
    assert rows[12][4] == ""
    ws = openpyxl.load_workbook(path)["demo"]
    assert all(ws.cell(row=i, column=1).data_type == "s" for i in range(2, 13))  # text, never a formula
    assert ws.freeze_panes == "A2" and ws.cell(row=1, column=1).font.b


def test_a_mart_longer_than_excel_allows_continues_on_more_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)
    frame = pd.DataFrame({"i": range(10)})
    names = xlsx.write_xlsx({"equipment_matrix": frame}, tmp_path / "t.xlsx")
    assert names == {"equipment_matrix": ["equipment_matrix", "equipment_matrix (2)", "equipment_matrix (3)"]}
    wb = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx"))
    got = [r[0] for n in names["equipment_matrix"] for r in wb.get_sheet_by_name(n).to_python()[1:]]
    assert got == list(range(10))


def test_same_data_gives_the_same_bytes(tmp_path):
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    xlsx.write_xlsx({"m": frame}, tmp_path / "1.xlsx")
    xlsx.write_xlsx({"m": frame}, tmp_path / "2.xlsx")
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()


def test_column_letters_past_z():
    assert xlsx.column_letters(28)[-3:] == ["Z", "AA", "AB"]


def test_pandas_string_dtype_columns(tmp_path):
    """pandas 3 reads text as the 'str' dtype; its masks are not plain booleans."""
    frame = pd.DataFrame(
        {"a": pd.Series(["x", None, "=y"], dtype="str"), "b": pd.Series(["1", "2", "3"], dtype="string")}
    )
    xlsx.write_xlsx({"m": frame}, tmp_path / "t.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("m").to_python()
    assert rows[1:] == [["x", "1"], ["", "2"], ["=y", "3"]]


def test_an_entirely_empty_numeric_column(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "empty": pd.Series([np.nan, np.nan], dtype="float64")})
    xlsx.write_xlsx({"m": frame}, tmp_path / "t.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("m").to_python()
    assert [r[0] for r in rows[1:]] == [1, 2]


def _sheet_data(xml: str) -> str:
    return xml[xml.index("<sheetData>") : xml.index("</sheetData>")]


def test_the_duckdb_path_writes_the_same_sheet_xml_as_the_pandas_path(tmp_path):
    """write_xlsx_from_duckdb builds the XML in SQL; it must match write_xlsx cell for cell, escapes included."""
    import zipfile

    import duckdb

    texts = AWKWARD + [None, "x\ufffey\uffff", "\x00nul", "\uff01 \ufffd", "_x_x_", "a & b < c > d"]
    n = len(texts)
    numbers = [
        1.0,
        2.5,
        -3.0,
        None,
        float("nan"),
        1e20,
        0.0,
        1e15,
        123456789012345.0,
        0.1,
        float("inf"),
        1e-7,
        -0.0,
        7.0,
        8.0,
        9.0,
        10.0,
        11.0,
    ]
    con = duckdb.connect()
    con.execute("create table t (s varchar, plain varchar, d double, i bigint, b boolean, l varchar[], e double)")
    con.executemany(
        "insert into t values (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                texts[k],
                f"code_{k}" if k % 5 else None,
                numbers[k],
                [1, None, -5, 10**15, 10**16][k % 5] + k if k % 5 != 1 else None,
                [True, False, None][k % 3],
                [["a", "b"], [], None, ["x", None]][k % 4],
                None,
            )
            for k in range(n)
        ],
    )
    assert xlsx_duckdb.write_xlsx_from_duckdb(con, {"t": "t"}, tmp_path / "new.xlsx") == {"t": ["t"]}
    frame = con.execute("select * from t").df()
    frame["l"] = frame["l"].map(lambda v: "|".join(map(str, v)) if isinstance(v, (list, np.ndarray)) else v)
    frame["b"] = frame["b"].astype("boolean")
    frame["i"] = frame["i"].astype("Int64")
    xlsx.write_xlsx({"t": frame}, tmp_path / "old.xlsx")
    old = zipfile.ZipFile(tmp_path / "old.xlsx").read("xl/worksheets/sheet1.xml").decode()
    new = zipfile.ZipFile(tmp_path / "new.xlsx").read("xl/worksheets/sheet1.xml").decode()
    # The cells are the same; the DuckDB path adds column widths and an autofilter around them.
    assert _sheet_data(new).split("<row") == _sheet_data(old).split("<row")
    assert "_x0007_" in new and "_x005F_x0041_" in new and "&lt;b&gt;" in new and "_xFFFE_" in new
    rows = CalamineWorkbook.from_path(str(tmp_path / "new.xlsx")).get_sheet_by_name("t").to_python()
    assert [r[0] for r in rows[1 : len(AWKWARD) + 1]] == AWKWARD
    con.close()
