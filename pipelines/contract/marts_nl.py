"""The marts contract in Dutch, for the analysts' data dictionary on the site (the downloads page).

The contract itself (:mod:`pipelines.contract.marts`, the ``<mart>.toml`` files) is written in English for
the engine and ``docs/marts-contract.md``. Here: each mart's purpose and grain in Dutch, a Dutch description
for the columns analysts read most (a column whose meaning is the same in every mart that has it once, by
name; a column that means something of its own in one mart by mart and name), the Dutch words for DuckDB's
types, and per column the codes it holds with their Dutch words, from the contract's own modules. A column
without a Dutch description is shown with the contract's English one, marked as such.
"""

from __future__ import annotations

from pipelines.contract import reasons, statuses, verdicts
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.indicators import DOMAINS, INDICATORS, RECOMMENDATIONS

#: Each mart's purpose, in Dutch.
MART_PURPOSE_NL: dict[str, str] = {
    "indicator_values": "De kale waarde van elke indicator, vóór elk oordeel: bij het aantal oefeningen het aantal "
    "zelf (niet O/E). Alleen regio's waarvan de modules van de indicator in het peiljaar in gebruik zijn, hebben een rij.",
    "variation_register": "Het oordeel over elke combinatie van peiljaar, regio en indicator, met de norm of de "
    "trechtergrenzen en één Nederlandse zin die een analist kan citeren. Elke regio heeft voor elk peiljaar en elke "
    "indicator een rij (onvoldoende gegevens waar geen waarde is).",
    "indicator_summary": "Het landelijke beeld per peiljaar en indicator: spreiding, overdispersie, hoeveel de "
    "risicobasis verklaart en hoeveel regio's afwijken.",
    "region_scorecard": "Hoeveel indicatoren van een regio in een peiljaar welk oordeel hebben, met de ernst.",
    "equipment_matrix": "De beschikbaarheid van beschermende middelen per regio, functie en middel, tegen de norm; "
    "cellen onder de norm tellen mee voor de indicator middelen op norm.",
    "ring_model_matrix": "De toegang per regio, zone en discipline in het ringenmodel, tegen de norm; elk verschil telt.",
    "plan_exercise_matrix": "Per bijzonderheid uit het plan: in het plan, beoefend in de laatste drie peiljaren, of "
    "met een geldige toelichting onderbouwd waarom oefenen niet nodig is.",
    "recommendation_tracker": "De stand van een regio per aanbeveling van de inspectie; 9 en 10 zijn gericht aan de "
    "minister en vallen buiten de uitvraag.",
    "submission_status": "Wat er per peiljaar met elke module en elk bronbestand van elke regio gebeurde: geladen, "
    "afgewezen, ontbrekend, vervangen of in conflict.",
    "submission_problems": "Elke fout en waarschuwing in elk bronbestand, zo dat de regio en de analist het bestand "
    "kunnen herstellen: waar (bestand, blad, rij, kolom), wat er stond en welke regel het overtreedt.",
    "region_peers": "Per regio en peiljaar de vijf regio's die op de risicobasis (inwoners, hoogrisico-objecten, "
    "grootschalige evenementen) het meest op haar lijken: de groep om haar waarden tegen te lezen.",
    "substantiation_register": "Elke toelichting die een regio gaf bij een afwijking die zij mag onderbouwen, "
    "gewogen: de regels waardoor een toelichting verloopt, de weging door de inspectie, de signalen en de status.",
    "judgement_problems": "Elke rij van de wegingen van de inspectie (wegingen.csv) die niet meetelt, en waarom. "
    "Zo'n rij wordt genegeerd; de verwerking stopt er nooit op.",
    "learning_matches": "Per ongunstige afwijking hoogstens drie regio's om van te leren: vergelijkbaar op de "
    "risicobasis, conform of gunstig op dezelfde indicator, met waarom ze gekozen zijn en hun lessen over hetzelfde "
    "onderwerp.",
    "lesson_flows": "Welke regio lessen overnam van welke andere regio, per peiljaar.",
    "lesson_roles": "Per peiljaar en regio: deelt zij lessen, neemt zij lessen over, beide of geen van beide.",
    "deviation_followup": "Wat er in het volgende peiljaar werd van elke ongunstige afwijking (opgelost, "
    "aanhoudend, verslechterd, onderbouwd of geen gegevens), met de lessen en toelichtingen daartussen.",
    "recommendation_followup": "Het verloop per regio en aanbeveling over alle peiljaren, met het landelijke aantal "
    "regio's dat per peiljaar op orde is.",
}

