"""Staging returns: the cross-file rules, whole-or-nothing loads, reruns that change nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import sample
from pipelines.contract.codebook import MODULES
from pipelines.ingest.discovery import list_waves
from pipelines.ingest.loader import ingest_wave
from pipelines.ingest.warehouse import ensure_schema
from tests.factories import rewrite_export as _rewrite_export
from tests.support import gx, read_sheets

SEED = 7
WAVE = 2024
STAGED = [m.table for m in MODULES.values()]


@pytest.fixture
def raw(tmp_path, pristine):
    """The world's workbooks (conftest.py), copied to be changed."""
    dest = tmp_path / "raw"
    shutil.copytree(pristine / "xlsx", dest)
    return dest


def snapshot(con) -> dict[str, list]:
    return {t: con.execute(f"select * from {t} order by all").fetchall() for t in STAGED + ["stg_module_loads"]}


def status(con, wave=WAVE):
    return con.execute(
        "select region_code, module, source_file, status, earlier_data_in_use, message "
        "from stg_submission_status where wave = ? order by all",
        [wave],
    ).fetchall()


def workbook_of(raw: Path, code: str, wave=WAVE) -> Path:
    return next((raw / str(wave)).glob(f"{code}_*.xlsx"))


def rewrite_workbook(path: Path, change) -> None:
    """Read a workbook's sheets as dicts, let ``change`` edit them, write it back."""
    sheets = read_sheets(path)
    change(sheets)
    sample.write_workbook(path, sheets)


def test_all_regions_and_modules_load_from_workbooks(con, raw, codes):
    result = ingest_wave(con, raw, WAVE, codes)
    assert result.regions_loaded == codes
    assert {s["status"] for s in result.statuses} == {"geladen"}
    assert result.n_units_loaded == len(codes) * len(MODULES)
    n = con.execute("select count(*) from stg_equipment where wave = ?", [WAVE]).fetchone()[0]
    assert n == len(codes) * len(MODULES["middelen"].expected_grid())


