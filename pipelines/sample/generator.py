"""The entry point :func:`generate`: design, simulate, check, then write the waves and the ground truth.

Decides which wave is written in which form (the shipped mix, or all exports,
or all workbooks), clears each wave folder it writes and nothing else, and
returns a summary. The world is built and checked completely before the first
file is written.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import Region, load_equipment_norms, load_regions, load_ring_norms
from pipelines.core.paths import REFERENCE
from pipelines.sample.design import _design
from pipelines.sample.discipline import _discipline, _scores, _shape_shares
from pipelines.sample.helpers import slug
from pipelines.sample.implausible import _contradict
from pipelines.sample.learning_plants import _learning_after_simulation, _write_learning
from pipelines.sample.model import Design
from pipelines.sample.names import CONFORM
from pipelines.sample.plausibility_truth import BACKGROUND, _problem_rows, _write_problems
from pipelines.sample.practice import _equipment_targets, _ring_targets
from pipelines.sample.reasons_truth import _write_judgements, _write_reasons
from pipelines.sample.render import _DIALECTS, _check_personal, _draft, _write_exports, _write_region_workbook
from pipelines.sample.simulation import _Sim
from pipelines.sample.truth import _truth, _write_truth

#: The reasons' ground truth, beside the planted verdicts.
REASONS_FILE = "reasons.csv"
#: The problems' ground truth (the broken file and the plausibility warnings), beside the planted verdicts.
PROBLEMS_FILE = "problems.csv"
#: What the learning marts must say of the learning plants, beside the planted verdicts.
LEARNING_FILE = "learning.csv"


def generate(
    out: Path,
    waves: Sequence[int],
    seed: int = 2020,
    regions: list[Region] | None = None,
    form: str | None = None,
    ground_truth: Path | None = None,
    judgements: Path | None = None,
) -> dict:
    """Write sample returns for ``waves`` under ``out/<wave>/`` and, optionally, the ground truth.

    ``form``: ``None`` the shipped layout (up to 2019 a Windows-1252 export with ``;`` and decimal comma, 2020
    UTF-8 with BOM, 2021 UTF-8 without BOM plus one region's workbook, from 2022 one workbook per region);
    ``"csv"`` every wave as exports; ``"xlsx"`` every wave as workbooks; the shipped layout alone holds the broken
    file. Each ``out/<wave>`` folder is
    cleared first; nothing else under ``out`` is touched. ``ground_truth``: the file of the planted verdicts
    (``planted.csv``); the reasons' ground truth is written beside it as ``reasons.csv``. ``judgements``: where
    the analyst's judgements of the planted reasons go (``wegingen.csv`` of the reference folder); the problems'
    ground truth (the broken file, the plausibility warnings) is written beside ``ground_truth`` as
    ``problems.csv``. Returns a summary (``problems``: rows per rule; ``false_alarms``: warnings on a return without
    any plant).
    """
    if form not in (None, "csv", "xlsx"):
        raise ValueError(f"form must be None, 'csv' or 'xlsx', not {form!r}")
    waves = sorted({int(w) for w in waves})
    if not waves:
        raise ValueError("no waves")
    regions = list(regions) if regions is not None else load_regions(REFERENCE)
    if len({r.code for r in regions}) != len(regions):
        raise ValueError("region codes must be unique")
    out = Path(out)
    design, sim, (truth, reasons, weighed), dropped, problems = _build(regions, waves, seed, form)
    written = _write_waves(out, waves, regions, sim, design, seed, form)
    if ground_truth is not None:
        _write_truth(truth, Path(ground_truth))
        _write_reasons(reasons, Path(ground_truth).parent / REASONS_FILE)
        _write_problems(problems, Path(ground_truth).parent / PROBLEMS_FILE)
        _write_learning(design.learning, Path(ground_truth).parent / LEARNING_FILE)
    if judgements is not None:
        _write_judgements(weighed, Path(judgements))

    rows = {
        m.name: sum(len(rw.module_rows(m)) for rw in sim.world.values() if rw.wave in waves) for m in MODULES.values()
    }
    verdict_counts = Counter(r["expected_verdict"] for r in truth if r["expected_verdict"] != CONFORM)
    return {
        "out": str(out),
        "waves": waves,
        "form": form or "shipped",
        "n_regions": len(regions),
        "n_files": len(written),
        "bytes": sum(p.stat().st_size for p in written),
        "files": sorted(str(p.relative_to(out)).replace("\\", "/") for p in written),
        "rows": rows,
        "missing": sorted([c, t] for c, t in design.missing),
        "double_source": list(design.double_source) if design.double_source and form is None else None,
        "ground_truth_rows": len(truth),
        "planted": dict(sorted(verdict_counts.items())),
        "reasons": dict(sorted(Counter(r["expected_status"] for r in reasons).items())),
        "judgements": len(weighed),
        "problems": dict(sorted(Counter(r["rule"] for r in problems).items())),
        "false_alarms": sum(r["cause"] == BACKGROUND for r in problems),
        "dropped_plants": dropped,
        "roles": dict(design.roles),
    }


def _build(regions: list[Region], waves: list[int], seed: int, form: str | None):
    """The checked world: (design, simulation, (ground-truth rows, reasons' rows, judgements), statistical
    plants dropped, the problems' rows)."""
    ring_norms, eq_norms = load_ring_norms(REFERENCE), load_equipment_norms(REFERENCE)
    ring_target, eq_target = _ring_targets(ring_norms), _equipment_targets(eq_norms)
    shipped_workbooks = form is None and len(waves) > 1 and waves[-2] >= 2022  # the broken file: shipped layout only
    design = _design(
        regions, waves, seed, form is None, ring_norms, ring_target, eq_norms, eq_target, shipped_workbooks
    )
    sim = _Sim(regions, design, seed, ring_target, eq_target)
    sim.run()
    for key in design.missing:  # before the discipline pass: a wave never sent cannot be repaired
        sim.world.pop(key, None)
    _discipline(sim)
    _shape_shares(sim)
    _scores(sim)
    _contradict(design, sim.world)
    design.learning = _learning_after_simulation(sim)
    _check_personal(sim.world)
    export_waves = {t for t in waves if form == "csv" or (form is None and t < 2022)}
    dropped: list[str] = []
    truth = _truth(sim, ring_norms, eq_norms, export_waves, dropped)
    return design, sim, truth, dropped, _problem_rows(sim, export_waves)


def _write_waves(
    out: Path, waves: list[int], regions: list[Region], sim: _Sim, design: Design, seed: int, form: str | None
) -> list[Path]:
    """Every wave folder, cleared and written in its form; returns the files written."""
    written: list[Path] = []
    for i, t in enumerate(waves):
        folder = out / str(t)
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        present = [sim.world[(r.code, t)] for r in regions if (r.code, t) in sim.world]
        if form == "xlsx" or (form is None and t >= 2022):
            for rw in present:
                path = folder / f"{rw.code}_{slug(sim.names[rw.code])}.xlsx"
                broken = design.broken_file == (rw.code, t)
                _write_region_workbook(path, rw, seed, varied=form is None or i % 2 == 1, broken=broken)
                written.append(path)
            continue
        dialect = _DIALECTS[i % 3] if form == "csv" else _DIALECTS[0 if t <= 2019 else 1 if t == 2020 else 2]
        export_rows = present
        if design.double_source and design.double_source[1] == t and form is None:
            code = design.double_source[0]
            export_rows = [_draft(rw) if rw.code == code else rw for rw in present]
            rw = sim.world[(code, t)]
            path = folder / f"{code}_{slug(sim.names[code])}.xlsx"
            _write_region_workbook(path, rw, seed, varied=True)
            written.append(path)
        written += _write_exports(folder, export_rows, dialect)
    return written
