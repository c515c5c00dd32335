"""regiobench's benchmark (``make bench``): wall time per stage and peak memory of whole runs.

Not a test: it measures and reports, it never fails on a missed target (exit 0 when
every run it started finished; 1 when a run crashed or was stopped). Every run is a
fresh ``python -m pipelines.app.cli run`` process; nothing is imported into this process
except the standard library. bench/README.md says what each case means.

    .venv/bin/python bench/run_bench.py                     # what `make bench` runs
    .venv/bin/python bench/run_bench.py --cases sample --reps 1
    .venv/bin/python bench/run_bench.py --profile           # also pyinstrument (pip install pyinstrument)

Output: bench/results.md (the table), bench/out/results.json (every run),
bench/out/logs/ (the CLI output of every run), bench/out/profile/ (with --profile).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DATA = OUT / "data"
WORK = OUT / "work"
LOGS = OUT / "logs"
PROFILE_DIR = OUT / "profile"
RESULTS_MD = BENCH / "results.md"
RESULTS_JSON = OUT / "results.json"

SEED = 2020
#: Bump when the way data sets are built or changed here changes (forces regeneration).
DATA_VERSION = "1"
#: Files whose content decides what ``regiobench sample`` writes (part of the data stamp).
GENERATOR_FILES = (
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pipelines" / "sample").glob("*.py")),
    "pipelines/contract/catalogues.py",
    "pipelines/contract/codebook.py",
)
GiB = 1024**3


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    form: str  # 'shipped' (mixed CSV + workbooks), 'csv' or 'xlsx'
    regions: int | None  # None: the shipped 25 regions
    waves: str  # as for `regiobench sample --waves`
    big: bool = False

    @property
    def label(self) -> str:
        n_waves = len(_waves(self.waves))
        return f"{self.regions or 25} x {n_waves}"


def _waves(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


CASES = {
    c.name: c
    for c in (
        Case("sample", "shipped", None, "2019-2025"),
        Case("csv250x10", "csv", 250, "2019-2028"),
        Case("xlsx250x4", "xlsx", 250, "2019-2022"),
        Case("csv2500x10", "csv", 2500, "2019-2028", big=True),
    )
}

#: Scenarios of every case, in the order they run on one warehouse.
SCENARIOS = ("full", "rerun", "changed")
SCENARIO_TEXT = {
    "full": "volledig (koud, leeg warehouse)",
    "rerun": "herhaling, niets gewijzigd",
    "changed": "herhaling, één bestand gewijzigd",
}

#: Targets (seconds, or bytes for memory) per (case, scenario): medians of 3 runs on 2 cores.
TIME_TARGETS = {
    ("sample", "full"): 15.0,
    ("sample", "rerun"): 5.0,
    ("sample", "changed"): 8.0,
    ("csv2500x10", "full"): 180.0,
}
RSS_TARGETS = {("csv2500x10", "full"): 4 * GiB}
GROWTH_TARGET = 12.0  # csv2500x10 full / csv250x10 full
RATIO_TARGET = 2.0  # csv2500x10 full / direct-SQL baseline

# --------------------------------------------------------------------------
# The CLI's run report (`run --json`, pipelines/app/report.py): steps, seconds, counts; no Dutch prose parsed
# --------------------------------------------------------------------------

#: The ingest step's split of its seconds, as counts in the report.
SPLIT_COUNTS = {"read": "seconds_lezen", "validate": "seconds_toetsen", "load": "seconds_laden"}

#: Step key -> stage. Steps not named here (asset checks, reference, raw_waves) count as 'other'.
STEP_STAGE = {
    "ingest_returns": "ingest",
    "variation_engine": "marts",
    "dashboards_site": "dashboards",
    "published_marts": "publish",
    "publication": "publish",
}
STAGES = ("ingest", "read", "validate", "load", "marts", "dashboards", "publish", "other", "overhead")
STAGE_TEXT = {
    "ingest": "ingest_returns (lezen + toetsen + laden)",
    "read": "lezen (uit de samenvatting van de ingest)",
    "validate": "toetsen (idem)",
    "load": "laden (idem)",
    "marts": "variation_engine",
    "dashboards": "dashboards_site",
    "publish": "published_marts + publication (de twee mappen samen erin)",
    "other": "overige stappen: ref_*, raw_waves, asset checks",
    "overhead": "totaal min de som van de stappen: opstarten, imports, Dagster, de samenvatting",
}


def find_report(text: str) -> dict | None:
    """The run report in a run's output: the one line of JSON that ``run --json`` prints on stdout.

    The child's stderr (the Dutch lines) is merged into the same pipe; the report is always one whole line.
    """
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict) and "schema" in found and "steps" in found:
                return found
    return None


def parse_output(text: str) -> dict:
    """Step times, counts and the stage times of one run, from its run report (none: a run stopped early)."""
    report = find_report(text) or {"steps": [], "counts": {}, "seconds": None}
    steps = {
        st["name"]: {"status": st["status"], "seconds": st["seconds"], "summary": st["summary"], "counts": st["counts"]}
        for st in report["steps"]
    }
    stages = {s: 0.0 for s in ("ingest", "marts", "dashboards", "publish", "other")}
    for key, step in steps.items():
        stages[STEP_STAGE.get(key, "other")] += step["seconds"] or 0.0
    ingest = steps.get("ingest_returns", {}).get("counts", {})
    for stage, count in SPLIT_COUNTS.items():
        stages[stage] = ingest.get(count)
    return {
        "steps": steps,
        "step_peaks": {},  # the report has no per-step peak memory (the process's peak is measured by wait4)
        "stages": stages,
        "cli_total": report["seconds"],
        "units_loaded": ingest.get("units_loaded", 0),
        "files_rejected": ingest.get("units_rejected", 0),
        "ingest_summary": "\n".join(steps.get("ingest_returns", {}).get("summary", [])),
    }


# --------------------------------------------------------------------------
# Running a child process: wall time, exit status, peak RSS (os.wait4 on that child)
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Proc:
    seconds: float
    returncode: int | None  # None: stopped (timeout)
    max_rss: int  # bytes, of the child (and any children it waited for)
    output: str


def run_child(argv: list[str], timeout: float | None, log: Path | None = None, env: dict | None = None) -> Proc:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    stopped = threading.Event()

    def stop():
        stopped.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: only what this run started
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, stop) if timeout else None
    if timer:
        timer.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
    if timer:
        timer.cancel()
    text = out.decode("utf-8", "replace")
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(
            f"$ {' '.join(map(str, argv))}\n{text}\n[exit {proc.returncode}, {seconds:.2f} s, "
            f"maxrss {usage.ru_maxrss} KiB]\n",
            encoding="utf-8",
        )
    return Proc(seconds, None if stopped.is_set() else proc.returncode, usage.ru_maxrss * 1024, text)


# --------------------------------------------------------------------------
# Data sets under bench/out/data/<case>: raw/, reference/, originals/, changed/, stamp.json
# --------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_sha(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + _sha(p).encode() + b"\n")
    return h.hexdigest()


CODE_SUFFIXES = {".py", ".sql", ".j2", ".js", ".css", ".html"}


def code_state() -> str:
    """A hash of the pipeline's code (pipelines/): a run is only comparable with runs of the same code."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "pipelines").rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def _stamp(case: Case) -> dict:
    stamp = {
        "case": case.name,
        "form": case.form,
        "regions": case.regions,
        "waves": case.waves,
        "seed": SEED,
        "data_version": DATA_VERSION,
    }
    if case.form == "shipped":
        stamp["data_raw"] = _tree_sha(ROOT / "data" / "raw")
    else:
        stamp["generator"] = {f: _sha(ROOT / f) for f in GENERATOR_FILES}
    return stamp


