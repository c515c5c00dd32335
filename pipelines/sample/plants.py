"""The planted deviations: what each plant does to the design, one function per mechanism.

A plant records the verdict the pipeline must reach (:class:`~pipelines.sample.model.Plant`)
and the constraints on the simulation that make the data say so: tokens an
exercise or lesson may not or must carry, forced counts or attributes, locked
plan cells, and overrides of risk, ring-model and equipment cells. Which region
gets which plant is decided in :mod:`pipelines.sample.design`; whether the data
then hold what was planted is checked in :mod:`pipelines.sample.truth`.
"""

from __future__ import annotations

from pipelines.contract import indicators as ids
from pipelines.contract.codebook import CATALOGUES
from pipelines.sample.helpers import _code_at, _level
from pipelines.sample.model import Design, Plant
from pipelines.sample.names import (
    ACCESS,
    AVAIL,
    CHARS,
    EQUIP,
    FAVOURABLE,
    MASS_CHAR,
    METHOD_NONE,
    NCC_CHAR,
    RING,
    RING_CHAR,
    SUBSTANTIATED,
    TOK_NCC,
    TOK_OTHER,
    TOK_STRATEGIC,
    UNSUBSTANTIATED,
    _char_tok,
)
from pipelines.sample.text import _EQUIP_NOTES, _PLAN_NOTES, _RING_NOTES, _fmt


class _Planter:
    """The design under construction, the waves it plants in and the cells a plant can move.

    ``L`` is the last wave; :meth:`yrs` counts back from it. Every note drawn here comes from the one
    design stream ``rng``, in the order the plants are made.
    """

    def __init__(self, d: Design, rng, ring_norms, ring_target, eq_norms, eq_target):
        self.d, self.rng = d, rng
        self.L = d.waves[-1]
        self.present = set(d.waves)
        self.ring_target, self.eq_target = ring_target, eq_target
        self.all_ring = RING.expected_grid()
        self.modal_ring = [k for k in self.all_ring if ring_norms[k].code is None]
        self.fixed_ring = [k for k in self.all_ring if ring_norms[k].code is not None]
        eq_keys = EQUIP.expected_grid()
        self.eq_fixed_below = [k for k in eq_keys if eq_norms[k].code is not None and _level(AVAIL, eq_target[k]) > 0]
        self.eq_modal_below = [k for k in eq_keys if eq_norms[k].code is None and _level(AVAIL, eq_target[k]) > 0]
        self.eq_modal_above = [
            k for k in eq_keys if eq_norms[k].code is None and _level(AVAIL, eq_target[k]) < len(AVAIL.codes) - 1
        ]

    # -- the design's tables ---------------------------------------------------------------------------

    def yrs(self, k0: int, k1: int) -> list[int]:
        """Years L-k0 .. L-k1 that are waves."""
        return [y for y in range(self.L - k0, self.L - k1 + 1) if y in self.present]

    def plant(self, region, indicator, verdict, waves_, note) -> None:
        ws = tuple(y for y in waves_ if y in self.d.planting)
        if ws:
            self.d.plants.append(Plant(region, indicator, verdict, ws, note))

    def forbid(self, region, years, *tokens) -> None:
        for y in years:
            self.d.add(self.d.forbid, (region, y), set(tokens))

    def require(self, region, years, *tokens) -> None:
        for y in years:
            self.d.add(self.d.require, (region, y), set(tokens))

    def lock(self, region, years, char, in_plan, niet, text) -> None:
        for y in years:
            self.d.add(
                self.d.plan_lock,
                (region, y),
                {char: {"in_plan": in_plan, "niet_beoefenen_onderbouwd": niet, "onderbouwing": text}},
            )

    def plan_text(self, char, y) -> str:
        return _fmt(self.rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(char), prev=y - 1, next=y + 1)

    # -- cells of the ring model and the equipment ------------------------------------------------------

    def ring_other(self, key, up_first=True) -> str:
        lvl = _level(ACCESS, self.ring_target[key])
        top = len(ACCESS.codes) - 1
        if up_first:
            return _code_at(ACCESS, lvl + 1 if lvl < top else lvl - 1)
        return _code_at(ACCESS, lvl - 1 if lvl > 0 else lvl + 1)

    def sample_cells(self, cells, n) -> list:
        idx = self.rng.permutation(len(cells))[:n]
        return [cells[i] for i in sorted(idx)]

    def below(self, key) -> str:
        return _code_at(AVAIL, _level(AVAIL, self.eq_target[key]) - 1)

    def above(self, key) -> str:
        return _code_at(AVAIL, _level(AVAIL, self.eq_target[key]) + 1)

    def ring_note(self, key, y) -> str:
        z, disc = key[RING.grid.index("zone")], key[RING.grid.index("discipline")]
        return _fmt(self.rng, _RING_NOTES, disc=disc, zone=z, prev=y - 2, year=y - 1)

    def equip_note(self, y) -> str:
        return _fmt(self.rng, _EQUIP_NOTES, year=y, next=y + 1)


