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
3. Otherwise the export ``<module>.csv``'s rows of that region.
4. Otherwise nothing: the unit is ``ontbreekt`` and anything staged for it
   earlier is removed: the warehouse follows what lies in ``data/raw``.

A unit with any error (from the reader, or from validation) is ``afgewezen``:
its rows are not staged, and what was staged for it before stays in use
(``earlier_data_in_use``). Warnings never reject.

All changes of a wave are written in one DuckDB transaction, so every unit is
staged whole or not at all, and a run that dies half-way leaves the previous
state. A unit whose source (file, SHA-256, sheet) is unchanged is not touched,
so rerunning on the same files changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pandas as pd

from pipelines.lib.codebook import MODULES, REGION_COLUMN, Module, staging_columns
from pipelines.lib.discovery import EXPORT, IGNORED, WORKBOOK, RawFile, discover_wave, fingerprint
from pipelines.lib.problems import ERROR, Problem, quote
from pipelines.lib.readers import DEFAULT_LIMITS, Limits, parse_module, read_export, read_workbook

#: A validator gets all candidate rows of one wave, one DataFrame per module
#: (Dutch field names, typed, plus the columns ``regio_code``, ``_row``,
#: ``_file``, ``_sheet`` and ``_sha``), and the known region codes. It returns
#: the problems it finds, each with ``region_code`` and ``module`` set.
Validator = Callable[[int, dict[str, pd.DataFrame], list[str]], list[Problem]]


#: Raise when reading or validation rules change, so that unchanged files are read again.
RULES_VERSION = "1"


@dataclass
class Unit:
    """The source chosen for one region's module in one wave."""

    region_code: str
    module: str
    source: RawFile | None
    sheet: str | None = None
    status: str = "geladen"
    n_rows: int = 0
    message: str = ""
    earlier_data_in_use: bool = False


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

    @property
    def rejected_files(self) -> list[str]:
        return sorted({s["source_file"] for s in self.statuses if s["status"] == "afgewezen" and s["source_file"]})

    @property
    def regions_loaded(self) -> list[str]:
        return sorted({s["region_code"] for s in self.statuses if s["status"] == "geladen"})


@dataclass
class _Source:
    """A parsed sheet: all its rows (an export holds many regions)."""

    file: RawFile
    sheet: str
    module: Module
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)


def _read_wave(files: list[RawFile], region_codes: list[str], limits: Limits):
    """Read every readable file of a wave once. Returns per-file problems and parsed sources."""
    workbooks: dict[str, list[RawFile]] = defaultdict(list)
    exports: dict[str, RawFile] = {}
    for f in files:
        if f.kind == WORKBOOK:
            workbooks[f.region_code].append(f)
        elif f.kind == EXPORT:
            exports[f.module] = f
    conflicts = {code for code, wbs in workbooks.items() if len(wbs) > 1}

    file_problems: dict[str, list[Problem]] = defaultdict(list)  # problems of a file as a whole
    wb_sources: dict[str, dict[str, _Source]] = {}  # region -> module -> source
    unreadable_wb: dict[str, RawFile] = {}
    for code, wbs in workbooks.items():
        if code in conflicts:
            continue
        wb = wbs[0]
        tables, problems = read_workbook(wb.path, wb.rel, limits)
        for p in problems:
            p.region_code = code
        file_problems[wb.rel] += problems
        if not tables and any(p.is_error for p in problems):
            unreadable_wb[code] = wb
            continue
        wb_sources[code] = {}
        for module_name, table in tables.items():
            module = MODULES[module_name]
            frame, problems = parse_module(table, module, region_code=code, limits=limits)
            wb_sources[code][module_name] = _Source(wb, table.sheet, module, frame, table.problems + problems)

    ex_sources: dict[str, _Source] = {}
    for module_name, ex in exports.items():
        module = MODULES[module_name]
        table, problems = read_export(ex.path, ex.rel, limits)
        if table is None:
            ex_sources[module_name] = _Source(ex, ex.path.stem, module, None, problems)
            continue
        frame, parse_problems = parse_module(table, module, region_code=None, limits=limits)
        # Problems of the file as a whole (header) concern every region in it.
        for p in parse_problems:
            if p.region_code is None and p.row is not None and p.row > 1:
                match = frame.loc[frame["_row"] == p.row, REGION_COLUMN]
                p.region_code = match.iloc[0] if len(match) else None
        ex_sources[module_name] = _Source(ex, table.sheet, module, frame, table.problems + parse_problems)
    return workbooks, conflicts, file_problems, wb_sources, unreadable_wb, ex_sources


