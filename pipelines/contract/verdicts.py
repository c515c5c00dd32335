"""Verdict, direction and status codes with their Dutch words: the one home of these codes.

The engine (:mod:`pipelines.engine.explain`, :mod:`pipelines.engine.build`) and
the site (:mod:`pipelines.site.labels`) derive from here. The SQL marts that
count or set these codes (``region_scorecard``, ``indicator_summary``,
``recommendation_tracker``, ``plan_exercise_matrix``) name them as SQL
literals; ``tests/contract/test_contract.py`` checks that every such literal is a code
of this module. ``docs/method.md`` explains the verdicts.
"""

from __future__ import annotations

CONFORM = "conform"
FAVOURABLE = "gunstige_afwijking"
SUBSTANTIATED = "afwijking_onderbouwd"
UNJUSTIFIED = "afwijking_niet_onderbouwd"
MISSING = "onvoldoende_gegevens"

#: Trend over the waves of one region and indicator (issue 17; pipelines/engine/trend.py).
IMPROVING = "verbetert"
WORSENING = "verslechtert"
NO_SIGNIFICANT_CHANGE = "geen_significante_verandering"
TREND_LABELS: dict[str, str] = {
    IMPROVING: "verbetert",
    WORSENING: "verslechtert",
    NO_SIGNIFICANT_CHANGE: "geen significante verandering",
    MISSING: "onvoldoende gegevens",
}

#: Verdict code -> Dutch words, in the methodology's order.
VERDICT_LABELS: dict[str, str] = {
    CONFORM: "conform",
    FAVOURABLE: "gunstige afwijking",
    SUBSTANTIATED: "afwijking, onderbouwd",
    UNJUSTIFIED: "afwijking, niet onderbouwd",
    MISSING: "onvoldoende gegevens",
}
VERDICTS: tuple[str, ...] = tuple(VERDICT_LABELS)
UNFAVOURABLE: tuple[str, ...] = (SUBSTANTIATED, UNJUSTIFIED)
#: When each verdict is given, in English (docs/method.md's table is written from this).
VERDICT_WHEN: dict[str, str] = {
    CONFORM: "inside the 99.8% limits, or meeting the norm (exceeding a uniform norm is also `conform`)",
    FAVOURABLE: "outside the limits on the favourable side: a practice others may learn from",
    SUBSTANTIATED: "an unfavourable deviation the region substantiates (the analyst weighs the substantiation)",
    UNJUSTIFIED: "an unfavourable deviation without substantiation: **unjustified variation**",
    MISSING: "no value: the module is missing, rejected or in conflict, or a share has nothing to divide by",
}

HIGHER, LOWER = "hoger", "lager"
#: Which side of the limits or norm a deviation (or an early signal) lies on.
DIRECTIONS: tuple[str, ...] = (HIGHER, LOWER)

#: Submission status of a (wave, region, module, file) in submission_status -> Dutch words.
SUBMISSION_LABELS: dict[str, str] = {
    "geladen": "geladen",
    "afgewezen": "afgewezen",
    "ontbreekt": "ontbreekt",
    "vervangen": "vervangen",
    "conflict": "conflict",
}
SUBMISSION_STATUSES: tuple[str, ...] = tuple(SUBMISSION_LABELS)

#: plan_exercise_matrix.status -> Dutch words.
PLAN_LABELS: dict[str, str] = {
    "beoefend": "beoefend",
    "onderbouwd": "niet beoefend, onderbouwd",
    "niet_beoefend": "niet beoefend, niet onderbouwd",
    "niet_in_plan": "niet in het plan",
}
PLAN_STATUSES: tuple[str, ...] = tuple(PLAN_LABELS)

#: recommendation_tracker.status -> Dutch words.
TRACKER_LABELS: dict[str, str] = {
    "op_orde": "op orde",
    "aandacht": "aandacht",
    MISSING: "onvoldoende gegevens",
    "buiten_uitvraag": "buiten de uitvraag",
}
TRACKER_STATUSES: tuple[str, ...] = tuple(TRACKER_LABELS)

#: Norm source per register row -> Dutch words.
NORM_SOURCE_LABELS: dict[str, str] = {
    "model": "verwachting uit de risicobasis (model)",
    "landelijk": "landelijk aandeel van het peiljaar",
    "vastgesteld": "landelijke norm (vastgesteld)",
    "modaal": "landelijke modus (geen vastgestelde norm)",
}

#: Every code of this module (for the test that SQL literals are known codes).
ALL_CODES = frozenset(
    (*VERDICTS, *DIRECTIONS, *SUBMISSION_STATUSES, *PLAN_STATUSES, *TRACKER_STATUSES, *NORM_SOURCE_LABELS)
)
