"""The DuckDB warehouse: connection and the tables the loader owns.

Schema ``main`` holds the layers ``raw_``, ``ref_``, ``stg_`` and ``int_``;
schema ``marts`` holds the published marts.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipelines.contract.codebook import MODULES, staging_ddl

RUN_HISTORY_DDL = """create table if not exists run_history (
        run_id varchar, recorded_at timestamp, trigger varchar, step varchar, waves varchar,
        units_loaded integer, units_unchanged integer, files_rejected integer, summary varchar,
        report varchar)"""
#: ``report``: the run report of ``regiobench run`` as JSON text (one row per CLI run, step ``run``; null on the
#: rows of the steps). Added to a warehouse made before it, never dropped.
RUN_HISTORY_COLUMNS = (
    "run_id",
    "recorded_at",
    "trigger",
    "step",
    "waves",
    "units_loaded",
    "units_unchanged",
    "files_rejected",
    "summary",
)

LOADER_DDL = [
    """create table if not exists raw_file_inventory (
        wave integer, source_file varchar, kind varchar, region_code varchar, module varchar,
        size_bytes bigint, sha256 varchar, note varchar)""",
    """create table if not exists raw_wave_fingerprints (
        wave integer primary key, fingerprint varchar, loaded_at timestamp)""",
    """create table if not exists stg_module_loads (
        wave integer, region_code varchar, module varchar, source_file varchar, source_sha256 varchar,
        source_sheet varchar, n_rows integer, loaded_at timestamp,
        primary key (wave, region_code, module))""",
    """create table if not exists stg_submission_status (
        wave integer, region_code varchar, module varchar, source_file varchar, status varchar,
        n_rows integer, n_errors integer, n_warnings integer, message varchar,
        earlier_data_in_use boolean, source_sha256 varchar, validation_run varchar, validation_path varchar)""",
    RUN_HISTORY_DDL,
    """create table if not exists stg_problems (
        wave integer, region_code varchar, module varchar, source_file varchar, sheet varchar,
        row_number integer, column_name varchar, value varchar, rule varchar, severity varchar,
        message varchar)""",
]


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


class WarehouseBusy(RuntimeError):
    """Another process (a notebook, a DuckDB shell) holds the warehouse open past the wait."""


_LOCK = re.compile(r"Conflicting lock is held in (?P<proc>.+?) \(PID (?P<pid>\d+)\)", re.S)


def lock_holder(message: str) -> str | None:
    """Who holds a DuckDB file, from DuckDB's lock error: ``"python3 (PID 1234)"``, or None."""
    found = _LOCK.search(message)
    if not found:
        return None
    return f"{found['proc'].strip()} (PID {found['pid']})"


def open_for_writing(
    path: Path | str, timeout: float = 600.0, poll: float = 0.5, on_wait=None
) -> duckdb.DuckDBPyConnection:
    """A read-write connection; while another process holds the file open, wait up to ``timeout`` s.

    DuckDB names the holder in its lock error ("Conflicting lock is held in <program> (PID n)"); past the
    wait that becomes :class:`WarehouseBusy` with one Dutch line naming it. Other errors (a damaged file) are
    raised as they are.
    """
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            return connect(path)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"het warehouse {path} is in gebruik door een ander proces: {holder}; na {timeout:.0f} s "
                    f"wachten gestopt zonder iets te wijzigen. Sluit dat proces (bijvoorbeeld een notebook met een "
                    f"verbinding); open voor eigen analyses data/marts/marts.duckdb, nooit het warehouse"
                ) from None
            if on_wait and not told:
                on_wait(holder)
                told = True
            time.sleep(poll)


def move_aside(path: Path | str) -> Path | None:
    """Rename a (damaged) warehouse and its WAL out of the way; never delete. Returns the new name."""
    path = Path(path)
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.opzij-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.opzij-{stamp}-{n}")
    path.rename(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    return aside


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the loader's tables where they do not exist yet (idempotent)."""
    for ddl in LOADER_DDL:
        con.execute(ddl)
    for column in ("validation_run", "validation_path"):  # a warehouse from before GX's results were kept per run
        con.execute(f"alter table stg_submission_status add column if not exists {column} varchar")
    for module in MODULES.values():
        con.execute(staging_ddl(module))
    con.execute("create schema if not exists marts")


def record_history(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    trigger: str,
    step: str,
    summary: str,
    waves: list[int] | None = None,
    units_loaded: int | None = None,
    units_unchanged: int | None = None,
    files_rejected: int | None = None,
    report: str | None = None,
) -> None:
    """One line in ``run_history``: what a step of a run loaded or published (shown on the quality page)."""
    con.execute(RUN_HISTORY_DDL)
    con.execute("alter table run_history add column if not exists report varchar")
    con.execute(
        f"insert into run_history ({', '.join(RUN_HISTORY_COLUMNS)}, report) "
        "values (?, now()::timestamp, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            trigger,
            step,
            ", ".join(map(str, waves or [])) or None,
            units_loaded,
            units_unchanged,
            files_rejected,
            summary,
            report,
        ],
    )
