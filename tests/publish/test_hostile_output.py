"""End to end with hostile input: `regiobench run` on the shipped returns plus payloads and broken files.

One region's 2025 workbook carries HTML, JavaScript, spreadsheet formulas, a right-to-left override and an
emoji in every free-text field that reaches the outputs; three other regions' 2025 workbooks are a sparse
grid bomb, a shared-strings bomb and random bytes; the wave folder also holds Excel's lock file, .DS_Store,
a link to /etc/passwd and a workbook with a right-to-left override in its name. The run must finish, load
every other region, publish CSV with the formula guard, an XLSX without formulas and dashboards in which no
script runs and the payloads are text. A second run while another process holds the warehouse lock exits
with code 3 and changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines import sample
from tests.ingest.corpus import huge_string_count, random_bytes, sparse_grid
from tests.support import REGIOBENCH, ROOT, read_sheets

RAW = ROOT / "data" / "raw"
WAVE = 2025
XSS = ["<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=1">']
FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(1)", "-1+1"]
PAYLOADS = XSS + FORMULAS + ["\u202eevil", "🚒 brandweer"]
TARGET = "VR13"
BROKEN = {"VR05": sparse_grid, "VR06": huge_string_count, "VR07": random_bytes}
CHROMIUM = os.environ.get("REGIOBENCH_CHROMIUM", "/usr/bin/chromium")


pytestmark = pytest.mark.slow  # CLI runs on hostile corpora: left out of make test-fast


def _plant_payloads(path: Path) -> None:
    sheets = read_sheets(path)
    for i, row in enumerate(sheets["lessen"]):
        row["omschrijving"] = PAYLOADS[i % len(PAYLOADS)]
    sheets["risico"][0]["toelichting"] = FORMULAS[0]
    for i, row in enumerate(sheets["ringenmodel"]):
        row["afwijking_toelichting"] = PAYLOADS[i % len(PAYLOADS)]
    for i, row in enumerate(sheets["middelen"]):
        row["afwijking_toelichting"] = PAYLOADS[(i + 3) % len(PAYLOADS)]
    for i, row in enumerate(sheets["planvorming"]):
        row["onderbouwing"] = PAYLOADS[(i + 5) % len(PAYLOADS)]
    sample.write_workbook(path, sheets)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-run")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    folder = raw / str(WAVE)
    _plant_payloads(next(folder.glob(f"{TARGET}_*.xlsx")))
    for code, build in BROKEN.items():
        path = next(folder.glob(f"{code}_*.xlsx"))
        template = root / path.name
        shutil.copy(path, template)
        build(template, path)
    lock = folder / f"~${next(folder.glob(f'{TARGET}_*.xlsx')).name}"
    lock.write_bytes(b"\x00lock")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "risico.csv").symlink_to("/etc/passwd")
    vr08 = next(folder.glob("VR08_*.xlsx"))
    vr08.rename(folder / "VR08_\u202excl.exe.xlsx")  # displays as VR08_exe.lcx.xlsx where bidi is honoured
    tmpdir = root / "tmp"
    tmpdir.mkdir()
    out = root / "out"
    out.mkdir()
    env = dict(os.environ, PYTHONUNBUFFERED="1", TMPDIR=str(tmpdir))
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.run(
        [
            *REGIOBENCH,
            "run",
            "--raw",
            str(raw),
            "--warehouse",
            str(out / "warehouse.duckdb"),
            "--marts",
            str(out / "marts"),
            "--dashboards",
            str(out / "dashboards"),
            "--validation",
            str(out / "validation"),
        ],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(root=root, out=out, raw=raw, tmpdir=tmpdir, stdout=proc.stdout, stderr=proc.stderr)


def query(run, sql, params=()):
    with duckdb.connect(str(run["out"] / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_run_finishes_and_every_other_region_loads(hostile_run):
    rows = query(
        hostile_run, "select region_code, module, status, message from stg_submission_status where wave = ?", [WAVE]
    )
    by_region: dict[str, set[str]] = {}
    for region, module, status, message in rows:
        by_region.setdefault(region, set()).add(status)
        if region in BROKEN:
            assert status == "afgewezen" and message, (region, module)
    assert {r: by_region[r] for r in BROKEN} == {r: {"afgewezen"} for r in BROKEN}
    assert all(s == {"geladen"} for r, s in by_region.items() if r not in BROKEN), by_region
    assert len(by_region) == 25
    ignored = {
        r[0]: r[1]
        for r in query(
            hostile_run,
            "select source_file, note from raw_file_inventory where wave = ? and kind = 'genegeerd'",
            [WAVE],
        )
    }
    assert set(ignored) == {
        f"{WAVE}/~$" + next((hostile_run["raw"] / str(WAVE)).glob(f"{TARGET}_*.xlsx")).name,
        f"{WAVE}/.DS_Store",
        f"{WAVE}/risico.csv",
    }
    assert "root:" not in repr(query(hostile_run, "select * from stg_problems"))  # /etc/passwd never read
    # the run's own output names every rejected file, and no name can forge a line or flip the text
    out = hostile_run["stdout"]
    assert all(f"{WAVE} {r}" in out for r in BROKEN)
    assert "\u202e" not in out + hostile_run["stderr"]
    assert f"{WAVE}/VR08_\\u202excl.exe.xlsx" in {
        r[0] for r in query(hostile_run, "select distinct source_file from stg_module_loads where region_code = 'VR08'")
    }


def test_csv_exports_never_start_a_formula(hostile_run):
    starters = ("=", "+", "-", "@", "\t", "\r")
    seen: set[str] = set()
    seen_dutch: set[str] = set()
    marts = hostile_run["out"] / "marts"
    for path in sorted([*marts.glob("*.csv"), *marts.glob("nl/*.csv")]):
        dutch = path.parent.name == "nl"  # for Dutch Excel: ';' and a decimal comma
        with path.open(encoding="utf-8-sig" if dutch else "utf-8", newline="") as fh:
            for row in csv.reader(fh, delimiter=";" if dutch else ","):
                for cell in row:
                    (seen_dutch if dutch else seen).add(cell)
                    if cell.startswith(starters):
                        try:
                            float(cell.replace(",", ".") if dutch else cell)  # a negative number is no formula
                        except ValueError:
                            pytest.fail(f"{path.name}: {cell!r} would start a formula in a spreadsheet")
    for texts in (seen, seen_dutch):
        assert {"'" + f for f in FORMULAS} <= texts  # the payloads reached the CSV files, guarded
        assert set(XSS) <= texts and "\u202eevil" in texts  # other text unchanged


def test_xlsx_export_holds_no_formula(hostile_run):
    import openpyxl

    wb = openpyxl.load_workbook(hostile_run["out"] / "marts" / "benchmark.xlsx", read_only=True)
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.data_type == "s":
                    texts.add(cell.value)
    assert set(FORMULAS) <= texts  # the exact text, as text: a spreadsheet shows it, never evaluates it
    wb.close()


def test_dashboards_show_payloads_as_text_and_run_no_script(hostile_run):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"Chromium ontbreekt op {CHROMIUM} (make browser)"
    dash = hostile_run["out"] / "dashboards"
    pages = sorted(dash.rglob("*.html"))
    assert len(pages) >= 30
    shown: dict[str, str] = {}
    dialogs: list[str] = []

    def browse():
        # In a thread of its own: the browser tests' session-wide Playwright keeps an asyncio loop
        # running in the main thread, and the sync API refuses to start inside one.
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                page = browser.new_context().new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                for path in pages:
                    page.goto(path.as_uri())
                    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
                    name = str(path.relative_to(dash))
                    assert page.evaluate("typeof window.__xss") == "undefined", name
                    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0, name
                    shown[name] = page.evaluate("document.body.innerText")
            finally:
                browser.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(browse).result()
    assert dialogs == []
    profile = shown[f"regio/{TARGET}.html"]  # the region's own page shows its lessons and explanations
    for payload in XSS + [FORMULAS[0], "\u202eevil"]:
        assert payload in profile, payload  # as text: the markup is visible, not interpreted
    for name, text in shown.items():
        assert "VR08_\u202e" not in text, name  # a file name is shown escaped, never as a bidi override


def test_no_run_log_is_left_behind(hostile_run):
    """The CLI's output is its stdout/stderr (scanned for personal data in test_pipeline.py); Dagster's
    ephemeral instance keeps its event log in memory: nothing is written to the temporary folder or the
    run's working folder besides the outputs."""
    assert sorted(p.name for p in hostile_run["tmpdir"].iterdir()) == []
    assert sorted(p.name for p in hostile_run["out"].iterdir()) == sorted(
        ["dashboards", "marts", "validation", "warehouse.duckdb", "warehouse.duckdb.lock"]
    )


HOLD = """
import sys, time
from pathlib import Path
from pipelines.app.runlock import write_lock
with write_lock(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    time.sleep(300)
"""


def test_a_locked_warehouse_exits_3_and_changes_nothing(hostile_run):
    out = hostile_run["out"]
    before = {name: _tree_digest(out / name) for name in ("marts", "dashboards")}
    warehouse = hashlib.sha256((out / "warehouse.duckdb").read_bytes()).hexdigest()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out / "warehouse.duckdb")], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run(
            [
                *REGIOBENCH,
                "run",
                "--raw",
                str(hostile_run["raw"]),
                "--warehouse",
                str(out / "warehouse.duckdb"),
                "--marts",
                str(out / "marts"),
                "--dashboards",
                str(out / "dashboards"),
                "--validation",
                str(out / "validation"),
                "--wait",
                "1",
            ],
            cwd=out,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "een andere run schrijft al naar" in proc.stderr and "zonder iets te wijzigen" in proc.stderr
    assert f"pid {holder.pid}" in proc.stderr  # who holds it
    assert hashlib.sha256((out / "warehouse.duckdb").read_bytes()).hexdigest() == warehouse
    assert {name: _tree_digest(out / name) for name in ("marts", "dashboards")} == before
