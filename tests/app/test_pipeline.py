"""The whole pipeline, run as an analyst runs it: `regiobench run` on the shipped sample."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import sample
from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import load_regions
from pipelines.engine import build as engine
from pipelines.ingest.discovery import list_waves
from tests.support import ROOT, read_sheets, run_pipeline

RAW = ROOT / "data" / "raw"
PROBLEMS = ROOT / "tests" / "ground_truth" / "problems.csv"
#: The sample's one file with several problems (pipelines/sample/implausible.py): its meta module is rejected.
BROKEN = (2024, "VR21")
EMAIL = re.compile(rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


pytestmark = pytest.mark.slow  # end-to-end CLI runs: left out of make test-fast


def query(run, sql, params=()):
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_run_prints_steps_with_durations_and_a_summary(shipped_run):
    out = shipped_run.stdout
    assert re.search(r"ingest_returns\s+klaar\s+\d+\.\d s", out)
    assert re.search(r"variation_engine\s+klaar\s+\d+\.\d s", out)
    assert "Peiljaren:" in out
    # the sample's planted broken workbook (its meta) and plausibility warnings (tests/ground_truth/problems.csv)
    assert "Afgewezen of in conflict (1 modules van regio's):\n  2024 VR21 meta (2024/VR21_brabant-noord.xlsx)" in out
    assert "Controleer de aanlevering (8 plausibiliteitswaarschuwing(en)" in out
    assert "  2025 VR09 oefeningen: de module oefeningen heeft geen enkele rij" in out
    assert str(shipped_run.dashboards / "index.html") in out


def test_every_region_and_wave_that_exists_is_loaded(shipped_run):
    regions = [r.code for r in load_regions(ROOT / "data" / "reference")]
    sent = set()
    for wave in list_waves(RAW):
        names = [p.name for p in (RAW / str(wave)).iterdir()]
        if any(n.endswith(".csv") for n in names):  # an export holds every region that has rows in it
            with (RAW / str(wave) / "meta.csv").open("rb") as fh:
                text = fh.read().decode("utf-8-sig", errors="replace")
            delim = ";" if text.split("\n", 1)[0].count(";") else ","
            sent |= {(wave, row["regio_code"]) for row in csv.DictReader(io.StringIO(text), delimiter=delim)}
        sent |= {(wave, n[: len(c)]) for n in names for c in regions if n.startswith(c + "_")}
    loaded = set(query(shipped_run, "select distinct wave, region_code from stg_module_loads"))
    assert loaded == sent
    full = query(
        shipped_run, "select wave, region_code from stg_module_loads group by all having count(*) = ?", [len(MODULES)]
    )
    assert set(full) == sent - {BROKEN}  # its meta is rejected on purpose
    missing = query(
        shipped_run, "select distinct wave, region_code from stg_submission_status where status = 'ontbreekt'"
    )
    assert set(missing) == {(w, r) for w in list_waves(RAW) for r in regions} - sent
    assert len(missing) >= 1  # the sample has a region that misses a wave


def test_the_shipped_sample_rejects_only_its_planted_broken_module(shipped_run):
    assert query(
        shipped_run,
        "select wave, region_code, module from stg_submission_status where status in ('afgewezen', 'conflict')",
    ) == [(*BROKEN, "meta")]
    errors = query(shipped_run, "select distinct wave, region_code, module from stg_problems where severity = 'fout'")
    assert errors == [(*BROKEN, "meta")]


def test_every_planted_problem_is_published_once_with_its_place_and_rule(shipped_run):
    """submission_problems (and benchmark.xlsx) hold exactly the rows of tests/ground_truth/problems.csv: the
    broken file's errors and warnings and every plausibility warning, none on a return without a plant."""
    truth = pd.read_csv(PROBLEMS, dtype={"row_number": "Int64"})
    key = ["wave", "region_code", "module", "sheet", "row_number", "column_name", "rule", "severity"]

    def rows(frame):
        return sorted(map(tuple, frame[key].astype(object).where(frame[key].notna(), None).to_numpy()), key=str)

    mart = pd.read_parquet(shipped_run.marts / "submission_problems.parquet")
    assert rows(mart) == rows(truth) and (truth["cause"] != "background").all()
    sheet = pd.read_excel(shipped_run.marts / "benchmark.xlsx", sheet_name="submission_problems", engine="openpyxl")
    assert len(sheet) == len(truth) and set(sheet["rule"]) == set(truth["rule"])
    register = pd.read_parquet(shipped_run.marts / "variation_register.parquet")
    marked = register[register["check_return"].notna()]
    warned = set(zip(truth.wave, truth.region_code)) - {BROKEN}
    assert set(zip(marked.wave, marked.region_code)) == warned
    # the warning stands beside the verdict's sentence, never in it
    assert not any(c in e for c, e in zip(marked["check_return"], marked["explanation"]))


