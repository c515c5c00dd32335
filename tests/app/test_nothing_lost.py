"""Issue 15, points 1, 3 and 4: a bad file or folder never deletes earlier data without a word.

Against a loaded baseline of the shipped sample (loaded once, copied per case, one file or folder
changed per wave, rerun through the CLI): the affected region's earlier data stays in use, the
problem is in ``stg_problems`` (per region), on the quality page and in the run's output, exit 0,
no traceback. The finer rules, with the ingest driven directly, are in
tests/ingest/test_nothing_lost_ingest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.contract.codebook import MODULES
from pipelines.ingest.discovery import (
    wave_range,
)
from tests.support import ROOT, run_pipeline

SAMPLE_RAW = ROOT / "data" / "raw"


# ------------------------------------------------------------------ against a loaded baseline (CLI runs)


pytestmark = pytest.mark.slow  # a pipeline run per case: left out of make test-fast


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The shipped sample loaded once; cases copy the raw folder and the warehouse."""
    root = tmp_path_factory.mktemp("baseline")
    shutil.copytree(SAMPLE_RAW, root / "raw")
    run = run_pipeline(root, root / "raw")
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def _copy_case(baseline, dest: Path) -> Path:
    shutil.copytree(baseline.root / "raw", dest / "raw")
    shutil.copy(baseline.warehouse, dest / "warehouse.duckdb")
    return dest


def _q(run, sql, params=None):
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _clean(run):
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout and "Traceback" not in run.stderr


