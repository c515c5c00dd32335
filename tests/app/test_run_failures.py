"""A failed run says its root cause in one Dutch line (issue 15, points 7 and 8).

A damaged warehouse (truncated, garbage) stops the run with exit 1 and a line that says how to recover, no
traceback unless --verbose; ``--rebuild`` puts the damaged file aside (kept) and builds a new warehouse whose
marts equal a fresh run's. A process holding the warehouse open (a notebook) makes the run wait up to --wait
and then exit 3 naming the process. Dagster's step failures are walked to their root cause.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import time

import pytest

from pipelines.app.failures import lock_holder, root_cause, root_line
from tests.factories import mart_contents
from tests.support import ROOT


def error_info(message: str, cls: str, cause=None):
    """Dagster's record of an error (imported here, not at collection: Dagster takes seconds to import)."""
    from dagster._utils.error import SerializableErrorInfo

    return SerializableErrorInfo(message, [], cls, cause=cause)


def wrapped(inner):
    """As Dagster reports a failed step: its wrapper with the user's error as the cause."""
    return error_info(
        'Error occurred while executing op "published_marts":', "DagsterExecutionStepExecutionError", cause=inner
    )


@pytest.mark.parametrize(
    "cls,message,kind,words",
    [
        ("OSError", "[Errno 28] No space left on device: '/data/marts/.marts.new-x/a.csv'", "disk", "schijf is vol"),
        (
            "IOException",
            'IO Error: Could not write file "/d/w.duckdb": No space left on device',
            "disk",
            "schijf is vol",
        ),
        ("OSError", "[Errno 30] Read-only file system: '/data/dashboards'", "readonly", "alleen-lezen (EROFS)"),
        ("PermissionError", "[Errno 13] Permission denied: '/data/marts'", "permission", "(EACCES)"),
        ("MemoryError", "", "memory", "te weinig geheugen"),
        (
            "OutOfMemoryException",
            "Out of Memory Error: failed to allocate data of size 2.0 GiB",
            "memory",
            "te weinig geheugen",
        ),
        (
            "IOException",
            'IO Error: The file "/d/w.duckdb" exists, but it is not a valid DuckDB database file!',
            "damaged",
            "--rebuild",
        ),
    ],
)
def test_the_root_cause_of_a_wrapped_step_failure_in_dutch(cls, message, kind, words):
    middle = error_info("wrapper of the library", "RuntimeError", cause=error_info(message, cls))
    cause = root_cause(wrapped(middle))
    assert cause.kind == kind and words in cause.line, cause
    assert "Dagster" not in cause.line and "\n" not in cause.line


def test_the_root_cause_of_a_python_exception_chain():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/x/y.parquet")
        except OSError as exc:
            raise RuntimeError("export failed") from exc
    except RuntimeError as outer:
        line = root_line(outer)
    assert line.startswith("de schijf is vol (ENOSPC)") and "/x/y.parquet" in line


def test_an_unknown_error_still_gives_one_line_with_its_innermost_message():
    line = root_line(wrapped(error_info("ValueError: iets onverwachts\n", "ValueError")))
    assert line == "onverwachte fout (ValueError): ValueError: iets onverwachts"


def test_duckdbs_lock_error_names_the_holder():
    message = (
        'IO Error: Could not set lock on file "/d/w.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 4242). However, you would be able to open this database in read-only mode"
    )
    assert lock_holder(message) == "/usr/bin/python3.11 (PID 4242)"
    assert lock_holder("IO Error: something else") is None


def run_args(root, warehouse, *extra):
    return (
        "run",
        "--raw",
        str(ROOT / "data" / "raw"),
        "--warehouse",
        str(warehouse),
        "--marts",
        str(root / "marts"),
        "--dashboards",
        str(root / "dashboards"),
        "--validation",
        str(root / "validation"),
        *extra,
    )


def cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "pipelines.app.cli", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def damage(path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(len(data) // 8)))


@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_a_damaged_warehouse_says_so_in_dutch_and_rebuild_recovers(shipped_run, tmp_path, how):
    root = tmp_path
    shutil.copytree(shipped_run.marts, root / "marts")
    shutil.copytree(shipped_run.dashboards, root / "dashboards")
    warehouse = root / "warehouse.duckdb"
    shutil.copy(shipped_run.warehouse, warehouse)
    damage(warehouse, how)
    damaged = warehouse.read_bytes()
    published = {p.name: p.read_bytes() for p in (root / "marts").iterdir() if p.is_file()}

    failed = cli(*run_args(root, warehouse))
    assert failed.returncode == 1, failed.stdout[-2000:] + failed.stderr[-2000:]
    assert "Traceback" not in failed.stdout + failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "het warehouse is beschadigd" in lines[0] and "regiobench run --rebuild" in lines[0]
    assert "Niet gepubliceerd: marts nee, dashboards nee" in failed.stdout
    assert {p.name: p.read_bytes() for p in (root / "marts").iterdir() if p.is_file()} == published

    verbose = cli(*run_args(root, warehouse, "--verbose"))
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr

    as_json = cli(*run_args(root, warehouse, "--json"))  # the same failure in the run report: stdout is only JSON
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["exit_code"] == 1 and report["outcome"] == "failed"
    assert report["failure"]["kind"] == "damaged" and report["failure"]["error_class"]
    assert "het warehouse is beschadigd" in report["failure"]["cause"]
    assert report["published"] == {
        "marts": False,
        "dashboards": False,
        "publication_id": report["published"]["publication_id"],
    }
    assert report["published"]["publication_id"]  # the previous publication, still in place

    if how == "truncated":
        return  # one rebuild is enough: both damages are the same case for it
    rebuilt = cli(*run_args(root, warehouse, "--rebuild"))
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-3000:]
    aside = [p for p in root.iterdir() if p.name.startswith("warehouse.duckdb.opzij-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # kept, never deleted
    assert "Verloren in het nieuwe warehouse: de runhistorie" in rebuilt.stdout
    assert "Gepubliceerd: marts ja, dashboards ja" in rebuilt.stdout
    assert mart_contents(root / "marts") == mart_contents(shipped_run.marts)


def test_a_notebook_holding_the_warehouse_makes_the_run_wait_then_name_it(shipped_run, tmp_path):
    root = tmp_path
    warehouse = root / "warehouse.duckdb"
    shutil.copy(shipped_run.warehouse, warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse)!r}, read_only=True)\n"
            "print('open', flush=True)\ntime.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        started = time.monotonic()
        proc = cli(*run_args(root, warehouse, "--wait", "2"))
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert took >= 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"(PID {holder.pid})" in lines[0] and "in gebruik door een ander proces" in lines[0]
    assert "marts.duckdb" in lines[0]  # and where to go instead
    assert "wachten: het warehouse is open in" in proc.stdout

    # Released: the run goes ahead.
    after = cli(*run_args(root, warehouse, "--wait", "2"))
    assert after.returncode == 0, after.stdout[-2000:] + after.stderr[-2000:]


def test_the_published_marts_database_never_blocks_a_run(shipped_run, tmp_path):
    """An analyst's notebook on marts.duckdb (the README's advice) while a run republishes."""
    root = tmp_path
    warehouse = root / "warehouse.duckdb"
    shutil.copy(shipped_run.warehouse, warehouse)
    shutil.copytree(shipped_run.marts, root / "marts")
    shutil.copytree(shipped_run.dashboards, root / "dashboards")
    import duckdb

    with duckdb.connect(str(warehouse)) as con:  # both outputs out of date: the run republishes them
        con.execute("delete from publication_state")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, time\n"
            f"con = duckdb.connect({str(root / 'marts' / 'marts.duckdb')!r}, read_only=True)\n"
            "print(con.execute('select count(*) from variation_register').fetchone()[0], flush=True)\n"
            "time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(holder.stdout.readline()) > 0
        proc = cli(*run_args(root, warehouse, "--wait", "2"))
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Gepubliceerd: marts ja, dashboards ja" in proc.stdout


# --- portability: the Unix-only calls behind pipelines.core.portability ----------------------------------


def test_without_a_file_lock_facility_the_run_lock_says_so_in_dutch(tmp_path, monkeypatch):
    from pipelines.app.runlock import write_lock
    from pipelines.core import portability

    monkeypatch.setattr(portability, "fcntl", None)  # as on a system without fcntl ...
    monkeypatch.setattr(portability, "msvcrt", None)  # ... and without Windows' stand-in
    with pytest.raises(portability.NotSupported) as caught, write_lock(tmp_path / "w.duckdb", timeout=0):
        pass
    line = root_line(caught.value)
    assert "bestandsvergrendeling (fcntl.flock) ontbreekt op dit systeem" in line and "WSL2" in line, line


def test_waiting_on_a_pipe_where_select_cannot_says_so(monkeypatch):
    import os
    import select

    from pipelines.core import portability

    def no_select(*args):
        raise OSError(10038, "An operation was attempted on something that is not a socket")

    monkeypatch.setattr(select, "select", no_select)
    r, w = os.pipe()
    try:
        with pytest.raises(portability.NotSupported, match="select op een pipe"):
            portability.wait_readable(r, 0.1)
    finally:
        os.close(r)
        os.close(w)


def test_the_workbook_child_starts_without_the_resource_module():
    """CHILD_LIMITS in a child where ``import resource`` fails (as on native Windows): no limit, no crash."""
    from pipelines.core.portability import CHILD_LIMITS

    code = "import sys\nsys.modules['resource'] = None\n" + CHILD_LIMITS + "print('zonder grens', resource)\n"
    done = subprocess.run([sys.executable, "-c", code, str(1 << 30)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "zonder grens None", done.stderr
    with_limits = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD_LIMITS + "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0])\n",
            str(1 << 30),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_limits.stdout.strip() == str(1 << 30), with_limits.stderr
