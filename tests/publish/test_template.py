"""The region's template (issue 20.1): built from the codebook, read by the pipeline's own reader.

Every expectation here is derived from the codebook, the catalogues and regions.csv, never written out.
The round trip through LibreOffice is in tests/publish/test_template_roundtrip.py.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import INSTRUCTION_SHEET, MODULES, REGION_COLUMN
from pipelines.contract.reference import load_regions
from pipelines.ingest.readers import parse_module, read_workbook
from pipelines.publish import template
from pipelines.publish.template_guide import (
    BOOL_LIST,
    NO,
    REGION_LIST,
    YES,
    carried_modules,
    list_key,
    list_name,
    sheet_columns,
)
from tests.support import ROOT

REGIONS = load_regions(ROOT / "data" / "reference")
REGION = REGIONS[0]
WAVE = 2026
#: Passed by the app from the validation's rules; the CLI test checks it is those rules.
WAVE_DATES = (("oefeningen", "datum"),)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = template.write_template(tmp_path_factory.mktemp("tpl"), REGION, WAVE, REGIONS, wave_dates=WAVE_DATES)
    return path, openpyxl.load_workbook(path)


def _validations(ws) -> dict[str, object]:
    """The data validation of each column, keyed by column letter (each covers one column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        first_col, _, last_col, _ = range_boundaries(str(dv.sqref))
        assert first_col == last_col, str(dv.sqref)
        letter = get_column_letter(first_col)
        assert letter not in out, f"two validations on column {letter} of {ws.title}"
        out[letter] = dv
    return out


def _list_values(wb, name: str) -> list[str]:
    """The cells a defined name points at."""
    ((sheet, cells),) = wb.defined_names[name].destinations
    ws = wb[sheet]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_the_name_starts_with_the_region_code_and_ends_with_the_wave(book):
    path, _ = book
    assert path.name == f"{REGION.code}_groningen_{WAVE}.xlsx"


def test_instructions_first_then_one_sheet_per_module_with_the_codebook_header(book):
    _, wb = book
    assert wb.sheetnames == [INSTRUCTION_SHEET, *MODULES]
    assert any(f.personal for m in MODULES.values() for f in m.fields), "the check below can fail"
    for module in MODULES.values():
        ws = wb[module.name]
        header = [c.value for c in ws[1]]
        assert header == sheet_columns(module)
        assert set(header) == {f.name for f in module.fields if not f.personal} | (
            {REGION_COLUMN} if module.rows != "many" else set()
        )
        assert not set(header) & {f.name for f in module.fields if f.personal}


def test_the_header_row_is_locked_and_every_cell_below_is_open(book):
    _, wb = book
    for module in MODULES.values():
        ws = wb[module.name]
        assert ws.protection.sheet and not ws.protection.password
        assert not ws.protection.insertRows and not ws.protection.deleteRows  # allowed: a region adds exercises
        for j, name in enumerate(sheet_columns(module), start=1):
            assert ws.cell(1, j).protection.locked, (module.name, name)
            assert ws.column_dimensions[get_column_letter(j)].protection.locked is False, (module.name, name)
            for i in range(2, ws.max_row + 1):
                assert ws.cell(i, j).protection.locked is False, (module.name, name, i)


def test_every_code_field_has_a_drop_down_of_its_list(book):
    _, wb = book
    seen = set()
    for module in MODULES.values():
        ws = wb[module.name]
        dvs = _validations(ws)
        last = ws.max_row if module.rows != "many" else 1 + template.MANY_ROWS
        for j, name in enumerate(sheet_columns(module), start=1):
            letter = get_column_letter(j)
            dv = dvs[letter]
            assert range_boundaries(str(dv.sqref)) == (j, 2, j, last) and dv.showInputMessage and dv.prompt
            if name == REGION_COLUMN:
                assert dv.type == "list" and dv.formula1 == f'"{REGION.code}"'
                continue
            f = module.field(name)
            assert f.description[1:] in dv.prompt and ("Verplicht" in dv.prompt) == (
                f.required and name not in module.grid
            )
            key = list_key(f)
            if key is None:
                assert dv.type != "list"
                continue
            assert dv.type == "list" and dv.formula1 == list_name(key), (module.name, name)
            assert dv.showErrorMessage == (f.kind != "codes")  # several codes with '|' are not one list item
            expected = {BOOL_LIST: [YES, NO], REGION_LIST: [r.code for r in REGIONS]}.get(key) or list(
                CATALOGUES[key].codes
            )
            assert _list_values(wb, dv.formula1) == expected
            seen.add(f.kind)
    assert seen == {"code", "codes", "bool", "region"}


def test_numbers_are_checked_against_their_bounds_and_dates_against_the_wave(book):
    _, wb = book
    epoch = dt.date(1899, 12, 30)
    n_ints = n_wave_dates = 0
    for module in MODULES.values():
        dvs = _validations(wb[module.name])
        for j, name in enumerate(sheet_columns(module), start=1):
            if name == REGION_COLUMN:
                continue
            f, dv = module.field(name), dvs[get_column_letter(j)]
            if f.kind == "int":
                n_ints += 1
                assert dv.type == "whole" and dv.showErrorMessage
                bounds = [int(x) for x in (dv.formula1, dv.formula2) if x is not None]
                if f.min is not None and f.max is not None:
                    assert dv.operator == "between" and bounds == [f.min, f.max]
                elif f.min is not None:
                    assert dv.operator == "greaterThanOrEqual" and bounds == [f.min]
            elif f.kind == "date":
                assert dv.type == "date" and dv.operator == "between"
                first, last = (epoch + dt.timedelta(days=int(x)) for x in (dv.formula1, dv.formula2))
                if (module.name, name) in WAVE_DATES:
                    n_wave_dates += 1
                    assert (first, last) == (dt.date(WAVE, 1, 1), dt.date(WAVE, 12, 31))
                else:
                    assert (first, last) == template.ANY_DATE
    assert n_ints >= 5 and n_wave_dates == len(WAVE_DATES)


def test_the_grids_and_the_single_rows_are_written_with_the_region_code(book):
    _, wb = book
    for module in MODULES.values():
        ws = wb[module.name]
        header = [c.value for c in ws[1]]
        rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
        if module.rows == "many":
            assert rows == []
            continue
        assert {r[REGION_COLUMN] for r in rows} == {REGION.code}
        if module.rows == "one":
            assert len(rows) == 1 and all(v is None for k, v in rows[0].items() if k != REGION_COLUMN)
        else:
            assert [tuple(r[g] for g in module.grid) for r in rows] == module.expected_grid()
            assert all(r[k] is None for r in rows for k in r if k not in (REGION_COLUMN, *module.grid))


def test_the_instructions_name_the_region_and_the_wave_and_explain_every_code(book):
    _, wb = book
    cells = [c.value for row in wb[INSTRUCTION_SHEET].iter_rows() for c in row if c.value is not None]
    assert REGION.code in cells and REGION.name in cells and WAVE in cells
    for catalogue in CATALOGUES.values():
        for code in catalogue.codes:
            if catalogue.label(code) != code:
                assert catalogue.label(code) in cells, (catalogue.name, code)
    assert wb[INSTRUCTION_SHEET].protection.sheet


def test_the_reader_reads_the_template_as_an_empty_return(book):
    """The pipeline's reader: every module read, the instruction sheet skipped without a word."""
    path, _ = book
    tables, problems = read_workbook(path, f"{WAVE}/{path.name}")
    assert set(tables) == set(MODULES)
    assert problems == []
    for name, table in tables.items():
        frame, found = parse_module(table, MODULES[name], region_code=REGION.code)
        assert found == [] and table.problems == []
        assert len(frame) == len(template.template_rows(MODULES[name], REGION.code))


def _parsed(path, code, modules):
    tables, _ = read_workbook(path, path.name)
    out = {}
    for name in modules:
        frame, _ = parse_module(tables[name], MODULES[name], region_code=code)
        fields = [f.name for f in MODULES[name].stored_fields]
        grid = list(MODULES[name].grid)
        frame = frame.sort_values(grid) if grid else frame
        out[name] = frame[fields].astype(object).where(frame[fields].notna(), None).to_dict("records")
    return out


@pytest.mark.parametrize(("wave", "code"), [(2025, "VR13"), (2021, "VR21"), (2020, "VR05")])
def test_prefill_copies_the_answers_that_carry_over_and_nothing_else(tmp_path, wave, code):
    """From a workbook (2025, and VR21's workbook beside the 2021 exports) and from exports (2020)."""
    from pipelines.app.templates import previous_answers

    raw = ROOT / "data" / "raw"
    codes = [r.code for r in REGIONS]
    answers, notes = previous_answers(raw, wave, codes, only=[code])
    assert notes == [] and set(answers) == {code}
    region = next(r for r in REGIONS if r.code == code)
    path = template.write_template(
        tmp_path, region, WAVE, REGIONS, wave_dates=WAVE_DATES, previous=answers[code], previous_wave=wave
    )
    carried = carried_modules()
    assert set(carried) == {m.name for m in MODULES.values() if m.rows != "many"} - {"meta"}
    got = _parsed(path, code, MODULES)
    workbook = next(iter((raw / str(wave)).glob(f"{code}_*.xlsx")), None)
    if workbook is not None:
        expected = _parsed(workbook, code, carried)
    else:
        expected = {m: sorted(answers[code][m], key=lambda r: [r[g] for g in MODULES[m].grid]) for m in carried}
    assert expected and all(expected[m] for m in carried)
    for name in carried:
        assert got[name] == expected[name], name
    assert got["oefeningen"] == [] and got["lessen"] == []
    assert [r["datum_ingevuld"] for r in got["meta"]] == [None]


def test_a_carried_value_that_is_no_longer_valid_is_left_empty():
    risk, equipment, lessons = MODULES["risico"], MODULES["middelen"], MODULES["lessen"]
    codes = [r.code for r in REGIONS]
    assert template.carried_value(risk.field("methode"), "nctv_dreigingsbeeld", codes) == "nctv_dreigingsbeeld"
    assert template.carried_value(risk.field("methode"), "orakel", codes) is None
    assert template.carried_value(risk.field("kans_score"), 9, codes) is None
    assert template.carried_value(risk.field("kans_score"), 4.0, codes) == 4
    assert template.carried_value(risk.field("onderbouwing_aanwezig"), False, codes) == NO
    assert template.carried_value(equipment.field("aantal"), float("nan"), codes) is None
    assert template.carried_value(lessons.field("overgenomen_van"), "VR99", codes) is None
    rows = template.template_rows(
        risk, REGION.code, [{"methode": "orakel", "kans_score": 3, "toelichting": "zie plan"}], codes
    )
    assert rows == [
        {REGION_COLUMN: REGION.code, **{f.name: None for f in risk.stored_fields}}
        | {"kans_score": 3, "toelichting": "zie plan"}
    ]
