"""A sheet (or a CSV file) as text: :class:`SheetTable`, cell text and header names.

Turns raw rows into a normalised header and rows of text with the row numbers a
person sees; does not type values (:mod:`pipelines.ingest.readers.parse`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from pipelines.core.problems import WARNING, Problem
from pipelines.ingest.readers.limits import Limits

#: Text that is a whole number (also used by :mod:`.parse`).
INT_RE = re.compile(r"^[+-]?\d+$")


@dataclass
class SheetTable:
    """A sheet (or a CSV file) as text: normalised header, rows, row numbers."""

    file: str
    sheet: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    decimal_comma: bool = False  # numbers in text are in Dutch notation: 1.000,5 (workbooks and ';' exports)
    problems: list[Problem] = field(default_factory=list)
    #: (index in ``rows``, column) of workbook cells that were real number cells with a fraction: their text
    #: (``repr``, a decimal point) is read as it is, never by the Dutch notation of typed text.
    number_cells: set[tuple[int, int]] = field(default_factory=set)


def cell_text(value) -> str:
    """A workbook cell's value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalise_header(name) -> str:
    return cell_text(name).strip().lower()


def _table_from_rows(
    file: str,
    sheet: str,
    raw_rows,
    first_row_number: int,
    limits: Limits,
    decimal_comma: bool = False,
    row_numbers=None,
    texts_ready: bool = False,
) -> SheetTable:
    """Header from the first row; drop empty rows; keep row numbers.

    ``texts_ready``: the cells are already text (a CSV), so :func:`cell_text` is skipped.
    """
    table = SheetTable(file, sheet, [], [], [], decimal_comma)
    it = iter(raw_rows)
    try:
        header_cells = next(it)
    except StopIteration:
        table.problems.append(
            Problem(file, "blad.leeg", "het blad is leeg: de kopregel (rij 1) ontbreekt", sheet=sheet, row=1)
        )
        return table
    table.header = [normalise_header(h) for h in header_cells]
    n = len(table.header)
    if texts_ready and row_numbers is not None:
        _text_rows(table, raw_rows, row_numbers, n)
        return table
    for i, cells in enumerate(it):
        number = row_numbers[i + 1] if row_numbers is not None else first_row_number + 1 + i
        texts = list(cells) if texts_ready else [cell_text(c) for c in cells]
        if not any(t.strip() for t in texts):
            continue
        if not texts_ready and float in map(type, cells):
            for j, c in enumerate(cells[:n]):
                if type(c) is float and not INT_RE.match(texts[j]):
                    table.number_cells.add((len(table.rows), j))
        if len(texts) < n:
            texts += [""] * (n - len(texts))
        elif len(texts) > n:
            extra = texts[n:]
            if any(t.strip() for t in extra):
                table.problems.append(
                    Problem(
                        file,
                        "rij.te_veel_cellen",
                        f"rij heeft {len(texts)} cellen maar de kopregel {n} kolommen; de cellen zonder kop zijn genegeerd",
                        WARNING,
                        sheet,
                        number,
                    )
                )
            texts = texts[:n]
        table.rows.append(texts)
        table.row_numbers.append(number)
    return table


def _text_rows(table: SheetTable, raw_rows: list[list[str]], row_numbers: list[int], n: int) -> None:
    """The body of :func:`_table_from_rows` for rows of text (a CSV): the same result, with the per-row work in C.

    A row is empty when all its cells are blank, i.e. when its cells joined are blank.
    """
    file, sheet = table.file, table.sheet
    keep = [i for i in range(1, len(raw_rows)) if "".join(raw_rows[i]).strip()]
    rows = [raw_rows[i] for i in keep]
    numbers = [row_numbers[i] for i in keep]
    for j, texts in enumerate(rows):
        if len(texts) == n:
            continue
        if len(texts) < n:
            rows[j] = texts + [""] * (n - len(texts))
        else:
            extra = texts[n:]
            if any(t.strip() for t in extra):
                table.problems.append(
                    Problem(
                        file,
                        "rij.te_veel_cellen",
                        f"rij heeft {len(texts)} cellen maar de kopregel {n} kolommen; de cellen zonder kop zijn genegeerd",
                        WARNING,
                        sheet,
                        numbers[j],
                    )
                )
            rows[j] = texts[:n]
    table.rows, table.row_numbers = rows, numbers
