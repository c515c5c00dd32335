"""Refreshing with the CLI: interrupted, concurrent and repeated runs.

Every run here is the real ``regiobench run`` in its own process (its own
session, so that ``kill -9`` reaches it and nothing else). A run is killed at a
moment read from the file system, not after a fixed time: in the middle of
loading when the warehouse's write-ahead log has grown by a few committed
waves, in the middle of publishing while the new marts folder
(``.marts.new-*``) is being filled. The yardstick is the marts of one
uninterrupted run on the same returns (``shipped_run``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import validation_runs
from pipelines.ingest.discovery import list_waves
from pipelines.publish.outputs import export_marts
from tests.factories import RUN_COLUMNS, mart_contents, without_run_columns
from tests.support import REGIOBENCH, ROOT

RAW = ROOT / "data" / "raw"
N_WAVES = len(list_waves(RAW))
UNCHANGED = "ongewijzigd sinds de vorige run"
STAGING_TABLES_SQL = (
    "select table_name from information_schema.tables where table_schema = 'main' "
    "and (table_name like 'stg_%' or table_name in ('raw_file_inventory', 'raw_wave_fingerprints')) "
    "order by table_name"
)


@dataclass
class Run:
    proc: subprocess.Popen
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def stdout(self) -> str:
        """The Dutch lines the user sees: the runs are started with --json, which puts them on stderr."""
        return self.err.read_text(encoding="utf-8", errors="replace")

    @property
    def report(self) -> dict:
        """The run report (pipelines.app.report) that --json prints on stdout."""
        text = self.out.read_text(encoding="utf-8")
        assert text.strip(), f"no run report on stdout:\n{self.stdout[-3000:]}"
        return json.loads(text)

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 600) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """kill -9 of the run's own process group (start_new_session: the CLI and nothing else)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(60)


def start(root: Path, name: str, *extra: str, raw: Path = RAW) -> Run:
    out, err = root / f"{name}.out", root / f"{name}.err"
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen(
            [
                *REGIOBENCH,
                "run",
                "--raw",
                str(raw),
                "--warehouse",
                str(root / "warehouse.duckdb"),
                "--marts",
                str(root / "marts"),
                "--dashboards",
                str(root / "dashboards"),
                "--validation",
                str(root / "validation"),
                "--json",
                *extra,
            ],
            cwd=root,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdout=fo,
            stderr=fe,
            start_new_session=True,
        )
    return Run(proc, out, err)


def finish(run: Run, code: int = 0) -> Run:
    assert run.wait() == code, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def kill_when(run: Run, what: str, condition, timeout: float = 400) -> None:
    """Poll every 10 ms; kill -9 the run as soon as ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    try:
        while not condition():
            if run.proc.poll() is not None:
                pytest.fail(f"the run ended ({run.proc.returncode}) before {what}:\n{run.stdout[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no sign of {what} after {timeout:.0f} s")
            time.sleep(0.01)
    finally:
        run.kill()
    assert run.proc.returncode == -signal.SIGKILL, f"not killed in time: {run.proc.returncode}"


def wal_at_least(warehouse: Path, nbytes: int):
    wal = Path(str(warehouse) + ".wal")

    def check() -> bool:
        try:
            return wal.stat().st_size >= nbytes
        except FileNotFoundError:
            return False

    return check


def being_published(root: Path, name: str, min_files: int):
    def check() -> bool:
        for folder in root.glob(f".{name}.new-*"):
            try:
                if sum(1 for _ in folder.iterdir()) >= min_files:
                    return True
            except FileNotFoundError:
                pass
        return False

    return check


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a published folder (the Dutch CSV files in nl/ too), by its path in the folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute(STAGING_TABLES_SQL).fetchall()]
        # which validation run checked a status: a new one whenever the waves are checked again (by design)
        return {
            t: con.execute(f"select {without_run_columns(con, t)} from {t} order by all").fetchall() for t in tables
        }


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if re.match(r"^\.(marts|dashboards)\.(new|old)-", p.name))


def wave_lines(run: Run) -> list[str]:
    """The ingest's summary, from the run report: one part per wave."""
    step = next((st for st in run.report["steps"] if st["name"] == "ingest_returns"), None)
    assert step and step["status"] in ("materialized", "skipped-current") and step["summary"], run.report
    return step["summary"][0].split("; ")


