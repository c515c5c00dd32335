"""Parsing a sheet into typed values by the codebook: numbers, booleans, dates, codes, text.

Every value that cannot be parsed becomes a problem with its place; personal
fields are dropped and e-mail addresses, phone numbers and BSN-like numbers in
text are redacted. Does not check allowed values, ranges or completeness
(:mod:`pipelines.ingest.validation`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipelines.contract.catalogues import BOOLEAN_WORDS, MULTI_SEPARATOR
from pipelines.contract.codebook import REGION_COLUMN, Module
from pipelines.core.privacy import redact, redact_series
from pipelines.core.problems import ERROR, WARNING, Problem, quote
from pipelines.ingest.readers.limits import DEFAULT_LIMITS, Limits
from pipelines.ingest.readers.tables import INT_RE, SheetTable

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
            return np.nan, (
                f"{quote(text)} is dubbelzinnig: een komma voor drie cijfers is in Engelse schrijfwijze "
                f"een scheiding van duizendtallen, in Nederlandse een decimaalteken; schrijf het getal "
                f"zonder scheidingsteken (bijvoorbeeld 1000)"
            )
        if _NL_GROUPED.match(text):
            return float(text.replace(".", "").replace(",", ".")), None
        if _NL_DECIMAL.match(text):
            return float(text.replace(",", ".")), None
        if _POINT.match(text):
            return np.nan, (
                f"{quote(text)} is dubbelzinnig: in Nederlandse schrijfwijze scheidt een punt "
                f"duizendtallen (1.000), maar hier staan er geen drie cijfers achter; schrijf het getal "
                f"zonder punt (een decimaal getal met een komma)"
            )
        return np.nan, None
    if _DOT_THOUSAND.match(text):
        return np.nan, (
            f"{quote(text)} is dubbelzinnig: in een export met ',' als scheidingsteken is de punt een "
            f"decimaalteken, in Nederlandse schrijfwijze scheidt hij "
            f"duizendtallen; schrijf het getal zonder punt (bijvoorbeeld 1000)"
        )
    if _COMMA_THOUSAND.match(text):
        return np.nan, (
            f"{quote(text)} is dubbelzinnig: een komma kan duizendtallen scheiden (Engels) of een "
            f"decimaalteken zijn (Nederlands); schrijf het getal zonder scheidingsteken"
        )
    return (float(text), None) if NUMBER_RE.match(text) else (np.nan, None)


def read_numbers(values: pd.Series, style: int) -> tuple[pd.Series, pd.Series]:
    """:func:`read_number_text` over distinct values: (numbers, messages; None where not ambiguous)."""
    pairs = [read_number_text(v, style) if isinstance(v, str) else (np.nan, None) for v in values]
    return (
        pd.Series([a for a, _ in pairs], index=values.index, dtype="float64"),
        pd.Series([b for _, b in pairs], index=values.index, dtype="object"),
    )


#: Excel's formula errors. A cell holding one (as an error cell, as the text a formula gave, or typed into an
#: export) is an error of its own: it is never read as empty.
FORMULA_ERRORS = (
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#EXTERNAL!",
    "#PYTHON!",
    "#TIMEOUT!",
)
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


EXPECTED_FORM = {
    "int": "een geheel getal",
    "bool": "ja of nee (ook j/n, yes/no, true/false, 1/0)",
    "date": "een datum als JJJJ-MM-DD of DD-MM-JJJJ",
}


def parse_module(
    table: SheetTable, module: Module, *, region_code: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one sheet by the codebook (see :func:`parse_tables`)."""
    frame, problems = parse_tables([(table, region_code)], module, limits=limits)
    return frame.drop(columns=["_file", "_sheet"]), problems


def _header_map(table: SheetTable, module: Module, region_code: str | None, problems: list[Problem]) -> dict[str, int]:
    """Position of each known column in the sheet; problems for empty, doubled, unknown and missing headers."""

    def problem(rule, message, severity=ERROR, column=None):
        problems.append(
            Problem(table.file, rule, message, severity, table.sheet, 1, column, None, region_code, module.name)
        )

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
            codes, uniques = pd.factorize(
                np.asarray(values, dtype=object) if len(values) else np.array([], dtype=object)
            )
            values = pd.Series(uniques, dtype="object")
        self.codes, self.values = codes, values

    def rows(self, per_value: pd.Series) -> pd.Series:
        """A result per distinct value, spread over the rows."""
        return per_value.take(self.codes).reset_index(drop=True)

    def mask(self, per_value: pd.Series) -> np.ndarray:
        return per_value.to_numpy(dtype=bool, na_value=False)[self.codes]

    def at(self, i: int | np.integer) -> str:  # a row number, also as np.flatnonzero gives it
        return self.values.iat[self.codes[i]]

    def blank_where(self, per_value: pd.Series) -> _Distinct:
        """The same column with the values where ``per_value`` holds replaced by ``""``."""
        values = self.values.where(~per_value.to_numpy(dtype=bool, na_value=False), "")
        return _Distinct(values, self.codes)


