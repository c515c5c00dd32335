"""The readers: every form the contract allows is read the same, and every unreadable value is reported."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.contract.codebook import MODULES
from pipelines.ingest.readers import (
    EMAIL_MARK,
    SheetTable,
    cell_text,
    parse_module,
    parse_number,
    parse_tables,
    read_export,
    sniff_delimiter,
)

RISICO_HEADER = [
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
    "toelichting",
]


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def read(path, module="risico"):
    table, problems = read_export(path, path.name)
    assert table is not None, problems
    frame, parse_problems = parse_module(table, MODULES[module])
    return frame, problems + parse_problems


def test_windows_1252_semicolon_with_decimal_comma(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_bytes(
        "regio_code;datum_ingevuld;functie\r\nVR02;01-03-2019;Beleidsadviseur Fryslân\r\n".encode("cp1252")
    )
    table, problems = read_export(path, "2019/meta.csv")
    assert problems == []
    assert table.decimal_comma is True
    assert table.rows[0][2] == "Beleidsadviseur Fryslân"


def test_region_name_with_circumflex_survives_cp1252(tmp_path):
    path = write_csv(
        tmp_path / "risico.csv",
        RISICO_HEADER,
        [["VR02", "geen", "2", "3", "nee", "nee", "nee", "", "0", "1", "Fryslân heeft één plan"]],
        delimiter=";",
        encoding="cp1252",
    )
    frame, problems = read(path)
    assert [p for p in problems if p.is_error] == []
    assert frame.loc[0, "toelichting"] == "Fryslân heeft één plan"


def test_decimal_comma_reads_as_point_only_where_allowed():
    values = pd.Series(["1,5", "2", "3.25", "x"], dtype="object")
    assert parse_number(values, decimal_comma=True).tolist()[:3] == [1.5, 2.0, 3.25]
    assert pd.isna(parse_number(values, decimal_comma=False)[0])


def test_decimal_comma_value_in_an_integer_field_is_reported_as_read(tmp_path):
    path = write_csv(
        tmp_path / "risico.csv",
        RISICO_HEADER,
        [["VR01", "geen", "1,5", "3", "nee", "nee", "nee", "", "0", "1", ""]],
        delimiter=";",
    )
    _, problems = read(path)
    errs = [p for p in problems if p.is_error]
    assert [(p.rule, p.row, p.column) for p in errs] == [("type.geheel_getal", 2, "kans_score")]
    assert "1,5" in errs[0].message and "gelezen als 1.5" in errs[0].message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom(tmp_path, encoding):
    path = write_csv(
        tmp_path / "risico.csv",
        RISICO_HEADER,
        [["VR02", "geen", "2", "3", "nee", "nee", "nee", "", "0", "1", "Fryslân 🚒"]],
        encoding=encoding,
    )
    frame, problems = read(path)
    assert not [p for p in problems if p.is_error]
    assert list(frame.columns[:2]) == ["_row", "regio_code"]  # the BOM never sticks to the first header
    assert frame.loc[0, "regio_code"] == "VR02"
    assert frame.loc[0, "toelichting"] == "Fryslân 🚒"


def test_headers_are_case_and_space_insensitive_and_order_free(tmp_path):
    header = [
        " Kans_Score ",
        "REGIO_CODE",
        "Methode",
        "impact_score ",
        "extra_voorbereiding",
        "Onderbouwing_Aanwezig",
        "bestuurlijk_vastgesteld",
        "datum_vastgesteld",
        "hoogrisico_objecten",
        "grootschalige_evenementen",
    ]
    path = write_csv(
        tmp_path / "risico.csv", header, [["4", "VR05", "Scenario_Analyse", "3", "Deels", "JA", "n", "", "2", "7"]]
    )
    frame, problems = read(path)
    assert not problems
    row = frame.iloc[0]
    assert (row["regio_code"], row["kans_score"], row["methode"], row["extra_voorbereiding"]) == (
        "VR05",
        4,
        "scenario_analyse",
        "deels",
    )
    assert row["onderbouwing_aanwezig"] is True or row["onderbouwing_aanwezig"] == True  # noqa: E712
    assert row["bestuurlijk_vastgesteld"] == False  # noqa: E712


@pytest.mark.parametrize(
    "word,expected",
    [
        ("ja", True),
        ("NEE", False),
        ("j", True),
        ("N", False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
    ],
)
def test_boolean_spellings(tmp_path, word, expected):
    path = write_csv(
        tmp_path / "risico.csv", RISICO_HEADER, [["VR01", "geen", "2", "3", "nee", word, "nee", "", "0", "1", ""]]
    )
    frame, problems = read(path)
    assert not problems
    assert bool(frame.loc[0, "onderbouwing_aanwezig"]) is expected


def test_both_date_formats_and_unreadable_dates(tmp_path):
    header = ["regio_code", "datum_ingevuld"]
    path = write_csv(
        tmp_path / "meta.csv",
        header,
        [["VR01", "2024-03-05"], ["VR02", "05-03-2024"], ["VR03", "31-02-2024"], ["VR04", "5 maart"]],
    )
    frame, problems = read(path, "meta")
    assert frame["datum_ingevuld"].tolist()[:2] == [dt.date(2024, 3, 5)] * 2
    assert [(p.rule, p.row, p.value) for p in problems] == [
        ("type.datum", 4, "31-02-2024"),
        ("type.datum", 5, "5 maart"),
    ]


def test_multi_select_with_spaces_and_case():
    table = SheetTable(
        "2024/VR01.xlsx",
        "oefeningen",
        ["oefening_id", "disciplines"],
        [["OEF-1", " Brandweer | politie |ghor "], ["OEF-2", "politie"]],
        [2, 3],
    )
    frame, _ = parse_module(table, MODULES["oefeningen"], region_code="VR01")
    assert frame["disciplines"].tolist() == [["brandweer", "politie", "ghor"], ["politie"]]


def test_empty_rows_are_ignored_and_row_numbers_kept(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("regio_code,datum_ingevuld\n\nVR01,2024-01-02\n,\nVR02,2024-01-03\n", encoding="utf-8")
    frame, problems = read(path, "meta")
    assert not problems
    assert frame["_row"].tolist() == [3, 5]


def test_unknown_column_is_a_warning_missing_required_column_an_error(tmp_path):
    path = write_csv(
        tmp_path / "meta.csv", ["regio_code", "datum_ingevuld", "opmerking"], [["VR01", "2024-01-02", "x"]]
    )
    _, problems = read(path, "meta")
    assert [(p.rule, p.severity, p.column) for p in problems] == [("kolom.onbekend", "waarschuwing", "opmerking")]
    path = write_csv(tmp_path / "risico.csv", ["regio_code", "methode"], [["VR01", "geen"]])
    _, problems = read(path)
    missing = sorted(p.column for p in problems if p.rule == "kolom.ontbreekt")
    assert missing == sorted(f.name for f in MODULES["risico"].fields if f.required and f.name != "methode")


def test_every_bad_value_is_reported_with_its_location(tmp_path):
    path = write_csv(
        tmp_path / "risico.csv",
        RISICO_HEADER,
        [
            ["VR01", "geen", "twee", "3", "nee", "misschien", "nee", "", "0", "1", ""],
            ["VR02", "geen", "2", "3,7", "nee", "ja", "ja", "gisteren", "-", "1", ""],
        ],
        delimiter=";",
    )
    _, problems = read(path)
    got = sorted((p.row, p.column, p.rule) for p in problems)
    assert got == [
        (2, "kans_score", "type.geheel_getal"),
        (2, "onderbouwing_aanwezig", "type.ja_nee"),
        (3, "datum_vastgesteld", "type.datum"),
        (3, "hoogrisico_objecten", "type.geheel_getal"),
        (3, "impact_score", "type.geheel_getal"),
    ]
    for p in problems:
        assert p.file == "risico.csv" and p.sheet == "risico"
        assert p.value in p.message


def test_personal_data_never_leaves_the_reader(tmp_path):
    path = write_csv(
        tmp_path / "meta.csv",
        ["regio_code", "ingevuld_door", "email", "functie", "datum_ingevuld"],
        [["VR01", "Jan de Vries", "jan.devries@vr01.nl", "Adviseur TGB", "2024-01-02"]],
    )
    frame, problems = read(path, "meta")
    assert not problems
    flat = frame.astype(str).to_csv()
    assert "Jan de Vries" not in flat and "jan.devries" not in flat and "Adviseur" not in flat


def test_email_addresses_in_free_text_are_redacted(tmp_path):
    path = write_csv(
        tmp_path / "risico.csv",
        RISICO_HEADER,
        [["VR01", "geen", "2", "3", "nee", "nee", "nee", "", "0", "1", "vragen: piet@example.org"]],
    )
    frame, _ = read(path)
    assert frame.loc[0, "toelichting"] == f"vragen: {EMAIL_MARK}"


@pytest.mark.parametrize(
    "payload,rule",
    [
        ("regio_code,datum_ingevuld\nVR01,2024-01-02\n".encode("utf-16"), "bestand.codering"),
        (b"regio_code,datum_ingevuld\nVR01,2024\x00-01-02\n", "bestand.codering"),
    ],
)
def test_unreadable_encodings_are_refused_with_a_reason(tmp_path, payload, rule):
    path = tmp_path / "meta.csv"
    path.write_bytes(payload)
    table, problems = read_export(path, "meta.csv")
    assert table is None
    assert [p.rule for p in problems] == [rule]


def test_delimiter_sniffing_ignores_delimiters_inside_quotes():
    assert sniff_delimiter('regio_code;toelichting\nVR01;"a, b, c"\n') == ";"
    assert sniff_delimiter('"a;b",regio_code,x\n') == ","


@pytest.mark.parametrize(
    "value,text",
    [
        (None, ""),
        (True, "ja"),
        (3.0, "3"),
        (2.5, "2.5"),
        (dt.datetime(2024, 3, 5), "2024-03-05"),
        (dt.date(2024, 3, 5), "2024-03-05"),
        (" x ", " x "),
    ],
)
def test_workbook_cells_become_the_text_a_person_typed(value, text):
    assert cell_text(value) == text


# ---------------------------------------------------------------------------
# Fast paths give what the record-by-record reading gives
# ---------------------------------------------------------------------------


def _csv_text(delimiter: str, newline: str, n: int, multiline_every: int = 0, blank_every: int = 0) -> str:
    lines = [delimiter.join(["regio_code", "datum_ingevuld", "functie"])]
    for i in range(n):
        if blank_every and i % blank_every == 0:
            lines.append("")
        text = f"functie {i}"
        if multiline_every and i % multiline_every == 0:
            text = f'"regel 1{newline}regel 2 \r\n regel 3 \n\n ""aanhalingstekens"" {delimiter} eind"'
        lines.append(delimiter.join([f"VR{i % 25 + 1:02d}", "2024-03-01", text]))
    return newline.join(lines) + newline


def _reference_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Record by record with the reader's line_num: the line each record starts on."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, numbers, line_start = [], [], 1
    for cells in reader:
        rows.append(cells)
        numbers.append(line_start)
        line_start = reader.line_num + 1
    return rows, numbers


# Half of the matrix is left to the slow tests: the delimiter is the sniffer's business, not the blocks'.
@pytest.mark.parametrize("delimiter", [",", pytest.param(";", marks=pytest.mark.slow)])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("shape", [(30, 0, 0), (25_000, 7, 0), (25_000, 0, 3), (12_000, 9_999, 11)])
def test_csv_read_in_blocks_gives_the_records_and_lines_of_record_by_record(
    tmp_path, monkeypatch, delimiter, newline, shape
):
    """Blocks of 10,000 records, line breaks inside quoted cells (\\n, \\r\\n, \\r) and blank lines: every row
    keeps the line number it starts on, as reading one record at a time gives it."""
    from pipelines.ingest import readers
    from pipelines.ingest.readers import export

    n, multiline_every, blank_every = shape
    text = _csv_text(delimiter, newline, n, multiline_every, blank_every)
    path = tmp_path / "meta.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    fast = export._read_records(text, delimiter, readers.DEFAULT_LIMITS, export.time.monotonic())
    assert fast is not None  # the blocks added up: the fast path was taken
    assert fast == _reference_records(text, delimiter)
    table, problems = read_export(path, "2024/meta.csv")
    monkeypatch.setattr(export, "_read_records", lambda *a: None)  # record by record, as before
    slow, slow_problems = read_export(path, "2024/meta.csv")
    assert (table.header, table.rows, table.row_numbers, table.decimal_comma) == (
        slow.header,
        slow.rows,
        slow.row_numbers,
        slow.decimal_comma,
    )
    assert problems == slow_problems
    if (
        multiline_every and not blank_every and newline != "\r"
    ):  # (a \r-only file's header is sniffed up to the first \n: garbled alike)
        assert table.row_numbers[:2] == [2, 7]  # the first row's cell spans lines 2-6


@pytest.mark.parametrize(
    "text, rule, row",
    [
        ('regio_code,functie\nVR01,"open\nVR02,x\n', "bestand.csv", 2),
        ("regio_code,functie\nVR01,a\n" * 6000 + 'VR01,"a"b\n', "bestand.csv", 12001),
    ],
)
def test_malformed_csv_is_worded_as_record_by_record(tmp_path, text, rule, row):
    path = tmp_path / "meta.csv"
    path.write_text(text, encoding="utf-8")
    table, problems = read_export(path, "2024/meta.csv")
    assert table is None and [(p.rule, p.row) for p in problems] == [(rule, row)]


def test_a_bad_value_repeated_on_many_rows_is_reported_on_each_row():
    """Values are parsed once per distinct value; problems still come per row, with that row's place."""
    header = ["oefening_id", "datum", "deelnemers", "geevalueerd", "disciplines"]
    a = SheetTable(
        "2024/VR01.xlsx",
        "oefeningen",
        header,
        [
            ["O1", "2024-02-30", "12,5", "misschien", "politie"],
            ["O2", "2024-03-01", "3", "ja", "politie"],
            ["O3", "2024-02-30", "12,5", "misschien", "Politie | GHOR"],
        ],
        [2, 3, 5],
    )
    b = SheetTable(
        "2024/oefeningen.csv",
        "oefeningen",
        ["regio_code"] + header,
        [["vr02", "O1", "2024-02-30", "12,5", "misschien", "politie"]],
        [7],
        decimal_comma=True,
    )
    frame, problems = parse_tables([(a, "VR01"), (b, None)], MODULES["oefeningen"])
    found = sorted((p.file, p.row, p.rule, p.value, p.region_code) for p in problems if p.rule.startswith("type."))
    assert found == sorted(
        [
            ("2024/VR01.xlsx", 2, "type.datum", "2024-02-30", "VR01"),
            ("2024/VR01.xlsx", 5, "type.datum", "2024-02-30", "VR01"),
            ("2024/oefeningen.csv", 7, "type.datum", "2024-02-30", "VR02"),
            ("2024/VR01.xlsx", 2, "type.geheel_getal", "12,5", "VR01"),
            ("2024/VR01.xlsx", 5, "type.geheel_getal", "12,5", "VR01"),
            ("2024/oefeningen.csv", 7, "type.geheel_getal", "12,5", "VR02"),
            ("2024/VR01.xlsx", 2, "type.ja_nee", "misschien", "VR01"),
            ("2024/VR01.xlsx", 5, "type.ja_nee", "misschien", "VR01"),
            ("2024/oefeningen.csv", 7, "type.ja_nee", "misschien", "VR02"),
        ]
    )  # 12,5 with a decimal comma is 12.5 in the export: not an integer either
    assert len([p for p in problems if p.file == "2024/oefeningen.csv" and p.rule == "type.geheel_getal"]) == 1
    assert frame["_row"].tolist() == [2, 3, 5, 7]
    assert frame["regio_code"].tolist() == ["VR01", "VR01", "VR01", "VR02"]
    assert frame["deelnemers"].tolist()[1] == 3 and frame["geevalueerd"].tolist()[1] is True
    assert frame["disciplines"].tolist() == [["politie"], ["politie"], ["politie", "ghor"], ["politie"]]