#: What one row of each mart is, in Dutch.
MART_GRAIN_NL: dict[str, str] = {
    "indicator_values": "één rij per peiljaar × regio × indicator",
    "variation_register": "één rij per peiljaar × regio × indicator",
    "indicator_summary": "één rij per peiljaar × indicator",
    "region_scorecard": "één rij per peiljaar × regio",
    "equipment_matrix": "één rij per peiljaar × regio × functie × middel",
    "ring_model_matrix": "één rij per peiljaar × regio × zone × discipline",
    "plan_exercise_matrix": "één rij per peiljaar × regio × bijzonderheid",
    "recommendation_tracker": "één rij per peiljaar × regio × aanbeveling (1 tot en met 10)",
    "submission_status": "één rij per peiljaar × regio × module × bronbestand",
    "submission_problems": "één rij per probleem (geen sleutel: twee gelijke problemen zijn twee rijen)",
    "region_peers": "één rij per peiljaar × regio × plaats (1 tot en met 5)",
    "substantiation_register": "één rij per peiljaar × regio × indicator × cel waarvoor de regio een toelichting gaf",
    "judgement_problems": "één rij per probleem (geen sleutel), op regelnummer",
    "learning_matches": "één rij per peiljaar × regio × indicator met een ongunstige afwijking × gekozen regio (1-3)",
    "lesson_flows": "één rij per peiljaar × regio waarvan is overgenomen × regio die overnam",
    "lesson_roles": "één rij per peiljaar × regio",
    "deviation_followup": "één rij per peiljaar × regio × indicator met een ongunstige afwijking",
    "recommendation_followup": "één rij per peiljaar × regio × aanbeveling (1 tot en met 10)",
}

#: DuckDB's types in Dutch.
TYPE_NL: dict[str, str] = {
    "integer": "geheel getal",
    "bigint": "geheel getal",
    "double": "decimaal getal",
    "varchar": "tekst",
    "boolean": "waar/onwaar",
    "varchar[]": "lijst van teksten",
    "integer[]": "lijst van gehele getallen",
    "date": "datum",
    "timestamp": "tijdstip",
}

#: Columns that mean the same in every mart that has them.
COLUMN_NL: dict[str, str] = {
    "wave": "Het peiljaar van de uitvraag.",
    "region_code": "De code van de veiligheidsregio (uit data/reference/regions.csv).",
    "region_name": "De naam van de veiligheidsregio.",
    "indicator_id": "De code van de indicator; de Nederlandse naam staat bij de codes.",
    "domain": "Het domein van de indicator.",
    "value": "De waarde van de indicator, in de eenheid van de indicator.",
    "numerator": "De teller van de waarde (bij het aantal oefeningen: het waargenomen aantal O).",
    "denominator": "De noemer van de waarde (bij het aantal oefeningen: het verwachte aantal E).",
    "target": "Het doel of de norm waartegen de waarde wordt gelegd, in dezelfde eenheid.",
    "norm_source": "Waar de norm vandaan komt.",
    "norm_type": "Het soort norm: uit het risicomodel, het landelijke aandeel of één vastgestelde norm.",
    "polarity": "Welke kant gunstig is: hoger, lager of geen van beide.",
    "verdict": "Het oordeel.",
    "substantiated": "Waar: de regio heeft de afwijking onderbouwd.",
    "substantiation": "De onderbouwing zoals de regio die gaf.",
    "window_waves": "De peiljaren waarover de indicator is berekend (het peiljaar en de twee daarvoor).",
    "n_window_waves": "Hoeveel peiljaren in dat venster gegevens hadden.",
    "recommendation": "Het nummer van de aanbeveling van de inspectie waar de indicator bij hoort.",
    "severity": "De ernst van een ongunstige afwijking; 1 is precies op de drempel van het oordeel, hoger is verder "
    "buiten de grenzen (leeg bij andere oordelen).",
    "persistent": "Aanhoudend: ongunstig in dit peiljaar en in minstens één van de twee peiljaren ervoor.",
    "reason_status": "De status van de toelichting van de regio bij deze afwijking (de zwakste als er meer zijn).",
    "reason_status_reason": "Waarom de toelichting die status heeft.",
    "check_return": "Een waarschuwing dat de aanlevering van een module waaruit de indicator komt onwaarschijnlijk "
    "is tegen de eigen eerdere aanleveringen van de regio of zichzelf tegenspreekt: controleer de aanlevering "
    "voordat u het oordeel citeert; leeg als er niets is.",
    "n_unjustified": "Aantal niet onderbouwde afwijkingen (ongunstig en zonder onderbouwing).",
    "n_substantiated": "Aantal onderbouwde afwijkingen.",
    "n_favourable": "Aantal gunstige afwijkingen.",
    "n_missing": "Aantal indicatoren met onvoldoende gegevens.",
    "n_conform": "Aantal indicatoren conform.",
    "n_indicators": "Aantal indicatoren met een oordeel.",
    "n_signal_95": "Aantal vroege signalen: binnen de 99,8%-grenzen, maar buiten de 95%-grenzen.",
    "n_persistent": "Aantal aanhoudende ongunstige afwijkingen.",
    "n_regions": "Aantal regio's met een waarde.",
    "discipline": "De discipline: brandweer, ambulance of politie.",
    "norm_basis": "Hoe de norm van de cel tot stand kwam.",
    "status": "De status; de codes en hun betekenis staan hiernaast.",
    "module": "De module van de uitvraag.",
    "source_file": "Het bronbestand (pad binnen de map van het peiljaar).",
    "message": "De melding in woorden.",
    "row_number": "Het regelnummer (zoals Excel of een teksteditor het toont).",
    "column_name": "De kolom waarin het probleem zit.",
    "rule": "De code van de regel die is overtreden.",
    "lower_95": "Ondergrens van het 95%-interval (vroeg signaal).",
    "upper_95": "Bovengrens van het 95%-interval (vroeg signaal).",
    "lower_998": "Ondergrens van het 99,8%-interval, waarop het oordeel berust.",
    "upper_998": "Bovengrens van het 99,8%-interval, waarop het oordeel berust.",
    "z_score": "De afstand tot het doel in standaardfouten.",
    "direction": "Aan welke kant van de grenzen of de norm de waarde ligt bij een afwijking.",
    "explanation": "Eén zin die het oordeel uitlegt: waarde, norm of grenzen en waarom.",
}