# ---------------------------------------------------------------------------
# Statistical plants on the largest regions
# ---------------------------------------------------------------------------


def _plant_zero_exercises(p: _Planter, x1: str | None, x2: str | None) -> None:
    """A wave without exercises, planted only where the wave before exists, so the three-wave indicators of
    that region still have exercises to look at."""
    d, L = p.d, p.L
    if x1 and L - 1 in p.present:
        d.roles["ex_count niet (X1)"] = x1
        d.add(d.count, (x1, L), ("exact", 0))
        d.add(
            d.risk_override,
            (x1, L),
            {
                "methode": METHOD_NONE,
                "onderbouwing_aanwezig": False,
                "bestuurlijk_vastgesteld": False,
                "datum_vastgesteld": None,
            },
        )
        p.plant(
            x1,
            ids.EX_COUNT,
            UNSUBSTANTIATED,
            [L],
            "Largest region held 0 exercises and its risk assessment is not substantiated; O=0 with E>0 lies "
            "below every lower funnel limit on the log scale, also with overdispersion.",
        )
        p.plant(
            x1,
            ids.RISK_SUBSTANTIATED,
            UNSUBSTANTIATED,
            [L],
            "Risk assessment method 'geen', no written substantiation and not adopted by the board.",
        )
    if x2 and L - 2 in p.present:
        d.roles["ex_count onderbouwd (X2)"] = x2
        d.add(d.count, (x2, L - 1), ("exact", 0))
        p.plant(
            x2,
            ids.EX_COUNT,
            SUBSTANTIATED,
            [L - 1],
            "Second-largest region held 0 exercises (below every lower funnel limit); its risk assessment is "
            "substantiated, so the deviation counts as substantiated.",
        )


def _plant_extreme_shares(p: _Planter, x3, x4, x5, x6, x7) -> None:
    """Shares of 0 or 100 % on enough items to lie outside the funnel (``None``: that plant is left out)."""
    d, L = p.d, p.L
    if x3:
        d.roles[ids.EX_EVALUATED_SHARE] = x3
        d.add(d.count, (x3, L - 1), ("min", 9))
        d.add(d.ex_attr, (x3, L - 1), {"geevalueerd": False})
        p.plant(x3, ids.EX_EVALUATED_SHARE, UNSUBSTANTIATED, [L - 1], "None of {n} exercises evaluated.")
    if x4:
        d.roles[ids.EX_MULTIDISCIPLINARY_SHARE] = x4
        d.add(d.count, (x4, L), ("min", 9))
        d.add(d.ex_attr, (x4, L), {"mono": True})
        p.plant(x4, ids.EX_MULTIDISCIPLINARY_SHARE, UNSUBSTANTIATED, [L], "All {n} exercises monodisciplinary.")
    if x5:
        d.roles["lessons_shared_share low"] = x5
        d.add(d.lesson_min, (x5, L - 2), 18)
        d.add(d.lesson_attr, (x5, L - 2), {"gedeeld": "not_vk"})
        p.plant(
            x5, ids.LESSONS_SHARED_SHARE, UNSUBSTANTIATED, [L - 2], "None of {n} lessons shared via the virtual office."
        )
    if x6:
        d.roles["lessons_shared_share high"] = x6
        d.add(d.lesson_min, (x6, L), 15)
        d.add(d.lesson_attr, (x6, L), {"gedeeld": "vk"})
        p.plant(x6, ids.LESSONS_SHARED_SHARE, FAVOURABLE, [L], "All {n} lessons shared via the virtual office.")
    if x7:
        d.roles[ids.LESSONS_FOLLOWED_UP_SHARE] = x7
        d.add(d.lesson_min, (x7, L - 1), 14)
        d.add(d.lesson_attr, (x7, L - 1), {"opvolging": "not_done"})
        p.plant(
            x7,
            ids.LESSONS_FOLLOWED_UP_SHARE,
            UNSUBSTANTIATED,
            [L - 1],
            "None of {n} lessons followed up (opvolging uitgevoerd).",
        )


