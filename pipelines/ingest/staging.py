"""Writing a planned wave into the staging layer: one DuckDB transaction per wave.

Decides per unit against what is staged (unchanged, replaced, removed, rejected
with earlier data in use) and writes rows, statuses, problems and the file
inventory; also removes vanished waves and keeps the folder notes. Does not
read files or choose sources (:mod:`pipelines.ingest.sources`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.contract.codebook import MODULES, REGION_COLUMN, Module, staging_columns
from pipelines.contract.statuses import ABSENT, CONFLICT, LOADED, REJECTED
from pipelines.core.problems import Problem
from pipelines.ingest import crossref
from pipelines.ingest.discovery import IGNORED, RawFile
from pipelines.ingest.sources import Unit
from pipelines.ingest.validation_runs import result_path


@dataclass
class WaveResult:
    wave: int
    files: list[RawFile]
    statuses: list[dict]
    problems: list[Problem]
    n_units_loaded: int = 0  # units whose rows were (re)written in this run
    n_units_unchanged: int = 0
    n_units_removed: int = 0
    skipped: bool = False
    fingerprint: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds: lezen, toetsen, laden

    @property
    def rejected_files(self) -> list[str]:
        return sorted({s["source_file"] for s in self.statuses if s["status"] == REJECTED and s["source_file"]})

    @property
    def regions_loaded(self) -> list[str]:
        return sorted({s["region_code"] for s in self.statuses if s["status"] == LOADED})


@dataclass
class _Prepared:
    """A wave read and planned, waiting for validation and writing."""

    wave: int
    files: list[RawFile]
    fingerprint: str
    units: list[Unit]
    extra_status: list[dict]
    problems: list[Problem]
    unit_problems: dict[tuple[str, str], list[Problem]]
    module_frames: dict[str, pd.DataFrame]
    sheets: dict[str, dict[str, tuple[str, str]]]
    timings: dict[str, float] = field(default_factory=dict)
    validation_run: str | None = None  # the folder of GX's results for this wave (validation_runs)


def _write(con, p: _Prepared, now: dt.datetime) -> WaveResult:
    """Decide per unit against what is staged, and write the wave in one transaction."""
    started = time.perf_counter()
    wave, units, unit_problems, problems = p.wave, p.units, p.unit_problems, list(p.problems)

    existing = {
        (r, m): (f, s, sh)
        for r, m, f, s, sh in con.execute(
            "select region_code, module, source_file, source_sha256, source_sheet from stg_module_loads where wave = ?",
            [wave],
        ).fetchall()
    }

    def staged_ids(region: str, module: str) -> set[str]:
        if module == crossref.LESSONS:
            sql = (
                "select source_exercise_id from stg_lessons where wave = ? and region_code = ? "
                "and source = 'oefening' and source_exercise_id is not null"
            )
        else:
            sql = "select exercise_id from stg_exercises where wave = ? and region_code = ?"
        return {str(v) for (v,) in con.execute(sql, [wave, region]).fetchall()}

    _reject_silent(wave, units, unit_problems, existing)
    # A lesson staged without its exercise would block every publication: hold back the module that breaks the pair.
    crossref.reconcile(wave, units, p.module_frames, unit_problems, set(existing), staged_ids)

    statuses: list[dict] = []
    to_write: dict[str, set[str]] = defaultdict(set)  # module -> regions whose rows are replaced
    to_remove: dict[str, set[str]] = defaultdict(set)  # module -> regions whose rows are deleted
    loads: list[tuple] = []
    unchanged = 0
    for u in units:
        key = (u.region_code, u.module)
        ups = unit_problems.get(key, [])
        n_err = sum(p.is_error for p in ups)
        n_warn = len(ups) - n_err
        problems += ups
        had = key in existing
        if u.status == LOADED and n_err:
            u.status = REJECTED
            u.message = _errors_summary([p for p in ups if p.is_error])
        if u.status in (REJECTED, CONFLICT):
            u.earlier_data_in_use = had
            if had:
                u.message += f" (eerder geladen gegevens uit {existing[key][0]} blijven in gebruik)"
            elif u.status == REJECTED:
                u.message += " (er zijn geen eerder geladen gegevens voor deze module)"
        elif u.status == ABSENT:
            if had:
                to_remove[u.module].add(u.region_code)
        else:  # geladen
            assert u.source is not None  # plan_wave loads a unit only from a file
            if existing.get(key) == (u.source.rel, u.source.sha256, u.sheet):
                unchanged += 1
            else:
                to_write[u.module].add(u.region_code)
                loads.append((wave, u.region_code, u.module, u.source.rel, u.source.sha256, u.sheet, u.n_rows, now))
        if u.status != CONFLICT:  # conflicts are reported per workbook in extra_status
            statuses.append(
                dict(
                    wave=wave,
                    region_code=u.region_code,
                    module=u.module,
                    source_file=u.source.rel if u.source else None,
                    status=u.status,
                    n_rows=u.n_rows,
                    n_errors=n_err,
                    n_warnings=n_warn,
                    message=u.message,
                    earlier_data_in_use=u.earlier_data_in_use,
                    source_sha256=u.source.sha256 if u.source else None,
                    **_validated_by(p, u),
                )
            )
    problems = list({id(p): p for p in problems}.values())  # a file-wide problem is shared by its regions
    for s in p.extra_status:
        s["earlier_data_in_use"] = s["status"] == CONFLICT and (s["region_code"], s["module"]) in existing
    statuses += p.extra_status

    _write_wave(con, wave, p.files, statuses, problems, p.module_frames, to_write, to_remove, loads, p.fingerprint, now)
    p.timings["laden"] = time.perf_counter() - started
    return WaveResult(
        wave,
        p.files,
        statuses,
        problems,
        n_units_loaded=sum(len(v) for v in to_write.values()),
        n_units_unchanged=unchanged,
        n_units_removed=sum(len(v) for v in to_remove.values()),
        fingerprint=p.fingerprint,
        timings=p.timings,
    )


def _reject_silent(wave: int, units: list[Unit], unit_problems, existing) -> None:
    """Present but nothing usable for a region that had data from it: a rejection, never a deletion.

    And when an export lost regions it supplied before (a cut copy), the region of its last row may have
    lost rows too (a cut on a line break leaves no broken row): that region is rejected as well.
    """
    shrunk: set[str] = set()
    for u in units:
        key = (u.region_code, u.module)
        came = ("export" if _from_export(existing[key][0], u.module) else "werkboek") if key in existing else None
        if u.status == ABSENT and came in u.silent_in:
            u.status = REJECTED
            if came == "werkboek":
                u.source = RawFile(Path(), u.silent_in[came][0].file, wave, IGNORED, 0)
                u.sheet = None
            else:
                shrunk.add(u.module)
            unit_problems[key] = list(unit_problems.get(key, [])) + u.silent_in[came]
    for u in units:
        key = (u.region_code, u.module)
        if (
            u.module in shrunk
            and u.last_of_export
            and u.status == LOADED
            and key in existing
            and _from_export(existing[key][0], u.module)
        ):
            u.status = REJECTED
            u.message = "mogelijk afgebroken export"
            assert u.source is not None  # loaded, from the export's last row(s)
            unit_problems[key] = list(unit_problems.get(key, [])) + [
                Problem(
                    u.source.rel,
                    "export.mogelijk_afgebroken",
                    f"de export {u.source.rel} mist regio's die er eerder in stonden en eindigt met de rijen van "
                    f"{u.region_code}: die kunnen bij het afbreken ook rijen kwijt zijn; de eerder geladen gegevens "
                    f"van {u.region_code} blijven in gebruik tot de export compleet is",
                    sheet=u.sheet,
                    region_code=u.region_code,
                    module=u.module,
                )
            ]


def _from_export(source_file: str, module: str) -> bool:
    """Whether a staged unit's source was the export of ``module`` (in any letter case)."""
    stem, _, ext = source_file.rpartition("/")[2].rpartition(".")
    return ext.lower() == "csv" and stem.strip().lower() == module