def plan_wave(wave: int, files: list[RawFile], region_codes: list[str], limits: Limits = DEFAULT_LIMITS):
    """Decide, for every region and module, where its rows come from. No database access."""
    workbooks, conflicts, file_problems, wb_sources, unreadable_wb, ex_sources = _read_wave(files, region_codes, limits)
    known = set(region_codes)
    units: list[Unit] = []
    extra_status: list[dict] = []  # rows set aside, conflicts, unknown regions
    problems: list[Problem] = [p for ps in file_problems.values() for p in ps]
    frames: dict[str, list[pd.DataFrame]] = defaultdict(list)  # module -> candidate rows
    unit_problems: dict[tuple[str, str], list[Problem]] = defaultdict(list)

    def status_row(region, module, source: RawFile | None, status, n_rows=0, message="", n_errors=0, n_warnings=0):
        return dict(wave=wave, region_code=region, module=module, source_file=source.rel if source else None,
                    status=status, n_rows=n_rows, n_errors=n_errors, n_warnings=n_warnings, message=message,
                    earlier_data_in_use=False, source_sha256=source.sha256 if source else None)

    # Export rows per region, computed once per module.
    ex_regions: dict[str, dict[str, int]] = {}
    for module_name, src in ex_sources.items():
        if src.frame is None:
            ex_regions[module_name] = {}
            continue
        codes = src.frame[REGION_COLUMN].fillna("")
        ex_regions[module_name] = codes.value_counts().to_dict()
        for code, n in ex_regions[module_name].items():
            if code not in known:
                what = "zonder regio_code" if code == "" else f"met onbekende regio_code {quote(code)}"
                rows = src.frame.loc[codes == code, "_row"].tolist()
                p = Problem(src.file.rel, "regio.onbekend",
                            f"{n} rij(en) {what} (rij {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''}); niet geladen",
                            sheet=src.sheet, row=rows[0], column=REGION_COLUMN, value=code or None,
                            region_code=code or None, module=module_name)
                problems.append(p)
                extra_status.append(status_row(code or None, module_name, src.file, "afgewezen", n, p.message, 1))

    for code in region_codes:
        for module_name, module in MODULES.items():
            ex = ex_sources.get(module_name)
            n_ex = ex_regions.get(module_name, {}).get(code, 0)
            if code in conflicts:
                names = ", ".join(f.rel for f in workbooks[code])
                msg = f"meerdere werkboeken voor deze regio ({names}); niets van deze regio opnieuw geladen"
                for wb in workbooks[code]:
                    extra_status.append(status_row(code, module_name, wb, "conflict", message=msg, n_errors=1))
                if n_ex:
                    extra_status.append(status_row(code, module_name, ex.file, "conflict", n_ex, msg, 1))
                units.append(Unit(code, module_name, None, status="conflict", message=msg))
                continue
            if code in unreadable_wb:
                wb = unreadable_wb[code]
                errs = [p for p in file_problems[wb.rel] if p.is_error]
                unit = Unit(code, module_name, wb, status="afgewezen", message="; ".join(p.message for p in errs))
                unit_problems[(code, module_name)] += errs
                units.append(unit)
                if n_ex:
                    extra_status.append(status_row(code, module_name, ex.file, "vervangen", n_ex,
                                                   f"het werkboek {wb.rel} van deze regio gaat voor; deze rijen zijn niet gebruikt"))
                continue
            src = wb_sources.get(code, {}).get(module_name)
            if src is not None:
                if n_ex:
                    extra_status.append(status_row(code, module_name, ex.file, "vervangen", n_ex,
                                                   f"het werkboek {src.file.rel} van deze regio gaat voor; deze rijen zijn niet gebruikt"))
                frame = src.frame
                unit_problems[(code, module_name)] += src.problems + file_problems[src.file.rel]
            elif ex is not None and (n_ex or ex.frame is None):
                src = ex
                if ex.frame is None:  # the export could not be read at all
                    units.append(Unit(code, module_name, ex.file, ex.sheet, "afgewezen",
                                      message="; ".join(p.message for p in ex.problems)))
                    unit_problems[(code, module_name)] += ex.problems
                    continue
                frame = ex.frame[ex.frame[REGION_COLUMN] == code]
                unit_problems[(code, module_name)] += [p for p in ex.problems if p.region_code in (code, None)]
            else:
                wb = workbooks.get(code, [None])[0]
                msg = (f"het werkboek {wb.rel} heeft geen blad '{module_name}'" if wb
                       else "geen werkboek of export-rijen van deze regio")
                units.append(Unit(code, module_name, wb, status="ontbreekt", message=msg))
                continue
            units.append(Unit(code, module_name, src.file, src.sheet, n_rows=len(frame)))
            frames[module_name].append(frame.assign(_file=src.file.rel, _sheet=src.sheet, _sha=src.file.sha256))
    module_frames = {m: pd.concat(fs, ignore_index=True) for m, fs in frames.items()}
    return units, extra_status, problems, unit_problems, module_frames


