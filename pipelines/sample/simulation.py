"""The simulation: every region's returns, wave by wave, under the design's constraints.

Exercise counts are Poisson with a risk-driven mean times a lognormal region
factor (overdispersion); plans name characteristics that are not exercised;
ring-model and equipment variants converge slowly after 2020; lessons are
rarely shared via the virtual office. The design's ``forbid``/``require``
tokens, counts and attributes hold in every wave they name.

What it does not do: make the planting waves conform, apply the design's
overrides or set the final scores (:mod:`pipelines.sample.discipline`), nor
write files (:mod:`pipelines.sample.render`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.reference import Region
from pipelines.sample.helpers import _pick, _rng, _weights, _window, slug
from pipelines.sample.model import Design, RegionWave, _bases
from pipelines.sample.names import (
    ACCESS,
    AVAIL,
    CHARS,
    CORE_DISCIPLINES,
    EQUIP,
    EXER,
    FOLLOW_DONE,
    LESSONS,
    MASS_CHAR,
    META,
    METHOD_NONE,
    NCC_CHAR,
    PLAN,
    RING,
    RING_CHAR,
    RISK,
    SHARED_VK,
    SRC_EXERCISE,
    SRC_INCIDENT,
    SRC_NATIONAL,
    SRC_OTHER,
    STRATEGIC,
    TOK_NCC,
    TOK_OTHER,
    TOK_STRATEGIC,
    _char_tok,
)
from pipelines.sample.practice import converge, equipment_cell
from pipelines.sample.text import _LESSON_NOTES, _PLAN_NOTES, _RISK_NOTES, _fmt, _lesson_text, _person

#: Exercise frequency and large events dip during the pandemic.
_WAVE_EXERCISE_FACTOR = {2020: 0.55, 2021: 0.8}
_WAVE_EVENT_FACTOR = {2020: 0.1, 2021: 0.45}


def _ex_id(style: int, code: str, t: int, i: int) -> str:
    return [f"OEF-{t}-{i:02d}", f"{code}-{t}-{i}", f"TGB{t % 100:02d}.{i}", f"{t}/{i:03d}"][style]


def _les_id(style: int, t: int, i: int) -> str:
    return [f"L{t}-{i:02d}", f"LES-{i}", f"{t}-L{i:03d}"][style]


class _Sim:
    """Builds the world region by region, wave by wave, under the design's constraints."""

    def __init__(self, regions, design: Design, seed: int, ring_target, eq_target):
        self.regions = regions
        self.codes = [r.code for r in regions]
        self.names = {r.code: r.name for r in regions}
        self.d = design
        self.seed = seed
        self.ring_target = ring_target
        self.eq_target = eq_target
        self.bases = _bases(regions, seed)
        self.world: dict[tuple[str, int], RegionWave] = {}
        rng = _rng(0, "plan-adoption")
        self.adoption = {c: float(rng.uniform(0.35, 0.9)) for c in CHARS}
        self.adoption[RING_CHAR] = 0.85
        self.adoption[MASS_CHAR] = 0.9
        self.char_weight = {c: 1.0 for c in CHARS} | {RING_CHAR: 2.2, MASS_CHAR: 1.8}

    # -- exercises -----------------------------------------------------------------------------------

    def forbidden(self, code, t) -> set[str]:
        return self.d.forbid.get((code, t), set())

    def char_allowed(self, code, t, c) -> bool:
        allowed = self.d.allowed_chars.get((code, t))
        return _char_tok(c) not in self.forbidden(code, t) and (allowed is None or c in allowed)

    def new_exercise(self, rng, code, t, idx, in_plan: set[str], force: str | None = None) -> dict:
        b = self.bases[code]
        forb = self.forbidden(code, t)
        attr = self.d.ex_attr.get((code, t), {})
        niveaus = CATALOGUES["niveau"].codes
        nw = _weights("niveau", {STRATEGIC: 0.16}, 0.42)
        if TOK_STRATEGIC in forb:
            nw = [0 if c == STRATEGIC else w for c, w in zip(niveaus, nw)]
        niveau = STRATEGIC if force == TOK_STRATEGIC else str(_pick(rng, niveaus, nw))
        vorm = str(_pick(rng, CATALOGUES["vorm"].codes))
        scenario = str(_pick(rng, CATALOGUES["scenario"].codes))
        all_disc = CATALOGUES["discipline_oefening"].codes
        if attr.get("mono") or rng.random() > 0.78:
            disciplines = [str(_pick(rng, CORE_DISCIPLINES))]
        else:
            k = int(rng.integers(2, 6))
            w = np.array([3.0 if c in CORE_DISCIPLINES else 1.0 for c in all_disc])
            chosen = rng.choice(len(all_disc), size=min(k, len(all_disc)), replace=False, p=w / w.sum())
            disciplines = [all_disc[i] for i in sorted(chosen)]
        p_ncc = 0.4 if niveau == STRATEGIC else 0.08
        ncc = TOK_NCC not in forb and (force == TOK_NCC or rng.random() < p_ncc)
        pool = [c for c in CHARS if self.char_allowed(code, t, c)]
        chars: list[str] = []
        if pool and rng.random() > 0.05:
            w = np.array([self.char_weight[c] * (3.0 if c in in_plan else 1.0) for c in pool])
            k = min(len(pool), int(rng.integers(1, 5)))
            chosen = rng.choice(len(pool), size=k, replace=False, p=w / w.sum())
            chars = [pool[i] for i in sorted(chosen)]
        if force and force.startswith("char:") and force[5:] not in chars:
            chars = sorted(chars + [force[5:]], key=CHARS.index)
        if ncc and NCC_CHAR not in chars and self.char_allowed(code, t, NCC_CHAR) and rng.random() < 0.6:
            chars = sorted(chars + [NCC_CHAR], key=CHARS.index)
        day = dt.date(t, 1, 10) + dt.timedelta(days=int(rng.integers(0, 324)))
        return {
            "oefening_id": _ex_id(b.id_style, code, t, idx),
            "datum": day,
            "niveau": niveau,
            "vorm": vorm,
            "scenario": scenario,
            "disciplines": disciplines,
            "met_nationale_crisisorganisatie": bool(ncc),
            "met_andere_regio": bool(rng.random() < 0.22),
            "beoefende_bijzonderheden": chars,
            "geevalueerd": bool(attr["geevalueerd"]) if "geevalueerd" in attr else bool(rng.random() < 0.83),
            "deelnemers": int(max(2, round(rng.lognormal(math.log(35), 0.75)))),
        }

    @staticmethod
    def carries(item: dict, token: str) -> bool:
        if token == TOK_STRATEGIC:
            return item.get("niveau") == STRATEGIC
        if token == TOK_NCC:
            return bool(item.get("met_nationale_crisisorganisatie"))
        if token == TOK_OTHER:
            return item.get("bron") == SRC_OTHER
        if token.startswith("char:"):
            return token[5:] in (item.get("beoefende_bijzonderheden") or [])
        raise AssertionError(token)

    @staticmethod
    def give(ex: dict, token: str) -> None:
        if token == TOK_STRATEGIC:
            ex["niveau"] = STRATEGIC
        elif token == TOK_NCC:
            ex["met_nationale_crisisorganisatie"] = True
        elif token.startswith("char:"):
            ex["beoefende_bijzonderheden"] = sorted(set(ex["beoefende_bijzonderheden"]) | {token[5:]}, key=CHARS.index)
        else:
            raise AssertionError(token)

    def can_carry(self, code, t, token) -> bool:
        if token.startswith("char:"):
            return self.char_allowed(code, t, token[5:])
        return token not in self.forbidden(code, t)

    def ensure_exercise_token(self, rng, code, years: list[int], token: str) -> bool:
        """Give one exercise in ``years`` (latest first) the token, or add an exercise that has it."""
        years = [y for y in sorted(years, reverse=True) if (code, y) in self.world and self.can_carry(code, y, token)]
        for y in years:
            exs = self.world[(code, y)].rows[EXER.name]
            if exs:
                self.give(exs[int(rng.integers(len(exs)))], token)
                return True
        for y in years:
            if self.d.count.get((code, y), ("min", 0))[0] == "exact":
                continue
            rw = self.world[(code, y)]
            exs = rw.rows[EXER.name]
            in_plan = {c for (c,), v in rw.grids[PLAN.name].items() if v["in_plan"]}
            exs.append(self.new_exercise(rng, code, y, len(exs) + 1, in_plan, force=token))
            return True
        return False

    # -- lessons ------------------------------------------------------------------------------------

    def new_lesson(self, rng, code, t, idx, exercises, force: str | None = None) -> dict:
        b = self.bases[code]
        forb = self.forbidden(code, t)
        attr = self.d.lesson_attr.get((code, t), {})
        sources = CATALOGUES["bron"].codes
        w = _weights(
            "bron",
            {
                SRC_EXERCISE: 0.55 if exercises else 0.0,
                SRC_OTHER: 0.2 if len(self.codes) > 1 else 0.0,
                SRC_INCIDENT: 0.08,
                SRC_NATIONAL: 0.17,
            },
            0.05,
        )
        if TOK_OTHER in forb:
            w = [0 if s == SRC_OTHER else x for s, x in zip(sources, w)]
        src = SRC_OTHER if force == TOK_OTHER else str(_pick(rng, sources, w))
        lesson = {
            "les_id": _les_id(b.lesson_style, t, idx),
            "bron": src,
            "bron_oefening_id": None,
            "overgenomen_van": None,
        }
        char = str(_pick(rng, CHARS))
        if src == SRC_EXERCISE:
            ex = exercises[int(rng.integers(len(exercises)))]
            lesson["bron_oefening_id"] = ex["oefening_id"]
            if ex["beoefende_bijzonderheden"]:
                char = str(_pick(rng, ex["beoefende_bijzonderheden"]))
        lesson["bijzonderheid"] = char
        self.describe_lesson(rng, code, t, lesson)
        gedeeld = CATALOGUES["gedeeld"].codes
        others = [g for g in gedeeld if g != SHARED_VK]
        ow = _weights("gedeeld", {SHARED_VK: 0.0}, 1.0)
        ow = [x for g, x in zip(gedeeld, ow) if g != SHARED_VK]
        mode = attr.get("gedeeld")
        if mode == "vk" or (mode is None and rng.random() < b.vk_share):
            lesson["gedeeld"] = SHARED_VK
        else:
            lesson["gedeeld"] = str(_pick(rng, others, ow))
        followups = CATALOGUES["opvolging"].codes
        not_done = [f for f in followups if f != FOLLOW_DONE]
        if attr.get("opvolging") != "not_done" and rng.random() < 0.5:
            lesson["opvolging"] = FOLLOW_DONE
        else:
            lesson["opvolging"] = str(
                _pick(rng, not_done, [0.5, 0.3, 0.2][: len(not_done)] if len(not_done) == 3 else None)
            )
        return lesson

    def describe_lesson(self, rng, code, t, lesson) -> None:
        label = CATALOGUES["bijzonderheid"].label(lesson["bijzonderheid"])
        src = lesson["bron"]
        if src == SRC_OTHER:
            other = self.codes[int(rng.integers(len(self.codes) - 1))]
            if other == code:
                other = self.codes[-1]
            lesson["overgenomen_van"] = other
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["other"], label=label, other=self.names[other])
        elif src == SRC_NATIONAL:
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["national"], label=label)
        elif src == SRC_INCIDENT:
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["incident"], label=label, year=t)
        else:
            lesson["omschrijving"] = _lesson_text(rng, label)

    def ensure_lesson_from_other(self, rng, code, years: list[int]) -> bool:
        if len(self.codes) < 2:
            return False
        years = [
            y
            for y in sorted(years, reverse=True)
            if (code, y) in self.world and TOK_OTHER not in self.forbidden(code, y)
        ]
        for y in years:
            for les in self.world[(code, y)].rows[LESSONS.name]:
                if les["bron"] in (SRC_NATIONAL, SRC_INCIDENT):
                    les["bron"] = SRC_OTHER
                    les["bron_oefening_id"] = None
                    self.describe_lesson(rng, code, y, les)
                    return True
        for y in years:
            rw = self.world[(code, y)]
            ls = rw.rows[LESSONS.name]
            ls.append(self.new_lesson(rng, code, y, len(ls) + 1, rw.rows[EXER.name], force=TOK_OTHER))
            return True
        return False

    # -- one region, all waves ----------------------------------------------------------------------

    def run(self) -> dict[tuple[str, int], RegionWave]:
        for r in self.regions:
            self.region(r)
        return self.world

    def region(self, r: Region) -> None:
        """All waves of one region; what a region carries from wave to wave is kept here."""
        b = self.bases[r.code]
        waves = self.d.waves
        first = waves[0]
        ring_dev: dict[tuple, tuple[str, str | None]] = {}
        eq_dev: dict[tuple, tuple[str, str | None]] = {}
        in_plan: set[str] = set()
        substantiated: dict[str, tuple[str, int | None]] = {}
        until: dict[tuple[str, tuple], int | None] = {}
        person = b.person
        method = b.method
        for t in waves:
            rng = _rng(self.seed, "wave", r.code, t)
            # --- respondent (personal data; meta only)
            if t != first and rng.random() < 0.15:
                person = _person(rng)
            # --- risk basis and assessment (kans/impact are set after the discipline pass)
            if t != first and rng.random() < 0.12:
                method = str(_pick(rng, [m for m in CATALOGUES["methode"].codes if m != METHOD_NONE]))
            risk = self.risk_row(rng, r, t, first, method)
            # --- plan: characteristics join and never leave
            for c in CHARS:
                p_join = self.adoption[c] if t == first else 0.3
                if c not in in_plan and rng.random() < p_join:
                    in_plan.add(c)
            exercises = self.exercises(rng, r, t, risk, in_plan)
            self.world[(r.code, t)] = rw = RegionWave(
                r.code, t, {META.name: [], RISK.name: [risk], EXER.name: exercises, LESSONS.name: []}, {}
            )
            rw.grids[PLAN.name] = {}
            for token in sorted(self.d.require.get((r.code, t), ())):
                if token == TOK_OTHER:
                    continue
                if not any(self.carries(e, token) for e in exercises):
                    self.ensure_exercise_token(rng, r.code, [t], token)
            # --- plan rows (after the exercises: substantiation follows what was not exercised)
            rw.grids[PLAN.name] = self.plan_rows(rng, r.code, t, in_plan, substantiated)
            # --- ring model and equipment: variants converge slowly after 2020
            ring_dev = converge(rng, t, first, ring_dev, RING, self.ring_target, ACCESS, 0.6, (1, 3), True)
            eq_dev = converge(rng, t, first, eq_dev, EQUIP, self.eq_target, AVAIL, 0.7, (3, 12), False)
            for module, dev in ((RING, ring_dev), (EQUIP, eq_dev)):
                for k, (_, note) in dev.items():
                    if note and (module.name, k) not in until:  # a note is written once and kept with its year
                        until[(module.name, k)] = self.valid_until(r.code, t, module.name, *k)
            rw.grids[RING.name] = {}
            for k, v in self.ring_target.items():
                access, note = ring_dev.get(k, (v, None))
                rw.grids[RING.name][k] = {
                    "toegang": access,
                    "afwijking_toelichting": note,
                    "geldig_tot": until.get((RING.name, k)) if note else None,
                }
            rw.grids[EQUIP.name] = {}
            for k, v in self.eq_target.items():
                level, note = eq_dev.get(k, (v, None))
                rw.grids[EQUIP.name][k] = equipment_cell(rng, r, level, note, until.get((EQUIP.name, k)))
            # --- lessons
            n_les = int(rng.poisson(1.0 + 1.4 * len(exercises)))
            n_les = max(n_les, self.d.lesson_min.get((r.code, t), 0), 2)
            rw.rows[LESSONS.name] = [self.new_lesson(rng, r.code, t, i + 1, exercises) for i in range(n_les)]
            if TOK_OTHER in self.d.require.get((r.code, t), ()) and not any(
                les["bron"] == SRC_OTHER for les in rw.rows[LESSONS.name]
            ):
                self.ensure_lesson_from_other(rng, r.code, [t])
            # --- meta
            done = dt.date(t, 12, 1) + dt.timedelta(days=int(rng.integers(0, 20)))
            rw.rows[META.name] = [
                {
                    "ingevuld_door": person["name"],
                    "email": f"{person['local']}@{slug(r.name)}.vr.example",
                    "functie": person["role"] if rng.random() < 0.9 else None,
                    "datum_ingevuld": done,
                }
            ]

    def risk_row(self, rng, r: Region, t: int, first: int, method: str) -> dict:
        """The risk module's row: basis (objects, events) and substantiation; the scores come later."""
        b = self.bases[r.code]
        hro = max(0, b.hro + int(rng.integers(-1, 2)) + max(0, (t - 2019) // 3))
        events = max(0, int(round(b.events * _WAVE_EVENT_FACTOR.get(t, 1.0) * rng.lognormal(0, 0.1))))
        p_subst = min(0.97, 0.72 + 0.05 * (t - 2019)) if method != METHOD_NONE else 0.25
        p_adopt = min(0.97, 0.66 + 0.06 * (t - 2019))
        adopted = bool(rng.random() < p_adopt)
        risk = {
            "methode": method,
            "kans_score": None,
            "impact_score": None,
            "extra_voorbereiding": None,
            "onderbouwing_aanwezig": bool(rng.random() < p_subst),
            "bestuurlijk_vastgesteld": adopted,
            "datum_vastgesteld": dt.date(t, 3, 1) + dt.timedelta(days=int(rng.integers(0, 240))) if adopted else None,
            "hoogrisico_objecten": hro,
            "grootschalige_evenementen": events,
            "toelichting": None,
        }
        if t == first or rng.random() < 0.8:
            note = _fmt(rng, _RISK_NOTES, n_obj=hro)
            risk["toelichting"] = f"Regionaal risicoprofiel {r.name} {t}. {note}"
        return risk

    def exercises(self, rng, r: Region, t: int, risk: dict, in_plan: set[str]) -> list[dict]:
        """The wave's exercises, dated and numbered in date order; the design's count holds."""
        b = self.bases[r.code]
        hro, events = risk["hoogrisico_objecten"], risk["grootschalige_evenementen"]
        mu = (
            4.0
            * b.u_ex
            * _WAVE_EXERCISE_FACTOR.get(t, 1.0 + 0.03 * max(0, t - 2022))
            * math.exp(
                0.6 * math.log(r.population / 6e5)
                + 0.15 * (math.log1p(hro) - math.log1p(9))
                + 0.10 * (math.log1p(events) - math.log1p(8))
            )
        )
        n = int(rng.poisson(mu))
        kind, m = self.d.count.get((r.code, t), ("min", 0))
        n = m if kind == "exact" else max(n, m)
        if kind != "exact":
            n = max(n, 1)  # a survey-tool export has no way to say "none": no rows reads as "not sent"
        exercises = [self.new_exercise(rng, r.code, t, i + 1, in_plan) for i in range(n)]
        exercises.sort(key=lambda e: e["datum"])
        for i, ex in enumerate(exercises):
            ex["oefening_id"] = _ex_id(b.id_style, r.code, t, i + 1)
        return exercises

    def plan_rows(
        self, rng, code: str, t: int, in_plan: set[str], substantiated: dict[str, tuple[str, int | None]]
    ) -> dict:
        """The plan grid; a characteristic in the plan and not exercised may get a substantiation that stays
        (text and ``geldig_tot`` alike)."""
        exercised = self.exercised(code, _window(t, self.d.waves))
        plan = {}
        for c in CHARS:
            if c in in_plan and c not in exercised and c not in substantiated and rng.random() < 0.3:
                text = _fmt(rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(c), prev=t - 1, next=t + 1)
                substantiated[c] = (text, self.valid_until(code, t, PLAN.name, c))
            niet = None
            if c in substantiated and c in in_plan:
                niet = True
            elif c in in_plan and rng.random() < 0.4:
                niet = False
            given: tuple[str | None, int | None] = substantiated[c] if niet else (None, None)
            plan[(c,)] = {
                "in_plan": c in in_plan,
                "niet_beoefenen_onderbouwd": niet,
                "onderbouwing": given[0],
                "geldig_tot": given[1],
            }
        return plan

    def valid_until(self, code: str, t: int, *cell) -> int | None:
        """The year a reason written in wave ``t`` holds until, for about one reason in four (else none).

        Its own stream per cell, so that whether a region dates its reasons moves no other draw."""
        rng = _rng(self.seed, "geldig_tot", code, t, *cell)
        return t + int(rng.integers(1, 4)) if rng.random() < 0.25 else None

    def exercised(self, code: str, years: Iterable[int]) -> set[str]:
        out: set[str] = set()
        for y in years:
            rw = self.world.get((code, y))
            if rw is not None:
                for e in rw.rows[EXER.name]:
                    out.update(e["beoefende_bijzonderheden"] or [])
        return out
