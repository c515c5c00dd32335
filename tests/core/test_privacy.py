"""Personal data (issue 15, point 5): e-mail addresses, phone numbers and BSN-like numbers never leave the pipeline.

Unit tests of :mod:`pipelines.core.privacy` (each obfuscation, and the numbers that must stay), then end to
end: one region's 2025 workbook gets an e-mail address, a phone number and a BSN-like number in every kind
of field (free text, number, code, codes, date, yes/no, text key, region, the meta sheet's personal fields,
an unknown extra column and its header, an extra sheet's name) and in its file name; after `regiobench run`
every output (each table of the warehouse, every file of the marts, dashboards and validation folders, the
run's stdout and stderr) and `regiobench validate` on that workbook are scanned for them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import sample
from pipelines.core.privacy import BSN_MARK, EMAIL_MARK, PHONE_MARK, elfproef, redact, redact_deep
from pipelines.core.problems import Problem, quote
from tests.support import ROOT, read_sheets, run_cli, run_pipeline

# ---------------------------------------------------------------------------
# Unit tests
# ---------------------------------------------------------------------------

EMAILS = [
    "jan@vr.nl",
    "j.de.vries+tgb@vr-utrecht.nl",
    "jan [at] vr.nl",
    "jan(at)vr(dot)nl",
    "jan at vr dot nl",
    "jan @ vr . nl",
    "Jan.Jansen@VRU.NL",
    "jan {at} vr [dot] nl",
]
PHONES = [
    "+31 (0)6-12 34 56 78",
    "06 - 1234 5678",
    "0031 20 123 4567",
    "020-1234567",
    "(020) 123 45 67",
    "06-12345678",
    "0612345678",
    "+31612345678",
    "+44 20 7946 0958",
    "+32 2 123 45 67",
    "010 - 123 45 67",
]
BSNS = ["123456782", "123.456.782", "123 456 782", "1234-56-782", "111222333", "012345672", "12345672"]


@pytest.mark.parametrize("text", EMAILS)
def test_each_way_of_writing_an_email_address_is_redacted(text):
    assert redact(f"vragen aan {text}, graag") == f"vragen aan {EMAIL_MARK}, graag"


@pytest.mark.parametrize("text", PHONES)
def test_each_way_of_writing_a_phone_number_is_redacted(text):
    assert redact(f"bel {text} voor uitleg") == f"bel {PHONE_MARK} voor uitleg"


@pytest.mark.parametrize("text", BSNS)
def test_bsn_like_numbers_passing_the_elfproef_are_redacted(text):
    assert redact(f"BSN {text}.") == f"BSN {BSN_MARK}."


@pytest.mark.parametrize(
    "text",
    [
        "2024",
        "in 2024 en 2025",
        "besluit AB 2024-17",
        "besluit AB 2024-017",
        "1.234.567",
        "1234567",
        "17.942.942",
        "VR13",
        "45%",
        "12,5 %",
        "0,75",
        "0.1234567891",
        "01-01-2024",
        "2024-01-17",
        "op 01-01-2024 12:00",
        "17-03-2025 09:30",
        "20240117",
        "123456789",  # fails the elfproef
        "123456781",
        "1234 deelnemers",
        "versie 3.2.1",
        "OEF-2025-03",
        "LES-2025-0012",
        "kijk naar het punt",
        "wat is de kans at random",
        "100 van de 250",
        "2019-2025",
        "ring 1, 2 en 3",
        "3 x 5 = 15",
        "1.000",
        "10.000 bezoekers",
        "1.000,5",
        "€ 1.250.000",
        "+5",
        "-12",
        "score 4/5",
    ],
)
def test_legitimate_numbers_and_words_are_kept(text):
    assert redact(text) == text


def test_elfproef():
    assert elfproef("123456782") and elfproef("111222333") and elfproef("12345672")
    assert not elfproef("123456789") and not elfproef("000000000") and not elfproef("1234567")


def test_redaction_is_idempotent_and_leaves_non_text_alone():
    text = "mail jan@vr.nl of bel 06-12345678, BSN 123456782"
    once = redact(text)
    assert once == f"mail {EMAIL_MARK} of bel {PHONE_MARK}, BSN {BSN_MARK}"
    assert redact(once) == once
    assert redact(None) is None and redact(12) == 12


def test_redact_deep_reaches_every_string_and_bsn_like_whole_numbers():
    result = {
        "result": {
            "partial_unexpected_list": ["jan@vr.nl", 3, 123456782],
            "partial_unexpected_counts": [{"value": "06-12345678", "count": 1}],
            "jan@vr.nl": ("123.456.782",),
        },
        "success": False,
        "n": 1234567,
    }
    out = redact_deep(result)
    assert out == {
        "result": {
            "partial_unexpected_list": [EMAIL_MARK, 3, BSN_MARK],
            "partial_unexpected_counts": [{"value": PHONE_MARK, "count": 1}],
            EMAIL_MARK: (BSN_MARK,),
        },
        "success": False,
        "n": 1234567,
    }


def test_a_problem_redacts_its_message_value_and_place():
    p = Problem(
        "2025/VR13_jan@vr.nl.xlsx",
        "type.datum",
        f"waarde {quote('bel 06-12345678')} is geen datum",
        sheet="jan@vr.nl",
        column="contact 123456782",
        value="bel 06-12345678",
    )
    assert p.message == f"waarde '{'bel ' + PHONE_MARK}' is geen datum"
    assert p.value == f"bel {PHONE_MARK}"
    assert p.file == f"2025/VR13_{EMAIL_MARK}.xlsx" and p.sheet == EMAIL_MARK and p.column == f"contact {BSN_MARK}"


def test_quote_redacts_before_it_shortens():
    long = "x" * 70 + " jan.jansen@veiligheidsregio.nl"
    assert "jan" not in quote(long) and "veiligheidsregio" not in quote(long)


# ---------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------

WAVE = 2025
TARGET = "VR13"
#: Every planted e-mail address holds "zwxq", which no output may contain in any form.
MARKER = "zwxq"
P_EMAILS = [
    "zwxq.jan@zwxq-vr.nl",
    "zwxqpiet [at] zwxqvr.nl",
    "zwxqkees(at)zwxqvr(dot)nl",
    "zwxqanna at zwxqvr dot nl",
    "zwxqbob @ zwxqvr . nl",
]
P_PHONES = ["+31 (0)6-87 65 43 21", "06 - 8765 4322", "0031 20 876 5432", "020-8765433", "(020) 876 54 34"]
P_BSNS = ["111222333", "222.333.406", "222 333 418", "2223-33-431"]


def _needles() -> list[str]:
    """What may not appear in any output (lower case): each planted string, its digits, a phone's last 8 digits."""
    out = {MARKER}
    for s in P_EMAILS + P_PHONES + P_BSNS:
        out.add(s.lower())
    for s in P_PHONES + P_BSNS:
        digits = re.sub(r"\D", "", s)
        out.add(digits)
        out.add(digits[-8:])
    return sorted(out)


