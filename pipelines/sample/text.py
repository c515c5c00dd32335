"""Free text in Dutch, respondents' names and e-mail parts for the sample returns.

Banks of sentences for the risk, plan, ring-model, equipment and lesson notes,
with a small share of variants that carry quotes, ``&``, ``<``, ``>``, line
breaks or an emoji (so the readers and the site meet them). The names are
invented; they never appear outside the meta module (checked in
:mod:`pipelines.sample.render`).
"""

from __future__ import annotations

from pipelines.sample.helpers import _pick

_FIRST = [
    "Sanne",
    "Joost",
    "Fatima",
    "Pieter",
    "Ingrid",
    "Mohammed",
    "Eline",
    "Bart",
    "Anouk",
    "Ruben",
    "Marieke",
    "Yusuf",
    "Lotte",
    "Hendrik",
    "Esther",
    "Daan",
    "Noor",
    "Wouter",
    "Karin",
    "Thijs",
    "Sevda",
    "Jeroen",
    "Femke",
    "Ahmed",
    "Marloes",
    "Gerrit",
    "Aylin",
    "Koen",
    "Petra",
    "Sjoerd",
]
_LAST = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "El Amrani",
    "Yilmaz",
    "van Dijk",
    "Kuipers",
    "Hoekstra",
    "Postma",
    "van der Meer",
    "Bouzid",
    "Wijnands",
]
_ROLES = [
    "Adviseur crisisbeheersing",
    "Beleidsmedewerker terrorismegevolgbestrijding",
    "Coördinator multidisciplinaire oefeningen",
    "Teamleider bevolkingszorg",
    "Programmamanager TGB",
    "Senior adviseur risicobeheersing",
    "Functionaris OTO (opleiden, trainen, oefenen)",
]

