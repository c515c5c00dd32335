"""Issue 15, points 1, 3 and 4, at the level of the ingest: a bad export or folder never deletes earlier
data without a word. The withdrawal convention, a region that moved from an export to a workbook and back,
two exports of a module, the wave-folder rules and the fingerprint of ignored files; the same promises
through whole CLI runs are in tests/app/test_nothing_lost.py.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from pipelines.ingest.discovery import (
    FIRST_WAVE,
    WAVES_AHEAD,
    discover_wave,
    fingerprint,
    held_waves,
    list_waves,
    scan_root,
    wave_range,
)
from pipelines.ingest.loader import ingest_wave
from tests.factories import rewrite_export as _rewrite_export

pytestmark = pytest.mark.slow  # kept with the CLI cases of issue 15 out of make test-fast

WAVE = 2024  # the exported wave of the world in conftest.py


@pytest.fixture
def raw(tmp_path, pristine):
    """The world's exports (conftest.py), copied to be changed."""
    shutil.copytree(pristine / "csv", tmp_path / "raw")
    return tmp_path / "raw"


def _status(con, module):
    return {
        r: (s, e, f)
        for r, s, e, f in con.execute(
            "select region_code, status, earlier_data_in_use, source_file from stg_submission_status "
            "where wave = ? and module = ? and status <> 'vervangen'",
            [WAVE, module],
        ).fetchall()
    }


def _rows(con, table, code, provenance=True):
    drop = "loaded_at" if provenance else "loaded_at, source_sha256, source_row"
    return con.execute(f"select * exclude ({drop}) from {table} where region_code = ? order by all", [code]).fetchall()


def test_withdrawing_a_region_from_an_export_on_purpose_removes_it(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    gone, kept = codes[0], codes[1]
    before_kept = _rows(con, "stg_ring_model", kept, provenance=False)

    def withdraw(rows):
        mine = [r for r in rows if r["regio_code"] == gone]
        rows[:] = [r for r in rows if r["regio_code"] != gone]
        rows.append({k: (gone if k == "regio_code" else "") for k in mine[0]})

    _rewrite_export(raw / str(WAVE) / "ringenmodel.csv", withdraw)
    ingest_wave(con, raw, WAVE, codes)
    st = _status(con, "ringenmodel")
    assert (
        st[gone][0] == "ontbreekt"
        and "ingetrokken"
        in con.execute(
            "select message from stg_submission_status where wave = ? and region_code = ? and module = 'ringenmodel'",
            [WAVE, gone],
        ).fetchone()[0]
    )
    assert _rows(con, "stg_ring_model", gone) == []
    assert _rows(con, "stg_ring_model", kept, provenance=False) == before_kept and st[kept][0] == "geladen"
    assert con.execute("select count(*) from stg_problems where severity = 'fout'").fetchone()[0] == 0


def test_a_region_left_out_of_an_export_is_rejected_not_deleted(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    code = codes[2]
    before = _rows(con, "stg_equipment", code)
    _rewrite_export(
        raw / str(WAVE) / "middelen.csv",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r["regio_code"] != code]),
    )
    ingest_wave(con, raw, WAVE, codes)
    assert _status(con, "middelen")[code][:2] == ("afgewezen", True)
    assert _rows(con, "stg_equipment", code) == before
    msg = con.execute(
        "select message from stg_problems where region_code = ? and rule = 'export.regio_ontbreekt'", [code]
    ).fetchone()[0]
    assert "bevat geen rijen (meer)" in msg and "intrekken" in msg


def test_an_export_that_lists_fewer_regions_because_one_sent_a_workbook_is_fine(con, raw, pristine, codes):
    ingest_wave(con, raw, WAVE, codes)
    code = codes[3]
    wb = next((pristine / "xlsx" / str(WAVE)).glob(f"{code}_*.xlsx"))
    shutil.copy(wb, raw / str(WAVE) / wb.name)
    _rewrite_export(
        raw / str(WAVE) / "risico.csv",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r["regio_code"] != code]),
    )
    ingest_wave(con, raw, WAVE, codes)
    assert _status(con, "risico")[code] == ("geladen", False, f"{WAVE}/{wb.name}")
    assert con.execute("select count(*) from stg_problems where rule = 'export.regio_ontbreekt'").fetchone() == (0,)


