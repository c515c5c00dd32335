"""The ground truth of the problems: every error and warning the sample must produce in ``submission_problems``.

``tests/ground_truth/problems.csv`` lists the broken file's problems (as
:mod:`pipelines.sample.implausible` plants them) and every plausibility warning
the generated data give under ``data/reference/plausibility_rules.csv``,
computed here from the world (an oracle written apart from the SQL of
``int_plausibility``, after docs/plausibility.md). Each row names its ``cause``:
the plant behind it, or ``background`` for a return without any plant (a false
alarm). A planted implausible return the oracle does not flag raises: the
sample is never written with a ground truth that is wrong.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.contract import indicators
from pipelines.contract.codebook import MODULES
from pipelines.contract.plausibility import load_plausibility_rules
from pipelines.core.paths import REFERENCE
from pipelines.core.problems import ERROR, WARNING
from pipelines.sample.helpers import _level
from pipelines.sample.implausible import EXTRA_COLUMN, EXTRA_SHEET
from pipelines.sample.names import AVAIL, EQUIP, EXER, LESSONS, META, PLAN, RING, RISK
from pipelines.sample.oracle import _statistical_counts
from pipelines.sample.simulation import _Sim

PROBLEM_TRUTH_COLUMNS = (
    "wave",
    "region_code",
    "module",
    "sheet",
    "row_number",
    "column_name",
    "rule",
    "severity",
    "cause",
    "note",
)
BACKGROUND = "background"
#: The answer of each grid module that a wholesale change is counted on.
_GRID_ANSWER = {PLAN.name: "in_plan", RING.name: "toegang", EQUIP.name: "beschikbaarheid"}
_SHARES = [i for i in indicators.INDICATORS if i.norm_type == indicators.NATIONAL]


def _problem_rows(sim: _Sim, export_waves: set[int], reference: Path = REFERENCE) -> list[dict]:
    """The broken file's problems and every plausibility warning, sorted; checks the planted ones are found."""
    rules = load_plausibility_rules(reference)
    loaded = _loaded(sim, export_waves)
    found = _counts(sim, loaded, rules) + _shares(sim, loaded, rules) + _turns(sim, loaded, rules)
    found += _contradictions(sim, loaded, export_waves)
    rows = [dict(r, severity=WARNING, cause=_cause(sim, r)) for r in found] + _broken(sim)
    flagged = {(r["wave"], r["region_code"], r["module"], r["rule"]) for r in rows}
    missed = [p for p in sim.d.implausible if (p.wave, p.region, p.module, p.rule) not in flagged]
    if missed:
        raise AssertionError(f"sample: planted implausible returns the rules do not flag: {missed}")
    return sorted(rows, key=lambda r: (r["wave"], r["region_code"], r["module"] or "", r["row_number"] or 0, r["rule"]))


def _loaded(sim: _Sim, export_waves: set[int]) -> dict[tuple[str, str], list[int]]:
    """(region, module) -> the waves in which the module is loaded: sent, not the broken module, and in an
    export a module with many rows has rows."""
    out: dict[tuple[str, str], list[int]] = {}
    for (code, t), rw in sorted(sim.world.items(), key=lambda kv: kv[0][1]):
        for m in MODULES.values():
            if m.rows == "many" and t in export_waves and not rw.module_rows(m):
                continue
            if m is META and sim.d.broken_file == (code, t):
                continue
            out.setdefault((code, m.name), []).append(t)
    return out


def _span(waves: list[int]) -> str:
    return f"{waves[0]}-{waves[-1]}" if len(waves) > 1 else str(waves[0])


def _warning(t, code, module, rule, note, row=None, column=None) -> dict:
    return {
        "wave": t,
        "region_code": code,
        "module": module,
        "sheet": module,
        "row_number": row,
        "column_name": column,
        "rule": rule,
        "note": note,
    }


def _counts(sim: _Sim, loaded, rules) -> list[dict]:
    out = []
    for m in (EXER, LESSONS):
        for code in sim.codes:
            waves = loaded.get((code, m.name), [])
            for i, t in enumerate(waves):
                before = waves[max(0, i - int(rules["previous_returns"])) : i]
                if len(before) < rules["min_previous_returns"]:
                    continue
                n = len(sim.world[(code, t)].module_rows(m))
                mean = sum(len(sim.world[(code, y)].module_rows(m)) for y in before) / len(before)
                if mean < rules["count_min_expected"]:
                    continue
                if n <= rules["count_drop_share"] * mean or n >= rules["count_rise_factor"] * mean:
                    rule = "plausibel.module_leeg" if n == 0 else "plausibel.aantal_sprong"
                    note = f"{n} rows of {m.name} against a mean of {mean:.1f} in {_span(before)}"
                    out.append(_warning(t, code, m.name, rule, note))
    return out


