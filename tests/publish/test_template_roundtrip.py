"""The template's round trip (issue 20.1): filled in, re-saved by LibreOffice Calc, passed by `regiobench validate`.

LibreOffice (Debian's libreoffice-calc-nogui; `make office` installs it) must be there: without it this
test fails rather than skips, since the round trip through a real spreadsheet program is the point. Each
conversion has its own LibreOffice user profile, so parallel runs do not share a lock.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipelines.app import cli
from pipelines.contract.catalogues import CATALOGUES, MULTI_SEPARATOR
from pipelines.contract.codebook import MODULES, REGION_COLUMN, Field
from pipelines.contract.reference import load_regions
from pipelines.ingest.validation import CONDITIONAL_RULES, validate_paths
from pipelines.publish import template
from pipelines.publish.template_guide import YES
from tests.support import ROOT, gx

REGIONS = load_regions(ROOT / "data" / "reference")
REGION, OTHER = REGIONS[0], REGIONS[1]
WAVE = 2026
pytestmark = gx


def _soffice() -> str:
    found = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
    if found is None:
        pytest.fail("LibreOffice (soffice) ontbreekt: installeer libreoffice-calc-nogui (make office)")
    return found


def resave_with_libreoffice(path: Path, tmp_path: Path) -> Path:
    """``path`` opened and saved as xlsx again by LibreOffice Calc, headless; the new file."""
    out = tmp_path / "libreoffice"
    out.mkdir()
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [
            _soffice(),
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = out / path.name
    assert proc.returncode == 0 and result.is_file(), proc.stdout + proc.stderr
    return result


def _value(f: Field, i: int):
    """A valid value of a field for the i-th row a test fills in."""
    if f.kind == "code":
        codes = CATALOGUES[str(f.catalogue)].codes
        return codes[i % len(codes)]
    if f.kind == "codes":
        return MULTI_SEPARATOR.join(CATALOGUES[str(f.catalogue)].codes[:2])
    if f.kind == "bool":
        return YES if i % 2 == 0 else "nee"
    if f.kind == "int":
        return f.min if f.min is not None else (f.max if f.max is not None else 3)
    if f.kind == "date":
        return dt.date(WAVE, 3, 1 + i % 28)
    if f.kind == "region":
        return OTHER.code
    return f"{f.name} {i + 1}"


def fill(path: Path, n_many: int = 2) -> Path:
    """Fill every open cell of the template, and ``n_many`` rows of each 'many' sheet, with valid values."""
    wb = openpyxl.load_workbook(path)
    for module in MODULES.values():
        ws = wb[module.name]
        header = [c.value for c in ws[1]]
        n = ws.max_row - 1 if module.rows != "many" else n_many
        for i in range(n):
            for j, name in enumerate(header, start=1):
                cell = ws.cell(2 + i, j)
                if cell.value is None and name != REGION_COLUMN:
                    cell.value = _value(module.field(name), i)
    lessons, exercises = wb["lessen"], wb["oefeningen"]
    column = [c.value for c in lessons[1]].index("bron_oefening_id") + 1
    for i in range(n_many):  # a lesson from an exercise names one of the region's exercises
        lessons.cell(2 + i, column).value = exercises.cell(2, 1).value
    wb.save(path)
    return path


def _template(tmp_path: Path) -> Path:
    folder = tmp_path / str(WAVE)
    folder.mkdir()
    assert cli.main(["template", "--wave", str(WAVE), "--region", REGION.code, "--out", str(folder)]) == 0
    (path,) = folder.iterdir()
    return path


def test_filled_template_resaved_by_libreoffice_passes_validate(tmp_path, capsys):
    path = fill(_template(tmp_path))
    resaved = resave_with_libreoffice(path, tmp_path)
    target = tmp_path / "aanlevering" / str(WAVE) / path.name
    target.parent.mkdir(parents=True)
    shutil.copy(resaved, target)
    capsys.readouterr()
    code = cli.main(["validate", str(target)])
    out = capsys.readouterr().out
    assert code == 0 and "0 fout(en)" in out, out
    problems = validate_paths([target], ROOT / "data" / "reference")
    assert problems == []  # not even a warning: the reader skips the instruction sheet
    # LibreOffice kept what helps the region: the drop-downs and checks, and the locked header.
    wb = openpyxl.load_workbook(target)
    for module in MODULES.values():
        ws = wb[module.name]
        assert ws.protection.sheet and ws.cell(1, 1).protection.locked
        kinds = [dv.type for dv in ws.data_validations.dataValidation]
        assert kinds.count("list") == sum(
            f.kind in ("code", "codes", "bool", "region") for f in module.stored_fields
        ) + (module.rows != "many")


def test_the_wave_dates_of_the_template_are_the_validation_rules(tmp_path):
    wb = openpyxl.load_workbook(_template(tmp_path))
    found = set()
    for module in MODULES.values():
        header = [c.value for c in wb[module.name][1]]
        for dv in wb[module.name].data_validations.dataValidation:
            name = header[openpyxl.utils.cell.range_boundaries(str(dv.sqref))[0] - 1]
            if (
                dv.type == "date"
                and int(dv.formula1) > 0
                and (dv.formula1, dv.formula2)
                == (
                    str((dt.date(WAVE, 1, 1) - dt.date(1899, 12, 30)).days),
                    str((dt.date(WAVE, 12, 31) - dt.date(1899, 12, 30)).days),
                )
            ):
                found.add((module.name, name))
    assert found == set(CONDITIONAL_RULES.in_wave_year) != set()


def test_empty_template_fails_with_one_message_per_required_field(tmp_path):
    path = _template(tmp_path)
    problems = validate_paths([path], ROOT / "data" / "reference")
    errors = [p for p in problems if p.is_error]
    expected = {
        (module.name, row, f.name)
        for module in MODULES.values()
        for row in range(2, 2 + len(template.template_rows(module, REGION.code)))
        for f in module.stored_fields
        if f.required and f.name not in module.grid
    }
    assert len(expected) > len(MODULES)
    assert len(errors) == len(expected)
    assert {(p.sheet, p.row, p.column) for p in errors} == expected
    assert {p.rule for p in errors} == {"verplicht"}
    assert all(f"'{p.column}'" in p.message and "niet ingevuld" in p.message for p in errors)
    assert [p for p in problems if not p.is_error] == []
