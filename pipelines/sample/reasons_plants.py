"""The planted reasons: deviations with a reason that the rules of docs/verdicts.md 5a let count, or lapse.

A reason justifies a deviation in its first and second consecutive wave
(``max_waves_in_row`` = 2), not in the third, and not after its ``geldig_tot``;
the analyst's judgement (``wegingen.csv``) overrides both ways. Each plant here
records the verdicts (:class:`~pipelines.sample.model.Plant`) and the status of
every reason it plants (:class:`~pipelines.sample.model.ReasonPlant`), checked
in :mod:`pipelines.sample.truth` against the oracle :mod:`pipelines.sample.weighing`.
With the last wave L (2025 in the shipped sample):

- :func:`_g_ncc_same_text`: no exercise with the national crisis organisation
  from L-4, the plan gives the *same* text in L-2, L-1 and L: geldig, geldig,
  ``verlopen`` (the third wave); the verdict of ``ex_with_ncc`` and of
  ``plan_unexercised_unsubstantiated`` (the characteristic is in the plan) in L
  is afwijking_niet_onderbouwd.
- :func:`_g_ring_changing_texts`: the ring model not exercised from L-4, three
  *different* texts in L-2, L-1 and L: a new text does not start the count again,
  so L is ``verlopen`` too.
- :func:`_g_equip_valid_until_passed`: four equipment cells below the norm in
  L-1 and L, one note ``geldig_tot`` L-1: geldig in L-1, ``verlopen`` in L.
- :func:`_g_ring_conf_valid_until_later`: two ring cells in L-1 and L with
  ``geldig_tot`` L+1: geldig both waves; one note cites "besluit AB <L-4>-17",
  a past year that promises nothing (``years_named_past`` only).
- :func:`_g_contradiction`: a plan reason "... is in <L-1> uitgebreid beoefend"
  while that wave holds no exercise with the characteristic: ``contradiction``,
  still geldig (a signal never changes a verdict).
- :func:`_g_shared_long` (two regions) and :func:`_g_shared_rejected` (a third):
  the same sentence "Het risico is in deze regio beperkt; de prioriteit ligt
  elders." (spelt a little differently, equal once normalised) for never
  exercising with the national crisis organisation; the two give it four waves
  running (L-3 to L: geldig, geldig, verlopen, verlopen), the third only in L,
  where the rules say geldig and the analyst rejects it (``verworpen``).
- :func:`_g_equip_accepted`: a fixed-norm equipment cell below the norm in L-2,
  L-1 and L with the same note: the rules let it lapse in L, the analyst accepts
  it (``aanvaard``), so the verdict stays afwijking_onderbouwd.
"""

from __future__ import annotations

from pipelines.contract import indicators as I
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.reasons import ACCEPTED, LAPSED, REJECTED, VALID
from pipelines.sample.names import (
    CONFORM,
    NCC_CHAR,
    RING,
    RING_CHAR,
    SUBSTANTIATED,
    TOK_NCC,
    UNSUBSTANTIATED,
    _char_tok,
)
from pipelines.sample.plants import _SPARE, _Planter
from pipelines.sample.weighing import equipment_cell_name, ring_cell_name

#: The one sentence several regions give for never exercising with the national crisis organisation, in the
#: spellings of the regions that give it (equal once normalised: lower case, punctuation runs one space).
SHARED_TEXTS = (
    "Het risico is in deze regio beperkt; de prioriteit ligt elders.",
    "Het risico is in deze regio beperkt, de prioriteit ligt elders",
    "het risico is in deze regio beperkt -- de prioriteit ligt elders.",
)
_REJECTED = (
    "Een beperkt risico ontslaat de regio niet van oefenen met de nationale crisisorganisatie; dezelfde zin "
    "staat letterlijk bij andere regio's en zegt niets over deze regio."
)
_ACCEPTED = (
    "De leverancier bevestigt de vertraging schriftelijk en de regio overbrugt die met een centrale voorraad "
    "op de post; aanvaard tot de levering."
)
_LATE_DELIVERY = "Levering vertraagd door een tekort bij de leverancier."
_PLAN = I.PLAN_UNEXERCISED_UNSUBSTANTIATED


