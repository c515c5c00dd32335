"""Learning from each other (issue 21): the facts the learning marts use, in one home.

- :data:`LESSON_SUBJECTS`: which lessons touch the subject of a deviation, per
  indicator, as ``bijzonderheid`` codes (the lessons module tags every lesson
  with one). ``build.prepare`` writes them as ``int_lesson_subjects`` and
  :data:`SUBJECT_KIND` as ``int_indicator_definitions.lesson_subject``; the
  SQL joins on those, never on an indicator id.
- the codes of ``learning_matches``, ``lesson_roles``, ``deviation_followup``
  and ``recommendation_followup`` with their Dutch labels;
- the cap on matches and the rule that makes a deviation ``verslechterd``.

``docs/learning.md`` describes the method; ``tests/contract/test_contract.py``
checks that every code the SQL sets is one of :data:`CODES`.
"""

from __future__ import annotations

from pipelines.contract import indicators as I
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.verdicts import MISSING

#: Every characteristic a lesson can be tagged with.
ALL_CHARACTERISTICS: tuple[str, ...] = CATALOGUES["bijzonderheid"].codes

#: How the subject of a deviation is found (int_indicator_definitions.lesson_subject):
#: a fixed list of characteristics (int_lesson_subjects), or the deviating region's own plan.
FIXED = "bijzonderheden"
PLAN_UNEXERCISED = "plan_niet_beoefend"  # characteristics in the region's plan not exercised in the last three waves
PLAN_CELLS = "afwijkende_cellen"  # the deviation's own cells: of those, the ones without a reason that counts
SUBJECT_KINDS = (FIXED, PLAN_UNEXERCISED, PLAN_CELLS)

_MULTIDISCIPLINARY = ("politie_leiding", "plaats_delict", "informatiedeling")
_STRATEGIC = ("crisiscommunicatie", "maatschappelijke_impact", "nationale_opschaling", "bovenregionale_bijstand")

#: Indicator -> (the characteristics a lesson must carry to touch its subject, why). Empty: no characteristic
#: of the catalogue is about it (the region to learn from is still named, without lessons).
LESSON_SUBJECTS: dict[str, tuple[tuple[str, ...], str]] = {
    I.EX_COUNT: (ALL_CHARACTERISTICS, "every lesson comes from practice; how much a region exercises has no one topic"),
    I.EX_MULTIDISCIPLINARY_SHARE: (
        _MULTIDISCIPLINARY,
        "the characteristics where disciplines must work together: police command, crime scene beside care, "
        "sharing confidential information",
    ),
    I.EX_STRATEGIC: (_STRATEGIC, "the strategic (administrative) level's topics"),
    I.EX_WITH_NCC: (("nationale_opschaling",), "the plan characteristic that carries the indicator"),
    I.EX_EVALUATED_SHARE: (ALL_CHARACTERISTICS, "an evaluation can yield a lesson on any characteristic"),
    I.PLAN_COVERAGE: ((), "the characteristics in the region's own plan it did not exercise in the last three waves"),
    I.PLAN_UNEXERCISED_UNSUBSTANTIATED: ((), "the deviating cells: characteristics not exercised, no reason counting"),
    I.RISK_SUBSTANTIATED: ((), "no characteristic is about the risk assessment"),
    I.RISK_PROBABILITY: ((), "no characteristic is about the risk assessment"),
    I.RING_CONFORMITY: (("ringenmodel",), "the ring model"),
    I.RING_EXERCISED: (("ringenmodel",), "the plan characteristic that carries the indicator"),
    I.EQUIPMENT_PARITY: (
        ("massaslachtoffers", "ringenmodel"),
        "bleeding control (tourniquet, gauze, chest seal) is used with mass casualties; vests and helmets are "
        "what lets a responder into the warm zone of the ring model",
    ),
    I.LESSONS_SHARED_SHARE: (ALL_CHARACTERISTICS, "the practice of learning itself: every lesson shows it"),
    I.LESSONS_FOLLOWED_UP_SHARE: (ALL_CHARACTERISTICS, "the practice of learning itself: every lesson shows it"),
    I.LESSONS_FROM_OTHERS: (ALL_CHARACTERISTICS, "the practice of learning itself: every lesson shows it"),
}
#: Indicator -> how its subject is found (the indicators not named here: FIXED).
SUBJECT_KIND: dict[str, str] = {I.PLAN_COVERAGE: PLAN_UNEXERCISED, I.PLAN_UNEXERCISED_UNSUBSTANTIATED: PLAN_CELLS}

