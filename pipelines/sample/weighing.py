"""The oracle of reasons: docs/verdicts.md section 5a in plain Python, computed from the generated world.

For every region and wave: which cells of the five indicators that take a
reason deviate (:func:`deviations`), and for every deviating cell with a
reason the register row the engine must publish (:func:`weigh`): the status
(the analyst's judgement first, then ``geldig_tot`` before the wave, then the
deviation carried in more consecutive waves than ``max_waves_in_row``, else
``geldig``) and the signals that never change a verdict (other regions with the
same normalised text, years named that lie before the wave, a plan reason that
claims an exercise the data do not hold). Like :mod:`pipelines.sample.oracle`
it shares no code with :mod:`pipelines.engine` on purpose, and it reads the
typed world, not files. Every wave is weighed, not only the planting waves: the
consecutive-wave rule looks back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipelines.contract import indicators as I
from pipelines.contract.reasons import COUNTS, LAPSED, PLAN_CELL, REASON_INDICATORS, RULES, VALID
from pipelines.sample.helpers import _level, _window
from pipelines.sample.model import RegionWave
from pipelines.sample.names import AVAIL, EQUIP, EXER, PLAN, RING, RING_CHAR

#: Why the rules let a reason lapse (``rule_reason`` of the register, in the oracle's own words).
PASSED, TOO_LONG = "geldig_tot passed", "carried too long"

#: The plan cells behind the two indicators a single plan row justifies.
_NCC_CELL, _RING_CELL = PLAN_CELL[I.EX_WITH_NCC], PLAN_CELL[I.RING_EXERCISED]
assert _RING_CELL == RING_CHAR
_PLAN_INDICATORS = (I.PLAN_UNEXERCISED_UNSUBSTANTIATED, I.EX_WITH_NCC, I.RING_EXERCISED)
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_EXERCISED_WORDS = re.compile(r"beoefend|geoefend")


@dataclass(frozen=True)
class Given:
    """What a region wrote for a deviating cell: ``None`` in :func:`deviations` means no reason at all."""

    text: str | None
    valid_until: int | None


@dataclass(frozen=True)
class Reason:
    """One row of the register: a deviating cell with a reason, weighed."""

    wave: int
    region: str
    indicator: str
    cell: str
    text: str | None
    valid_until: int | None
    deviation_waves_in_row: int
    rule_status: str
    rule_reason: str  # PASSED, TOO_LONG or "" (geldig)
    judgement: str | None
    status: str
    waves_same_text_in_row: int
    n_other_regions_same_text: int
    years_named_past: tuple[int, ...]
    contradiction: bool

    @property
    def counts(self) -> bool:
        """Whether this reason justifies its deviation (status geldig or aanvaard)."""
        return self.status in COUNTS


@dataclass
class Weighing:
    """The deviating cells of every (wave, region, indicator) and the register of their reasons."""

    deviating: dict[tuple[int, str, str], dict[str, Given | None]]
    reasons: dict[tuple[int, str, str, str], Reason]

    def unjustified(self, t: int, code: str, indicator: str) -> list[str]:
        """The deviating cells of ``indicator`` in wave ``t`` without a reason that counts."""
        cells = self.deviating.get((t, code, indicator), {})
        return [c for c in cells if not ((r := self.reasons.get((t, code, indicator, c))) and r.counts)]


def normalise(text: str | None) -> str:
    """Lower case, every run of characters other than letters and digits one space, trimmed."""
    return re.sub(r"[\W_]+", " ", (text or "").lower()).strip()


def years_named(text: str | None) -> list[int]:
    return sorted({int(y) for y in _YEAR.findall(text or "")})


def ring_cell_name(key: tuple) -> str:
    return f"{key[RING.grid.index('zone')]}/{key[RING.grid.index('discipline')]}"


def equipment_cell_name(key: tuple) -> str:
    return f"{key[EQUIP.grid.index('functie')]}/{key[EQUIP.grid.index('middel')]}"


def rule_status(t: int, valid_until: int | None, in_row: int, max_waves_in_row: int) -> tuple[str, str]:
    """Rules 2-4 of 5a: (status, why) of a reason in wave ``t`` whose deviation is ``in_row`` waves old."""
    if valid_until is not None and valid_until < t:
        return LAPSED, PASSED
    if in_row > max_waves_in_row:
        return LAPSED, TOO_LONG
    return VALID, ""


def exercised(world: Mapping[tuple[str, int], RegionWave], code: str, years: Sequence[int]) -> set[str]:
    return {
        ch
        for y in years
        if (code, y) in world
        for e in world[(code, y)].rows[EXER.name]
        for ch in (e["beoefende_bijzonderheden"] or [])
    }


def plan_deviations(world, code: str, t: int, waves: Sequence[int]) -> dict[str, dict[str, Given | None]]:
    """The deviating plan cells of one region-wave, per plan-based indicator."""
    win = _window(t, waves)
    plan = world[(code, t)].grids[PLAN.name]
    done = exercised(world, code, win)
    ncc = any(
        e["met_nationale_crisisorganisatie"]
        for y in win
        if (code, y) in world
        for e in world[(code, y)].rows[EXER.name]
    )

    def given(ch: str) -> Given | None:
        row = plan[(ch,)]
        return (
            Given(row.get("onderbouwing"), row.get("geldig_tot")) if row["niet_beoefenen_onderbouwd"] is True else None
        )

    out: dict[str, dict[str, Given | None]] = {
        I.PLAN_UNEXERCISED_UNSUBSTANTIATED: {
            ch: given(ch) for (ch,), v in plan.items() if v["in_plan"] and ch not in done
        },
        I.EX_WITH_NCC: {} if ncc else {_NCC_CELL: given(_NCC_CELL)},
        I.RING_EXERCISED: {} if _RING_CELL in done else {_RING_CELL: given(_RING_CELL)},
    }
    return out


def _grid_deviations(rw: RegionWave, ring_norm: dict, eq_norm: dict) -> dict[str, dict[str, Given | None]]:
    def given(v: dict) -> Given | None:
        return Given(v["afwijking_toelichting"], v.get("geldig_tot")) if v["afwijking_toelichting"] else None

    ring = {ring_cell_name(k): given(v) for k, v in rw.grids[RING.name].items() if v["toegang"] != ring_norm[k]}
    low = {
        equipment_cell_name(k): given(v)
        for k, v in rw.grids[EQUIP.name].items()
        if _level(AVAIL, v["beschikbaarheid"]) < _level(AVAIL, eq_norm[k])
    }
    return {I.RING_CONFORMITY: ring, I.EQUIPMENT_PARITY: low}


def deviations(world, codes: Sequence[str], waves: Sequence[int], norms: Mapping[int, tuple[dict, dict]]):
    """Every deviating cell of the five indicators, per (wave, region, indicator): cell -> what was given.

    ``norms``: per wave, the ring-model and equipment norm of every cell (norm file or national mode)."""
    out: dict[tuple[int, str, str], dict[str, Given | None]] = {}
    for t in waves:
        ring_norm, eq_norm = norms[t]
        for code in codes:
            if (code, t) not in world:
                continue
            found = plan_deviations(world, code, t, waves) | _grid_deviations(world[(code, t)], ring_norm, eq_norm)
            for ind in REASON_INDICATORS:
                out[(t, code, ind)] = found[ind]
    return out


def weigh(
    world,
    codes: Sequence[str],
    waves: Sequence[int],
    norms: Mapping[int, tuple[dict, dict]],
    judgements: Mapping[tuple[int, str, str, str], str] | None = None,
    rules: Mapping[str, int] = RULES,
) -> Weighing:
    """The register of every wave: each deviating cell with a reason, its status and its signals.

    ``judgements``: the analyst's word (aanvaard/verworpen) per (wave, region, indicator, cell)."""
    judgements = judgements or {}
    dev = deviations(world, codes, waves, norms)
    waves = sorted(waves)
    prev = {t: waves[i - 1] if i else 0 for i, t in enumerate(waves)}  # 0: no wave before
    in_row: dict[tuple[int, str, str, str], int] = {}
    same_text: dict[tuple[int, str, str, str], int] = {}
    for t in waves:  # in order: a wave's counts build on the wave before
        for (w, code, ind), cells in dev.items():
            if w != t:
                continue
            for cell, given in cells.items():
                before = (prev[t], code, ind, cell)
                in_row[(t, code, ind, cell)] = in_row.get(before, 0) + 1
                if given is not None:
                    earlier = dev.get((prev[t], code, ind), {}).get(cell)
                    same = earlier is not None and normalise(earlier.text) == normalise(given.text)
                    same_text[(t, code, ind, cell)] = same_text.get(before, 0) + 1 if same else 1
    texts: dict[tuple[int, str], set[str]] = defaultdict(set)  # (wave, normalised text) -> regions
    for (t, code, _), cells in dev.items():
        for given in cells.values():
            if given is not None and normalise(given.text):
                texts[(t, normalise(given.text))].add(code)
    reasons: dict[tuple[int, str, str, str], Reason] = {}
    for (t, code, ind), cells in sorted(dev.items()):
        for cell, given in cells.items():
            if given is None:
                continue
            key = (t, code, ind, cell)
            rs, why = rule_status(t, given.valid_until, in_row[key], rules["max_waves_in_row"])
            judged = judgements.get(key)
            norm = normalise(given.text)
            reasons[key] = Reason(
                t,
                code,
                ind,
                cell,
                given.text,
                given.valid_until,
                in_row[key],
                rs,
                why,
                judged,
                judged or rs,
                same_text[key],
                len(texts[(t, norm)] - {code}) if norm else 0,
                tuple(y for y in years_named(given.text) if y < t),
                ind in _PLAN_INDICATORS and _contradicts(world, code, cell, given.text),
            )
    return Weighing(dev, reasons)


def _contradicts(world, code: str, char: str, text: str | None) -> bool:
    """The text says the characteristic was exercised in a year it names, and that wave (loaded) holds no
    exercise with it."""
    if not _EXERCISED_WORDS.search(normalise(text)):
        return False
    return any((code, y) in world and char not in exercised(world, code, [y]) for y in years_named(text))


def deviation_in_row(world, code: str, t: int, waves: Sequence[int], char: str) -> int:
    """Consecutive waves up to ``t`` in which ``char`` is in the region's plan and not exercised (the row of a
    ``plan_unexercised_unsubstantiated`` cell), for the generator's repair."""
    n = 0
    for w in sorted((w for w in waves if w <= t), reverse=True):
        if (code, w) not in world:
            break
        if char not in plan_deviations(world, code, w, waves)[I.PLAN_UNEXERCISED_UNSUBSTANTIATED]:
            break
        n += 1
    return n