def _staging_frame(module: Module, frame: pd.DataFrame, wave: int, now: dt.datetime) -> pd.DataFrame:
    """Candidate rows renamed to the staging layer's English columns, with provenance."""
    out = pd.DataFrame(
        {
            "wave": wave,
            "region_code": frame[REGION_COLUMN].astype("object"),
            "source_file": frame["_file"],
            "source_sha256": frame["_sha"],
            "source_sheet": frame["_sheet"],
            "source_row": frame["_row"].astype("int64"),
            "loaded_at": pd.Timestamp(now),
        }
    )
    for f in module.stored_fields:
        out[f.column] = frame[f.name]
    return out[staging_columns(module)]


def _validated_by(p: _Prepared, u: Unit) -> dict:
    """The GX run that checked the unit's rows, and its result file; None where GX did not check them
    (nothing sent, a file that could not be read, a conflict) or kept no results."""
    if p.validation_run is None or u.region_code not in p.sheets.get(u.module, {}):
        return {"validation_run": None, "validation_path": None}
    return {"validation_run": p.validation_run, "validation_path": result_path(p.validation_run, u.module)}


def _write_wave(con, wave, files, statuses, problems, module_frames, to_write, to_remove, loads, fp, now):
    inventory = pd.DataFrame(
        [(wave, f.rel, f.kind, f.region_code, f.module, f.size, f.sha256, f.reason) for f in files],
        columns=["wave", "source_file", "kind", "region_code", "module", "size_bytes", "sha256", "note"],
    )
    status_df = pd.DataFrame(
        statuses,
        columns=[
            "wave",
            "region_code",
            "module",
            "source_file",
            "status",
            "n_rows",
            "n_errors",
            "n_warnings",
            "message",
            "earlier_data_in_use",
            "source_sha256",
            "validation_run",
            "validation_path",
        ],
    )
    problem_df = pd.DataFrame(
        [
            (wave, p.region_code, p.module, p.file, p.sheet, p.row, p.column, p.value, p.rule, p.severity, p.message)
            for p in problems
        ],
        columns=[
            "wave",
            "region_code",
            "module",
            "source_file",
            "sheet",
            "row_number",
            "column_name",
            "value",
            "rule",
            "severity",
            "message",
        ],
    )
    problem_df["row_number"] = problem_df["row_number"].astype("Int64")
    con.execute("begin transaction")
    try:
        for table, df in (
            ("raw_file_inventory", inventory),
            ("stg_submission_status", status_df),
            ("stg_problems", problem_df),
        ):
            con.execute(f"delete from {table} where wave = ?", [wave])
            if len(df):
                con.register("_incoming", df)
                con.execute(f"insert into {table} by name select * from _incoming")
                con.unregister("_incoming")
        for module_name in set(to_write) | set(to_remove):
            module = MODULES[module_name]
            regions = sorted(to_write.get(module_name, set()) | to_remove.get(module_name, set()))
            con.execute(f"delete from {module.table} where wave = ? and list_contains(?, region_code)", [wave, regions])
            con.execute(
                "delete from stg_module_loads where wave = ? and module = ? and list_contains(?, region_code)",
                [wave, module_name, regions],
            )
            writing = sorted(to_write.get(module_name, set()))
            if writing:
                frame = module_frames[module_name]
                frame = frame[frame[REGION_COLUMN].isin(writing)]
                staged = _staging_frame(module, frame, wave, now)
                con.register("_incoming", staged)
                con.execute(f"insert into {module.table} by name select * from _incoming")
                con.unregister("_incoming")
        if loads:  # one insert of a frame: executemany costs about a millisecond per row
            load_df = pd.DataFrame(
                loads,
                columns=[
                    "wave",
                    "region_code",
                    "module",
                    "source_file",
                    "source_sha256",
                    "source_sheet",
                    "n_rows",
                    "loaded_at",
                ],
            )
            con.register("_incoming", load_df)
            con.execute("insert into stg_module_loads by name select * from _incoming")
            con.unregister("_incoming")
        con.execute("insert or replace into raw_wave_fingerprints values (?, ?, ?)", [wave, fp, now])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def remove_vanished_waves(con: duckdb.DuckDBPyConnection, present: Iterable[int]) -> list[int]:
    """Drop everything staged for waves whose folder no longer exists. Returns those waves."""
    present = set(present)
    staged = {
        w
        for (w,) in con.execute(
            "select distinct wave from stg_module_loads union select distinct wave from raw_wave_fingerprints"
        ).fetchall()
    }
    gone = sorted(staged - present)
    if gone:
        con.execute("begin transaction")
        try:
            for table in [m.table for m in MODULES.values()] + [
                "stg_module_loads",
                "stg_submission_status",
                "stg_problems",
                "raw_file_inventory",
                "raw_wave_fingerprints",
            ]:
                con.execute(f"delete from {table} where list_contains(?, wave)", [gone])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return gone