def ingest_wave(con: duckdb.DuckDBPyConnection, raw_root: Path, wave: int, region_codes: list[str], *,
                validator: Validator | None = None, limits: Limits = DEFAULT_LIMITS,
                now: dt.datetime | None = None, skip_unchanged: bool = False) -> WaveResult:
    """Read, check and stage one wave. One transaction; safe to repeat."""
    now = now or dt.datetime.now().replace(microsecond=0)
    files, discovery_problems = discover_wave(raw_root, wave, region_codes, limits)
    fp = fingerprint(files, context=f"{RULES_VERSION}|{','.join(sorted(region_codes))}")
    if skip_unchanged:
        row = con.execute("select fingerprint from raw_wave_fingerprints where wave = ?", [wave]).fetchone()
        if row and row[0] == fp:
            return WaveResult(wave, files, [], [], skipped=True, fingerprint=fp)

    units, extra_status, problems, unit_problems, module_frames = plan_wave(wave, files, region_codes, limits)
    problems = discovery_problems + problems

    if validator is not None and module_frames:
        for p in validator(wave, module_frames, region_codes):
            unit_problems[(p.region_code, p.module)].append(p)

    existing = {
        (r, m): (f, s, sh)
        for r, m, f, s, sh in con.execute(
            "select region_code, module, source_file, source_sha256, source_sheet from stg_module_loads where wave = ?",
            [wave]).fetchall()
    }

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
        if u.status == "geladen" and n_err:
            u.status = "afgewezen"
            u.message = f"{n_err} fout(en); zie de meldingen"
        if u.status in ("afgewezen", "conflict"):
            u.earlier_data_in_use = had
            if had:
                u.message += f" (eerder geladen gegevens uit {existing[key][0]} blijven in gebruik)"
            elif u.status == "afgewezen":
                u.message += " (er zijn geen eerder geladen gegevens voor deze module)"
        elif u.status == "ontbreekt":
            if had:
                to_remove[u.module].add(u.region_code)
        else:  # geladen
            if existing.get(key) == (u.source.rel, u.source.sha256, u.sheet):
                unchanged += 1
            else:
                to_write[u.module].add(u.region_code)
                loads.append((wave, u.region_code, u.module, u.source.rel, u.source.sha256, u.sheet, u.n_rows, now))
        if u.status != "conflict":  # conflicts are reported per workbook in extra_status
            statuses.append(dict(wave=wave, region_code=u.region_code, module=u.module,
                                 source_file=u.source.rel if u.source else None, status=u.status, n_rows=u.n_rows,
                                 n_errors=n_err, n_warnings=n_warn, message=u.message,
                                 earlier_data_in_use=u.earlier_data_in_use,
                                 source_sha256=u.source.sha256 if u.source else None))
    problems = list({id(p): p for p in problems}.values())  # a file-wide problem is shared by its regions
    for s in extra_status:
        s["earlier_data_in_use"] = s["status"] == "conflict" and (s["region_code"], s["module"]) in existing
    statuses += extra_status

    _write_wave(con, wave, files, statuses, problems, module_frames, to_write, to_remove, loads, fp, now)
    return WaveResult(wave, files, statuses, problems,
                      n_units_loaded=sum(len(v) for v in to_write.values()), n_units_unchanged=unchanged,
                      n_units_removed=sum(len(v) for v in to_remove.values()), fingerprint=fp)


