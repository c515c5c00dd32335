"""The ground truth: the verdicts the pipeline must reach, checked against the generated data first.

Every rule-based indicator in the planting waves is listed for every region
(coverage ``full``: conform or planted, nothing accidental); of the
statistical indicators only the planted rows are (coverage ``planted``), and
only where the plant lies beyond :data:`_PLANT_Z` under the oracle's funnel.
A design intention the data do not hold raises: the sample is never written
with a ground truth that is wrong. Written as ``tests/ground_truth/planted.csv``
for the shipped sample.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Set as AbstractSet
from pathlib import Path

from pipelines.contract import indicators as ids
from pipelines.sample.helpers import _window
from pipelines.sample.model import Plant
from pipelines.sample.names import (
    CONFORM,
    EXER,
    INDICATORS,
    NO_DATA,
    STATISTICAL_INDICATORS,
    UNIFORM_INDICATORS,
    UNSUBSTANTIATED,
)
from pipelines.sample.oracle import _proportion_z, _statistical_counts, uniform_verdicts, wave_norms
from pipelines.sample.reasons_truth import _check_reasons, _judgement_rows, _reason_rows, complete
from pipelines.sample.simulation import _Sim
from pipelines.sample.weighing import weigh

GROUND_TRUTH_COLUMNS = ("wave", "region_code", "indicator_id", "expected_verdict", "coverage", "note")

Z998 = 3.090232
#: A planted proportion must lie at least this far outside (|z|), so it holds whatever reasonable variant of the
#: funnel the pipeline uses.
_PLANT_Z = 3.6


def _truth(
    sim: _Sim, ring_norms, eq_norms, export_waves: AbstractSet[int] = frozenset(), dropped: list[str] | None = None
) -> tuple[list[dict], list[dict], list[dict]]:
    """The ground-truth rows, the reasons' rows and the judgements, after checking the design's intentions
    against the data.

    ``export_waves``: waves written as survey-tool exports, where a region without exercises has no rows in
    ``oefeningen.csv`` and so counts as not having sent the module. ``dropped`` collects the statistical
    plants this seed's background is too dispersed to call."""
    d, codes = sim.d, sim.codes
    norms, _ = wave_norms(sim.world, codes, d.waves, ring_norms, eq_norms)
    weighing = weigh(sim.world, codes, d.waves, norms, {k: word for k, (word, _) in d.judgements.items()})
    verdicts, ties = uniform_verdicts(sim.world, codes, d.waves, d.planting, ring_norms, eq_norms, weighing=weighing)
    if ties:
        raise AssertionError(
            f"sample: the national mode is a tie in {sorted(ties)[:5]}; the ground truth would depend on the tie rule"
        )
    intended = {}
    for p in d.plants:
        if p.indicator in UNIFORM_INDICATORS:
            for t in p.waves:
                intended[(t, p.region, p.indicator)] = p
    _check_intentions(sim, verdicts, intended)
    _check_reasons(d, weighing)
    rows = _uniform_rows(sim, verdicts, intended)
    for p in d.plants:
        if p.indicator not in UNIFORM_INDICATORS:
            rows += _statistical_rows(sim, p, export_waves, dropped)
    for c, t in sorted(d.missing):
        if t in d.planting:
            for ind in STATISTICAL_INDICATORS:
                rows.append(
                    {
                        "wave": t,
                        "region_code": c,
                        "indicator_id": ind,
                        "expected_verdict": NO_DATA,
                        "coverage": "planted",
                        "note": "Region sent nothing for this wave.",
                    }
                )
    order = {ind: i for i, ind in enumerate(INDICATORS)}
    rows.sort(key=lambda x: (x["wave"], order[x["indicator_id"]], x["region_code"]))
    return rows, _reason_rows(d, weighing), _judgement_rows(d, weighing)


def _check_intentions(sim: _Sim, verdicts: dict, intended: dict[tuple, Plant]) -> None:
    """Every planted rule-based verdict is what the data give, and every other region is conform."""
    d, codes = sim.d, sim.codes
    planted_pairs = {(p.region, p.indicator) for p in d.plants}
    full_design = all(y in d.waves for y in range(d.waves[-1] - 4, d.waves[-1] + 1))
    problems = []
    for (t, c, ind), v in verdicts.items():
        if (c, t) in d.missing:
            continue
        p = intended.get((t, c, ind))
        if p is not None and v != p.verdict and full_design and complete(d, p.since):
            problems.append(f"{t} {c} {ind}: planted {p.verdict}, data gives {v}")
        if ind == ids.LESSONS_FROM_OTHERS and len(codes) < 2:
            continue  # a single region has nobody to learn from
        if p is None and v != CONFORM and ((c, ind) not in planted_pairs or full_design):
            problems.append(f"{t} {c} {ind}: background region is {v}, not conform")
    if problems:
        raise AssertionError("sample: ground truth does not hold:\n" + "\n".join(problems[:20]))