def prepare_data(case: Case) -> tuple[Path, Path, float, bool]:
    """The case's raw and reference folders; generated once and reused while the stamp matches."""
    folder = DATA / case.name
    stamp_file = folder / "stamp.json"
    stamp = _stamp(case)
    if stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        restore_original(folder)
        return folder / "raw", _reference(case, folder), 0.0, True
    started = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if case.form == "shipped":
        shutil.copytree(ROOT / "data" / "raw", tmp / "raw")
    else:
        argv = [
            sys.executable,
            "-m",
            "pipelines.app.cli",
            "sample",
            "--out",
            str(tmp / "raw"),
            "--waves",
            case.waves,
            "--seed",
            str(SEED),
            "--regions",
            str(case.regions),
            "--form",
            case.form,
            "--reference-out",
            str(tmp / "reference"),
        ]
        proc = run_child(argv, None, LOGS / f"generate-{case.name}.log")
        if proc.returncode != 0:
            raise SystemExit(f"generating {case.name} failed; see {LOGS / f'generate-{case.name}.log'}")
    make_variant(case, tmp)
    (tmp / "stamp.json").write_text(json.dumps(stamp, indent=1))
    tmp.rename(folder)
    return folder / "raw", _reference(case, folder), time.perf_counter() - started, False


def _reference(case: Case, folder: Path) -> Path:
    return ROOT / "data" / "reference" if case.form == "shipped" else folder / "reference"


# ---- "one file changed": a copy of the original and a slightly changed, still valid, version


def _shift_date_text(text: str) -> str | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            d = dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        return _shift(d).strftime(fmt)
    return None


def _shift(d):
    """One day earlier (one day later on 1 January): stays in the wave year."""
    return d + dt.timedelta(days=1 if (d.month, d.day) == (1, 1) else -1)


