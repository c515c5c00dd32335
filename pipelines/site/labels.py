"""Dutch words the site shows for the codes in the marts.

The codes themselves come from ``docs/method.md`` and :mod:`pipelines.contract.codebook`;
catalogue codes are labelled through ``CATALOGUES[...].label``. An indicator or
status the site does not know is shown by its code, never dropped.
"""

from __future__ import annotations

from pipelines.contract.codebook import CATALOGUES, MODULES

# kind: how a value is read and shown
#   ratio  standardised ratio O/E (value), numerator O, denominator E
#   share  proportion 0..1 (shown as %)
#   yesno  1 = ja, 0 = nee
#   count  whole number
#   score  a score on a scale
INDICATORS: dict[str, dict] = {
    "ex_count": dict(
        label="Oefeningen: waargenomen ten opzichte van verwacht", short="Aantal oefeningen (O/E)",
        domain="oefenen", kind="ratio", polarity="hoger", recommendation=4,
        unit="verhouding waargenomen/verwacht (O/E)", plain_unit="aantal oefeningen", plain_short="Aantal oefeningen",
        denominator="verwacht aantal oefeningen (E)"),
    "ex_multidisciplinary_share": dict(
        label="Aandeel oefeningen met twee of meer disciplines", short="Multidisciplinair oefenen",
        domain="oefenen", kind="share", polarity="hoger", recommendation=4,
        unit="aandeel oefeningen (%)", denominator="aantal oefeningen"),
    "ex_strategic": dict(
        label="Strategische oefening in de laatste drie peiljaren", short="Strategisch geoefend",
        domain="oefenen", kind="yesno", polarity="hoger", recommendation=8, unit="ja (1) / nee (0)"),
    "ex_with_ncc": dict(
        label="Oefening met de nationale crisisorganisatie in de laatste drie peiljaren",
        short="Geoefend met nationale crisisorganisatie", domain="oefenen", kind="yesno", polarity="hoger",
        recommendation=8, unit="ja (1) / nee (0)"),
    "ex_evaluated_share": dict(
        label="Aandeel geëvalueerde oefeningen", short="Oefeningen geëvalueerd",
        domain="oefenen", kind="share", polarity="hoger", recommendation=6,
        unit="aandeel oefeningen (%)", denominator="aantal oefeningen"),
    "plan_coverage": dict(
        label="Aandeel bijzonderheden uit het plan dat in de laatste drie peiljaren is beoefend",
        short="Plan beoefend", domain="planvorming", kind="share", polarity="hoger", recommendation=4,
        unit="aandeel bijzonderheden (%)", denominator="bijzonderheden in het plan"),
    "plan_unexercised_unsubstantiated": dict(
        label="Bijzonderheden in het plan, niet beoefend en niet onderbouwd",
        short="Niet beoefend, niet onderbouwd", domain="planvorming", kind="count", polarity="lager",
        recommendation=4, unit="aantal bijzonderheden"),
    "risk_substantiated": dict(
        label="Risicobeoordeling onderbouwd en bestuurlijk vastgesteld", short="Risicobeoordeling onderbouwd",
        domain="risico", kind="yesno", polarity="hoger", recommendation=1, unit="ja (1) / nee (0)"),
    "risk_probability": dict(
        label="Eigen inschatting van de kans op een aanslag (kans_score)", short="Ingeschatte kans",
        domain="risico", kind="score", polarity="beide", recommendation=1, unit="kans_score (1-5)"),
    "ring_conformity": dict(
        label="Ringenmodel: aandeel van de 9 cellen gelijk aan de landelijke invulling",
        short="Ringenmodel conform", domain="ringenmodel", kind="share", polarity="hoger", recommendation=2,
        unit="aandeel cellen (%)", denominator="cellen zone x discipline"),
    "ring_exercised": dict(
        label="Ringenmodel beoefend in de laatste drie peiljaren", short="Ringenmodel beoefend",
        domain="ringenmodel", kind="yesno", polarity="hoger", recommendation=2, unit="ja (1) / nee (0)"),
    "equipment_parity": dict(
        label="Beschermende middelen: aandeel cellen op of boven de norm", short="Middelen op norm",
        domain="middelen", kind="share", polarity="hoger", recommendation=3,
        unit="aandeel cellen (%)", denominator="cellen functie x middel"),
    "lessons_shared_share": dict(
        label="Aandeel lessen gedeeld via het virtueel kantoor", short="Lessen gedeeld",
        domain="leren", kind="share", polarity="hoger", recommendation=7,
        unit="aandeel lessen (%)", denominator="aantal lessen"),
    "lessons_followed_up_share": dict(
        label="Aandeel lessen waarvan de opvolging is uitgevoerd", short="Lessen opgevolgd",
        domain="leren", kind="share", polarity="hoger", recommendation=6,
        unit="aandeel lessen (%)", denominator="aantal lessen"),
    "lessons_from_others": dict(
        label="Lessen overgenomen van een andere regio in de laatste drie peiljaren",
        short="Lessen van anderen", domain="leren", kind="count", polarity="hoger", recommendation=5,
        unit="aantal lessen"),
}

