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

Two entry points share that format: :func:`write_xlsx` takes pandas frames (small tables, tests), and
:func:`write_xlsx_from_duckdb` takes tables or queries of a DuckDB connection and lets DuckDB build
every row's XML in SQL (in parallel), streaming it batch by batch into the zip: no DataFrame, no
Python loop per cell, memory bounded by one batch. The marts export uses the latter.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

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


def sheet_names(name: str, n_rows: int) -> list[str]:
    parts = max(1, -(-n_rows // MAX_ROWS))
    return [name[:31]] + [f"{name[:25]} ({i})" for i in range(2, parts + 1)]


def write_xlsx(frames: dict[str, pd.DataFrame], path: Path, title: str = "") -> dict[str, list[str]]:
    """Write every frame as one sheet (or several beyond Excel's row limit). Returns the sheet names per frame."""
    sheets: list[tuple[str, Callable[[], Iterable[bytes]]]] = []
    names: dict[str, list[str]] = {}
    for name, frame in frames.items():
        names[name] = sheet_names(name, len(frame))
        for i, sheet in enumerate(names[name]):
            part = frame.iloc[i * MAX_ROWS : (i + 1) * MAX_ROWS].reset_index(drop=True)
            sheets.append((sheet, lambda part=part: [_sheet_xml(part).encode("utf-8")]))
    _write_workbook(sheets, path, title)
    return names


def _write_workbook(
    sheets: list[tuple[str, Callable[[], Iterable[bytes]]]], path: Path, title: str, large: frozenset[int] = frozenset()
) -> None:
    """Zip the workbook parts; each sheet's XML comes from its callable, as a stream of byte chunks.

    ``large`` holds the (0-based) positions of sheets that may pass 4 GiB of XML, written as ZIP64.
    """
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + escape(title) + "</dc:title></cp:coreProperties>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(s)}" sheetId="{i}" r:id="rId{i}"/>' for i, (s, _) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        fixed = (2020, 1, 1, 0, 0, 0)  # same bytes for the same data
        for part, text in [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("docProps/core.xml", core),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", wb_rels),
            ("xl/styles.xml", styles),
        ]:
            zf.writestr(zipfile.ZipInfo(part, fixed), text)
        for i, (_, chunks) in enumerate(sheets, start=1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{i}.xml", fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # what writestr(compresslevel=1) sets; open() has no such argument
            with zf.open(info, "w", force_zip64=(i - 1) in large) as fh:
                for chunk in chunks():
                    fh.write(chunk)


# --- The DuckDB path: every row's XML built in SQL ---------------------------------------------------------

_INTEGER_TYPES = {
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
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}
# XML 1.0 cannot carry these; Excel reads _xHHHH_ for them (the same set as _CONTROL, in RE2 syntax).
_CONTROL_RE2 = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]"
_CONTROL_CODES = [*range(0x00, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF]
BATCH_ROWS = 65_536  # rows per Arrow batch streamed into the zip


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_text(col: str, dtype: str) -> str:
    """SQL for the text a list cell gets in the exports: items joined by `|` as Python's str() writes them."""
    item = dtype[:-2]
    if item == "BOOLEAN":
        text = "CASE WHEN x THEN 'True' ELSE 'False' END"
    elif item in _FLOAT_TYPES:
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
    if dtype == "BOOLEAN" or dtype in _INTEGER_TYPES or dtype in _FLOAT_TYPES or dtype.startswith("DECIMAL"):
        return None
    if dtype.startswith("TIMESTAMP"):
        return f"replace(CAST({col} AS VARCHAR), ' ', 'T')"
    if is_list(dtype):
        return sql_text(col, dtype)
    return col if dtype == "VARCHAR" else f"CAST({col} AS VARCHAR)"


def _escapes_sql(expr: str) -> str:
    """SQL for _text_xml's ``_x`` and control-character escapes (only for columns that need them)."""
    s = f"replace({expr}, '_x', '_x005F_x')"
    for code in _CONTROL_CODES:
        s = f"replace({s}, chr({code}), '_x{code:04X}_')"
    return s


def _needing_escapes(con, table: str, columns: list[str], types: list[str]) -> set[str]:
    """The text columns holding a ``_x`` or a control character somewhere (looked up among distinct values)."""
    checks = []
    for c, t in zip(columns, types):
        text = _text_sql(quote_ident(c), t)
        if text is not None:
            checks.append(
                f"SELECT {sql_literal(c)}, bool_or(contains(v, '_x') OR regexp_matches(v, '{_CONTROL_RE2}')) "
                f"FROM (SELECT DISTINCT {text} AS v FROM {table})"
            )
    if not checks:
        return set()
    return {c for c, needs in con.execute(" UNION ALL ".join(checks)).fetchall() if needs}


def _cell_sql(col: str, dtype: str, letter: str, escapes: bool = True) -> str:
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
        if dtype in _INTEGER_TYPES:
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
        return f"CASE WHEN {present} THEN concat({ref}, '\"><v>', {number}, '</v></c>') END"
    if escapes:
        text = _escapes_sql(text)
    return (
        f'CASE WHEN {col} IS NOT NULL THEN concat({ref}, \'" t="inlineStr"><is><t xml:space="preserve">\', '
        f"{_xml_markup_sql(text)}, '</t></is></c>') END"
    )


def _sheet_head(columns: list[str], n_rows: int) -> bytes:
    letters = column_letters(len(columns))
    header = "".join(
        f'<c r="{letters[j]}1" t="inlineStr" s="1"><is><t>{escape(str(c))}</t></is></c>' for j, c in enumerate(columns)
    )
    last = f"{letters[-1] if letters else 'A'}{n_rows + 1}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f'<sheetData><row r="1">{header}</row>'
    ).encode()


_SHEET_TAIL = b"</sheetData></worksheet>"


def _string_bytes(array) -> memoryview:
    """The UTF-8 bytes of all strings of an Arrow string array, back to back (no copy)."""
    import pyarrow as pa

    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())  # e.g. a string view
    offsets_dtype = np.int64 if pa.types.is_large_string(array.type) else np.int32
    _, offsets, data = array.buffers()
    offs = np.frombuffer(
        offsets, dtype=offsets_dtype, count=len(array) + 1, offset=array.offset * offsets_dtype().itemsize
    )
    return memoryview(data)[int(offs[0]) : int(offs[-1])]


def write_xlsx_from_duckdb(con, tables: dict[str, str], path: Path, title: str = "") -> dict[str, list[str]]:
    """Write each DuckDB table (a qualified, quoted name) as a sheet; Excel's row limit as in :func:`write_xlsx`.

    The rows keep the table's own order (insertion order). The connection must have no unread result and
    is used by one helper thread at a time while the workbook is written. Returns the sheet names per table.
    """
    plans = []
    for name, table in tables.items():
        described = con.execute(f"DESCRIBE {table}").fetchall()
        columns, types = [r[0] for r in described], [r[1] for r in described]
        # A table never deleted from numbers its rows 0..n-1 in scan order: then rowid gives the row number
        # in parallel; otherwise a (streaming) row_number() does. Either way _SheetStream checks the order.
        number = "row_number() OVER ()"
        if "rowid" in {c.lower() for c in columns}:  # a real column hides the pseudo-column
            n_rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        else:
            low, high, n_rows = con.execute(f"SELECT min(rowid), max(rowid), count(*) FROM {table}").fetchall()[0]
            if n_rows == 0 or (low == 0 and high == n_rows - 1):
                number = "rowid + 1"
        plans.append((name, table, columns, types, n_rows, number, _needing_escapes(con, table, columns, types)))
    sheets: list[tuple[str, Callable[[], Iterable[bytes]]]] = []
    names: dict[str, list[str]] = {}
    large: set[int] = set()
    streams: list[_SheetStream] = []
    limit = MAX_ROWS
    for name, table, columns, types, n_rows, number, escaped in plans:
        names[name] = sheet_names(name, n_rows)
        stream = _SheetStream(con, table, number, columns, types, n_rows, limit, escaped)
        streams.append(stream)
        for k, sheet in enumerate(names[name]):
            if min(limit, n_rows - k * limit) * max(1, len(columns)) > 2_000_000:
                large.add(len(sheets))  # could pass 4 GiB of XML: let zipfile write ZIP64 sizes
            sheets.append((sheet, lambda stream=stream, k=k: stream.sheet(k)))
    try:
        _write_workbook(sheets, path, title, frozenset(large))
    finally:
        for stream in streams:
            stream.close()
    return names


def sheet_query(
    table: str, number: str, columns: list[str], types: list[str], limit: int, escaped: set[str] | None = None
) -> str:
    """The query giving, per row of ``table``, its place ``_n`` (1-based) and its ``<row>`` XML as ``_xml``.

    ``escaped``: the text columns that need the ``_x``/control-character escapes (None: all of them).
    """
    letters = column_letters(len(columns))
    cells = ", ".join(
        _cell_sql(quote_ident(c), t, letters[j], escaped is None or c in escaped)
        for j, (c, t) in enumerate(zip(columns, types))
    )
    row = f"concat('<row r=\"', _rownum, '\">', {cells + ', ' if cells else ''}'</row>')"
    return (
        f"SELECT _n, {row} AS _xml FROM (SELECT *, CAST((_n - 1) % {limit} + 2 AS VARCHAR) AS _rownum "
        f"FROM (SELECT *, {number} AS _n FROM {table}))"
    )


class _SheetStream:
    """One query per table, read once by a helper thread (so DuckDB builds the next batch while this one is
    compressed); its rows are handed out sheet by sheet, in order."""

    def __init__(
        self,
        con,
        table: str,
        number: str,
        columns: list[str],
        types: list[str],
        n_rows: int,
        limit: int,
        escaped: set[str] | None = None,
    ):
        self.con, self.columns, self.n_rows, self.limit = con, columns, n_rows, limit
        self.sql = sheet_query(table, number, columns, types, limit, escaped)
        self.prefetch: _Prefetch | None = None
        self.done = n_rows == 0  # every row read
        self.pending = None  # (sheet numbers, xml array) read but not yet handed out
        self.expected = 1  # the place of the next row

    def sheet(self, k: int) -> Iterator[bytes]:
        yield _sheet_head(self.columns, max(0, min(self.limit, self.n_rows - k * self.limit)))
        if self.prefetch is None and not self.done:
            self.prefetch = _Prefetch(lambda: self.con.sql(self.sql).to_arrow_reader(BATCH_ROWS))
        while True:
            if self.pending is None:
                batch = None if self.done else self.prefetch.next()
                if batch is None:
                    self.done = True
                    break
                if batch.num_rows == 0:
                    continue
                places = batch.column(0).to_numpy()
                if places[0] != self.expected or (len(places) > 1 and not (np.diff(places) == 1).all()):
                    raise RuntimeError(f"rows out of order while writing the workbook (expected row {self.expected})")
                self.expected += len(places)
                self.pending = ((places - 1) // self.limit, batch.column(1))
            sheet_no, xml = self.pending
            if sheet_no[0] != k:
                break  # the rest belongs to the next sheet
            end = len(sheet_no) if sheet_no[-1] == k else int(np.searchsorted(sheet_no, k, side="right"))
            yield _string_bytes(xml.slice(0, end))
            self.pending = None if end == len(sheet_no) else (sheet_no[end:], xml.slice(end))
        if k == max(1, -(-self.n_rows // self.limit)) - 1 and self.expected != self.n_rows + 1:
            raise RuntimeError(f"{self.expected - 1} rows written to the workbook, {self.n_rows} expected")
        yield _SHEET_TAIL

    def close(self) -> None:
        if self.prefetch is not None:
            self.prefetch.close()


class _Prefetch:
    """Read an Arrow batch reader in a helper thread, a few batches ahead (bounded memory)."""

    _END = object()

    def __init__(self, open_reader: Callable[[], object], depth: int = 2):
        import queue
        import threading

        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(open_reader,), daemon=True, name="xlsx-prefetch")
        self.thread.start()

    def _put(self, item) -> bool:
        import queue

        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, open_reader) -> None:
        try:
            reader = open_reader()
            try:
                for batch in reader:
                    if not self._put(batch):
                        return
            finally:
                del reader
            self._put(self._END)
        except BaseException as exc:  # handed to the reading thread
            self._put(exc)

    def next(self):
        """The next batch, or None at the end."""
        item = self.queue.get()
        if item is self._END:
            self.thread.join()
            return None
        if isinstance(item, BaseException):
            self.thread.join()
            raise item
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
