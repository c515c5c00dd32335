"""Low-level writers of survey files: one workbook (xlsx) or one survey-tool export (CSV).

Public so that tests can build broken files with them. They write what they are
given (header, values, encoding, delimiter) and check nothing against the
codebook; the generator's rendering (:mod:`pipelines.sample.render`) decides what
to give them. Workbooks carry fixed document properties and xlsxwriter writes
fixed zip timestamps, so the bytes are identical across runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

_WORKBOOK_OPTIONS = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "in_memory": True,
}
_FIXED_PROPERTIES = {"created": dt.datetime(2020, 1, 1), "author": "regiobench sample", "title": "Uitvraag TGB"}


def write_workbook(
    path: Path,
    sheets: Mapping[str, Sequence[Mapping | None]],
    header_order: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
) -> None:
    """One sheet per entry of ``sheets`` (in order), header in row 1, one row per dict.

    Values: ``str`` is always written as text (never as a formula or a link),
    ``bool`` as a logical cell, ``int``/``float`` as a number, ``date`` as a date
    cell, ``None`` as an empty cell; a ``None`` row is an empty row.
    ``header_order`` gives the header per sheet (a mapping) or for every sheet (a
    list); without it the header is the keys of the rows in order of appearance.
    Bytes are identical across runs for identical input.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), _WORKBOOK_OPTIONS)
    wb.set_properties(dict(_FIXED_PROPERTIES))
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    try:
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            if isinstance(header_order, Mapping):
                header = list(header_order.get(name) or [])
            elif header_order is not None:
                header = list(header_order)
            else:
                header = []
            if not header:
                for row in rows:
                    for k in row or {}:
                        if k not in header:
                            header.append(k)
            for j, h in enumerate(header):
                ws.write_string(0, j, str(h))
            for i, row in enumerate(rows, start=1):
                if row is None:
                    continue
                for j, h in enumerate(header):
                    _write_cell(ws, i, j, row.get(h), date_fmt)
    finally:
        wb.close()


def _write_cell(ws, i: int, j: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(i, j, value)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(i, j, float(value) if isinstance(value, (float, np.floating)) else int(value))
    elif isinstance(value, dt.datetime):
        ws.write_datetime(i, j, value, date_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        ws.write_string(i, j, str(value))


def _export_text(value, decimal_comma: bool) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (float, np.floating)):
        text = repr(float(value))
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return str(value)


def write_export(
    path: Path,
    rows: Sequence[Mapping | None],
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    decimal_comma: bool = False,
    header: Sequence[str] | None = None,
) -> None:
    """A survey-tool export: CSV with ``delimiter``, ``encoding`` (``utf-8-sig`` writes a BOM) and CRLF lines.

    Values as in :func:`write_workbook`; floats get a decimal comma when
    ``decimal_comma``. A ``None`` row is an empty line of delimiters. Text that
    the encoding cannot hold raises (nothing is silently replaced).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if header is None:
        header = []
        for row in rows:
            for k in row or {}:
                if k not in header:
                    header.append(k)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(list(header))
    for row in rows:
        if row is None:
            w.writerow([""] * len(header))
        else:
            w.writerow([_export_text(row.get(h), decimal_comma) for h in header])
    path.write_bytes(buf.getvalue().encode(encoding, errors="strict"))