def _norm(header) -> str:
    return str(header or "").strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def _change_export(path: Path) -> bytes:
    """meta.csv with one region's datum_ingevuld one day earlier; encoding, delimiter and line ends kept."""
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        encoding = "utf-8-sig" if bom else "utf-8"
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "cp1252", data.decode("cp1252")
    lines = text.splitlines(keepends=True)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    header = [_norm(h) for h in next(csv.reader([lines[0]], delimiter=delimiter))]
    col = header.index("datum_ingevuld")
    for i in range(1, len(lines)):
        fields = next(csv.reader([lines[i]], delimiter=delimiter), [])
        if len(fields) <= col:
            continue
        new = _shift_date_text(fields[col])
        if new and lines[i].count(fields[col]) == 1:
            lines[i] = lines[i].replace(fields[col], new)
            out = "".join(lines).encode("utf-8" if encoding == "utf-8-sig" else encoding)
            return (b"\xef\xbb\xbf" + out) if bom else out
    raise RuntimeError(f"{path}: no datum_ingevuld to change")


def _change_workbook(path: Path, target: Path) -> None:
    """The workbook with datum_ingevuld on its meta sheet one day earlier (openpyxl keeps the cell type)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if ws.title.strip().lower() == "meta")
    col = next(c.column for c in ws[1] if _norm(c.value) == "datum_ingevuld")
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row, col)
        if isinstance(cell.value, (dt.datetime, dt.date)):
            cell.value = _shift(cell.value)
            break
        if isinstance(cell.value, str) and _shift_date_text(cell.value):
            cell.value = _shift_date_text(cell.value)
            break
    else:
        raise RuntimeError(f"{path}: no datum_ingevuld to change")
    wb.save(target)


def make_variant(case: Case, folder: Path) -> None:
    """Pick the file of the last wave to change, keep its original, write its changed version."""
    last = folder / "raw" / str(_waves(case.waves)[-1])
    workbooks = sorted(last.glob("*.xlsx"))
    source = workbooks[0] if workbooks else last / "meta.csv"
    rel = source.relative_to(folder / "raw")
    (folder / "originals" / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / "changed" / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, folder / "originals" / rel)
    if source.suffix == ".xlsx":
        _change_workbook(source, folder / "changed" / rel)
    else:
        (folder / "changed" / rel).write_bytes(_change_export(source))
    (folder / "variant.json").write_text(json.dumps({"file": str(rel)}))


def _variant_file(folder: Path) -> Path:
    return Path(json.loads((folder / "variant.json").read_text())["file"])


def restore_original(folder: Path) -> None:
    rel = _variant_file(folder)
    original = (folder / "originals" / rel).read_bytes()
    if (folder / "raw" / rel).read_bytes() != original:
        (folder / "raw" / rel).write_bytes(original)


def toggle_variant(folder: Path) -> str:
    """Swap the chosen file between its original and its changed version: a change either way."""
    rel = _variant_file(folder)
    target = folder / "raw" / rel
    original = (folder / "originals" / rel).read_bytes()
    new = (folder / "changed" / rel).read_bytes() if target.read_bytes() == original else original
    target.write_bytes(new)
    return str(rel)


# --------------------------------------------------------------------------
# The runs
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    case: str
    scenario: str
    rep: int
    seconds: float | None  # wall time of the process (None: stopped)
    returncode: int | None
    max_rss: int
    stages: dict
    cli_total: float | None
    units_loaded: int
    files_rejected: int
    note: str = ""
    code: str = ""  # code_state() when the run started
    bench: str = ""  # which bench made it (start, commit): set for runs taken over with --merge
    step_peaks: dict = dataclasses.field(default_factory=dict)  # step -> peak RSS (MiB) after it, if printed


class Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def _work(case: Case) -> dict[str, Path]:
    w = WORK / case.name
    return {
        "warehouse": w / "warehouse.duckdb",
        "marts": w / "marts",
        "dashboards": w / "dashboards",
        "validation": w / "validation",
    }


def run_argv(case: Case, raw: Path, reference: Path) -> list[str]:
    w = _work(case)
    return [
        "run",
        "--raw",
        str(raw),
        "--reference",
        str(reference),
        "--marts",
        str(w["marts"]),
        "--dashboards",
        str(w["dashboards"]),
        "--warehouse",
        str(w["warehouse"]),
        "--validation",
        str(w["validation"]),
        "--wait",
        "5",
        "--json",
    ]


def clean_work(case: Case) -> None:
    shutil.rmtree(WORK / case.name, ignore_errors=True)


def pipeline_run(case: Case, scenario: str, rep: int, raw: Path, reference: Path, budget: Budget) -> Run:
    log = LOGS / f"{case.name}-{scenario}-{rep}.log"
    code = code_state()
    timeout = max(budget.left(), 1.0)
    proc = run_child([sys.executable, "-m", "pipelines.app.cli", *run_argv(case, raw, reference)], timeout, log)
    parsed = parse_output(proc.output)
    stages = parsed["stages"]
    if proc.returncode is not None:
        stages["overhead"] = proc.seconds - sum(s["seconds"] or 0.0 for s in parsed["steps"].values())
    note = ""
    if proc.returncode is None:
        note = f"gestopt na {proc.seconds:.0f} s (budget)"
    elif proc.returncode != 0:
        note = f"exit {proc.returncode}, zie {log.relative_to(ROOT)}"
    elif parsed["files_rejected"]:
        note = f"{parsed['files_rejected']} bestand(en) afgewezen"
    run = Run(
        case.name,
        scenario,
        rep,
        proc.seconds if proc.returncode is not None else None,
        proc.returncode,
        proc.max_rss,
        stages,
        parsed["cli_total"],
        parsed["units_loaded"],
        parsed["files_rejected"],
        note,
        code,
        step_peaks=parsed["step_peaks"],
    )
    state = "ok" if proc.returncode == 0 else note
    print(
        f"  {case.name:<11} {scenario:<8} #{rep}  {proc.seconds:7.1f} s  "
        f"{proc.max_rss / 2**20:7.0f} MiB  ingest {stages['ingest']:.1f} s, marts {stages['marts']:.1f} s, "
        f"dashboards {stages['dashboards']:.1f} s, publish {stages['publish']:.1f} s  [{state}]",
        flush=True,
    )
    return run


BASELINE_CODE = """
import json, sys, time
t0 = time.perf_counter()
import duckdb
from pipelines.engine import build as engine
t1 = time.perf_counter()
con = duckdb.connect(sys.argv[1])
t2 = time.perf_counter()
counts = engine.build_marts(con)
t3 = time.perf_counter()
con.close()
print(json.dumps({"import_s": t1 - t0, "connect_s": t2 - t1, "build_marts_s": t3 - t2,
                  "rows": counts.get("marts.variation_register"), "timings": engine.LAST_TIMINGS}))
