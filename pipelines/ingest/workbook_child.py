"""The helper process that opens workbooks: ``python -m pipelines.ingest.workbook_child MAX_BYTES``.

Workbooks are opened by calamine (native code) in this child process, with an address-space limit
(``max_reader_memory_bytes``, given as ``MAX_BYTES``; 0 is no limit) and a deadline per file
(``max_seconds_per_file``, kept by the parent). A hostile workbook of a few kilobytes can make calamine
allocate without bound: two cells far apart (a sparse sheet is stored as a full grid), a huge
``uniqueCount`` in the shared strings, one long shared string repeated in many cells. An allocation that
fails aborts the process: here that is one rejected file, in-process it would be the end of the run.

This module imports only the standard library, :mod:`pipelines.core.portability`,
:mod:`pipelines.core.pipes` and python_calamine, so it starts in a fraction of a second; one child reads
all workbooks of a wave. Protocol (:mod:`pipelines.core.pipes` over stdin/stdout): the parent sends a job
(``modules``, ``max_rows``, ``max_cells``, ``max_text``), the child answers ``"ready"``; then per workbook
the parent sends its bytes (the bytes checked by ``check_zip`` are the bytes read) and the child answers
``{"sheets": [...]}``, ``{"error": name}`` or ``{"text": count}``. The parent side is
:mod:`pipelines.ingest.readers.workbook`; this module does not word problems.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile

from pipelines.core import pipes
from pipelines.core.portability import limit_memory

ERROR_CELL = re.compile(rb'(<(?:\w+:)?c\b[^>]*?\bt=)(["\x27])e\2')


def errors_as_text(data: bytes) -> bytes:
    """The workbook with its error cells (``t="e"``) typed as strings.

    calamine reads a cell with a formula error as "" or refuses the whole sheet (#SPILL!, #CALC!): typed as a
    string, the cell gives its cached text (#N/A, #DIV/0!), which the parent reports as an error.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        changed = {}
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            found, tail = False, b""
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    if b't="e"' in tail + chunk or b"t='e'" in tail + chunk:
                        found = True
                        break
                    tail = chunk[-8:]
            if found:
                changed[info.filename] = ERROR_CELL.sub(rb"\1\2str\2", zf.read(info))
        if not changed:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
            for info in zf.infolist():
                new.writestr(info.filename, changed.get(info.filename) or zf.read(info))
        return out.getvalue()
    except BaseException:
        return data


def read(data: bytes, job: dict, open_workbook) -> dict:
    """What calamine (``open_workbook``) reads of one workbook: its sheets, and the rows of each module sheet within the bounds."""
    modules, max_rows, max_cells, max_text = set(job["modules"]), job["max_rows"], job["max_cells"], job["max_text"]
    try:
        wb = open_workbook(io.BytesIO(errors_as_text(data)))
    except BaseException as exc:
        return {"error": type(exc).__name__}
    sheets, seen, text = [], set(), 0
    for meta in wb.sheets_metadata:
        entry = {"name": meta.name, "visible": str(meta.visible).rsplit(".", 1)[-1]}
        sheets.append(entry)
        module = meta.name.strip().lower()
        if module not in modules or module in seen:
            continue
        seen.add(module)
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            end = sheet.end
            height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
            entry["size"] = (sheet.height, height, width)
            if sheet.height > max_rows + 1 or height * width > max_cells:
                continue
            rows, top, left = [], sheet.start[0], [""] * sheet.start[1]
            for i, row in enumerate(sheet.iter_rows()):  # as to_python(skip_empty_area=False), row by row
                row = [""] * width if i < top else left + row
                text += sum(len(v) for v in row if type(v) is str)
                if text > max_text:  # one long shared string in many cells: stop before it fills the memory
                    return {"text": text}
                rows.append(row)
            entry["rows"] = rows
            entry["merged"] = sheet.merged_cell_ranges or []
        except BaseException as exc:
            entry["error"] = type(exc).__name__
    return {"sheets": sheets}


def main(max_bytes: int) -> None:
    limit_memory(max_bytes)  # before calamine is loaded
    from python_calamine import CalamineWorkbook

    inp, out = sys.stdin.buffer, sys.stdout.buffer

    job = pipes.read(inp)
    pipes.write(out, "ready")
    while True:
        try:
            data = pipes.read(inp)
        except pipes.PipeClosed:
            return
        pipes.write(out, read(data, job, CalamineWorkbook.from_filelike))


if __name__ == "__main__":
    main(int(sys.argv[1]))
