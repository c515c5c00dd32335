"""Workbooks (.xlsx): checked as files, opened in a helper process, turned into tables.

Checks what a file named .xlsx really is (:func:`sniff_workbook`) and refuses
broken zips and decompression bombs (:func:`check_zip`) before the helper
process :mod:`pipelines.ingest.workbook_child` opens it. Turns what the helper
read into :class:`~pipelines.ingest.readers.tables.SheetTable` objects per
module sheet. Does not type values (:mod:`.parse`).
"""

from __future__ import annotations

import io
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from pipelines.contract.codebook import INSTRUCTION_SHEET, MODULES
from pipelines.core import pipes
from pipelines.core.problems import WARNING, Problem, quote
from pipelines.ingest.readers.limits import DEFAULT_LIMITS, Limits, _open_regular, _too_large, _unreadable
from pipelines.ingest.readers.tables import SheetTable, _table_from_rows


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
    return struct.unpack("<I", data[at + 12 : at + 16])[0]


CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 / Compound File: old .xls, or an encrypted .xlsx


def sniff_workbook(data: bytes, rel: str) -> Problem | None:
    """What a file named .xlsx really is, from its first bytes, when it is not a workbook that can be opened.

    0 bytes: empty (an interrupted copy). A Compound File (``D0 CF 11 E0 …``) with an ``EncryptionInfo`` or
    ``EncryptedPackage`` stream: an xlsx protected with a password (Excel encrypts the whole zip into such a
    container). Any other Compound File: the old Excel 97-2003 format (.xls) under an .xlsx name. A zip
    without its end record: a truncated copy.
    """
    if len(data) == 0:
        return Problem(
            rel,
            "bestand.onleesbaar",
            "het bestand is leeg (0 bytes); vermoedelijk is het kopiëren of "
            "opslaan afgebroken: lever het werkboek opnieuw aan",
        )
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return Problem(
                rel,
                "bestand.onleesbaar",
                "het werkboek is met een wachtwoord beveiligd; het kan niet "
                "worden gelezen: lever het aan zonder wachtwoord (in Excel: "
                "Bestand > Info > Werkmap beveiligen > Versleutelen met "
                "wachtwoord, het wachtwoord leegmaken)",
            )
        return Problem(
            rel,
            "bestand.onleesbaar",
            "dit is een oud Excel-bestand (.xls, Excel 97-2003) met de naam "
            ".xlsx; open het in Excel en sla het op als .xlsx (Excel-werkmap)",
        )
    if data.startswith(b"PK") and b"PK\x05\x06" not in data[-(65_535 + 22) :]:
        return Problem(
            rel,
            "bestand.onleesbaar",
            "geen geldig Excel-werkboek (.xlsx): het werkboek is beschadigd of "
            "onvolledig (afgebroken kopie?); het einde van het bestand ontbreekt",
        )
    return None


def check_zip(path: Path | bytes, rel: str, limits: Limits) -> Problem | None:
    """An xlsx is a zip archive: refuse broken archives and decompression bombs before opening.

    ``path`` is the file, or its bytes.
    """
    try:
        with io.BytesIO(path) if isinstance(path, bytes) else open(path, "rb") as fh:
            directory = _zip_directory_bytes(fh)
            if directory is not None and directory > limits.max_zip_directory_bytes:
                return Problem(
                    rel,
                    "bestand.te_groot",
                    f"de inhoudsopgave van het werkboek (zip) is {directory / 1024 / 1024:.1f} MB; de grens is "
                    f"{limits.max_zip_directory_bytes / 1024 / 1024:.1f} MB (een werkboek heeft een paar tientallen onderdelen)",
                )
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        if isinstance(path, bytes) and path.startswith(b"PK"):
            return Problem(
                rel,
                "bestand.onleesbaar",
                "geen geldig Excel-werkboek (.xlsx): het werkboek is beschadigd of onvolledig (afgebroken kopie?)",
            )
        return Problem(rel, "bestand.onleesbaar", f"geen geldig Excel-werkboek (.xlsx): {type(exc).__name__}")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if (
        unpacked > limits.max_unpacked_bytes
        or unpacked / packed > limits.max_compression_ratio
        and unpacked > 10 * 1024 * 1024
    ):
        return Problem(
            rel,
            "bestand.te_groot",
            f"het werkboek pakt uit tot {unpacked / 1024 / 1024:.0f} MB; de grens is {limits.max_unpacked_bytes / 1024 / 1024:.0f} MB",
        )
    return None