def _g_ncc_same_text(p: _Planter, r: str) -> None:
    L, since = p.L, p.L - 5
    p.forbid(r, p.yrs(4, 0), TOK_NCC, _char_tok(NCC_CHAR))
    p.require(r, p.yrs(5, 5), TOK_NCC, _char_tok(NCC_CHAR))
    p.lock(r, p.yrs(2, 0), NCC_CHAR, True, True, p.plan_text(NCC_CHAR, L - 2))
    what = (
        f"No exercise with the national crisis organisation from {L - 4} (the last in {L - 5}), so the deviation "
        f"exists from {L - 2}; the plan gives the same substantiation in {L - 2}, {L - 1} and {L}"
    )
    p.plant(r, I.EX_WITH_NCC, SUBSTANTIATED, p.yrs(2, 1), f"{what}: it counts in its first and second wave.", since)
    p.plant(r, I.EX_WITH_NCC, UNSUBSTANTIATED, [L], f"{what}: lapsed in the third wave.", since)
    p.plant(r, _PLAN, CONFORM, p.yrs(2, 1), f"{what}; nationale_opschaling is in the plan, substantiated.", since)
    p.plant(r, _PLAN, UNSUBSTANTIATED, [L], f"{what}; nationale_opschaling is in the plan, reason lapsed.", since)
    for k, y in enumerate(p.yrs(2, 0), start=1):
        status = VALID if k <= 2 else LAPSED
        for ind in (I.EX_WITH_NCC, _PLAN):
            note = f"{what}: wave {k} of the deviation, same text {k} waves in a row: {status}."
            p.reason(y, r, ind, NCC_CHAR, status, note, since=since, waves_same_text_in_row=k)


def _g_ring_changing_texts(p: _Planter, r: str) -> None:
    L, since = p.L, p.L - 5
    p.forbid(r, p.yrs(4, 0), _char_tok(RING_CHAR))
    p.require(r, p.yrs(5, 5), _char_tok(RING_CHAR))
    years = p.yrs(2, 0)
    for y, text in zip(years, p.plan_texts(RING_CHAR, years)):
        p.lock(r, [y], RING_CHAR, True, True, text)
    what = (
        f"Ring model not exercised from {L - 4} (last in {L - 5}); the plan substantiates it in {L - 2}, {L - 1} "
        f"and {L} with a different text each wave, which does not restart the count"
    )
    p.plant(r, I.RING_EXERCISED, SUBSTANTIATED, p.yrs(2, 1), f"{what}: counts in waves 1 and 2.", since)
    p.plant(r, I.RING_EXERCISED, UNSUBSTANTIATED, [L], f"{what}: lapsed in the third wave.", since)
    p.plant(r, _PLAN, CONFORM, p.yrs(2, 1), f"{what}; ringenmodel is in the plan, substantiated.", since)
    p.plant(r, _PLAN, UNSUBSTANTIATED, [L], f"{what}; ringenmodel is in the plan, reason lapsed.", since)
    for k, y in enumerate(years, start=1):
        status = VALID if k <= 2 else LAPSED
        for ind in (I.RING_EXERCISED, _PLAN):
            note = f"{what}: wave {k} of the deviation, a new text: {status}."
            p.reason(y, r, ind, RING_CHAR, status, note, since=since, waves_same_text_in_row=1)


