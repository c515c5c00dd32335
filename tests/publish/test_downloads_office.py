"""The spreadsheet downloads opened in a real spreadsheet program: LibreOffice Calc, headless, from Debian
(``make office`` installs it; without it these tests fail, they never skip).

LibreOffice opens ``benchmark.xlsx`` and every CSV file for Dutch Excel (``nl/<mart>.csv``) the way Excel set
to Dutch opens it on a double-click: fields split on ``;``, UTF-8, Dutch number words (decimal comma, WAAR and
ONWAAR), numbers and dates recognised wherever a field looks like one. It saves what it read as XLSX, which
openpyxl reads back with the types LibreOffice gave each cell; that must be what the Parquet file holds.
LibreOffice keeps 15 significant digits of a number, as Excel does, so numbers are compared to 1 part in 10^14.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from pipelines.contract.column_labels import LABEL_SUFFIX, labels_for
from pipelines.contract.marts import MART_NAMES, WORKBOOK
from pipelines.publish.downloads import INTRO_SHEET, NL_FOLDER
from pipelines.publish.outputs import export_marts
from pipelines.publish.xlsx_sql import FORMULA_STARTERS
from tests.factories import AWKWARD_REGISTER, awkward_register

pytestmark = pytest.mark.slow  # LibreOffice starts in a few seconds per conversion

#: LibreOffice's CSV import: separator ';' (59), quote '"' (34), UTF-8 (76), from line 1, standard columns,
#: language Dutch (1043), quoted fields not forced to text, special numbers (dates) recognised: a double-click.
DUTCH_CSV_FILTER = "CSV:59,34,76,1,,1043,false,true"
REL = 1e-14


def soffice() -> str:
    path = shutil.which("soffice")
    assert path, "LibreOffice ontbreekt: installeer het met `make office` (Debian: libreoffice-calc-nogui)"
    return path


def open_in_libreoffice(files: list[Path], out: Path, profile: Path, infilter: str | None = None) -> list[Path]:
    """Open ``files`` in LibreOffice and save what it read as XLSX in ``out`` (its own user profile)."""
    out.mkdir(parents=True, exist_ok=True)
    args = [soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}"]
    if infilter:
        args.append(f"--infilter={infilter}")
    proc = subprocess.run(
        [*args, "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    converted = [out / f"{f.stem}.xlsx" for f in files]
    missing = [p.name for p in converted if not p.is_file()]
    assert proc.returncode == 0 and not missing, (missing, proc.stdout[-2000:], proc.stderr[-2000:])
    return converted


def sheet_rows(path: Path, sheet: str | None = None) -> list[tuple]:
    """The values LibreOffice saved (it saves a boolean as the formula TRUE() with its value)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def parquet_columns(path: Path) -> dict[str, list]:
    return pq.read_table(path).to_pydict()


def _number(read, expected: float) -> bool:
    return isinstance(read, (int, float)) and not isinstance(read, bool) and math.isclose(read, expected, rel_tol=REL)


def same_cell(read, expected, *, csv: bool) -> bool:
    """Is ``read`` (what LibreOffice made of a cell) the Parquet value ``expected``?"""
    if expected is None or (isinstance(expected, float) and not math.isfinite(expected)) or expected == "":
        return read is None or read == ""
    if isinstance(expected, bool):
        return read is expected
    if isinstance(expected, (int, float)):
        return _number(read, expected)
    text = str(expected)
    if csv and text.startswith(FORMULA_STARTERS):
        text = "'" + text  # the guard of the CSV files
    if read == text:
        return True
    # As Excel does on a double-click, a text that is a whole number or an ISO date is read as one.
    if csv and re.fullmatch(r"-?\d{1,15}", text):
        return _number(read, float(text))
    if csv and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and isinstance(read, dt.datetime):
        return read.date() == dt.date.fromisoformat(text)
    # a Dutch date written as text (a value quoted in a problem) is read as that date, as Excel reads it too
    if csv and re.fullmatch(r"\d{2}-\d{2}-\d{4}", text) and isinstance(read, dt.datetime):
        return read.date() == dt.datetime.strptime(text, "%d-%m-%Y").date()
    return False


