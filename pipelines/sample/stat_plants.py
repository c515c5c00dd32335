"""The statistical plants: counts and shares a funnel must single out, on the largest regions and one median one.

What each plant does to the design (forced counts, attributes, plan locks and
risk overrides) and the verdict it records; which region gets which is decided
in :mod:`pipelines.sample.design`, the machinery (:class:`~pipelines.sample.plants._Planter`)
and the rule-based plants are in :mod:`pipelines.sample.plants`. Whether the data
then hold what was planted is checked in :mod:`pipelines.sample.truth`.
"""

from __future__ import annotations

from pipelines.contract import indicators as I
from pipelines.sample.names import CHARS, FAVOURABLE, METHOD_NONE, RING_CHAR, UNSUBSTANTIATED, _char_tok
from pipelines.sample.plants import _Planter


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
            I.EX_COUNT,
            UNSUBSTANTIATED,
            [L],
            "Largest region held 0 exercises and its risk assessment is not substantiated; O=0 with E>0 lies "
            "below every lower funnel limit on the log scale, also with overdispersion.",
        )
        p.plant(
            x1,
            I.RISK_SUBSTANTIATED,
            UNSUBSTANTIATED,
            [L],
            "Risk assessment method 'geen', no written substantiation and not adopted by the board.",
        )
    if x2 and L - 2 in p.present:
        d.roles["ex_count zero, risk substantiated (X2)"] = x2
        d.add(d.count, (x2, L - 1), ("exact", 0))
        p.plant(
            x2,
            I.EX_COUNT,
            UNSUBSTANTIATED,
            [L - 1],
            "Second-largest region held 0 exercises (below every lower funnel limit). Its risk assessment is "
            "substantiated and adopted, but ex_count takes no reason (docs/verdicts.md 5a: the risk assessment "
            "is the basis of the expectation, not a reason to fall short of it): not substantiated.",
        )


def _plant_low_exercises(p: _Planter, x9: str | None) -> None:
    """One exercise in each of the last three waves: persistently low, never zero.

    ``ex_count`` is judged on the window's three waves pooled (docs/method.md): here O = 3 against the sum of
    the risk model's expected counts E. This package cannot compute E (the engine fits it on every region's
    returns), so the plant relies on what the design picks: a region of about median population, for which
    the simulation's mean, and so roughly the model's E, is 4 to 6 exercises a wave, 12 to 18 pooled. Without
    overdispersion the exact Poisson test then finds O = 3 from E = 13.1 pooled and no single wave's O = 1
    below E = 9.2. With overdispersion the limits widen with tau^2, which other low windows in the same wave
    can inflate (winsorising touches two regions per side at 25): the plant is then inside the limits, which
    ``tests/engine/test_engine.py`` names where it happens. Only the last wave's window is planted entirely (the
    window of L-1 holds one unplanted wave), so only L gets a verdict. The region has no other plant, so the
    discipline pass leaves its risk assessment substantiated; that no longer makes the deviation substantiated
    (``ex_count`` takes no reason, docs/verdicts.md 5a), it only keeps ``risk_substantiated`` conform.
    """
    d, L = p.d, p.L
    window = p.yrs(2, 0)
    if not x9 or len(window) < 3:
        return
    d.roles["ex_count low over three waves pooled (X9)"] = x9
    for y in window:
        d.add(d.count, (x9, y), ("exact", 1))
    p.plant(
        x9,
        I.EX_COUNT,
        UNSUBSTANTIATED,
        [L],
        f"Median-sized region held 1 exercise in each of {L - 2}, {L - 1} and {L} (O = 3 over the pooled "
        "window, never 0). The sample cannot compute the risk model's E: the plant relies on a region of this "
        "size expecting about 4 to 6 a wave, 12 to 18 pooled, where O = 3 is rare at 99.8% (exact Poisson test "
        "from E = 13.1; with overdispersion it depends on tau^2) and a single wave's O = 1 is not (exact test "
        "below E = 9.2). Its risk assessment is substantiated, but ex_count takes no reason (docs/verdicts.md 5a): "
        "not substantiated.",
    )


