"""A small, fast XLSX writer for the marts workbook.

Cell-by-cell writers (xlsxwriter, openpyxl) spend microseconds per cell in
Python; the marts of a large region set hold tens of millions of cells. This
writer builds each sheet's XML column by column with vectorised pandas string
operations and zips the parts. It writes exactly what the marts need:

* text as inline strings (``t="inlineStr"``): never a formula, never a link,
  whatever it starts with; characters XML cannot carry are written as Excel's
  ``_xHHHH_`` escapes (and a literal ``_x`` as ``_x005F_x``), as Excel reads them;
* numbers as numbers, booleans as booleans, dates and times as ISO text;
* empty cells (None, NaN) are left out;
* a bold, frozen header row;
* a sheet holds at most 1,048,575 data rows (Excel's limit); a longer mart
  continues on sheets named ``<name> (2)``, ``<name> (3)`` and so on.

Two entry points share that format: :func:`write_xlsx` here takes pandas frames (small tables, tests),
and :func:`pipelines.publish.xlsx_duckdb.write_xlsx_from_duckdb` takes tables or queries of a DuckDB
connection and lets DuckDB build every row's XML in SQL (:mod:`pipelines.publish.xlsx_sql`, in
parallel), streaming it batch by batch into the zip: no DataFrame, no Python loop per cell, memory
bounded by one batch. The marts export uses the latter. Both zip their sheets with
:func:`pipelines.publish.xlsx_workbook.write_workbook`.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from pipelines.publish.xlsx_workbook import Chunks, write_workbook

MAX_ROWS = 1_048_575  # data rows per sheet: Excel's 1,048,576 minus the header
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 (tab and newline are)


def column_letters(n: int) -> list[str]:
    out = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        out.append(name)
    return out


def _text_xml(values: pd.Series) -> pd.Series:
    """Escaped XML text of string cells (vectorised)."""
    s = values.astype(str)
    s = s.str.replace("_x", "_x005F_x", regex=False)
    s = s.str.replace(_CONTROL, lambda m: f"_x{ord(m.group()):04X}_", regex=True)
    s = (
        s.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )
    return s


def text_xml(text: str) -> str:
    """The escaped XML of one text, as :func:`_text_xml` escapes a column of them."""
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text.replace("_x", "_x005F_x"))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cells(series: pd.Series, ref: pd.Series) -> pd.Series:
    """The XML of every cell of one column ('' where empty)."""
    out = pd.Series("", index=series.index, dtype=object)
    kind = series.dtype.kind
    if kind == "b" or str(series.dtype) == "boolean":
        present = series.notna()
        vals = series[present].astype(bool).map({True: "1", False: "0"})
        out[present] = '<c r="' + ref[present] + '" t="b"><v>' + vals + "</v></c>"
        return out
    if kind in "iuf" or str(series.dtype) in ("Int64", "Int32", "Float64"):
        numeric = pd.to_numeric(series, errors="coerce").astype("float64")
        present = np.isfinite(numeric.to_numpy())
        if present.any():  # an all-empty column would make the mapped values float, not text
            vals = pd.Series(
                [str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v) for v in numeric[present]],
                index=series.index[present],
                dtype=object,
            )
            out[present] = '<c r="' + ref[present] + '"><v>' + vals + "</v></c>"
        return out
    if kind == "M":
        present = series.notna()
        vals = series[present].map(lambda v: v.isoformat())
        out[present] = '<c r="' + ref[present] + '" t="inlineStr"><is><t>' + vals + "</t></is></c>"
        return out
    # text (object or str dtype), mixed, dates; numbers mixed into an object column stay numbers
    values = series.tolist()
    present = np.array(
        [v is not None and v is not pd.NA and not (isinstance(v, float) and np.isnan(v)) for v in values], dtype=bool
    )
    is_num = (
        np.array(
            [
                isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                for v in values
            ],
            dtype=bool,
        )
        & present
    )
    is_bool = np.array([isinstance(v, (bool, np.bool_)) for v in values], dtype=bool) & present
    is_text = present & ~is_num & ~is_bool
    if is_text.any():
        texts = pd.Series(
            [v.isoformat() if hasattr(v, "isoformat") else str(v) for v, t in zip(values, is_text) if t],
            index=series.index[is_text],
            dtype=object,
        )
        out[is_text] = (
            '<c r="'
            + ref[is_text]
            + '" t="inlineStr"><is><t xml:space="preserve">'
            + _text_xml(texts)
            + "</t></is></c>"
        )
    if is_num.any():
        nums = pd.Series(
            [
                str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
                for v, t in zip(values, is_num)
                if t
            ],
            index=series.index[is_num],
            dtype=object,
        )
        out[is_num] = '<c r="' + ref[is_num] + '"><v>' + nums + "</v></c>"
    if is_bool.any():
        bools = pd.Series(
            ["1" if v else "0" for v, t in zip(values, is_bool) if t], index=series.index[is_bool], dtype=object
        )
        out[is_bool] = '<c r="' + ref[is_bool] + '" t="b"><v>' + bools + "</v></c>"
    return out


def _sheet_xml(frame: pd.DataFrame) -> str:
    letters = column_letters(len(frame.columns))
    header = "".join(
        f'<c r="{letters[j]}1" t="inlineStr" s="1"><is><t>{escape(str(c))}</t></is></c>'
        for j, c in enumerate(frame.columns)
    )
    rownum = pd.Series(np.arange(2, len(frame) + 2).astype(str), index=frame.index)
    body = '<row r="' + rownum + '">'
    for j, col in enumerate(frame.columns):
        body = body + _cells(frame[col], letters[j] + rownum)
    body = body + "</row>"
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f'<sheetData><row r="1">{header}</row>{"".join(body.tolist())}</sheetData></worksheet>'
    )


def _sheet_chunks(frame: pd.DataFrame) -> list[bytes]:
    return [_sheet_xml(frame).encode("utf-8")]


def sheet_names(name: str, n_rows: int) -> list[str]:
    parts = max(1, -(-n_rows // MAX_ROWS))
    return [name[:31]] + [f"{name[:25]} ({i})" for i in range(2, parts + 1)]


def write_xlsx(frames: dict[str, pd.DataFrame], path: Path, title: str = "") -> dict[str, list[str]]:
    """Write every frame as one sheet (or several beyond Excel's row limit). Returns the sheet names per frame."""
    sheets: list[tuple[str, Chunks]] = []
    names: dict[str, list[str]] = {}
    for name, frame in frames.items():
        names[name] = sheet_names(name, len(frame))
        for i, sheet in enumerate(names[name]):
            part = frame.iloc[i * MAX_ROWS : (i + 1) * MAX_ROWS].reset_index(drop=True)
            sheets.append((sheet, partial(_sheet_chunks, part)))
    write_workbook(sheets, path, title)
    return names
