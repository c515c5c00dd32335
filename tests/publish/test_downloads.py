"""The downloads for Dutch spreadsheets (issue 19, point 5): the CSV files for Dutch Excel in ``nl/`` and
``benchmark.xlsx`` with its first sheet, labels beside the codes, autofilter, widths and rounded display
formats. What LibreOffice reads of them is tested in test_downloads_office.py."""

from __future__ import annotations

import zipfile

import duckdb
import openpyxl
import pytest

from pipelines.contract import column_labels
from pipelines.contract.marts import MARTS
from pipelines.publish.downloads import NL_FOLDER, mart_files
from pipelines.publish.outputs import export_marts
from tests.factories import awkward_register


@pytest.fixture
def exported(tmp_path):
    con = duckdb.connect()
    export_marts(con, awkward_register(con), tmp_path)
    con.close()
    return tmp_path


def test_the_dutch_csv_is_semicolons_decimal_commas_and_utf8_with_bom(exported):
    raw = (exported / NL_FOLDER / "variation_register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfwave;region_code;region_name;indicator_id;indicator_id_label;value;")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";") == [
        "wave",
        "region_code",
        "region_name",
        "indicator_id",
        "indicator_id_label",
        "value",
        "p_unfavourable",
        "verdict",
        "verdict_label",
        "explanation",
        "substantiated",
        "window_waves",
        "recommendation",
        "recommendation_label",
    ]
    assert lines[1:] == [
        "2019;VR02;Fryslân;ex_count;Oefeningen: waargenomen ten opzichte van verwacht;0,3333333333333333;5,0;"
        'afwijking_niet_onderbouwd;afwijking, niet onderbouwd;"a;b ""c""\nd";WAAR;2019, 2020;4;'
        "Oefenen: frequentie, multidisciplinair, bijzonderheden uit het plan",
        # the formula guarded as in the other CSV files; an unknown code labelled with itself
        "2020;VR03;'=1+1;onbekend_id;onbekend_id;-1,5;1e-08;conform;conform;één – tau²;ONWAAR;2020;;",
        # NaN and infinity empty, as in the workbook
        "2021;VR04;;;;;;;;;;;10;Aan de minister (geen regionale indicator)",
        "",
    ]


def test_the_plain_csv_stays_as_it_was(exported):
    raw = (exported / "variation_register.csv").read_bytes()
    assert raw.startswith(b"wave,region_code,region_name,indicator_id,value,p_unfavourable,verdict,")
    assert b"_label" not in raw and b"\xef\xbb\xbf" not in raw
    assert b"0.3333333333333333,5.0,afwijking_niet_onderbouwd" in raw


def test_the_workbook_opens_on_its_explanation_then_labels_codes_and_rounds_only_the_display(exported):
    wb = openpyxl.load_workbook(exported / "benchmark.xlsx")
    assert wb.sheetnames == ["Toelichting", "variation_register"]
    ws = wb["variation_register"]
    header = [c.value for c in ws[1]]
    assert header[3:5] == ["indicator_id", "indicator_id_label"] and header[7:9] == ["verdict", "verdict_label"]
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["region_name"].value == "Fryslân"
    assert row["indicator_id_label"].value == "Oefeningen: waargenomen ten opzichte van verwacht"
    assert row["verdict_label"].value == "afwijking, niet onderbouwd"
    assert row["recommendation_label"].value.startswith("Oefenen: frequentie")
    assert row["value"].value == 1 / 3  # stored exact ...
    assert row["value"].number_format == "0.000"  # ... shown with three decimals
    assert row["p_unfavourable"].number_format == "0.0000"  # a probability: four
    assert row["wave"].number_format == "General" and row["substantiated"].value is True
    assert ws.auto_filter.ref == "A1:N4" and ws.freeze_panes == "A2"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["J"] > widths["A"] >= len("wave") + 2  # the explanation is wider than the year
    with zipfile.ZipFile(exported / "benchmark.xlsx") as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    # Excel's own hidden name for the filter of the second sheet (position 1)
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
        "'variation_register'!$A$1:$N$4</definedName>" in workbook
    )


def test_the_first_sheet_explains_every_sheet_and_column(exported):
    ws = openpyxl.load_workbook(exported / "benchmark.xlsx")["Toelichting"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    texts = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "nl/" in texts and "_label" in texts and "formulebalk" in texts
    contract = MARTS["variation_register"]
    purpose = contract.purpose.replace("`", "").replace("[verdicts.md](verdicts.md)", "verdicts.md")
    assert ["variation_register", 3, contract.grain, purpose] in [r[:4] for r in rows]
    described = {r[1]: r for r in rows if r[0] == "variation_register" and r[1] not in (None, "Rijen")}
    value = next(c for c in contract.columns if c.name == "value")
    assert described["value"][2:] == ["getal", value.unit, value.description.replace("`", "")]
    assert described["verdict_label"][2:] == [
        "tekst",
        "Nederlandse woorden",
        "De Nederlandse omschrijving van de code in verdict.",
    ]
    assert described["substantiated"][2] == "WAAR/ONWAAR" and described["wave"][2] == "geheel getal"


def test_the_marts_files_include_the_dutch_csv_files():
    files = mart_files(["a", "b"])
    assert {"a.parquet", "a.csv", "nl/a.csv", "b.parquet", "b.csv", "nl/b.csv", "benchmark.xlsx"} <= set(files)
    assert "marts.duckdb" in files


def test_every_labelled_column_is_a_mart_column_whose_codes_have_words_of_their_own():
    columns = {c.name for m in MARTS.values() for c in m.columns}
    assert set(column_labels.BY_COLUMN) <= columns
    for (mart, column), _ in column_labels.BY_MART_COLUMN.items():
        assert column in MARTS[mart].column_names, (mart, column)
    for group in column_labels.GROUPS.values():
        assert any(words != code for code, words in group.words.items()), group.name
    assert column_labels.labels_for("submission_status", "status") is None  # geladen, afgewezen: words already
    assert column_labels.labels_for("plan_exercise_matrix", "status") is column_labels.PLAN_STATUS


def test_labels_of_cells_holding_several_codes():
    assert column_labels.CELL.label("ovd_p/scherfwerend_vest") == "OvD-P / scherfwerend vest"
    assert column_labels.INDICATOR_LIST.label("ex_count, onbekend") == (
        "Oefeningen: waargenomen ten opzichte van verwacht; onbekend"
    )
    assert column_labels.VERDICT.label(None) is None
