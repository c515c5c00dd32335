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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pandas as pd

from pipelines.ingest import crossref
from pipelines.contract.codebook import MODULES, REGION_COLUMN, Module, staging_columns
from pipelines.ingest.discovery import EXPORT, IGNORED, WORKBOOK, RawFile, discover_wave, fingerprint
from pipelines.core.problems import Problem, drop_reader_repeats, quote
from pipelines.ingest.readers import DEFAULT_LIMITS, Limits, parse_tables, read_export, read_workbooks

#: A validator gets all candidate rows of one wave, one DataFrame per module
#: (Dutch field names, typed, plus the columns ``regio_code``, ``_row``,
#: ``_file``, ``_sheet`` and ``_sha``), the known region codes, and as keyword
#: ``sheets`` per module the regions whose sheet was read with its (file, sheet),
#: also where the sheet had no rows. It returns the problems it finds, each with
#: ``region_code`` and ``module`` set.
Validator = Callable[..., list[Problem]]


#: Raise when reading or validation rules change, so that unchanged files are read again.
RULES_VERSION = "3"  # 3: empty/truncated exports, wave folders, Dutch numbers, formula errors, near-miss sheets (issue 15)


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
    # "ontbreekt" although an export of the module is present: the problems that say why, should the region
    # have had data from that export (then the unit is rejected, not removed: see _write)
    silent_in: dict[str, list[Problem]] = field(default_factory=dict)  # "export"/"werkboek" -> problems
    last_of_export: bool = False  # loaded from the export's last row(s): suspect when the export lost regions


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
        return sorted({s["source_file"] for s in self.statuses if s["status"] == "afgewezen" and s["source_file"]})

    @property
    def regions_loaded(self) -> list[str]:
        return sorted({s["region_code"] for s in self.statuses if s["status"] == "geladen"})


@dataclass
class _Export:
    """A parsed export: all its rows (many regions) and its problems."""

    file: RawFile
    sheet: str
    frame: pd.DataFrame | None  # None: the file could not be read at all
    problems: list[Problem] = field(default_factory=list)
    rows_per_region: dict[str, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)  # region -> its withdrawal row (see _withdrawals)


def _is_empty(value) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if isinstance(value, (list, tuple)) or hasattr(value, "__len__") and not isinstance(value, str):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cut_last_row(ex: RawFile, sheet: str, module_name: str, rows: pd.DataFrame) -> Problem | None:
    """An error for the last row of an export that does not end with a line break (a copy cut mid-way).

    Every export the survey tool or a spreadsheet writes ends each row, the last one too, with a line
    break; a file that stops inside a row was cut off, and its last row may have lost cells or text
    without any cell being invalid. The region of that row is rejected (its earlier data stays).
    """
    if not len(rows):
        return None
    try:
        with open(ex.path, "rb") as fh:
            fh.seek(-1, 2)
            last = fh.read(1)
    except OSError:
        return None
    if last in (b"\n", b"\r"):
        return None
    at = rows["_row"].idxmax()
    code = rows.at[at, REGION_COLUMN]
    return Problem(ex.rel, "export.afgebroken",
                   "het bestand eindigt midden in deze rij (geen regeleinde na de laatste rij): waarschijnlijk een "
                   "afgebroken kopie; lever het bestand opnieuw (of sluit de laatste rij af met een regeleinde)",
                   sheet=sheet, row=int(rows.at[at, "_row"]), region_code=None if pd.isna(code) else str(code),
                   module=module_name)


