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

The labels are looked up in SQL: each group of labels is a DuckDB variable (a MAP), set with bound
parameters by :func:`label_variables`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipelines.contract.column_labels import GROUPS, LABEL_SUFFIX, Labels, labels_for
from pipelines.contract.marts import MARTS
from pipelines.publish.xlsx_sql import FLOAT_TYPES, SheetColumn, csv_safe_sql, is_list, quote_ident, sql_text
from pipelines.publish.xlsx_workbook import NUMBER_STYLES

#: The folder, inside the marts folder, of the CSV files for Dutch Excel (``nl/<mart>.csv``).
NL_FOLDER = "nl"
#: The first sheet of the workbook, explaining it.
INTRO_SHEET = "Toelichting"
WORKBOOK = "benchmark.xlsx"
MARTS_DATABASE = "marts.duckdb"  # the marts as tables, for analysts' own queries (never the warehouse)
_BOM = "\ufeff"


def mart_files(names) -> list[str]:
    """Every file a publication of the marts ``names`` holds, relative to the marts folder."""
    per_mart = [f"{n}.{ext}" for n in names for ext in ("parquet", "csv")] + [f"{NL_FOLDER}/{n}.csv" for n in names]
    return per_mart + [WORKBOOK, MARTS_DATABASE]


def _variable(group: Labels) -> str:
    return f"regiobench_labels_{group.name}"


@contextmanager
def label_variables(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Set every group's code -> words MAP (and its separators) as variables of ``con``; reset them after."""
    names = []
    try:
        for group in GROUPS.values():
            var = _variable(group)
            codes = list(group.words)
            con.execute(
                f"SET VARIABLE {var} = MAP(?::VARCHAR[], ?::VARCHAR[])", [codes, [group.words[c] for c in codes]]
            )
            names.append(var)
            if group.separator is not None:
                con.execute(f"SET VARIABLE {var}_sep = ?::VARCHAR", [group.separator])
                con.execute(f"SET VARIABLE {var}_join = ?::VARCHAR", [group.joiner])
                names += [f"{var}_sep", f"{var}_join"]
        yield
    finally:
        for var in names:
            con.execute(f"RESET VARIABLE {var}")


def label_sql(group: Labels, col: str, dtype: str) -> str:
    """SQL for the Dutch words of a column's codes (an unknown code stays itself); needs :func:`label_variables`."""
    text = col if dtype == "VARCHAR" else f"CAST({col} AS VARCHAR)"
    var = _variable(group)
    if group.separator is None:
        return f"coalesce(getvariable('{var}')[{text}], {text})"
    return (
        f"array_to_string(list_transform(string_split({text}, getvariable('{var}_sep')), "
        f"lambda x: coalesce(getvariable('{var}')[x], x)), getvariable('{var}_join'))"
    )


def number_format(mart: str, column: str, dtype: str) -> str | None:
    """The display format of a column of decimal numbers (None: shown as stored, as whole numbers are).

    Four decimals for p-values, probabilities and variances (small numbers), one for counts, three for the
    rest (ratios, shares 0-1, scores, z-scores, limits).
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


def sheet_columns(con: duckdb.DuckDBPyConnection, relation: str, mart: str) -> list[SheetColumn]:
    """The columns of a mart's sheet and Dutch CSV: every column of the mart, in order, each column of codes
    followed by its ``_label`` column; decimal numbers with their display format."""
    out = []
    for name, dtype, *_ in con.execute(f"DESCRIBE {relation}").fetchall():
        fmt = number_format(mart, name, dtype)
        out.append(SheetColumn(name, quote_ident(name), dtype, NUMBER_STYLES[fmt] if fmt else 0))
        group = labels_for(mart, name)
        if group is not None:
            out.append(SheetColumn(name + LABEL_SUFFIX, label_sql(group, quote_ident(name), dtype), "VARCHAR"))
    return out


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
