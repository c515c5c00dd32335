"""The check before Dagster starts: a run that would change nothing skips Dagster, any change does not."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.app import fastpath
from pipelines.app.report import FASTPATH_STEPS
from tests.support import ROOT, run_pipeline

RAW = ROOT / "data" / "raw"
REFERENCE = ROOT / "data" / "reference"
SKIPPED = "Dagster niet gestart"


pytestmark = pytest.mark.slow  # several full pipeline runs (83 s here): left out of make test-fast


@pytest.fixture(scope="module")
def own_run(tmp_path_factory) -> Path:
    """A finished run with its own copy of the returns and the reference (the tests change them)."""
    root = tmp_path_factory.mktemp("fastpath")
    shutil.copytree(RAW, root / "raw")
    shutil.copytree(REFERENCE, root / "reference")
    run = run_pipeline(root, root / "raw", "--reference", str(root / "reference"))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return root


@pytest.fixture
def copy(own_run, tmp_path) -> Path:
    """``own_run``, put back as it was after each test (outputs are fingerprinted with their paths)."""
    keep = tmp_path / "keep"
    for name in ("raw", "reference", "marts", "dashboards"):
        shutil.copytree(own_run / name, keep / name)
    shutil.copyfile(own_run / "warehouse.duckdb", keep / "warehouse.duckdb")
    yield own_run
    for name in ("raw", "reference", "marts", "dashboards"):
        shutil.rmtree(own_run / name)
        shutil.copytree(keep / name, own_run / name)
    shutil.copyfile(keep / "warehouse.duckdb", own_run / "warehouse.duckdb")


def verdict(root: Path) -> fastpath.Verdict:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return fastpath.check(con, root / "raw", root / "reference", root / "marts", root / "dashboards")


def test_the_check_imports_neither_the_engine_nor_dagster():
    """The check runs before anything heavy: the mart names come from the contract, not from the engine."""
    code = (
        "import sys, pipelines.app.fastpath; "
        "print(sorted(m for m in sys.modules if m.startswith(('pipelines.engine', 'dagster'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_copy_of_a_finished_run_is_current(copy):
    v = verdict(copy)
    assert v.current, v.reason
    assert v.waves == sorted(int(p.name) for p in RAW.iterdir() if p.name.isdigit())


def first_file(root: Path, wave: str) -> Path:
    return sorted(p for p in (root / "raw" / wave).iterdir() if p.suffix in (".xlsx", ".csv"))[0]


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda r: first_file(r, "2025").write_bytes(first_file(r, "2025").read_bytes() + b"\0"), "2025 gewijzigd"),
        (lambda r: first_file(r, "2024").rename(first_file(r, "2024").with_name("VR99 extra.xlsx")), "2024 gewijzigd"),
        (lambda r: first_file(r, "2023").unlink(), "2023 gewijzigd"),
        (lambda r: shutil.rmtree(r / "raw" / "2019"), "verdwenen"),
        (lambda r: shutil.copytree(r / "raw" / "2025", r / "raw" / "2026"), "toegevoegd"),
        (
            lambda r: (r / "reference" / "regions.csv").write_text(
                (r / "reference" / "regions.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
            ),
            "niet actueel",
        ),
        (
            lambda r: (r / "reference" / "wegingen.csv").write_text(
                (r / "reference" / "wegingen.csv").read_text(encoding="utf-8")
                + "2025,VR01,equipment_parity,manschap/helm,verworpen,Geen reden.,,\n",
                encoding="utf-8",
            ),
            "niet actueel",
        ),
        (lambda r: (r / "marts" / "benchmark.xlsx").unlink(), "martbestanden ontbreken"),
        (lambda r: (r / "dashboards" / "index.html").unlink(), "dashboards ontbreken"),
    ],
    ids=["changed", "renamed", "removed", "wave-gone", "wave-new", "reference", "judgement", "mart-file", "site"],
)
def test_any_change_means_not_current(copy, change, reason):
    change(copy)
    v = verdict(copy)
    assert not v.current
    assert reason in v.reason


def test_other_output_folders_are_other_outputs(copy):
    shutil.copytree(copy / "marts", copy / "marts2")
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as con:
        v = fastpath.check(con, copy / "raw", copy / "reference", copy / "marts2", copy / "dashboards")
    shutil.rmtree(copy / "marts2")
    assert not v.current and "mart_files" in v.reason


def test_a_warehouse_without_marts_is_not_current(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table raw_wave_fingerprints (wave integer, fingerprint varchar)")
        v = fastpath.check(con, RAW, REFERENCE, tmp_path / "marts", tmp_path / "dashboards")
    assert not v.current


def test_the_cli_skips_dagster_only_when_nothing_changed(copy):
    rerun = run_pipeline(copy, copy / "raw", "--reference", str(copy / "reference"))
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    assert SKIPPED in rerun.stdout
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as con:
        last = con.execute(
            "select trigger, step, units_loaded, files_rejected, waves from run_history "
            "order by recorded_at desc limit 1"
        ).fetchall()[0]
    assert last[:4] == ("cli", "laden", 0, 0) and last[4].startswith("2019")

    # One changed workbook (the date it was filled in, a day earlier): the real run starts and reads 2025.
    target = first_file(copy, "2025")
    wb = openpyxl.load_workbook(target)
    meta = next(ws for ws in wb.worksheets if ws.title.strip().lower() == "meta")
    header = [str(c.value).strip().lower() for c in meta[1]]
    cell = meta.cell(2, header.index("datum_ingevuld") + 1)
    assert isinstance(cell.value, (dt.date, dt.datetime)), cell.value
    cell.value = cell.value - dt.timedelta(days=1)
    wb.save(target)
    changed = run_pipeline(copy, copy / "raw", "--reference", str(copy / "reference"))
    assert changed.returncode == 0, changed.stdout[-2000:]
    assert SKIPPED not in changed.stdout
    assert "ingest_returns" in changed.stdout and "2025: ongewijzigd" not in changed.stdout
    assert "2024: ongewijzigd" in changed.stdout and "0 bestand(en) afgewezen" in changed.stdout


def test_the_no_change_run_reports_every_step_as_skipped_and_prints_no_step_lines(copy):
    rerun = run_pipeline(copy, copy / "raw", "--reference", str(copy / "reference"), "--json")
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    report = json.loads(rerun.stdout)  # stdout is only the report; the Dutch lines are on stderr
    assert report["fast_path"] is True and report["outcome"] == "ok" and report["exit_code"] == 0
    assert [(st["name"], st["status"]) for st in report["steps"]] == [(n, "skipped-current") for n in FASTPATH_STEPS]
    assert report["published"]["marts"] is False and report["published"]["dashboards"] is False
    # nothing loaded; the files rejected in the warehouse are the sample's one broken workbook (pipelines/sample)
    assert report["counts"]["units_loaded"] == 0 and report["counts"]["files_rejected"] == 1
    assert SKIPPED in rerun.stderr
    assert not any(line.split()[:2] in ([n, "klaar"] for n in FASTPATH_STEPS) for line in rerun.stderr.splitlines())
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute("select step, report from run_history where run_id = ?", [report["run_id"]]).fetchall()
    assert [(step, json.loads(text)) for step, text in stored] == [("laden", report)]