def test_the_pages_mark_every_warned_verdict_and_list_the_warnings(shipped_run):
    """The quality page lists the plausibility warnings (its own section reads the rule prefix it is given); a
    region page carries check_return for regio.js's mark "controleer de aanlevering" on exactly the warned rows."""
    from pipelines.contract.plausibility import PREFIX
    from pipelines.site import region_file
    from tests.site.test_site import page_data, unpack

    truth = pd.read_csv(PROBLEMS)
    warned = truth[truth["rule"].str.startswith(PREFIX)]
    quality = page_data(shipped_run.dashboards / "kwaliteit.html")
    assert quality["plausible_prefix"] == PREFIX
    listed = [p for p in unpack(quality["problems"]) if str(p["rule"]).startswith(PREFIX)]
    assert sorted((p["wave"], p["region_code"], p["module"], p["rule"]) for p in listed) == sorted(
        zip(warned.wave, warned.region_code, warned.module, warned.rule)
    )
    assert all(p["message"].startswith("controleer de aanlevering: ") for p in listed)
    for code in ("VR09", "VR13"):
        page = shipped_run.dashboards / "regio" / region_file(code)
        data = page_data(page)
        rows = unpack(data["register"], data)
        marked = {(r["wave"], r["indicator_id"]) for r in rows if r.get("check_return")}
        mine = warned[warned.region_code == code]
        expected = {(w, i.id) for w, m in zip(mine.wave, mine.module) for i in engine.INDICATORS if m in i.modules}
        assert marked == expected and (code != "VR09" or marked)


def test_marts_are_published_as_tables_and_files_with_the_contract_columns(shipped_run):
    import openpyxl

    wb = openpyxl.load_workbook(shipped_run.marts / "benchmark.xlsx", read_only=True)
    for name, columns in engine.MART_COLUMNS.items():
        table_cols = [
            c
            for (c,) in query(
                shipped_run,
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            )
        ]
        assert table_cols[: len(columns)] == list(columns), name
        parquet = pd.read_parquet(shipped_run.marts / f"{name}.parquet")
        csv_frame = pd.read_csv(shipped_run.marts / f"{name}.csv")
        assert list(parquet.columns[: len(columns)]) == list(columns)
        assert list(csv_frame.columns) == list(parquet.columns)
        n_rows = query(shipped_run, f"select count(*) from marts.{name}")[0][0]
        assert len(parquet) == len(csv_frame) == n_rows
        if name == "judgement_problems":  # the shipped wegingen.csv is clean: the mart is its ignored rows
            ignored = query(shipped_run, "select count(*) from ref_judgements where problem_rule is not null")[0][0]
            assert n_rows == ignored == 0
        else:
            assert n_rows > 0, name
        header = next(wb[name].iter_rows(min_row=1, max_row=1, values_only=True))
        # the workbook puts the Dutch words of a column of codes beside it, as <column>_label
        codes = [h for h in header if not (h.endswith("_label") and h not in parquet.columns)]
        assert codes == list(parquet.columns), name
        nl = pd.read_csv(shipped_run.marts / "nl" / f"{name}.csv", sep=";", decimal=",", encoding="utf-8-sig")
        assert list(nl.columns) == list(header) and len(nl) == n_rows, name


