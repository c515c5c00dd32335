"""The design: which region gets which planted deviation, in which waves.

The smallest region misses the first planting wave; the seven largest carry
the statistical plants (a funnel singles out an extreme share best where the
counts are large); the others, in an order drawn from the seed, get one group
of rule-based plants each until the groups run out. Of the rest, the one of
about median size holds one exercise a wave (a count that is low only over
three waves pooled), and the others stay clean. Small sets get fewer plants
(none under 12 regions). What each plant does is in :mod:`pipelines.sample.plants`
, :mod:`pipelines.sample.reasons_plants` and :mod:`pipelines.sample.stat_plants`;
this module only hands them out.
"""

from __future__ import annotations

from pipelines.contract.reference import Region
from pipelines.sample.helpers import _rng
from pipelines.sample.implausible import _plant_broken_file, _plant_contradictions, _plant_wholesale_equipment
from pipelines.sample.learning_plants import _plant_learning
from pipelines.sample.model import Design
from pipelines.sample.plants import (
    _g_equip_mixed,
    _g_equip_niet,
    _g_lessons_none,
    _g_lessons_recent,
    _g_ncc_niet,
    _g_plan_one,
    _g_plan_two,
    _g_ring_conf_fixed,
    _g_ring_conf_mixed,
    _g_ring_conf_niet,
    _g_ring_niet,
    _g_risk_nosubst,
    _g_risk_notadopted,
    _g_strategic,
    _Planter,
)
from pipelines.sample.reasons_plants import (
    _g_contradiction,
    _g_equip_accepted,
    _g_equip_valid_until_passed,
    _g_ncc_same_text,
    _g_ring_changing_texts,
    _g_ring_conf_valid_until_later,
    _g_shared_long,
    _g_shared_rejected,
)
from pipelines.sample.stat_plants import (
    _plant_coverage,
    _plant_extreme_shares,
    _plant_low_exercises,
    _plant_zero_exercises,
)

#: The rule-based groups in the order regions are given them: (label in the summary's roles, plants).
RULE_GROUPS = (
    ("ex_strategic + equipment niet", (_g_strategic, _g_equip_niet)),
    (
        "ex_with_ncc niet + risk not adopted + equipment reason accepted",
        (_g_ncc_niet, _g_risk_notadopted, _g_equip_accepted),
    ),
    ("ex_with_ncc same reason three waves", (_g_ncc_same_text,)),
    ("ring_exercised niet + shared reason four waves", (_g_ring_niet, _g_shared_long)),
    ("ring_exercised changing reasons three waves", (_g_ring_changing_texts,)),
    ("ring_conformity niet + lessons none + contradiction", (_g_ring_conf_niet, _g_lessons_none, _g_contradiction)),
    ("ring_conformity fixed + lessons recent", (_g_ring_conf_fixed, _g_lessons_recent)),
    (
        "ring_conformity valid until later + shared reason rejected",
        (_g_ring_conf_valid_until_later, _g_shared_rejected),
    ),
    ("ring_conformity mixed + equipment mixed", (_g_ring_conf_mixed, _g_equip_mixed)),
    ("equipment valid until passed", (_g_equip_valid_until_passed,)),
    ("risk no substantiation + plan one", (_g_risk_nosubst, _g_plan_one)),
    ("plan two + shared reason four waves", (_g_plan_two, _g_shared_long)),
)


def _design(
    regions: list[Region],
    waves: list[int],
    seed: int,
    shipped: bool,
    ring_norms,
    ring_target,
    eq_norms,
    eq_target,
    workbooks: bool = False,
) -> Design:
    """The design for ``regions`` over ``waves``; ``shipped`` adds the shipped layout's double source in 2021;
    ``workbooks``: the last wave is written as workbooks (where the broken file can be planted)."""
    planting = waves[-3:]
    d = Design(waves, planting)
    if len(regions) < 2:
        return d
    codes = [r.code for r in regions]
    by_pop = sorted(regions, key=lambda r: (-r.population, r.code))

    # the smallest region misses the first planting wave (VR14 in 2023 in the shipped sample)
    smallest = min(regions, key=lambda r: (r.population, r.code))
    if len(planting) == 3:
        d.missing.add((smallest.code, planting[0]))
        d.roles["missing"] = smallest.code
    if len(regions) < 12:
        return d  # too few regions for a meaningful set of plants

    taken = {smallest.code}
    big = [r.code for r in by_pop if r.code not in taken][:7]
    taken |= set(big)
    pool = [c for c in codes if c not in taken]
    order = _rng(seed, "assign").permutation(len(pool))
    pool = [pool[i] for i in order]
    p = _Planter(d, _rng(seed, "design"), ring_norms, ring_target, eq_norms, eq_target)

    x1, x2, x3, x4, x5, x6, x7 = big + [None] * (7 - len(big))
    if len(regions) < 20:  # too few regions for a funnel to single out a planted share with confidence
        x3 = x4 = x5 = x6 = x7 = None
    _plant_zero_exercises(p, x1, x2)
    _plant_extreme_shares(p, x3, x4, x5, x6, x7)
    if pool and len(regions) >= 20:
        _plant_coverage(p, pool.pop(0))
    for label, group in RULE_GROUPS:
        if not pool:
            break
        r = pool.pop(0)
        d.roles[label] = r
        for plant in group:
            plant(p, r)

    clean = pool
    x9 = _median_sized(clean, regions) if len(regions) >= 20 else None
    if x9 is not None:
        clean = [c for c in clean if c != x9]
        _plant_low_exercises(p, x9)
    if len(regions) >= 20:
        _plant_learning(p)
    # background regions with an equipment cell or two above the norm (never flagged)
    for r in clean[:2]:
        for y in planting:
            d.add(d.equip_above, (r, y), set(p.sample_cells(p.eq_modal_above, 2)))
    if shipped and 2021 in p.present:
        r = clean[-1] if clean else next(c for c in codes[len(codes) // 2 :] + codes if c != smallest.code)
        d.double_source = (r, 2021)
        d.roles["workbook and export in 2021"] = r
    d.roles["clean"] = ", ".join(clean)
    # valid but implausible returns, and one file with several problems, on the clean regions (no verdict moves)
    spare = clean + [None] * 3
    _plant_contradictions(p, spare[0])
    _plant_wholesale_equipment(p, spare[1])
    _plant_broken_file(p, clean[-1] if len(clean) >= 3 else None, workbooks)
    return d


def _median_sized(candidates: list[str], regions: list[Region]) -> str | None:
    """The candidate with the population nearest the median from below (ties: the higher code), or None.

    At about median size the expected count is some 4 to 6 exercises a wave: three waves together give the
    pooled test power over one exercise a wave, one wave alone does not. Not above the median: a larger
    region's expectation would make a single wave's one exercise rare by itself.
    """
    pops = sorted(r.population for r in regions)
    median = pops[(len(pops) - 1) // 2]
    size = {r.code: r.population for r in regions}
    below = [c for c in candidates if size[c] <= median]
    return max(below, key=lambda c: (size[c], c)) if below else None