# --- interrupted runs ----------------------------------------------------------------------------------

MARKER = "VORIGE_PUBLICATIE.txt"  # put into the previous publication: gone only when a new one is swapped in


def staged_rows(warehouse: Path, waves: list[int]) -> dict[str, list[tuple]]:
    """The staging layer's rows of these waves, without the load times; and which waves each table holds."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:  # replays a killed writer's log, in memory
        for (table,) in con.execute(STAGING_TABLES_SQL).fetchall():
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'main' "
                    "and table_name = ? and column_name <> 'loaded_at' and not list_contains(?, column_name) "
                    "order by ordinal_position",
                    [table, list(RUN_COLUMNS)],
                ).fetchall()
            ]
            out[table] = con.execute(
                f"select {', '.join(columns)} from {table} where list_contains(?, wave) order by all", [waves]
            ).fetchall()
            out[f"{table} (waves)"] = sorted(w for (w,) in con.execute(f"select distinct wave from {table}").fetchall())
    return out


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory, shipped_run):
    """One warehouse through: killed while loading; rerun, killed while publishing; rerun to the end; a rerun
    without changes (after a swap cut short); a --full rerun. What each step left, for the tests below."""
    root = tmp_path_factory.mktemp("interrupted")
    warehouse = root / "warehouse.duckdb"
    seen: dict = {"root": root}
    # A previous publication (an uninterrupted run's, marked) that the killed runs must leave in place.
    shutil.copytree(shipped_run.marts, root / "marts")
    shutil.copytree(shipped_run.dashboards, root / "dashboards")
    (root / "marts" / MARKER).write_text("vorige")
    seen["previous"] = file_bytes(root / "marts")

    # 1. kill -9 while loading: a few waves committed (one wave writes about 0.5 MB of log), not all.
    run = start(root, "1-killed-loading")
    kill_when(run, "loading", wal_at_least(warehouse, 1_200_000))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        seen["committed"] = [
            w for (w,) in con.execute("select wave from raw_wave_fingerprints order by wave").fetchall()
        ]
    seen["staged_after_load_kill"] = staged_rows(warehouse, seen["committed"])
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the GX runs the committed statuses name
        seen["runs_after_load_kill"] = validation_runs.referenced_runs(con)
    seen["marts_after_load_kill"] = file_bytes(root / "marts")
    seen["leftovers_after_load_kill"] = leftovers(root)

    # 2. rerun, kill -9 while the new marts folder is being filled.
    run = start(root, "2-killed-publishing")
    kill_when(run, "publishing", being_published(root, "marts", 3))
    seen["marts_after_publish_kill"] = file_bytes(root / "marts")
    seen["leftovers_after_publish_kill"] = leftovers(root)
    seen["site_after_publish_kill"] = (root / "dashboards" / "index.html").is_file()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        seen["loaded_by_second"] = con.execute(
            "select summary from run_history where step = 'laden' order by recorded_at"
        ).fetchall()

    # 3. rerun to the end.
    seen["rerun"] = finish(start(root, "3-rerun"))
    seen["marts_rerun"] = mart_contents(root / "marts")
    seen["published_rerun"] = file_bytes(root / "marts")
    seen["leftovers_rerun"] = leftovers(root)

    # 4. nothing changed; the marts left as a kill between the two renames of a swap leaves them.
    seen["staging_before_nochange"] = staging_snapshot(warehouse)
    seen["validation_before_nochange"] = {p: p.stat().st_mtime_ns for p in (root / "validation").rglob("*.json")}
    shutil.copytree(root / "marts", root / ".marts.new-deadbeef")
    (root / "marts").rename(root / ".marts.old-deadbeef")
    seen["nochange"] = finish(start(root, "4-no-change"))
    seen["staging_after_nochange"] = staging_snapshot(warehouse)
    seen["validation_after_nochange"] = {p: p.stat().st_mtime_ns for p in (root / "validation").rglob("*.json")}
    seen["published_after_nochange"] = file_bytes(root / "marts")
    seen["leftovers_nochange"] = leftovers(root)

    # 5. --full: every wave read again.
    seen["full"] = finish(start(root, "5-full", "--full"))
    seen["staging_after_full"] = staging_snapshot(warehouse)
    seen["marts_full"] = mart_contents(root / "marts")
    return seen


@pytest.mark.slow
def test_killed_while_loading_leaves_whole_waves_and_the_previous_publication(interrupted, shipped_run):
    committed = interrupted["committed"]
    assert 1 <= len(committed) < N_WAVES, committed  # killed in the middle of loading
    # Every wave is staged whole (as an uninterrupted run stages it) or not at all.
    after_kill = interrupted["staged_after_load_kill"]
    for table, waves in after_kill.items():
        if table.endswith("(waves)"):
            assert set(waves) <= set(committed), f"{table}: rows of a wave whose load was not committed"
    for table in ("stg_module_loads", "stg_submission_status", "raw_file_inventory"):
        assert after_kill[f"{table} (waves)"] == committed
    uninterrupted = staged_rows(shipped_run.warehouse, committed)
    assert {t: r for t, r in after_kill.items() if not t.endswith("(waves)")} == {
        t: r for t, r in uninterrupted.items() if not t.endswith("(waves)")
    }
    assert interrupted["marts_after_load_kill"] == interrupted["previous"]
    assert interrupted["leftovers_after_load_kill"] == []
    # Every status committed names a complete GX run (written aside and renamed whole before any status).
    runs = interrupted["runs_after_load_kill"]
    assert runs and set(runs) <= set(validation_runs.list_runs(interrupted["root"] / "validation"))
    assert all((interrupted["root"] / "validation" / validation_runs.manifest_path(r)).is_file() for r in runs)


@pytest.mark.slow
def test_the_rerun_after_a_kill_loads_only_the_waves_not_yet_loaded(interrupted):
    [(summary,)] = interrupted["loaded_by_second"]  # the killed loader recorded nothing
    skipped = sorted(int(part.split(":")[0]) for part in summary.split("; ") if UNCHANGED in part)
    assert skipped == interrupted["committed"], summary
    assert summary.count("modules (opnieuw) geladen") == N_WAVES - len(skipped)


@pytest.mark.slow
def test_killed_while_publishing_leaves_the_previous_publication_then_recovers(interrupted, shipped_run):
    # The kill came while the new folder was being filled; the marts folder is the previous one, whole.
    assert any(name.startswith(".marts.new-") for name in interrupted["leftovers_after_publish_kill"])
    assert interrupted["marts_after_publish_kill"] == interrupted["previous"]
    assert interrupted["site_after_publish_kill"]
    # The rerun loads nothing, cleans up, and publishes what an uninterrupted run publishes.
    lines = wave_lines(interrupted["rerun"])
    assert len(lines) == N_WAVES and all(UNCHANGED in line for line in lines), lines
    assert interrupted["leftovers_rerun"] == []
    assert MARKER not in interrupted["published_rerun"]  # a new publication was swapped in
    assert {
        "benchmark.xlsx",
        "variation_register.parquet",
        "variation_register.csv",
        "nl/variation_register.csv",
    } <= set(interrupted["published_rerun"])
    assert interrupted["marts_rerun"] == mart_contents(shipped_run.marts)


@pytest.mark.slow
def test_a_rerun_without_changes_does_no_loading_work(interrupted):
    run = interrupted["nochange"]
    lines = wave_lines(run)
    assert len(lines) == N_WAVES and all(UNCHANGED in line for line in lines), lines
    # The staging layer is untouched, loaded_at included, and nothing was validated again.
    assert interrupted["staging_after_nochange"] == interrupted["staging_before_nochange"]
    assert interrupted["validation_after_nochange"] == interrupted["validation_before_nochange"]
    with duckdb.connect(str(interrupted["root"] / "warehouse.duckdb"), read_only=True) as con:
        last = con.execute(
            "select units_loaded, files_rejected from run_history where step = 'laden' "
            "order by recorded_at desc limit 2"
        ).fetchall()
    assert last[1] == (0, 0)  # the no-change run's line (the --full run's comes after it)


@pytest.mark.slow
def test_a_swap_cut_short_is_put_back_by_the_next_run(interrupted):
    """Killed between renaming the old marts aside and renaming the new ones in: the next run, even one
    that publishes nothing, puts the previous publication back and removes the rest."""
    assert "marts hersteld uit een onderbroken publicatie" in interrupted["nochange"].stdout
    assert interrupted["published_after_nochange"] == interrupted["published_rerun"]
    assert interrupted["leftovers_nochange"] == []


@pytest.mark.slow
def test_full_reads_every_wave_again_and_changes_nothing(interrupted):
    run = interrupted["full"]
    lines = wave_lines(run)
    assert len(lines) == N_WAVES and not any(UNCHANGED in line for line in lines), lines
    assert all(re.match(r"^\d{4}: \d+ regio's, 0 modules \(opnieuw\) geladen, \d+ ongewijzigd", line) for line in lines)
    before, after = interrupted["staging_after_nochange"], interrupted["staging_after_full"]
    assert {t: rows for t, rows in after.items() if t != "raw_wave_fingerprints"} == {
        t: rows for t, rows in before.items() if t != "raw_wave_fingerprints"
    }
    # Only the fingerprints' load time moved: every wave was read.
    assert [(w, fp) for w, fp, _ in after["raw_wave_fingerprints"]] == [
        (w, fp) for w, fp, _ in before["raw_wave_fingerprints"]
    ]
    assert all(a[2] > b[2] for a, b in zip(after["raw_wave_fingerprints"], before["raw_wave_fingerprints"]))
    assert interrupted["marts_full"] == interrupted["marts_rerun"]


# --- concurrent runs -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_runs_wait_for_each_other_and_end_as_one_run(tmp_path, shipped_run):
    first, second = start(tmp_path, "a"), start(tmp_path, "b")
    lock = tmp_path / "warehouse.duckdb.lock"
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text().startswith("pid ")):
        assert time.monotonic() < deadline, "neither run took the lock"
        time.sleep(0.05)
    holder_pid = int(lock.read_text().split()[1])
    holder = first if holder_pid == first.pid else second
    waiter = second if holder is first else first
    assert holder.pid == holder_pid

    # A third run that will not wait long gives up with exit code 3 while the holder writes.
    impatient = finish(start(tmp_path, "c", "--wait", "1"), 3)
    assert holder.proc.poll() is None, "the holder finished before the impatient run gave up: nothing proven"
    assert (
        f"een andere run schrijft al naar {tmp_path / 'warehouse.duckdb'} (pid {holder_pid} sinds" in impatient.stderr
    )
    assert "na 1 s wachten gestopt zonder iets te wijzigen" in impatient.stderr

    finish(holder)
    finish(waiter)
    assert f"wachten: een andere run schrijft (pid {holder_pid} sinds" in waiter.stdout
    assert "wachten: een andere run schrijft" not in holder.stdout
    # The waiter ran after the holder, on what it had loaded: nothing read twice.
    lines = wave_lines(waiter)
    assert len(lines) == N_WAVES and all(UNCHANGED in line for line in lines), lines
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        stamps = con.execute("select count(distinct loaded_at) from stg_module_loads").fetchone()[0]
        history = con.execute("select step, units_loaded from run_history order by recorded_at").fetchall()
    assert stamps == 1
    assert [h for h in history if h[0] == "laden"] == [("laden", shipped_run_units(shipped_run)), ("laden", 0)]
    assert leftovers(tmp_path) == []
    assert mart_contents(tmp_path / "marts") == mart_contents(shipped_run.marts)


def shipped_run_units(run) -> int:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(
            "select units_loaded from run_history where step = 'laden' order by recorded_at limit 1"
        ).fetchone()[0]


# --- the publisher on a connection with a result left unread -------------------------------------------


def test_export_after_a_single_row_read_on_the_same_connection(tmp_path):
    """The freshness check reads one row (fetchone) on the connection the export then uses."""
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute("create table marts.demo as select range as id, 'x' || range as text from range(5)")
    con.execute("create table state (output varchar, fingerprint varchar)")
    con.execute("insert into state values ('mart_files', 'abc')")
    assert con.execute("select fingerprint from state where output = 'mart_files'").fetchone() == ("abc",)
    assert export_marts(con, ["demo"], tmp_path) == {"demo": 5}
    assert (tmp_path / "demo.parquet").is_file() and (tmp_path / "benchmark.xlsx").is_file()