def _uniform_rows(sim: _Sim, verdicts: dict, intended: dict[tuple, Plant]) -> list[dict]:
    d, codes = sim.d, sim.codes
    planted_pairs = {(p.region, p.indicator) for p in d.plants}
    rows = []
    for (t, c, ind), v in verdicts.items():
        if (c, t) in d.missing:
            note = "Region sent nothing for this wave."
        elif ind == ids.LESSONS_FROM_OTHERS and len(codes) < 2:
            note = "Only one region: there is no other region to take a lesson from."
        elif v == CONFORM and (t, c, ind) in intended and intended[(t, c, ind)].verdict == CONFORM:
            note = intended[(t, c, ind)].note
        elif v == CONFORM:
            note = (
                "Planted region, but the window still holds what the indicator asks: conform."
                if (c, ind) in planted_pairs
                else "Background region: meets the norm."
            )
        else:
            p = intended.get((t, c, ind)) or next(p for p in d.plants if (p.region, p.indicator) == (c, ind))
            note = p.note
        rows.append(
            {"wave": t, "region_code": c, "indicator_id": ind, "expected_verdict": v, "coverage": "full", "note": note}
        )
    return rows


def _statistical_rows(sim: _Sim, p: Plant, export_waves: AbstractSet[int], dropped: list[str] | None) -> list[dict]:
    """The rows of one statistical plant, checked against funnel limits computed here."""
    world, codes = sim.world, sim.codes
    rows = []
    for t in p.waves:
        if p.indicator == ids.EX_COUNT:
            rows += _count_rows(sim, p, t, export_waves)
            continue
        r, n = _statistical_counts(world, codes, sim.d.waves, t, p.indicator)
        i = codes.index(p.region)
        z, p0, tau2 = _proportion_z(r, n, i)
        ok = z <= -_PLANT_Z if p.verdict == UNSUBSTANTIATED else z >= _PLANT_Z
        if not ok:  # this seed's background is too dispersed to call the plant with confidence
            if dropped is not None:
                dropped.append(f"{t} {p.region} {p.indicator} (z = {z:.2f})")
            continue
        note = (
            p.note.format(n=int(n[i]), num=int(r[i]), den=int(n[i]))
            + f" National {p0:.0%}; z = {z:.1f} on the arcsine scale with tau^2 = {tau2:.3f} "
            f"(99.8% limit at |z| = {Z998})."
        )
        rows.append(_row(t, p.region, p.indicator, p.verdict, note))
    return rows


def _count_rows(sim: _Sim, p: Plant, t: int, export_waves: AbstractSet[int]) -> list[dict]:
    """The rows of an ``ex_count`` plant in wave ``t``: a wave without exercises, or one a wave over the window.

    Neither is checked against a limit here: E is the engine's risk model, which this package does not
    reimplement. A wave without exercises lies below every lower limit whatever E is; what the pooled plant
    relies on is in :func:`pipelines.sample.stat_plants._plant_low_exercises`."""
    world = sim.world
    rw = world[(p.region, t)]
    if p.verdict != UNSUBSTANTIATED:  # ex_count takes no reason (docs/verdicts.md 5a)
        raise AssertionError(f"sample: ex_count plant of {p.region} {t} is {p.verdict}, not {UNSUBSTANTIATED}")
    if sim.d.count.get((p.region, t)) == ("exact", 1):  # judged on the window's waves pooled
        held = [len(world[(p.region, y)].rows[EXER.name]) for y in _window(t, sim.d.waves) if (p.region, y) in world]
        if held != [1, 1, 1]:
            raise AssertionError(f"sample: {p.region} {t} should hold 1 exercise in each of 3 waves, not {held}")
        return [_row(t, p.region, p.indicator, p.verdict, p.note)]
    if rw.rows[EXER.name]:
        raise AssertionError(f"sample: {p.region} {t} should hold 0 exercises")
    if t in export_waves:
        note = "0 exercises written as an export: no rows in oefeningen.csv, so the module counts as not sent."
        return [_row(t, p.region, p.indicator, NO_DATA, note)]
    note = "Consequence of the planted 0 exercises: no share can be computed."
    shares = [_row(t, p.region, s, NO_DATA, note) for s in (ids.EX_MULTIDISCIPLINARY_SHARE, ids.EX_EVALUATED_SHARE)]
    return [*shares, _row(t, p.region, p.indicator, p.verdict, p.note)]


def _row(wave: int, region: str, indicator: str, verdict: str, note: str) -> dict:
    return {
        "wave": wave,
        "region_code": region,
        "indicator_id": indicator,
        "expected_verdict": verdict,
        "coverage": "planted",
        "note": note,
    }


def _write_truth(rows: list[dict], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(GROUND_TRUTH_COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
