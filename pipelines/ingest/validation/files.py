"""Checking files without a warehouse (``regiobench validate``): read, parse and validate given paths.

No warehouse and no Dagster; which files conflict is decided by :mod:`pipelines.ingest.across_files`, as
for a run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.contract.codebook import MODULES, REGION_COLUMN
from pipelines.core.problems import WARNING, Problem, drop_reader_repeats
from pipelines.ingest.validation.validator import GXValidator, sort_key

# ---------------------------------------------------------------------------
# Checking files without a warehouse
# ---------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^\d{4}$")
_default: GXValidator | None = None


def default_validator() -> GXValidator:
    """One shared validator per process (the GX context and suites are built once)."""
    global _default
    if _default is None:
        _default = GXValidator()
    return _default


@dataclass
class _Group:
    """Files validated together: one wave, one form; a region at most once."""

    wave: int | None
    kind: str
    frames: dict[str, list[pd.DataFrame]]
    sheets: dict[str, dict[str, tuple[str, str]]]
    regions: set[str]
    modules: set[str]


def validate_paths(
    paths: list[Path], reference_dir: Path, wave: int | None = None, *, validator: GXValidator | None = None
) -> list[Problem]:
    """Check workbooks (``VRnn*.xlsx``) and exports (``<module>.csv``) against the contract.

    No warehouse, no Dagster. The wave of a file is its folder's name where
    that is a year, else ``wave``; without either the rule ``datum_peiljaar``
    is skipped (and a warning says so). Workbooks are checked together with
    other workbooks of the wave (a region at most once per run), exports with
    the other exports of the wave, so a lesson in ``lessen.csv`` is checked
    against ``oefeningen.csv``. Returns the reader's and GX's problems, sorted
    by file, sheet and row.
    """
    from pipelines.contract.reference import load_regions
    from pipelines.ingest.across_files import workbook_conflicts
    from pipelines.ingest.discovery import EXPORT, IGNORED, WORKBOOK, classify
    from pipelines.ingest.readers import parse_module, read_export, read_workbook

    codes = [r.code for r in load_regions(reference_dir)]
    problems: list[Problem] = []
    groups: list[_Group] = []

    def group_for(file_wave, kind, region=None, module=None) -> _Group:
        for g in groups:
            if g.wave == file_wave and g.kind == kind and region not in g.regions and module not in g.modules:
                break
        else:
            g = _Group(file_wave, kind, defaultdict(list), defaultdict(dict), set(), set())
            groups.append(g)
        if region is not None:
            g.regions.add(region)
        if module is not None:
            g.modules.add(module)
        return g

    def add(g: _Group, module_name: str, frame: pd.DataFrame, rel: str, sheet: str, region: str | None):
        g.frames[module_name].append(frame.assign(_file=rel, _sheet=sheet, _sha=""))
        if region is not None:
            g.sheets[module_name][region] = (rel, sheet)

    entries = []  # (path, rel, wave of the file, classification or None when the file is not there)
    for path in map(Path, paths):
        folder = path.parent.name
        rel = f"{folder}/{path.name}" if _YEAR_RE.match(folder) else path.name
        file_wave = int(folder) if _YEAR_RE.match(folder) else wave
        entries.append((path, rel, file_wave, classify(path.name, codes) if path.is_file() else None))
    conflicts = workbook_conflicts(
        ((path.parent.resolve(), c[1]), rel) for path, rel, _, c in entries if c is not None and c[0] == WORKBOOK
    )
    for path, rel, file_wave, classified in entries:
        if classified is None:
            problems.append(Problem(rel, "bestand.ontbreekt", "het bestand bestaat niet of is geen gewoon bestand"))
            continue
        kind, code, module_name, reason = classified
        if kind == IGNORED:
            problems.append(Problem(rel, "bestand.genegeerd", f"niet gecontroleerd: {reason}"))
            continue
        if file_wave is None:
            problems.append(
                Problem(
                    rel,
                    "peiljaar.onbekend",
                    "het peiljaar is onbekend (de map heet niet naar een jaar en er is geen peiljaar opgegeven); "
                    "de regel 'datum_peiljaar' (datum in het peiljaar) is niet gecontroleerd",
                    WARNING,
                )
            )
        if kind == WORKBOOK:
            first = conflicts.get((path.parent.resolve(), code), [rel])[0]
            if first != rel and file_wave is not None:
                for this, other in ((rel, first), (first, rel)):
                    problems.append(
                        Problem(
                            this,
                            "werkboek.conflict",
                            f"nog een werkboek van regio {code} in peiljaar {file_wave}: {other}; "
                            f"de pipeline laadt dan geen van beide",
                            region_code=code,
                        )
                    )
            tables, found = read_workbook(path, rel)
            for p in found:
                p.region_code = code
            problems += found
            if not tables and any(p.is_error for p in found):
                continue
            g = group_for(file_wave, WORKBOOK, region=code)
            for name in MODULES:
                if name not in tables:
                    problems.append(
                        Problem(
                            rel,
                            "blad.ontbreekt",
                            f"het werkboek heeft geen blad '{name}'",
                            region_code=code,
                            module=name,
                        )
                    )
            for name, sheet_table in tables.items():
                frame, found = parse_module(sheet_table, MODULES[name], region_code=code)
                problems += sheet_table.problems + found
                add(g, name, frame, rel, sheet_table.sheet, code)
        elif kind == EXPORT:
            assert module_name is not None  # classify() names the module of every export
            table, found = read_export(path, rel)
            if table is None:
                problems += found
                continue
            frame, parsed = parse_module(table, MODULES[module_name], region_code=None)
            for p in parsed:
                if p.region_code is None and p.row is not None and p.row > 1:
                    match = frame.loc[frame["_row"] == p.row, REGION_COLUMN]
                    p.region_code = match.iloc[0] if len(match) else None
            problems += table.problems + parsed
            g = group_for(file_wave, EXPORT, module=module_name)
            add(g, module_name, frame, rel, table.sheet, None)

    if groups:
        validator = validator or default_validator()
        found = []
        for g in groups:
            frames = {m: pd.concat(fs, ignore_index=True) for m, fs in g.frames.items()}
            found += validator(g.wave, frames, codes, sheets=g.sheets)
        problems += drop_reader_repeats(problems, found)
    problems = list({id(p): p for p in problems}.values())
    return sorted(problems, key=sort_key)
