"""The definitions page: per indicator what it counts, from which survey fields, against which norm.

Every fact comes from the contract (:mod:`pipelines.contract.indicators`, :mod:`~pipelines.contract.definitions`,
:mod:`~pipelines.contract.codebook`, :mod:`~pipelines.contract.reasons`); only the warning for an indicator
that flagged no region is computed, from the verdicts in the data (``variation_register``).
"""

from __future__ import annotations

import pandas as pd

from pipelines.contract import definitions as D
from pipelines.contract import verdicts
from pipelines.contract.catalogues import CATALOGUES, readable
from pipelines.contract.codebook import MODULES
from pipelines.contract.indicators import DOMAINS, INDICATORS, RECOMMENDATIONS, Indicator
from pipelines.contract.reasons import REASON_INDICATORS
from pipelines.site.labels import whole_nl

POLARITY_SENTENCE = {
    "higher": "hoger is gunstiger",
    "lower": "lager is gunstiger",
    "both": "beide kanten zijn ongunstig: een afwijking naar boven of naar beneden telt",
}


def plural(n: int, one: str, many: str) -> str:
    """``1 regio``, ``2 regio's``: the count with the singular or the plural, the number in Dutch notation."""
    return whole_nl(n) + " " + (one if n == 1 else many)


def field_text(ref: str) -> dict:
    """A codebook field 'module.veld' as the survey asks it: module, field name and its description."""
    module, name = ref.split(".", 1)
    f = MODULES[module].field(name)
    text = readable(f.description)
    if f.catalogue:
        text += (
            " (keuze uit: " + ", ".join(CATALOGUES[f.catalogue].label(c) for c in CATALOGUES[f.catalogue].codes) + ")"
        )
    return {"module": module, "field": name, "text": text}


def _norm(i: Indicator) -> tuple[str, str]:
    """(the norm, where it comes from)."""
    origin = D.NORM_ORIGIN_NL[i.norm_type]
    if i.id in D.NORM_FILES:
        origin += " " + D.NORM_FILE_NL.format(file=D.NORM_FILES[i.id])
    if i.norm_type == "vastgesteld":
        norm = i.norm_phrase or (f"{i.target:g}" if i.target is not None else "")
    elif i.norm_type == "model":
        norm = "de verwachte waarde voor de regio volgens het risicomodel"
    else:
        norm = "het landelijke niveau van het peiljaar"
    return norm, origin


def flag_warning(i: Indicator, register: pd.DataFrame | None) -> str | None:
    """A plain warning when the indicator judged no region unfavourable in any wave of the data; None otherwise."""
    if register is None or not len(register):
        return None
    rows = register[register["indicator_id"] == i.id]
    judged = rows[rows["verdict"] != verdicts.MISSING]
    if not len(judged) or judged["verdict"].isin(verdicts.UNFAVOURABLE).any():
        return None
    n, waves = len(judged), judged["wave"].nunique()
    conform = int((judged["verdict"] == verdicts.CONFORM).sum())
    favourable = n - conform
    text = (
        f"Deze indicator kan in deze gegevens niemand aanwijzen: in {plural(waves, 'peiljaar', 'peiljaren')} "
        f"{'is' if conform == 1 else 'zijn'} {conform} van de {plural(n, 'cel', 'cellen')} (regio × peiljaar met een "
        f"waarde) conform"
    )
    if favourable:
        text += f" en {favourable} gunstig afwijkend"
    return (
        text + "; geen enkele regio wijkt ongunstig af. Met de huidige grenzen signaleert zij geen ongunstig verschil."
    )


def definitions(register: pd.DataFrame | None) -> list[dict]:
    """Per indicator, in the methodology's order, everything the definitions page says of it."""
    out = []
    for i in INDICATORS:
        d = D.DEFINITIONS[i.id]
        norm, origin = _norm(i)
        out.append(
            {
                "id": i.id,
                "label": i.label,
                "short": i.short,
                "domain": DOMAINS[i.domain],
                "numerator": d.numerator,
                "denominator": d.denominator,
                "kind": D.KIND_NL[i.kind],
                "unit": i.unit,
                "fields": [field_text(f) for f in d.fields],
                "window": D.WINDOW_NL[i.window],
                "norm": norm,
                "norm_origin": origin,
                "polarity": POLARITY_SENTENCE[i.polarity],
                "reason": i.id in REASON_INDICATORS,
                "substantiation": i.substantiation_phrases[0] if i.substantiation_phrases else None,
                "recommendation": f"{i.recommendation}. {RECOMMENDATIONS[i.recommendation]}",
                "warning": flag_warning(i, register),
            }
        )
    return out
