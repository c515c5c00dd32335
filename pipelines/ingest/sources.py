"""Which source holds each region's module in a wave: the codebook's rules across files.

Reads every readable file of a wave once (:func:`_read_wave`) and decides per
region and module where its rows come from (:func:`plan_wave`), as the rules in
:mod:`pipelines.ingest.loader` describe; which files conflict is decided by
:mod:`pipelines.ingest.across_files`, shared with ``regiobench validate``.
No database access and no validation: :mod:`pipelines.ingest.staging` writes
the plan, :mod:`pipelines.ingest.loader` runs the whole.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from pipelines.contract.codebook import MODULES, REGION_COLUMN
from pipelines.contract.statuses import ABSENT, CONFLICT, LOADED, REJECTED, REPLACED
from pipelines.core.problems import Problem, quote
from pipelines.ingest import across_files
from pipelines.ingest.across_files import workbook_conflicts
from pipelines.ingest.discovery import EXPORT, IGNORED, WORKBOOK, RawFile
from pipelines.ingest.readers import DEFAULT_LIMITS, Limits, parse_tables, read_export, read_workbooks


@dataclass
class Unit:
    """The source chosen for one region's module in one wave."""

    region_code: str
    module: str
    source: RawFile | None
    sheet: str | None = None
    status: str = LOADED
    n_rows: int = 0
    message: str = ""
    earlier_data_in_use: bool = False
    # "ontbreekt" although an export of the module is present: the problems that say why, should the region
    # have had data from that export (then the unit is rejected, not removed: see _write)
    silent_in: dict[str, list[Problem]] = field(default_factory=dict)  # "export"/"werkboek" -> problems
    last_of_export: bool = False  # loaded from the export's last row(s): suspect when the export lost regions


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
    return Problem(
        ex.rel,
        "export.afgebroken",
        "het bestand eindigt midden in deze rij (geen regeleinde na de laatste rij): waarschijnlijk een "
        "afgebroken kopie; lever het bestand opnieuw (of sluit de laatste rij af met een regeleinde)",
        sheet=sheet,
        row=int(rows.at[at, "_row"]),
        region_code=None if pd.isna(code) else str(code),
        module=module_name,
    )


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
    wb_problems: dict[tuple[str | None, str], list[Problem]]  # (region, module) -> sheet and value problems
    exports: dict[str, _Export]
    # a module sheet not read (the sheet as the problem names it, if it does)
    bad_sheets: dict[tuple[str, str], tuple[RawFile, str | None]] = field(default_factory=dict)
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
            assert f.region_code is not None  # classify() names the region of every workbook
            workbooks[f.region_code].append(f)
        elif f.kind == EXPORT:
            assert f.module is not None  # classify() names the module of every export
            exports_of[f.module].append(f)  # the module is the name in lower case: risico.csv and Risico.CSV
    conflicts = set(workbook_conflicts((code, wb) for code, wbs in workbooks.items() for wb in wbs))
    # Two exports of one module: neither is read (which one is meant cannot be known).
    export_conflicts = across_files.export_conflicts((m, f) for m, fs in exports_of.items() for f in fs)
    export_files = {m: fs[0] for m, fs in exports_of.items() if len(fs) == 1}

    file_problems: dict[str, list[Problem]] = defaultdict(list)
    unreadable: dict[str, RawFile] = {}
    tables: dict[str, list] = defaultdict(list)
    wb_sheets: dict[str, dict[str, tuple[RawFile, str]]] = defaultdict(dict)
    wb_problems: dict[tuple[str | None, str], list[Problem]] = defaultdict(list)
    bad_sheets: dict[tuple[str, str], tuple[RawFile, str | None]] = {}
    opened = read_workbooks(
        [
            (wbs[0].path, wbs[0].rel)
            for code, wbs in workbooks.items()
            if code not in conflicts and wbs[0].reason is None
        ],
        limits,
    )
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
        for module_name, sheet_table in sheets.items():
            tables[module_name].append((sheet_table, code))
            wb_sheets[module_name][code] = (wb, sheet_table.sheet)
            for p in sheet_table.problems:
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
        exports[module_name] = _Export(
            ex, table.sheet, frame, table.problems + parse_problems + ([cut] if cut else []), counts, withdrawn
        )
    unusable: dict[str, list[RawFile]] = defaultdict(list)
    for f in files:
        if f.kind == IGNORED and f.region_code:
            unusable[f.region_code].append(f)
    return _WaveRead(
        workbooks,
        conflicts,
        unreadable,
        file_problems,
        wb_sheets,
        wb_frames,
        wb_problems,
        exports,
        bad_sheets,
        export_conflicts,
        dict(unusable),
    )


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
        return dict(
            wave=wave,
            region_code=region,
            module=module,
            source_file=source.rel if source else None,
            status=status,
            n_rows=n_rows,
            n_errors=n_errors,
            n_warnings=n_warnings,
            message=message,
            earlier_data_in_use=False,
            source_sha256=source.sha256 if source else None,
        )

    wb_counts = {m: f[REGION_COLUMN].value_counts().to_dict() for m, f in read.wb_frames.items()}
    export_problems: dict[tuple[str | None, str], list[Problem]] = defaultdict(list)
    ex: _Export | None  # the module's export, if the wave has one
    wb: RawFile | None  # the region's workbook, if it has one
    for module_name, ex in read.exports.items():
        for p in ex.problems:
            export_problems[(p.region_code, module_name)].append(p)
        if ex.frame is None:  # unreadable: it has no rows, so no region to count
            continue
        for code, n in ex.rows_per_region.items():
            if code not in known:
                what = "zonder regio_code" if code == "" else f"met onbekende regio_code {quote(code)}"
                rows = ex.frame.loc[ex.frame[REGION_COLUMN].fillna("") == code, "_row"].tolist()
                p = Problem(
                    ex.file.rel,
                    "regio.onbekend",
                    f"{n} rij(en) {what} (rij {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''});"
                    f" niet geladen",
                    sheet=ex.sheet,
                    row=rows[0],
                    column=REGION_COLUMN,
                    value=code or None,
                    region_code=code or None,
                    module=module_name,
                )
                problems.append(p)
                extra_status.append(status_row(code or None, module_name, ex.file, REJECTED, n, p.message, 1))

    for code in region_codes:
        for module_name in MODULES:
            ex = read.exports.get(module_name)
            n_ex = ex.rows_per_region.get(code, 0) if ex else 0
            if code in read.conflicts:
                names = ", ".join(f.rel for f in read.workbooks[code])
                msg = f"meerdere werkboeken voor deze regio ({names}); niets van deze regio opnieuw geladen"
                for wb in read.workbooks[code]:
                    extra_status.append(status_row(code, module_name, wb, CONFLICT, message=msg, n_errors=1))
                if ex is not None and n_ex:
                    extra_status.append(status_row(code, module_name, ex.file, CONFLICT, n_ex, msg, 1))
                units.append(Unit(code, module_name, None, status=CONFLICT, message=msg))
                continue
            wb_choice = read.wb_sheets.get(module_name, {}).get(code)
            bad_sheet = read.bad_sheets.get((code, module_name))
            holder = read.unreadable.get(code) or (wb_choice or bad_sheet or (None,))[0]
            if holder is not None and ex is not None and n_ex:
                extra_status.append(
                    status_row(
                        code,
                        module_name,
                        ex.file,
                        REPLACED,
                        n_ex,
                        f"het werkboek {holder.rel} van deze regio gaat voor; deze rijen zijn niet gebruikt",
                    )
                )
            if code in read.unreadable:
                wb = read.unreadable[code]
                errs = [p for p in read.file_problems[wb.rel] if p.is_error]
                unit_problems[(code, module_name)] += errs
                units.append(Unit(code, module_name, wb, status=REJECTED, message="; ".join(p.message for p in errs)))
            elif bad_sheet is not None:  # the workbook has the sheet, but it could not be read
                wb, sheet = bad_sheet
                errs = read.wb_problems.get((code, module_name), [])
                unit_problems[(code, module_name)] += errs + read.file_problems[wb.rel]
                units.append(
                    Unit(
                        code,
                        module_name,
                        wb,
                        sheet,
                        status=REJECTED,
                        message="; ".join(p.message for p in errs if p.is_error),
                    )
                )
            elif wb_choice is not None:
                wb, sheet = wb_choice
                unit_problems[(code, module_name)] += (
                    read.wb_problems.get((code, module_name), []) + read.file_problems[wb.rel]
                )
                units.append(Unit(code, module_name, wb, sheet, n_rows=wb_counts[module_name].get(code, 0)))
            elif module_name in read.export_conflicts:
                names = ", ".join(f.rel for f in read.export_conflicts[module_name])
                msg = (
                    f"meerdere exports van module '{module_name}' in dit peiljaar ({names}); geen van beide "
                    f"gelezen, niets van deze module opnieuw geladen"
                )
                for f in read.export_conflicts[module_name]:
                    extra_status.append(status_row(code, module_name, f, CONFLICT, message=msg, n_errors=1))
                    unit_problems[(code, module_name)].append(
                        Problem(f.rel, "export.dubbel", msg, region_code=code, module=module_name)
                    )
                units.append(Unit(code, module_name, None, status=CONFLICT, message=msg))
            elif ex is not None and (n_ex or ex.frame is None):
                unit_problems[(code, module_name)] += export_problems.get(
                    (code, module_name), []
                ) + export_problems.get((None, module_name), [])
                if ex.frame is None:  # the export could not be read at all
                    units.append(
                        Unit(
                            code,
                            module_name,
                            ex.file,
                            ex.sheet,
                            REJECTED,
                            message="; ".join(p.message for p in ex.problems),
                        )
                    )
                    continue
                from_export[module_name].append(code)
                last = ex.frame.loc[ex.frame["_row"].idxmax(), REGION_COLUMN] if len(ex.frame) else None
                units.append(Unit(code, module_name, ex.file, ex.sheet, n_rows=n_ex, last_of_export=code == last))
            elif ex is not None and code in ex.withdrawn:  # deliberately listed with no data: missing
                units.append(
                    Unit(
                        code,
                        module_name,
                        ex.file,
                        ex.sheet,
                        status=ABSENT,
                        message=f"bewust zonder gegevens in {ex.file.rel} (rij {ex.withdrawn[code]}: alleen "
                        f"regio_code ingevuld): ingetrokken",
                    )
                )
            else:
                wb = read.workbooks.get(code, [None])[0]
                msg = (
                    f"het werkboek {wb.rel} heeft geen blad '{module_name}'"
                    if wb
                    else "geen werkboek of export-rijen van deze regio"
                )
                unit = Unit(code, module_name, wb, status=ABSENT, message=msg)
                if wb is None and read.unusable.get(code):
                    # A workbook in a form that is not read (.xlsm, .xls, .ods) named for the region.
                    f = read.unusable[code][0]
                    unit.silent_in["werkboek"] = [
                        Problem(
                            f.rel,
                            "bestand.vorm",
                            f"{f.rel} is niet gelezen ({f.reason}); de eerder geladen gegevens "
                            f"van {code} blijven in gebruik",
                            region_code=code,
                            module=module_name,
                        )
                    ]
                    unit.message = f"{f.rel} is niet gelezen: {f.reason}"
                if ex is not None and wb is None:
                    # The export is there but does not list the region: an interrupted copy, a truncated or
                    # header-only file looks exactly like this. _write rejects the unit when the region had
                    # data from this export (earlier data kept), with the file's own problems attached.
                    why = [p for p in export_problems.get((None, module_name), []) if p.is_error]
                    own = Problem(
                        ex.file.rel,
                        "export.regio_ontbreekt",
                        f"de export {ex.file.rel} bevat geen rijen (meer) van {code}, die er eerder wel in "
                        f"stond"
                        + (
                            f"; het bestand heeft zelf {len(why)} fout(en): {'; '.join(p.message for p in why[:3])}"
                            if why
                            else f" ({sum(ex.rows_per_region.values())} rij(en) van andere regio's)"
                        )
                        + "; de eerder geladen gegevens blijven in gebruik. Wilt u de regio bewust "
                        "intrekken: zet een rij met alleen haar regio_code in de export",
                        sheet=ex.sheet,
                        region_code=code,
                        module=module_name,
                    )
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
            assert ex is not None and ex.frame is not None  # regions come from an export only when it was read
            parts.append(ex.frame[ex.frame[REGION_COLUMN].isin(from_export[module_name])])
        parts = [p for p in parts if len(p)]
        if parts:
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            module_frames[module_name] = frame.assign(_sha=frame["_file"].map(sha_of))
    return units, extra_status, problems, unit_problems, module_frames
