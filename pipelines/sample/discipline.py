"""After the simulation: discipline in the planting waves, the design's overrides, the shares and the scores.

In the planting waves (the last three) every region is made conform on every
rule-based indicator unless a plant says otherwise, so that the ground truth of
those (wave, indicator) pairs is complete: conform or planted, nothing
accidental. Then the design's explicit overrides of single cells are applied,
the national-proportion shares are shaped, and the self-assessed scores set.
Nothing here checks the result; :mod:`pipelines.sample.truth` does.
"""

from __future__ import annotations

import datetime as dt
import math

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.reasons import RULES, VALID
from pipelines.sample.helpers import _code_at, _level, _pick, _rng, _window
from pipelines.sample.names import (
    AVAIL,
    CHARS,
    CORE_DISCIPLINES,
    EQUIP,
    EXER,
    FOLLOW_DONE,
    LESSONS,
    METHOD_EXPERT,
    METHOD_NCTV,
    METHOD_NONE,
    METHOD_PROFILE,
    NO,
    PARTLY,
    PLAN,
    RING,
    RING_CHAR,
    RISK,
    SHARED_VK,
    SRC_OTHER,
    TOK_NCC,
    TOK_STRATEGIC,
    YES,
    _char_tok,
)
from pipelines.sample.practice import equipment_cell
from pipelines.sample.simulation import _Sim
from pipelines.sample.text import _PLAN_NOTES, _fmt
from pipelines.sample.weighing import deviation_in_row, rule_status

#: The method of assessment drives the self-assessed probability (more than the risk basis does).
_METHOD_EFFECT = {METHOD_NCTV: 1.2, METHOD_PROFILE: 0.2, METHOD_EXPERT: -0.9, METHOD_NONE: -0.3}


def _discipline(sim: _Sim) -> None:
    """Plan locks, conformity and repair in the planting waves, then the design's overrides of single waves."""
    d, world = sim.d, sim.world
    # plan locks hold in every wave they name
    for (code, t), plan_cells in d.plan_lock.items():
        rw = world.get((code, t))
        if rw is not None:
            for c, vals in plan_cells.items():
                rw.grids[PLAN.name][(c,)] = dict(vals)
    for t in d.planting:
        _conform(sim, t)
        _repair_windows(sim, t)
    # explicit overrides of single waves
    for (code, t), vals in d.risk_override.items():
        if (code, t) in world:
            world[(code, t)].rows[RISK.name][0].update(vals)
    for (code, t), cells in d.ring_override.items():
        if (code, t) in world:
            for k, (val, note, until) in cells.items():
                world[(code, t)].grids[RING.name][k] = {
                    "toegang": val,
                    "afwijking_toelichting": note,
                    "geldig_tot": until,
                }
    for (code, t), cells in d.equip_override.items():
        if (code, t) in world:
            rng = _rng(sim.seed, "equip-override", code, t)
            for k, (val, note, until) in cells.items():
                world[(code, t)].grids[EQUIP.name][k] = equipment_cell(rng, sim.bases[code].region, val, note, until)


def _conform(sim: _Sim, t: int) -> None:
    """Wave ``t``: a substantiated, adopted risk assessment, and the ring model and equipment at the norm."""
    d, world = sim.d, sim.world
    methods_ok = [m for m in CATALOGUES["methode"].codes if m != METHOD_NONE]
    for code in sim.codes:
        rw = world.get((code, t))
        if rw is None:
            continue
        rng = _rng(sim.seed, "discipline", code, t)
        risk = rw.rows[RISK.name][0]
        if risk["methode"] == METHOD_NONE:
            risk["methode"] = str(_pick(rng, methods_ok))
        risk["onderbouwing_aanwezig"] = True
        if not risk["bestuurlijk_vastgesteld"]:
            risk["bestuurlijk_vastgesteld"] = True
            risk["datum_vastgesteld"] = dt.date(t, 3, 1) + dt.timedelta(days=int(rng.integers(0, 240)))
        for k, v in sim.ring_target.items():
            rw.grids[RING.name][k] = {"toegang": v, "afwijking_toelichting": None, "geldig_tot": None}
        above = d.equip_above.get((code, t), set())
        for k, v in sim.eq_target.items():
            cell = rw.grids[EQUIP.name][k]
            level = _code_at(AVAIL, _level(AVAIL, v) + 1) if k in above else v
            if cell["beschikbaarheid"] != level or cell["afwijking_toelichting"]:
                rw.grids[EQUIP.name][k] = equipment_cell(rng, sim.bases[code].region, level, None)