def _g_ring_conf_valid_until_later(p: _Planter, r: str) -> None:
    L = p.L
    keys = [(p.modal_ring or p.all_ring)[-1], (p.fixed_ring or p.all_ring)[-1]]
    z, disc = keys[1][RING.grid.index("zone")], keys[1][RING.grid.index("discipline")]
    notes = {
        keys[0]: p.ring_note(keys[0], L - 1),
        keys[1]: f"Conform besluit AB {L - 4}-17 blijft de toegang van de {disc} tot de {z} zone beperkt.",
    }
    for y in p.yrs(1, 0):
        p.d.add(p.d.ring_override, (r, y), {k: (p.ring_other(k, up_first=False), notes[k], L + 1) for k in keys})
    p.plant(
        r,
        I.RING_CONFORMITY,
        SUBSTANTIATED,
        p.yrs(1, 0),
        f"Two ring cells deviate from the norm in {L - 1} and {L}, each with afwijking_toelichting geldig_tot "
        f"{L + 1}: first and second wave, year not passed.",
    )
    for k, y in enumerate(p.yrs(1, 0), start=1):
        for key in keys:
            past = (L - 4,) if key == keys[1] else None
            note = f"Ring cell, wave {k} of the deviation, geldig_tot {L + 1} not passed: geldig."
            if past:
                note += f" Names besluit AB {L - 4}-17: a past year, no promise (years_named_past only)."
            p.reason(y, r, I.RING_CONFORMITY, ring_cell_name(key), VALID, note, years_named_past=past)


def _g_equip_valid_until_passed(p: _Planter, r: str) -> None:
    L = p.L
    cells = p.sample_cells(p.eq_modal_below, 4)
    up = [k for k in p.eq_modal_above if k not in cells][:1]
    notes = {k: p.equip_note(L - 1) for k in cells}
    notes[cells[0]] = f"Tijdelijke uitgifte vanuit de centrale voorraad tot en met {L - 1}."
    until = {cells[0]: L - 1}
    for y in p.yrs(1, 0):
        p.d.add(
            p.d.equip_override,
            (r, y),
            {k: (p.below(k), notes[k], until.get(k)) for k in cells} | {k: (p.above(k), None, None) for k in up},
        )
    what = (
        f"Four cells below the norm in {L - 1} and {L}, each with afwijking_toelichting; one says geldig_tot "
        f"{L - 1}; one cell above the norm without a note (above is not flagged)"
    )
    p.plant(r, I.EQUIPMENT_PARITY, SUBSTANTIATED, p.yrs(1, 1), f"{what}: all count in {L - 1}.")
    p.plant(r, I.EQUIPMENT_PARITY, UNSUBSTANTIATED, [L], f"{what}: in {L} that one has lapsed.")
    for y in p.yrs(1, 0):
        for k in cells:
            lapsed = k in until and until[k] < y
            status, rule = (LAPSED, LAPSED) if lapsed else (VALID, VALID)
            note = f"Equipment cell below the norm in {L - 1} and {L}" + (
                f", geldig_tot {until[k]}: {status} in {y}." if k in until else f": {status}."
            )
            p.reason(y, r, I.EQUIPMENT_PARITY, equipment_cell_name(k), status, note, rule_status=rule)


def _g_contradiction(p: _Planter, r: str) -> None:
    L, since = p.L, p.L - 3
    c = _SPARE[int(p.rng.integers(len(_SPARE)))]
    label = CATALOGUES["bijzonderheid"].label(c)
    p.forbid(r, p.yrs(2, 0), _char_tok(c))
    p.require(r, p.yrs(3, 3), _char_tok(c))
    text = f"{label[:1].upper() + label[1:]} is in {L - 1} uitgebreid beoefend; herhaling staat gepland voor {L + 1}."
    p.lock(r, [L], c, True, True, text)
    what = (
        f"{c} in the plan, last exercised in {L - 3}; the reason says it was exercised extensively in {L - 1}, "
        f"which holds no such exercise: contradiction"
    )
    p.plant(r, _PLAN, CONFORM, [L], f"{what}, a signal that never changes a verdict; first wave: geldig.", since)
    p.reason(
        L,
        r,
        _PLAN,
        c,
        VALID,
        f"{what}; first wave: geldig.",
        since=since,
        contradiction=True,
        years_named_past=(L - 1,),
    )