NEEDLES = _needles()


def _plant(path: Path) -> Path:
    """Plant personal data in every kind of field of the workbook at ``path``; returns its new path."""
    e, ph, b = P_EMAILS, P_PHONES, P_BSNS
    all3 = lambda i: f"{e[i % 5]} / {ph[i % 5]} / BSN {b[i % 4]}"  # noqa: E731
    sheets = read_sheets(path)
    meta = sheets["meta"][0]
    meta.update(ingevuld_door=all3(0), email=e[1], functie=all3(2), datum_ingevuld=e[3])  # date
    risico = sheets["risico"][0]
    risico.update(
        methode=e[0],  # code
        kans_score=ph[0],  # int with bounds
        impact_score=b[1],  # int with bounds
        extra_voorbereiding=ph[1],  # code
        onderbouwing_aanwezig=e[2],  # bool
        bestuurlijk_vastgesteld=b[2],  # bool
        datum_vastgesteld=ph[2],  # date
        hoogrisico_objecten=e[4],  # int without upper bound
        grootschalige_evenementen=b[3],  # int without upper bound
        toelichting=all3(1),
    )  # free text
    risico[f"contact {e[0]}"] = all3(3)  # an unknown column: header and value
    oef = sheets["oefeningen"][0]
    oef.update(
        oefening_id=f"OEF {ph[3]}",  # text key
        disciplines=f"brandweer|{e[1]}|{b[0]}",  # codes
        beoefende_bijzonderheden=f"ringenmodel|{ph[4]}",  # codes
        met_andere_regio=ph[3],
        deelnemers=b[0],
        datum=b[1],
        niveau=e[2],
    )
    les = sheets["lessen"][0]
    les.update(omschrijving=all3(4), overgenomen_van=e[3], bron_oefening_id=ph[4], les_id=f"LES {b[2]}")
    for i, row in enumerate(sheets["ringenmodel"]):
        row["afwijking_toelichting"] = all3(i)
    for i, row in enumerate(sheets["middelen"][:5]):
        row["afwijking_toelichting"] = all3(i)
        row["aantal"] = ph[i % 5]
        row["training_gevolgd"] = e[i % 5]
    for i, row in enumerate(sheets["planvorming"]):
        row["onderbouwing"] = all3(i + 1)
    sheets["zwxqx@zwxqy.nl"] = [{"notitie": all3(2)}]  # a sheet that is not a module, named by an address
    path.unlink()
    new = path.with_name(f"{TARGET}_zwxqf@zwxqg.nl.xlsx")  # and an address in the file name
    sample.write_workbook(new, sheets)
    return new


