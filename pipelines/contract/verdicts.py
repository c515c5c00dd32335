"""Verdict, direction, plan and tracker codes with their Dutch words: the one home of these codes.

Submission statuses have their own module, :mod:`pipelines.contract.statuses`.

The engine (:mod:`pipelines.engine.explain`, :mod:`pipelines.engine.build`) and
the site (:mod:`pipelines.site.labels`) derive from here; the site also takes each
code's colour, glyph and marker (:class:`Look`) and the order it shows them in. The SQL marts that
count or set these codes (``region_scorecard``, ``indicator_summary``,
``recommendation_tracker``, ``plan_exercise_matrix``) name them as SQL
literals; ``tests/contract/test_contract.py`` checks that every such literal is a code
of this module. ``docs/method.md`` explains the verdicts.
"""

from __future__ import annotations

from typing import NamedTuple

from pipelines.contract.statuses import SUBMISSION_STATUSES


class Look(NamedTuple):
    """How the site shows a code: its colour, the glyph beside its word and, for a verdict, its Plotly marker.

    No code is told by colour alone: each has its own glyph (and marker), and its word beside it.
    """

    color: str
    glyph: str
    symbol: str | None = None


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
#: The same in as few words as a cell of the site's verdict matrix holds (the full words are in its legend).
VERDICT_SHORT_LABELS: dict[str, str] = {
    CONFORM: "conform",
    FAVOURABLE: "gunstig",
    SUBSTANTIATED: "onderbouwd",
    UNJUSTIFIED: "niet onderbouwd",
    MISSING: "geen gegevens",
}
UNFAVOURABLE: tuple[str, ...] = (SUBSTANTIATED, UNJUSTIFIED)
#: When each verdict is given, in English (docs/method.md's table is written from this).
VERDICT_WHEN: dict[str, str] = {
    CONFORM: "inside the 99.8% limits, or meeting the norm (exceeding a uniform norm is also `conform`)",
    FAVOURABLE: "outside the limits on the favourable side: a practice others may learn from",
    SUBSTANTIATED: "an unfavourable deviation the region substantiates (the analyst weighs the substantiation)",
    UNJUSTIFIED: "an unfavourable deviation without substantiation: **unjustified variation**",
    MISSING: "no value: the module is missing, rejected or in conflict, or a share has nothing to divide by",
}
#: The same in Dutch, for the site's method page (``**...**``: emphasised).
VERDICT_WHEN_NL: dict[str, str] = {
    CONFORM: "Binnen de statistische grenzen, of voldoet aan de norm.",
    FAVOURABLE: "Buiten de grenzen aan de gunstige kant: een werkwijze waar anderen van kunnen leren.",
    SUBSTANTIATED: "Ongunstige afwijking waarvoor de regio een onderbouwing geeft; de analist weegt die onderbouwing.",
    UNJUSTIFIED: "Ongunstige afwijking zonder onderbouwing: een **niet onderbouwde afwijking**.",
    MISSING: "De gegevens van de regio voor deze indicator ontbreken of zijn afgewezen. "
    "Een ontbrekende aanlevering telt nooit als nul.",
}
#: The verdicts, the most serious first: the order of the region's cards and of a table sorted by verdict.
VERDICTS_BY_CONCERN: tuple[str, ...] = (UNJUSTIFIED, SUBSTANTIATED, FAVOURABLE, CONFORM, MISSING)
#: Colour (Okabe-Ito: readable with colour blindness), glyph and marker of each verdict on the site.
VERDICT_LOOKS: dict[str, Look] = {
    CONFORM: Look("#56B4E9", "●", "circle"),
    FAVOURABLE: Look("#0072B2", "▲", "triangle-up"),
    SUBSTANTIATED: Look("#E69F00", "◆", "diamond"),
    UNJUSTIFIED: Look("#D55E00", "✖", "x"),
    MISSING: Look("#8C8C8C", "○", "circle-open"),
}

HIGHER, LOWER = "hoger", "lager"
#: Which side of the limits or norm a deviation (or an early signal) lies on.
DIRECTIONS: tuple[str, ...] = (HIGHER, LOWER)

#: plan_exercise_matrix.status: a characteristic of the plan exercised in the last three waves, or not.
EXERCISED = "beoefend"
UNEXERCISED_SUBSTANTIATED = "onderbouwd"
UNEXERCISED = "niet_beoefend"
NOT_IN_PLAN = "niet_in_plan"
#: plan_exercise_matrix.status -> Dutch words.
PLAN_LABELS: dict[str, str] = {
    EXERCISED: "beoefend",
    UNEXERCISED_SUBSTANTIATED: "niet beoefend, onderbouwd",
    UNEXERCISED: "niet beoefend, niet onderbouwd",
    NOT_IN_PLAN: "niet in het plan",
}
PLAN_STATUSES: tuple[str, ...] = tuple(PLAN_LABELS)
#: Colour and glyph per plan status, in the order of the site's colour scale (least notable first).
PLAN_LOOKS: dict[str, Look] = {
    NOT_IN_PLAN: Look("#f2f2f2", "·"),
    UNEXERCISED: Look("#E69F00", "✖"),
    UNEXERCISED_SUBSTANTIATED: Look("#9ecae1", "○"),
    EXERCISED: Look("#0072B2", "✔"),
}

#: recommendation_tracker.status: a recommendation in order, needing attention, without data, or not surveyed.
IN_ORDER = "op_orde"
ATTENTION = "aandacht"
OUT_OF_SCOPE = "buiten_uitvraag"
#: recommendation_tracker.status -> Dutch words.
TRACKER_LABELS: dict[str, str] = {
    IN_ORDER: "op orde",
    ATTENTION: "aandacht",
    MISSING: "onvoldoende gegevens",
    OUT_OF_SCOPE: "buiten de uitvraag",
}
TRACKER_STATUSES: tuple[str, ...] = tuple(TRACKER_LABELS)
#: Colour and glyph per tracker status, in the order of the site's colour scale (least notable first).
TRACKER_LOOKS: dict[str, Look] = {
    OUT_OF_SCOPE: Look("#ffffff", "–"),
    MISSING: Look("#d9d9d9", "?"),
    IN_ORDER: Look("#9ecae1", "✔"),
    ATTENTION: Look("#E69F00", "!"),
}

#: Norm source per register row -> Dutch words.
NORM_SOURCE_LABELS: dict[str, str] = {
    "model": "verwachting uit de risicobasis (model)",
    "landelijk": "landelijk aandeel van het peiljaar",
    "vastgesteld": "landelijke norm (vastgesteld)",
    "modaal": "landelijke modus (geen vastgestelde norm)",
}

#: indicator_summary.overdispersion_method / alternative_method (pipelines.engine.overdispersion) in Dutch.
OVERDISPERSION_LABELS: dict[str, str] = {
    "winsorise": "winsoriseren",
    "truncate": "afkappen",
}

#: Every code of this module (for the test that SQL literals are known codes).
ALL_CODES = frozenset(
    (*VERDICTS, *DIRECTIONS, *SUBMISSION_STATUSES, *PLAN_STATUSES, *TRACKER_STATUSES, *NORM_SOURCE_LABELS)
)
