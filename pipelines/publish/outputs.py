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

Marts and dashboards are one publication, published together or not at all
(:func:`prepare` both, then :func:`swap_together`): each prepared folder gets a
marker file (``.publicatie.json``) with the publication's id, and the second
swap failing undoes the first. A run killed between the two swaps leaves one
folder with the new id and its previous version beside it as
``.<name>.old-<id>``; :func:`recover_group` (at the start of every run) then
rolls that folder back, so both again hold the same publication.

Exports are made safe for spreadsheets: in the XLSX every text cell is written
as an inline string, never as a formula (see :mod:`pipelines.publish.xlsx`); in the CSV files (``<mart>.csv``
and the Dutch ``nl/<mart>.csv``, see :mod:`pipelines.publish.downloads`) a text value that a spreadsheet would
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) is prefixed with an apostrophe, the usual guard. The Parquet files and
the warehouse keep the exact text.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.contract.marts import MARTS_DATABASE, WORKBOOK
from pipelines.publish.downloads import (
    INTRO_SHEET,
    NL_CSV_OPTIONS,
    NL_FOLDER,
    nl_csv_select,
    sheet_columns,
)
from pipelines.publish.xlsx_duckdb import write_xlsx_from_duckdb
from pipelines.publish.xlsx_intro import intro_sheet
from pipelines.publish.xlsx_sql import FORMULA_STARTERS, csv_safe_sql, is_list, quote_ident, sql_literal, sql_text

KEEP_FILE = ".gitkeep"  # the empty file that keeps the folder in git


MARKER = ".publicatie.json"  # in every published folder: which publication it belongs to