def assert_holds_the_parquet(rows: list[tuple], parquet: dict[str, list], mart: str, *, csv: bool) -> None:
    """The sheet read back has the Parquet's columns with their values, each code's label beside it."""
    header, body = list(rows[0]), rows[1:]
    plain = [h for h in header if not (h.endswith(LABEL_SUFFIX) and h not in parquet)]
    assert plain == list(parquet), mart
    assert len(body) == len(next(iter(parquet.values()), [])), mart
    for name in header:
        j = header.index(name)
        if name in parquet:
            values = parquet[name]
        else:  # a label: the contract's words for the code beside it
            code = name[: -len(LABEL_SUFFIX)]
            group = labels_for(mart, code)
            assert group is not None and header[j - 1] == code, (mart, name)
            values = [None if v is None else group.label(str(v)) for v in parquet[code]]
        wrong = [
            (i + 2, row[j], v) for i, (row, v) in enumerate(zip(body, values)) if not same_cell(row[j], v, csv=csv)
        ]
        assert not wrong, (mart, name, wrong[:5])


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    """The awkward register published, and opened by LibreOffice: the workbook and the Dutch CSV."""
    folder = tmp_path_factory.mktemp("awkward")
    (folder / "marts").mkdir()
    con = duckdb.connect()
    export_marts(con, awkward_register(con), folder / "marts")
    con.close()
    profile = folder / "profile"
    book = open_in_libreoffice([folder / "marts" / WORKBOOK], folder / "book", profile)[0]
    csv = open_in_libreoffice(
        [folder / "marts" / NL_FOLDER / "variation_register.csv"], folder / "csv", profile, DUTCH_CSV_FILTER
    )[0]
    return folder / "marts", book, csv


def test_libreoffice_reads_the_awkward_values_of_the_dutch_csv_as_the_parquet_holds_them(awkward):
    marts, _, csv = awkward
    rows = sheet_rows(csv)
    assert_holds_the_parquet(
        rows, parquet_columns(marts / "variation_register.parquet"), "variation_register", csv=True
    )
    by_name = dict(zip(rows[0], rows[1]))
    assert by_name["region_name"] == "Fryslân" and by_name["value"] == pytest.approx(1 / 3, rel=REL)
    assert by_name["window_waves"] == "2019, 2020"  # not the number 2019,202
    assert by_name["explanation"] == AWKWARD_REGISTER[0][7]  # ';', quotes and a line break inside
    assert dict(zip(rows[0], rows[2]))["p_unfavourable"] == pytest.approx(1e-08, rel=REL)


def test_libreoffice_reads_the_awkward_values_of_the_workbook_as_the_parquet_holds_them(awkward):
    marts, book, _ = awkward
    rows = sheet_rows(book, "variation_register")
    assert_holds_the_parquet(
        rows, parquet_columns(marts / "variation_register.parquet"), "variation_register", csv=False
    )
    assert dict(zip(rows[0], rows[2]))["region_name"] == "=1+1"  # text, exactly: never a formula


def test_libreoffice_keeps_the_workbooks_filters_widths_and_rounded_formats(awkward):
    _, book, _ = awkward
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == INTRO_SHEET
    ws = wb["variation_register"]
    assert ws.auto_filter.ref == "A1:N4"
    header = [c.value for c in ws[1]]
    formats = {h: c.number_format for h, c in zip(header, ws[2])}
    assert formats["value"] == "0.000" and formats["p_unfavourable"] == "0.0000"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["J"] > widths["A"] > 0  # the explanation wider than the year


def test_libreoffice_reads_every_published_file_as_the_parquet_holds_it(shipped_run, tmp_path):
    """The shipped sample's publication: the workbook's sheets and every Dutch CSV file."""
    marts = shipped_run.marts
    profile = tmp_path / "profile"
    book = open_in_libreoffice([marts / WORKBOOK], tmp_path / "book", profile)[0]
    csvs = open_in_libreoffice(
        [marts / NL_FOLDER / f"{m}.csv" for m in MART_NAMES], tmp_path / "csv", profile, DUTCH_CSV_FILTER
    )
    wb = openpyxl.load_workbook(book, read_only=True)
    assert wb.sheetnames == [INTRO_SHEET, *MART_NAMES]
    wb.close()
    names = set()
    for mart, csv in zip(MART_NAMES, csvs):
        parquet = parquet_columns(marts / f"{mart}.parquet")
        assert_holds_the_parquet(sheet_rows(book, mart), parquet, mart, csv=False)
        assert_holds_the_parquet(sheet_rows(csv), parquet, mart, csv=True)
        names |= set(parquet.get("region_name", []))
        for column, values in parquet.items():
            group = labels_for(mart, column)
            if group is not None:  # every code published has words of its own in the contract
                codes = {c for v in values if v is not None for c in str(v).split(group.separator or "\0")}
                assert codes <= set(group.words), (mart, column, codes - set(group.words))
    assert "Fryslân" in names  # diacritics intact (checked cell by cell above)