def _plant_coverage(p: _Planter, x8: str) -> None:
    """One region exercises only two characteristics and substantiates the rest as not to be exercised."""
    d, L = p.d, p.L
    d.roles[ids.PLAN_COVERAGE] = x8
    keep = (RING_CHAR,)
    for y in p.yrs(2, 0):
        d.allowed_chars[(x8, y)] = keep
    p.require(x8, [L], *(_char_tok(c) for c in keep))
    for c in CHARS:
        if c in keep:  # exercised, but the plan does not name it
            p.lock(x8, [L], c, False, None, None)
        else:
            p.lock(x8, [L], c, True, True, p.plan_text(c, L))
    p.plant(
        x8,
        ids.PLAN_COVERAGE,
        UNSUBSTANTIATED,
        [L],
        "{num} of the {den} characteristics in the plan exercised in the last three waves: all substantiated "
        "as not to be exercised, which this share does not count; only the ring model (not in the plan) "
        "was exercised.",
    )


# ---------------------------------------------------------------------------
# Rule-based plants: one group per region
# ---------------------------------------------------------------------------


def _g_strategic(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(4, 0), TOK_STRATEGIC)
    p.plant(r, ids.EX_STRATEGIC, UNSUBSTANTIATED, p.yrs(2, 0), f"No strategic-level exercise in {p.L - 4}-{p.L}.")


def _g_ncc_niet(p: _Planter, r: str) -> None:
    L = p.L
    p.forbid(r, p.yrs(2, 0), TOK_NCC)
    p.require(r, p.yrs(3, 3), TOK_NCC)
    p.require(r, [L], _char_tok(NCC_CHAR))
    p.lock(r, p.yrs(2, 0), NCC_CHAR, True, False, None)
    p.plant(
        r,
        ids.EX_WITH_NCC,
        UNSUBSTANTIATED,
        [L],
        f"Last exercise with the national crisis organisation in {L - 3}; nationale_opschaling is exercised "
        "regionally but not substantiated as not to be exercised with the NCC.",
    )


def _g_ncc_onderbouwd(p: _Planter, r: str) -> None:
    L = p.L
    p.forbid(r, p.yrs(4, 0), TOK_NCC, _char_tok(NCC_CHAR))
    for y in p.yrs(4, 0):
        p.lock(r, [y], NCC_CHAR, True, True, p.plan_text(NCC_CHAR, y))
    p.plant(
        r,
        ids.EX_WITH_NCC,
        SUBSTANTIATED,
        p.yrs(2, 0),
        f"No exercise with the national crisis organisation in {L - 4}-{L}; the plan substantiates not "
        "exercising nationale_opschaling.",
    )


def _g_ring_niet(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(3, 0), _char_tok(RING_CHAR))
    p.require(r, p.yrs(4, 4), _char_tok(RING_CHAR))
    for y in p.yrs(3, 0):
        p.lock(r, [y], RING_CHAR, False, None, None)
    p.plant(
        r,
        ids.RING_EXERCISED,
        UNSUBSTANTIATED,
        p.yrs(1, 0),
        f"Ring model last exercised in {p.L - 4}; the plan leaves it out and gives no substantiation.",
    )


def _g_ring_onderbouwd(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(4, 0), _char_tok(RING_CHAR))
    for y in p.yrs(4, 0):
        p.lock(r, [y], RING_CHAR, True, True, p.plan_text(RING_CHAR, y))
    p.plant(
        r,
        ids.RING_EXERCISED,
        SUBSTANTIATED,
        p.yrs(2, 0),
        f"Ring model not exercised in {p.L - 4}-{p.L}; the plan substantiates not exercising it.",
    )


