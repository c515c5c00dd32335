"""Returns as Dutch users make them (issue 15): thousands typed as ``1.000``, formula errors, workbooks that are
encrypted, empty, in the old .xls format or cut short, and module sheets under a near-miss name.

Each case is read directly (the reader's answer) and, once per point, loaded through the ingest on top of a
loaded wave: a rejected module keeps its earlier rows (``earlier_data_in_use``) and the reason is in
``stg_problems``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import sample
from pipelines.contract.codebook import MODULES
from pipelines.ingest.loader import ingest_wave
from pipelines.ingest.readers import (
    DUTCH,
    ENGLISH,
    FORMULA_ERRORS,
    near_miss_module,
    parse_tables,
    read_export,
    read_number_text,
    read_workbook,
)
from pipelines.ingest.warehouse import ensure_schema
from tests.ingest.corpus import col_of, compound_file, write_plain
from tests.support import gx, read_sheets

SEED = 5
WAVE = 2024
CLASSIC_ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]  # xlsxwriter types these t="e"
NEW_ERRORS = ["#SPILL!", "#CALC!", "#GETTING_DATA"]  # xlsxwriter writes these as formula text (t="str")
RISICO = [
    "regio_code",
    "methode",
    "kans_score",
    "impact_score",
    "extra_voorbereiding",
    "onderbouwing_aanwezig",
    "bestuurlijk_vastgesteld",
    "datum_vastgesteld",
    "hoogrisico_objecten",
    "grootschalige_evenementen",
]


# ---------------------------------------------------------------------------- 1. numbers


@pytest.mark.parametrize(
    "text,dutch,english",
    [
        ("1000", 1000, 1000),
        ("1.000", 1000, "dubbelzinnig"),
        ("12.345.678", 12345678, "dubbelzinnig"),
        ("1.000,5", 1000.5, None),
        ("-1.000", -1000, "dubbelzinnig"),
        ("1,5", 1.5, None),
        ("12,0", 12, None),
        ("1,000", "dubbelzinnig", "dubbelzinnig"),
        ("12,345,678", "dubbelzinnig", "dubbelzinnig"),
        ("1,000.5", "dubbelzinnig", "dubbelzinnig"),
        ("1.5", "dubbelzinnig", 1.5),
        ("3.0", "dubbelzinnig", 3),
        ("1.0000", "dubbelzinnig", 1),
        ("veel", None, None),
    ],
)
def test_number_notation_rules(text, dutch, english):
    """Dutch notation (workbook text cells, ';' exports) and the ',' export's: read, refused as ambiguous
    (with a message saying so), or not a number at all (None)."""
    for style, want in ((DUTCH, dutch), (ENGLISH, english)):
        value, why = read_number_text(text, style)
        if want == "dubbelzinnig":
            assert pd.isna(value) and why and "dubbelzinnig" in why and text in why, (style, value, why)
        elif want is None:
            assert pd.isna(value) and why is None, (style, value, why)
        else:
            assert value == want and why is None, (style, value, why)


def _risico_row(**values) -> list[str]:
    row = dict(
        regio_code="VR01",
        methode="geen",
        kans_score="2",
        impact_score="3",
        extra_voorbereiding="nee",
        onderbouwing_aanwezig="ja",
        bestuurlijk_vastgesteld="nee",
        datum_vastgesteld="",
        hoogrisico_objecten="0",
        grootschalige_evenementen="1",
    )
    row.update(values)
    return [row[h] for h in RISICO]


def _export(path: Path, rows: list[list[str]], delimiter: str) -> Path:
    import csv
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(RISICO)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _parsed(table, region=None):
    frame, problems = parse_tables([(table, region)], MODULES["risico"])
    return frame, [p for p in problems if p.is_error]


def test_semicolon_export_reads_dutch_thousands(tmp_path):
    path = _export(
        tmp_path / "risico.csv",
        [
            _risico_row(grootschalige_evenementen="1.000"),
            _risico_row(regio_code="VR02", grootschalige_evenementen="12.345.678"),
            _risico_row(regio_code="VR03", grootschalige_evenementen="1.000,5"),
            _risico_row(regio_code="VR04", grootschalige_evenementen="1,000"),
            _risico_row(regio_code="VR05", grootschalige_evenementen="1.5"),
        ],
        ";",
    )
    table, problems = read_export(path, "2024/risico.csv")
    assert problems == []
    frame, errors = _parsed(table)
    values = frame["grootschalige_evenementen"].tolist()
    assert values[:2] == [1000, 12345678] and all(pd.isna(v) for v in values[2:])
    by_row = {p.row: p for p in errors}
    assert set(by_row) == {4, 5, 6} and all(p.column == "grootschalige_evenementen" for p in errors)
    assert "gelezen als 1000.5" in by_row[4].message
    assert "dubbelzinnig" in by_row[5].message and "'1,000'" in by_row[5].message
    assert "dubbelzinnig" in by_row[6].message and by_row[6].region_code == "VR05"


def test_comma_export_refuses_dotted_thousands_as_ambiguous(tmp_path):
    path = _export(
        tmp_path / "risico.csv",
        [
            _risico_row(grootschalige_evenementen="1.000"),
            _risico_row(regio_code="VR02", grootschalige_evenementen="1,000"),  # quoted by the csv writer
            _risico_row(regio_code="VR03", grootschalige_evenementen="3.0"),
        ],
        ",",
    )
    table, _ = read_export(path, "2024/risico.csv")
    assert not table.decimal_comma
    frame, errors = _parsed(table)
    assert [(p.row, "dubbelzinnig" in p.message) for p in errors] == [(2, True), (3, True)]
    assert pd.isna(frame["grootschalige_evenementen"][0]) and frame["grootschalige_evenementen"][2] == 3


def test_workbook_text_cells_are_dutch_number_cells_stay_numbers(tmp_path):
    """'1.000' typed as text is 1000; a real number cell 1.234 is 1.234 (not an integer), never 1234."""
    path = tmp_path / "VR01_x.xlsx"
    rows = [dict(zip(RISICO[1:], _risico_row(grootschalige_evenementen="1.000", hoogrisico_objecten=1.234)[1:]))]
    write_plain(path, {"risico": rows})
    tables, problems = read_workbook(path, "2024/VR01_x.xlsx")
    assert [p for p in problems if p.is_error] == []
    frame, errors = _parsed(tables["risico"], "VR01")
    assert frame["grootschalige_evenementen"].tolist() == [1000]
    assert [(p.column, p.value) for p in errors] == [("hoogrisico_objecten", "1.234")]
    assert "gelezen als 1.234" in errors[0].message and "dubbelzinnig" not in errors[0].message


# ---------------------------------------------------------------------------- 2. formula errors


def test_formula_errors_in_a_workbook_are_errors_of_their_own(tmp_path):
    """Cached error values as Excel (and xlsxwriter, openpyxl) save them: never read as empty."""
    import openpyxl

    codes = CLASSIC_ERRORS + NEW_ERRORS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "oefeningen"
    ws.append(["oefening_id", "deelnemers", "scenario"])
    for i, code in enumerate(codes):
        ws.append([f"O{i}", code, "vuurwapen"])
        ws.cell(row=i + 2, column=2).data_type = "e"  # an error cell (t="e"), #SPILL! included
    path = tmp_path / "VR01_a.xlsx"
    wb.save(path)
    tables, problems = read_workbook(path, "2024/VR01_a.xlsx")
    assert [p for p in problems if p.is_error] == []  # the sheet is read (calamine alone refuses #SPILL! cells)
    frame, found = parse_tables([(tables["oefeningen"], "VR01")], MODULES["oefeningen"])
    errors = [p for p in found if p.rule == "cel.formulefout"]
    assert [(p.row, p.column, p.value) for p in errors] == [(i + 2, "deelnemers", c) for i, c in enumerate(codes)]
    assert errors[0].message.startswith("formulefout #N/A in kolom 'deelnemers' rij 2")
    assert frame["deelnemers"].isna().all()

    import xlsxwriter

    path = tmp_path / "VR01_b.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("oefeningen")
    sheet.write_row(0, 0, ["oefening_id", "scenario", "deelnemers"])
    for i, code in enumerate(codes):
        sheet.write_string(i + 1, 0, f"O{i}")
        sheet.write_formula(i + 1, 1, "=VLOOKUP(A2,X:Y,2,0)", None, code)
        sheet.write_number(i + 1, 2, 4)
    book.close()
    tables, _ = read_workbook(path, "2024/VR01_b.xlsx")
    _, found = parse_tables([(tables["oefeningen"], "VR01")], MODULES["oefeningen"])
    assert [(p.column, p.value) for p in found if p.rule == "cel.formulefout"] == [("scenario", c) for c in codes]


def test_formula_error_text_in_an_export_is_a_formula_error(tmp_path):
    path = _export(tmp_path / "risico.csv", [_risico_row(kans_score="#DIV/0!", methode=" #n/a ")], ";")
    table, _ = read_export(path, "2024/risico.csv")
    _, errors = _parsed(table)
    assert sorted((p.column, p.rule) for p in errors) == [
        ("kans_score", "cel.formulefout"),
        ("methode", "cel.formulefout"),
    ]
    assert any("formulefout #N/A in kolom 'methode' rij 2" in p.message for p in errors)


def test_every_excel_error_code_is_known():
    assert set(CLASSIC_ERRORS + NEW_ERRORS) <= set(FORMULA_ERRORS)


# ---------------------------------------------------------------------------- 3. files that are no xlsx


def _truncated(template: Path) -> bytes:
    data = template.read_bytes()
    return data[: len(data) * 45 // 100]


BAD_FILES = {
    "versleuteld": (
        lambda t: compound_file("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"),
        "het werkboek is met een wachtwoord beveiligd",
    ),
    "leeg": (lambda t: b"", "het bestand is leeg (0 bytes)"),
    "xls": (lambda t: compound_file("Workbook", "\x05SummaryInformation"), "dit is een oud Excel-bestand (.xls"),
    "afgebroken": (_truncated, "het werkboek is beschadigd of onvolledig (afgebroken kopie?)"),
}


# ---------------------------------------------------------------------------- 4. near-miss sheet names


@pytest.mark.parametrize(
    "name,module",
    [
        ("oefeningen 2025", "oefeningen"),
        ("Lessen (2)", "lessen"),
        ("oefeningen_2025", "oefeningen"),
        ("Kopie van risico", "risico"),
        ("middelen-v2", "middelen"),
        ("RINGENMODEL 2024 (2)", "ringenmodel"),
        ("oefeningen_", "oefeningen"),
        ("notities", None),
        ("metadata", None),
        ("lessen geleerd", None),
    ],
)
def test_near_miss_sheet_names(name, module):
    assert near_miss_module(name) == module


# ---------------------------------------------------------------------------- through the ingest


@pytest.fixture(scope="module")
def regions():
    return sample.make_regions(3, SEED)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, regions):
    root = tmp_path_factory.mktemp("dutch")
    sample.generate(root, [WAVE], seed=SEED, regions=regions, form="xlsx")
    return root


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory, pristine, regions) -> Path:
    """The clean workbooks and a warehouse file with their wave loaded, made once (the ingest is most of a
    test's time); each test loads on top of its own copy."""
    root = tmp_path_factory.mktemp("dutch-loaded")
    shutil.copytree(pristine, root / "raw")
    with duckdb.connect(str(root / "w.duckdb")) as con:
        ensure_schema(con)
        first = ingest_wave(con, root / "raw", WAVE, [r.code for r in regions])
    assert {s["status"] for s in first.statuses} == {"geladen"}
    return root


@pytest.fixture
def loaded(tmp_path, loaded_once, regions):
    """A wave loaded from clean workbooks; the test then changes one file and loads again."""
    root = tmp_path / "loaded"
    shutil.copytree(loaded_once, root)
    con = duckdb.connect(str(root / "w.duckdb"))
    yield con, root / "raw", [r.code for r in regions]
    con.close()


def _workbook(raw: Path, code: str) -> Path:
    return next((raw / str(WAVE)).glob(f"{code}_*.xlsx"))


def _rows(con, module, code):
    return con.execute(f"select * from {MODULES[module].table} where region_code = ? order by all", [code]).fetchall()


def _status(con, code, module):
    return con.execute(
        "select status, earlier_data_in_use, message from stg_submission_status "
        "where wave = ? and region_code = ? and module = ?",
        [WAVE, code, module],
    ).fetchone()


def _problems(con, code, module=None):
    return con.execute(
        "select module, sheet, row_number, column_name, rule, severity, message from stg_problems "
        "where wave = ? and region_code = ? and (? is null or module = ?) order by all",
        [WAVE, code, module, module],
    ).fetchall()


def _assert_rejected_and_kept(con, code, module, before):
    status, earlier, message = _status(con, code, module)
    assert status == "afgewezen" and earlier is True and "blijven in gebruik" in message, (status, earlier, message)
    assert _rows(con, module, code) == before


def test_ingest_reads_dutch_thousands_and_rejects_an_ambiguous_number(loaded):
    con, raw, codes = loaded
    a, b = codes[0], codes[1]
    before_b = _rows(con, "risico", b)

    def typed(value):
        def change(sheets):
            sheets["risico"][0]["grootschalige_evenementen"] = value  # a string: written as a text cell

        return change

    for code, value in ((a, "1.000"), (b, "1,000")):
        path = _workbook(raw, code)
        sheets = read_sheets(path)
        typed(value)(sheets)
        sample.write_workbook(path, sheets)
    ingest_wave(con, raw, WAVE, codes)
    assert con.execute("select large_events from stg_risk_assessments where region_code = ?", [a]).fetchall() == [
        (1000,)
    ]
    assert _status(con, a, "risico")[0] == "geladen"
    _assert_rejected_and_kept(con, b, "risico", before_b)
    found = [p for p in _problems(con, b, "risico") if p[5] == "fout"]
    assert [(p[1], p[2], p[3], p[4]) for p in found] == [
        ("risico", 2, "grootschalige_evenementen", "type.geheel_getal")
    ]
    assert "dubbelzinnig" in found[0][6]


@gx
def test_ingest_rejects_a_formula_error_and_never_calls_it_not_filled_in(loaded):
    from pipelines.ingest.validation import default_validator

    con, raw, codes = loaded
    code = codes[0]
    before = _rows(con, "risico", code)
    path = _workbook(raw, code)
    sheets = read_sheets(path)
    rows = sheets["risico"]
    j = col_of(rows, "kans_score")
    rows[0]["kans_score"] = None
    write_plain(path, sheets, hook=lambda wb, ws: ws["risico"].write_formula(1, j, "=VLOOKUP(1,X:Y,2,0)", None, "#N/A"))
    ingest_wave(con, raw, WAVE, codes, validator=default_validator())
    _assert_rejected_and_kept(con, code, "risico", before)
    found = [p for p in _problems(con, code, "risico") if p[5] == "fout"]
    assert [(p[2], p[3], p[4]) for p in found] == [(2, "kans_score", "cel.formulefout")]
    assert "formulefout #N/A in kolom 'kans_score' rij 2" in found[0][6]
    assert not any("niet ingevuld" in p[6] for p in _problems(con, code))


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_ingest_names_what_an_unreadable_workbook_is_and_keeps_the_earlier_data(loaded, case):
    con, raw, codes = loaded
    code = codes[2]
    before = {m: _rows(con, m, code) for m in MODULES}
    path = _workbook(raw, code)
    build, words = BAD_FILES[case]
    path.write_bytes(build(path))
    ingest_wave(con, raw, WAVE, codes)
    for module in MODULES:
        _assert_rejected_and_kept(con, code, module, before[module])
        assert words in _status(con, code, module)[2]
    messages = [p[6] for p in _problems(con, code) if p[5] == "fout"]
    assert messages and all(words in m for m in messages)
    assert not any("BadZipFile" in m for m in messages)
    assert {
        s
        for (s,) in con.execute(
            "select distinct status from stg_submission_status where region_code <> ?", [code]
        ).fetchall()
    } == {"geladen"}


@pytest.mark.parametrize("name", ["oefeningen 2025", "Oefeningen (2)", "oefeningen_2025"])
def test_ingest_rejects_a_misnamed_module_sheet_and_keeps_the_earlier_data(loaded, name):
    con, raw, codes = loaded
    code = codes[1]
    before = _rows(con, "oefeningen", code)
    path = _workbook(raw, code)
    write_plain(path, read_sheets(path), names={"oefeningen": name})
    ingest_wave(con, raw, WAVE, codes)
    _assert_rejected_and_kept(con, code, "oefeningen", before)
    found = [p for p in _problems(con, code, "oefeningen") if p[5] == "fout"]
    assert [(p[1], p[4]) for p in found] == [(name, "blad.naam")]
    assert f"het blad '{name}' lijkt het blad 'oefeningen'; hernoem het" in found[0][6]
    assert (
        con.execute(
            "select source_file from stg_submission_status where region_code = ? and module = ?", [code, "oefeningen"]
        ).fetchone()[0]
        == f"{WAVE}/{path.name}"
    )


def test_case_and_spaces_around_a_sheet_name_are_the_sheet_itself(tmp_path, pristine, regions):
    path = tmp_path / "VR01_x.xlsx"
    template = next((pristine / str(WAVE)).glob(f"{regions[0].code}_*.xlsx"))
    write_plain(path, read_sheets(template), names={"oefeningen": "Oefeningen ", "lessen": "LESSEN"})
    tables, problems = read_workbook(path, "2024/VR01_x.xlsx")
    assert {"oefeningen", "lessen"} <= set(tables) and [p for p in problems if p.is_error] == []


def test_a_near_miss_beside_the_real_sheet_is_only_a_warning(tmp_path, pristine, regions):
    path = tmp_path / "VR01_x.xlsx"
    sheets = read_sheets(next((pristine / str(WAVE)).glob(f"{regions[0].code}_*.xlsx")))
    sheets["lessen (2)"] = [dict(r) for r in sheets["lessen"]]
    write_plain(path, sheets)
    tables, problems = read_workbook(path, "2024/VR01_x.xlsx")
    assert "lessen" in tables and [p for p in problems if p.is_error] == []
    assert [(p.rule, p.sheet) for p in problems if "lijkt een kopie" in p.message] == [("blad.onbekend", "lessen (2)")]