"""


def baseline_run(case: Case, rep: int, budget: Budget) -> dict | None:
    """build_marts(con) in a fresh process on a copy of the warehouse of the last full run."""
    src = _work(case)["warehouse"]
    if not src.is_file():
        return None
    copy = OUT / "baseline" / case.name / "warehouse.duckdb"
    shutil.rmtree(copy.parent, ignore_errors=True)
    copy.parent.mkdir(parents=True)
    shutil.copy2(src, copy)
    wal = Path(str(src) + ".wal")
    if wal.is_file():
        shutil.copy2(wal, Path(str(copy) + ".wal"))
    proc = run_child(
        [sys.executable, "-c", BASELINE_CODE, str(copy)],
        max(budget.left(), 1.0),
        LOGS / f"{case.name}-baseline-{rep}.log",
    )
    if proc.returncode != 0:
        return None
    info = json.loads(proc.output.strip().splitlines()[-1])
    info.update(seconds=proc.seconds, max_rss=proc.max_rss, case=case.name, rep=rep)
    print(
        f"  {case.name:<11} baseline #{rep}  {proc.seconds:7.1f} s  (build_marts {info['build_marts_s']:.1f} s)",
        flush=True,
    )
    return info


def cycle(case: Case, rep: int, raw: Path, reference: Path, budget: Budget, runs: list[Run]) -> bool:
    """full (empty warehouse), rerun (nothing changed), changed (one file changed). False: stopped."""
    folder = DATA / case.name
    restore_original(folder)
    clean_work(case)
    full = pipeline_run(case, "full", rep, raw, reference, budget)
    runs.append(full)
    if full.returncode != 0:
        return full.returncode is not None
    runs.append(pipeline_run(case, "rerun", rep, raw, reference, budget))
    changed = toggle_variant(folder)
    run = pipeline_run(case, "changed", rep, raw, reference, budget)
    if run.returncode == 0 and run.units_loaded == 0:
        run.note = (run.note + "; " if run.note else "") + f"{changed} gewijzigd, maar niets opnieuw geladen"
    runs.append(run)
    restore_original(folder)
    _flag_code_changes([r for r in runs if r.case == case.name and r.rep == rep])
    return run.returncode is not None


def _flag_code_changes(cycle_runs: list[Run]) -> None:
    """A rerun after the code changed is not a rerun: the pipeline may rebuild everything."""
    for before, after in zip(cycle_runs, cycle_runs[1:]):
        if after.code != before.code:
            after.note = (after.note + "; " if after.note else "") + "code gewijzigd sinds de vorige run"


# --------------------------------------------------------------------------
# Profile (optional): pyinstrument on a full run
# --------------------------------------------------------------------------


def profile(case: Case, raw: Path, reference: Path, budget: Budget, n_lines: int = 60) -> dict | None:
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        print("  --profile: pyinstrument is not installed (.venv/bin/pip install pyinstrument); skipped")
        return None

    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    session_file = PROFILE_DIR / f"{case.name}.pyisession"
    clean_work(case)
    restore_original(DATA / case.name)
    proc = run_child(
        [
            sys.executable,
            "-m",
            "pyinstrument",
            "-i",
            "0.002",
            "-r",
            "pyisession",
            "-o",
            str(session_file),
            "-m",
            "pipelines.app.cli",
            *run_argv(case, raw, reference),
        ],
        max(budget.left(), 600.0),
        LOGS / f"{case.name}-profile.log",
    )
    if proc.returncode != 0 or not session_file.is_file():
        return None
    clean_work(case)
    print(f"  {case.name:<11} profile   {proc.seconds:7.1f} s  -> {PROFILE_DIR.relative_to(ROOT)}", flush=True)
    return render_profile(case.name, session_file, proc.seconds, n_lines)


def render_profile(name: str, session_file: Path, seconds: float, n_lines: int = 60) -> dict:
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    session = Session.load(str(session_file))
    tree = ConsoleRenderer(unicode=True, color=False, processor_options={"filter_threshold": 0.02}).render(session)
    flat = _hot_spots(session)
    (PROFILE_DIR / f"{name}-tree.txt").write_text(tree)
    (PROFILE_DIR / f"{name}-hotspots.txt").write_text(flat)
    (PROFILE_DIR / f"{name}.seconds").write_text(f"{seconds:.2f}")
    return {"case": name, "seconds": seconds, "tree": _top(tree, n_lines), "flat": "\n".join(flat.splitlines()[:25])}


def _hot_spots(session) -> str:
    """Inclusive time per function of the project (pipelines/...), each counted once per stack, largest first.

    (pyinstrument's own flat view folds hidden library frames and idle time into odd places.)
    """
    total: dict[str, float] = {}

    def walk(frame, active: frozenset):
        name = None
        path = frame.file_path or ""
        if "/pipelines/" in path and "/site-packages/" not in path:
            rel = path[path.rindex("/pipelines/") + 1 :]
            name = f"{frame.function}  {rel}:{frame.line_no}"
            if name not in active:
                total[name] = total.get(name, 0.0) + frame.time
            active = active | {name}
        for child in frame.children:
            walk(child, active)

    root = session.root_frame()
    if root is not None:
        walk(root, frozenset())
    # the entry points (cli, runner) hold ~everything: leave them out
    rows = sorted(((n, t) for n, t in total.items() if root is None or t < 0.97 * root.time), key=lambda kv: -kv[1])
    return "\n".join(f"{t:8.2f} s  {name}" for name, t in rows)


def _top(text: str, n: int) -> str:
    """The report without pyinstrument's banner and program line: its first ``n`` lines."""
    lines = text.splitlines()
    start = next((i + 1 for i, ln in enumerate(lines) if ln.startswith("Program:")), 0)
    body = [ln.rstrip() for ln in lines[start:] if ln.strip()]
    return "\n".join(body[:n])


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _s(v) -> str:
    return "–" if v is None else f"{v:.1f}"


def _mib(v) -> str:
    return "–" if not v else f"{v / 2**20:,.0f} MiB"


def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory": mem,
        "commit": _commit(),
        "python": sys.version.split()[0],
        "load": os.getloadavg(),
    }