#: Columns that mean something of their own in one mart.
COLUMN_NL_BY_MART: dict[tuple[str, str], str] = {
    ("variation_register", "signal_95"): "Vroeg signaal: aan welke kant de waarde buiten de 95%-grenzen ligt, "
    "terwijl zij binnen de 99,8%-grenzen blijft.",
    ("variation_register", "wave_numerator"): "Alleen het aantal oefeningen: O van dit peiljaar alleen.",
    ("variation_register", "wave_denominator"): "Alleen het aantal oefeningen: E van dit peiljaar alleen, uit het "
    "risicomodel.",
    ("variation_register", "wave_value"): "Alleen het aantal oefeningen: O/E van dit peiljaar alleen.",
    ("variation_register", "wave_lower_998"): "Alleen het aantal oefeningen: de ondergrens van 99,8% van de trechter "
    "van dit peiljaar alleen.",
    ("variation_register", "wave_upper_998"): "Alleen het aantal oefeningen: de bovengrens van 99,8% van de trechter "
    "van dit peiljaar alleen.",
    ("variation_register", "wave_direction"): "Alleen het aantal oefeningen: aan welke kant dit peiljaar alleen buiten "
    "zijn eigen 99,8%-grenzen ligt; het oordeel zelf berust op het venster van drie peiljaren.",
    ("variation_register", "p_unfavourable"): "De eenzijdige kans aan de ongunstige kant; onder 0,001 ligt buiten de "
    "99,8%-grens.",
    ("variation_register", "trend"): "De recente ontwikkeling over de peiljaren van de regio tot en met dit peiljaar.",
    ("variation_register", "trend_p_value"): "De tweezijdige kans van de trendtoets.",
    ("variation_register", "trend_n_waves"): "Hoeveel peiljaren de trendtoets gebruikte.",
    ("recommendation_tracker", "recommendation"): "Het nummer van de aanbeveling (1 tot en met 10).",
    ("region_scorecard", "unjustified_indicators"): "De indicatoren met een afwijking zonder onderbouwing.",
    ("region_scorecard", "severity_score"): "De som van de ernst van alle ongunstige afwijkingen (elk hoogstens 5).",
    ("region_scorecard", "severity_score_unjustified"): "De som van de ernst van de afwijkingen zonder onderbouwing; "
    "het overzicht rangschikt hierop.",
    ("equipment_matrix", "role"): "De functie.",
    ("equipment_matrix", "item"): "Het beschermende middel.",
    ("equipment_matrix", "level"): "De beschikbaarheid in de regio.",
    ("equipment_matrix", "norm_level"): "De beschikbaarheid die de norm vraagt.",
    ("equipment_matrix", "below_norm"): "Waar: onder de norm (telt mee voor middelen op norm).",
    ("equipment_matrix", "above_norm"): "Waar: boven de norm (wordt alleen getoond).",
    ("ring_model_matrix", "zone"): "De zone van het ringenmodel.",
    ("ring_model_matrix", "access"): "De toegang van de discipline tot de zone in de regio.",
    ("ring_model_matrix", "norm_access"): "De toegang die de norm vraagt.",
    ("ring_model_matrix", "deviates"): "Waar: de toegang wijkt af van de norm.",
    ("ring_model_matrix", "deviation_direction"): "Meer of minder toegang dan de norm.",
    ("plan_exercise_matrix", "characteristic"): "De bijzonderheid uit het plan.",
    ("plan_exercise_matrix", "in_plan"): "Waar: de bijzonderheid staat in het plan van de regio.",
    ("plan_exercise_matrix", "exercised_3w"): "Waar: beoefend in de laatste drie peiljaren.",
    ("plan_exercise_matrix", "substantiation_text"): "De toelichting van de regio waarom niet beoefenen volstaat.",
    ("recommendation_tracker", "indicator_ids"): "De indicatoren die bij de aanbeveling horen.",
    ("recommendation_tracker", "attention_indicators"): "De indicatoren met een ongunstige afwijking.",
    ("submission_status", "n_rows"): "Aantal rijen in het bestand.",
    ("submission_status", "n_errors"): "Aantal fouten.",
    ("submission_status", "n_warnings"): "Aantal waarschuwingen.",
    ("submission_status", "earlier_data_in_use"): "Waar: het bestand is afgewezen en eerder geladen gegevens van "
    "deze regio, module en dit peiljaar blijven in gebruik.",
    ("submission_status", "validation_run"): "De toetsing (Great Expectations) die de rijen controleerde: de map "
    "runs/<validation_run>/ in de map met toetsingsresultaten (data/validation/). Leeg als er niets te toetsen was.",
    ("submission_status", "validation_path"): "Het resultaatbestand van die toetsing voor de module, "
    "runs/<validation_run>/<module>.json, onder de map met toetsingsresultaten.",
    ("submission_problems", "sheet"): "Het werkblad.",
    ("submission_problems", "value"): "De waarde zoals die in het bestand stond.",
    ("submission_problems", "severity"): "Fout (het bestand wordt afgewezen) of waarschuwing.",
    ("region_peers", "rank"): "De plaats: 1 is de regio die het meest lijkt.",
    ("region_peers", "peer_code"): "De code van de regio die lijkt.",
    ("region_peers", "peer_name"): "De naam van de regio die lijkt.",
    ("region_peers", "distance"): "De afstand op de gestandaardiseerde risicobasis (kleiner lijkt meer).",
    ("substantiation_register", "cell"): "Wat afwijkt: de bijzonderheid, zone/discipline of functie/middel.",
    ("substantiation_register", "reason_text"): "De toelichting in de woorden van de regio.",
    ("substantiation_register", "valid_until"): "Het jaar tot wanneer de regio de toelichting zelf geldig noemt.",
    ("substantiation_register", "first_wave_same_text"): "Het eerste peiljaar van de reeks met dezelfde tekst.",
    ("substantiation_register", "waves_same_text_in_row"): "Peiljaren op rij met dezelfde tekst voor deze cel.",
    ("substantiation_register", "n_other_regions_same_text"): "Aantal andere regio's met dezelfde tekst in dit "
    "peiljaar.",
    ("substantiation_register", "years_named_past"): "Jaren die de tekst noemt en die vóór het peiljaar liggen.",
    ("substantiation_register", "contradiction"): "Tegenspraak: de tekst zegt dat er is beoefend, de oefeningen "
    "laten dat niet zien.",
    ("substantiation_register", "deviation_waves_in_row"): "Peiljaren op rij waarin deze afwijking bestaat, met of "
    "zonder toelichting.",
    ("substantiation_register", "max_waves_in_row"): "De regel: hoeveel peiljaren op rij een toelichting dezelfde "
    "afwijking mag dragen.",
    ("substantiation_register", "rule_status"): "De status volgens de regels alleen (geldig of verlopen).",
    ("substantiation_register", "rule_reason"): "Waarom de regels die status geven.",
    ("substantiation_register", "judgement"): "De weging door de inspectie (wegingen.csv), als die er is.",
    ("substantiation_register", "judgement_motivation"): "De motivering van de weging.",
    ("substantiation_register", "judged_by"): "Wie woog.",
    ("substantiation_register", "judged_on"): "Wanneer gewogen.",
    ("substantiation_register", "status"): "De status van de toelichting: de weging gaat voor de regels.",
    ("substantiation_register", "status_reason"): "Waarom de toelichting die status heeft.",
    ("substantiation_register", "verdict"): "Het oordeel over de indicator van de regio in dit peiljaar.",
}

