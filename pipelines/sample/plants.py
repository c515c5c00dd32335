"""The planted deviations: what each plant does to the design, one function per mechanism.

A plant records the verdict the pipeline must reach (:class:`~pipelines.sample.model.Plant`)
and the constraints on the simulation that make the data say so: tokens an
exercise or lesson may not or must carry, forced counts or attributes, locked
plan cells, and overrides of risk, ring-model and equipment cells. Which region
gets which plant is decided in :mod:`pipelines.sample.design`; whether the data
then hold what was planted is checked in :mod:`pipelines.sample.truth`. Here: the
:class:`_Planter` every plant works through and the rule-based plants without a
reason that counts; the plants of reasons the rules let count or lapse are in
:mod:`pipelines.sample.reasons_plants`, the statistical plants (counts and
shares) in :mod:`pipelines.sample.stat_plants`.
"""

from __future__ import annotations

from pipelines.contract import indicators as ids
from pipelines.contract.catalogues import CATALOGUES
from pipelines.sample.helpers import _code_at, _level
from pipelines.sample.model import Design, Plant, ReasonPlant
from pipelines.sample.names import (
    ACCESS,
    AVAIL,
    CHARS,
    EQUIP,
    MASS_CHAR,
    NCC_CHAR,
    RING,
    RING_CHAR,
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

    def plant(self, region, indicator, verdict, waves_, note, since: int | None = None) -> None:
        """The verdict intended in ``waves_`` (those among the planting waves); ``since``: it needs every wave
        from that one on."""
        ws = tuple(y for y in waves_ if y in self.d.planting)
        if ws:
            self.d.plants.append(Plant(region, indicator, verdict, ws, note, since))

    def reason(self, wave, region, indicator, cell, status, note, **signals) -> None:
        """A planted reason: the status (and signals) the register must give it in ``wave``, if it is a wave."""
        if wave in self.present:
            self.d.reason_plants.append(ReasonPlant(wave, region, indicator, cell, status, note, **signals))

    def judge(self, wave, region, indicator, cell, judgement, motivation) -> None:
        if wave in self.present:
            self.d.judgements[(wave, region, indicator, cell)] = (judgement, motivation)

    def forbid(self, region, years, *tokens) -> None:
        for y in years:
            self.d.add(self.d.forbid, (region, y), set(tokens))

    def require(self, region, years, *tokens) -> None:
        for y in years:
            self.d.add(self.d.require, (region, y), set(tokens))

    def lock(self, region, years, char, in_plan, niet, text, until: int | None = None) -> None:
        for y in years:
            self.d.add(
                self.d.plan_lock,
                (region, y),
                {
                    char: {
                        "in_plan": in_plan,
                        "niet_beoefenen_onderbouwd": niet,
                        "onderbouwing": text,
                        "geldig_tot": until,
                    }
                },
            )

    def plan_text(self, char, y) -> str:
        return _fmt(self.rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(char), prev=y - 1, next=y + 1)

    def plan_texts(self, char, years) -> list[str]:
        """One plain plan text per year in ``years``, each from a different sentence of the bank."""
        bank = _PLAN_NOTES[0]
        label = CATALOGUES["bijzonderheid"].label(char)
        order = self.rng.permutation(len(bank))
        return [_fmt(self.rng, [bank[i]], label=label, prev=y - 1, next=y + 1) for i, y in zip(order.tolist(), years)]

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


def _g_ring_conf_niet(p: _Planter, r: str) -> None:
    key = (p.modal_ring or p.all_ring)[0]
    val = p.ring_other(key)
    for y in p.yrs(1, 0):
        p.d.add(p.d.ring_override, (r, y), {key: (val, None, None)})
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
    p.d.add(p.d.ring_override, (r, p.L - 2), {key: (val, None, None)})
    p.plant(
        r,
        ids.RING_CONFORMITY,
        UNSUBSTANTIATED,
        [p.L - 2],
        f"Ring cell {'/'.join(key)} set to {val} against the fixed norm {p.ring_target[key]}, without "
        "afwijking_toelichting.",
    )


def _g_ring_conf_mixed(p: _Planter, r: str) -> None:
    keys = [p.all_ring[1], p.all_ring[len(p.all_ring) // 2]]
    p.d.add(
        p.d.ring_override,
        (r, p.L),
        {
            keys[0]: (p.ring_other(keys[0]), p.ring_note(keys[0], p.L), None),
            keys[1]: (p.ring_other(keys[1]), None, None),
        },
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
        p.d.add(p.d.equip_override, (r, y), {k: (p.below(k), None, None) for k in cells})
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
        {cells[0]: (p.below(cells[0]), p.equip_note(p.L), None), cells[1]: (p.below(cells[1]), None, None)},
    )
    p.plant(
        r, ids.EQUIPMENT_PARITY, UNSUBSTANTIATED, [p.L], "Two cells below the norm; only one has afwijking_toelichting."
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