def _staging_frame(module: Module, frame: pd.DataFrame, wave: int, now: dt.datetime) -> pd.DataFrame:
    """Candidate rows renamed to the staging layer's English columns, with provenance."""
    out = pd.DataFrame({
        "wave": wave,
        "region_code": frame[REGION_COLUMN].astype("object"),
        "source_file": frame["_file"],
        "source_sha256": frame["_sha"],
        "source_sheet": frame["_sheet"],
        "source_row": frame["_row"].astype("int64"),
        "loaded_at": pd.Timestamp(now),
    })
    for f in module.stored_fields:
        out[f.column] = frame[f.name]
    return out[staging_columns(module)]


def _write_wave(con, wave, files, statuses, problems, module_frames, to_write, to_remove, loads, fp, now):
    inventory = pd.DataFrame(
        [(wave, f.rel, f.kind, f.region_code, f.module, f.size, f.sha256, f.reason) for f in files],
        columns=["wave", "source_file", "kind", "region_code", "module", "size_bytes", "sha256", "note"])
    status_df = pd.DataFrame(statuses, columns=["wave", "region_code", "module", "source_file", "status", "n_rows",
                                                "n_errors", "n_warnings", "message", "earlier_data_in_use",
                                                "source_sha256"])
    problem_df = pd.DataFrame(
        [(wave, p.region_code, p.module, p.file, p.sheet, p.row, p.column, p.value, p.rule, p.severity, p.message)
         for p in problems],
        columns=["wave", "region_code", "module", "source_file", "sheet", "row_number", "column_name", "value",
                 "rule", "severity", "message"])
    problem_df["row_number"] = problem_df["row_number"].astype("Int64")
    con.execute("begin transaction")
    try:
        for table, df in (("raw_file_inventory", inventory), ("stg_submission_status", status_df),
                          ("stg_problems", problem_df)):
            con.execute(f"delete from {table} where wave = ?", [wave])
            if len(df):
                con.register("_incoming", df)
                con.execute(f"insert into {table} by name select * from _incoming")
                con.unregister("_incoming")
        for module_name in set(to_write) | set(to_remove):
            module = MODULES[module_name]
            regions = sorted(to_write.get(module_name, set()) | to_remove.get(module_name, set()))
            con.execute(f"delete from {module.table} where wave = ? and list_contains(?, region_code)", [wave, regions])
            con.execute("delete from stg_module_loads where wave = ? and module = ? and list_contains(?, region_code)",
                        [wave, module_name, regions])
            writing = sorted(to_write.get(module_name, set()))
            if writing:
                frame = module_frames[module_name]
                frame = frame[frame[REGION_COLUMN].isin(writing)]
                staged = _staging_frame(module, frame, wave, now)
                con.register("_incoming", staged)
                con.execute(f"insert into {module.table} by name select * from _incoming")
                con.unregister("_incoming")
        if loads:
            con.executemany("insert into stg_module_loads values (?, ?, ?, ?, ?, ?, ?, ?)", loads)
        con.execute("insert or replace into raw_wave_fingerprints values (?, ?, ?)", [wave, fp, now])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def remove_vanished_waves(con: duckdb.DuckDBPyConnection, present: Iterable[int]) -> list[int]:
    """Drop everything staged for waves whose folder no longer exists. Returns those waves."""
    present = set(present)
    staged = {w for (w,) in con.execute(
        "select distinct wave from stg_module_loads union select distinct wave from raw_wave_fingerprints").fetchall()}
    gone = sorted(staged - present)
    if gone:
        con.execute("begin transaction")
        try:
            for table in [m.table for m in MODULES.values()] + [
                    "stg_module_loads", "stg_submission_status", "stg_problems", "raw_file_inventory",
                    "raw_wave_fingerprints"]:
                con.execute(f"delete from {table} where list_contains(?, wave)", [gone])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return gone