def _texts_of(path: Path) -> str:
    """Everything a file holds, as text: parsed where the bytes are compressed (parquet, xlsx, duckdb)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        with duckdb.connect() as con:
            return repr(con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall())
    if suffix in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return repr(wb.sheet_names) + "".join(repr(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)
    if suffix == ".duckdb":
        return _warehouse_text(path)
    return path.read_bytes().decode("utf-8", errors="replace")


def _warehouse_text(path: Path) -> str:
    """Every value of every table and view in every schema (VARCHAR and lists of it included), as text."""
    parts = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_catalog, table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
        assert tables, path
        for catalog, schema, table in tables:
            parts.append(f"{schema}.{table}")
            parts.append(repr(con.execute(f'SELECT * FROM "{catalog}"."{schema}"."{table}"').fetchall()))
    return "\n".join(parts)


def _leaks(texts: dict[str, str]) -> list[tuple[str, str]]:
    """(where, needle) for every planted string found in a text; the name of a file counts as text too."""
    found = []
    for where, text in texts.items():
        haystack = f"{where}\n{text}".lower()  # once per text, not once per needle (plotly.min.js is 4 MB)
        found += [(where, n) for n in NEEDLES if n in haystack]
    return found


def _folder_texts(folder: Path) -> dict[str, str]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    assert files, f"{folder} is empty"
    return {str(p): _texts_of(p) for p in files}


def test_the_scan_finds_a_planted_string_in_each_kind_of_output(tmp_path):
    (tmp_path / "c.csv").write_text(f"a,b\n1,{P_PHONES[1]}\n")
    (tmp_path / "c.json").write_text(json.dumps({"x": [P_BSNS[0]]}))
    with duckdb.connect() as con:
        con.execute("COPY (SELECT ? AS v) TO '" + str(tmp_path / "c.parquet") + "' (FORMAT parquet)", [P_EMAILS[2]])
    with duckdb.connect(str(tmp_path / "c.duckdb")) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (v VARCHAR[])")
        con.execute("INSERT INTO marts.t VALUES (?)", [["ok", "x " + P_BSNS[2]]])
    sample.write_workbook(tmp_path / "c.xlsx", {"blad": [{"v": "bel " + P_PHONES[0]}]})
    found = {Path(where).name: n for where, n in _leaks(_folder_texts(tmp_path))}
    assert set(found) == {"c.csv", "c.json", "c.parquet", "c.duckdb", "c.xlsx"}, found
    assert _leaks({"name zwxq.txt": "niets"}) and not _leaks({"schoon": f"{EMAIL_MARK} {PHONE_MARK} {BSN_MARK}"})


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy-run")
    raw = root / "raw"
    for wave in (2020, WAVE):  # an export wave and a workbook wave hold every kind of input; more only add rows
        shutil.copytree(ROOT / "data" / "raw" / str(wave), raw / str(wave))
    workbook = _plant(next((raw / str(WAVE)).glob(f"{TARGET}_*.xlsx")))
    export = raw / "2020" / "lessen.csv"  # an export: a row whose regio_code is an address, and free text
    with export.open("a", encoding="utf-8", newline="") as fh:
        fh.write(
            f'{P_EMAILS[1]},2020-L901,landelijk,,nazorg,"bel {P_PHONES[2]}",niet,geen,\n'
            f'VR02,2020-L902 {P_BSNS[1]},landelijk,,nazorg,"{P_EMAILS[4]} of {P_PHONES[4]}",niet,geen,\n'
        )
    run = run_pipeline(root, raw)
    validate = run_cli("validate", str(workbook), cwd=root)
    return run, validate, workbook


@pytest.mark.slow  # a pipeline run and a validate process (planted_run): left out of make test-fast
def test_the_planted_workbook_is_read_and_its_problems_are_recorded_redacted(planted_run):
    run, _, _ = planted_run
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, message, coalesce(value, '') FROM stg_problems WHERE region_code = ? AND wave = ?",
            [TARGET, WAVE],
        ).fetchall()
    text = repr(rows)
    # the planted values did reach the problem table, as marks: the scan below is not vacuous
    assert EMAIL_MARK in text and PHONE_MARK in text and BSN_MARK in text, text[:3000]
    assert f"{WAVE}/{TARGET}_{EMAIL_MARK}.xlsx" in {r[0] for r in rows}
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        export_rows = con.execute(
            "SELECT region_code, message FROM stg_problems WHERE source_file = '2020/lessen.csv'"
        ).fetchall()
    assert EMAIL_MARK in repr(export_rows), export_rows


@pytest.mark.slow  # a pipeline run and a validate process (planted_run): left out of make test-fast
def test_no_output_of_the_run_holds_the_planted_personal_data(planted_run):
    run, _, _ = planted_run
    texts = {"stdout": run.stdout, "stderr": run.stderr, "warehouse": _warehouse_text(run.warehouse)}
    for folder in (run.marts, run.dashboards, run.validation):
        texts.update(_folder_texts(folder))
    assert any(Path(k).suffix == ".json" for k in texts if str(run.validation) in k)
    assert not _leaks(texts)


@pytest.mark.slow  # a pipeline run and a validate process (planted_run): left out of make test-fast
def test_regiobench_validate_on_the_planted_workbook_shows_none_of_it(planted_run):
    _, validate, _ = planted_run
    out = validate.stdout + validate.stderr
    assert validate.returncode == 1 and "Traceback" not in out, out[-3000:]
    assert EMAIL_MARK in out and PHONE_MARK in out and BSN_MARK in out, out[-3000:]
    assert not _leaks({"validate": out})


@pytest.mark.parametrize(
    "name, shown",
    [
        ("2025/VR13_jan@vr.nl.xlsx", f"2025/VR13_{EMAIL_MARK}.xlsx"),
        ("2025/VR13_bel 06-12345678.xlsx", f"2025/VR13_bel {PHONE_MARK}.xlsx"),
        ("2025/VR13_utrecht.xlsx", "2025/VR13_utrecht.xlsx"),
        ("2024/lessen.csv", "2024/lessen.csv"),
    ],
)
def test_file_names_keep_folder_region_and_extension(name, shown):
    from pipelines.core.privacy import redact_name

    assert redact_name(name) == shown


def test_two_names_that_redact_alike_stay_apart():
    from pipelines.ingest.discovery import private_name

    used: set[str] = set()
    names = [private_name(n, used) for n in ["VR13_a@b.nl.xlsx", "VR13_c@d.nl.xlsx", "VR13_x.xlsx"]]
    assert names == [f"VR13_{EMAIL_MARK}.xlsx", f"VR13_{EMAIL_MARK} (2).xlsx", "VR13_x.xlsx"]


def test_redacting_a_column_keeps_its_dtype_so_missing_stays_none():
    """pandas 3 infers a string dtype from mapped text; a later ``where(..., None)`` then gave NaN (truthy),
    and empty deviation notes counted as substantiations in the sample's recomputation."""
    from pipelines.core.privacy import redact_series

    values = pd.Series(["bel 06-12345678", None, "geen"], dtype=object)
    out = redact_series(values)
    assert out.dtype == object
    assert out.where(pd.Series([True, False, True]), None).tolist()[1] is None
    assert "12345678" not in out.iloc[0]
