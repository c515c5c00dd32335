"""Reading returns: workbooks and survey-tool exports into typed tables.

Two steps, both driven by :mod:`pipelines.contract.codebook`:

1. :func:`read_workbook` / :func:`read_export` turn a file into
   :class:`SheetTable` objects: normalised header names and rows of text, each
   with the row number the person sees in Excel or a text editor. Files that
   cannot be read at all give a :class:`~pipelines.core.problems.Problem`, not
   an exception.
2. :func:`parse_module` turns a sheet into a pandas DataFrame with one column
   per codebook field (Dutch names), typed values, and the columns ``_row``
   (row number) and ``regio_code``. Every value that cannot be parsed becomes a
   problem naming the file, sheet, row, column, value and the expected form;
   all of them are reported, not only the first.

Names and e-mail addresses (fields marked ``personal``) are dropped here and
never leave this module. E-mail addresses, phone numbers and BSN-like numbers
typed into text, free text and code fields are replaced by a marker for the
same reason (:mod:`pipelines.core.privacy`); in any other field they can only
reach a problem, which redacts its own value and message.

Rules about allowed values (catalogues, ranges, completeness, keys) are not
checked here: that is validation's job (:mod:`pipelines.ingest.validation`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import pickle
import re
import signal
import stat
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.core import portability
from pipelines.contract.codebook import (
    BOOLEAN_WORDS,
    CATALOGUES,
    MODULES,
    MULTI_SEPARATOR,
    REGION_COLUMN,
    Module,
)
from pipelines.core.problems import ERROR, WARNING, Problem, quote


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost; beyond them the file is rejected.

    docs/input-limits.md explains each bound and how to raise it.
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024  # xlsx is a zip: guards against decompression bombs
    max_compression_ratio: int = 200
    max_zip_directory_bytes: int = 1024 * 1024  # the zip's table of contents (~15,000 parts; a workbook has ~15)
    max_sheet_rows: int = 20_000  # one region's sheet
    max_sheet_cells: int = 1_000_000  # rows x columns of a sheet's used area (a sparse sheet is read as a full grid)
    max_export_rows: int = 250_000  # all regions in one export file
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    max_seconds_per_file: float = 60.0  # wall time to read one file
    max_reader_memory_bytes: int = 1024 * 1024 * 1024  # address space of the process that opens a workbook


DEFAULT_LIMITS = Limits()

from pipelines.core.privacy import EMAIL_MARK, EMAIL_RE, redact, redact_series  # noqa: E402,F401 (EMAIL_MARK: re-exported)


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


# ---------------------------------------------------------------------------
# Cells and headers
# ---------------------------------------------------------------------------


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


def _table_from_rows(file: str, sheet: str, raw_rows, first_row_number: int, limits: Limits,
                     decimal_comma: bool = False, row_numbers=None, texts_ready: bool = False) -> SheetTable:
    """Header from the first row; drop empty rows; keep row numbers.

    ``texts_ready``: the cells are already text (a CSV), so :func:`cell_text` is skipped.
    """
    table = SheetTable(file, sheet, [], [], [], decimal_comma)
    it = iter(raw_rows)
    try:
        header_cells = next(it)
    except StopIteration:
        table.problems.append(Problem(file, "blad.leeg", "het blad is leeg: de kopregel (rij 1) ontbreekt", sheet=sheet, row=1))
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
                table.problems.append(Problem(file, "rij.te_veel_cellen",
                    f"rij heeft {len(texts)} cellen maar de kopregel {n} kolommen; de cellen zonder kop zijn genegeerd",
                    WARNING, sheet, number))
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
                table.problems.append(Problem(file, "rij.te_veel_cellen",
                    f"rij heeft {len(texts)} cellen maar de kopregel {n} kolommen; de cellen zonder kop zijn genegeerd",
                    WARNING, sheet, numbers[j]))
            rows[j] = texts[:n]
    table.rows, table.row_numbers = rows, numbers


# ---------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------


def _open_regular(path: Path, limits: Limits) -> bytes | None:
    """A file's bytes, or None when it is larger than ``max_file_bytes``.

    Never follows a symbolic link and never blocks on a pipe or device: the
    file may have been swapped since discovery listed it. Raises OSError.
    """
    fd = os.open(path, os.O_RDONLY | portability.O_NOFOLLOW | portability.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("geen gewoon bestand")
        data = fh.read(limits.max_file_bytes + 1)
    return data if len(data) <= limits.max_file_bytes else None


def _too_large(rel: str, limits: Limits) -> Problem:
    return Problem(rel, "bestand.te_groot", f"het bestand is groter dan {limits.max_file_bytes / 1024 / 1024:.0f} MB")


def _unreadable(rel: str, exc: OSError) -> Problem:
    return Problem(rel, "bestand.onleesbaar", f"het bestand kan niet worden gelezen ({type(exc).__name__}: "
                                              f"{exc.strerror or exc})")


def _zip_directory_bytes(fh) -> int | None:
    """Size of a zip's central directory from its end record, read without parsing the directory."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    tail = min(size, 65_535 + 22)
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    return struct.unpack("<I", data[at + 12:at + 16])[0]


CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 / Compound File: old .xls, or an encrypted .xlsx