class _WorkbookReader:
    """The helper process that opens workbooks (:mod:`pipelines.ingest.workbook_child`)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.ingest.workbook_child", str(limits.max_reader_memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            close_fds=True,
        )
        # Popen types its pipes as optional (they exist only when asked for); both were asked for above.
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        job = {
            "modules": sorted(MODULES),
            "max_rows": limits.max_sheet_rows,
            "max_cells": limits.max_sheet_cells,
            "max_text": limits.max_unpacked_bytes,
        }
        try:
            pipes.send(self.stdin.fileno(), job)
            ready = pipes.receive(
                self.stdout.fileno(), time.monotonic() + max(30.0, limits.max_seconds_per_file), 1 << 20
            )
        except (OSError, TimeoutError, pipes.PipeClosed) as exc:
            ready = exc
        if ready != "ready":
            self.close()
            raise RuntimeError(f"de werkboeklezer (python_calamine in een hulpproces) start niet: {ready!r}")

    def read(self, data: bytes) -> dict | tuple[str, str]:
        """What the child read from a workbook's bytes, or (rule, message) when it died or ran out of time."""
        limits = self.limits
        deadline = time.monotonic() + limits.max_seconds_per_file
        try:
            pipes.send(self.stdin.fileno(), data)
            return pipes.receive(self.stdout.fileno(), deadline, limits.max_reader_memory_bytes)
        except TimeoutError:
            self.proc.kill()  # still busy with this file: no use waiting for it
            return (
                "bestand.te_traag",
                f"het lezen van het werkboek duurde langer dan {limits.max_seconds_per_file:g} s en is afgebroken",
            )
        except (OSError, pipes.PipeClosed):
            try:
                code = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            how = f"signaal {signal.Signals(-code).name}" if code is not None and code < 0 else f"code {code}"
            return (
                "bestand.te_groot",
                f"het werkboek kon niet worden gelezen binnen de grens van "
                f"{limits.max_reader_memory_bytes / 1024 / 1024:.0f} MB geheugen (de lezer stopte met {how}); "
                f"vermoedelijk een misvormd of kwaadwillig werkboek",
            )

    def close(self) -> None:
        try:
            self.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stdout.close()


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
        if text.startswith(module) and _SHEET_EXTRA.match(text[len(module) :].strip()):
            return module
    return None


