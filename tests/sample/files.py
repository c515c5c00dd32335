"""The shipped sample as the project's readers see it: shared by the tests of tests/sample (not a test module)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pandas as pd

from pipelines.contract.codebook import MODULES, REGION_COLUMN
from pipelines.contract.reference import load_regions
from pipelines.core.paths import PROJECT_ROOT, REFERENCE
from pipelines.ingest.discovery import match_region
from pipelines.ingest.readers import parse_tables, read_export, read_workbooks

WAVES = range(2019, 2026)
SEED = 2020
COMMITTED_TRUTH = PROJECT_ROOT / "tests" / "ground_truth" / "planted.csv"
COMMITTED_REASONS = COMMITTED_TRUTH.parent / "reasons.csv"
COMMITTED_PROBLEMS = COMMITTED_TRUTH.parent / "problems.csv"
#: The shipped sample's one file with several problems (pipelines/sample/implausible.py): its meta is rejected.
BROKEN = (2024, "VR21")
REGIONS = load_regions(REFERENCE)
CODES = [r.code for r in REGIONS]
LAST3 = (2023, 2024, 2025)


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------
# Fixtures: the shipped sample, generated and parsed once
# ---------------------------------------------------------------------------


def read_tree(root: Path, codes: list[str]):
    """Every file of every wave folder read and typed (one vectorised ``parse_tables`` pass per wave, module and
    form; ``parse_module`` is its one-sheet form). Returns the readers' problems, the tables as read and the
    typed rows per (wave, module, "werkboek"/"export")."""
    problems, tables, typed = [], [], {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        wave = int(folder.name)
        batches: dict[tuple[str, str], list] = defaultdict(list)
        paths = sorted(folder.iterdir())
        # one reader process for the wave's workbooks, as the ingest reads them (one per file costs a start each)
        workbooks = read_workbooks([(p, f"{wave}/{p.name}") for p in paths if p.suffix == ".xlsx"])
        for path in paths:
            rel = f"{wave}/{path.name}"
            if path.suffix == ".xlsx":
                code = match_region(path.stem, codes)
                assert code, rel
                found, read_problems = workbooks[rel]
                assert set(found) == set(MODULES), rel
                items = [(name, table, code) for name, table in found.items()]
            else:
                table, read_problems = read_export(path, rel)
                assert table is not None, rel
                items = [(path.stem, table, None)]
            problems += read_problems
            for name, table, code in items:
                problems += table.problems
                tables.append((rel, name, table))
                batches[(name, "werkboek" if code else "export")].append((table, code))
        for (name, form), items in batches.items():
            frame, found = parse_tables(items, MODULES[name])
            problems += found
            typed[(wave, name, form)] = frame
    return problems, tables, typed


class Parsed:
    """The shipped sample as the readers see it, split per region and wave (the workbook wins)."""

    def __init__(self, root: Path, codes: list[str] = CODES):
        self.problems, self.tables, typed = read_tree(root, codes)
        self.frames: dict[tuple[int, str], dict[str, pd.DataFrame]] = {}
        groups = {k: dict(tuple(f.groupby(REGION_COLUMN))) for k, f in typed.items()}
        for (wave, name, form), frame in typed.items():
            regions = set(groups[(wave, name, form)])
            if form == "werkboek":  # a sheet with its header only still counts as sent
                sent = {
                    c
                    for rel, n, t in self.tables
                    if n == name and rel.startswith(f"{wave}/")
                    for c in [match_region(Path(rel).stem, codes)]
                    if c
                }
                regions |= sent
            for code in regions:
                rows = groups[(wave, name, form)].get(code, frame.iloc[0:0])
                modules = self.frames.setdefault((wave, code), {})
                if form == "werkboek" or name not in modules:
                    modules[name] = rows.reset_index(drop=True)


def window(frames, code, t, module):
    """The module's rows of the region in the wave and the two before it, as far as they were sent."""
    parts = [frames[(w, code)][module] for w in (t - 2, t - 1, t) if (w, code) in frames]
    return pd.concat(parts, ignore_index=True)