def sniff_workbook(data: bytes, rel: str) -> Problem | None:
    """What a file named .xlsx really is, from its first bytes, when it is not a workbook that can be opened.

    0 bytes: empty (an interrupted copy). A Compound File (``D0 CF 11 E0 …``) with an ``EncryptionInfo`` or
    ``EncryptedPackage`` stream: an xlsx protected with a password (Excel encrypts the whole zip into such a
    container). Any other Compound File: the old Excel 97-2003 format (.xls) under an .xlsx name. A zip
    without its end record: a truncated copy.
    """
    if len(data) == 0:
        return Problem(rel, "bestand.onleesbaar", "het bestand is leeg (0 bytes); vermoedelijk is het kopiëren of "
                                                  "opslaan afgebroken: lever het werkboek opnieuw aan")
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return Problem(rel, "bestand.onleesbaar", "het werkboek is met een wachtwoord beveiligd; het kan niet "
                                                      "worden gelezen: lever het aan zonder wachtwoord (in Excel: "
                                                      "Bestand > Info > Werkmap beveiligen > Versleutelen met "
                                                      "wachtwoord, het wachtwoord leegmaken)")
        return Problem(rel, "bestand.onleesbaar", "dit is een oud Excel-bestand (.xls, Excel 97-2003) met de naam "
                                                  ".xlsx; open het in Excel en sla het op als .xlsx (Excel-werkmap)")
    if data.startswith(b"PK") and b"PK\x05\x06" not in data[-(65_535 + 22):]:
        return Problem(rel, "bestand.onleesbaar", "geen geldig Excel-werkboek (.xlsx): het werkboek is beschadigd of "
                                                  "onvolledig (afgebroken kopie?); het einde van het bestand ontbreekt")
    return None


def check_zip(path: Path | bytes, rel: str, limits: Limits) -> Problem | None:
    """An xlsx is a zip archive: refuse broken archives and decompression bombs before opening.

    ``path`` is the file, or its bytes.
    """
    try:
        with (io.BytesIO(path) if isinstance(path, bytes) else open(path, "rb")) as fh:
            directory = _zip_directory_bytes(fh)
            if directory is not None and directory > limits.max_zip_directory_bytes:
                return Problem(rel, "bestand.te_groot",
                    f"de inhoudsopgave van het werkboek (zip) is {directory / 1024 / 1024:.1f} MB; de grens is "
                    f"{limits.max_zip_directory_bytes / 1024 / 1024:.1f} MB (een werkboek heeft een paar tientallen onderdelen)")
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        if isinstance(path, bytes) and path.startswith(b"PK"):
            return Problem(rel, "bestand.onleesbaar", "geen geldig Excel-werkboek (.xlsx): het werkboek is beschadigd "
                                                      "of onvolledig (afgebroken kopie?)")
        return Problem(rel, "bestand.onleesbaar", f"geen geldig Excel-werkboek (.xlsx): {type(exc).__name__}")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > limits.max_unpacked_bytes or unpacked / packed > limits.max_compression_ratio and unpacked > 10 * 1024 * 1024:
        return Problem(rel, "bestand.te_groot",
            f"het werkboek pakt uit tot {unpacked / 1024 / 1024:.0f} MB; de grens is {limits.max_unpacked_bytes / 1024 / 1024:.0f} MB")
    return None


#: Workbooks are opened by calamine (native code) in a child process with an
#: address-space limit (``max_reader_memory_bytes``) and a deadline per file
#: (``max_seconds_per_file``). A hostile workbook of a few kilobytes can make
#: calamine allocate without bound: two cells far apart (a sparse sheet is
#: stored as a full grid), a huge ``uniqueCount`` in the shared strings, one
#: long shared string repeated in many cells. An allocation that fails aborts
#: the process: here that is one rejected file, in-process it would be the end
#: of the run. The child uses only the standard library and python_calamine, so
#: it starts in a fraction of a second; one child reads all workbooks of a wave,
#: each sent as bytes (the bytes checked by :func:`check_zip` are the bytes read).
_WORKBOOK_CHILD = portability.CHILD_LIMITS + r"""
import io, pickle, struct, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer

def send(obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack("<Q", len(data)) + data)
    out.flush()

def receive():
    head = inp.read(8)
    if len(head) < 8:
        return None
    return pickle.loads(inp.read(struct.unpack("<Q", head)[0]))

from python_calamine import CalamineWorkbook

job = receive()
modules, max_rows, max_cells, max_text = set(job["modules"]), job["max_rows"], job["max_cells"], job["max_text"]
send("ready")

import re, zipfile
ERROR_CELL = re.compile(rb'(<(?:\w+:)?c\b[^>]*?\bt=)(["\x27])e\2')

def errors_as_text(data):
    # calamine reads a cell with a formula error (t="e") as "" or refuses the whole sheet (#SPILL!, #CALC!):
    # typed as a string, the cell gives its cached text (#N/A, #DIV/0!), which the parent reports as an error.
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

def read(data):
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(errors_as_text(data)))
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

while (data := receive()) is not None:
    send(read(data))
"""


class _ChildGone(Exception):
    pass


