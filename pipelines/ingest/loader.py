"""Loading one wave of returns into the staging layer.

The unit of loading is a *module of one region in one wave* (say: VR13's
``middelen`` of 2024). For each such unit this module decides which source
holds it, checks it, and either replaces what was staged before or leaves it
as it is. The decision for every unit is recorded in ``stg_submission_status``.

Which source holds a unit (the codebook's rules across files):

1. Two or more workbooks of one region in one wave: *conflict*. None of that
   region's modules is (re)loaded for the wave; what was loaded before stays.
2. A workbook with the module's sheet: the workbook. The export's rows of that
   region for the module are set aside (status ``vervangen``). A workbook that
   cannot be opened at all counts as holding every module (all rejected), so
   that a region's data never silently comes from two places.
3. Otherwise the export ``<module>.csv``'s rows of that region. Two exports of
   one module in one wave (``risico.csv`` and ``Risico.CSV``): *conflict* for
   every region that would take the module from an export; neither is read and
   what was loaded before stays.
4. Otherwise nothing: the unit is ``ontbreekt`` and anything staged for it
   earlier is removed: the warehouse follows what lies in ``data/raw``.
   Except: when the module's export is present but lists no row of the region
   (an empty, header-only or truncated copy looks just like that) and what is
   staged for the region came from that export, the unit is ``afgewezen``, not
   removed: earlier data stays in use and the export's problems are attached to
   the region. A region is withdrawn from an export on purpose by one row with
   only its ``regio_code`` filled in (see :func:`_withdrawals`); removing the
   whole file removes everything it supplied.

A unit with any error (from the reader, or from validation) is ``afgewezen``:
its rows are not staged, and what was staged for it before stays in use
(``earlier_data_in_use``). Warnings never reject.

All changes of a wave are written in one DuckDB transaction, so every unit is
staged whole or not at all, and a run that dies half-way leaves the previous
state. A unit whose source (file, SHA-256, sheet) is unchanged is not touched,
so rerunning on the same files changes nothing.

The work is in :mod:`pipelines.ingest.sources` (reading a wave, choosing
sources) and :mod:`pipelines.ingest.staging` (writing); this module runs them
per wave with validation in between.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.contract.statuses import LOADED
from pipelines.core.problems import Problem, drop_reader_repeats
from pipelines.ingest.discovery import discover_wave, fingerprint
from pipelines.ingest.readers import DEFAULT_LIMITS, Limits
from pipelines.ingest.sources import Unit, plan_wave  # noqa: F401  (Unit: re-exported)
from pipelines.ingest.staging import (  # noqa: F401  (re-exported: the staging API as callers know it)
    WaveResult,
    _Prepared,
    _write,
    record_folder_notes,
    remove_vanished_waves,
    stored_folder_notes,
)

#: A validator gets all candidate rows of one wave, one DataFrame per module
#: (Dutch field names, typed, plus the columns ``regio_code``, ``_row``,
#: ``_file``, ``_sheet`` and ``_sha``), the known region codes, and as keyword
#: ``sheets`` per module the regions whose sheet was read with its (file, sheet),
#: also where the sheet had no rows. It returns the problems it finds, each with
#: ``region_code`` and ``module`` set.
Validator = Callable[..., list[Problem]]


#: Raise when reading or validation rules change, so that unchanged files are read again.
RULES_VERSION = "3"


def _prepare(
    con, raw_root: Path, wave: int, region_codes: list[str], limits: Limits, skip_unchanged: bool
) -> _Prepared | WaveResult:
    """Discover, read and plan one wave; a WaveResult (skipped) when nothing changed since the last load."""
    started = time.perf_counter()
    files, discovery_problems = discover_wave(raw_root, wave, region_codes, limits)
    fp = fingerprint(files, context=f"{RULES_VERSION}|{','.join(sorted(region_codes))}")
    if skip_unchanged:
        row = con.execute("select fingerprint from raw_wave_fingerprints where wave = ?", [wave]).fetchone()
        if row and row[0] == fp:
            return WaveResult(wave, files, [], [], skipped=True, fingerprint=fp)
    units, extra_status, problems, unit_problems, module_frames = plan_wave(wave, files, region_codes, limits)
    sheets: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for u in units:
        if u.status == LOADED:
            sheets[u.module][u.region_code] = (u.source.rel, u.sheet)
    return _Prepared(
        wave,
        files,
        fp,
        units,
        extra_status,
        discovery_problems + problems,
        unit_problems,
        module_frames,
        dict(sheets),
        {"lezen": time.perf_counter() - started},
    )


def _validate(prepared: list[_Prepared], validator: Validator, region_codes: list[str]) -> None:
    """Add validation's problems to each unit; one validator call for all waves where it can take them."""
    todo = [p for p in prepared if p.sheets]
    if not todo:
        return
    started = time.perf_counter()
    if hasattr(validator, "validate_waves"):
        found = validator.validate_waves([(p.wave, p.module_frames, p.sheets) for p in todo], region_codes)
    else:
        found = [
            pr
            for p in todo
            for pr in _with_wave(validator(p.wave, p.module_frames, region_codes, sheets=p.sheets), p.wave)
        ]
    run = getattr(validator, "last_run", None)  # the folder of GX's results, if it kept them
    by_wave: dict[int, list[Problem]] = defaultdict(list)
    for pr in found:
        by_wave[pr.wave].append(pr)
    for p in todo:
        p.validation_run = run
        reader = [pr for prs in p.unit_problems.values() for pr in prs]
        # A value the reader could not parse reaches validation as empty: report it once, not twice.
        for pr in drop_reader_repeats(reader, by_wave.get(p.wave, [])):
            region, module = pr.region_code, pr.module
            assert region is not None and module is not None, pr  # validation reports per unit
            p.unit_problems[(region, module)].append(pr)
        p.timings["toetsen"] = (time.perf_counter() - started) / len(todo)