def _shares(sim: _Sim, loaded, rules) -> list[dict]:
    out = []
    waves = sim.d.waves
    for ind in _SHARES:
        per_region: dict[str, list[tuple[int, float, float]]] = {}
        for t in waves:
            num, den = _statistical_counts(sim.world, sim.codes, waves, t, ind.id)
            for i, code in enumerate(sim.codes):
                if den[i] > 0 and all(t in loaded.get((code, m), []) for m in ind.modules):
                    per_region.setdefault(code, []).append((t, float(num[i]), float(den[i])))
        for code, series in per_region.items():
            for i, (t, num_t, den_t) in enumerate(series):
                before = series[max(0, i - int(rules["previous_returns"])) : i]
                if len(before) < rules["min_previous_returns"]:
                    continue
                pn, pd_ = sum(b[1] for b in before), sum(b[2] for b in before)
                if den_t < rules["share_min_denominator"] or pd_ < rules["share_min_denominator"]:
                    continue
                if abs(num_t / den_t - pn / pd_) >= rules["share_jump"]:
                    note = (
                        f"{ind.id} {num_t:.0f}/{den_t:.0f} against {pn:.0f}/{pd_:.0f} in "
                        f"{_span([b[0] for b in before])}"
                    )
                    out.append(_warning(t, code, ind.modules[0], "plausibel.aandeel_sprong", note))
    return out


def _turns(sim: _Sim, loaded, rules) -> list[dict]:
    out = []
    for module_name, answer in _GRID_ANSWER.items():
        for code in sim.codes:
            waves = loaded.get((code, module_name), [])
            for prev, t in zip(waves, waves[1:]):
                now, then = sim.world[(code, t)].grids[module_name], sim.world[(code, prev)].grids[module_name]
                changed = sum(now[k][answer] != then[k][answer] for k in now)
                if changed >= rules["grid_change_share"] * len(now):
                    note = f"{changed} of {len(now)} rows of {module_name} answer {answer} otherwise than in {prev}"
                    out.append(_warning(t, code, module_name, "plausibel.omslag", note, column=answer))
    return out


def _row(sim: _Sim, export_waves: set[int], code: str, t: int, module, index: int) -> int:
    """The row of a grid or one-row module's ``index``-th row as Excel numbers it (header = 1)."""
    per_region = len(module.expected_grid()) or 1
    if t not in export_waves:
        return 2 + index
    before = [c for c in sim.codes if (c, t) in sim.world].index(code)
    return 2 + before * per_region + index


def _contradictions(sim: _Sim, loaded, export_waves: set[int]) -> list[dict]:
    out = []
    for (code, t), rw in sorted(sim.world.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if t in loaded.get((code, EQUIP.name), []):
            for i, key in enumerate(EQUIP.expected_grid()):
                cell = rw.grids[EQUIP.name][key]
                level, n = _level(AVAIL, cell["beschikbaarheid"]), cell["aantal"]
                if n is not None and ((level == 0 and n > 0) or (level > 0 and n == 0)):
                    note = f"{'/'.join(key[1:])}: {cell['beschikbaarheid']} with aantal {n}"
                    row = _row(sim, export_waves, code, t, EQUIP, i)
                    out.append(_warning(t, code, EQUIP.name, "plausibel.tegenstrijdig", note, row, "aantal"))
        if t in loaded.get((code, RISK.name), []):
            risk = rw.rows[RISK.name][0]
            adopted, on = risk["bestuurlijk_vastgesteld"], risk["datum_vastgesteld"]
            done = rw.rows[META.name][0]["datum_ingevuld"] if t in loaded.get((code, META.name), []) else None
            if on is not None and (not adopted or (done is not None and on > done)):
                note = f"adopted on {on}" + (" without being adopted" if not adopted else f", filled in on {done}")
                row = _row(sim, export_waves, code, t, RISK, 0)
                out.append(_warning(t, code, RISK.name, "plausibel.tegenstrijdig", note, row, "datum_vastgesteld"))
    return out


def _cause(sim: _Sim, w: dict) -> str:
    """The plant behind a warning: a planted implausible return, a plant on an indicator of the module, or a
    plant elsewhere in the same return (no exercises leave few lessons: lessons come from exercises)."""
    d = sim.d
    for ip in d.implausible:
        if (ip.wave, ip.region, ip.module, ip.rule) == (w["wave"], w["region_code"], w["module"], w["rule"]):
            return f"implausible return: {ip.note}"
    same_return = [p for p in d.plants if p.region == w["region_code"] and w["wave"] in p.waves]
    for p in same_return:
        if w["module"] in indicators.BY_ID[p.indicator].modules:
            return f"planted {p.indicator} {p.verdict}"
    if same_return:
        return f"in the return of planted {same_return[0].indicator} {same_return[0].verdict}"
    return BACKGROUND


def _broken(sim: _Sim) -> list[dict]:
    """The problems of the file with several problems (pipelines.sample.implausible.break_workbook)."""
    if sim.d.broken_file is None:
        return []
    code, t = sim.d.broken_file
    cause = "file with several problems"

    def row(module, sheet, number, column, rule, severity, note):
        return {
            "wave": t,
            "region_code": code,
            "module": module,
            "sheet": sheet,
            "row_number": number,
            "column_name": column,
            "rule": rule,
            "severity": severity,
            "cause": cause,
            "note": note,
        }

    return [
        row(META.name, META.name, 2, None, "een_rij", ERROR, "meta has a second row: the region sends two"),
        row(META.name, META.name, 3, None, "een_rij", ERROR, "the second row of meta"),
        row(META.name, META.name, 3, "datum_ingevuld", "type.datum", ERROR, "31 November does not exist"),
        row(EXER.name, EXER.name, 1, EXTRA_COLUMN, "kolom.onbekend", WARNING, "a column no module has"),
        row(None, EXTRA_SHEET, None, None, "blad.onbekend", WARNING, "a sheet that is not part of the survey"),
    ]


def _write_problems(rows: list[dict], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(PROBLEM_TRUTH_COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