_REASONS = reasons.REASON_CODE_LABELS
#: A column's codes and their Dutch words: by (mart, column), else by column in every mart.
_CODES_BY_MART: dict[tuple[str, str], dict[str, str]] = {
    ("plan_exercise_matrix", "status"): verdicts.PLAN_LABELS,
    ("recommendation_tracker", "status"): verdicts.TRACKER_LABELS,
    ("submission_status", "status"): statuses.SUBMISSION_LABELS,
    ("substantiation_register", "status"): _REASONS,
    ("substantiation_register", "rule_status"): _REASONS,
    ("substantiation_register", "judgement"): _REASONS,
    ("equipment_matrix", "role"): {c: CATALOGUES["functie"].label(c) for c in CATALOGUES["functie"].codes},
    ("equipment_matrix", "item"): {c: CATALOGUES["middel"].label(c) for c in CATALOGUES["middel"].codes},
    ("equipment_matrix", "level"): {
        c: CATALOGUES["beschikbaarheid"].label(c) for c in CATALOGUES["beschikbaarheid"].codes
    },
    ("equipment_matrix", "norm_level"): {
        c: CATALOGUES["beschikbaarheid"].label(c) for c in CATALOGUES["beschikbaarheid"].codes
    },
    ("ring_model_matrix", "zone"): {c: CATALOGUES["zone"].label(c) for c in CATALOGUES["zone"].codes},
    ("ring_model_matrix", "access"): {c: CATALOGUES["toegang"].label(c) for c in CATALOGUES["toegang"].codes},
    ("ring_model_matrix", "norm_access"): {c: CATALOGUES["toegang"].label(c) for c in CATALOGUES["toegang"].codes},
    ("plan_exercise_matrix", "characteristic"): {
        c: CATALOGUES["bijzonderheid"].label(c) for c in CATALOGUES["bijzonderheid"].codes
    },
}
_CODES: dict[str, dict[str, str]] = {
    "verdict": verdicts.VERDICT_LABELS,
    "reason_status": _REASONS,
    "norm_source": verdicts.NORM_SOURCE_LABELS,
    "domain": DOMAINS,
    "indicator_id": {i.id: i.label for i in INDICATORS},
    "trend": verdicts.TREND_LABELS,
    "recommendation": {str(k): v for k, v in RECOMMENDATIONS.items()},
    "discipline": {c: CATALOGUES["discipline"].label(c) for c in CATALOGUES["discipline"].codes},
}