def publication_of(folder: Path) -> dict | None:
    """The marker of a published (or prepared) folder: ``{"id", "time", "output", ...}``, or None."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_publication_id(run_id: str) -> str:
    """The id of the publication a run makes: a piece of its run id (the time is in the marker)."""
    return (run_id.replace("-", "") or uuid.uuid4().hex)[:12]


def recover_group(targets, keep: str | None = None) -> list[str]:
    """Restore ``targets`` (published together) to one consistent publication after a run that died mid-swap.

    1. a target renamed aside and not replaced is put back (the newest ``.old-`` folder);
    2. when the targets then hold different publications and one of them still has its previous version
       beside it (``.<name>.old-<its id>``: the swap of that publication was not finished), that one is
       rolled back;
    3. left-over ``.old-`` and ``.new-`` folders are removed, except the prepared ``.new-<keep>`` of the
       publication this run is making.

    Returns what it did, in Dutch.
    """
    targets = [Path(t) for t in targets]
    did: list[str] = []
    for target in targets:
        if not target.parent.exists():
            continue
        olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        if not target.exists() and olds:
            olds[0].rename(target)
            did.append(f"{target.name} hersteld uit een onderbroken publicatie")
    ids = {t: (publication_of(t) or {}).get("id") for t in targets if t.exists()}
    if len(set(ids.values())) > 1:
        for target, pid in ids.items():
            old = target.parent / f".{target.name}.old-{pid}"
            if pid and old.is_dir():
                target.rename(target.parent / f".{target.name}.new-{pid}")  # removed below
                old.rename(target)
                did.append(
                    f"{target.name}: de half afgemaakte publicatie {pid} teruggedraaid, zodat marts en "
                    f"dashboards weer bij dezelfde publicatie horen"
                )
    for target in targets:
        if not target.parent.exists():
            continue
        for stale in list(target.parent.glob(f".{target.name}.old-*")) + list(
            target.parent.glob(f".{target.name}.new-*")
        ):
            if keep and stale.name == f".{target.name}.new-{keep}":
                continue
            shutil.rmtree(stale, ignore_errors=True)
    return did


def recover(target: Path) -> str | None:
    """Restore a consistent ``target`` after a run that died mid-swap. Returns what it did."""
    return "; ".join(recover_group([target])) or None


def prepared_path(target: Path, pub_id: str) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.new-{pub_id}"


@contextmanager
def prepare(target: Path, pub_id: str, output: str, **marker) -> Iterator[Path]:
    """Yield the folder to write ``target``'s part of publication ``pub_id`` into; nothing is swapped yet.

    On success the folder gets its marker (with ``marker``'s items, e.g. the inputs' fingerprint) and is
    flushed to disk; on failure it is removed. :func:`swap_together` publishes it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    new = prepared_path(target, pub_id)
    if new.exists():
        shutil.rmtree(new)
    new.mkdir()
    try:
        yield new
        (new / KEEP_FILE).touch()
        (new / MARKER).write_text(
            json.dumps({"id": pub_id, "time": time.strftime("%Y-%m-%d %H:%M:%S"), "output": output, **marker}),
            encoding="utf-8",
        )
        _fsync_tree(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def swap_together(targets, pub_id: str) -> list[Path]:
    """Swap in every prepared ``.<name>.new-<pub_id>`` of ``targets``; all of them or none.

    Targets without a prepared folder (their output was current) are left as they are. When a swap fails,
    the swaps already made are undone (the previous publication goes back) and the error is raised.
    Returns the targets swapped.
    """
    items = [(Path(t), prepared_path(t, pub_id)) for t in targets]
    items = [(t, new) for t, new in items if new.is_dir()]
    done: list[tuple[Path, Path, bool]] = []
    try:
        for target, new in items:
            old = target.parent / f".{target.name}.old-{pub_id}"
            moved = False
            if target.exists():
                target.rename(old)
                moved = True
            try:
                new.rename(target)
            except BaseException:
                if moved and not target.exists():
                    old.rename(target)
                raise
            done.append((target, old, moved))
    except BaseException:
        for target, old, moved in reversed(done):  # undo: the new one aside again, the previous one back
            target.rename(prepared_path(target, pub_id))
            if moved:
                old.rename(target)
        for _, new in items:
            shutil.rmtree(new, ignore_errors=True)
        raise
    for _, old, _ in done:
        shutil.rmtree(old, ignore_errors=True)
    return [t for t, _, _ in done]


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
        moved_aside = False
        if target.exists():
            target.rename(old)
            moved_aside = True
        try:
            new.rename(target)
        except BaseException:
            # Put the previous publication back at once rather than leave readers without one until the next
            # run's recover().
            if moved_aside and not target.exists():
                old.rename(target)
            raise
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
    """Text that a spreadsheet would take for a formula gets a leading apostrophe (vectorised, for pandas)."""
    is_text = values.map(lambda v: isinstance(v, str)) if values.dtype == object else values.notna()
    starts = values.where(is_text, "").astype(str).str.startswith(FORMULA_STARTERS)
    return values.where(~starts, "'" + values.where(starts, "").astype(str))


def csv_select(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The SELECT whose CSV is the published file: formula guard on text, lists joined by `|`.

    As the pandas export before it: an empty text and NULL both as an empty field, booleans as
    True/False, NaN as an empty field, doubles in their shortest form. One difference: an integer column
    holding a NULL is written as integers (pandas turned such a column into floats: ``3.0``).
    """
    parts = []
    described = con.execute(f"DESCRIBE {relation}").fetchall()
    names = {name.lower() for name, *_ in described}
    for name, dtype, *_ in described:
        col = quote_ident(name)
        if dtype == "VARCHAR":
            expr = csv_safe_sql(f"nullif({col}, '')")
        elif is_list(dtype):
            expr = csv_safe_sql(f"nullif({sql_text(col, dtype)}, '')")
        elif dtype == "BOOLEAN":
            expr = f"CASE WHEN {col} THEN 'True' WHEN NOT {col} THEN 'False' END"
        elif dtype in ("DOUBLE", "FLOAT"):
            expr = f"CASE WHEN NOT isnan({col}) THEN {col} END"
        else:
            expr = col
        parts.append(f"{expr} AS {col}")
    # The table's own row order, stated: DuckDB 2.0's COPY ... TO csv does not keep insertion order once the
    # guard's expressions are in the query (seen at 2,500 regions), and rowid follows insertion order.
    order = "" if "rowid" in names else " ORDER BY rowid"
    return f"SELECT {', '.join(parts)} FROM {relation}{order}"


def _write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    """Stream the table into a Parquet file batch by batch with pyarrow.

    Not DuckDB's COPY: that marks a column REQUIRED when this run's data happen to hold no NULL, so the
    schema would change from one publication to the next; pyarrow keeps every column nullable.
    """
    import pyarrow.parquet as pq

    reader = con.sql(f"SELECT * FROM {relation}").to_arrow_reader(PARQUET_BATCH_ROWS)
    n = 0
    # closing the reader releases DuckDB's streaming result: after a failed write (a full disk) the connection
    # must still take the next query, and the caller must see the write's error, not "connection has an open result"
    with reader, pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            if batch.num_rows:
                writer.write_batch(batch)
                n += batch.num_rows
    return n


PARQUET_BATCH_ROWS = 131_072  # rows per row group
# CRLF as in RFC 4180; DuckDB quotes any field holding the delimiter, a quote, a \r or a \n.
CSV_OPTIONS = r"""FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NULLSTR '', NEW_LINE '\r\n'"""


def _as_oserror(exc: Exception) -> OSError:
    """A failed write in DuckDB (disk full, EFBIG, ...) as the OSError that the pyarrow and zip writers raise."""
    found = re.search(r'"errno":\s*"?(\d+)', str(exc))
    return OSError(int(found.group(1)) if found else errno.EIO, str(exc))


def export_marts(
    con: duckdb.DuckDBPyConnection, names: list[str], folder: Path, schema: str = "marts"
) -> dict[str, int]:
    """Write each mart as Parquet, CSV and CSV for Dutch Excel (``nl/``), and all of them as sheets of
    benchmark.xlsx (after a first sheet explaining it), and marts.duckdb.

    DuckDB does the work straight from the tables: Parquet and the workbook's rows (XML built in SQL) are
    streamed batch by batch, the CSV files are a COPY ... TO; no mart becomes a DataFrame (at 2,500 regions x
    10 waves the pandas version took minutes and ~5.7 GiB).
    """
    folder = Path(folder)
    (folder / NL_FOLDER).mkdir(exist_ok=True)
    # A new query refuses to start while a result of execute() is unread, as after a fetchone() (the
    # freshness check reads one row): finish that result first.
    con.complete()
    rows: dict[str, int] = {}
    relations = {name: f"{quote_ident(schema)}.{quote_ident(name)}" for name in names}
    with sheet_columns(con, relations) as sheets:
        for name, relation in relations.items():
            rows[name] = _write_parquet(con, relation, folder / f"{name}.parquet")
            _copy_csv(con, csv_select(con, relation), folder / f"{name}.csv", CSV_OPTIONS)
            nl = nl_csv_select(con, relation, sheets[name])
            _copy_csv(con, nl, folder / NL_FOLDER / f"{name}.csv", NL_CSV_OPTIONS)
        write_xlsx_from_duckdb(
            con,
            relations,
            folder / WORKBOOK,
            title=TITLE,
            columns=sheets,
            intro=(INTRO_SHEET, intro_sheet(TITLE, sheets, rows)),
        )
    write_marts_database(con, names, folder / MARTS_DATABASE, schema)
    return rows


TITLE = "regiobench: benchmark veiligheidsregio's"


def _copy_csv(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> None:
    try:
        con.execute(f"COPY ({select}) TO {sql_literal(str(path))} ({options})").fetchall()
    except duckdb.IOException as exc:
        raise _as_oserror(exc) from exc


def write_marts_database(con: duckdb.DuckDBPyConnection, names: list[str], path: Path, schema: str = "marts") -> None:
    """All marts as tables of a small DuckDB file of their own, made read-only.

    Analysts open this file (``duckdb.connect('data/marts/marts.duckdb', read_only=True)``) instead of the
    warehouse: a notebook holding it open never blocks a run, which writes a new folder and swaps it in.
    """
    alias = f"publication_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"ATTACH {sql_literal(str(path))} AS {alias} (READ_WRITE)")  # also from a read-only con
        try:
            for name in names:
                con.execute(
                    f"CREATE TABLE {alias}.main.{quote_ident(name)} AS "
                    f"SELECT * FROM {quote_ident(schema)}.{quote_ident(name)}"
                )
        finally:
            con.execute(f"DETACH {alias}")
    except duckdb.IOException as exc:
        raise _as_oserror(exc) from exc
    os.chmod(path, 0o444)
