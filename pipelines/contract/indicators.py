"""The 15 indicators: the one home of every fact about them.

The engine (:mod:`pipelines.engine.build`, :mod:`pipelines.engine.explain`) and
the site (:mod:`pipelines.site.labels`) derive from :data:`INDICATORS`; no other
module of ``pipelines/`` names an indicator id as a string
(``tests/contract/test_contract.py`` fails when one does). The SQL model that computes an
indicator is ``pipelines/sql/intermediate/int_<id>.sql``; ``int_indicators.sql``
unions them in this order (checked by the same test). ``docs/method.md`` and
``docs/verdicts.md`` describe the method.

Polarity codes are English (``higher``, ``lower``, ``both``: as published in
``variation_register.polarity``); :data:`POLARITY_NL` gives the Dutch word the
site shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: The indicator ids, one constant each (the sample generator names indicators by these).
EX_COUNT = "ex_count"
EX_MULTIDISCIPLINARY_SHARE = "ex_multidisciplinary_share"
EX_STRATEGIC = "ex_strategic"
EX_WITH_NCC = "ex_with_ncc"
EX_EVALUATED_SHARE = "ex_evaluated_share"
PLAN_COVERAGE = "plan_coverage"
PLAN_UNEXERCISED_UNSUBSTANTIATED = "plan_unexercised_unsubstantiated"
RISK_SUBSTANTIATED = "risk_substantiated"
RISK_PROBABILITY = "risk_probability"
RING_CONFORMITY = "ring_conformity"
RING_EXERCISED = "ring_exercised"
EQUIPMENT_PARITY = "equipment_parity"
LESSONS_SHARED_SHARE = "lessons_shared_share"
LESSONS_FOLLOWED_UP_SHARE = "lessons_followed_up_share"
LESSONS_FROM_OTHERS = "lessons_from_others"

#: Engine polarity code -> the Dutch word of the site.
POLARITY_NL = {"higher": "hoger", "lower": "lager", "both": "beide"}
#: Norm types of an indicator; 'modaal' is a norm source per row, not a norm type.
MODEL, NATIONAL, UNIFORM = NORM_TYPES = ("model", "landelijk", "vastgesteld")
#: Windows: the wave itself, or the wave and the waves before it (engine.build.LOOKBACK).
WINDOWS = ("wave", "lookback")


@dataclass(frozen=True)
class Indicator:
    id: str
    domain: str
    norm_type: str  # 'model', 'landelijk' or 'vastgesteld' (uniform; 'modaal' per row where a cell norm is)
    polarity: str  # 'higher', 'lower' or 'both'
    target: float | None  # uniform norms only
    recommendation: int
    modules: tuple[str, ...]  # modules that must be in use in the wave
    substantiation: str  # what makes a deviation 'onderbouwd' ('' = nothing can)
    description: str  # short Dutch description (int_indicator_definitions.label)
    window: str  # 'wave' or 'lookback' (the last three waves)
    # how the site reads and shows it (kind: ratio O/E, share 0..1, yesno 1/0, count, score)
    kind: str
    label: str  # Dutch label of the site
    short: str
    unit: str
    denominator: str | None = None
    plain_unit: str | None = None
    plain_short: str | None = None
    # how the explanation sentence words it
    norm_phrase: str | None = None  # the uniform norm in a sentence
    substantiation_phrases: tuple[str, str] | None = None  # (holds, does not hold); None = nothing can
    empty_reason: str | None = None  # a share with nothing to divide by
    # docs/method.md (English): what it measures, and when a deviation is substantiated
    en_label: str = ""
    en_substantiated: str = "never"

    @property
    def polarity_nl(self) -> str:
        return POLARITY_NL[self.polarity]


_RISK_OK = (
    "de risicobeoordeling is onderbouwd en bestuurlijk vastgesteld",
    "de risicobeoordeling is niet onderbouwd en vastgesteld",
)
_NO_EXERCISES = "de regio hield geen oefeningen, dus er is geen aandeel te berekenen"
_NO_LESSONS = "de regio meldde geen lessen, dus er is geen aandeel te berekenen"
_YESNO = "ja (1) / nee (0)"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        EX_COUNT,
        "oefenen",
        "model",
        "higher",
        None,
        4,
        ("oefeningen",),
        "",
        "oefeningen in het peiljaar (O/E)",
        "wave",
        "ratio",
        "Oefeningen: waargenomen ten opzichte van verwacht",
        "Aantal oefeningen (O/E)",
        "verhouding waargenomen/verwacht (O/E)",
        denominator="verwacht aantal oefeningen (E)",
        plain_unit="aantal oefeningen",
        plain_short="Aantal oefeningen",
    ),
    Indicator(
        EX_MULTIDISCIPLINARY_SHARE,
        "oefenen",
        "landelijk",
        "higher",
        None,
        4,
        ("oefeningen",),
        "",
        "aandeel multidisciplinaire oefeningen",
        "wave",
        "share",
        "Aandeel oefeningen met twee of meer disciplines",
        "Multidisciplinair oefenen",
        "aandeel oefeningen (%)",
        denominator="aantal oefeningen",
        empty_reason=_NO_EXERCISES,
    ),
    Indicator(
        EX_STRATEGIC,
        "oefenen",
        "vastgesteld",
        "higher",
        1.0,
        8,
        ("oefeningen",),
        "",
        "strategische oefening in de laatste drie peiljaren",
        "lookback",
        "yesno",
        "Strategische oefening in de laatste drie peiljaren",
        "Strategisch geoefend",
        _YESNO,
        norm_phrase="minstens één strategische oefening",
    ),
    Indicator(
        EX_WITH_NCC,
        "oefenen",
        "vastgesteld",
        "higher",
        1.0,
        8,
        ("oefeningen",),
        "planvorming nationale_opschaling: niet_beoefenen_onderbouwd",
        "oefening met de nationale crisisorganisatie in de laatste drie peiljaren",
        "lookback",
        "yesno",
        "Oefening met de nationale crisisorganisatie in de laatste drie peiljaren",
        "Geoefend met nationale crisisorganisatie",
        _YESNO,
        norm_phrase="minstens één oefening met de nationale crisisorganisatie",
        substantiation_phrases=(
            "de regio heeft onderbouwd waarom opschaling naar de nationale crisisstructuur niet beoefend hoeft te worden",
            "de regio heeft niet onderbouwd waarom opschaling naar de nationale crisisstructuur niet beoefend hoeft te worden",
        ),
    ),
    Indicator(
        EX_EVALUATED_SHARE,
        "oefenen",
        "landelijk",
        "higher",
        None,
        6,
        ("oefeningen",),
        "",
        "aandeel geëvalueerde oefeningen",
        "wave",
        "share",
        "Aandeel geëvalueerde oefeningen",
        "Oefeningen geëvalueerd",
        "aandeel oefeningen (%)",
        denominator="aantal oefeningen",
        empty_reason=_NO_EXERCISES,
    ),
    Indicator(
        PLAN_COVERAGE,
        "planvorming",
        "landelijk",
        "higher",
        None,
        4,
        ("planvorming", "oefeningen"),
        "",
        "aandeel bijzonderheden uit het plan beoefend in de laatste drie peiljaren",
        "lookback",
        "share",
        "Aandeel bijzonderheden uit het plan dat in de laatste drie peiljaren is beoefend",
        "Plan beoefend",
        "aandeel bijzonderheden (%)",
        denominator="bijzonderheden in het plan",
        empty_reason="het plan noemt geen bijzonderheden, dus er is geen aandeel te berekenen",
    ),
    Indicator(
        PLAN_UNEXERCISED_UNSUBSTANTIATED,
        "planvorming",
        "vastgesteld",
        "lower",
        0.0,
        4,
        ("planvorming", "oefeningen"),
        "",
        "bijzonderheden uit het plan niet beoefend en niet onderbouwd",
        "lookback",
        "count",
        "Bijzonderheden in het plan, niet beoefend en niet onderbouwd",
        "Niet beoefend, niet onderbouwd",
        "aantal bijzonderheden",
        norm_phrase="0",
    ),
    Indicator(
        RISK_SUBSTANTIATED,
        "risico",
        "vastgesteld",
        "higher",
        1.0,
        1,
        ("risico",),
        "",
        "risicobeoordeling onderbouwd en vastgesteld",
        "wave",
        "yesno",
        "Risicobeoordeling onderbouwd en bestuurlijk vastgesteld",
        "Risicobeoordeling onderbouwd",
        _YESNO,
        norm_phrase="methode, schriftelijke onderbouwing en bestuurlijke vaststelling",
    ),
    Indicator(
        RISK_PROBABILITY,
        "risico",
        "model",
        "both",
        None,
        1,
        ("risico",),
        RISK_SUBSTANTIATED,
        "eigen inschatting kans op een aanslag",
        "wave",
        "score",
        "Eigen inschatting van de kans op een aanslag (score 1 tot en met 5)",
        "Ingeschatte kans",
        "score (1-5)",
        substantiation_phrases=_RISK_OK,
    ),
    Indicator(
        RING_CONFORMITY,
        "ringenmodel",
        "vastgesteld",
        "higher",
        1.0,
        2,
        ("ringenmodel",),
        "afwijking_toelichting bij elke afwijkende cel",
        "aandeel cellen ringenmodel volgens de norm",
        "wave",
        "share",
        "Ringenmodel: aandeel van de 9 cellen gelijk aan de landelijke invulling",
        "Ringenmodel conform",
        "aandeel cellen (%)",
        denominator="cellen zone x discipline",
        norm_phrase="alle cellen volgens de norm",
        substantiation_phrases=("elke afwijkende cel is toegelicht", "niet elke afwijkende cel is toegelicht"),
    ),
    Indicator(
        RING_EXERCISED,
        "ringenmodel",
        "vastgesteld",
        "higher",
        1.0,
        2,
        ("oefeningen",),
        "planvorming ringenmodel: niet_beoefenen_onderbouwd",
        "ringenmodel beoefend in de laatste drie peiljaren",
        "lookback",
        "yesno",
        "Ringenmodel beoefend in de laatste drie peiljaren",
        "Ringenmodel beoefend",
        _YESNO,
        norm_phrase="beoefend",
        substantiation_phrases=(
            "de regio heeft onderbouwd waarom het ringenmodel niet beoefend hoeft te worden",
            "de regio heeft niet onderbouwd waarom het ringenmodel niet beoefend hoeft te worden",
        ),
    ),
    Indicator(
        EQUIPMENT_PARITY,
        "middelen",
        "vastgesteld",
        "higher",
        1.0,
        3,
        ("middelen",),
        "afwijking_toelichting bij elke cel onder de norm",
        "aandeel cellen middelen op of boven de norm",
        "wave",
        "share",
        "Beschermende middelen: aandeel cellen op of boven de norm",
        "Middelen op norm",
        "aandeel cellen (%)",
        denominator="cellen functie x middel",
        norm_phrase="alle cellen op of boven de norm",
        substantiation_phrases=("elke cel onder de norm is toegelicht", "niet elke cel onder de norm is toegelicht"),
    ),
    Indicator(
        LESSONS_SHARED_SHARE,
        "leren",
        "landelijk",
        "higher",
        None,
        7,
        ("lessen",),
        "",
        "aandeel lessen gedeeld via het virtueel kantoor",
        "wave",
        "share",
        "Aandeel lessen gedeeld via het virtueel kantoor",
        "Lessen gedeeld",
        "aandeel lessen (%)",
        denominator="aantal lessen",
        empty_reason=_NO_LESSONS,
    ),
    Indicator(
        LESSONS_FOLLOWED_UP_SHARE,
        "leren",
        "landelijk",
        "higher",
        None,
        6,
        ("lessen",),
        "",
        "aandeel lessen met uitgevoerde opvolging",
        "wave",
        "share",
        "Aandeel lessen waarvan de opvolging is uitgevoerd",
        "Lessen opgevolgd",
        "aandeel lessen (%)",
        denominator="aantal lessen",
        empty_reason=_NO_LESSONS,
    ),
    Indicator(
        LESSONS_FROM_OTHERS,
        "leren",
        "vastgesteld",
        "higher",
        1.0,
        5,
        ("lessen",),
        "",
        "lessen overgenomen van een andere regio in de laatste drie peiljaren",
        "lookback",
        "count",
        "Lessen overgenomen van een andere regio in de laatste drie peiljaren",
        "Lessen van anderen",
        "aantal lessen",
        norm_phrase="minstens één overgenomen les",
    ),
)

INDICATOR_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS)
BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}


def _the_one(kind: str) -> str:
    (only,) = [i.id for i in INDICATORS if i.norm_type == "model" and i.kind == kind]
    return only


#: The count the Poisson risk model predicts (judged as O/E) and the score the least-squares model predicts.
COUNT_MODEL_ID: str = _the_one("ratio")
SCORE_MODEL_ID: str = _the_one("score")

DOMAINS: dict[str, str] = {
    "oefenen": "Oefenen",
    "planvorming": "Planvorming",
    "risico": "Risicobeoordeling",
    "ringenmodel": "Ringenmodel",
    "middelen": "Beschermende middelen",
    "leren": "Leren",
}

#: The subject of each recommendation, as far as the survey's indicators reach it.
RECOMMENDATIONS: dict[int, str] = {
    1: "Risicobeoordeling onderbouwen en bestuurlijk vaststellen",
    2: "Ringenmodel landelijk gelijk invullen en beoefenen",
    3: "Beschermende middelen op het landelijke niveau",
    4: "Oefenen: frequentie, multidisciplinair, bijzonderheden uit het plan",
    5: "Lessen van andere regio's overnemen",
    6: "Oefeningen evalueren en lessen opvolgen",
    7: "Lessen delen via het virtueel kantoor",
    8: "Strategisch en met de nationale crisisorganisatie oefenen",
    9: "Aan de minister (geen regionale indicator)",
    10: "Aan de minister (geen regionale indicator)",
}

assert all(
    i.domain in DOMAINS
    and i.recommendation in RECOMMENDATIONS
    and i.polarity in POLARITY_NL
    and i.norm_type in NORM_TYPES
    and i.window in WINDOWS
    for i in INDICATORS
)


#: docs/method.md's English: indicator id -> (what it measures, substantiated when).
_EN = {
    EX_COUNT: ("exercises held in the wave", "never (the risk assessment is the basis of the expectation)"),
    EX_MULTIDISCIPLINARY_SHARE: ("share of exercises with two or more disciplines", "never"),
    EX_STRATEGIC: ("a strategic-level exercise in the last three waves", "never"),
    EX_WITH_NCC: (
        "an exercise with the national crisis organisation in the last three waves",
        "the plan substantiates not exercising `nationale_opschaling` and the reason counts (verdicts.md 5a)",
    ),
    EX_EVALUATED_SHARE: ("share of exercises evaluated", "never"),
    PLAN_COVERAGE: ("share of the plan's characteristics exercised in the last three waves", "never"),
    PLAN_UNEXERCISED_UNSUBSTANTIATED: (
        "characteristics in the plan, not exercised in the last three waves and not substantiated",
        "never (characteristics with a reason that counts are already left out, verdicts.md 5a)",
    ),
    RISK_SUBSTANTIATED: ("a method other than `geen`, a written substantiation, and adoption by the board", "never"),
    RISK_PROBABILITY: (
        "the self-assessed probability of an attack (`kans_score`, 1-5)",
        "the risk assessment is substantiated and adopted",
    ),
    RING_CONFORMITY: (
        "share of the 9 zone x discipline cells equal to the norm",
        "every deviating cell has an `afwijking_toelichting` that counts (verdicts.md 5a)",
    ),
    RING_EXERCISED: (
        "the ring model exercised in the last three waves",
        "the plan substantiates not exercising `ringenmodel` and the reason counts (verdicts.md 5a)",
    ),
    EQUIPMENT_PARITY: (
        "share of the 64 role x item cells at or above the norm",
        "every cell below the norm has an `afwijking_toelichting` that counts (verdicts.md 5a)",
    ),
    LESSONS_SHARED_SHARE: ("share of lessons shared via the `virtueel_kantoor`", "never"),
    LESSONS_FOLLOWED_UP_SHARE: ("share of lessons whose follow-up is `uitgevoerd`", "never"),
    LESSONS_FROM_OTHERS: ("lessons taken over from another region in the last three waves", "never"),
}
INDICATORS = tuple(replace(i, en_label=_EN[i.id][0], en_substantiated=_EN[i.id][1]) for i in INDICATORS)
BY_ID = {i.id: i for i in INDICATORS}