def parse_tables(
    tables: list[tuple[SheetTable, str | None]], module: Module, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[pd.DataFrame, list[Problem]]:
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
        else:  # rows of uneven length (not from _table_from_rows): cell by cell
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
            problems.append(
                Problem(
                    files.iloc[i],
                    rule,
                    message(i),
                    ERROR,
                    sheets.iloc[i],
                    int(row_no.iloc[i]),
                    column,
                    None if value is None else redact(str(value))[:200],
                    expected_region.iloc[i] or (region.iloc[i] if region is not None else None),
                    module.name,
                )
            )

    # The region of every row first: a problem in an export's row belongs to that row's region only.
    raw_region = columns[REGION_COLUMN].rows(redact_series(columns[REGION_COLUMN].values.str.strip().str.upper()))
    has_expected = expected_region.notna()
    region = expected_region.where(has_expected, raw_region.replace("", None))
    for name, col in columns.items():
        too_long = col.mask(col.values.str.len() > limits.max_cell_chars)
        if too_long.any():
            report(
                too_long,
                "cel.te_lang",
                name,
                lambda i, col=col: f"de cel heeft {len(col.at(i))} tekens; de grens is {limits.max_cell_chars}",
            )
            columns[name] = col.blank_where(col.values.str.len() > limits.max_cell_chars)

    # Formula errors (#N/A, #DIV/0!, …): an error of their own, and the cell is not read further (so that it is
    # never also reported as not filled in).
    for name, col in list(columns.items()):
        if name == REGION_COLUMN:
            continue
        is_error = col.values.str.strip().str.upper().isin(_FORMULA_ERRORS)
        if is_error.any():
            report(
                col.mask(is_error),
                "cel.formulefout",
                name,
                lambda i, col=col, name=name: (
                    f"formulefout {col.at(i).strip().upper()} in kolom '{name}' rij "
                    f"{int(row_no.iloc[i])}: de formule gaf geen waarde; herstel de "
                    f"formule of vul de waarde zelf in"
                ),
            )
            columns[name] = col.blank_where(is_error)

    wrong = has_expected & (raw_region != "") & (raw_region != expected_region.fillna("").str.upper())
    report(
        wrong,
        "regio.afwijkend",
        REGION_COLUMN,
        lambda i: (
            f"regio_code {quote(raw_region.iloc[i])} wijkt af van de regio in de bestandsnaam "
            f"({expected_region.iloc[i]})"
        ),
    )

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
            value = col.rows(redact_series(value).where(~blank_u, None))
        elif f.kind == "code":
            value = col.rows(redact_series(raw.str.strip().str.lower()).where(~blank_u, None))
        elif f.kind == "codes":  # a code is never personal data; what is typed instead of one may be
            value = col.rows(parse_codes(redact_series(raw)).where(~blank_u, None))
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
            report(
                ambiguous,
                "type.geheel_getal",
                f.name,
                lambda i, why=why: f"{why.iloc[i]}; verwacht {EXPECTED_FORM['int']}",
            )
            # beyond 2**53 a float no longer holds every integer, and beyond 2**63 none fits the column: bad input
            bad = ~blank & ~ambiguous & (number.isna() | (number % 1 != 0) | (number.abs() > 2**53)).to_numpy()
            report(
                bad,
                "type.geheel_getal",
                f.name,
                lambda i, col=col, number=number: _bad_value(col.at(i), number.iloc[i], "int"),
            )
            value = number.where(~(bad | ambiguous)).round().astype("Int64")
        elif f.kind == "bool":
            value = col.rows(parse_bool(raw))
            report(
                ~blank & value.isna().to_numpy(),
                "type.ja_nee",
                f.name,
                lambda i, col=col: _bad_value(col.at(i), None, "bool"),
            )
        elif f.kind == "date":
            value = col.rows(parse_date(raw))
            report(
                ~blank & value.isna().to_numpy(),
                "type.datum",
                f.name,
                lambda i, col=col: _bad_value(col.at(i), None, "date"),
            )
        else:  # pragma: no cover - the codebook refuses unknown kinds
            raise AssertionError(f.kind)
        out[f.name] = value.reset_index(drop=True)
    assert len(out) == n
    return out, problems


def _bad_value(found: str, number, kind: str) -> str:
    extra = f" (gelezen als {number:g})" if number is not None and not pd.isna(number) else ""
    return f"waarde {quote(found)}{extra} is geen geldige invoer; verwacht {EXPECTED_FORM[kind]}"
