"""The marts in the forms a Dutch analyst opens in a spreadsheet: the sheets of ``benchmark.xlsx`` and the
CSV files for Dutch Excel in ``nl/``.

Both have the mart's columns, and beside each column of codes a column ``<column>_label`` with the Dutch
words for the code (:mod:`pipelines.contract.column_labels`); the marts, their Parquet and their CSV files
keep only the codes. In the workbook numbers are stored exact and shown rounded (:func:`number_format`).

The CSV files in ``nl/`` open as they should by double-click in Excel set to Dutch: UTF-8 with a BOM (so
Excel reads ``Fryslân`` as such), fields separated by ``;`` and a decimal comma (``0,25``), booleans as
Excel's Dutch ``WAAR``/``ONWAAR``, CRLF line ends, no thousands separator, every digit of a number (a
double in its shortest exact form). NaN and infinity are left empty, as in the workbook. Text gets the same
guard against formulas as in the other CSV files (:func:`pipelines.publish.xlsx_sql.csv_safe_sql`).

The labels are looked up in SQL, in a DuckDB variable per column (see :func:`sheet_columns`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipelines.contract.column_labels import LABEL_SUFFIX, labels_for
from pipelines.contract.marts import MARTS, MARTS_DATABASE, NL_FOLDER, WORKBOOK
from pipelines.publish.xlsx_sql import FLOAT_TYPES, SheetColumn, csv_safe_sql, is_list, quote_ident, sql_text
from pipelines.publish.xlsx_workbook import NUMBER_STYLES

#: The first sheet of the workbook, explaining it.
INTRO_SHEET = "Toelichting"
_BOM = "\ufeff"


def mart_files(names) -> list[str]:
    """Every file a publication of the marts ``names`` holds, relative to the marts folder."""
    per_mart = [f"{n}.{ext}" for n in names for ext in ("parquet", "csv")] + [f"{NL_FOLDER}/{n}.csv" for n in names]
    return per_mart + [WORKBOOK, MARTS_DATABASE]


def number_format(mart: str, column: str, dtype: str) -> str | None:
    """The display format of a column of decimal numbers (None: shown as stored, as whole numbers are).

    Four decimals for p-values and probabilities, five for variances (small numbers), one for counts, three
    for the rest (ratios, shares 0-1, scores, z-scores, limits). The unit comes from the marts contract.
    """
    if dtype not in FLOAT_TYPES and not dtype.startswith("DECIMAL"):
        return None
    contract = MARTS.get(mart)
    unit = next((c.unit.lower() for c in contract.columns if c.name == column), "") if contract else ""
    if "p-value" in unit or "probability" in unit:
        return "0.0000"
    if "variance" in unit or "squared" in unit or column.startswith("tau2"):
        return "0.00000"
    if unit.startswith(("count", "expected count", "number of")):
        return "0.0"
    return "0.000"


@contextmanager
def sheet_columns(con: duckdb.DuckDBPyConnection, relations: dict[str, str]) -> Iterator[dict[str, list[SheetColumn]]]:
    """The columns of each mart's sheet and Dutch CSV: every column of the mart, in order, each column of codes
    followed by its ``_label`` column; decimal numbers with their display format.

    A label is looked up in a variable of ``con``: a MAP from the column's distinct codes to their words
    (:meth:`~pipelines.contract.column_labels.Labels.label`), set with bound parameters and reset after
    the block. One lookup per cell, whatever the codes (a list of indicator ids is one key).
    """
    variables: list[str] = []
    try:
        out: dict[str, list[SheetColumn]] = {}
        for mart, relation in relations.items():
            columns = []
            for name, dtype, *_ in con.execute(f"DESCRIBE {relation}").fetchall():
                fmt = number_format(mart, name, dtype)
                columns.append(SheetColumn(name, quote_ident(name), dtype, NUMBER_STYLES[fmt] if fmt else 0))
                group = labels_for(mart, name)
                if group is None:
                    continue
                text = quote_ident(name) if dtype == "VARCHAR" else f"CAST({quote_ident(name)} AS VARCHAR)"
                codes = [
                    c
                    for (c,) in con.execute(
                        f"SELECT DISTINCT {text} FROM {relation} WHERE {text} IS NOT NULL"
                    ).fetchall()
                ]
                var = f"regiobench_label_{len(variables)}"
                con.execute(
                    f"SET VARIABLE {var} = MAP(?::VARCHAR[], ?::VARCHAR[])", [codes, [group.label(c) for c in codes]]
                )
                variables.append(var)
                columns.append(SheetColumn(name + LABEL_SUFFIX, f"getvariable('{var}')[{text}]", "VARCHAR"))
            out[mart] = columns
        yield out
    except BaseException:
        # A write that failed half-way (a full disk) can leave a result open on ``con``, and resetting a variable
        # then raises a duckdb error that would hide the failure itself: the caller must see that failure.
        for var in variables:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"RESET VARIABLE {var}")
        raise
    for var in variables:
        con.execute(f"RESET VARIABLE {var}")


def _nl_value(c: SheetColumn) -> str:
    """SQL for one field of the Dutch CSV (NULL: an empty field)."""
    if c.type == "VARCHAR":
        return csv_safe_sql(f"nullif({c.expr}, '')")
    if is_list(c.type):
        return csv_safe_sql(f"nullif({sql_text(c.expr, c.type)}, '')")
    if c.type == "BOOLEAN":
        return f"CASE WHEN {c.expr} THEN 'WAAR' WHEN NOT {c.expr} THEN 'ONWAAR' END"
    if c.type in FLOAT_TYPES or c.type.startswith("DECIMAL"):
        x = f"CAST({c.expr} AS DOUBLE)" if c.type.startswith("DECIMAL") else c.expr
        return f"CASE WHEN isfinite({x}) THEN replace(CAST({x} AS VARCHAR), '.', ',') END"
    return c.expr


def nl_csv_select(con: duckdb.DuckDBPyConnection, relation: str, columns: list[SheetColumn]) -> str:
    """The SELECT whose CSV (``;``, CRLF) is the Dutch file; its first header carries the BOM.

    The BOM rides on the first column's name, so DuckDB's COPY writes it as the file's first bytes.
    Rows in the table's own order (as :func:`pipelines.publish.outputs.csv_select`).
    """
    names = {r[0].lower() for r in con.execute(f"DESCRIBE {relation}").fetchall()}
    parts = [f"{_nl_value(c)} AS {quote_ident((_BOM if j == 0 else '') + c.name)}" for j, c in enumerate(columns)]
    order = "" if "rowid" in names else " ORDER BY rowid"
    return f"SELECT {', '.join(parts)} FROM {relation}{order}"


#: The Dutch CSV's options: the decimal comma is in the values themselves (COPY writes no decimal comma).
NL_CSV_OPTIONS = r"""FORMAT csv, HEADER true, DELIMITER ';', QUOTE '"', ESCAPE '"', NULLSTR '', NEW_LINE '\r\n'"""