# Each bank: plain sentences, and a few variants with quotes, &, <, >, line breaks or an emoji (picked rarely).
_SPECIAL_SHARE = 0.04
_RISK_NOTES = (
    [
        "Het landelijke dreigingsniveau is substantieel; dat weegt mee in onze inschatting.",
        "{n_obj} objecten in het risicoprofiel, waarvan enkele dicht bij elkaar liggen.",
        "Inschatting van de werkgroep TGB, getoetst door de politie-eenheid.",
        "Scenario's uit de landelijke handreiking zijn vertaald naar de eigen regio.",
        "Drukke binnensteden en stations bepalen voor een groot deel de kans.",
        "De grote evenementen in de zomer zijn apart beoordeeld.",
        "Herziening gepland na de evaluatie van de landelijke oefening.",
        "De beoordeling is afgestemd met de buurregio's.",
    ],
    [
        'Het "Dreigingsbeeld Terrorisme Nederland" is het vertrekpunt van de beoordeling.',
        "Binnensteden, stations & grote evenementen verhogen de kans op een aanslag.",
        "{n_obj} objecten in het risicoprofiel; enkele liggen op <5 km van elkaar.",
        "Vastgesteld in het algemeen bestuur.\nHerziening volgt na de landelijke evaluatie.",
        "Geen grote wijzigingen ten opzichte van vorig jaar 👍",
    ],
)
#: No plan note says the characteristic was exercised in a year it names: a region's reason that does is the
#: planted contradiction (:mod:`pipelines.sample.reasons_plants`), not a background habit.
_PLAN_NOTES = (
    [
        "{Label}: belegd bij de landelijke specialistische eenheden; regionaal beoefenen voegt weinig toe.",
        "{Label} is in {prev} uitgebreid besproken; een oefening staat gepland voor {next}.",
        "{Label} wordt beoefend in het OTO-programma van de politie-eenheid.",
        "Onderdeel van de landelijke oefencyclus; de regio sluit aan bij de oefening van {next}.",
        "Geen capaciteit bij GHOR en gemeenten dit jaar; besluit van het veiligheidsdirectieteam.",
        "{Label} oefenen wij samen met de buurregio; die neemt het voortouw in {next}.",
        "Risico op {label} is in deze regio beperkt; prioriteit ligt bij andere onderdelen.",
    ],
    [
        '{Label}: afspraak met de eenheid "eerst landelijk, dan regionaal".',
        "Geen capaciteit bij GHOR & gemeenten dit jaar; besluit van het veiligheidsdirectieteam.",
        "{Label} is in {prev} besproken.\nEen oefening volgt in {next}.",
    ],
)
_RING_NOTES = (
    [
        "Regionale afspraak: {disc} gaat de {zone} zone alleen in onder dekking van de politie.",
        "Wij volgen het regionale handelingskader uit {prev}; de landelijke invulling volgt.",
        "Besluit veiligheidsdirectie: {disc} werkt in de {zone} zone met beschermende middelen.",
        "Afwijking is tijdelijk; aanpassing na de evaluatie van de oefening in {year}.",
        "Uitrukprocedure en OTO zijn nog niet aangepast aan de landelijke invulling.",
        "Afspraak met de politie-eenheid over de {zone} zone wacht op het landelijke besluit.",
    ],
    [
        'Wij volgen het handelingskader "Veilig optreden" uit {prev}.',
        "Uitrukprocedure & OTO zijn nog niet aangepast aan de landelijke invulling.",
    ],
)
_EQUIP_NOTES = (
    [
        "Aanschaf gepland in {next}; tot die tijd centrale voorraad op de post.",
        "Budget voor {year} niet toegekend; besluit van het algemeen bestuur volgt.",
        "Levering vertraagd door een tekort bij de leverancier.",
        "Alleen op de voertuigen van de eerste uitruk.",
        "Landelijke aanbesteding loopt nog; wij wachten die af.",
        "Uitgifte volgt na training van het personeel.",
        "Vervanging van de huidige vesten loopt; nieuwe levering in {next}.",
    ],
    [
        "Levering vertraagd: tekort bij de leverancier & lange levertijd.",
        "Alleen op de voertuigen van de eerste uitruk (<50% van de voertuigen).",
        "Besluit van de directie:\nuitgifte volgt na training van het personeel.",
    ],
)
_FINDINGS = [
    "Bij {label} was niet direct duidelijk wie de leiding had",
    "Informatie over {label} bereikte het CoPI te laat",
    "Het beeld van {label} werd niet gedeeld tussen politie en GHOR",
    "De afspraken over {label} waren niet bekend bij de bevelvoerders",
    "{Label} kreeg in de eerste fase te weinig aandacht",
    "De meldkamer schaalde bij {label} te laat op",
    "Voor {label} ontbrak een actuele bereikbaarheidslijst",
    "De afstemming met het SGBO over {label} kostte veel tijd",
    "De regionale werkwijze voor {label} week af van de landelijke handreiking",
    "Bij {label} werden de taken van de gemeente laat belegd",
    "Tourniquets en traumapakketten waren niet direct beschikbaar op de eerste voertuigen",
    "Communicatie naar verwanten kwam laat op gang",
]
_ACTIONS = [
    "het draaiboek is aangepast.",
    "de werkinstructie wordt herzien.",
    "dit komt terug in het OTO-programma van volgend jaar.",
    "er volgt een gezamenlijke training met de politie-eenheid.",
    "de meldkamer past de procedure aan.",
    "de afspraken zijn vastgelegd in het regionaal crisisplan.",
    "de kolommen maken hierover nadere afspraken.",
    "een werkgroep werkt dit verder uit.",
]
_LESSON_NOTES = {
    "special": [
        "Communicatie naar verwanten kwam pas na >2 uur op gang; het draaiboek is aangepast.",
        "Het ringenmodel werd door brandweer & ambulancedienst verschillend uitgelegd.\nEen gezamenlijke instructie volgt.",
        "Oefening liep goed 💪 maar {label} verdient meer aandacht.",
        'Uit de evaluatie: "eerst veiligheid, dan hulpverlening" moet vaker worden geoefend.',
    ],
    "other": [
        "Overgenomen van {other}: werkwijze voor de verzamelplaats gewonden bij {label}.",
        "Werkwijze van {other} voor het delen van vertrouwelijke informatie overgenomen.",
        "Na een werkbezoek aan {other} is een korte evaluatie direct na de inzet ingevoerd.",
        "Het oefenscenario van {other} voor {label} is aangepast aan de eigen regio.",
        "De checklist van {other} voor de eerste uitruk bij {label} is overgenomen.",
    ],
    "national": [
        "Landelijke evaluatie: bij {label} moet de veiligheid van hulpverleners vaker worden geoefend.",
        "Landelijke handreiking voor {label} verwerkt in het regionale plan.",
        "Uit het landelijke lessenoverzicht: {label} vraagt vroege afstemming met het OM.",
    ],
    "incident": [
        "Na het incident in {year} is de alarmering bij {label} aangepast.",
        "Incident met een verdacht pakket: afzetting en ontruiming verliepen goed, nazorg kwam laat op gang.",
        "Bij een steekincident in {year} bleek de afstemming over {label} te traag.",
    ],
}


def _fmt(rng, bank, **kw) -> str:
    """A sentence from a bank: (plain, special) or a plain list; ``{label}``/``{Label}`` are filled in."""
    if isinstance(bank, tuple):
        plain, special = bank
        templates = special if rng.random() < _SPECIAL_SHARE else plain
    else:
        templates = bank
    label = kw.get("label", "")
    kw.setdefault("Label", label[:1].upper() + label[1:])
    return _pick(rng, templates).format(**kw)


def _lesson_text(rng, label: str) -> str:
    if rng.random() < _SPECIAL_SHARE:
        return _fmt(rng, _LESSON_NOTES["special"], label=label)
    finding = _fmt(rng, _FINDINGS, label=label)
    return f"{finding}; {_pick(rng, _ACTIONS)}"


def _person(rng) -> dict:
    first, last = _pick(rng, _FIRST), _pick(rng, _LAST)
    return {
        "name": f"{first} {last}",
        "local": f"{first.lower()}.{last.lower().replace(' ', '')}",
        "role": _pick(rng, _ROLES),
    }