def _tables_from_child(rel: str, raw: dict, limits: Limits) -> tuple[dict[str, SheetTable], list[Problem]]:
    """A workbook's module sheets as tables, and its problems, from what the child read."""
    if "error" in raw:
        return {}, [Problem(rel, "bestand.onleesbaar", f"het werkboek kan niet worden geopend: {raw['error']}")]
    if "text" in raw:
        return {}, [
            Problem(
                rel,
                "bestand.te_groot",
                f"de cellen van het werkboek bevatten samen meer dan "
                f"{limits.max_unpacked_bytes:,} tekens (de grens)".replace(",", "."),
            )
        ]
    problems: list[Problem] = []
    tables: dict[str, SheetTable] = {}
    seen: set[str] = set()
    near: list[tuple[str, str]] = []  # (sheet, module it resembles)
    for entry in raw["sheets"]:
        sheet_name = entry["name"]
        module = sheet_name.strip().lower()
        if module == INSTRUCTION_SHEET:  # the template's own instructions: nothing to read, nothing to report
            continue
        if module not in MODULES:
            if (meant := near_miss_module(sheet_name)) is not None:
                near.append((sheet_name, meant))
                continue
            problems.append(
                Problem(
                    rel,
                    "blad.onbekend",
                    f"blad {quote(sheet_name)} hoort niet bij de uitvraag en is genegeerd",
                    WARNING,
                    sheet_name,
                )
            )
            continue
        if module in seen:
            problems.append(
                Problem(
                    rel,
                    "blad.dubbel",
                    f"de module '{module}' staat twee keer in het werkboek",
                    sheet=sheet_name,
                    module=module,
                )
            )
            continue
        seen.add(module)
        if entry.get("error") == "MemoryError":
            problems.append(
                Problem(
                    rel,
                    "blad.te_groot",
                    f"het blad kan niet worden gelezen binnen de geheugengrens van "
                    f"{limits.max_reader_memory_bytes / 1024 / 1024:.0f} MB",
                    sheet=sheet_name,
                    module=module,
                )
            )
            continue
        if "error" in entry:
            problems.append(
                Problem(
                    rel,
                    "blad.onleesbaar",
                    f"het blad kan niet worden gelezen: {entry['error']}",
                    sheet=sheet_name,
                    module=module,
                )
            )
            continue
        if "rows" not in entry:
            rows, height, width = entry["size"]
            if rows > limits.max_sheet_rows + 1:
                message = f"het blad heeft {rows - 1} rijen onder de kopregel; de grens is {limits.max_sheet_rows}"
            else:
                message = (
                    f"het blad beslaat {height} rijen x {width} kolommen = {height * width} cellen; "
                    f"de grens is {limits.max_sheet_cells}"
                )
            problems.append(Problem(rel, "blad.te_groot", message, sheet=sheet_name, module=module))
            continue
        table = _table_from_rows(rel, sheet_name, entry["rows"], 1, limits, decimal_comma=True)
        if entry["visible"] != "Visible":
            table.problems.append(
                Problem(
                    rel,
                    "blad.verborgen",
                    "het blad is verborgen in Excel; het is wel gelezen",
                    WARNING,
                    sheet_name,
                    module=module,
                )
            )
        merged = sorted(entry["merged"])
        if merged:
            names = [f"{_cell_name(*a)}:{_cell_name(*b)}" for a, b in merged]
            table.problems.append(
                Problem(
                    rel,
                    "blad.samengevoegd",
                    f"samengevoegde cellen ({', '.join(names[:5])}{' …' if len(names) > 5 else ''}): alleen de eerste cel "
                    f"van een samenvoeging heeft een waarde, de andere zijn leeg gelezen",
                    WARNING,
                    sheet_name,
                    merged[0][0][0] + 1,
                    module=module,
                )
            )
        tables[module] = table
    # A module's sheet under a near-miss name (see near_miss_module): without its own sheet the module is
    # rejected, naming the sheet found, so that the earlier data stays; beside its own sheet it is ignored.
    for sheet_name, module in near:
        if module in seen:
            problems.append(
                Problem(
                    rel,
                    "blad.onbekend",
                    f"blad {quote(sheet_name)} lijkt een kopie van het blad "
                    f"'{module}' en is genegeerd; het blad '{module}' is gelezen",
                    WARNING,
                    sheet_name,
                )
            )
        else:
            problems.append(
                Problem(
                    rel,
                    "blad.naam",
                    f"het blad {quote(sheet_name)} lijkt het blad '{module}'; "
                    f"hernoem het naar '{module}' (het blad '{module}' ontbreekt, dus deze module is "
                    f"niet gelezen)",
                    sheet=sheet_name,
                    module=module,
                )
            )
    return tables, problems


def read_workbooks(
    items: list[tuple[Path, str]], limits: Limits = DEFAULT_LIMITS
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