def _g_ring_conf_niet(p: _Planter, r: str) -> None:
    key = (p.modal_ring or p.all_ring)[0]
    val = p.ring_other(key)
    for y in p.yrs(1, 0):
        p.d.add(p.d.ring_override, (r, y), {key: (val, None)})
    p.plant(
        r,
        ids.RING_CONFORMITY,
        UNSUBSTANTIATED,
        p.yrs(1, 0),
        f"Ring cell {'/'.join(key)} set to {val} (national mode {p.ring_target[key]}) without afwijking_toelichting.",
    )


def _g_ring_conf_fixed(p: _Planter, r: str) -> None:
    key = (p.fixed_ring or p.all_ring)[0]
    val = p.ring_other(key)
    p.d.add(p.d.ring_override, (r, p.L - 2), {key: (val, None)})
    p.plant(
        r,
        ids.RING_CONFORMITY,
        UNSUBSTANTIATED,
        [p.L - 2],
        f"Ring cell {'/'.join(key)} set to {val} against the fixed norm {p.ring_target[key]}, without "
        "afwijking_toelichting.",
    )


def _g_ring_conf_onderbouwd(p: _Planter, r: str) -> None:
    keys = [(p.modal_ring or p.all_ring)[-1], (p.fixed_ring or p.all_ring)[-1]]
    for y in p.yrs(2, 0):
        p.d.add(p.d.ring_override, (r, y), {k: (p.ring_other(k, up_first=False), p.ring_note(k, y)) for k in keys})
    p.plant(
        r,
        ids.RING_CONFORMITY,
        SUBSTANTIATED,
        p.yrs(2, 0),
        "Two ring cells deviate from the norm, each with afwijking_toelichting.",
    )


