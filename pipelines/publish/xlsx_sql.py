"""The SQL that builds the XML of every row of a sheet inside DuckDB, in the format of
:mod:`pipelines.publish.xlsx`: text as inline strings with Excel's ``_xHHHH_`` escapes, numbers as
numbers, booleans as booleans, empty cells left out. Also the SQL helpers the mart exports share
(quoting, the text of a list cell, the CSV files' guard against formulas).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.publish.xlsx import column_letters

INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
FLOAT_TYPES = {"FLOAT", "DOUBLE"}
# XML 1.0 cannot carry these; Excel reads _xHHHH_ for them (the same set as xlsx._CONTROL, in RE2 syntax).
_CONTROL_RE2 = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]"
_CONTROL_CODES = [*range(0x00, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF]


@dataclass(frozen=True)
class SheetColumn:
    """A column of a sheet: its header, the SQL expression over the table that gives its cells, that
    expression's DuckDB type and the style of its numbers (see :mod:`pipelines.publish.xlsx_workbook`)."""

    name: str
    expr: str
    type: str
    style: int = 0


def table_columns(con, table: str) -> list[SheetColumn]:
    """Every column of ``table`` as it is, in order."""
    return [SheetColumn(r[0], quote_ident(r[0]), r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


#: What makes a spreadsheet take a text for a formula; the CSV files put an apostrophe before such a text.
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_sql(expr: str) -> str:
    """SQL giving ``expr`` with the formula guard: ord() is the first code point (not grapheme), as
    str.startswith tests."""
    codes = ", ".join(str(ord(c)) for c in FORMULA_STARTERS)
    return f"CASE WHEN ord({expr}) IN ({codes}) THEN chr(39) || {expr} ELSE {expr} END"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_text(col: str, dtype: str) -> str:
    """SQL for the text a list cell gets in the exports: items joined by `|` as Python's str() writes them."""
    item = dtype[:-2]
    if item == "BOOLEAN":
        text = "CASE WHEN x THEN 'True' ELSE 'False' END"
    elif item in FLOAT_TYPES:
        text = (
            "CASE WHEN isnan(x) THEN 'nan' WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'inf' ELSE '-inf' END "
            "ELSE CAST(x AS VARCHAR) END"
        )
    else:
        text = "CAST(x AS VARCHAR)"
    return f"array_to_string(list_transform({col}, lambda x: coalesce({text}, 'None')), '|')"


def is_list(dtype: str) -> bool:
    return dtype.endswith("[]") and "[]" not in dtype[:-2] and not dtype.startswith(("STRUCT", "MAP", "UNION"))


def _xml_markup_sql(expr: str) -> str:
    """SQL escaping ``&``, ``<`` and ``>`` of a text; the common text without them is not copied."""
    escaped = f"replace(replace(replace({expr}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return (
        f"CASE WHEN contains({expr}, '&') OR contains({expr}, '<') OR contains({expr}, '>') "
        f"THEN {escaped} ELSE {expr} END"
    )


def _text_sql(col: str, dtype: str) -> str | None:
    """SQL for the text a text cell shows (None for numbers and booleans)."""
    if dtype == "BOOLEAN" or dtype in INTEGER_TYPES or dtype in FLOAT_TYPES or dtype.startswith("DECIMAL"):
        return None
    if dtype.startswith("TIMESTAMP"):
        return f"replace(CAST({col} AS VARCHAR), ' ', 'T')"
    if is_list(dtype):
        return sql_text(col, dtype)
    return col if dtype == "VARCHAR" else f"CAST({col} AS VARCHAR)"


def _escapes_sql(expr: str) -> str:
    """SQL for xlsx._text_xml's ``_x`` and control-character escapes (only for columns that need them)."""
    s = f"replace({expr}, '_x', '_x005F_x')"
    for code in _CONTROL_CODES:
        s = f"replace({s}, chr({code}), '_x{code:04X}_')"
    return s


def text_stats(con, table: str, columns: list[SheetColumn]) -> dict[str, tuple[bool, int]]:
    """Per text column: does it hold a ``_x`` or a control character somewhere (then it needs the escapes),
    and its longest text in characters. Looked up among distinct values; numbers and booleans are left out."""
    checks = []
    for c in columns:
        text = _text_sql(c.expr, c.type)
        if text is not None:
            checks.append(
                f"SELECT {sql_literal(c.name)}, coalesce(bool_or(contains(v, '_x') "
                f"OR regexp_matches(v, '{_CONTROL_RE2}')), false), coalesce(max(length(v)), 0) "
                f"FROM (SELECT DISTINCT {text} AS v FROM {table})"
            )
    if not checks:
        return {}
    return {c: (needs, longest) for c, needs, longest in con.execute(" UNION ALL ".join(checks)).fetchall()}


def _cell_sql(col: str, dtype: str, letter: str, escapes: bool = True, style: int = 0) -> str:
    """SQL for one cell's XML, NULL where the cell stays empty (concat() skips NULLs)."""
    ref = f"'<c r=\"{letter}', _rownum"
    if dtype == "BOOLEAN":
        return (
            f'CASE WHEN {col} THEN concat({ref}, \'" t="b"><v>1</v></c>\') '
            f'WHEN NOT {col} THEN concat({ref}, \'" t="b"><v>0</v></c>\') END'
        )
    text = _text_sql(col, dtype)
    if text is None:
        # as write_xlsx: whole numbers below 1e15 as integers, the rest as the double's shortest repr;
        # NaN and infinities stay empty.
        if dtype in INTEGER_TYPES:
            present = f"{col} IS NOT NULL"
            number = (
                f"CASE WHEN abs({col}) < 1e15 THEN CAST({col} AS VARCHAR) "
                f"ELSE CAST(CAST({col} AS DOUBLE) AS VARCHAR) END"
            )
        else:
            x = f"CAST({col} AS DOUBLE)"
            present = f"isfinite({x})"  # NULL for NULL: no cell
            number = (
                f"CASE WHEN abs({x}) < 1e15 AND {x} = trunc({x}) "
                f"THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE CAST({x} AS VARCHAR) END"
            )
        styled = f' s="{style}"' if style else ""
        return f"CASE WHEN {present} THEN concat({ref}, '\"{styled}><v>', {number}, '</v></c>') END"
    if escapes:
        text = _escapes_sql(text)
    return (
        f'CASE WHEN {col} IS NOT NULL THEN concat({ref}, \'" t="inlineStr"><is><t xml:space="preserve">\', '
        f"{_xml_markup_sql(text)}, '</t></is></c>') END"
    )


def sheet_query(
    table: str, number: str, columns: list[SheetColumn], limit: int, escaped: set[str] | None = None
) -> str:
    """The query giving, per row of ``table``, its place ``_n`` (1-based) and its ``<row>`` XML as ``_xml``.

    ``escaped``: the text columns that need the ``_x``/control-character escapes (None: all of them).
    Each column's expression is computed once, in the inner query, as ``_c<j>``.
    """
    letters = column_letters(len(columns))
    values = "".join(f"{c.expr} AS _c{j}, " for j, c in enumerate(columns))
    cells = ", ".join(
        _cell_sql(f"_c{j}", c.type, letters[j], escaped is None or c.name in escaped, c.style)
        for j, c in enumerate(columns)
    )
    row = f"concat('<row r=\"', _rownum, '\">', {cells + ', ' if cells else ''}'</row>')"
    return (
        f"SELECT _n, {row} AS _xml FROM (SELECT *, CAST((_n - 1) % {limit} + 2 AS VARCHAR) AS _rownum "
        f"FROM (SELECT {values}{number} AS _n FROM {table}))"
    )
