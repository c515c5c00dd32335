"""What each indicator counts and where it comes from, in Dutch: the facts of the definitions page.

Beside :mod:`pipelines.contract.indicators` (label, unit, polarity, norm type, window, recommendation)
this module says per indicator what its numerator and denominator are and which survey fields
(``module.veld`` of :mod:`pipelines.contract.codebook`) it is computed from, as the SQL models
``pipelines/sql/intermediate/int_<id>.sql`` compute it; and per norm type where the norm comes from.
``tests/contract/test_definitions.py`` checks that every indicator has a definition and that every
field named exists in the codebook.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.contract import indicators as I


@dataclass(frozen=True)
class Definition:
    numerator: str
    denominator: str | None  # None: the indicator is not a fraction (see KIND_NL)
    fields: tuple[str, ...]  # 'module.veld' of the codebook


#: What a value of each kind is, where there is no denominator to name.
KIND_NL = {
    "ratio": "verhouding waargenomen / verwacht",
    "share": "aandeel (teller gedeeld door noemer)",
    "yesno": "ja of nee: 1 als de teller minstens één is (of de voorwaarde geldt), anders 0",
    "count": "een aantal, zonder noemer",
    "score": "een score zoals de regio die opgaf, zonder noemer",
}

#: The window in Dutch (indicators.WINDOWS).
WINDOW_NL = {
    "wave": "het peiljaar zelf",
    "lookback": "het peiljaar en de twee peiljaren ervoor (de laatste drie peiljaren)",
}

#: Where the norm of each norm type comes from.
NORM_ORIGIN_NL = {
    I.MODEL: "Het risicomodel: de verwachte waarde volgt uit de risicobasis van de regio (inwoners, "
    "hoogrisico-objecten, grootschalige evenementen), geschat over alle regio's van het peiljaar; een regio "
    "wijkt af buiten de 99,8%-grenzen van de trechter.",
    I.NATIONAL: "Het landelijke niveau: het gemiddelde van alle regio's in het peiljaar; een regio wijkt af "
    "buiten de 99,8%-grenzen van de trechter rond dat niveau.",
    I.UNIFORM: "Een vaste norm, voor elke regio gelijk.",
}

#: Norms per cell in an analysts' file under data/reference (a cell the file leaves empty: the national mode).
NORM_FILES = {
    I.RING_CONFORMITY: "data/reference/ring_model_norms.csv",
    I.EQUIPMENT_PARITY: "data/reference/equipment_norms.csv",
}
#: What the norm file holds and what an empty cell in it means.
NORM_FILE_NL = (
    "De norm per cel staat in {file}, vastgesteld door de analisten; een cel zonder norm in dat bestand "
    "krijgt de modale waarde van de regio's in het peiljaar (norm ‘modaal’)."
)

_EX = "oefeningen"
DEFINITIONS: dict[str, Definition] = {
    I.EX_COUNT: Definition(
        "aantal oefeningen met een terroristisch scenario in het peiljaar (O)",
        "verwacht aantal oefeningen volgens de risicobasis (E)",
        (f"{_EX}.oefening_id", "risico.hoogrisico_objecten", "risico.grootschalige_evenementen"),
    ),
    I.EX_MULTIDISCIPLINARY_SHARE: Definition(
        "oefeningen met twee of meer deelnemende disciplines",
        "alle oefeningen in het peiljaar",
        (f"{_EX}.oefening_id", f"{_EX}.disciplines"),
    ),
    I.EX_STRATEGIC: Definition(
        "oefeningen op strategisch niveau in de laatste drie peiljaren",
        None,
        (f"{_EX}.oefening_id", f"{_EX}.niveau"),
    ),
    I.EX_WITH_NCC: Definition(
        "oefeningen met de nationale crisisorganisatie in de laatste drie peiljaren",
        None,
        (
            f"{_EX}.met_nationale_crisisorganisatie",
            "planvorming.niet_beoefenen_onderbouwd",
            "planvorming.onderbouwing",
            "planvorming.geldig_tot",
        ),
    ),
    I.EX_EVALUATED_SHARE: Definition(
        "geëvalueerde oefeningen",
        "alle oefeningen in het peiljaar",
        (f"{_EX}.oefening_id", f"{_EX}.geevalueerd"),
    ),
    I.PLAN_COVERAGE: Definition(
        "bijzonderheden uit het plan die in de laatste drie peiljaren in een oefening zijn beoefend",
        "bijzonderheden die het plan noemt",
        ("planvorming.bijzonderheid", "planvorming.in_plan", f"{_EX}.beoefende_bijzonderheden"),
    ),
    I.PLAN_UNEXERCISED_UNSUBSTANTIATED: Definition(
        "bijzonderheden uit het plan die in de laatste drie peiljaren niet zijn beoefend en waarvoor geen "
        "toelichting telt",
        None,
        (
            "planvorming.bijzonderheid",
            "planvorming.in_plan",
            "planvorming.niet_beoefenen_onderbouwd",
            "planvorming.onderbouwing",
            "planvorming.geldig_tot",
            f"{_EX}.beoefende_bijzonderheden",
        ),
    ),
    I.RISK_SUBSTANTIATED: Definition(
        "1 als de risicobeoordeling een methode heeft (niet ‘geen’), schriftelijk is onderbouwd én bestuurlijk "
        "is vastgesteld",
        None,
        ("risico.methode", "risico.onderbouwing_aanwezig", "risico.bestuurlijk_vastgesteld"),
    ),
    I.RISK_PROBABILITY: Definition(
        "de kans op een aanslag zoals de regio die zelf inschat (1 tot en met 5)",
        None,
        (
            "risico.kans_score",
            "risico.hoogrisico_objecten",
            "risico.grootschalige_evenementen",
            "risico.methode",
            "risico.onderbouwing_aanwezig",
            "risico.bestuurlijk_vastgesteld",
        ),
    ),
    I.RING_CONFORMITY: Definition(
        "cellen zone × discipline waarvan de toegang gelijk is aan de norm",
        "de 9 cellen zone × discipline",
        ("ringenmodel.zone", "ringenmodel.discipline", "ringenmodel.toegang", "ringenmodel.afwijking_toelichting"),
    ),
    I.RING_EXERCISED: Definition(
        "1 als het ringenmodel in de laatste drie peiljaren in een oefening is beoefend",
        None,
        (f"{_EX}.beoefende_bijzonderheden", "planvorming.niet_beoefenen_onderbouwd", "planvorming.onderbouwing"),
    ),
    I.EQUIPMENT_PARITY: Definition(
        "cellen functie × middel waarvan de beschikbaarheid op of boven de norm ligt",
        "alle cellen functie × middel",
        ("middelen.functie", "middelen.middel", "middelen.beschikbaarheid", "middelen.afwijking_toelichting"),
    ),
    I.LESSONS_SHARED_SHARE: Definition(
        "lessen gedeeld via het virtueel kantoor",
        "alle lessen in het peiljaar",
        ("lessen.les_id", "lessen.gedeeld"),
    ),
    I.LESSONS_FOLLOWED_UP_SHARE: Definition(
        "lessen waarvan de opvolging is uitgevoerd",
        "alle lessen in het peiljaar",
        ("lessen.les_id", "lessen.opvolging"),
    ),
    I.LESSONS_FROM_OTHERS: Definition(
        "lessen met als bron een andere regio in de laatste drie peiljaren",
        None,
        ("lessen.bron", "lessen.overgenomen_van"),
    ),
}

#: The verdict's words where a share has nothing to divide by (Indicator.empty_reason): what there was not,
#: instead of 'onvoldoende gegevens' (the region did return the module; it held no exercises).
EMPTY_VERDICT_NL = {
    I.EX_MULTIDISCIPLINARY_SHARE: "geen oefeningen gehouden",
    I.EX_EVALUATED_SHARE: "geen oefeningen gehouden",
    I.PLAN_COVERAGE: "geen bijzonderheden in het plan",
    I.LESSONS_SHARED_SHARE: "geen lessen gemeld",
    I.LESSONS_FOLLOWED_UP_SHARE: "geen lessen gemeld",
}