def test_a_region_back_from_a_workbook_to_the_export(con, raw, pristine, codes):
    code = codes[3]
    wb = next((pristine / "xlsx" / str(WAVE)).glob(f"{code}_*.xlsx"))
    shutil.copy(wb, raw / str(WAVE) / wb.name)
    ingest_wave(con, raw, WAVE, codes)
    assert _status(con, "risico")[code][2].endswith(".xlsx")
    (raw / str(WAVE) / wb.name).unlink()  # the export holds its rows: it is used now
    ingest_wave(con, raw, WAVE, codes)
    assert _status(con, "risico")[code] == ("geladen", False, f"{WAVE}/risico.csv")
    # ... and when the export does not list it either, removing the workbook removed what it supplied
    shutil.copy(wb, raw / str(WAVE) / wb.name)
    _rewrite_export(
        raw / str(WAVE) / "risico.csv",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r["regio_code"] != code]),
    )
    ingest_wave(con, raw, WAVE, codes)
    (raw / str(WAVE) / wb.name).unlink()
    ingest_wave(con, raw, WAVE, codes)
    assert _status(con, "risico")[code][0] == "ontbreekt"
    assert _rows(con, "stg_risk_assessments", code) == []


def test_two_exports_of_a_module_conflict_and_keep_earlier_data(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    before = con.execute("select * exclude (loaded_at) from stg_plan_characteristics order by all").fetchall()
    other = raw / str(WAVE) / "PLANVORMING.csv"
    _rewrite_export(raw / str(WAVE) / "planvorming.csv", lambda rows: None)
    shutil.copy(raw / str(WAVE) / "planvorming.csv", other)
    _rewrite_export(other, lambda rows: rows.__setitem__(slice(None), rows[:1]))
    ingest_wave(con, raw, WAVE, codes)
    rows = con.execute(
        "select distinct source_file, status, earlier_data_in_use from stg_submission_status "
        "where module = 'planvorming'"
    ).fetchall()
    assert set(rows) == {(f"{WAVE}/PLANVORMING.csv", "conflict", True), (f"{WAVE}/planvorming.csv", "conflict", True)}
    assert con.execute("select * exclude (loaded_at) from stg_plan_characteristics order by all").fetchall() == before


def test_wave_folders_are_years_in_the_documented_range(tmp_path):
    today = dt.date(2026, 12, 5)
    for name in ("2019", "2026", "2027", "2028", "2099", "1999", "0224", "2025 (kopie)", "2023 ", "oud", "20245"):
        (tmp_path / name).mkdir()
    (tmp_path / "los.csv").write_text("x")
    os.symlink(tmp_path / "2019", tmp_path / "2018")
    waves, notes = scan_root(tmp_path, today)
    assert wave_range(today) == (FIRST_WAVE, 2026 + WAVES_AHEAD) == (2000, 2027)
    assert waves == [2019, 2026, 2027]
    assert sorted(n.name for n in notes) == sorted(
        ["2028", "2099", "1999", "0224", "2025 (kopie)", "2023 ", "oud", "20245", "los.csv", "2018"]
    )
    by_name = {n.name: n for n in notes}
    assert by_name["2025 (kopie)"].year == 2025 and by_name["2023 "].year == 2023 and by_name["0224"].year is None
    assert held_waves(waves, notes) == [2023, 2025]
    assert "blijft in gebruik" in by_name["2025 (kopie)"].reason
    assert all(n.problem().severity == "waarschuwing" for n in notes)
    assert list_waves(tmp_path) == [w for w in waves if w <= wave_range()[1]]


def test_a_leading_zero_folder_never_crashes_the_ingest(tmp_path, codes):
    (tmp_path / "0224").mkdir()
    (tmp_path / "0224" / "risico.csv").write_text("regio_code\n")
    assert list_waves(tmp_path) == []


def test_an_ignored_file_changes_the_wave_fingerprint(raw, codes):
    before = fingerprint(discover_wave(raw, WAVE, codes)[0])
    (raw / str(WAVE) / f"{codes[0]}_nieuw.xlsm").write_bytes(b"x")
    files, problems = discover_wave(raw, WAVE, codes)
    assert fingerprint(files) != before
    xlsm = [f for f in files if f.rel.endswith(".xlsm")]
    assert xlsm[0].region_code == codes[0]  # named for the region: its earlier data is kept (see above)
    assert any(p.rule == "bestand.genegeerd" and p.file == xlsm[0].rel for p in problems)


def test_an_export_cut_mid_row_rejects_the_region_of_the_cut_row(con, raw, codes):
    ingest_wave(con, raw, WAVE, codes)
    path = raw / str(WAVE) / "oefeningen.csv"
    before = {c: _rows(con, "stg_exercises", c) for c in codes}
    data = path.read_bytes()
    cut = data.rstrip(b"\r\n")
    path.write_bytes(cut[: len(cut) - 3])  # the last row loses its last characters and its line break
    last = con.execute("select region_code from stg_exercises order by source_row desc limit 1").fetchone()[0]
    ingest_wave(con, raw, WAVE, codes)
    st = _status(con, "oefeningen")
    assert st[last][:2] == ("afgewezen", True)
    assert _rows(con, "stg_exercises", last) == before[last]
    assert con.execute(
        "select count(*) from stg_problems where rule = 'export.afgebroken' and region_code = ?", [last]
    ).fetchone() == (1,)
    assert {c for c in codes if st[c][0] == "geladen"} == set(codes) - {last}