def _send(fd: int, obj) -> None:
    """One length-prefixed pickle to the child (os.write may write less than asked: loop)."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, deadline: float, max_bytes: int):
    """One length-prefixed pickle from the child, or TimeoutError / _ChildGone."""
    def exact(n: int) -> bytes:
        parts = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not portability.wait_readable(fd, left):
                raise TimeoutError
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise _ChildGone
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    (size,) = struct.unpack("<Q", exact(8))
    if size > max_bytes:
        raise _ChildGone
    return pickle.loads(exact(size))


class _WorkbookReader:
    """The child process that opens workbooks; see ``_WORKBOOK_CHILD``."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKBOOK_CHILD, str(limits.max_reader_memory_bytes)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     bufsize=0, close_fds=True)
        job = {"modules": sorted(MODULES), "max_rows": limits.max_sheet_rows, "max_cells": limits.max_sheet_cells,
               "max_text": limits.max_unpacked_bytes}
        try:
            _send(self.proc.stdin.fileno(), job)
            ready = _receive(self.proc.stdout.fileno(), time.monotonic() + max(30.0, limits.max_seconds_per_file),
                             1 << 20)
        except (OSError, TimeoutError, _ChildGone) as exc:
            ready = exc
        if ready != "ready":
            self.close()
            raise RuntimeError(f"de werkboeklezer (python_calamine in een hulpproces) start niet: {ready!r}")

    def read(self, data: bytes) -> dict | tuple[str, str]:
        """What the child read from a workbook's bytes, or (rule, message) when it died or ran out of time."""
        limits = self.limits
        deadline = time.monotonic() + limits.max_seconds_per_file
        try:
            _send(self.proc.stdin.fileno(), data)
            return _receive(self.proc.stdout.fileno(), deadline, limits.max_reader_memory_bytes)
        except TimeoutError:
            self.proc.kill()  # still busy with this file: no use waiting for it
            return ("bestand.te_traag",
                    f"het lezen van het werkboek duurde langer dan {limits.max_seconds_per_file:g} s en is afgebroken")
        except (OSError, _ChildGone):
            try:
                code = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            how = f"signaal {signal.Signals(-code).name}" if code is not None and code < 0 else f"code {code}"
            return ("bestand.te_groot",
                    f"het werkboek kon niet worden gelezen binnen de grens van "
                    f"{limits.max_reader_memory_bytes / 1024 / 1024:.0f} MB geheugen (de lezer stopte met {how}); "
                    f"vermoedelijk een misvormd of kwaadwillig werkboek")

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def _cell_name(row: int, col: int) -> str:
    """0-based (row, column) as Excel names it: (1, 0) is A2."""
    letters, n = "", col + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row + 1}"


_SHEET_EXTRA = re.compile(r"^((\(\d+\)|\d{1,4}|kopie|copy|v\d+|versie \d+|concept|definitief|def|nieuw|oud)\s*)+$")


def near_miss_module(sheet_name: str) -> str | None:
    """The module a misnamed sheet was meant to be, or None.

    A near miss is a name that, lower-cased, with underscores, hyphens, points and runs of white space read
    as one space, and without a leading "kopie van" / "copy of", is a module's name followed only by years or
    numbers, a copy number ``(2)``, or the words kopie, copy, versie n, vn, concept, definitief, def, nieuw,
    oud: ``oefeningen 2025``, ``Lessen (2)``, ``oefeningen_2025``, ``Kopie van risico``, ``middelen-v2``.
    (Case and white space around a module's name are not a near miss: ``Oefeningen `` *is* the sheet.)
    """
    text = re.sub(r"[\s_.\-]+", " ", sheet_name.lower()).strip()
    text = re.sub(r"^(kopie van|copy of) ", "", text)
    for module in MODULES:
        if text == module:
            return module
        if text.startswith(module) and _SHEET_EXTRA.match(text[len(module):].strip()):
            return module
    return None


def _tables_from_child(rel: str, raw: dict, limits: Limits) -> tuple[dict[str, SheetTable], list[Problem]]:
    """A workbook's module sheets as tables, and its problems, from what the child read."""
    if "error" in raw:
        return {}, [Problem(rel, "bestand.onleesbaar", f"het werkboek kan niet worden geopend: {raw['error']}")]
    if "text" in raw:
        return {}, [Problem(rel, "bestand.te_groot", f"de cellen van het werkboek bevatten samen meer dan "
                                                     f"{limits.max_unpacked_bytes:,} tekens (de grens)".replace(",", "."))]
    problems: list[Problem] = []
    tables: dict[str, SheetTable] = {}
    seen: set[str] = set()
    near: list[tuple[str, str]] = []  # (sheet, module it resembles)
    for entry in raw["sheets"]:
        sheet_name = entry["name"]
        module = sheet_name.strip().lower()
        if module not in MODULES:
            if (meant := near_miss_module(sheet_name)) is not None:
                near.append((sheet_name, meant))
                continue
            problems.append(Problem(rel, "blad.onbekend", f"blad {quote(sheet_name)} hoort niet bij de uitvraag en is genegeerd",
                                    WARNING, sheet_name))
            continue
        if module in seen:
            problems.append(Problem(rel, "blad.dubbel", f"de module '{module}' staat twee keer in het werkboek",
                                    sheet=sheet_name, module=module))
            continue
        seen.add(module)
        if entry.get("error") == "MemoryError":
            problems.append(Problem(rel, "blad.te_groot", f"het blad kan niet worden gelezen binnen de geheugengrens van "
                                    f"{limits.max_reader_memory_bytes / 1024 / 1024:.0f} MB", sheet=sheet_name,
                                    module=module))
            continue
        if "error" in entry:
            problems.append(Problem(rel, "blad.onleesbaar", f"het blad kan niet worden gelezen: {entry['error']}",
                                    sheet=sheet_name, module=module))
            continue
        if "rows" not in entry:
            rows, height, width = entry["size"]
            if rows > limits.max_sheet_rows + 1:
                message = f"het blad heeft {rows - 1} rijen onder de kopregel; de grens is {limits.max_sheet_rows}"
            else:
                message = (f"het blad beslaat {height} rijen x {width} kolommen = {height * width} cellen; "
                           f"de grens is {limits.max_sheet_cells}")
            problems.append(Problem(rel, "blad.te_groot", message, sheet=sheet_name, module=module))
            continue
        table = _table_from_rows(rel, sheet_name, entry["rows"], 1, limits, decimal_comma=True)
        if entry["visible"] != "Visible":
            table.problems.append(Problem(rel, "blad.verborgen", f"het blad is verborgen in Excel; het is wel gelezen",
                                          WARNING, sheet_name, module=module))
        merged = sorted(entry["merged"])
        if merged:
            names = [f"{_cell_name(*a)}:{_cell_name(*b)}" for a, b in merged]
            table.problems.append(Problem(rel, "blad.samengevoegd",
                f"samengevoegde cellen ({', '.join(names[:5])}{' …' if len(names) > 5 else ''}): alleen de eerste cel "
                f"van een samenvoeging heeft een waarde, de andere zijn leeg gelezen", WARNING, sheet_name,
                merged[0][0][0] + 1, module=module))
        tables[module] = table
    # A module's sheet under a near-miss name (see near_miss_module): without its own sheet the module is
    # rejected, naming the sheet found, so that the earlier data stays; beside its own sheet it is ignored.
    for sheet_name, module in near:
        if module in seen:
            problems.append(Problem(rel, "blad.onbekend", f"blad {quote(sheet_name)} lijkt een kopie van het blad "
                                    f"'{module}' en is genegeerd; het blad '{module}' is gelezen", WARNING, sheet_name))
        else:
            problems.append(Problem(rel, "blad.naam", f"het blad {quote(sheet_name)} lijkt het blad '{module}'; "
                                    f"hernoem het naar '{module}' (het blad '{module}' ontbreekt, dus deze module is "
                                    f"niet gelezen)", sheet=sheet_name, module=module))
    return tables, problems


