"""Dutch words the site shows for the codes in the marts, and the codes its scripts work with.

The indicators, verdicts and status codes, their Dutch words and their looks live in
:mod:`pipelines.contract.indicators`, :mod:`pipelines.contract.verdicts` and
:mod:`pipelines.contract.statuses`; :data:`CODES` hands them to the scripts;
catalogue codes are labelled through ``CATALOGUES[...].label``. An indicator or
status the site does not know is shown by its code, never dropped.
"""

from __future__ import annotations

import re
from types import ModuleType

from markupsafe import Markup, escape

from pipelines.contract import reasons, statuses, verdicts
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES
from pipelines.contract.definitions import EMPTY_VERDICT_NL
from pipelines.contract.indicators import DOMAINS, POLARITY_NL, RECOMMENDATIONS, Indicator
from pipelines.contract.indicators import INDICATORS as CONTRACT_INDICATORS

__all__ = [
    "DOMAINS",
    "RECOMMENDATIONS",
    "INDICATORS",
    "VERDICTS",
    "VERDICT_SHORT",
    "NORM_SOURCES",
    "SUBMISSION",
    "PLAN_STATUS",
    "RECOMMENDATION_STATUS",
    "REASON_STATUS",
    "SEVERITY",
    "RUN_HISTORY",
    "OVERDISPERSION_METHODS",
    "PEER_FEATURES",
    "source_nl",
    "CODES",
    "PAGE_CODES",
    "indicator_meta",
    "catalogue_labels",
    "module_names",
]


def _site_meta(i: Indicator) -> dict:
    """The site's metadata of one indicator (kind: ratio O/E, share 0..1 shown as %, yesno 1/0, count, score)."""
    m = dict(
        label=i.label,
        short=i.short,
        domain=i.domain,
        kind=i.kind,
        polarity=i.polarity_nl,
        recommendation=i.recommendation,
        unit=i.unit,
    )
    for key in ("plain_unit", "plain_short", "denominator"):
        if getattr(i, key) is not None:
            m[key] = getattr(i, key)
    if i.id in EMPTY_VERDICT_NL:
        m["empty_verdict"] = EMPTY_VERDICT_NL[i.id]
    return m


#: Indicator id -> the site's metadata, derived from pipelines.contract.indicators.
INDICATORS: dict[str, dict] = {i.id: _site_meta(i) for i in CONTRACT_INDICATORS}

VERDICTS: dict[str, str] = verdicts.VERDICT_LABELS
VERDICT_SHORT: dict[str, str] = verdicts.VERDICT_SHORT_LABELS
NORM_SOURCES: dict[str, str] = verdicts.NORM_SOURCE_LABELS
SUBMISSION: dict[str, str] = statuses.SUBMISSION_LABELS
PLAN_STATUS: dict[str, str] = verdicts.PLAN_LABELS
RECOMMENDATION_STATUS: dict[str, str] = verdicts.TRACKER_LABELS
#: The status of a region's reason (substantiation_register.status, variation_register.reason_status).
REASON_STATUS: dict[str, str] = reasons.REASON_CODE_LABELS

SEVERITY: dict[str, str] = {"error": "fout", "warning": "waarschuwing"}

#: indicator_summary.overdispersion_method / alternative_method (pipelines.engine.overdispersion) in Dutch.
OVERDISPERSION_METHODS: dict[str, str] = verdicts.OVERDISPERSION_LABELS


def _names(module: ModuleType, codes: tuple[str, ...]) -> dict[str, str]:
    """The contract's constant for each code, lower case: the name a script uses (verdicts.UNJUSTIFIED: unjustified)."""
    return {k.lower(): v for k, v in vars(module).items() if k.isupper() and isinstance(v, str) and v in codes}


def _group(module: ModuleType, order, looks: dict) -> dict:
    looks = {code: {k: v for k, v in look._asdict().items() if v is not None} for code, look in looks.items()}
    return {"names": _names(module, tuple(order)), "order": list(order), "look": looks}


#: The codes the site's scripts work with, per group of labels (assets/data/common.js; site.js reads it):
#: ``names`` (a script asks Site.code('verdict', 'unjustified'), it never spells a code), ``order`` (for the
#: plan and tracker statuses the order of the colour scale) and ``look``: colour, glyph and marker per code.
CODES: dict[str, dict] = {
    "verdict": {
        **_group(verdicts, verdicts.VERDICTS, verdicts.VERDICT_LOOKS),
        "by_concern": list(verdicts.VERDICTS_BY_CONCERN),
    },
    "submission": {
        "names": _names(statuses, statuses.SUBMISSION_STATUSES),
        "order": list(statuses.SUBMISSION_STATUSES),
        "look": {code: {"glyph": g} for code, g in statuses.SUBMISSION_GLYPHS.items()},
    },
    "plan": _group(verdicts, verdicts.PLAN_LOOKS, verdicts.PLAN_LOOKS),
    "recommendation_status": _group(verdicts, verdicts.TRACKER_LOOKS, verdicts.TRACKER_LOOKS),
    # ``counts``: the statuses with which a reason justifies its deviation
    "reason": {**_group(reasons, reasons.REASON_CODES, reasons.REASON_LOOKS), "counts": list(reasons.COUNTS)},
}


