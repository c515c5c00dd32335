"""Is a published output still current? Then a rerun need not build it again.

An output (the marts in the warehouse, the mart files, the site) is current
when nothing it is built from has changed since it was last built:

* the staged waves (each wave's fingerprint of file names, contents, region
  set and rules, kept in ``raw_wave_fingerprints`` by the ingest), and the
  folders under ``data/raw`` reported as not being waves (``stg_problems``);
* the reference files under ``data/reference/``;
* the code that builds it (every source file of the ``pipelines`` package);
* where it is written (another ``--marts`` folder is another output).

The fingerprint of the last successful build is kept per output in the
warehouse table ``publication_state``; the output must also still exist.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.core import paths

STATE_DDL = "create table if not exists publication_state (output varchar primary key, fingerprint varchar)"
CODE_SUFFIXES = {".py", ".sql", ".j2", ".js", ".css", ".html"}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    h = hashlib.sha256()
    root = paths.PROJECT_ROOT / "pipelines"
    for path in sorted(root.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, reference_dir: Path, target: str | Path = "") -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(str(target).encode())
    tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    if "raw_wave_fingerprints" in tables:
        for wave, fp in con.execute("select wave, fingerprint from raw_wave_fingerprints order by wave").fetchall():
            h.update(f"{wave}:{fp}\n".encode())
    if "stg_problems" in tables:  # folders under data/raw that are not waves: shown on the quality page
        for folder, message in con.execute(
            "select source_file, message from stg_problems where wave is null order by all"
        ).fetchall():
            h.update(f"map:{folder}:{message}\n".encode())
    for path in sorted(Path(reference_dir).glob("*")):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def site_target(dashboards: Path, marts: Path) -> str:
    """What the site's fingerprint is tied to: its own folder and the marts folder its pages link to."""
    return f"{Path(dashboards).resolve()}|{Path(marts).resolve()}"


def is_current(con: duckdb.DuckDBPyConnection, output: str, fingerprint: str) -> bool:
    con.execute(STATE_DDL)
    # fetchall, not fetchone: an unread rest of a result keeps DuckDB's relational API (con.table) from starting
    rows = con.execute("select fingerprint from publication_state where output = ?", [output]).fetchall()
    return bool(rows) and rows[0][0] == fingerprint


def mark_built(con: duckdb.DuckDBPyConnection, output: str, fingerprint: str) -> None:
    con.execute(STATE_DDL)
    con.execute("insert or replace into publication_state values (?, ?)", [output, fingerprint])