def column_nl(mart: str, column: str) -> str | None:
    """The Dutch description of a column of a mart, or None where there is only the English one."""
    return COLUMN_NL_BY_MART.get((mart, column)) or COLUMN_NL.get(column)


def code_labels(mart: str, column: str) -> dict[str, str] | None:
    """The codes a column of a mart holds, each with its Dutch words; None for a column without codes."""
    return _CODES_BY_MART.get((mart, column)) or _CODES.get(column)


#: Each mart's name for a reader (the site's "Bron:" lines); the file names stay on the downloads page.
MART_TITLE_NL: dict[str, str] = {
    "indicator_values": "waarden van de indicatoren",
    "variation_register": "register van de oordelen",
    "indicator_summary": "landelijk beeld per indicator",
    "region_scorecard": "scorekaart per regio",
    "equipment_matrix": "beschermende middelen per functie",
    "ring_model_matrix": "ringenmodel per zone en discipline",
    "plan_exercise_matrix": "plan en oefenen per bijzonderheid",
    "recommendation_tracker": "stand van de aanbevelingen",
    "submission_status": "aanleveringen per module",
    "submission_problems": "meldingen per cel van de aanleveringen",
    "substantiation_register": "register van de toelichtingen",
    "judgement_problems": "genegeerde wegingen",
    "region_peers": "vergelijkbare regio's",
    "learning_matches": "leerkansen tussen regio's",
    "lesson_flows": "lessen tussen regio's",
    "lesson_roles": "rollen in het leren",
    "deviation_followup": "opvolging van afwijkingen",
    "recommendation_followup": "opvolging van de aanbevelingen",
}