def _quality_page(run) -> str:
    return (run.dashboards / "kwaliteit.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bad_files(baseline, tmp_path_factory):
    """One rerun with one bad file per wave (and bad folders beside the waves)."""
    root = _copy_case(baseline, tmp_path_factory.mktemp("bad_files"))
    raw = root / "raw"
    (raw / "2020" / "risico.csv").write_bytes(b"")  # an interrupted copy: 0 bytes
    ringen = raw / "2019" / "ringenmodel.csv"  # header only
    ringen.write_bytes(ringen.read_bytes().split(b"\n", 1)[0] + b"\n")
    lessen = raw / "2022" / "lessen.csv"
    if not lessen.exists():  # 2022 holds workbooks in the sample: truncate an export wave instead
        lessen = raw / "2019" / "lessen.csv"
    data = lessen.read_bytes()
    lessen.write_bytes(data[: int(len(data) * 0.45)])  # cut mid-way
    shutil.copy(raw / "2021" / "risico.csv", raw / "2021" / "Risico.CSV")  # two exports of one module
    vr13 = next((raw / "2024").glob("VR13_*.xlsx"))
    vr13.rename(vr13.with_suffix(".xlsm"))  # the workbook replaced by a form that is not read
    for name in ("2025 (kopie)", "0224", "oud", "2026"):
        (raw / name).mkdir()
    shutil.copytree(raw / "2025", raw / "2099")
    run = run_pipeline(root, raw)
    return run, lessen.relative_to(raw).as_posix()


def test_bad_files_run_cleanly(bad_files):
    run, _ = bad_files
    _clean(run)


def test_no_verdict_of_the_loaded_waves_changes(baseline, bad_files):
    run, _ = bad_files
    sql = (
        "select wave, region_code, indicator_id, verdict from marts.variation_register where wave <= 2025 order by all"
    )
    assert _q(run, sql) == _q(baseline, sql)
    staged = "select count(*), count(distinct region_code) from {} where wave = ?"
    for table, wave in (
        ("stg_risk_assessments", 2020),
        ("stg_ring_model", 2019),
        ("stg_lessons", 2019),
        ("stg_exercises", 2024),
    ):
        assert _q(run, staged.format(table), [wave]) == _q(baseline, staged.format(table), [wave])


@pytest.mark.parametrize(
    "wave, file, module", [(2020, "2020/risico.csv", "risico"), (2019, "2019/ringenmodel.csv", "ringenmodel")]
)
def test_empty_and_header_only_exports_reject_every_region_and_keep_their_data(bad_files, wave, file, module):
    run, _ = bad_files
    rows = _q(
        run,
        "select region_code, status, earlier_data_in_use from marts.submission_status where wave = ? and module = ?",
        [wave, module],
    )
    assert len(rows) == 25
    assert {(s, e) for _, s, e in rows} == {("afgewezen", True)}
    per_region = _q(
        run,
        "select count(distinct region_code) from stg_problems where wave = ? and module = ? "
        "and source_file = ? and rule = 'export.regio_ontbreekt'",
        [wave, module, file],
    )
    assert per_region == [(25,)]
    assert file in run.stdout
    page = _quality_page(run)
    assert "export.regio_ontbreekt" in page and file in page


def test_empty_export_carries_the_files_own_problem_to_every_region(bad_files):
    run, _ = bad_files
    rows = _q(
        run,
        "select count(distinct region_code) from stg_problems where wave = 2020 and module = 'risico' "
        "and rule <> 'export.regio_ontbreekt' and severity = 'fout' and region_code is not null",
    )
    assert rows == [(25,)]  # "het blad is leeg", attached per region


def test_truncated_export_rejects_the_regions_it_lost(baseline, bad_files):
    run, lessen = bad_files
    wave = int(lessen.split("/")[0])
    rows = _q(
        run,
        "select region_code, status, earlier_data_in_use from marts.submission_status "
        "where wave = ? and module = 'lessen'",
        [wave],
    )
    statuses = {s for _, s, _ in rows}
    assert "ontbreekt" not in statuses
    lost = {r for r, s, e in rows if s == "afgewezen" and e}
    assert len(lost) >= 5  # 55 % of the bytes gone: many regions lost their rows
    assert {
        r
        for (r,) in _q(
            run,
            "select distinct region_code from stg_problems where wave = ? and module = 'lessen' and severity = 'fout'",
            [wave],
        )
    } >= lost
    assert _q(run, "select count(*) from stg_lessons where wave = ?", [wave]) == _q(
        baseline, "select count(*) from stg_lessons where wave = ?", [wave]
    )


def test_two_exports_of_one_module_in_any_case_conflict(bad_files):
    run, _ = bad_files
    rows = _q(
        run,
        "select distinct source_file, status, earlier_data_in_use from marts.submission_status "
        "where wave = 2021 and module = 'risico' and lower(source_file) like '%.csv'",
    )
    assert {(f, s, e) for f, s, e in rows} == {
        ("2021/Risico.CSV", "conflict", True),
        ("2021/risico.csv", "conflict", True),
    }
    assert _q(
        run, "select count(distinct region_code) from stg_problems where wave = 2021 and rule = 'export.dubbel'"
    ) == [(24,)]  # every region but VR21, whose workbook holds risico
    assert "2021/Risico.CSV" in run.stdout and "2021/Risico.CSV" in _quality_page(run)


def test_a_workbook_replaced_by_xlsm_keeps_its_data_and_is_named(baseline, bad_files):
    run, _ = bad_files
    rows = _q(
        run,
        "select module, status, earlier_data_in_use, source_file from marts.submission_status "
        "where wave = 2024 and region_code = 'VR13'",
    )
    assert {(s, e) for _, s, e, _ in rows} == {("afgewezen", True)}
    xlsm = rows[0][3]
    assert xlsm.endswith(".xlsm")
    assert f"{xlsm}: bestandsvorm .xlsm wordt niet gelezen" in run.stdout
    assert _q(
        run, "select count(*) from stg_problems where wave = 2024 and region_code = 'VR13' and rule = 'bestand.vorm'"
    ) == [(len(MODULES),)]
    assert xlsm in _quality_page(run)


def test_folders_that_are_not_waves_are_reported_and_never_loaded(bad_files):
    run, _ = bad_files
    first, last = wave_range()
    for name in ("2025 (kopie)", "0224", "oud", "2099"):
        assert f"{name}/ niet gelezen" in run.stdout
        assert _q(run, "select count(*) from stg_problems where wave is null and source_file = ?", [f"{name}/"]) == [
            (1,)
        ]
    assert f"een jaartal van {first} tot en met {last}" in run.stdout
    assert _q(run, "select count(*) from stg_module_loads where wave in (224, 2099)") == [(0,)]
    page = _quality_page(run)
    assert "2025 (kopie)/" in page and "0224/" in page and "map.geen_peiljaar" in page


def test_an_empty_wave_is_reported_and_never_the_default(bad_files):
    run, _ = bad_files
    assert "peiljaar 2026 heeft geen aanleveringen" in run.stdout
    assert _q(run, "select count(*) from stg_problems where wave = 2026 and rule = 'peiljaar.leeg'") == [(1,)]
    common = (run.dashboards / "assets" / "data" / "common.js").read_text(encoding="utf-8")
    assert '"default_wave":2025' in common
    assert '<option value="2025" selected>' in (run.dashboards / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def renamed(baseline, tmp_path_factory):
    """A wave folder renamed (a trailing space) and an ignored file beside an unchanged wave; rerun twice."""
    root = _copy_case(baseline, tmp_path_factory.mktemp("renamed"))
    raw = root / "raw"
    (raw / "2025").rename(raw / "2025 ")
    (raw / "2023" / "notities.ods").write_bytes(b"not read")
    first = run_pipeline(root, raw)
    second = run_pipeline(root, raw)
    return first, second


def test_a_renamed_wave_folder_keeps_the_wave_and_says_so(baseline, renamed):
    run, _ = renamed
    _clean(run)
    assert "2025 / niet gelezen" in run.stdout and "blijft in gebruik" in run.stdout
    sql = "select count(*) from stg_exercises where wave = 2025"
    assert _q(run, sql) == _q(baseline, sql)
    reg = "select region_code, indicator_id, verdict from marts.variation_register where wave = 2025 order by all"
    assert _q(run, reg) == _q(baseline, reg)
    assert "2025 /" in _quality_page(run)


def test_an_ignored_file_is_noticed_and_reported_on_every_run(renamed):
    first, second = renamed
    _clean(first)
    _clean(second)
    assert "2023: ongewijzigd" not in first.stdout  # the new .ods changed the wave's fingerprint
    assert "2023/notities.ods: bestandsvorm .ods wordt niet gelezen" in first.stdout
    assert "niets gewijzigd sinds de vorige geslaagde run" in second.stdout  # the fast path
    assert "2023/notities.ods: bestandsvorm .ods wordt niet gelezen" in second.stdout
    assert "2025 / niet gelezen" in second.stdout
    assert "notities.ods" in _quality_page(second)