def _plant_extreme_shares(p: _Planter, x3, x4, x5, x6, x7) -> None:
    """Shares of 0 or 100 % on enough items to lie outside the funnel (``None``: that plant is left out)."""
    d, L = p.d, p.L
    if x3:
        d.roles[I.EX_EVALUATED_SHARE] = x3
        d.add(d.count, (x3, L - 1), ("min", 9))
        d.add(d.ex_attr, (x3, L - 1), {"geevalueerd": False})
        p.plant(x3, I.EX_EVALUATED_SHARE, UNSUBSTANTIATED, [L - 1], "None of {n} exercises evaluated.")
    if x4:
        d.roles[I.EX_MULTIDISCIPLINARY_SHARE] = x4
        d.add(d.count, (x4, L), ("min", 9))
        d.add(d.ex_attr, (x4, L), {"mono": True})
        p.plant(x4, I.EX_MULTIDISCIPLINARY_SHARE, UNSUBSTANTIATED, [L], "All {n} exercises monodisciplinary.")
    if x5:
        d.roles["lessons_shared_share low"] = x5
        d.add(d.lesson_min, (x5, L - 2), 18)
        d.add(d.lesson_attr, (x5, L - 2), {"gedeeld": "not_vk"})
        p.plant(
            x5, I.LESSONS_SHARED_SHARE, UNSUBSTANTIATED, [L - 2], "None of {n} lessons shared via the virtual office."
        )
    if x6:
        d.roles["lessons_shared_share high"] = x6
        d.add(d.lesson_min, (x6, L), 15)
        d.add(d.lesson_attr, (x6, L), {"gedeeld": "vk"})
        p.plant(x6, I.LESSONS_SHARED_SHARE, FAVOURABLE, [L], "All {n} lessons shared via the virtual office.")
    if x7:
        d.roles[I.LESSONS_FOLLOWED_UP_SHARE] = x7
        d.add(d.lesson_min, (x7, L - 1), 14)
        d.add(d.lesson_attr, (x7, L - 1), {"opvolging": "not_done"})
        p.plant(
            x7,
            I.LESSONS_FOLLOWED_UP_SHARE,
            UNSUBSTANTIATED,
            [L - 1],
            "None of {n} lessons followed up (opvolging uitgevoerd).",
        )


def _plant_coverage(p: _Planter, x8: str) -> None:
    """One region exercises only the ring model in the last three waves and substantiates the rest of its plan
    as not to be exercised (exercised in the wave before: the deviations are new, so the reasons count)."""
    d, L = p.d, p.L
    d.roles[I.PLAN_COVERAGE] = x8
    keep = (RING_CHAR,)
    for y in p.yrs(2, 0):
        d.allowed_chars[(x8, y)] = keep
    p.require(x8, [L], *(_char_tok(c) for c in keep))
    # every other characteristic exercised in L-3, so that its deviation starts in L: its substantiation is in
    # its first wave there and counts (docs/verdicts.md 5a), whatever the region did in between
    p.require(x8, p.yrs(3, 3), *(_char_tok(c) for c in CHARS if c not in keep))
    if not p.yrs(3, 3):  # no wave before the window: the plan names the characteristics from L-1 on, so that
        # the deviations are in their second wave in L and the reasons still count
        for c in CHARS:
            if c not in keep:
                p.lock(x8, p.yrs(2, 2), c, False, None, None)
                p.lock(x8, p.yrs(1, 1), c, True, True, p.plan_text(c, L - 1))
    for c in CHARS:
        if c in keep:  # exercised, but the plan does not name it
            p.lock(x8, [L], c, False, None, None)
        else:
            p.lock(x8, [L], c, True, True, p.plan_text(c, L))
    p.plant(
        x8,
        I.PLAN_COVERAGE,
        UNSUBSTANTIATED,
        [L],
        "{num} of the {den} characteristics in the plan exercised in the last three waves: all substantiated "
        "as not to be exercised, which this share does not count; only the ring model (not in the plan) "
        "was exercised.",
    )