def _withdrawals(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """An export's rows without its withdrawal rows, and per withdrawn region the row (as a text editor numbers it).

    The convention (README, "Rules across files"): a region that an export deliberately lists with no data
    has exactly one kind of row there: its ``regio_code`` and every other column empty. Such a region is
    *withdrawn* from the export: ``ontbreekt``, and what the export supplied for it earlier is removed.
    A region with any non-empty row is not withdrawn (its empty rows go to validation like any other row).
    """
    data_cols = [c for c in frame.columns if c != REGION_COLUMN and not str(c).startswith("_")]
    if not len(frame) or not data_cols:
        return frame, {}
    empty = frame[data_cols].apply(lambda col: col.map(_is_empty)).all(axis=1)
    empty &= frame[REGION_COLUMN].notna() & (frame[REGION_COLUMN].astype("object").fillna("") != "")
    if not empty.any():
        return frame, {}
    codes = frame[REGION_COLUMN].astype("object")
    withdrawn = {}
    for code in codes[empty].unique():
        mine = codes == code
        if empty[mine].all():
            withdrawn[str(code)] = int(frame.loc[mine, "_row"].iloc[0])
    if not withdrawn:
        return frame, {}
    keep = ~codes.isin(list(withdrawn))
    return frame[keep].reset_index(drop=True), withdrawn


@dataclass
class _WaveRead:
    workbooks: dict[str, list[RawFile]]
    conflicts: set[str]
    unreadable: dict[str, RawFile]  # region -> workbook that could not be opened
    file_problems: dict[str, list[Problem]]  # per workbook: problems of the file as a whole
    wb_sheets: dict[str, dict[str, tuple[RawFile, str]]]  # module -> region -> (workbook, sheet)
    wb_frames: dict[str, pd.DataFrame]  # module -> rows of all regions' workbooks
    wb_problems: dict[tuple[str, str], list[Problem]]  # (region, module) -> sheet and value problems
    exports: dict[str, _Export]
    bad_sheets: dict[tuple[str, str], tuple[RawFile, str]] = field(default_factory=dict)  # a module sheet not read
    export_conflicts: dict[str, list[RawFile]] = field(default_factory=dict)  # module -> its exports, when two or more
    unusable: dict[str, list[RawFile]] = field(default_factory=dict)  # region -> its workbooks in a form not read


def _refused(f: RawFile, limits: Limits) -> Problem:
    """The problem of a workbook or export that discovery found too large or unreadable."""
    rule = "bestand.te_groot" if f.size > limits.max_file_bytes else "bestand.onleesbaar"
    return Problem(f.rel, rule, f"afgewezen: {f.reason}", region_code=f.region_code, module=f.module)


def _read_wave(files: list[RawFile], limits: Limits) -> _WaveRead:
    """Read every readable file of a wave once; parse each module of all workbooks in one batch."""
    workbooks: dict[str, list[RawFile]] = defaultdict(list)
    exports_of: dict[str, list[RawFile]] = defaultdict(list)
    for f in files:
        if f.kind == WORKBOOK:
            workbooks[f.region_code].append(f)
        elif f.kind == EXPORT:
            exports_of[f.module].append(f)  # the module is the name in lower case: risico.csv and Risico.CSV
    conflicts = {code for code, wbs in workbooks.items() if len(wbs) > 1}
    # Two exports of one module: neither is read (which one is meant cannot be known).
    export_conflicts = {m: fs for m, fs in exports_of.items() if len(fs) > 1}
    export_files = {m: fs[0] for m, fs in exports_of.items() if len(fs) == 1}

    file_problems: dict[str, list[Problem]] = defaultdict(list)
    unreadable: dict[str, RawFile] = {}
    tables: dict[str, list] = defaultdict(list)
    wb_sheets: dict[str, dict[str, tuple[RawFile, str]]] = defaultdict(dict)
    wb_problems: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    bad_sheets: dict[tuple[str, str], tuple[RawFile, str]] = {}
    opened = read_workbooks([(wbs[0].path, wbs[0].rel) for code, wbs in workbooks.items()
                             if code not in conflicts and wbs[0].reason is None], limits)
    for code, wbs in workbooks.items():
        if code in conflicts:
            continue
        wb = wbs[0]
        sheets, problems = opened[wb.rel] if wb.reason is None else ({}, [_refused(wb, limits)])
        for p in problems:
            p.region_code = code
        # An error about one module's sheet (too large, unreadable, twice) rejects that module only.
        for p in problems:
            if p.is_error and p.module:
                wb_problems[(code, p.module)].append(p)
                if p.module not in sheets:
                    bad_sheets.setdefault((code, p.module), (wb, p.sheet))
        problems = [p for p in problems if not (p.is_error and p.module)]
        file_problems[wb.rel] += problems
        if not sheets and any(p.is_error for p in problems):
            unreadable[code] = wb
            continue
        for module_name, table in sheets.items():
            tables[module_name].append((table, code))
            wb_sheets[module_name][code] = (wb, table.sheet)
            for p in table.problems:
                p.region_code, p.module = code, module_name
                wb_problems[(code, module_name)].append(p)
    wb_frames: dict[str, pd.DataFrame] = {}
    for module_name, batch in tables.items():
        frame, problems = parse_tables(batch, MODULES[module_name], limits=limits)
        wb_frames[module_name] = frame
        for p in problems:
            wb_problems[(p.region_code, module_name)].append(p)

    exports: dict[str, _Export] = {}
    for module_name, ex in export_files.items():
        table, problems = read_export(ex.path, ex.rel, limits) if ex.reason is None else (None, [_refused(ex, limits)])
        if table is None:
            for p in problems:
                p.module = module_name
            exports[module_name] = _Export(ex, ex.path.stem, None, problems)
            continue
        frame, parse_problems = parse_tables([(table, None)], MODULES[module_name], limits=limits)
        all_rows = frame
        frame, withdrawn = _withdrawals(frame)
        if withdrawn:
            gone_rows = set(all_rows["_row"]) - set(frame["_row"])
            parse_problems = [p for p in parse_problems if p.row not in gone_rows]
        for p in table.problems:
            p.module = module_name
            if p.row is not None and p.row > 1:
                match = all_rows.loc[all_rows["_row"] == p.row, REGION_COLUMN]
                p.region_code = match.iloc[0] if len(match) else None
        cut = _cut_last_row(ex, table.sheet, module_name, all_rows)
        if cut is not None and cut.region_code in withdrawn:  # its "empty" row is a cut row, not a withdrawal
            del withdrawn[cut.region_code]
            frame = pd.concat([frame, all_rows[all_rows[REGION_COLUMN] == cut.region_code]], ignore_index=True)
        counts = frame[REGION_COLUMN].fillna("").value_counts().to_dict()
        exports[module_name] = _Export(ex, table.sheet, frame, table.problems + parse_problems + ([cut] if cut else []),
                                       counts, withdrawn)
    unusable: dict[str, list[RawFile]] = defaultdict(list)
    for f in files:
        if f.kind == IGNORED and f.region_code:
            unusable[f.region_code].append(f)
    return _WaveRead(workbooks, conflicts, unreadable, file_problems, wb_sheets, wb_frames, wb_problems, exports,
                     bad_sheets, export_conflicts, dict(unusable))


def plan_wave(wave: int, files: list[RawFile], region_codes: list[str], limits: Limits = DEFAULT_LIMITS):
    """Decide, for every region and module, where its rows come from. No database access."""
    read = _read_wave(files, limits)
    known = set(region_codes)
    units: list[Unit] = []
    extra_status: list[dict] = []  # rows set aside, conflicts, unknown regions
    problems: list[Problem] = [p for ps in read.file_problems.values() for p in ps]
    unit_problems: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    from_export: dict[str, list[str]] = defaultdict(list)  # module -> regions whose rows come from the export

    def status_row(region, module, source: RawFile | None, status, n_rows=0, message="", n_errors=0, n_warnings=0):
        return dict(wave=wave, region_code=region, module=module, source_file=source.rel if source else None,
                    status=status, n_rows=n_rows, n_errors=n_errors, n_warnings=n_warnings, message=message,
                    earlier_data_in_use=False, source_sha256=source.sha256 if source else None)

    wb_counts = {m: f[REGION_COLUMN].value_counts().to_dict() for m, f in read.wb_frames.items()}
    export_problems: dict[tuple[str | None, str], list[Problem]] = defaultdict(list)
    for module_name, ex in read.exports.items():
        for p in ex.problems:
            export_problems[(p.region_code, module_name)].append(p)
        for code, n in ex.rows_per_region.items():
            if code not in known:
                what = "zonder regio_code" if code == "" else f"met onbekende regio_code {quote(code)}"
                rows = ex.frame.loc[ex.frame[REGION_COLUMN].fillna("") == code, "_row"].tolist()
                p = Problem(ex.file.rel, "regio.onbekend",
                            f"{n} rij(en) {what} (rij {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''});"
                            f" niet geladen", sheet=ex.sheet, row=rows[0], column=REGION_COLUMN, value=code or None,
                            region_code=code or None, module=module_name)
                problems.append(p)
                extra_status.append(status_row(code or None, module_name, ex.file, "afgewezen", n, p.message, 1))

    for code in region_codes:
        for module_name in MODULES:
            ex = read.exports.get(module_name)
            n_ex = ex.rows_per_region.get(code, 0) if ex else 0
            if code in read.conflicts:
                names = ", ".join(f.rel for f in read.workbooks[code])
                msg = f"meerdere werkboeken voor deze regio ({names}); niets van deze regio opnieuw geladen"
                for wb in read.workbooks[code]:
                    extra_status.append(status_row(code, module_name, wb, "conflict", message=msg, n_errors=1))
                if n_ex:
                    extra_status.append(status_row(code, module_name, ex.file, "conflict", n_ex, msg, 1))
                units.append(Unit(code, module_name, None, status="conflict", message=msg))
                continue
            wb_choice = read.wb_sheets.get(module_name, {}).get(code)
            bad_sheet = read.bad_sheets.get((code, module_name))
            holder = read.unreadable.get(code) or (wb_choice or bad_sheet or (None,))[0]
            if holder is not None and n_ex:
                extra_status.append(status_row(code, module_name, ex.file, "vervangen", n_ex,
                                               f"het werkboek {holder.rel} van deze regio gaat voor; "
                                               f"deze rijen zijn niet gebruikt"))
            if code in read.unreadable:
                wb = read.unreadable[code]
                errs = [p for p in read.file_problems[wb.rel] if p.is_error]
                unit_problems[(code, module_name)] += errs
                units.append(Unit(code, module_name, wb, status="afgewezen", message="; ".join(p.message for p in errs)))
            elif bad_sheet is not None:  # the workbook has the sheet, but it could not be read
                wb, sheet = bad_sheet
                errs = read.wb_problems.get((code, module_name), [])
                unit_problems[(code, module_name)] += errs + read.file_problems[wb.rel]
                units.append(Unit(code, module_name, wb, sheet, status="afgewezen",
                                  message="; ".join(p.message for p in errs if p.is_error)))
            elif wb_choice is not None:
                wb, sheet = wb_choice
                unit_problems[(code, module_name)] += read.wb_problems.get((code, module_name), []) + \
                    read.file_problems[wb.rel]
                units.append(Unit(code, module_name, wb, sheet, n_rows=wb_counts[module_name].get(code, 0)))
            elif module_name in read.export_conflicts:
                names = ", ".join(f.rel for f in read.export_conflicts[module_name])
                msg = (f"meerdere exports van module '{module_name}' in dit peiljaar ({names}); geen van beide "
                       f"gelezen, niets van deze module opnieuw geladen")
                for f in read.export_conflicts[module_name]:
                    extra_status.append(status_row(code, module_name, f, "conflict", message=msg, n_errors=1))
                    unit_problems[(code, module_name)].append(
                        Problem(f.rel, "export.dubbel", msg, region_code=code, module=module_name))
                units.append(Unit(code, module_name, None, status="conflict", message=msg))
            elif ex is not None and (n_ex or ex.frame is None):
                unit_problems[(code, module_name)] += export_problems.get((code, module_name), []) + \
                    export_problems.get((None, module_name), [])
                if ex.frame is None:  # the export could not be read at all
                    units.append(Unit(code, module_name, ex.file, ex.sheet, "afgewezen",
                                      message="; ".join(p.message for p in ex.problems)))
                    continue
                from_export[module_name].append(code)
                last = ex.frame.loc[ex.frame["_row"].idxmax(), REGION_COLUMN] if len(ex.frame) else None
                units.append(Unit(code, module_name, ex.file, ex.sheet, n_rows=n_ex, last_of_export=code == last))
            elif ex is not None and code in ex.withdrawn:  # deliberately listed with no data: missing
                units.append(Unit(code, module_name, ex.file, ex.sheet, status="ontbreekt",
                                  message=f"bewust zonder gegevens in {ex.file.rel} (rij {ex.withdrawn[code]}: alleen "
                                          f"regio_code ingevuld): ingetrokken"))
            else:
                wb = read.workbooks.get(code, [None])[0]
                msg = (f"het werkboek {wb.rel} heeft geen blad '{module_name}'" if wb
                       else "geen werkboek of export-rijen van deze regio")
                unit = Unit(code, module_name, wb, status="ontbreekt", message=msg)
                if wb is None and read.unusable.get(code):
                    # A workbook in a form that is not read (.xlsm, .xls, .ods) named for the region.
                    f = read.unusable[code][0]
                    unit.silent_in["werkboek"] = [Problem(
                        f.rel, "bestand.vorm", f"{f.rel} is niet gelezen ({f.reason}); de eerder geladen gegevens "
                        f"van {code} blijven in gebruik", region_code=code, module=module_name)]
                    unit.message = f"{f.rel} is niet gelezen: {f.reason}"
                if ex is not None and wb is None:
                    # The export is there but does not list the region: an interrupted copy, a truncated or
                    # header-only file looks exactly like this. _write rejects the unit when the region had
                    # data from this export (earlier data kept), with the file's own problems attached.
                    why = [p for p in export_problems.get((None, module_name), []) if p.is_error]
                    own = Problem(ex.file.rel, "export.regio_ontbreekt",
                                  f"de export {ex.file.rel} bevat geen rijen (meer) van {code}, die er eerder wel in "
                                  f"stond" + (f"; het bestand heeft zelf {len(why)} fout(en): "
                                              f"{'; '.join(p.message for p in why[:3])}" if why else
                                              f" ({sum(ex.rows_per_region.values())} rij(en) van andere regio's)") +
                                  "; de eerder geladen gegevens blijven in gebruik. Wilt u de regio bewust "
                                  "intrekken: zet een rij met alleen haar regio_code in de export",
                                  sheet=ex.sheet, region_code=code, module=module_name)
                    unit.source = ex.file
                    unit.sheet = ex.sheet
                    unit.message = f"geen rijen van deze regio in {ex.file.rel}"
                    unit.silent_in["export"] = [own] + [dataclasses.replace(p, region_code=code) for p in why]
                units.append(unit)

    sha_of = {f.rel: f.sha256 for f in files}
    module_frames: dict[str, pd.DataFrame] = {}
    for module_name in MODULES:
        parts = []
        if module_name in read.wb_frames:
            parts.append(read.wb_frames[module_name])
        ex = read.exports.get(module_name)
        if from_export.get(module_name):
            parts.append(ex.frame[ex.frame[REGION_COLUMN].isin(from_export[module_name])])
        parts = [p for p in parts if len(p)]
        if parts:
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            module_frames[module_name] = frame.assign(_sha=frame["_file"].map(sha_of))
    return units, extra_status, problems, unit_problems, module_frames


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


def _prepare(con, raw_root: Path, wave: int, region_codes: list[str], limits: Limits,
             skip_unchanged: bool) -> _Prepared | WaveResult:
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
        if u.status == "geladen":
            sheets[u.module][u.region_code] = (u.source.rel, u.sheet)
    return _Prepared(wave, files, fp, units, extra_status, discovery_problems + problems, unit_problems,
                     module_frames, dict(sheets), {"lezen": time.perf_counter() - started})


def _validate(prepared: list[_Prepared], validator: Validator, region_codes: list[str]) -> None:
    """Add validation's problems to each unit; one validator call for all waves where it can take them."""
    todo = [p for p in prepared if p.sheets]
    if not todo:
        return
    started = time.perf_counter()
    if hasattr(validator, "validate_waves"):
        found = validator.validate_waves([(p.wave, p.module_frames, p.sheets) for p in todo], region_codes)
    else:
        found = [pr for p in todo for pr in _with_wave(validator(p.wave, p.module_frames, region_codes, sheets=p.sheets), p.wave)]
    by_wave: dict[int, list[Problem]] = defaultdict(list)
    for pr in found:
        by_wave[pr.wave].append(pr)
    for p in todo:
        reader = [pr for prs in p.unit_problems.values() for pr in prs]
        # A value the reader could not parse reaches validation as empty: report it once, not twice.
        for pr in drop_reader_repeats(reader, by_wave.get(p.wave, [])):
            p.unit_problems[(pr.region_code, pr.module)].append(pr)
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


def ingest_waves(con: duckdb.DuckDBPyConnection, raw_root: Path, waves: list[int], region_codes: list[str], *,
                 validator: Validator | None = None, limits: Limits = DEFAULT_LIMITS,
                 now: dt.datetime | None = None, skip_unchanged: bool = False,
                 batch_rows: int = VALIDATION_BATCH_ROWS) -> list[WaveResult]:
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
    results: list[WaveResult] = []
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
        results.append(p)
        if isinstance(p, _Prepared):
            pending.append((len(results) - 1, p))
            pending_rows += _n_rows(p)
            if pending_rows >= batch_rows:
                flush()
    flush()
    return results


def ingest_wave(con: duckdb.DuckDBPyConnection, raw_root: Path, wave: int, region_codes: list[str], *,
                validator: Validator | None = None, limits: Limits = DEFAULT_LIMITS,
                now: dt.datetime | None = None, skip_unchanged: bool = False) -> WaveResult:
    """Read, check and stage one wave. One transaction; safe to repeat."""
    return ingest_waves(con, raw_root, [wave], region_codes, validator=validator, limits=limits, now=now,
                        skip_unchanged=skip_unchanged)[0]


def _write(con, p: _Prepared, now: dt.datetime) -> WaveResult:
    """Decide per unit against what is staged, and write the wave in one transaction."""
    started = time.perf_counter()
    wave, units, unit_problems, problems = p.wave, p.units, p.unit_problems, list(p.problems)

    existing = {
        (r, m): (f, s, sh)
        for r, m, f, s, sh in con.execute(
            "select region_code, module, source_file, source_sha256, source_sheet from stg_module_loads where wave = ?",
            [wave]).fetchall()
    }

    def staged_ids(region: str, module: str) -> set[str]:
        if module == crossref.LESSONS:
            sql = ("select source_exercise_id from stg_lessons where wave = ? and region_code = ? "
                   "and source = 'oefening' and source_exercise_id is not null")
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
        if u.status == "geladen" and n_err:
            u.status = "afgewezen"
            u.message = _errors_summary([p for p in ups if p.is_error])
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
    for s in p.extra_status:
        s["earlier_data_in_use"] = s["status"] == "conflict" and (s["region_code"], s["module"]) in existing
    statuses += p.extra_status

    _write_wave(con, wave, p.files, statuses, problems, p.module_frames, to_write, to_remove, loads, p.fingerprint, now)
    p.timings["laden"] = time.perf_counter() - started
    return WaveResult(wave, p.files, statuses, problems,
                      n_units_loaded=sum(len(v) for v in to_write.values()), n_units_unchanged=unchanged,
                      n_units_removed=sum(len(v) for v in to_remove.values()), fingerprint=p.fingerprint,
                      timings=p.timings)



def _reject_silent(wave: int, units: list[Unit], unit_problems, existing) -> None:
    """Present but nothing usable for a region that had data from it: a rejection, never a deletion.

    And when an export lost regions it supplied before (a cut copy), the region of its last row may have
    lost rows too (a cut on a line break leaves no broken row): that region is rejected as well.
    """
    shrunk: set[str] = set()
    for u in units:
        key = (u.region_code, u.module)
        came = ("export" if _from_export(existing[key][0], u.module) else "werkboek") if key in existing else None
        if u.status == "ontbreekt" and came in u.silent_in:
            u.status = "afgewezen"
            if came == "werkboek":
                u.source = RawFile(Path(), u.silent_in[came][0].file, wave, IGNORED, 0)
                u.sheet = None
            else:
                shrunk.add(u.module)
            unit_problems[key] = list(unit_problems.get(key, [])) + u.silent_in[came]
    for u in units:
        key = (u.region_code, u.module)
        if u.module in shrunk and u.last_of_export and u.status == "geladen" and key in existing \
                and _from_export(existing[key][0], u.module):
            u.status = "afgewezen"
            u.message = "mogelijk afgebroken export"
            unit_problems[key] = list(unit_problems.get(key, [])) + [Problem(
                u.source.rel, "export.mogelijk_afgebroken",
                f"de export {u.source.rel} mist regio's die er eerder in stonden en eindigt met de rijen van "
                f"{u.region_code}: die kunnen bij het afbreken ook rijen kwijt zijn; de eerder geladen gegevens "
                f"van {u.region_code} blijven in gebruik tot de export compleet is", sheet=u.sheet,
                region_code=u.region_code, module=u.module)]


def _from_export(source_file: str, module: str) -> bool:
    """Whether a staged unit's source was the export of ``module`` (in any letter case)."""
    stem, _, ext = source_file.rpartition("/")[2].rpartition(".")
    return ext.lower() == "csv" and stem.strip().lower() == module


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
        if loads:  # one insert of a frame: executemany costs about a millisecond per row
            load_df = pd.DataFrame(loads, columns=["wave", "region_code", "module", "source_file", "source_sha256",
                                                   "source_sheet", "n_rows", "loaded_at"])
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


def _errors_summary(errors: list) -> str:
    """"3 fout(en); eerste: <where> (regel <rule>), en nog 2; zie submission_problems".

    The first error in the order of the mart ``submission_problems`` (sheet, row, column, rule). Only its
    place and rule are named, not its message: a message may quote a value, and values are the
    problems mart's business (where they can be redacted), not this one-line status.
    """
    def order(p):
        return (p.sheet is not None, p.sheet or "", p.row is not None, p.row or 0,
                p.column is not None, p.column or "", p.rule or "", p.message or "")

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
            con.execute("insert into stg_problems (wave, source_file, rule, severity, message) values (null, ?, ?, ?, ?)",
                        [p.file, p.rule, p.severity, p.message])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def stored_folder_notes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(folder, message) of the folder notes recorded by the last run, sorted."""
    return sorted(con.execute("select source_file, message from stg_problems where wave is null and rule = ?",
                              [FOLDER_RULE]).fetchall())