def test_every_staged_row_carries_its_provenance(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    rows = con.execute(
        "select source_file, source_sha256, source_sheet, source_row, loaded_at from stg_ring_model"
    ).fetchall()
    assert rows and all(
        r[0].startswith(f"{WAVE}/") and len(r[1]) == 64 and r[2] == "ringenmodel" and r[3] >= 2 and r[4] is not None
        for r in rows
    )


@pytest.mark.parametrize(
    "delimiter,encoding,decimal_comma",
    [
        (";", "cp1252", True),  # the dialect furthest from the workbooks; the other two in the slow tests
        pytest.param(",", "utf-8-sig", False, marks=pytest.mark.slow),
        pytest.param(",", "utf-8", False, marks=pytest.mark.slow),
    ],
)
def test_exports_and_workbooks_give_the_same_staged_values(
    con, raw, codes, tmp_path, delimiter, encoding, decimal_comma
):
    """The same rows, once as workbooks and once as an export in each allowed dialect, stage identically."""
    ingest_wave(con, raw, WAVE, codes)
    exports = tmp_path / "exports"
    (exports / str(WAVE)).mkdir(parents=True)
    per_module: dict[str, list[dict]] = {}
    for code in codes:
        for module, rows in read_sheets(workbook_of(raw, code)).items():
            per_module.setdefault(module, []).extend({"regio_code": code, **r} for r in rows)
    for module, rows in per_module.items():
        sample.write_export(
            exports / str(WAVE) / f"{module}.csv",
            rows,
            delimiter=delimiter,
            encoding=encoding,
            decimal_comma=decimal_comma,
        )
    other = duckdb.connect(":memory:")
    ensure_schema(other)
    result = ingest_wave(other, exports, WAVE, codes)
    assert {s["status"] for s in result.statuses} == {"geladen"}
    for module in MODULES.values():
        cols = ", ".join(f.column for f in module.stored_fields)
        a = con.execute(f"select region_code, {cols} from {module.table} order by all").fetchall()
        b = other.execute(f"select region_code, {cols} from {module.table} order by all").fetchall()
        assert a == b, module.name


def test_rerun_on_the_same_files_changes_nothing(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    before = snapshot(con)
    result = ingest_wave(con, raw, WAVE, codes)
    assert result.n_units_loaded == 0 and result.n_units_unchanged == len(codes) * len(MODULES)
    assert snapshot(con) == before  # loaded_at included: nothing was rewritten


def test_unchanged_wave_is_skipped_without_reading(con, raw, codes, monkeypatch):
    ingest_wave(con, raw, WAVE, codes)
    import pipelines.ingest.loader as ingest

    def boom(*a, **k):
        raise AssertionError("an unchanged wave must not be read")

    monkeypatch.setattr(ingest, "plan_wave", boom)
    assert ingest_wave(con, raw, WAVE, codes, skip_unchanged=True).skipped


def test_a_new_region_set_is_never_skipped(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes, skip_unchanged=True)
    result = ingest_wave(con, raw, WAVE, codes[:-1], skip_unchanged=True)
    assert not result.skipped


def test_workbook_beats_export_and_the_export_rows_are_set_aside(con, raw, pristine, codes):
    shutil.copy(pristine / "csv" / str(WAVE) / "middelen.csv", raw / str(WAVE) / "middelen.csv")
    ingest_wave(con, raw, WAVE, codes)
    rows = status(con)
    set_aside = [r for r in rows if r[2] == f"{WAVE}/middelen.csv"]
    assert {r[0] for r in set_aside} == set(codes) and {r[3] for r in set_aside} == {"vervangen"}
    sources = con.execute("select distinct source_file from stg_equipment").fetchall()
    assert all(s[0].endswith(".xlsx") for s in sources)


def test_export_fills_a_module_the_workbook_lacks(con, raw, pristine, codes):
    code = codes[0]
    rewrite_workbook(workbook_of(raw, code), lambda sheets: sheets.pop("lessen"))
    shutil.copy(pristine / "csv" / str(WAVE) / "lessen.csv", raw / str(WAVE) / "lessen.csv")
    ingest_wave(con, raw, WAVE, codes)
    src = con.execute("select distinct source_file from stg_lessons where region_code = ?", [code]).fetchall()
    assert src == [(f"{WAVE}/lessen.csv",)]


def test_two_workbooks_of_one_region_conflict_and_earlier_data_stays(con, raw, codes):
    code = codes[1]
    ingest_wave(con, raw, WAVE, codes)
    before = con.execute("select * from stg_exercises where region_code = ? order by all", [code]).fetchall()
    original = workbook_of(raw, code)
    shutil.copy(original, original.with_name(f"{code}_versie2.xlsx"))
    rewrite_workbook(original.with_name(f"{code}_versie2.xlsx"), lambda s: s["oefeningen"].clear())
    ingest_wave(con, raw, WAVE, codes)
    rows = [r for r in status(con) if r[0] == code]
    assert {r[3] for r in rows} == {"conflict"}
    assert all(r[4] for r in rows)  # earlier data in use
    assert "meerdere werkboeken" in rows[0][5]
    assert con.execute("select * from stg_exercises where region_code = ? order by all", [code]).fetchall() == before
    others = {r[3] for r in status(con) if r[0] != code}
    assert others == {"geladen"}


def test_a_region_that_sent_nothing_is_missing_not_zero(con, raw, codes):
    workbook_of(raw, codes[2]).unlink()
    ingest_wave(con, raw, WAVE, codes)
    rows = [r for r in status(con) if r[0] == codes[2]]
    assert len(rows) == len(MODULES) and {r[3] for r in rows} == {"ontbreekt"}
    assert con.execute("select count(*) from stg_module_loads where region_code = ?", [codes[2]]).fetchone()[0] == 0


def test_a_removed_file_takes_its_staged_rows_with_it(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    workbook_of(raw, codes[2]).unlink()
    result = ingest_wave(con, raw, WAVE, codes)
    assert result.n_units_removed == len(MODULES)
    assert con.execute("select count(*) from stg_ring_model where region_code = ?", [codes[2]]).fetchone()[0] == 0


def test_rejected_resubmission_keeps_earlier_data_and_says_so(con, raw, codes):
    code = codes[0]
    ingest_wave(con, raw, WAVE, codes)
    before = snapshot(con)

    def break_it(sheets):
        sheets["risico"][0]["kans_score"] = "heel hoog"
        sheets["middelen"][3]["training_gevolgd"] = "soms"

    rewrite_workbook(workbook_of(raw, code), break_it)
    result = ingest_wave(con, raw, WAVE, codes)
    rejected = {r[1]: r for r in status(con) if r[0] == code and r[3] == "afgewezen"}
    assert set(rejected) == {"risico", "middelen"}
    assert all(r[4] for r in rejected.values()) and "blijven in gebruik" in rejected["risico"][5]
    # the modules without errors in the resubmission are loaded from it; the broken ones keep the old rows
    after = snapshot(con)
    assert after["stg_risk_assessments"] == before["stg_risk_assessments"]
    assert after["stg_equipment"] == before["stg_equipment"]
    msgs = [p for p in result.problems if p.region_code == code and p.is_error]
    assert {(p.sheet, p.column, p.row) for p in msgs} == {
        ("risico", "kans_score", 2),
        ("middelen", "training_gevolgd", 5),
    }


def test_rejected_first_submission_has_no_earlier_data(con, raw, codes):
    rewrite_workbook(workbook_of(raw, codes[0]), lambda s: s["risico"][0].update(methode=None, kans_score="x"))
    ingest_wave(con, raw, WAVE, codes)
    row = next(r for r in status(con) if r[0] == codes[0] and r[1] == "risico")
    assert row[3] == "afgewezen" and row[4] is False and "geen eerder geladen" in row[5]


def test_unreadable_workbook_is_rejected_and_the_others_load(con, raw, codes):
    workbook_of(raw, codes[3]).write_bytes(b"PK\x03\x04 this is no workbook")
    result = ingest_wave(con, raw, WAVE, codes)
    assert result.regions_loaded == codes[:3]
    rows = [r for r in status(con) if r[0] == codes[3]]
    assert {r[3] for r in rows} == {"afgewezen"} and "geen geldig Excel-werkboek" in rows[0][5]


def test_module_loads_whole_or_not_at_all(con, raw, codes, monkeypatch):
    """A failure half-way through writing a wave leaves exactly the previous state."""
    ingest_wave(con, raw, WAVE, codes)
    before = snapshot(con)
    rewrite_workbook(workbook_of(raw, codes[0]), lambda s: s["ringenmodel"][0].update(toegang="vrij"))
    rewrite_workbook(workbook_of(raw, codes[1]), lambda s: s["middelen"][0].update(aantal=99))
    import pipelines.ingest.staging as staging

    real = staging._staging_frame
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(args[0].name)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(staging, "_staging_frame", fail_on_second)
    with pytest.raises(OSError):
        ingest_wave(con, raw, WAVE, codes)
    assert len(calls) == 2  # the first module was already written inside the transaction
    assert snapshot(con) == before


def test_ignored_files_are_reported_and_never_read(con, raw, codes, tmp_path):
    folder = raw / str(WAVE)
    (folder / f"~${codes[0]}_regio.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "notities.docx").write_bytes(b"x")
    secret = tmp_path / "outside.csv"
    shutil.copy(next(folder.glob("*.xlsx")), tmp_path / "elsewhere.xlsx")
    secret.write_text("regio_code,datum_ingevuld\nR0001,2024-01-01\n")
    os.symlink(secret, folder / "meta.csv")
    result = ingest_wave(con, raw, WAVE, codes)
    ignored = {f.rel: f.reason for f in result.files if f.kind == "genegeerd"}
    assert set(ignored) == {
        f"{WAVE}/~${codes[0]}_regio.xlsx",
        f"{WAVE}/.DS_Store",
        f"{WAVE}/notities.docx",
        f"{WAVE}/meta.csv",
    }
    assert "symbolische koppeling" in ignored[f"{WAVE}/meta.csv"]
    assert {s["status"] for s in result.statuses} == {"geladen"}
    assert con.execute("select count(*) from stg_problems where rule = 'bestand.genegeerd'").fetchone()[0] == 4


def test_waves_are_year_folders_only(tmp_path):
    for name in ("2023", "2024", "oud", "20245"):
        (tmp_path / name).mkdir()
    os.symlink(tmp_path / "2023", tmp_path / "2022")
    assert list_waves(tmp_path) == [2023, 2024]


@gx
def test_validation_batches_do_not_change_what_is_staged_or_reported(tmp_path, regions, codes):
    """Waves validated one per batch or all in one: the same rows, statuses and problems, and a rejection in
    a later batch names its own wave, file, row and region."""
    from pipelines.ingest.loader import ingest_waves
    from pipelines.ingest.validation import GXValidator

    raw = tmp_path / "raw"
    sample.generate(raw, [2023, WAVE], seed=SEED, regions=regions, form="csv")
    bad_region = codes[2]

    def out_of_range(rows):
        for r in rows:
            if r["regio_code"] == bad_region:
                r["kans_score"] = "9"  # GX: bereik

    def unreadable(rows):
        rows[5]["aantal"] = "veel"  # the reader: type.geheel_getal

    _rewrite_export(raw / str(WAVE) / "risico.csv", out_of_range)
    _rewrite_export(raw / str(WAVE) / "middelen.csv", unreadable)
    risico_line = (
        2
        + [
            i
            for i, line in enumerate((raw / str(WAVE) / "risico.csv").read_text().splitlines()[1:])
            if line.startswith(bad_region)
        ][0]
    )
    middelen_region = (raw / str(WAVE) / "middelen.csv").read_text().splitlines()[6].split(",")[0]
    validator = GXValidator()
    outcomes = []
    for batch_rows in (1, 10**9):  # every wave its own batch; all waves in one batch
        con = duckdb.connect(":memory:")
        ensure_schema(con)
        results = ingest_waves(
            con, raw, [2023, WAVE], codes, validator=validator, now=dt.datetime(2025, 1, 1), batch_rows=batch_rows
        )
        assert [r.wave for r in results] == [2023, WAVE]
        problems = con.execute(
            "select wave, region_code, module, source_file, sheet, row_number, column_name, value, "
            "rule, severity, message from stg_problems order by all"
        ).fetchall()
        outcomes.append((snapshot(con), status(con), status(con, 2023), problems))
        con.close()
    assert outcomes[0] == outcomes[1]
    problems = outcomes[0][3]
    assert (
        WAVE,
        bad_region,
        "risico",
        f"{WAVE}/risico.csv",
        "risico",
        risico_line,
        "kans_score",
        "9",
        "bereik",
        "fout",
    ) in [p[:10] for p in problems]
    assert (
        WAVE,
        middelen_region,
        "middelen",
        f"{WAVE}/middelen.csv",
        "middelen",
        7,
        "aantal",
        "veel",
        "type.geheel_getal",
        "fout",
    ) in [p[:10] for p in problems]
    assert {p[0] for p in problems if p[9] == "fout"} == {WAVE}
    rejected = {(r[0], r[1], r[3]) for r in outcomes[0][1] if r[3] == "afgewezen"}
    assert rejected == {(bad_region, "risico", "afgewezen"), (middelen_region, "middelen", "afgewezen")}


LESSON_WITHOUT_EXERCISE = (
    "select l.region_code, l.lesson_id from stg_lessons l anti join stg_exercises e "
    "on e.wave = l.wave and e.region_code = l.region_code and e.exercise_id = l.source_exercise_id "
    "where l.source = 'oefening'"
)


def test_lessons_are_held_back_when_the_exercises_they_name_are_rejected(con, raw, codes):
    """A resubmission renames its exercises (the lessons follow) but its exercise sheet is rejected: staging
    the new lessons would leave them pointing at exercises that are not in the warehouse, which blocks every
    publication. The earlier, consistent pair stays in use and the lessons' rejection says why."""
    code = codes[0]
    ingest_wave(con, raw, WAVE, codes)
    before = snapshot(con)
    assert con.execute(LESSON_WITHOUT_EXERCISE).fetchall() == []

    def rename_and_break(sheets):
        renamed = {}
        for row in sheets["oefeningen"]:
            renamed[row["oefening_id"]] = new = f"{row['oefening_id']}-herzien"
            row["oefening_id"] = new
        for row in sheets["lessen"]:
            if row.get("bron_oefening_id") in renamed:
                row["bron_oefening_id"] = renamed[row["bron_oefening_id"]]
        sheets["oefeningen"][0]["deelnemers"] = "veel"

    path = workbook_of(raw, code)
    assert any(r.get("bron") == "oefening" for r in read_sheets(path)["lessen"]), "sample lacks lessons from exercises"
    rewrite_workbook(path, rename_and_break)
    result = ingest_wave(con, raw, WAVE, codes)

    assert con.execute(LESSON_WITHOUT_EXERCISE).fetchall() == []
    after = snapshot(con)
    assert after["stg_exercises"] == before["stg_exercises"]
    assert after["stg_lessons"] == before["stg_lessons"]
    rows = {r[1]: r for r in status(con) if r[0] == code}
    assert rows["oefeningen"][3] == "afgewezen" and rows["lessen"][3] == "afgewezen"
    assert rows["lessen"][4] is True and "blijven in gebruik" in rows["lessen"][5]
    why = [p for p in result.problems if p.region_code == code and p.module == "lessen" and p.rule == "bron_oefening"]
    assert len(why) == 1 and "-herzien" in why[0].message and "oefeningen" in why[0].message
    # the region's other modules and the other regions are untouched by the hold-back
    assert all(r[3] == "geladen" for r in status(con) if r[0] != code)