def _g_shared_long(p: _Planter, r: str) -> None:
    """A region that gives the shared sentence four waves running (L-3 to L)."""
    L, since = p.L, p.L - 6
    text = _next_shared_text(p)
    p.forbid(r, p.yrs(5, 0), TOK_NCC)
    p.require(r, p.yrs(6, 6), TOK_NCC)
    p.lock(r, p.yrs(3, 0), NCC_CHAR, False, True, text)
    for y in p.yrs(3, 0):
        p.d.shared_text.setdefault(y, set()).add(r)
    what = (
        f"No exercise with the national crisis organisation from {L - 5}; from {L - 3} the region gives the "
        "sentence other regions give too (nationale_opschaling not in the plan)"
    )
    p.plant(r, I.EX_WITH_NCC, SUBSTANTIATED, [L - 2], f"{what}: second wave, counts.", since)
    p.plant(r, I.EX_WITH_NCC, UNSUBSTANTIATED, p.yrs(1, 0), f"{what}: third wave on, lapsed.", since)
    for k, y in enumerate(p.yrs(3, 0), start=1):
        status = VALID if k <= 2 else LAPSED
        p.reason(
            y,
            r,
            I.EX_WITH_NCC,
            NCC_CHAR,
            status,
            f"{what}: wave {k}, {status}.",
            since=since,
            shared=True,
            waves_same_text_in_row=k,
        )


def _g_shared_rejected(p: _Planter, r: str) -> None:
    """A region that gives the shared sentence in L only: the rules say geldig, the analyst rejects it."""
    L, since = p.L, p.L - 3
    text = _next_shared_text(p)
    p.forbid(r, p.yrs(2, 0), TOK_NCC)
    p.require(r, p.yrs(3, 3), TOK_NCC)
    p.lock(r, [L], NCC_CHAR, False, True, text)
    p.d.shared_text.setdefault(L, set()).add(r)
    p.judge(L, r, I.EX_WITH_NCC, NCC_CHAR, REJECTED, _REJECTED)
    what = (
        f"Last exercise with the national crisis organisation in {L - 3}; in {L} the region gives the sentence "
        "other regions give too; the rules say geldig (first wave), the analyst rejects it in wegingen.csv"
    )
    p.plant(r, I.EX_WITH_NCC, UNSUBSTANTIATED, [L], f"{what}.", since)
    p.reason(L, r, I.EX_WITH_NCC, NCC_CHAR, REJECTED, f"{what}.", since=since, rule_status=VALID, shared=True)


def _next_shared_text(p: _Planter) -> str:
    """The spelling of the next region to give the shared sentence."""
    regions = set().union(*p.d.shared_text.values())
    return SHARED_TEXTS[len(regions) % len(SHARED_TEXTS)]


def _g_equip_accepted(p: _Planter, r: str) -> None:
    L, since = p.L, p.L - 3
    key = (p.eq_fixed_below[1:] or p.eq_fixed_below or p.eq_modal_below)[0]
    p.d.add(p.d.equip_override, (r, L - 3), {key: (p.eq_target[key], None, None)})  # the row starts in L-2
    for y in p.yrs(2, 0):
        p.d.add(p.d.equip_override, (r, y), {key: (p.below(key), _LATE_DELIVERY, None)})
    cell = equipment_cell_name(key)
    p.judge(L, r, I.EQUIPMENT_PARITY, cell, ACCEPTED, _ACCEPTED)
    what = f"{cell} below the norm in {L - 2}, {L - 1} and {L} with the same note"
    p.plant(
        r,
        I.EQUIPMENT_PARITY,
        SUBSTANTIATED,
        p.yrs(2, 0),
        f"{what}: counts in waves 1 and 2; in {L} the rules let it lapse, the analyst accepts it in wegingen.csv.",
        since,
    )
    for k, y in enumerate(p.yrs(2, 0), start=1):
        status = VALID if k <= 2 else ACCEPTED
        note = f"{what}: wave {k}" + (", lapsed by the rules, accepted by the analyst." if k > 2 else ", geldig.")
        p.reason(y, r, I.EQUIPMENT_PARITY, cell, status, note, since=since, rule_status=VALID if k <= 2 else LAPSED)
