"""Reading returns: workbooks and survey-tool exports into typed tables.

Two steps, both driven by :mod:`pipelines.lib.codebook`:

1. :func:`read_workbook` / :func:`read_export` turn a file into
   :class:`SheetTable` objects: normalised header names and rows of text, each
   with the row number the person sees in Excel or a text editor. Files that
   cannot be read at all give a :class:`~pipelines.lib.problems.Problem`, not
   an exception.
2. :func:`parse_module` turns a sheet into a pandas DataFrame with one column
   per codebook field (Dutch names), typed values, and the columns ``_row``
   (row number) and ``regio_code``. Every value that cannot be parsed becomes a
   problem naming the file, sheet, row, column, value and the expected form;
   all of them are reported, not only the first.

Names and e-mail addresses (fields marked ``personal``) are dropped here and
never leave this module. E-mail addresses typed into free text are replaced by
a marker for the same reason.

Rules about allowed values (catalogues, ranges, completeness, keys) are not
checked here: that is validation's job (:mod:`pipelines.lib.validation`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.codebook import (
    BOOLEAN_WORDS,
    CATALOGUES,
    MODULES,
    MULTI_SEPARATOR,
    REGION_COLUMN,
    Module,
)
from pipelines.lib.problems import ERROR, WARNING, Problem, quote


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost; beyond them the file is rejected."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024  # xlsx is a zip: guards against decompression bombs
    max_compression_ratio: int = 200
    max_sheet_rows: int = 20_000  # one region's sheet
    max_export_rows: int = 2_000_000  # all regions in one export file
    max_cell_chars: int = 32_767  # Excel's own limit for a cell


DEFAULT_LIMITS = Limits()

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
EMAIL_MARK = "[e-mailadres verwijderd]"


@dataclass
class SheetTable:
    """A sheet (or a CSV file) as text: normalised header, rows, row numbers."""

    file: str
    sheet: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    decimal_comma: bool = False
    problems: list[Problem] = field(default_factory=list)


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
                     decimal_comma: bool = False, row_numbers=None) -> SheetTable:
    """Header from the first row; drop empty rows; keep row numbers."""
    table = SheetTable(file, sheet, [], [], [], decimal_comma)
    it = iter(raw_rows)
    try:
        header_cells = next(it)
    except StopIteration:
        table.problems.append(Problem(file, "blad.leeg", "het blad is leeg: de kopregel (rij 1) ontbreekt", sheet=sheet, row=1))
        return table
    table.header = [normalise_header(h) for h in header_cells]
    n = len(table.header)
    for i, cells in enumerate(it):
        number = row_numbers[i + 1] if row_numbers is not None else first_row_number + 1 + i
        texts = [cell_text(c) for c in cells]
        if not any(t.strip() for t in texts):
            continue
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


# ---------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------


def check_zip(path: Path, rel: str, limits: Limits) -> Problem | None:
    """An xlsx is a zip archive: refuse broken archives and decompression bombs before opening."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return Problem(rel, "bestand.onleesbaar", f"geen geldig Excel-werkboek (.xlsx): {type(exc).__name__}")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > limits.max_unpacked_bytes or unpacked / packed > limits.max_compression_ratio and unpacked > 10 * 1024 * 1024:
        return Problem(rel, "bestand.te_groot",
            f"het werkboek pakt uit tot {unpacked / 1024 / 1024:.0f} MB; de grens is {limits.max_unpacked_bytes / 1024 / 1024:.0f} MB")
    return None


def read_workbook(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, SheetTable], list[Problem]]:
    """All module sheets of a workbook, keyed by module name, and file-level problems.

    Sheets that are not a module are reported as a warning and ignored.
    """
    from python_calamine import CalamineWorkbook  # fast reader; only needed here

    problems: list[Problem] = []
    if (p := check_zip(path, rel, limits)) is not None:
        return {}, [p]
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        return {}, [Problem(rel, "bestand.onleesbaar", f"het werkboek kan niet worden geopend: {type(exc).__name__}")]
    tables: dict[str, SheetTable] = {}
    for sheet_name in wb.sheet_names:
        module = sheet_name.strip().lower()
        if module not in MODULES:
            problems.append(Problem(rel, "blad.onbekend", f"blad {quote(sheet_name)} hoort niet bij de uitvraag en is genegeerd",
                                    WARNING, sheet_name))
            continue
        if module in tables:
            problems.append(Problem(rel, "blad.dubbel", f"de module '{module}' staat twee keer in het werkboek", sheet=sheet_name))
            continue
        try:
            sheet = wb.get_sheet_by_name(sheet_name)
            if sheet.height > limits.max_sheet_rows + 1:
                problems.append(Problem(rel, "blad.te_groot",
                    f"het blad heeft {sheet.height} rijen; de grens is {limits.max_sheet_rows}", sheet=sheet_name, module=module))
                continue
            raw = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            problems.append(Problem(rel, "blad.onleesbaar", f"het blad kan niet worden gelezen: {type(exc).__name__}",
                                    sheet=sheet_name, module=module))
            continue
        tables[module] = _table_from_rows(rel, sheet_name, raw, 1, limits)
    return tables, problems


# ---------------------------------------------------------------------------
# CSV exports
# ---------------------------------------------------------------------------