DOMAINS: dict[str, str] = {
    "oefenen": "Oefenen",
    "planvorming": "Planvorming",
    "risico": "Risicobeoordeling",
    "ringenmodel": "Ringenmodel",
    "middelen": "Beschermende middelen",
    "leren": "Leren",
}

VERDICTS: dict[str, str] = {
    "conform": "conform",
    "gunstige_afwijking": "gunstige afwijking",
    "afwijking_onderbouwd": "afwijking, onderbouwd",
    "afwijking_niet_onderbouwd": "afwijking, niet onderbouwd",
    "onvoldoende_gegevens": "onvoldoende gegevens",
}

NORM_SOURCES: dict[str, str] = {
    "model": "verwachting uit de risicobasis (model)",
    "landelijk": "landelijk aandeel van het peiljaar",
    "vastgesteld": "landelijke norm (vastgesteld)",
    "modaal": "landelijke modus (geen vastgestelde norm)",
}

SUBMISSION: dict[str, str] = {
    "geladen": "geladen",
    "afgewezen": "afgewezen",
    "ontbreekt": "ontbreekt",
    "vervangen": "vervangen",
    "conflict": "conflict",
}

PLAN_STATUS: dict[str, str] = {
    "beoefend": "beoefend",
    "onderbouwd": "niet beoefend, onderbouwd",
    "niet_beoefend": "niet beoefend, niet onderbouwd",
    "niet_in_plan": "niet in het plan",
}

RECOMMENDATION_STATUS: dict[str, str] = {
    "op_orde": "op orde",
    "aandacht": "aandacht",
    "onvoldoende_gegevens": "onvoldoende gegevens",
    "buiten_uitvraag": "buiten de uitvraag",
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

SEVERITY: dict[str, str] = {"error": "fout", "warning": "waarschuwing"}

#: Column headers of run_history (pipelines.ingest.warehouse); other columns are shown by their name.
RUN_HISTORY: dict[str, str] = {
    "run_id": "run", "recorded_at": "tijdstip", "trigger": "aanleiding", "step": "stap", "waves": "peiljaren",
    "units_loaded": "modules geladen", "units_unchanged": "ongewijzigd", "files_rejected": "bestanden afgewezen",
    "summary": "samenvatting",
}


def indicator_meta(indicator_ids: list[str]) -> list[dict]:
    """Meta of the indicators in the data, in the methodology's order; unknown ones last, by code."""
    known = [i for i in INDICATORS if i in indicator_ids]
    unknown = sorted(set(indicator_ids) - set(INDICATORS))
    out = []
    for i in known + unknown:
        m = dict(INDICATORS.get(i, dict(label=i, short=i, domain="", kind="score", polarity="hoger",
                                        recommendation=None, unit="waarde")))
        m["id"] = i
        out.append(m)
    return out


def catalogue_labels() -> dict[str, dict[str, str]]:
    """Every catalogue's code -> Dutch label, for the client side."""
    return {name: {code: cat.label(code) for code in cat.codes} for name, cat in CATALOGUES.items()}


def module_names() -> list[str]:
    return list(MODULES)