def read_workbooks(items: list[tuple[Path, str]], limits: Limits = DEFAULT_LIMITS
                   ) -> dict[str, tuple[dict[str, SheetTable], list[Problem]]]:
    """Many workbooks ``(path, rel)`` at once, keyed by ``rel``; see :func:`read_workbook`.

    One child process reads them in turn; a file that kills it or runs past the
    deadline is rejected, and a new child goes on with the next.
    """
    results: dict[str, tuple[dict[str, SheetTable], list[Problem]]] = {}
    reader: _WorkbookReader | None = None
    try:
        for path, rel in items:
            try:
                data = _open_regular(Path(path), limits)
            except OSError as exc:
                results[rel] = ({}, [_unreadable(rel, exc)])
                continue
            if data is None:
                results[rel] = ({}, [_too_large(rel, limits)])
                continue
            if (p := sniff_workbook(data, rel) or check_zip(data, rel, limits)) is not None:
                results[rel] = ({}, [p])
                continue
            reader = reader or _WorkbookReader(limits)
            raw = reader.read(data)
            if isinstance(raw, tuple):  # the child died or was too slow: the next file gets a new one
                results[rel] = ({}, [Problem(rel, *raw)])
                reader.close()
                reader = None
            else:
                results[rel] = _tables_from_child(rel, raw, limits)
    finally:
        if reader is not None:
            reader.close()
    return results


def read_workbook(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, SheetTable], list[Problem]]:
    """All module sheets of a workbook, keyed by module name, and file-level problems.

    Sheets that are not a module are reported as a warning and ignored; a
    module sheet that cannot be read or is too large is a problem with its
    ``module`` set (that module is rejected, the others are read). Hidden
    sheets are read, with a warning; so are merged cells, which give a value
    in their first cell only.
    """
    return read_workbooks([(path, rel)], limits)[rel]


# ---------------------------------------------------------------------------
# CSV exports
# ---------------------------------------------------------------------------


def decode_text(data: bytes, rel: str) -> tuple[str | None, str | None, Problem | None]:
    """Decode an export: UTF-8 (with or without BOM) or Windows-1252; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in (data[:1], data[1:2])):
        return None, None, Problem(rel, "bestand.codering",
            "het bestand is UTF-16 gecodeerd; sla het op als CSV UTF-8 of Windows-1252")
    if b"\x00" in data:
        return None, None, Problem(rel, "bestand.codering", "het bestand bevat NUL-tekens; het is geen tekstbestand")
    try:
        return data.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", None
    except UnicodeDecodeError as exc:
        return None, None, Problem(rel, "bestand.codering",
            f"het bestand is geen UTF-8 of Windows-1252 (onleesbaar teken op positie {exc.start})")


def sniff_delimiter(text: str) -> str:
    """`;` or `,`, whichever splits the header line into more fields (outside quotes)."""
    first = text.split("\n", 1)[0]
    counts = {}
    for delim in (";", ","):
        try:
            counts[delim] = len(next(csv.reader([first], delimiter=delim)))
        except (csv.Error, StopIteration):
            counts[delim] = 0
    return ";" if counts[";"] > counts[","] else ","


def _count_records(text: str, delimiter: str, stop: int) -> int:
    """Records in a CSV text, counted up to ``stop`` without keeping them."""
    n = 0
    for n, _ in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if n >= stop:
            break
    return n


def _line_breaks(cell: str) -> int:
    """Line breaks in (quoted) cells, as ``io.StringIO(newline="")`` splits lines: \\n, \\r\\n or \\r."""
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


def _read_records(text: str, delimiter: str, limits: Limits, started: float):
    """The records of a CSV text with the line each starts on, read 10,000 at a time.

    The same records and numbers as reading one record at a time and asking the reader's ``line_num``
    (what :func:`read_export` does when this returns ``None``): a record spans one line plus one per line
    break inside its quoted cells, and every block is checked against ``line_num``. ``None`` when the
    text is not well-formed or a block does not add up (the slow path then finds and words the problem);
    ``"te_traag"`` when reading takes longer than ``max_seconds_per_file``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    done = 0  # lines read so far
    try:
        while chunk := list(itertools.islice(reader, 10_000)):
            lines = reader.line_num - done
            if lines == len(chunk):  # every record on one line
                numbers.extend(range(done + 1, done + 1 + lines))
            else:
                at = done + 1
                # NUL cannot occur in a text (decode_text refuses it): joined with it, no break spans two cells
                for breaks in map(_line_breaks, map("\0".join, chunk)):
                    numbers.append(at)
                    at += 1 + breaks
                if at != reader.line_num + 1:
                    return None
            done = reader.line_num
            rows.extend(chunk)
            if time.monotonic() - started > limits.max_seconds_per_file:
                return "te_traag"
            if len(rows) > limits.max_export_rows + 1:
                return None
    except csv.Error:
        return None
    return rows, numbers


