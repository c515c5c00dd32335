"""Survey-tool exports (CSV): decoded, split into records, turned into a table.

Accepts UTF-8 or Windows-1252 with ``;`` or ``,`` as delimiter and keeps each
record's line number; does not type values (:mod:`.parse`).
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from pathlib import Path

from pipelines.core.problems import ERROR, Problem
from pipelines.ingest.readers.limits import DEFAULT_LIMITS, Limits, _open_regular, _too_large, _unreadable
from pipelines.ingest.readers.tables import SheetTable, _table_from_rows


def decode_text(data: bytes, rel: str) -> tuple[str | None, str | None, Problem | None]:
    """Decode an export: UTF-8 (with or without BOM) or Windows-1252; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in (data[:1], data[1:2])):
        return (
            None,
            None,
            Problem(
                rel, "bestand.codering", "het bestand is UTF-16 gecodeerd; sla het op als CSV UTF-8 of Windows-1252"
            ),
        )
    if b"\x00" in data:
        return None, None, Problem(rel, "bestand.codering", "het bestand bevat NUL-tekens; het is geen tekstbestand")
    try:
        return data.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", None
    except UnicodeDecodeError as exc:
        return (
            None,
            None,
            Problem(
                rel,
                "bestand.codering",
                f"het bestand is geen UTF-8 of Windows-1252 (onleesbaar teken op positie {exc.start})",
            ),
        )


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
    assert text is not None  # decode_text gives the text exactly when it gives no problem
    delimiter = sniff_delimiter(text)
    # A cell longer than max_cell_chars is reported for its own row (cel.te_lang); the csv module's own
    # limit (128 KiB) would reject the whole export, every region with it. The file size bounds a cell.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_file_bytes + 1))
    too_many = Problem(rel, "bestand.te_groot", f"het bestand heeft meer dan {limits.max_export_rows} rijen")
    if (
        text.count("\n") + text.count("\r") - text.count("\r\n") > limits.max_export_rows
        and _count_records(text, delimiter, limits.max_export_rows + 2) > limits.max_export_rows + 1
    ):
        return None, [too_many]  # counted before anything is kept: a long file costs time, not memory
    fast = _read_records(text, delimiter, limits, started)
    if fast == "te_traag":
        return None, [
            Problem(
                rel,
                "bestand.te_traag",
                f"het lezen duurde langer dan {limits.max_seconds_per_file:g} s en is afgebroken",
            )
        ]
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
                return None, [
                    Problem(
                        rel,
                        "bestand.te_traag",
                        f"het lezen duurde langer dan {limits.max_seconds_per_file:g} s en is afgebroken",
                    )
                ]
            if len(rows) > limits.max_export_rows + 1:
                return None, [too_many]
    except csv.Error as exc:
        if str(exc).startswith("unexpected end of data"):
            message = (
                f'een aanhalingsteken (") in rij {line_start} wordt niet gesloten; alles vanaf die rij zou '
                f"één cel worden"
            )
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
    table = _table_from_rows(
        rel, sheet, rows, 1, limits, decimal_comma=(delimiter == ";"), row_numbers=numbers, texts_ready=True
    )
    for n in mixed:
        table.problems.append(
            Problem(
                rel,
                "rij.scheidingsteken",
                f"rij {n} is gescheiden met '{other}', de kopregel met '{delimiter}'; gebruik één scheidingsteken in het "
                f"hele bestand",
                ERROR,
                sheet,
                n,
            )
        )
    return table, table.problems