def _emphasis(text: str) -> Markup:
    """Escaped text whose ``**...**`` parts are <strong>."""
    parts = str(escape(text)).split("**")
    return Markup("".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts)))


#: What the templates know of the codes: CODES with each group's Dutch words, and when a verdict is given.
PAGE_CODES: dict[str, dict] = {
    "verdict": {
        **CODES["verdict"],
        "label": VERDICTS,
        "when": {k: _emphasis(v) for k, v in verdicts.VERDICT_WHEN_NL.items()},
    },
    "submission": {**CODES["submission"], "label": SUBMISSION},
    "plan": {**CODES["plan"], "label": PLAN_STATUS},
    "recommendation_status": {**CODES["recommendation_status"], "label": RECOMMENDATION_STATUS},
    "reason": {**CODES["reason"], "label": REASON_STATUS},
}

#: Column headers of run_history (pipelines.ingest.warehouse); other columns are shown by their name.
RUN_HISTORY: dict[str, str] = {
    "run_id": "verwerking",
    "recorded_at": "tijdstip",
    "trigger": "aanleiding",
    "step": "stap",
    "waves": "peiljaren",
    "units_loaded": "modules geladen",
    "units_unchanged": "ongewijzigd",
    "files_rejected": "bestanden afgewezen",
    "summary": "samenvatting",
}


def indicator_meta(indicator_ids: list[str]) -> list[dict]:
    """Meta of the indicators in the data, in the methodology's order; unknown ones last, by code."""
    known = [i for i in INDICATORS if i in indicator_ids]
    unknown = sorted(set(indicator_ids) - set(INDICATORS))
    out = []
    for i in known + unknown:
        m = dict(
            INDICATORS.get(
                i,
                dict(
                    label=i,
                    short=i,
                    domain="",
                    kind="score",
                    polarity=POLARITY_NL["higher"],
                    recommendation=None,
                    unit="waarde",
                ),
            )
        )
        m["id"] = i
        out.append(m)
    return out


def catalogue_labels() -> dict[str, dict[str, str]]:
    """Every catalogue's code -> Dutch label, for the client side."""
    return {name: {code: cat.label(code) for code in cat.codes} for name, cat in CATALOGUES.items()}


def module_names() -> list[str]:
    return list(MODULES)


#: The features of the risk basis on which marts.region_peers finds similar regions (region_peers.features).
PEER_FEATURES: dict[str, str] = {
    "log_population": "inwoners",
    "high_risk_sites": "hoogrisico-objecten",
    "large_events": "grootschalige evenementen",
}


def source_nl(text: str) -> str:
    """A "Bron:" line in words: ``marts.region_scorecard`` -> its Dutch title, ``stg_lessons`` -> the survey's
    module, ``ref_regions`` -> the list of regions, ``(risk_probability)`` -> the indicator's short label.
    The file names themselves are on the downloads page."""
    from pipelines.contract.marts_nl import MART_TITLE_NL

    tables = {m.table: name for name, m in MODULES.items()}

    def word(m: re.Match) -> str:
        token = m.group(0)
        if token.startswith("marts."):
            return MART_TITLE_NL.get(token[6:], token[6:].replace("_", " "))
        if token == "ref_regions":
            return "lijst van de regio's"
        if token in tables:
            return f"module {tables[token]} van de uitvraag"
        if token.startswith("stg_"):
            return "uitvraag"
        return INDICATORS[token]["short"] if token in INDICATORS else token

    out = re.sub(r"marts\.\w+|stg_\w+|ref_regions|\b[a-z]+(?:_[a-z]+)+\b", word, text)
    # one source named twice (two tables of the same survey) is named once
    parts = list(dict.fromkeys(p.strip() for p in out.split(", ")))
    return ", ".join(parts)[:1].upper() + ", ".join(parts)[1:]


def whole_nl(n: float) -> str:
    """A whole number as a Dutch reader writes it: 2500 -> ``2.500``."""
    return f"{int(n):,}".replace(",", ".")


def loaded_when_chosen(n_regions: int, what: str, choice: str = "het peiljaar") -> str:
    """The opening of a page's note beyond OVERVIEW_LIMIT regions: ``what`` (plural) is loaded when the reader
    makes ``choice``. The caller adds what else differs at that scale."""
    return f"Er zijn {whole_nl(n_regions)} regio's: {what} worden pas geladen als u {choice} kiest"