def _commit() -> str:
    """The checked-out commit, read from .git (no git command needed); '+' when the tree has changes."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            sha = (
                (git / ref).read_text().strip()
                if (git / ref).is_file()
                else next(
                    ln.split()[0] for ln in (git / "packed-refs").read_text().splitlines() if ln.endswith(" " + ref)
                )
            )
        else:
            sha = head
    except (OSError, StopIteration):
        return "onbekend"
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        dirty = ""
    return sha[:12] + (" + niet-gecommitte wijzigingen (buiten bench/)" if dirty else "")


def load_earlier(skip: set[str]) -> tuple[list[Run], list[dict], dict[str, str]]:
    """Runs and baselines of the cases in ``skip``'s complement from the previous results.json (``--merge``)."""
    if not RESULTS_JSON.is_file():
        return [], [], {}
    old = json.loads(RESULTS_JSON.read_text())
    fields = {f.name for f in dataclasses.fields(Run)}
    when = f"{old.get('started', '?')[:16].replace('T', ' ')}, commit {old.get('machine', {}).get('commit', '?')}"
    runs = [Run(**{k: v for k, v in r.items() if k in fields}) for r in old.get("runs", []) if r["case"] not in skip]
    for r in runs:
        r.bench = r.bench or when
    baselines = [{"bench": when, **b} for b in old.get("baselines", []) if b["case"] not in skip]
    return runs, baselines, {r.case: r.bench for r in runs}