def _repair_windows(sim: _Sim, t: int) -> None:
    """Window indicators of wave ``t``: repair what no plant asks for (plants forbid the repair where they apply).

    A characteristic in the plan and not exercised is exercised, or substantiated as not to be exercised; a
    substantiation counts only while its deviation is at most ``max_waves_in_row`` waves old and its
    ``geldig_tot`` has not passed (docs/verdicts.md 5a), so one that would not count, kept from earlier waves
    or new, is replaced by an exercise. Locked cells are the plants' and left alone."""
    d, world = sim.d, sim.world
    for code in sim.codes:
        if (code, t) not in world:
            continue
        rng = _rng(sim.seed, "repair", code, t)
        win = _window(t, d.waves)
        exs = [e for y in win if (code, y) in world for e in world[(code, y)].rows[EXER.name]]
        for token in (TOK_STRATEGIC, TOK_NCC, _char_tok(RING_CHAR)):
            if not any(sim.carries(e, token) for e in exs):
                sim.ensure_exercise_token(rng, code, win, token)
        lessons = [x for y in win if (code, y) in world for x in world[(code, y)].rows[LESSONS.name]]
        if not any(x["bron"] == SRC_OTHER for x in lessons):
            sim.ensure_lesson_from_other(rng, code, win)
        plan = world[(code, t)].grids[PLAN.name]
        locked = d.plan_lock.get((code, t), {})
        for c in CHARS:
            cell = plan[(c,)]
            if not cell["in_plan"] or c in sim.exercised(code, win):
                continue
            is_locked = c in locked  # a locked cell is never substantiated by the repair
            if cell["niet_beoefenen_onderbouwd"] is True:
                if not is_locked and not _counts(sim, code, t, c, cell.get("geldig_tot")):
                    sim.ensure_exercise_token(rng, code, win, _char_tok(c))
                continue
            fixed = (is_locked or rng.random() < 0.75) and sim.ensure_exercise_token(rng, code, win, _char_tok(c))
            if fixed or is_locked:
                continue
            until = sim.valid_until(code, t, PLAN.name, c)
            if not _counts(sim, code, t, c, until):
                sim.ensure_exercise_token(rng, code, win, _char_tok(c))
                continue
            cell["niet_beoefenen_onderbouwd"] = True
            cell["onderbouwing"] = _fmt(
                rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(c), prev=t - 1, next=t + 1
            )
            cell["geldig_tot"] = until


def _counts(sim: _Sim, code: str, t: int, char: str, until: int | None) -> bool:
    """Whether a reason for the unexercised ``char`` would count in wave ``t`` by the rules alone."""
    in_row = deviation_in_row(sim.world, code, t, sim.d.waves, char)
    return rule_status(t, until, in_row, RULES["max_waves_in_row"])[0] == VALID


def _shape_shares(sim: _Sim) -> None:
    """The shares behind the national-proportion indicators: each region's count is its own share of the items,
    randomly rounded (less noise than independent draws), so that planted extremes stand out from a background
    whose spread the funnel explains. Plants that fix an attribute are left alone."""
    others_vk = [g for g in CATALOGUES["gedeeld"].codes if g != SHARED_VK]
    not_done = [f for f in CATALOGUES["opvolging"].codes if f != FOLLOW_DONE]
    all_disc = CATALOGUES["discipline_oefening"].codes
    for (code, t), rw in sim.world.items():
        rng = _rng(sim.seed, "shares", code, t)
        b = sim.bases[code]
        ex_attr = sim.d.ex_attr.get((code, t), {})
        les_attr = sim.d.lesson_attr.get((code, t), {})

        def chosen(items, share):
            k = int(math.floor(len(items) * share + rng.random()))
            idx = set(rng.permutation(len(items))[:k].tolist())
            return [i in idx for i in range(len(items))]

        exs = rw.rows[EXER.name]
        if "geevalueerd" not in ex_attr:
            for e, yes in zip(exs, chosen(exs, b.eval_share)):
                e["geevalueerd"] = yes
        if not ex_attr.get("mono"):
            for e, multi in zip(exs, chosen(exs, b.multi_share)):
                if multi and len(e["disciplines"]) < 2:
                    extra = [c for c in all_disc if c not in e["disciplines"]]
                    e["disciplines"] = sorted(e["disciplines"] + [str(_pick(rng, extra))], key=all_disc.index)
                elif not multi and len(e["disciplines"]) >= 2:
                    core = [c for c in e["disciplines"] if c in CORE_DISCIPLINES] or list(CORE_DISCIPLINES)
                    e["disciplines"] = [str(_pick(rng, core))]
        les = rw.rows[LESSONS.name]
        if "gedeeld" not in les_attr:
            for x, vk in zip(les, chosen(les, b.vk_share)):
                if vk:
                    x["gedeeld"] = SHARED_VK
                elif x["gedeeld"] == SHARED_VK:
                    x["gedeeld"] = str(_pick(rng, others_vk))
        if "opvolging" not in les_attr:
            for x, done in zip(les, chosen(les, b.follow_share)):
                if done:
                    x["opvolging"] = FOLLOW_DONE
                elif x["opvolging"] == FOLLOW_DONE:
                    x["opvolging"] = str(_pick(rng, not_done))


def _scores(sim: _Sim) -> None:
    """Self-assessed probability (driven by the method), impact (region-independent) and extra preparation."""
    for (code, t), rw in sim.world.items():
        rng = _rng(sim.seed, "scores", code, t)
        risk = rw.rows[RISK.name][0]
        b = sim.bases[code]
        latent = 2.5 + _METHOD_EFFECT.get(risk["methode"], 0.0) + 0.3 * b.risk_z + rng.normal(0, 0.45)
        kans = int(min(5, max(1, round(latent))))
        risk["kans_score"] = kans
        risk["impact_score"] = int(min(5, max(1, round(4.2 + rng.normal(0, 0.55)))))
        p = [0.6, 0.05, 0.35] if kans >= 4 else [0.25, 0.2, 0.55] if kans == 3 else [0.05, 0.6, 0.35]
        risk["extra_voorbereiding"] = str(_pick(rng, [YES, NO, PARTLY], p))
