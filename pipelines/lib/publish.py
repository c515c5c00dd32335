"""Publishing outputs so that readers never see a half-written state.

A publication (the marts folder, the dashboards folder) is written into a new
sibling folder and swapped in only when it is complete:

1. write everything into ``.<name>.new-<token>``;
2. rename the current folder to ``.<name>.old-<token>``;
3. rename the new folder to ``<name>``; remove the old one.

If a run dies between 2 and 3, :func:`recover` (called at the start of every
publication) puts the last complete folder back. Left-over ``.new`` folders of
dead runs are removed. Renames within one file system are atomic, so at any
moment ``<name>`` is either the previous or the new publication.

Exports are made safe for spreadsheets: in the XLSX every text cell is written
as an inline string, never as a formula (see :mod:`pipelines.lib.xlsx`); in the CSV a text value that a spreadsheet would
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) is prefixed with an apostrophe, the usual guard. The Parquet files and
the warehouse keep the exact text.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import numpy as np
import pandas as pd

from pipelines.lib.xlsx import write_xlsx

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
KEEP_FILE = ".gitkeep"  # the empty file that keeps the folder in git


def recover(target: Path) -> str | None:
    """Restore a consistent ``target`` after a run that died mid-swap. Returns what it did."""
    target = Path(target)
    parent = target.parent
    if not parent.exists():
        return None
    did = None
    olds = sorted(parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not target.exists() and olds:
        olds[0].rename(target)
        olds = olds[1:]
        did = f"{target.name} hersteld uit een onderbroken publicatie"
    for stale in olds + list(parent.glob(f".{target.name}.new-*")):
        shutil.rmtree(stale, ignore_errors=True)
    return did


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh folder to write a publication into; swap it in if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    token = uuid.uuid4().hex[:8]
    new = target.parent / f".{target.name}.new-{token}"
    new.mkdir()
    try:
        yield new
        (new / KEEP_FILE).touch()
        _fsync_tree(new)
        old = target.parent / f".{target.name}.old-{token}"
        if target.exists():
            target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _fsync_tree(folder: Path) -> None:
    """Flush file contents to disk before the swap, so a power cut cannot expose empty files."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def csv_safe(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe (vectorised)."""
    is_text = values.map(lambda v: isinstance(v, str)) if values.dtype == object else values.notna()
    starts = values.where(is_text, "").astype(str).str.startswith(FORMULA_STARTERS)
    return values.where(~starts, "'" + values.where(starts, "").astype(str))


def _flatten_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (Arrow gives numpy arrays) as codes joined by `|`, the survey's own separator."""
    sequence = (list, tuple, np.ndarray)
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, sequence)).any():
            out[col] = out[col].map(lambda v: "|".join(map(str, v)) if isinstance(v, sequence) else v)
    return out


def export_marts(con: duckdb.DuckDBPyConnection, names: list[str], folder: Path, schema: str = "marts") -> dict[str, int]:
    """Write each mart as Parquet and CSV, and all of them as sheets of benchmark.xlsx."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    frames: dict[str, pd.DataFrame] = {}
    # DuckDB's relational API (con.table) refuses to start while a result of execute() is unread, as
    # after a fetchone() (the freshness check reads one row): finish that result first.
    con.complete()
    for name in names:
        table = con.table(f"{schema}.{name}").arrow()
        if hasattr(table, "read_all"):  # duckdb returns a RecordBatchReader
            table = table.read_all()
        pq.write_table(table, folder / f"{name}.parquet")
        frame = _flatten_lists(table.to_pandas())
        frames[name] = frame
        text_cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) in ("str", "string")]
        safe = frame.copy()
        for c in text_cols:
            safe[c] = csv_safe(safe[c])
        # CRLF as in RFC 4180; it also makes the writer quote any field holding a \r or \n.
        safe.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\r\n")
    write_xlsx(frames, folder / "benchmark.xlsx", title="regiobench: benchmark veiligheidsregio's")
    return {name: len(f) for name, f in frames.items()}