def _errors_summary(errors: list) -> str:
    """ "3 fout(en); eerste: <where> (regel <rule>), en nog 2; zie submission_problems".

    The first error in the order of the mart ``submission_problems`` (sheet, row, column, rule). Only its
    place and rule are named, not its message: a message may quote a value, and values are the
    problems mart's business (where they can be redacted), not this one-line status.
    """

    def order(p):
        return (
            p.sheet is not None,
            p.sheet or "",
            p.row is not None,
            p.row or 0,
            p.column is not None,
            p.column or "",
            p.rule or "",
            p.message or "",
        )

    first = min(errors, key=order)
    more = f", en nog {len(errors) - 1}" if len(errors) > 1 else ""
    return f"{len(errors)} fout(en); eerste: {first.location()} (regel {first.rule}){more}; zie submission_problems"


#: stg_problems rows about entries under the raw root that are not waves (wave is null).
FOLDER_RULE = "map.geen_peiljaar"


def record_folder_notes(con: duckdb.DuckDBPyConnection, notes) -> None:
    """Replace the problems about folders under the raw root that are not waves (``discovery.scan_root``)."""
    con.execute("begin transaction")
    try:
        con.execute("delete from stg_problems where wave is null and rule = ?", [FOLDER_RULE])
        for n in notes:
            p = n.problem()
            con.execute(
                "insert into stg_problems (wave, source_file, rule, severity, message) values (null, ?, ?, ?, ?)",
                [p.file, p.rule, p.severity, p.message],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def stored_folder_notes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(folder, message) of the folder notes recorded by the last run, sorted."""
    return sorted(
        con.execute(
            "select source_file, message from stg_problems where wave is null and rule = ?", [FOLDER_RULE]
        ).fetchall()
    )