def _with_wave(problems: list[Problem], wave: int) -> list[Problem]:
    for p in problems:
        p.wave = wave
    return problems


#: Candidate rows validated in one go (see :func:`ingest_waves`). GX's cost is mostly per run (planning
#: ~90 expectations per module), so a batch is as large as memory allows: at 2,500 regions a wave has about
#: 250,000 rows, and a batch of a million rows stays well under 3 GiB.
VALIDATION_BATCH_ROWS = 1_000_000


def _n_rows(p: _Prepared) -> int:
    return sum(len(f) for f in p.module_frames.values())


def ingest_waves(
    con: duckdb.DuckDBPyConnection,
    raw_root: Path,
    waves: list[int],
    region_codes: list[str],
    *,
    validator: Validator | None = None,
    limits: Limits = DEFAULT_LIMITS,
    now: dt.datetime | None = None,
    skip_unchanged: bool = False,
    batch_rows: int = VALIDATION_BATCH_ROWS,
) -> list[WaveResult]:
    """Read, check and stage several waves, in order; one transaction per wave.

    Waves are read one after another and validated in batches: a batch is
    closed as soon as its waves hold ``batch_rows`` candidate rows or more
    (so a batch is at least one wave), validated in one validator call, and
    its waves are written and let go of before the next wave is read. What is
    staged and reported does not depend on the batches: every rule is checked
    per wave. Safe to repeat; a wave whose files did not change is skipped
    when ``skip_unchanged``.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    results: list[WaveResult | None] = []  # None: read, not yet written (its place in ``pending``)
    pending: list[tuple[int, _Prepared]] = []  # (position in results, wave read but not yet written)
    pending_rows = 0

    def flush() -> None:
        nonlocal pending_rows
        if validator is not None:
            _validate([p for _, p in pending], validator, region_codes)
        while pending:
            at, p = pending.pop(0)
            results[at] = _write(con, p, now)
            p.module_frames = {}  # the rows are staged: let them go before the next wave is read
        pending_rows = 0

    for w in waves:
        p = _prepare(con, raw_root, w, region_codes, limits, skip_unchanged)
        results.append(None if isinstance(p, _Prepared) else p)
        if isinstance(p, _Prepared):
            pending.append((len(results) - 1, p))
            pending_rows += _n_rows(p)
            if pending_rows >= batch_rows:
                flush()
    flush()
    written = [r for r in results if r is not None]
    assert len(written) == len(results)  # flush() wrote every wave it held
    return written


def ingest_wave(
    con: duckdb.DuckDBPyConnection,
    raw_root: Path,
    wave: int,
    region_codes: list[str],
    *,
    validator: Validator | None = None,
    limits: Limits = DEFAULT_LIMITS,
    now: dt.datetime | None = None,
    skip_unchanged: bool = False,
) -> WaveResult:
    """Read, check and stage one wave. One transaction; safe to repeat."""
    return ingest_waves(
        con, raw_root, [wave], region_codes, validator=validator, limits=limits, now=now, skip_unchanged=skip_unchanged
    )[0]
