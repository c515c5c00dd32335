"""The oracle: the rule-based verdicts and the funnel z of a share, computed from the generated data.

An independent implementation of the rule-based indicators of
``docs/method.md`` (the national mode as the norm where the norm file sets
none, the three-wave window) and of the proportion funnel's z (arcsine scale,
winsorised overdispersion, DerSimonian-Laird tau^2). It shares no code with
:mod:`pipelines.engine` on purpose: the ground truth must not inherit the
engine's mistakes. It reads the typed world, not files.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from pipelines.contract import indicators as I
from pipelines.contract.codebook import Module
from pipelines.sample.helpers import _code_at, _level, _window
from pipelines.sample.model import RegionWave
from pipelines.sample.names import (
    ACCESS,
    AVAIL,
    CONFORM,
    EQUIP,
    EXER,
    FOLLOW_DONE,
    LESSONS,
    METHOD_NONE,
    NO_DATA,
    PLAN,
    RING,
    RISK,
    SHARED_VK,
    SRC_OTHER,
    STRATEGIC,
    SUBSTANTIATED,
    UNIFORM_INDICATORS,
    UNSUBSTANTIATED,
)
from pipelines.sample.weighing import Weighing, weigh


def _modal_norms(module: Module, value_field: str, cat, norms, grids: list[dict], protective_high: bool):
    """Norm per cell: the norm file, else the mode among the regions (ties: the more protective value).
    Returns (norm per key, set of keys where the mode was a tie)."""
    out: dict[tuple[str, ...], str | None] = {}
    ties: set[tuple[str, ...]] = set()
    for key in module.expected_grid():
        code = norms[key].code
        if code is None:
            counts = Counter(g[key][value_field] for g in grids if key in g)
            if not counts:
                out[key] = None
                continue
            best = max(counts.values())
            cands = [c for c, n in counts.items() if n == best]
            if len(cands) > 1:
                ties.add(key)
            lv = [_level(cat, c) for c in cands]
            code = _code_at(cat, max(lv) if protective_high else min(lv))
        out[key] = code
    return out, ties


def _risk_substantiated(rw: RegionWave) -> bool:
    risk = rw.rows[RISK.name][0]
    return bool(risk["methode"] != METHOD_NONE and risk["onderbouwing_aanwezig"] and risk["bestuurlijk_vastgesteld"])


def wave_norms(world, codes: Sequence[str], waves: Sequence[int], ring_norms, eq_norms):
    """Per wave, the ring-model and equipment norm of every cell, and the (wave, module, key) cells where the
    national mode was a tie."""
    norms: dict[int, tuple[dict, dict]] = {}
    ties = set()
    for t in waves:
        present = [c for c in codes if (c, t) in world]
        ring_norm, rt = _modal_norms(
            RING,
            "toegang",
            ACCESS,
            ring_norms,
            [world[(c, t)].grids[RING.name] for c in present],
            protective_high=False,
        )
        eq_norm, et = _modal_norms(
            EQUIP,
            "beschikbaarheid",
            AVAIL,
            eq_norms,
            [world[(c, t)].grids[EQUIP.name] for c in present],
            protective_high=True,
        )
        norms[t] = (ring_norm, eq_norm)
        ties |= {(t, RING.name, k) for k in rt} | {(t, EQUIP.name, k) for k in et}
    return norms, ties


def uniform_verdicts(
    world: Mapping[tuple[str, int], RegionWave],
    codes: Sequence[str],
    waves: Sequence[int],
    at: Sequence[int],
    ring_norms,
    eq_norms,
    judgements: Mapping[tuple[int, str, str, str], str] | None = None,
    weighing: Weighing | None = None,
) -> tuple[dict[tuple[int, str, str], str], set]:
    """Verdict of every region on every rule-based indicator in the waves ``at``.

    A deviation that takes a reason (docs/verdicts.md 5a) is substantiated only when every deviating cell has a
    reason with status geldig or aanvaard; ``plan_unexercised_unsubstantiated`` counts the characteristics
    without one. ``judgements``: the analyst's word per (wave, region, indicator, cell); ``weighing``: the
    register already weighed (else it is weighed here, over all ``waves``). Returns the verdicts keyed by
    (wave, region, indicator) and the (wave, module, key) cells of ``at`` where the national mode was a tie.
    """
    norms, all_ties = wave_norms(world, codes, waves, ring_norms, eq_norms)
    if weighing is None:
        weighing = weigh(world, codes, waves, norms, judgements)
    out: dict[tuple[int, str, str], str] = {}
    ties = {tie for tie in all_ties if tie[0] in at}
    for t in at:
        for c in codes:
            rw = world.get((c, t))
            if rw is None:
                for ind in UNIFORM_INDICATORS:
                    out[(t, c, ind)] = NO_DATA
                continue
            win = [world[(c, y)] for y in _window(t, waves) if (c, y) in world]
            exs = [e for w in win for e in w.rows[EXER.name]]
            lessons = [x for w in win for x in w.rows[LESSONS.name]]

            def weighed(ind: str) -> str:
                if not weighing.deviating[(t, c, ind)]:
                    return CONFORM
                return UNSUBSTANTIATED if weighing.unjustified(t, c, ind) else SUBSTANTIATED

            out[(t, c, I.EX_STRATEGIC)] = CONFORM if any(e["niveau"] == STRATEGIC for e in exs) else UNSUBSTANTIATED
            for ind in (I.EX_WITH_NCC, I.RING_EXERCISED, I.RING_CONFORMITY, I.EQUIPMENT_PARITY):
                out[(t, c, ind)] = weighed(ind)
            open_ = weighing.unjustified(t, c, I.PLAN_UNEXERCISED_UNSUBSTANTIATED)
            out[(t, c, I.PLAN_UNEXERCISED_UNSUBSTANTIATED)] = UNSUBSTANTIATED if open_ else CONFORM
            out[(t, c, I.RISK_SUBSTANTIATED)] = CONFORM if _risk_substantiated(rw) else UNSUBSTANTIATED
            out[(t, c, I.LESSONS_FROM_OTHERS)] = (
                CONFORM if any(x["bron"] == SRC_OTHER for x in lessons) else UNSUBSTANTIATED
            )
    return out, ties


def _proportion_z(r: np.ndarray, n: np.ndarray, i: int, trim: float = 0.1) -> tuple[float, float, float]:
    """z of unit i on the arcsine scale with winsorised phi and DerSimonian-Laird tau^2 (docs/method.md).
    Returns (z, pooled p, tau2)."""
    keep = n > 0
    p0 = float(r[keep].sum() / n[keep].sum())
    centre = math.asin(math.sqrt(p0))
    y = np.arcsin(np.sqrt(np.where(keep, r / np.where(keep, n, 1), 0)))
    s = 1 / (2 * np.sqrt(np.where(keep, n, 1)))
    z0 = ((y - centre) / s)[keep]
    m = z0.size
    g = int(math.floor(trim * m))
    zs = np.sort(z0)
    zw = np.clip(z0, zs[g], zs[m - 1 - g]) if m > 2 * g else z0
    phi = float(np.mean(zw**2))
    w = 1 / s[keep] ** 2
    tau2 = max(0.0, (m * phi - (m - 1)) / (w.sum() - (w**2).sum() / w.sum())) if m * phi > m - 1 else 0.0
    return float((y[i] - centre) / math.sqrt(s[i] ** 2 + tau2)), p0, tau2


def _statistical_counts(world, codes, waves, t, indicator) -> tuple[np.ndarray, np.ndarray]:
    r, n = [], []
    for c in codes:
        rw = world.get((c, t))
        if rw is None:
            r.append(0)
            n.append(0)
            continue
        exs, les = rw.rows[EXER.name], rw.rows[LESSONS.name]
        if indicator == I.EX_MULTIDISCIPLINARY_SHARE:
            r.append(sum(len(e["disciplines"]) >= 2 for e in exs))
            n.append(len(exs))
        elif indicator == I.EX_EVALUATED_SHARE:
            r.append(sum(bool(e["geevalueerd"]) for e in exs))
            n.append(len(exs))
        elif indicator == I.LESSONS_SHARED_SHARE:
            r.append(sum(x["gedeeld"] == SHARED_VK for x in les))
            n.append(len(les))
        elif indicator == I.LESSONS_FOLLOWED_UP_SHARE:
            r.append(sum(x["opvolging"] == FOLLOW_DONE for x in les))
            n.append(len(les))
        elif indicator == I.PLAN_COVERAGE:
            exercised = {
                ch
                for y in _window(t, waves)
                if (c, y) in world
                for e in world[(c, y)].rows[EXER.name]
                for ch in (e["beoefende_bijzonderheden"] or [])
            }
            in_plan = [ch for (ch,), v in rw.grids[PLAN.name].items() if v["in_plan"]]
            r.append(sum(ch in exercised for ch in in_plan))
            n.append(len(in_plan))
        else:
            raise AssertionError(indicator)
    return np.array(r, dtype=float), np.array(n, dtype=float)
