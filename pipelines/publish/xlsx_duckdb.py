"""Write DuckDB tables as a workbook: every row's XML built in SQL (:mod:`pipelines.publish.xlsx_sql`,
in parallel) and streamed batch by batch into the zip (:mod:`pipelines.publish.xlsx_workbook`), read
ahead by a helper thread. No DataFrame, no Python loop per cell, memory bounded by a few batches.

Each sheet has a bold, frozen header row with an autofilter, and column widths fitted to the header and
the longest text (numbers: their digits in the column's display format).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from pipelines.publish import xlsx
from pipelines.publish.xlsx import column_letters, sheet_names
from pipelines.publish.xlsx_sql import SheetColumn, sheet_query, table_columns, text_stats
from pipelines.publish.xlsx_workbook import NUMBER_STYLES, Chunks, write_workbook

BATCH_ROWS = 65_536  # rows per Arrow batch streamed into the zip
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0  # column widths, in characters
_DECIMALS = {style: len(code.partition(".")[2]) for code, style in NUMBER_STYLES.items()}


def _sheet_head(columns: list[str], n_rows: int, widths: list[float]) -> bytes:
    letters = column_letters(len(columns))
    header = "".join(
        f'<c r="{letters[j]}1" t="inlineStr" s="1"><is><t>{escape(str(c))}</t></is></c>' for j, c in enumerate(columns)
    )
    cols = "".join(f'<col min="{j}" max="{j}" width="{w:.1f}" customWidth="1"/>' for j, w in enumerate(widths, start=1))
    last = f"{letters[-1] if letters else 'A'}{n_rows + 1}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f"{f'<cols>{cols}</cols>' if cols else ''}"
        f'<sheetData><row r="1">{header}</row>'
    ).encode()


def _filter_ref(n_columns: int, n_rows: int) -> str:
    return f"A1:{column_letters(max(1, n_columns))[-1]}{n_rows + 1}"


def _sheet_tail(n_columns: int, n_rows: int) -> bytes:
    return f'</sheetData><autoFilter ref="{_filter_ref(n_columns, n_rows)}"/></worksheet>'.encode()


def _widths(con, table: str, columns: list[SheetColumn], stats: dict[str, tuple[bool, int]]) -> list[float]:
    """Each column's width in characters: its header (plus the filter button) or its longest content."""
    numeric = [c for c in columns if c.name not in stats and c.type != "BOOLEAN"]
    largest: dict[str, Any] = {}
    if numeric:
        parts = ", ".join(
            f"max(abs(CAST({c.expr} AS DOUBLE))) FILTER (WHERE isfinite(CAST({c.expr} AS DOUBLE)))" for c in numeric
        )
        largest = dict(zip((c.name for c in numeric), con.execute(f"SELECT {parts} FROM {table}").fetchall()[0]))
    out = []
    for c in columns:
        if c.name in stats:
            content = stats[c.name][1]
        elif c.type == "BOOLEAN":
            content = 6  # ONWAAR
        else:
            big = largest.get(c.name) or 0
            digits = int(math.log10(big)) + 1 if big >= 1 else 1
            decimals = _DECIMALS.get(c.style, 0)
            content = (17 if big >= 1e15 else digits + 1) + (decimals + 1 if decimals else 0)
        out.append(min(MAX_WIDTH, max(MIN_WIDTH, len(c.name) + 4, content + 2)))
    return out


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


def write_xlsx_from_duckdb(
    con,
    tables: dict[str, str],
    path: Path,
    title: str = "",
    columns: dict[str, list[SheetColumn]] | None = None,
    intro: tuple[str, bytes] | None = None,
) -> dict[str, list[str]]:
    """Write each DuckDB table (a qualified, quoted name) as a sheet; Excel's row limit as in :func:`~pipelines.publish.xlsx.write_xlsx`.

    ``columns`` gives a table's sheet columns (expressions over the table, with their styles); a table not
    in it gets its own columns as they are. ``intro``: a first sheet (name and its whole XML).
    The rows keep the table's own order (insertion order). The connection must have no unread result and
    is used by one helper thread at a time while the workbook is written. Returns the sheet names per table.
    """
    plans = []
    for name, table in tables.items():
        cols = (columns or {}).get(name) or table_columns(con, table)
        own = {r[0].lower() for r in con.execute(f"DESCRIBE {table}").fetchall()}
        # A table never deleted from numbers its rows 0..n-1 in scan order: then rowid gives the row number
        # in parallel; otherwise a (streaming) row_number() does. Either way _SheetStream checks the order.
        number = "row_number() OVER ()"
        if "rowid" in own:  # a real column hides the pseudo-column
            n_rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        else:
            low, high, n_rows = con.execute(f"SELECT min(rowid), max(rowid), count(*) FROM {table}").fetchall()[0]
            if n_rows == 0 or (low == 0 and high == n_rows - 1):
                number = "rowid + 1"
        stats = text_stats(con, table, cols)
        escaped = {c for c, (needs, _) in stats.items() if needs}
        plans.append((name, table, cols, n_rows, number, escaped, _widths(con, table, cols, stats)))
    sheets: list[tuple[str, Chunks]] = []
    if intro is not None:
        sheets.append((intro[0], partial(iter, [intro[1]])))
    names: dict[str, list[str]] = {}
    large: set[int] = set()
    filters: dict[int, str] = {}
    streams: list[_SheetStream] = []
    limit = xlsx.MAX_ROWS  # read at call time: a test lowers it
    for name, table, cols, n_rows, number, escaped, widths in plans:
        names[name] = sheet_names(name, n_rows)
        stream = _SheetStream(con, table, number, cols, n_rows, limit, escaped, widths)
        streams.append(stream)
        for k, sheet in enumerate(names[name]):
            rows_here = max(0, min(limit, n_rows - k * limit))
            if rows_here * max(1, len(cols)) > 2_000_000:
                large.add(len(sheets))  # could pass 4 GiB of XML: let zipfile write ZIP64 sizes
            filters[len(sheets)] = _filter_ref(len(cols), rows_here)
            sheets.append((sheet, partial(stream.sheet, k)))
    try:
        write_workbook(sheets, path, title, frozenset(large), filters)
    finally:
        for stream in streams:
            stream.close()
    return names


class _SheetStream:
    """One query per table, read once by a helper thread (so DuckDB builds the next batch while this one is
    compressed); its rows are handed out sheet by sheet, in order."""

    def __init__(
        self,
        con,
        table: str,
        number: str,
        columns: list[SheetColumn],
        n_rows: int,
        limit: int,
        escaped: set[str] | None,
        widths: list[float],
    ):
        self.con, self.columns, self.n_rows, self.limit = con, [c.name for c in columns], n_rows, limit
        self.widths = widths
        self.sql = sheet_query(table, number, columns, limit, escaped)
        self.prefetch: _Prefetch | None = None
        self.done = n_rows == 0  # every row read
        self.pending: tuple[np.ndarray, Any] | None = None  # (sheet numbers, xml array) read but not yet handed out
        self.expected = 1  # the place of the next row

    def sheet(self, k: int) -> Iterator[bytes | memoryview]:
        rows_here = max(0, min(self.limit, self.n_rows - k * self.limit))
        yield _sheet_head(self.columns, rows_here, self.widths)
        if self.prefetch is None and not self.done:
            self.prefetch = _Prefetch(lambda: self.con.sql(self.sql).to_arrow_reader(BATCH_ROWS))
        while True:
            if self.pending is None:
                batch = None if self.done or self.prefetch is None else self.prefetch.next()
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
        yield _sheet_tail(len(self.columns), rows_here)

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
