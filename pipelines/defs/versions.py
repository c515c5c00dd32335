"""What Dagster is told about an asset's code and data: code versions, data versions, table metadata.

**Code version** (``code_version`` on every asset): a short SHA-256 of the source files the asset runs,
derived at definition load, never bumped by hand (a hand-kept constant is forgotten, and then Dagster
says an asset is up to date with code it was not built by). A SQL model's version covers its own
``.sql`` file and the Python room that runs it, so editing one model changes the version of that
table only; Dagster's data versions then carry the change downstream.

**Data version** (``data_version`` on every materialization): the fingerprint the project already
keeps to decide that an output is current (:mod:`pipelines.publish.freshness`, the wave fingerprints
of :mod:`pipelines.ingest.discovery`). A step that finds its output current builds nothing and reports
the data version its output was built from, the same as at the build, so Dagster does not see new data
and marks nothing downstream stale; its metadata says ``rebuilt: False``.

**Table metadata**: ``dagster/row_count`` and ``dagster/column_schema``, read from the DuckDB table
after it is written (or as it stands, when the step found it current).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import dagster as dg

from pipelines.core import paths

_PACKAGE = paths.PROJECT_ROOT / "pipelines"
_SUFFIXES = {".py", ".sql", ".j2", ".js", ".css", ".html"}

#: The rooms (folders under ``pipelines/``) whose code each layer runs.
INGEST_CODE = ("core", "contract", "ingest")
REFERENCE_CODE = ("core", "contract/reference.py", "engine/reference.py")
ENGINE_CODE = ("core", "contract", "engine")
MART_FILES_CODE = ("core", "contract", "publish")
SITE_CODE = ("core", "publish", "site")
PUBLICATION_CODE = ("core", "publish/outputs.py")


def _files(part: str) -> list[Path]:
    path = _PACKAGE / part
    if path.is_file():
        return [path]
    return [p for p in sorted(path.rglob("*")) if p.suffix in _SUFFIXES and "__pycache__" not in p.parts]


@cache
def code_version(*parts: str) -> str:
    """Short hash of the named files and folders under ``pipelines/`` (names and contents)."""
    h = hashlib.sha256()
    for part in parts:
        for path in _files(part):
            h.update(str(path.relative_to(_PACKAGE)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def data_version(*parts: object) -> dg.DataVersion:
    """A data version from the fingerprint(s) an output is built from."""
    return dg.DataVersion(hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:16])


def table_metadata(con, table: str, where: str = "", params: list | None = None) -> dict:
    """``dagster/row_count`` and ``dagster/column_schema`` of a warehouse table (``schema.name`` or ``name``).

    ``where`` (with bound ``params``) counts one partition's rows, e.g. ``wave = ?``.
    """
    schema, name = table.split(".") if "." in table else ("main", table)
    columns = con.execute(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    # table names come from the code (codebook, SQL file names), never from input: quoted all the same
    quoted = f'"{schema}"."{name}"'
    n = con.execute(f"select count(*) from {quoted}" + (f" where {where}" if where else ""), params or []).fetchall()
    return {
        "dagster/row_count": dg.MetadataValue.int(int(n[0][0])),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(c, t, constraints=dg.TableColumnConstraints(nullable=nullable == "YES"))
                for c, t, nullable in columns
            ]
        ),
    }