def decode_text(data: bytes, rel: str) -> tuple[str | None, str | None, Problem | None]:
    """Decode an export: UTF-8 (with or without BOM) or Windows-1252; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data[1:2] == b"\x00"):
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


def read_export(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> tuple[SheetTable | None, list[Problem]]:
    """A survey-tool export (all regions of one module) as a table."""
    data = path.read_bytes()
    text, _encoding, problem = decode_text(data, rel)
    if problem:
        return None, [problem]
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, numbers = [], []
    try:
        line_start = 1
        for cells in reader:
            rows.append(cells)
            numbers.append(line_start)
            line_start = reader.line_num + 1
            if len(rows) > limits.max_export_rows + 1:
                return None, [Problem(rel, "bestand.te_groot",
                    f"het bestand heeft meer dan {limits.max_export_rows} rijen")]
    except csv.Error as exc:
        return None, [Problem(rel, "bestand.csv", f"het CSV-bestand is niet goed opgebouwd ({exc})", row=reader.line_num)]
    sheet = path.stem
    table = _table_from_rows(rel, sheet, rows, 1, limits, decimal_comma=(delimiter == ";"), row_numbers=numbers)
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
    return values.str.replace(EMAIL_RE, EMAIL_MARK, regex=True)


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
    records: list[list[str]] = []
    rows_meta: list[tuple[int, str, str, str | None, bool]] = []
    for table, region_code in tables:
        positions = _header_map(table, module, region_code, problems)
        idx = [positions.get(n, -1) for n in names]
        for r, number in zip(table.rows, table.row_numbers):
            records.append([r[i] if i >= 0 else "" for i in idx])
            rows_meta.append((number, table.file, table.sheet, region_code, table.decimal_comma))
    n = len(records)
    columns = {name: pd.Series([rec[j] for rec in records], dtype="object") for j, name in enumerate(names)}
    meta = list(zip(*rows_meta)) if rows_meta else [[], [], [], [], []]
    row_no = pd.Series(meta[0], dtype="int64")
    files = pd.Series(meta[1], dtype="object")
    sheets = pd.Series(meta[2], dtype="object")
    expected_region = pd.Series(meta[3], dtype="object")
    decimal_comma = pd.Series(meta[4], dtype="bool")

    def report(mask: pd.Series, rule: str, column: str | None, message) -> None:
        """A problem per row where ``mask`` holds; ``message(i)`` words it."""
        for i in np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False)):
            value = columns[column].iloc[i] if column in columns else None
            problems.append(Problem(files.iloc[i], rule, message(i), ERROR, sheets.iloc[i], int(row_no.iloc[i]), column,
                                    None if value is None else str(value)[:200],
                                    expected_region.iloc[i] or (region.iloc[i] if region is not None else None),
                                    module.name))

    region = None
    for name, s in columns.items():
        too_long = s.str.len() > limits.max_cell_chars
        if too_long.any():
            report(too_long, "cel.te_lang", name,
                   lambda i, s=s: f"de cel heeft {len(s.iloc[i])} tekens; de grens is {limits.max_cell_chars}")
            columns[name] = s.where(~too_long, "")

    raw_region = columns[REGION_COLUMN].str.strip().str.upper()
    has_expected = expected_region.notna()
    wrong = has_expected & (raw_region != "") & (raw_region != expected_region.fillna("").str.upper())
    report(wrong, "regio.afwijkend", REGION_COLUMN,
           lambda i: f"regio_code {quote(raw_region.iloc[i])} wijkt af van de regio in de bestandsnaam "
                     f"({expected_region.iloc[i]})")
    region = expected_region.where(has_expected, raw_region.replace("", None))

    out = pd.DataFrame({"_row": row_no, REGION_COLUMN: region, "_file": files, "_sheet": sheets})
    for f in module.fields:
        if f.personal:
            continue  # names, addresses, roles of the respondent: never read further
        raw = columns[f.name]
        blank = raw.str.strip() == ""
        if f.kind in ("text", "region", "freetext"):
            value = raw.str.strip()
            if f.kind == "region":
                value = value.str.upper()
            value = redact_emails(value).where(~blank, None)
        elif f.kind == "code":
            value = raw.str.strip().str.lower().where(~blank, None)
        elif f.kind == "codes":
            value = parse_codes(raw).where(~blank, None)
        elif f.kind == "int":
            number = parse_number(raw, False)
            if decimal_comma.any():
                number = number.where(~decimal_comma, parse_number(raw, True))
            bad = ~blank & (number.isna() | (number % 1 != 0))
            report(bad, "type.geheel_getal", f.name, lambda i, raw=raw, number=number: _bad_value(
                raw.iloc[i], number.iloc[i], "int"))
            value = number.where(~bad).round().astype("Int64")
        elif f.kind == "bool":
            value = parse_bool(raw)
            report(~blank & value.isna(), "type.ja_nee", f.name, lambda i, raw=raw: _bad_value(raw.iloc[i], None, "bool"))
        elif f.kind == "date":
            value = parse_date(raw)
            report(~blank & value.isna(), "type.datum", f.name, lambda i, raw=raw: _bad_value(raw.iloc[i], None, "date"))
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
