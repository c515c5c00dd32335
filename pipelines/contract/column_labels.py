"""Which mart columns hold codes, and the Dutch words for each code.

The spreadsheet downloads (``benchmark.xlsx`` and the CSV files for Dutch Excel, written by
:mod:`pipelines.publish.downloads`) put a column ``<column>_label`` beside each column listed here,
holding these words; the marts themselves, their Parquet and their CSV files keep only the codes.
The words come from the one home of each code: verdicts, statuses and reasons
(:mod:`~pipelines.contract.verdicts`, :mod:`~pipelines.contract.reasons`), indicators, domains and
recommendations (:mod:`~pipelines.contract.indicators`) and the survey's catalogues
(:mod:`~pipelines.contract.catalogues`). Codes whose Dutch words are the code itself (``hoger``,
``geladen``, ``brandweer``) get no label column. A code not listed here is labelled with itself, never
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pipelines.contract import learning, reasons, verdicts
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.indicators import DOMAINS, INDICATORS, POLARITY_NL, RECOMMENDATIONS

#: The label column of column ``c`` is ``c + LABEL_SUFFIX``.
LABEL_SUFFIX = "_label"


@dataclass(frozen=True)
class Labels:
    """Code -> Dutch words. ``separator``: a cell holds several codes, separated by it; their words are
    then joined by ``joiner``."""

    name: str
    words: Mapping[str, str]
    separator: str | None = None
    joiner: str = "; "

    def label(self, text: str | None) -> str | None:
        """The Dutch words for a cell's text."""
        if text is None:
            return None
        if self.separator is None:
            return self.words.get(text, text)
        return self.joiner.join(self.words.get(code, code) for code in text.split(self.separator))


def _catalogues(*names: str) -> Mapping[str, str]:
    return MappingProxyType({code: CATALOGUES[n].label(code) for n in names for code in CATALOGUES[n].codes})


_INDICATOR_WORDS = MappingProxyType({i.id: i.label for i in INDICATORS})
INDICATOR = Labels("indicator", _INDICATOR_WORDS)
#: A list of indicator ids, as region_scorecard and recommendation_tracker write it ('a, b').
INDICATOR_LIST = Labels("indicator_list", _INDICATOR_WORDS, ", ")
DOMAIN = Labels("domain", MappingProxyType(DOMAINS))
VERDICT = Labels("verdict", MappingProxyType(verdicts.VERDICT_LABELS))
#: Norm sources and norm types share their codes (model, landelijk, vastgesteld; modaal only as a source).
NORM = Labels("norm", MappingProxyType(verdicts.NORM_SOURCE_LABELS))
POLARITY = Labels("polarity", MappingProxyType(POLARITY_NL))
TREND = Labels("trend", MappingProxyType(verdicts.TREND_LABELS))
REASON = Labels("reason", MappingProxyType(reasons.REASON_CODE_LABELS))
RECOMMENDATION = Labels("recommendation", MappingProxyType({str(k): v for k, v in RECOMMENDATIONS.items()}))
OVERDISPERSION = Labels("overdispersion", MappingProxyType(verdicts.OVERDISPERSION_LABELS))
ROLE = Labels("role", _catalogues("functie"))
ITEM = Labels("item", _catalogues("middel"))
LEVEL = Labels("level", _catalogues("beschikbaarheid"))
ACCESS = Labels("access", _catalogues("toegang"))
CHARACTERISTIC = Labels("characteristic", _catalogues("bijzonderheid"))
#: substantiation_register.cell: 'functie/middel', 'zone/discipline' or a plan characteristic.
CELL = Labels("cell", _catalogues("functie", "middel", "zone", "discipline", "bijzonderheid"), "/", " / ")
PLAN_STATUS = Labels("plan_status", MappingProxyType(verdicts.PLAN_LABELS))
TRACKER_STATUS = Labels("tracker_status", MappingProxyType(verdicts.TRACKER_LABELS))
LESSON_ROLE = Labels("lesson_role", MappingProxyType(learning.ROLE_LABELS))
FOLLOWUP = Labels("followup", MappingProxyType(learning.FOLLOWUP_LABELS))
CHANGE = Labels("change", MappingProxyType(learning.CHANGE_LABELS))

#: Column -> its labels, in every mart that has the column.
BY_COLUMN: Mapping[str, Labels] = MappingProxyType(
    {
        "indicator_id": INDICATOR,
        "unjustified_indicators": INDICATOR_LIST,
        "indicator_ids": INDICATOR_LIST,
        "attention_indicators": INDICATOR_LIST,
        "domain": DOMAIN,
        "verdict": VERDICT,
        "norm_source": NORM,
        "norm_type": NORM,
        "polarity": POLARITY,
        "trend": TREND,
        "reason_status": REASON,
        "judgement": REASON,
        "recommendation": RECOMMENDATION,
        "overdispersion_method": OVERDISPERSION,
        "alternative_method": OVERDISPERSION,
        "role": ROLE,
        "item": ITEM,
        "level": LEVEL,
        "norm_level": LEVEL,
        "access": ACCESS,
        "norm_access": ACCESS,
        "characteristic": CHARACTERISTIC,
        "cell": CELL,
        "match_verdict": VERDICT,
        "next_verdict": VERDICT,
        "next_reason_status": REASON,
        "followup_status": FOLLOWUP,
        "status_change": CHANGE,
    }
)
#: (mart, column) -> its labels, where the column's codes differ per mart.
BY_MART_COLUMN: Mapping[tuple[str, str], Labels] = MappingProxyType(
    {
        ("plan_exercise_matrix", "status"): PLAN_STATUS,
        ("recommendation_tracker", "status"): TRACKER_STATUS,
        ("substantiation_register", "status"): REASON,
        ("lesson_roles", "role"): LESSON_ROLE,
        ("lesson_roles", "previous_role"): LESSON_ROLE,
        ("recommendation_followup", "status"): TRACKER_STATUS,
        ("recommendation_followup", "previous_status"): TRACKER_STATUS,
    }
)
#: Every group of labels, by name (each is one lookup table in the SQL).
GROUPS: Mapping[str, Labels] = MappingProxyType({g.name: g for g in (*BY_COLUMN.values(), *BY_MART_COLUMN.values())})


def labels_for(mart: str, column: str) -> Labels | None:
    """The labels of a mart's column, or None when it holds no codes that have Dutch words of their own."""
    return BY_MART_COLUMN.get((mart, column)) or BY_COLUMN.get(column)