#: Regions listed per deviation in learning_matches.
MAX_MATCHES = 3
#: The regions considered per deviation: the nearest this many on the risk basis (int_region_distances keeps
#: them). With 25 regions that is every region; with thousands it keeps the matches linear in the regions.
NEAREST_CONSIDERED = 50

#: deviation_followup.followup_status: what became of an unfavourable deviation in the next wave.
RESOLVED = "opgelost"
PERSISTS = "aanhoudend"
WORSENED = "verslechterd"
SUBSTANTIATED_NEXT = "onderbouwd"
NO_DATA = "geen_gegevens"
FOLLOWUP_LABELS: dict[str, str] = {
    RESOLVED: "opgelost: het volgende peiljaar conform of gunstig",
    SUBSTANTIATED_NEXT: "het volgende peiljaar een afwijking met een onderbouwing die telt",
    PERSISTS: "aanhoudend: het volgende peiljaar weer een afwijking zonder onderbouwing",
    WORSENED: "verslechterd: de onderbouwing telt niet meer, of de afwijking is duidelijk ernstiger",
    NO_DATA: "geen gegevens: geen volgend peiljaar, of geen oordeel in het volgende peiljaar",
}
FOLLOWUP_STATUSES: tuple[str, ...] = tuple(FOLLOWUP_LABELS)
#: The next wave's deviation is 'verslechterd' when its severity is at least this many times this wave's
#: (severity 1 is the verdict threshold, docs/verdicts.md 4b). A proposal for the inspectorate to confirm.
WORSENED_SEVERITY_RATIO = 1.5

#: lesson_roles.role: a region's part in the exchange of lessons in a wave.
SHARES = "deelt"
TAKES_OVER = "neemt_over"
BOTH = "beide"
NEITHER = "geen"
ROLE_LABELS: dict[str, str] = {
    SHARES: "deelt: deelde via het virtueel kantoor of een andere regio nam een les van haar over",
    TAKES_OVER: "neemt over: nam een les van een andere regio over",
    BOTH: "deelt en neemt over",
    NEITHER: "geen van beide",
    MISSING: "onvoldoende gegevens: de module lessen is niet in gebruik",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS)

#: recommendation_followup.status_change: the status of a recommendation against the previous wave.
IMPROVED = "verbeterd"
UNCHANGED = "ongewijzigd"
CHANGE_LABELS: dict[str, str] = {
    IMPROVED: "verbeterd: van aandacht naar op orde",
    WORSENED: "verslechterd: van op orde naar aandacht",
    UNCHANGED: "ongewijzigd",
    NO_DATA: "geen gegevens: geen vorig peiljaar, of een van beide zonder gegevens",
}
CHANGES: tuple[str, ...] = tuple(CHANGE_LABELS)

#: Every code of this module (for the test that SQL literals are known codes).
CODES = frozenset((*FOLLOWUP_STATUSES, *ROLES, *CHANGES, *SUBJECT_KINDS))

assert set(LESSON_SUBJECTS) == set(I.INDICATOR_IDS)
assert all(c in ALL_CHARACTERISTICS for codes, _ in LESSON_SUBJECTS.values() for c in codes)
assert all(not LESSON_SUBJECTS[i][0] for i in SUBJECT_KIND) and set(SUBJECT_KIND.values()) <= set(SUBJECT_KINDS)