def report(
    cases: list[Case],
    runs: list[Run],
    baselines: list[dict],
    profiles: list[dict],
    gen: dict,
    info: dict,
    started: dt.datetime,
    wall: float,
    args,
    earlier: dict[str, str] | None = None,
) -> str:
    earlier = earlier or {}
    by: dict[tuple[str, str], list[Run]] = {}
    for r in runs:
        by.setdefault((r.case, r.scenario), []).append(r)
    med_total: dict[tuple[str, str], float | None] = {}
    lines = []
    add = lines.append
    add("# regiobench: benchmark")
    add("")
    add(
        f"Gemaakt door `make bench` (bench/run_bench.py) op {started:%Y-%m-%d %H:%M}; de hele bench duurde "
        f"{wall / 60:.1f} min. Elke run is een vers proces `python -m pipelines.app.cli run`. Tijden in seconden, "
        f"mediaan van de runs (kolom *n*); piekgeheugen = hoogste peak RSS van die runs. "
        f"Zie bench/README.md voor wat elke case en kolom betekent, en (onder 'Targets not met') wat de "
        f"niet gehaalde doelen begrenst."
    )
    add("")
    add(
        "| case | scenario | vorm | regio's x peiljaren | n | totaal | ingest | lezen | toetsen | laden | marts "
        "| dashboards | publiceren | overig | overhead | piek-RSS | doel | gehaald |"
    )
    add("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
    for case in cases:
        for sc in SCENARIOS:
            rs = by.get((case.name, sc), [])
            done = [r for r in rs if r.returncode == 0]
            total = _median([r.seconds for r in done])
            med_total[(case.name, sc)] = total
            peak = max((r.max_rss for r in done), default=0)
            st = {s: _median([r.stages.get(s) for r in done]) for s in STAGES}
            goals, met = [], []
            if (case.name, sc) in TIME_TARGETS:
                goal = TIME_TARGETS[(case.name, sc)]
                goals.append(f"≤ {goal:.0f} s")
                met.append(None if total is None else total <= goal)
            if (case.name, sc) in RSS_TARGETS:
                goal = RSS_TARGETS[(case.name, sc)]
                goals.append(f"≤ {goal / GiB:.0f} GiB")
                met.append(None if not peak else peak <= goal)
            if not goals:
                verdict = "–"
            elif any(m is None for m in met):
                verdict = "niet gemeten"
            else:
                verdict = "gehaald" if all(met) else "**niet gehaald**"
            notes = sorted({r.note for r in rs if r.note})
            if not rs:
                notes = ["niet gedraaid (budget)"]
            if case.name in earlier:
                notes.insert(0, f"uit een eerdere bench: {earlier[case.name]}")
            n = f"{len(done)}" + (f"/{len(rs)}" if len(rs) != len(done) else "")
            add(
                f"| {case.name} | {sc} | {case.form} | {case.label} | {n} | {_s(total)} | {_s(st['ingest'])} "
                f"| {_s(st['read'])} | {_s(st['validate'])} | {_s(st['load'])} | {_s(st['marts'])} "
                f"| {_s(st['dashboards'])} | {_s(st['publish'])} | {_s(st['other'])} | {_s(st['overhead'])} "
                f"| {_mib(peak)} | {', '.join(goals) or '–'} | {verdict}"
                + (f" ({'; '.join(notes)})" if notes else "")
                + " |"
            )
    add("")
    small, big = med_total.get(("csv250x10", "full")), med_total.get(("csv2500x10", "full"))
    if small and big:
        growth = big / small
        add(
            f"**Groei** 250 x 10 -> 2.500 x 10 (csv, volledig): {big:.1f} / {small:.1f} s = **{growth:.1f}x** "
            f"(doel ≤ {GROWTH_TARGET:.0f}x: {'gehaald' if growth <= GROWTH_TARGET else 'niet gehaald'})."
        )
    else:
        add("**Groei** 250 x 10 -> 2.500 x 10: niet gemeten (een van beide runs ontbreekt).")
    add("")
    add(
        "**Volledige run / directe SQL** (build_marts(con) in een vers proces op een kopie van het warehouse van "
        "de laatste volledige run, zonder Dagster of Great Expectations; noemer = wandtijd van dat proces, "
        "tussen haakjes alleen de build_marts-aanroep):"
    )
    add("")
    for case in cases:
        bs = [b for b in baselines if b["case"] == case.name]
        full = med_total.get((case.name, "full"))
        if not bs or not full:
            add(f"- {case.name}: niet gemeten")
            continue
        proc_s = _median([b["seconds"] for b in bs])
        call_s = _median([b["build_marts_s"] for b in bs])
        ratio = full / proc_s
        target = ""
        if case.name == "csv2500x10":
            target = f" (doel ≤ {RATIO_TARGET:.0f}: {'gehaald' if ratio <= RATIO_TARGET else '**niet gehaald**'})"
        add(
            f"- {case.name}: {full:.1f} s / {proc_s:.1f} s = **{ratio:.1f}**{target}; "
            f"alleen build_marts {call_s:.1f} s -> {full / call_s:.1f} (n = {len(bs)})"
            + (f" (eerdere bench: {earlier[case.name]})" if case.name in earlier else "")
        )
    peak_lines = []
    for case in cases:
        full = [r for r in by.get((case.name, "full"), []) if r.returncode == 0 and r.step_peaks]
        if full:
            last = full[-1]
            rise, prev = [], 0.0
            for key, mib in last.step_peaks.items():  # in the order the steps ran
                if mib > prev:
                    rise.append((mib - prev, key, mib))
                prev = max(prev, mib)
            top = ", ".join(f"{k} +{d:,.0f} (tot {m:,.0f})" for d, k, m in sorted(rise, reverse=True)[:4])
            peak_lines.append(f"- {case.name}: {top}")
    if peak_lines:
        add("")
        add("**Piekgeheugen per stap** (volledige run, MiB; de grootste stijgingen van de piek na een stap):")
        add("")
        lines.extend(peak_lines)
    add("")
    load0, load1 = info["load"], info.get("load_end", info["load"])
    add(
        f"**Machine:** {info['cores']} cores ({info['usable_cores']} bruikbaar), "
        f"{(info['memory'] or 0) / GiB:.1f} GiB geheugen, Python {info['python']}, datum {started:%Y-%m-%d}, "
        f"commit {info['commit']}"
        + (
            f" (code {info['code']}"
            + (
                f", aan het eind {info['code_end']}: de code veranderde tijdens de bench"
                if info.get("code_end", info["code"]) != info["code"]
                else ""
            )
            + ")"
        )
        + f". Load average bij start {load0[0]:.1f}, aan het eind {load1[0]:.1f}"
        + (" — de machine was niet stil, de tijden zijn ruisig." if max(load0[0], load1[0]) > 1.0 else ".")
        + ("" if info["usable_cores"] == 2 else " De doelen gelden voor 2 cores.")
    )
    add("")
    gen_text = ", ".join(
        k + (" hergebruikt" if v["reused"] else f" gemaakt in {v['seconds']:.0f} s") for k, v in gen.items()
    )
    add(
        f"**Data** (bench/out/data, seed {SEED}): {gen_text}. Herhalingen: {args.reps} voor de kleine cases, "
        f"{args.big_reps} voor csv2500x10 (om binnen {args.budget / 60:.0f} min te blijven); budget "
        f"{args.budget:.0f} s."
    )
    if profiles:
        add("")
        add("## Profiel (pyinstrument, volledige run)")
        for p in profiles:
            add("")
            add(f"### {p['case']} ({p['seconds']:.1f} s onder de profiler)")
            add("")
            add("Boom (de bovenste regels, takken onder 2 % weggelaten):")
            add("")
            add("```")
            add(p["tree"])
            add("```")
            add("")
            add("Eigen code, inclusieve tijd per functie (de grootste 25; een functie telt één keer per stapel):")
            add("")
            add("```")
            add(p["flat"])
            add("```")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def report_only(args) -> int:
    old = json.loads(RESULTS_JSON.read_text())
    fields = {f.name for f in dataclasses.fields(Run)}
    runs = [Run(**{k: v for k, v in r.items() if k in fields}) for r in old["runs"]]
    earlier = {r.case: r.bench for r in runs if r.bench}
    profiles = []
    for name in ("sample", "csv250x10"):
        session_file = PROFILE_DIR / f"{name}.pyisession"
        if session_file.is_file() and session_file.stat().st_size:
            secs = PROFILE_DIR / f"{name}.seconds"
            profiles.append(render_profile(name, session_file, float(secs.read_text()) if secs.is_file() else 0.0))
    for key in ("reps", "big_reps", "budget"):
        setattr(args, key, old.get("args", {}).get(key, getattr(args, key)))
    shown = [c for c in CASES.values() if any(r.case == c.name for r in runs)]
    text = report(
        shown,
        runs,
        old.get("baselines", []),
        profiles,
        old.get("generation", {}),
        old["machine"],
        dt.datetime.fromisoformat(old["started"]),
        old.get("wall_s", 0.0),
        args,
        earlier,
    )
    args.results.write_text(text, encoding="utf-8")
    print(text)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default=",".join(CASES), help=f"komma-gescheiden, uit {', '.join(CASES)}")
    p.add_argument("--reps", type=int, default=3, help="herhalingen van de kleine cases (standaard 3)")
    p.add_argument("--big-reps", type=int, default=1, help="herhalingen van csv2500x10 (standaard 1)")
    p.add_argument(
        "--budget",
        type=float,
        default=14 * 60,
        help="seconden voor de hele bench (standaard 840); extra herhalingen vallen af als het op is",
    )
    p.add_argument("--profile", action="store_true", help="ook pyinstrument op sample en csv250x10 (volledig)")
    p.add_argument("--no-baseline", action="store_true", help="de directe-SQL-baseline overslaan")
    p.add_argument("--results", type=Path, default=RESULTS_MD)
    p.add_argument(
        "--report-only",
        action="store_true",
        help="geen runs: results.md opnieuw maken uit bench/out/results.json (en de profielen)",
    )
    p.add_argument(
        "--merge",
        action="store_true",
        help="cases die nu niet draaien uit de vorige bench/out/results.json overnemen (gemarkeerd)",
    )
    args = p.parse_args(argv)

    cases = [CASES[n.strip()] for n in args.cases.split(",") if n.strip()]
    if args.report_only:
        return report_only(args)
    started = dt.datetime.now()
    t0 = time.monotonic()
    budget = Budget(args.budget)
    info = machine()
    info["code"] = code_state()
    print(
        f"regiobench bench: {', '.join(c.name for c in cases)}; {info['usable_cores']} cores, "
        f"load {info['load'][0]:.1f}; budget {args.budget:.0f} s",
        flush=True,
    )
    LOGS.mkdir(parents=True, exist_ok=True)

    data, gen = {}, {}
    for case in cases:
        raw, ref, seconds, reused = prepare_data(case)
        data[case.name] = (raw, ref)
        gen[case.name] = {"seconds": seconds, "reused": reused}
        how = "hergebruikt" if reused else f"gemaakt in {seconds:.0f} s"
        print(f"  data {case.name}: {how} ({raw.relative_to(ROOT)})", flush=True)

    runs: list[Run] = []
    baselines: list[dict] = []
    profiles: list[dict] = []
    cycle_seconds: dict[str, float] = {}
    ok = True

    def do_cycle(case: Case, rep: int, must: bool = False) -> bool:
        estimate = cycle_seconds.get(case.name)
        if not must and estimate is not None and estimate > budget.left():
            print(f"  {case.name:<11} #{rep} overgeslagen: ~{estimate:.0f} s nodig, {budget.left():.0f} s over")
            return True  # skipped for the budget: shown in the table's n, not an error
        t = time.monotonic()
        finished = cycle(case, rep, *data[case.name], budget, runs)
        cycle_seconds[case.name] = time.monotonic() - t
        return finished

    def do_baselines(case: Case, n: int) -> None:
        if args.no_baseline:
            return
        for rep in range(1, n + 1):
            if budget.left() < 5:
                return
            b = baseline_run(case, rep, budget)
            if b:
                baselines.append(b)

    small = [c for c in cases if not c.big]
    bigs = [c for c in cases if c.big]
    # Priority: one cycle of every case (the big one once even if the budget looks short: its number matters
    # most; it is stopped when the budget runs out), the baselines, then the remaining repetitions.
    for case in small:
        ok &= do_cycle(case, 1, must=True)
        if budget.left() <= 0:
            break
    for case in bigs:
        if budget.left() <= 0:
            break
        ok &= do_cycle(case, 1, must=True)
        do_baselines(case, 1)
        for rep in range(2, args.big_reps + 1):
            ok &= do_cycle(case, rep)
            do_baselines(case, 1)
    for rep in range(2, args.reps + 1):
        for case in small:
            if budget.left() > 0:
                ok &= do_cycle(case, rep)
    for case in small:
        do_baselines(case, args.reps)
    if args.profile:
        for case in small:
            if case.name in ("sample", "csv250x10"):
                prof = profile(case, *data[case.name], budget)
                if prof:
                    profiles.append(prof)

    info["load_end"] = os.getloadavg()
    info["code_end"] = code_state()
    wall = time.monotonic() - t0
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    earlier_runs, earlier_baselines, earlier = load_earlier({c.name for c in cases}) if args.merge else ([], [], {})
    if args.merge and RESULTS_JSON.is_file():
        shutil.copy2(RESULTS_JSON, RESULTS_JSON.with_name("results.previous.json"))
    RESULTS_JSON.write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "machine": info,
                "wall_s": wall,
                "runs": [dataclasses.asdict(r) for r in runs + earlier_runs],
                "baselines": baselines + earlier_baselines,
                "generation": gen,
                "args": {"reps": args.reps, "big_reps": args.big_reps, "budget": args.budget, "cases": args.cases},
            },
            indent=1,
            default=str,
        )
    )
    shown = [c for c in CASES.values() if c in cases or c.name in earlier]
    text = report(
        shown, runs + earlier_runs, baselines + earlier_baselines, profiles, gen, info, started, wall, args, earlier
    )
    args.results.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(
        f"geschreven: {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}; "
        f"elke run: {RESULTS_JSON.relative_to(ROOT)}, {LOGS.relative_to(ROOT)}/"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