def _g_ring_conf_mixed(p: _Planter, r: str) -> None:
    keys = [p.all_ring[1], p.all_ring[len(p.all_ring) // 2]]
    p.d.add(
        p.d.ring_override,
        (r, p.L),
        {keys[0]: (p.ring_other(keys[0]), p.ring_note(keys[0], p.L)), keys[1]: (p.ring_other(keys[1]), None)},
    )
    p.plant(
        r,
        ids.RING_CONFORMITY,
        UNSUBSTANTIATED,
        [p.L],
        "Two ring cells deviate; only one has afwijking_toelichting, so the deviation is not substantiated.",
    )


def _g_equip_niet(p: _Planter, r: str) -> None:
    cells = p.eq_fixed_below[:1] + p.sample_cells(p.eq_modal_below, 3 - len(p.eq_fixed_below[:1]))
    for y in p.yrs(1, 0):
        p.d.add(p.d.equip_override, (r, y), {k: (p.below(k), None) for k in cells})
    p.plant(
        r,
        ids.EQUIPMENT_PARITY,
        UNSUBSTANTIATED,
        p.yrs(1, 0),
        f"{len(cells)} role x item cells below the norm (incl. a fixed-norm cell) without afwijking_toelichting.",
    )


def _g_equip_mixed(p: _Planter, r: str) -> None:
    cells = p.sample_cells(p.eq_modal_below, 2)
    p.d.add(
        p.d.equip_override,
        (r, p.L),
        {cells[0]: (p.below(cells[0]), p.equip_note(p.L)), cells[1]: (p.below(cells[1]), None)},
    )
    p.plant(
        r, ids.EQUIPMENT_PARITY, UNSUBSTANTIATED, [p.L], "Two cells below the norm; only one has afwijking_toelichting."
    )


def _g_equip_onderbouwd(p: _Planter, r: str) -> None:
    cells = p.sample_cells(p.eq_modal_below, 4)
    up = [k for k in p.eq_modal_above if k not in cells][:1]
    for y in p.yrs(2, 0):
        p.d.add(
            p.d.equip_override,
            (r, y),
            {k: (p.below(k), p.equip_note(y)) for k in cells} | {k: (p.above(k), None) for k in up},
        )
    p.plant(
        r,
        ids.EQUIPMENT_PARITY,
        SUBSTANTIATED,
        p.yrs(2, 0),
        "Four cells below the norm, each with afwijking_toelichting; one cell above the norm without a note "
        "(above is not flagged).",
    )


def _g_risk_nosubst(p: _Planter, r: str) -> None:
    p.d.add(p.d.risk_override, (r, p.L - 1), {"onderbouwing_aanwezig": False})
    p.plant(
        r,
        ids.RISK_SUBSTANTIATED,
        UNSUBSTANTIATED,
        [p.L - 1],
        "Risk assessment has no written substantiation (onderbouwing_aanwezig = nee).",
    )


def _g_risk_notadopted(p: _Planter, r: str) -> None:
    for y in p.yrs(2, 1):
        p.d.add(p.d.risk_override, (r, y), {"bestuurlijk_vastgesteld": False, "datum_vastgesteld": None})
    p.plant(
        r,
        ids.RISK_SUBSTANTIATED,
        UNSUBSTANTIATED,
        p.yrs(2, 1),
        "Risk assessment not adopted by the board (bestuurlijk_vastgesteld = nee).",
    )


#: Characteristics a plan plant may use (not those other plants or the repair rely on).
_SPARE = [c for c in CHARS if c not in (RING_CHAR, NCC_CHAR, MASS_CHAR)]


def _g_plan_two(p: _Planter, r: str) -> None:
    chars = sorted(p.rng.choice(len(_SPARE), 2, replace=False))
    chars = [_SPARE[i] for i in chars]
    p.forbid(r, p.yrs(4, 0), *(_char_tok(c) for c in chars))
    for c in chars:
        p.lock(r, p.yrs(2, 0), c, True, None, None)
    p.plant(
        r,
        ids.PLAN_UNEXERCISED_UNSUBSTANTIATED,
        UNSUBSTANTIATED,
        p.yrs(2, 0),
        f"{chars[0]} and {chars[1]} in the plan, not exercised in {p.L - 4}-{p.L}, no substantiation.",
    )


def _g_plan_one(p: _Planter, r: str) -> None:
    L = p.L
    c = _SPARE[int(p.rng.integers(len(_SPARE)))]
    p.forbid(r, p.yrs(2, 0), _char_tok(c))
    p.require(r, p.yrs(3, 3), _char_tok(c))
    p.lock(r, [L], c, True, False, None)
    p.plant(
        r,
        ids.PLAN_UNEXERCISED_UNSUBSTANTIATED,
        UNSUBSTANTIATED,
        [L],
        f"{c} in the plan, last exercised in {L - 3}, not substantiated (niet_beoefenen_onderbouwd = nee).",
    )


def _g_lessons_none(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(4, 0), TOK_OTHER)
    p.plant(
        r,
        ids.LESSONS_FROM_OTHERS,
        UNSUBSTANTIATED,
        p.yrs(2, 0),
        f"No lesson taken over from another region in {p.L - 4}-{p.L}.",
    )


def _g_lessons_recent(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(2, 0), TOK_OTHER)
    p.require(r, p.yrs(3, 3), TOK_OTHER)
    p.plant(
        r, ids.LESSONS_FROM_OTHERS, UNSUBSTANTIATED, [p.L], f"Last lesson taken over from another region in {p.L - 3}."
    )


#: The rule-based groups in the order regions are given them: (label in the summary's roles, plants).
RULE_GROUPS = (
    ("ex_strategic + equipment niet", (_g_strategic, _g_equip_niet)),
    ("ex_with_ncc niet + risk not adopted", (_g_ncc_niet, _g_risk_notadopted)),
    ("ex_with_ncc onderbouwd", (_g_ncc_onderbouwd,)),
    ("ring_exercised niet", (_g_ring_niet,)),
    ("ring_exercised onderbouwd", (_g_ring_onderbouwd,)),
    ("ring_conformity niet + lessons none", (_g_ring_conf_niet, _g_lessons_none)),
    ("ring_conformity fixed + lessons recent", (_g_ring_conf_fixed, _g_lessons_recent)),
    ("ring_conformity onderbouwd", (_g_ring_conf_onderbouwd,)),
    ("ring_conformity mixed + equipment mixed", (_g_ring_conf_mixed, _g_equip_mixed)),
    ("equipment onderbouwd", (_g_equip_onderbouwd,)),
    ("risk no substantiation + plan one", (_g_risk_nosubst, _g_plan_one)),
    ("plan two", (_g_plan_two,)),
)