def test_no_personal_data_anywhere(shipped_run):
    """Names and e-mail addresses from the sample's meta sheets appear in no output and no log."""
    from python_calamine import CalamineWorkbook

    secrets: set[str] = set()
    for wave in list_waves(RAW):
        for path in (RAW / str(wave)).iterdir():
            if path.suffix == ".xlsx":
                rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("meta").to_python()
                header = [str(h).strip().lower() for h in rows[0]]
                records = [dict(zip(header, r)) for r in rows[1:]]
            elif path.name == "meta.csv":
                raw = path.read_bytes()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252")
                delim = ";" if text.split("\n", 1)[0].count(";") else ","
                records = [
                    {k.strip().lower(): v for k, v in r.items()}
                    for r in csv.DictReader(io.StringIO(text), delimiter=delim)
                ]
            else:
                continue
            for r in records:
                secrets |= {str(r.get(k) or "").strip() for k in ("ingevuld_door", "email")}
    secrets.discard("")
    assert len(secrets) > 40  # names and addresses of every region, or the scan proves nothing
    files = [
        shipped_run.warehouse,
        *shipped_run.marts.rglob("*"),
        *shipped_run.dashboards.rglob("*"),
        *shipped_run.validation.rglob("*"),
    ]
    blobs = [(str(p), p.read_bytes()) for p in files if p.is_file()]
    blobs.append(("stdout", shipped_run.stdout.encode()))
    blobs.append(("stderr", shipped_run.stderr.encode()))
    needles = [s.encode() for s in secrets] + [s.encode("utf-16-le") for s in secrets]
    for name, blob in blobs:
        for needle in needles:
            assert needle not in blob, f"{needle!r} found in {name}"
        if not name.endswith("plotly.min.js"):
            assert not EMAIL.search(blob), f"an e-mail address in {name}: {EMAIL.search(blob).group()!r}"


def test_definitions_validate():
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", "pipelines.definitions"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "passed validation" in proc.stderr + proc.stdout


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory, shipped_run):
    """A copy of the shipped raw folder plus one broken resubmission; same warehouse as a first run on the copy."""
    root = tmp_path_factory.mktemp("broken")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    first = run_pipeline(root, raw)
    assert first.returncode == 0, first.stdout[-2000:]
    before = query(first, "select * from marts.indicator_values order by all")
    target = next((raw / "2025").glob("VR13_*.xlsx"))
    sheets = read_sheets(target)
    sheets["risico"][0]["kans_score"] = 9  # a number, so only the range rule of the validation catches it
    sample.write_workbook(target, sheets)
    second = run_pipeline(root, raw)
    return first, second, before


def test_no_change_rerun_does_no_loading_work(broken_run):
    first, second, _ = broken_run  # nothing changed since the fixture's second run
    rerun = run_pipeline(first.root, first.root / "raw")
    assert rerun.returncode == 0
    assert rerun.stdout.count("ongewijzigd sinds de vorige run") == len(list_waves(RAW))


def test_broken_return_is_rejected_and_other_regions_are_unchanged(broken_run):
    first, second, before = broken_run
    assert second.returncode == 0, second.stdout[-2000:]
    rejected = query(
        second,
        "select region_code, module, earlier_data_in_use, message from stg_submission_status "
        "where status = 'afgewezen' and wave = 2025 order by all",  # 2024: the sample's own broken file
    )
    assert [(r[0], r[1], r[2]) for r in rejected] == [("VR13", "risico", True)]
    assert "blijven in gebruik" in rejected[0][3]
    problems = query(
        second,
        "select sheet, row_number, column_name, value, rule from stg_problems "
        "where severity = 'fout' and wave = 2025 order by all",
    )
    assert problems == [("risico", 2, "kans_score", "9", "bereik")]
    assert "VR13" in second.stdout and "afgewezen" in second.stdout.lower()
    after = query(second, "select * from marts.indicator_values order by all")
    assert after == before  # earlier data of VR13 stays in use, every other region is unchanged


def test_strict_run_with_a_rejected_file_publishes_nothing(broken_run, tmp_path):
    first, second, _ = broken_run
    marts_before = {p.name: p.read_bytes() for p in second.marts.iterdir() if p.is_file()}
    (first.root / "raw" / "2025" / "lessen.csv").write_text("regio_code,les_id\nVR99,x\n", encoding="utf-8")
    strict = run_pipeline(first.root, first.root / "raw", "--strict")
    assert strict.returncode == 2, strict.stdout[-2000:]
    assert "niets gepubliceerd" in strict.stdout
    assert {p.name: p.read_bytes() for p in second.marts.iterdir() if p.is_file()} == marts_before
