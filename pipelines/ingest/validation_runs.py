"""Great Expectations' results kept per validation run, with a retention that never drops a run in use.

Layout under the validation folder (``data/validation/`` by default)::

    runs/<UTC time>_<run id>/run.json        what the run checked: waves, modules, number of problems
    runs/<UTC time>_<run id>/<module>.json   GX's result of the module's suite (redacted)

The UTC time (``20261206T045012Z``) comes first, so names sort as the runs were made; the run id is the
Dagster run's (as in ``run_history``). Checking the same waves again makes a new folder: nothing is
overwritten. A run is written into ``runs/.tmp-<name>`` and renamed when complete, so a run killed half-way
(kill -9) leaves only a ``.tmp-`` folder, which is never listed as a run and is removed by the next
:func:`prune`.

Retention (:func:`prune`, after every ingest that validated): the newest :data:`KEEP_RUNS` runs, and every
run a status still refers to (``stg_submission_status``, ``marts.submission_status`` and the published
``submission_status.parquet``: ``validation_run``), however old. Pure: no GX, no Dagster.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

RUNS = "runs"
#: Runs kept besides those a status refers to.
KEEP_RUNS = 20
#: A ``.tmp-`` folder older than this is a run that was killed; younger ones may still be written.
STALE_TMP_SECONDS = 3600
TMP_PREFIX = ".tmp-"
MANIFEST = "run.json"
_NAME = re.compile(r"^\d{8}T\d{6}Z_[A-Za-z0-9-]+$")


def result_path(run: str, module: str) -> str:
    """A module's GX result, relative to the validation folder (as the marts carry it)."""
    return f"{RUNS}/{run}/{module}.json"


def manifest_path(run: str) -> str:
    return f"{RUNS}/{run}/{MANIFEST}"


def run_name(run_id: str | None, now: dt.datetime | None = None) -> str:
    """``<UTC time>_<run id>``; without a run id, a random one."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    safe = re.sub(r"[^A-Za-z0-9-]", "-", run_id or "") or uuid.uuid4().hex[:12]
    return f"{now:%Y%m%dT%H%M%SZ}_{safe}"


def list_runs(results_dir: Path) -> list[str]:
    """Complete runs, oldest first (never a ``.tmp-`` folder)."""
    folder = Path(results_dir) / RUNS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and _NAME.match(p.name))


@contextmanager
def new_run(results_dir: Path, run_id: str | None, manifest: dict) -> Iterator[tuple[str, Path]]:
    """Yield (name, folder to write into); on a clean exit the folder becomes ``runs/<name>``.

    ``manifest`` is written as ``run.json`` on completion (the caller may add to it while writing). On an
    exception the half-written folder is removed; after a kill it stays a ``.tmp-`` folder.
    """
    runs = Path(results_dir) / RUNS
    runs.mkdir(parents=True, exist_ok=True)
    base = run_name(run_id)
    name, n = base, 1
    while (runs / name).exists() or (runs / f"{TMP_PREFIX}{name}").exists():  # the same run id twice a second
        n += 1
        name = f"{base}-{n}"
    tmp = runs / f"{TMP_PREFIX}{name}"
    tmp.mkdir()
    try:
        yield name, tmp
        (tmp / MANIFEST).write_text(
            json.dumps({"run": name, "run_id": run_id, **manifest}, ensure_ascii=False, indent=1, default=str),
            encoding="utf-8",
        )
        os.replace(tmp, runs / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def prune(results_dir: Path, keep: int = KEEP_RUNS, protect: Iterable[str | None] = ()) -> list[str]:
    """Remove runs beyond the newest ``keep`` that no status refers to (``protect``), and killed runs' leftovers.

    Returns the names removed. Only folders under ``runs/`` named as a run (or ``.tmp-`` leftovers) are
    touched: anything else an analyst put there stays.
    """
    runs = Path(results_dir) / RUNS
    if not runs.is_dir():
        return []
    protected = {p for p in protect if p}
    names = list_runs(results_dir)
    newest = set(names[-keep:]) if keep > 0 else set()
    removed = []
    for name in names:
        if name not in newest and name not in protected:
            shutil.rmtree(runs / name, ignore_errors=True)
            removed.append(name)
    for leftover in runs.glob(f"{TMP_PREFIX}*"):
        try:
            stale = time.time() - leftover.stat().st_mtime > STALE_TMP_SECONDS
        except OSError:
            continue
        if stale and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover.name)
    return removed


def referenced_runs(con, marts_dir: Path | None = None) -> set[str]:
    """The runs a current or published status came from: they are kept whatever their age.

    ``con``: the warehouse (``stg_submission_status``, ``marts.submission_status``); ``marts_dir``: the
    published marts, whose ``submission_status.parquet`` may be older than the warehouse's tables.
    """
    found: set[str] = set()
    columns = con.execute(
        "select table_schema, table_name from information_schema.columns where column_name = 'validation_run'"
    ).fetchall()
    for schema, table in columns:
        if (schema, table) in (("main", "stg_submission_status"), ("marts", "submission_status")):
            found |= {r for (r,) in con.execute(f'select distinct validation_run from "{schema}"."{table}"').fetchall()}
    published = Path(marts_dir) / "submission_status.parquet" if marts_dir is not None else None
    if published is not None and published.is_file():
        # An unreadable publication raises: the caller then prunes nothing rather than guess what it refers to.
        names = [c for (c, *_) in con.execute("describe select * from read_parquet(?)", [str(published)]).fetchall()]
        if "validation_run" in names:
            rows = con.execute("select distinct validation_run from read_parquet(?)", [str(published)]).fetchall()
            found |= {r for (r,) in rows}
    return {r for r in found if r}