def read_export(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> tuple[SheetTable | None, list[Problem]]:
    """A survey-tool export (all regions of one module) as a table."""
    started = time.monotonic()
    try:
        data = _open_regular(path, limits)
    except OSError as exc:
        return None, [_unreadable(rel, exc)]
    if data is None:
        return None, [_too_large(rel, limits)]
    text, _encoding, problem = decode_text(data, rel)
    if problem:
        return None, [problem]
    delimiter = sniff_delimiter(text)
    # A cell longer than max_cell_chars is reported for its own row (cel.te_lang); the csv module's own
    # limit (128 KiB) would reject the whole export, every region with it. The file size bounds a cell.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_file_bytes + 1))
    too_many = Problem(rel, "bestand.te_groot", f"het bestand heeft meer dan {limits.max_export_rows} rijen")
    if text.count("\n") + text.count("\r") - text.count("\r\n") > limits.max_export_rows and \
            _count_records(text, delimiter, limits.max_export_rows + 2) > limits.max_export_rows + 1:
        return None, [too_many]  # counted before anything is kept: a long file costs time, not memory
    fast = _read_records(text, delimiter, limits, started)
    if fast == "te_traag":
        return None, [Problem(rel, "bestand.te_traag", f"het lezen duurde langer dan "
                                                       f"{limits.max_seconds_per_file:g} s en is afgebroken")]
    rows, numbers = fast if fast is not None else ([], [])
    # Record by record (where the blocks above did not add up): the exact place of a malformed row.
    reader = csv.reader(io.StringIO(text if fast is None else "", newline=""), delimiter=delimiter, strict=True)
    line_start = 1
    try:
        for cells in reader:
            rows.append(cells)
            numbers.append(line_start)
            line_start = reader.line_num + 1
            if len(rows) % 10_000 == 0 and time.monotonic() - started > limits.max_seconds_per_file:
                return None, [Problem(rel, "bestand.te_traag", f"het lezen duurde langer dan "
                                                               f"{limits.max_seconds_per_file:g} s en is afgebroken")]
            if len(rows) > limits.max_export_rows + 1:
                return None, [too_many]
    except csv.Error as exc:
        if str(exc).startswith("unexpected end of data"):
            message = (f"een aanhalingsteken (\") in rij {line_start} wordt niet gesloten; alles vanaf die rij zou "
                       f"één cel worden")
        else:
            message = f"het CSV-bestand is niet goed opgebouwd in rij {line_start} ({exc})"
        return None, [Problem(rel, "bestand.csv", message, row=line_start)]
    # A row in one cell that the other delimiter splits (an export pasted together from two tools): read it
    # with that delimiter, so its region is known, and reject it there, with the reason.
    other, mixed = ("," if delimiter == ";" else ";"), []
    if rows and len(rows[0]) > 1:
        for i in [i for i in range(1, len(rows)) if len(rows[i]) == 1]:
            if other in rows[i][0]:
                try:
                    split = next(csv.reader([rows[i][0]], delimiter=other))
                except (csv.Error, StopIteration):
                    continue
                if len(split) > 1:
                    rows[i] = split
                    mixed.append(numbers[i])
    sheet = path.stem
    table = _table_from_rows(rel, sheet, rows, 1, limits, decimal_comma=(delimiter == ";"), row_numbers=numbers,
                             texts_ready=True)
    for n in mixed:
        table.problems.append(Problem(rel, "rij.scheidingsteken",
            f"rij {n} is gescheiden met '{other}', de kopregel met '{delimiter}'; gebruik één scheidingsteken in het "
            f"hele bestand", ERROR, sheet, n))
    return table, table.problems


# ---------------------------------------------------------------------------
# Parsing a sheet into typed values
# ---------------------------------------------------------------------------

INT_RE = re.compile(r"^[+-]?\d+$")
NUMBER_RE = re.compile(r"^[+-]?(\d+([.]\d*)?|[.]\d+)([eE][+-]?\d+)?$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
NL_DATE_RE = re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")


def parse_number(values: pd.Series, decimal_comma: bool) -> pd.Series:
    """Text to float; ``1,5`` is 1.5 where a decimal comma is allowed. Unreadable gives NaN."""
    text = values.str.strip()
    if decimal_comma:
        text = text.where(~text.str.contains(r"^[+-]?\d+,\d+$", regex=True), text.str.replace(",", ".", regex=False))
    ok = text.str.match(NUMBER_RE)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    out[ok] = text[ok].astype("float64")
    return out


#: How text is read as a number (see README, "Getallen"). A cell that was a real number in Excel is read as it is.
PLAIN, DUTCH, ENGLISH = 0, 1, 2
_NL_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.000  12.345.678  1.000,5
_NL_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")  # 1,5  12,0
_COMMA_THOUSAND = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")  # 1,000  12,345,678  1,000.5
_DOT_THOUSAND = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")  # 1.000  12.345.678
_POINT = re.compile(r"^[+-]?\d*\.\d+$")  # 1.5  3.0


def read_number_text(text: str, style: int) -> tuple[float, str | None]:
    """One number typed as text: (value or NaN, why it is refused as ambiguous or None).

    ``DUTCH`` (text cells of a workbook, ``;`` exports): a point separates thousands, a comma is the decimal
    sign: ``1.000`` is 1000, ``1.000,5`` 1000.5, ``12.345.678`` 12345678, ``1,5`` 1.5. A point that does not
    separate groups of three digits (``1.5``), and a comma before exactly three digits (``1,000``: an English
    thousand or a Dutch decimal?) are refused as ambiguous.
    ``ENGLISH`` (``,`` exports): a point is the decimal sign (``1.5``), no thousands separator is accepted:
    ``1.000`` and ``1,000`` are refused as ambiguous.
    ``PLAIN`` (a real number cell): as Python reads it.
    """
    text = text.strip()
    if INT_RE.match(text) or re.match(r"^[+-]?\d+[eE][+-]?\d+$", text):
        return float(text), None
    if style == PLAIN:
        return (float(text), None) if NUMBER_RE.match(text) else (np.nan, None)
    if style == DUTCH:
        if _COMMA_THOUSAND.match(text):
            return np.nan, (f"{quote(text)} is dubbelzinnig: een komma voor drie cijfers is in Engelse schrijfwijze "
                            f"een scheiding van duizendtallen, in Nederlandse een decimaalteken; schrijf het getal "
                            f"zonder scheidingsteken (bijvoorbeeld 1000)")
        if _NL_GROUPED.match(text):
            return float(text.replace(".", "").replace(",", ".")), None
        if _NL_DECIMAL.match(text):
            return float(text.replace(",", ".")), None
        if _POINT.match(text):
            return np.nan, (f"{quote(text)} is dubbelzinnig: in Nederlandse schrijfwijze scheidt een punt "
                            f"duizendtallen (1.000), maar hier staan er geen drie cijfers achter; schrijf het getal "
                            f"zonder punt (een decimaal getal met een komma)")
        return np.nan, None
    if _DOT_THOUSAND.match(text):
        return np.nan, (f"{quote(text)} is dubbelzinnig: in een export met ',' als scheidingsteken is de punt een "
                        f"decimaalteken, in Nederlandse schrijfwijze scheidt hij "
                        f"duizendtallen; schrijf het getal zonder punt (bijvoorbeeld 1000)")
    if _COMMA_THOUSAND.match(text):
        return np.nan, (f"{quote(text)} is dubbelzinnig: een komma kan duizendtallen scheiden (Engels) of een "
                        f"decimaalteken zijn (Nederlands); schrijf het getal zonder scheidingsteken")
    return (float(text), None) if NUMBER_RE.match(text) else (np.nan, None)


def read_numbers(values: pd.Series, style: int) -> tuple[pd.Series, pd.Series]:
    """:func:`read_number_text` over distinct values: (numbers, messages; None where not ambiguous)."""
    pairs = [read_number_text(v, style) if isinstance(v, str) else (np.nan, None) for v in values]
    return (pd.Series([a for a, _ in pairs], index=values.index, dtype="float64"),
            pd.Series([b for _, b in pairs], index=values.index, dtype="object"))


#: Excel's formula errors. A cell holding one (as an error cell, as the text a formula gave, or typed into an
#: export) is an error of its own: it is never read as empty.
FORMULA_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                  "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!",
                  "#PYTHON!", "#TIMEOUT!")
_FORMULA_ERRORS = frozenset(FORMULA_ERRORS)


def parse_bool(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().map(BOOLEAN_WORDS).astype("boolean")


def parse_date(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    iso = pd.to_datetime(text.where(text.str.match(ISO_DATE_RE)), format="%Y-%m-%d", errors="coerce")
    nl = pd.to_datetime(text.where(text.str.match(NL_DATE_RE)), format="%d-%m-%Y", errors="coerce")
    return iso.fillna(nl).dt.date.astype("object").where(iso.notna() | nl.notna(), None)


def parse_codes(values: pd.Series) -> pd.Series:
    def split(text: str):
        return [c.strip().lower() for c in text.split(MULTI_SEPARATOR) if c.strip()]

    return values.map(split)


def redact_emails(values: pd.Series) -> pd.Series:
    """Text with e-mail addresses, phone numbers and BSN-like numbers replaced (:func:`pipelines.core.privacy.redact`).

    The name is historical: it redacts all three kinds since issue 15.
    """
    return redact_series(values)


EXPECTED_FORM = {
    "int": "een geheel getal",
    "bool": "ja of nee (ook j/n, yes/no, true/false, 1/0)",
    "date": "een datum als JJJJ-MM-DD of DD-MM-JJJJ",
}


def parse_module(table: SheetTable, module: Module, *, region_code: str | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one sheet by the codebook (see :func:`parse_tables`)."""
    frame, problems = parse_tables([(table, region_code)], module, limits=limits)
    return frame.drop(columns=["_file", "_sheet"]), problems


def _header_map(table: SheetTable, module: Module, region_code: str | None, problems: list[Problem]) -> dict[str, int]:
    """Position of each known column in the sheet; problems for empty, doubled, unknown and missing headers."""
    def problem(rule, message, severity=ERROR, column=None):
        problems.append(Problem(table.file, rule, message, severity, table.sheet, 1, column, None, region_code,
                                module.name))

    known = set(module.field_names) | {REGION_COLUMN}
    seen: dict[str, int] = {}
    for i, name in enumerate(table.header):
        if name == "":
            if any(r[i].strip() for r in table.rows):
                problem("kolom.zonder_kop", f"kolom {i + 1} heeft waarden maar geen kop; genegeerd", WARNING)
            continue
        if name in seen:
            problem("kolom.dubbel", f"de kolom '{name}' komt twee keer voor", column=name)
            continue
        seen[name] = i
        if name not in known:
            problem("kolom.onbekend", f"onbekende kolom '{name}' is genegeerd", WARNING, column=name)
    required = [f.name for f in module.fields if f.required]
    if region_code is None:
        required = [REGION_COLUMN] + required
    for name in required:
        if name not in seen:
            problem("kolom.ontbreekt", f"de verplichte kolom '{name}' ontbreekt", column=name)
    return {name: i for name, i in seen.items() if name in known}


class _Distinct:
    """A column of text as its distinct values (``values``, object Series) and, per row, which one (``codes``)."""

    def __init__(self, values, codes: np.ndarray | None = None):
        if codes is None:
            codes, uniques = pd.factorize(np.asarray(values, dtype=object) if len(values) else np.array([], dtype=object))
            values = pd.Series(uniques, dtype="object")
        self.codes, self.values = codes, values

    def rows(self, per_value: pd.Series) -> pd.Series:
        """A result per distinct value, spread over the rows."""
        return per_value.take(self.codes).reset_index(drop=True)

    def mask(self, per_value: pd.Series) -> np.ndarray:
        return per_value.to_numpy(dtype=bool, na_value=False)[self.codes]

    def at(self, i: int) -> str:
        return self.values.iat[self.codes[i]]

    def blank_where(self, per_value: pd.Series) -> "_Distinct":
        """The same column with the values where ``per_value`` holds replaced by ``""``."""
        values = self.values.where(~per_value.to_numpy(dtype=bool, na_value=False), "")
        return _Distinct(values, self.codes)


def parse_tables(tables: list[tuple[SheetTable, str | None]], module: Module, *,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[pd.DataFrame, list[Problem]]:
    """Type many sheets of one module at once (all regions of a wave), by the codebook.

    Each sheet comes with the region code from its workbook's file name, or
    ``None`` for an export, whose ``regio_code`` column is then required. All
    rows are parsed in one vectorised pass: the cost does not grow with the
    number of sheets. The result has one column per codebook field that is not
    personal (Dutch names) plus ``regio_code``, ``_row``, ``_file`` and
    ``_sheet``; every value that cannot be parsed is a problem with its place.
    """
    problems: list[Problem] = []
    names = [REGION_COLUMN] + [f.name for f in module.fields if not f.personal]
    cells: dict[str, list[str]] = {name: [] for name in names}
    row_numbers: list[int] = []
    file_of: list[str] = []
    sheet_of: list[str] = []
    region_of: list[str | None] = []
    comma_of: list[bool] = []
    int_fields = [f.name for f in module.fields if f.kind == "int" and not f.personal]
    number_cells: dict[str, list[int]] = {name: [] for name in int_fields}  # row positions of real number cells
    for table, region_code in tables:
        positions = _header_map(table, module, region_code, problems)
        if table.number_cells:
            offset, name_of = len(row_numbers), {positions[n]: n for n in int_fields if n in positions}
            for r, j in table.number_cells:
                if j in name_of and r < len(table.rows):
                    number_cells[name_of[j]].append(offset + r)
        rows, m = table.rows, len(table.rows)
        width = len(table.header)
        if all(len(r) == width for r in rows):
            by_column = list(zip(*rows)) if m else []  # a column at a time (C speed), not a row at a time
        else:  # rows of uneven length (not from _table_from_rows): as before, cell by cell
            by_column = None
        for name in names:
            i = positions.get(name, -1)
            if not m:
                continue
            if i < 0:
                cells[name].extend([""] * m)
            elif by_column is not None:
                cells[name].extend(by_column[i])
            else:
                cells[name].extend([r[i] for r in rows])
        row_numbers.extend(table.row_numbers[:m])
        file_of.extend([table.file] * m)
        sheet_of.extend([table.sheet] * m)
        region_of.extend([region_code] * m)
        comma_of.extend([table.decimal_comma] * m)
    n = len(row_numbers)
    # Every rule below applies to one value at a time: it is worked out once per distinct value of a column
    # (codes, numbers and booleans repeat a lot) and spread over the rows with a take.
    columns = {name: _Distinct(values) for name, values in cells.items()}
    del cells
    row_no = pd.Series(row_numbers, dtype="int64")
    files = pd.Series(file_of, dtype="object")
    sheets = pd.Series(sheet_of, dtype="object")
    expected_region = pd.Series(region_of, dtype="object")
    decimal_comma = pd.Series(comma_of, dtype="bool")
    del row_numbers, file_of, sheet_of, region_of, comma_of

    def report(mask, rule: str, column: str | None, message) -> None:
        """A problem per row where ``mask`` holds; ``message(i)`` words it."""
        mask = mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else mask
        for i in np.flatnonzero(mask):
            value = columns[column].at(i) if column in columns else None
            problems.append(Problem(files.iloc[i], rule, message(i), ERROR, sheets.iloc[i], int(row_no.iloc[i]), column,
                                    None if value is None else redact(str(value))[:200],
                                    expected_region.iloc[i] or (region.iloc[i] if region is not None else None),
                                    module.name))

    # The region of every row first: a problem in an export's row belongs to that row's region only.
    raw_region = columns[REGION_COLUMN].rows(redact_emails(columns[REGION_COLUMN].values.str.strip().str.upper()))
    has_expected = expected_region.notna()
    region = expected_region.where(has_expected, raw_region.replace("", None))
    for name, col in columns.items():
        too_long = col.mask(col.values.str.len() > limits.max_cell_chars)
        if too_long.any():
            report(too_long, "cel.te_lang", name,
                   lambda i, col=col: f"de cel heeft {len(col.at(i))} tekens; de grens is {limits.max_cell_chars}")
            columns[name] = col.blank_where(col.values.str.len() > limits.max_cell_chars)

    # Formula errors (#N/A, #DIV/0!, …): an error of their own, and the cell is not read further (so that it is
    # never also reported as not filled in).
    for name, col in list(columns.items()):
        if name == REGION_COLUMN:
            continue
        is_error = col.values.str.strip().str.upper().isin(_FORMULA_ERRORS)
        if is_error.any():
            report(col.mask(is_error), "cel.formulefout", name,
                   lambda i, col=col, name=name: f"formulefout {col.at(i).strip().upper()} in kolom '{name}' rij "
                                                 f"{int(row_no.iloc[i])}: de formule gaf geen waarde; herstel de "
                                                 f"formule of vul de waarde zelf in")
            columns[name] = col.blank_where(is_error)

    wrong = has_expected & (raw_region != "") & (raw_region != expected_region.fillna("").str.upper())
    report(wrong, "regio.afwijkend", REGION_COLUMN,
           lambda i: f"regio_code {quote(raw_region.iloc[i])} wijkt af van de regio in de bestandsnaam "
                     f"({expected_region.iloc[i]})")

    out = pd.DataFrame({"_row": row_no, REGION_COLUMN: region, "_file": files, "_sheet": sheets})
    for f in module.fields:
        if f.personal:
            continue  # names, addresses, roles of the respondent: never read further
        col = columns[f.name]
        raw = col.values  # the distinct values of the column
        blank_u = raw.str.strip() == ""
        blank = col.mask(blank_u)
        if f.kind in ("text", "region", "freetext"):
            value = raw.str.strip()
            if f.kind == "region":
                value = value.str.upper()
            value = col.rows(redact_emails(value).where(~blank_u, None))
        elif f.kind == "code":
            value = col.rows(redact_emails(raw.str.strip().str.lower()).where(~blank_u, None))
        elif f.kind == "codes":  # a code is never personal data; what is typed instead of one may be
            value = col.rows(parse_codes(redact_emails(raw)).where(~blank_u, None))
        elif f.kind == "int":
            # Text is read in the notation of its file (read_number_text); a real number cell as it is.
            number, why = (col.rows(x) for x in read_numbers(raw, ENGLISH))
            if decimal_comma.any():
                nl_number, nl_why = (col.rows(x) for x in read_numbers(raw, DUTCH))
                number, why = number.where(~decimal_comma, nl_number), why.where(~decimal_comma, nl_why)
            if number_cells[f.name]:
                plain = np.zeros(n, dtype=bool)
                plain[number_cells[f.name]] = True
                number = number.where(~plain, col.rows(read_numbers(raw, PLAIN)[0]))
                why = why.where(~plain, None)
            ambiguous = ~blank & why.notna().to_numpy()
            report(ambiguous, "type.geheel_getal", f.name, lambda i, why=why: f"{why.iloc[i]}; verwacht {EXPECTED_FORM['int']}")
            # beyond 2**53 a float no longer holds every integer, and beyond 2**63 none fits the column: bad input
            bad = ~blank & ~ambiguous & (number.isna() | (number % 1 != 0) | (number.abs() > 2 ** 53)).to_numpy()
            report(bad, "type.geheel_getal", f.name, lambda i, col=col, number=number: _bad_value(
                col.at(i), number.iloc[i], "int"))
            value = number.where(~(bad | ambiguous)).round().astype("Int64")
        elif f.kind == "bool":
            value = col.rows(parse_bool(raw))
            report(~blank & value.isna().to_numpy(), "type.ja_nee", f.name,
                   lambda i, col=col: _bad_value(col.at(i), None, "bool"))
        elif f.kind == "date":
            value = col.rows(parse_date(raw))
            report(~blank & value.isna().to_numpy(), "type.datum", f.name,
                   lambda i, col=col: _bad_value(col.at(i), None, "date"))
        else:  # pragma: no cover - the codebook refuses unknown kinds
            raise AssertionError(f.kind)
        out[f.name] = value.reset_index(drop=True)
    assert len(out) == n
    return out, problems


def _bad_value(found: str, number, kind: str) -> str:
    extra = f" (gelezen als {number:g})" if number is not None and not pd.isna(number) else ""
    return f"waarde {quote(found)}{extra} is geen geldige invoer; verwacht {EXPECTED_FORM[kind]}"


def catalogue_of(module: Module, field_name: str):
    f = module.field(field_name)
    return CATALOGUES[f.catalogue] if f.catalogue else None
