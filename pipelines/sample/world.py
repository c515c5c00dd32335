"""Deterministic sample returns, with a planted and documented ground truth.

:func:`generate` writes a synthetic but plausible world of survey returns under
``out/<wave>/`` and, on request, the *ground truth*: the verdicts the pipeline
must reach for a known set of planted deviations (``tests/ground_truth/planted.csv``).

Everything derives from :mod:`pipelines.contract.codebook` (modules, fields, grids,
catalogues) and from the reference data (regions, norm files). The few codes the
generator must name (the strategic level, the ring model, the method ``geen``,
...) are looked up in the codebook when this module is imported, so a renamed
code fails loudly here.

How the world is built
----------------------
1. *Design*: which region gets which planted deviation, in which waves
   (:func:`_design`). Plants are constraints: tokens an exercise or lesson may
   not carry (``forbid``), must carry (``require``), forced counts or attributes,
   locked plan cells, and overrides of the risk, ring-model and equipment cells.
2. *Simulation* (:func:`_simulate`): per region and wave, respecting the design.
   Exercise counts are Poisson with a risk-driven mean times a lognormal region
   factor (overdispersion); the risk method drives the self-assessed
   ``kans_score``; ring-model and equipment variants converge slowly after 2020;
   plans name characteristics that are not exercised; lessons are rarely shared
   via the virtual office.
3. *Discipline* (:func:`_discipline`): in the planting waves (the last three)
   every region is made conform on every rule-based indicator unless a plant
   says otherwise, so that the ground truth of those (wave, indicator) pairs is
   complete: conform or planted, nothing accidental.
4. *Oracle* (:func:`uniform_verdicts`): an independent implementation of the
   rule-based indicators of ``docs/method.md`` computes every verdict from the
   generated data; the design's intentions are checked against it, and the
   planted proportions are checked against funnel limits computed here.
5. *Rendering*: the same world can be written as survey-tool exports, as one
   workbook per region, or in the shipped mix (``form=None``).

The low-level writers :func:`write_workbook` and :func:`write_export` are
public so tests can build broken files with them. Workbooks carry fixed
document properties and xlsxwriter writes fixed zip timestamps, so the bytes
are identical across runs.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import math
import shutil
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from pipelines.contract.codebook import BOOLEAN_WORDS, CATALOGUES, MODULES, REGION_COLUMN, ROLE_DISCIPLINE, Field, Module
from pipelines.core.paths import REFERENCE
from pipelines.contract.reference import Region, load_equipment_norms, load_regions, load_ring_norms

__all__ = [
    "generate",
    "make_regions",
    "write_regions_csv",
    "write_workbook",
    "write_export",
    "uniform_verdicts",
    "slug",
    "INDICATORS",
    "UNIFORM_INDICATORS",
    "STATISTICAL_INDICATORS",
    "VERDICTS",
    "GROUND_TRUTH_COLUMNS",
]

# ---------------------------------------------------------------------------
# Names the generator needs from the codebook and the methodology
# ---------------------------------------------------------------------------


def _module(name: str) -> Module:
    return MODULES[name]  # KeyError when the codebook renames a module


META, RISK, PLAN, EXER, RING, EQUIP, LESSONS = (
    _module(n) for n in ("meta", "risico", "planvorming", "oefeningen", "ringenmodel", "middelen", "lessen")
)


def _code(catalogue: str, code: str) -> str:
    if code not in CATALOGUES[catalogue].codes:
        raise AssertionError(f"sample: code {code!r} is not in catalogue {catalogue!r}")
    return code


def _fields(module: Module, *names: str) -> tuple[str, ...]:
    for n in names:
        module.field(n)  # KeyError when the codebook renames a field
    return names


# fields set by hand (checked once here; every written row is checked against its module too)
_fields(META, "ingevuld_door", "email", "functie", "datum_ingevuld")
_fields(RISK, "methode", "kans_score", "impact_score", "extra_voorbereiding", "onderbouwing_aanwezig",
        "bestuurlijk_vastgesteld", "datum_vastgesteld", "hoogrisico_objecten", "grootschalige_evenementen", "toelichting")
_fields(PLAN, "bijzonderheid", "in_plan", "niet_beoefenen_onderbouwd", "onderbouwing")
_fields(EXER, "oefening_id", "datum", "niveau", "vorm", "scenario", "disciplines", "met_nationale_crisisorganisatie",
        "met_andere_regio", "beoefende_bijzonderheden", "geevalueerd", "deelnemers")
_fields(RING, "zone", "discipline", "toegang", "afwijking_toelichting")
_fields(EQUIP, "discipline", "functie", "middel", "beschikbaarheid", "aantal", "training_gevolgd", "afwijking_toelichting")
_fields(LESSONS, "les_id", "bron", "bron_oefening_id", "bijzonderheid", "omschrijving", "gedeeld", "opvolging",
        "overgenomen_van")

STRATEGIC = _code("niveau", "strategisch")
NCC_CHAR = _code("bijzonderheid", "nationale_opschaling")
RING_CHAR = _code("bijzonderheid", "ringenmodel")
MASS_CHAR = _code("bijzonderheid", "massaslachtoffers")
METHOD_NONE = _code("methode", "geen")
METHOD_NCTV = _code("methode", "nctv_dreigingsbeeld")
METHOD_EXPERT = _code("methode", "expert_oordeel")
METHOD_PROFILE = _code("methode", "regionaal_risicoprofiel")
SRC_EXERCISE = _code("bron", "oefening")
SRC_OTHER = _code("bron", "andere_regio")
SRC_INCIDENT = _code("bron", "incident")
SRC_NATIONAL = _code("bron", "landelijk")
SHARED_VK = _code("gedeeld", "virtueel_kantoor")
FOLLOW_DONE = _code("opvolging", "uitgevoerd")
YES, NO, PARTLY = (_code("ja_nee_deels", c) for c in ("ja", "nee", "deels"))

CHARS = CATALOGUES["bijzonderheid"].codes
ZONES = CATALOGUES["zone"].codes
CORE_DISCIPLINES = CATALOGUES["discipline"].codes
ACCESS = CATALOGUES["toegang"]
AVAIL = CATALOGUES["beschikbaarheid"]
assert ACCESS.levels is not None and AVAIL.levels is not None

#: Indicator ids of docs/method.md, in its order.
INDICATORS = (
    "ex_count", "ex_multidisciplinary_share", "ex_strategic", "ex_with_ncc", "ex_evaluated_share", "plan_coverage",
    "plan_unexercised_unsubstantiated", "risk_substantiated", "risk_probability", "ring_conformity", "ring_exercised",
    "equipment_parity", "lessons_shared_share", "lessons_followed_up_share", "lessons_from_others",
)
#: Uniform-norm (rule-based) indicators: deterministic from the data, fully covered in the ground truth.
UNIFORM_INDICATORS = (
    "ex_strategic", "ex_with_ncc", "plan_unexercised_unsubstantiated", "risk_substantiated", "ring_conformity",
    "ring_exercised", "equipment_parity", "lessons_from_others",
)
#: Risk-adjusted and national-proportion indicators: only planted rows are listed.
STATISTICAL_INDICATORS = tuple(i for i in INDICATORS if i not in UNIFORM_INDICATORS)

CONFORM, FAVOURABLE, SUBSTANTIATED, UNSUBSTANTIATED, NO_DATA = VERDICTS = (
    "conform", "gunstige_afwijking", "afwijking_onderbouwd", "afwijking_niet_onderbouwd", "onvoldoende_gegevens",
)
GROUND_TRUTH_COLUMNS = ("wave", "region_code", "indicator_id", "expected_verdict", "coverage", "note")

Z998 = 3.090232
#: A planted proportion must lie at least this far outside (|z|), so it holds whatever reasonable variant of the
#: funnel the pipeline uses.
_PLANT_Z = 3.6

# tokens an exercise or lesson can carry (design constraints)
TOK_STRATEGIC, TOK_NCC, TOK_OTHER = "strategisch", "ncc", "andere_regio"


def _char_tok(c: str) -> str:
    return "char:" + c


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _rng(seed: int, *keys) -> np.random.Generator:
    """An independent, reproducible stream per purpose (region, wave, ...)."""
    words = [int(seed) & 0xFFFFFFFF]
    for k in keys:
        words.append(int.from_bytes(hashlib.blake2b(str(k).encode(), digest_size=4).digest(), "big"))
    return np.random.default_rng(np.random.SeedSequence(words))


def _pick(rng: np.random.Generator, items: Sequence, p=None):
    """One item, uniformly or with weights ``p`` (need not sum to 1)."""
    if p is None:
        return items[int(rng.integers(len(items)))]
    u = rng.random() * float(sum(p))
    acc = 0.0
    for item, w in zip(items, p):
        acc += w
        if u < acc and w > 0:
            return item
    return next(item for item, w in zip(reversed(items), reversed(list(p))) if w > 0)


def _weights(catalogue: str, named: Mapping[str, float], default: float = 1.0) -> list[float]:
    codes = CATALOGUES[catalogue].codes
    for c in named:
        _code(catalogue, c)
    return [float(named.get(c, default)) for c in codes]


def slug(name: str) -> str:
    """ASCII, lower-case, hyphens: ``Fryslân`` -> ``fryslan``, ``Noord- en Oost-Gelderland`` -> ``noord-en-oost-gelderland``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for ch in text:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "regio"


def _window(t: int, waves: Sequence[int]) -> list[int]:
    """The wave and the two before it ("last three waves"), as far as they exist."""
    return [w for w in waves if t - 2 <= w <= t]


def _level(cat, code: str) -> int:
    return cat.levels[code]


def _code_at(cat, level: int) -> str:
    return cat.codes[level]


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


def make_regions(n: int, seed: int) -> list[Region]:
    """``n`` synthetic regions: codes ``R0001``.., names ``Regio 1``.., populations 50,000-1,500,000."""
    if n < 1:
        raise ValueError("n must be at least 1")
    width = max(4, len(str(n)))
    rng = _rng(seed, "regions", n)
    pops = np.exp(rng.normal(math.log(450_000), 0.65, n))
    pops = np.clip(np.round(pops, -3), 50_000, 1_500_000).astype(int)
    return [Region(f"R{i + 1:0{width}d}", f"Regio {i + 1}", int(pops[i])) for i in range(n)]


def write_regions_csv(regions: Iterable[Region], path: Path) -> None:
    """The regions as ``regions.csv`` (region_code, region_name, population), readable by ``load_regions``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["region_code", "region_name", "population"])
    for r in regions:
        w.writerow([r.code, r.name, r.population])
    path.write_bytes(buf.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------
# Low-level writers (also used by tests that build broken files)
# ---------------------------------------------------------------------------

_WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
                     "in_memory": True}
_FIXED_PROPERTIES = {"created": dt.datetime(2020, 1, 1), "author": "regiobench sample", "title": "Uitvraag TGB"}


def write_workbook(path: Path, sheets: Mapping[str, Sequence[Mapping | None]],
                   header_order: Mapping[str, Sequence[str]] | Sequence[str] | None = None) -> None:
    """One sheet per entry of ``sheets`` (in order), header in row 1, one row per dict.

    Values: ``str`` is always written as text (never as a formula or a link),
    ``bool`` as a logical cell, ``int``/``float`` as a number, ``date`` as a date
    cell, ``None`` as an empty cell; a ``None`` row is an empty row.
    ``header_order`` gives the header per sheet (a mapping) or for every sheet (a
    list); without it the header is the keys of the rows in order of appearance.
    Bytes are identical across runs for identical input.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), _WORKBOOK_OPTIONS)
    wb.set_properties(dict(_FIXED_PROPERTIES))
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    try:
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            if isinstance(header_order, Mapping):
                header = list(header_order.get(name) or [])
            elif header_order is not None:
                header = list(header_order)
            else:
                header = []
            if not header:
                for row in rows:
                    for k in row or {}:
                        if k not in header:
                            header.append(k)
            for j, h in enumerate(header):
                ws.write_string(0, j, str(h))
            for i, row in enumerate(rows, start=1):
                if row is None:
                    continue
                for j, h in enumerate(header):
                    _write_cell(ws, i, j, row.get(h), date_fmt)
    finally:
        wb.close()


def _write_cell(ws, i: int, j: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(i, j, value)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(i, j, float(value) if isinstance(value, (float, np.floating)) else int(value))
    elif isinstance(value, dt.datetime):
        ws.write_datetime(i, j, value, date_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        ws.write_string(i, j, str(value))


def _export_text(value, decimal_comma: bool) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (float, np.floating)):
        text = repr(float(value))
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return str(value)


def write_export(path: Path, rows: Sequence[Mapping | None], delimiter: str = ",", encoding: str = "utf-8-sig",
                 decimal_comma: bool = False, header: Sequence[str] | None = None) -> None:
    """A survey-tool export: CSV with ``delimiter``, ``encoding`` (``utf-8-sig`` writes a BOM) and CRLF lines.

    Values as in :func:`write_workbook`; floats get a decimal comma when
    ``decimal_comma``. A ``None`` row is an empty line of delimiters. Text that
    the encoding cannot hold raises (nothing is silently replaced).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if header is None:
        header = []
        for row in rows:
            for k in row or {}:
                if k not in header:
                    header.append(k)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(list(header))
    for row in rows:
        if row is None:
            w.writerow([""] * len(header))
        else:
            w.writerow([_export_text(row.get(h), decimal_comma) for h in header])
    path.write_bytes(buf.getvalue().encode(encoding, errors="strict"))


# ---------------------------------------------------------------------------
# Free text (Dutch), names and e-mail addresses
# ---------------------------------------------------------------------------

_FIRST = ["Sanne", "Joost", "Fatima", "Pieter", "Ingrid", "Mohammed", "Eline", "Bart", "Anouk", "Ruben", "Marieke",
          "Yusuf", "Lotte", "Hendrik", "Esther", "Daan", "Noor", "Wouter", "Karin", "Thijs", "Sevda", "Jeroen",
          "Femke", "Ahmed", "Marloes", "Gerrit", "Aylin", "Koen", "Petra", "Sjoerd"]
_LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
         "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
         "El Amrani", "Yilmaz", "van Dijk", "Kuipers", "Hoekstra", "Postma", "van der Meer", "Bouzid", "Wijnands"]
_ROLES = ["Adviseur crisisbeheersing", "Beleidsmedewerker terrorismegevolgbestrijding",
          "Coördinator multidisciplinaire oefeningen", "Teamleider bevolkingszorg", "Programmamanager TGB",
          "Senior adviseur risicobeheersing", "Functionaris OTO (opleiden, trainen, oefenen)"]

# Each bank: plain sentences, and a few variants with quotes, &, <, >, line breaks or an emoji (picked rarely).
_SPECIAL_SHARE = 0.04
_RISK_NOTES = (
    ["Het landelijke dreigingsniveau is substantieel; dat weegt mee in onze inschatting.",
     "{n_obj} objecten in het risicoprofiel, waarvan enkele dicht bij elkaar liggen.",
     "Inschatting van de werkgroep TGB, getoetst door de politie-eenheid.",
     "Scenario's uit de landelijke handreiking zijn vertaald naar de eigen regio.",
     "Drukke binnensteden en stations bepalen voor een groot deel de kans.",
     "De grote evenementen in de zomer zijn apart beoordeeld.",
     "Herziening gepland na de evaluatie van de landelijke oefening.",
     "De beoordeling is afgestemd met de buurregio's."],
    ["Het \"Dreigingsbeeld Terrorisme Nederland\" is het vertrekpunt van de beoordeling.",
     "Binnensteden, stations & grote evenementen verhogen de kans op een aanslag.",
     "{n_obj} objecten in het risicoprofiel; enkele liggen op <5 km van elkaar.",
     "Vastgesteld in het algemeen bestuur.\nHerziening volgt na de landelijke evaluatie.",
     "Geen grote wijzigingen ten opzichte van vorig jaar 👍"],
)
_PLAN_NOTES = (
    ["{Label}: belegd bij de landelijke specialistische eenheden; regionaal beoefenen voegt weinig toe.",
     "{Label} is in {prev} uitgebreid beoefend; herhaling staat gepland voor {next}.",
     "{Label} wordt beoefend in het OTO-programma van de politie-eenheid.",
     "Onderdeel van de landelijke oefencyclus; de regio sluit aan bij de oefening van {next}.",
     "Geen capaciteit bij GHOR en gemeenten dit jaar; besluit van het veiligheidsdirectieteam.",
     "{Label} wordt samen met de buurregio beoefend; die neemt het voortouw in {next}.",
     "Risico op {label} is in deze regio beperkt; prioriteit ligt bij andere onderdelen."],
    ["{Label}: afspraak met de eenheid \"eerst landelijk, dan regionaal\".",
     "Geen capaciteit bij GHOR & gemeenten dit jaar; besluit van het veiligheidsdirectieteam.",
     "{Label} is in {prev} beoefend.\nHerhaling in {next}."],
)
_RING_NOTES = (
    ["Regionale afspraak: {disc} gaat de {zone} zone alleen in onder dekking van de politie.",
     "Wij volgen het regionale handelingskader uit {prev}; de landelijke invulling volgt.",
     "Besluit veiligheidsdirectie: {disc} werkt in de {zone} zone met beschermende middelen.",
     "Afwijking is tijdelijk; aanpassing na de evaluatie van de oefening in {year}.",
     "Uitrukprocedure en OTO zijn nog niet aangepast aan de landelijke invulling.",
     "Afspraak met de politie-eenheid over de {zone} zone wacht op het landelijke besluit."],
    ["Wij volgen het handelingskader \"Veilig optreden\" uit {prev}.",
     "Uitrukprocedure & OTO zijn nog niet aangepast aan de landelijke invulling."],
)
_EQUIP_NOTES = (
    ["Aanschaf gepland in {next}; tot die tijd centrale voorraad op de post.",
     "Budget voor {year} niet toegekend; besluit van het algemeen bestuur volgt.",
     "Levering vertraagd door een tekort bij de leverancier.",
     "Alleen op de voertuigen van de eerste uitruk.",
     "Landelijke aanbesteding loopt nog; wij wachten die af.",
     "Uitgifte volgt na training van het personeel.",
     "Vervanging van de huidige vesten loopt; nieuwe levering in {next}."],
    ["Levering vertraagd: tekort bij de leverancier & lange levertijd.",
     "Alleen op de voertuigen van de eerste uitruk (<50% van de voertuigen).",
     "Besluit van de directie:\nuitgifte volgt na training van het personeel."],
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
        "Uit de evaluatie: \"eerst veiligheid, dan hulpverlening\" moet vaker worden geoefend.",
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
    return {"name": f"{first} {last}", "local": f"{first.lower()}.{last.lower().replace(' ', '')}",
            "role": _pick(rng, _ROLES)}


# ---------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------

#: Exercise frequency and large events dip during the pandemic.
_WAVE_EXERCISE_FACTOR = {2020: 0.55, 2021: 0.8}
_WAVE_EVENT_FACTOR = {2020: 0.1, 2021: 0.45}
#: The method of assessment drives the self-assessed probability (more than the risk basis does).
_METHOD_EFFECT = {METHOD_NCTV: 1.2, METHOD_PROFILE: 0.2, METHOD_EXPERT: -0.9, METHOD_NONE: -0.3}


@dataclass
class RegionWave:
    """One region's return for one wave, as typed values (Dutch field names)."""

    code: str
    wave: int
    rows: dict[str, list[dict]]  # "one" and "many" modules
    grids: dict[str, dict[tuple, dict]]  # grid modules: key (in module.grid order) -> values

    def module_rows(self, module: Module) -> list[dict]:
        if module.rows == "grid":
            g = self.grids[module.name]
            return [dict(zip(module.grid, key)) | g[key] for key in _GRIDS[module.name]]
        return self.rows[module.name]


#: Every grid module's complete set of keys, in the codebook's order.
_GRIDS = {m.name: m.expected_grid() for m in MODULES.values() if m.rows == "grid"}


@dataclass
class _Base:
    """What stays with a region across waves."""

    region: Region
    u_ex: float  # lognormal exercise factor (overdispersion)
    hro: int
    events: int
    method: str
    vk_share: float
    follow_share: float
    eval_share: float
    multi_share: float
    id_style: int
    lesson_style: int
    person: dict
    risk_z: float = 0.0


@dataclass
class Plant:
    region: str
    indicator: str
    verdict: str
    waves: tuple[int, ...]  # waves where the verdict is intended (inside the planting waves)
    note: str
    kind: str  # short label of the mechanism, for the lead's table


@dataclass
class Design:
    waves: list[int]
    planting: list[int]
    missing: set[tuple[str, int]] = field(default_factory=set)
    double_source: tuple[str, int] | None = None
    plants: list[Plant] = field(default_factory=list)
    forbid: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    require: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    count: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)  # ("exact"|"min", n)
    ex_attr: dict[tuple[str, int], dict] = field(default_factory=dict)
    allowed_chars: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    lesson_min: dict[tuple[str, int], int] = field(default_factory=dict)
    lesson_attr: dict[tuple[str, int], dict] = field(default_factory=dict)
    plan_lock: dict[tuple[str, int], dict[str, dict]] = field(default_factory=dict)
    risk_override: dict[tuple[str, int], dict] = field(default_factory=dict)
    ring_override: dict[tuple[str, int], dict[tuple, tuple[str, str | None]]] = field(default_factory=dict)
    equip_override: dict[tuple[str, int], dict[tuple, tuple[str, str | None]]] = field(default_factory=dict)
    equip_above: dict[tuple[str, int], set[tuple]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # plant label -> region code (for the report)

    def add(self, table: dict, key, values) -> None:
        if isinstance(values, set):
            table.setdefault(key, set()).update(values)
        elif isinstance(values, dict):
            table.setdefault(key, {}).update(values)
        else:
            table[key] = values


def _ring_targets(norms) -> dict[tuple, str]:
    """The national practice the regions converge to: the norm file where it sets a cell, else a monotone fill
    (access never decreases from hot to cold: one level above the zone before, capped by the next fixed cell)."""
    target: dict[tuple, str] = {}
    top = len(ACCESS.codes) - 1
    grid = RING.expected_grid()
    i_zone, i_disc = RING.grid.index("zone"), RING.grid.index("discipline")
    for d in CORE_DISCIPLINES:
        keys = [next(k for k in grid if k[i_zone] == z and k[i_disc] == d) for z in ZONES]
        prev = -1
        for i, key in enumerate(keys):
            code = norms[key].code
            if code is not None:
                lvl = _level(ACCESS, code)
            else:
                nxt = next((_level(ACCESS, norms[k].code) for k in keys[i + 1:] if norms[k].code), top)
                lvl = min(max(prev + 1, 0), nxt)
            target[key] = _code_at(ACCESS, lvl)
            prev = lvl
    return target


def _equipment_targets(norms) -> dict[tuple, str]:
    """National practice per role x item: a fixed draw per discipline and item, one level higher for the
    discipline's last (officer) role; the norm file wins where it sets a cell."""
    rng = _rng(0, "equipment-practice")
    grid = EQUIP.expected_grid()
    i_d, i_r, i_m = (EQUIP.grid.index(n) for n in ("discipline", "functie", "middel"))
    top = len(AVAIL.codes) - 1
    base = {(d, m): int(rng.choice(top + 1, p=[0.1, 0.3, 0.4, 0.2][: top + 1] if top == 3 else None))
            for d in CORE_DISCIPLINES for m in CATALOGUES["middel"].codes}
    officers = {d: [r for r, dd in ROLE_DISCIPLINE.items() if dd == d][-1] for d in CORE_DISCIPLINES}
    target = {}
    for key in grid:
        code = norms[key].code
        if code is None:
            lvl = base[(key[i_d], key[i_m])] + (1 if key[i_r] == officers[key[i_d]] else 0)
            code = _code_at(AVAIL, min(lvl, top))
        target[key] = code
    return target


# ---------------------------------------------------------------------------
# Design: who gets which planted deviation
# ---------------------------------------------------------------------------


def _design(regions: list[Region], waves: list[int], seed: int, shipped: bool,
            ring_norms, ring_target, eq_norms, eq_target) -> Design:
    planting = waves[-3:]
    d = Design(waves, planting)
    if len(regions) < 2:
        return d
    codes = [r.code for r in regions]
    by_pop = sorted(regions, key=lambda r: (-r.population, r.code))
    L = waves[-1]
    present = set(waves)

    def yrs(k0: int, k1: int) -> list[int]:  # years L-k0 .. L-k1 that are waves
        return [y for y in range(L - k0, L - k1 + 1) if y in present]

    def inP(ys):
        return tuple(y for y in ys if y in planting)

    # the smallest region misses the first planting wave (VR14 in 2023 in the shipped sample)
    smallest = min(regions, key=lambda r: (r.population, r.code))
    if len(planting) == 3:
        d.missing.add((smallest.code, planting[0]))
        d.roles["missing"] = smallest.code
    if len(regions) < 12:
        return d  # too few regions for a meaningful set of plants

    taken = {smallest.code}
    big = [r.code for r in by_pop if r.code not in taken][:7]
    taken |= set(big)
    pool = [c for c in codes if c not in taken]
    order = _rng(seed, "assign").permutation(len(pool))
    pool = [pool[i] for i in order]
    rng = _rng(seed, "design")

    def plant(region, indicator, verdict, waves_, note, kind):
        ws = inP(waves_)
        if ws:
            d.plants.append(Plant(region, indicator, verdict, ws, note, kind))

    def forbid(region, years, *tokens):
        for y in years:
            d.add(d.forbid, (region, y), set(tokens))

    def require(region, years, *tokens):
        for y in years:
            d.add(d.require, (region, y), set(tokens))

    def lock(region, years, char, in_plan, niet, text):
        for y in years:
            d.add(d.plan_lock, (region, y), {char: {"in_plan": in_plan, "niet_beoefenen_onderbouwd": niet,
                                                    "onderbouwing": text}})

    def plan_text(char, y):
        return _fmt(rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(char), prev=y - 1, next=y + 1)

    # ---- statistical plants on the largest regions --------------------------------------------------
    x1, x2, x3, x4, x5, x6, x7 = big + [None] * (7 - len(big))
    if len(regions) < 20:  # too few regions for a funnel to single out a planted share with confidence
        x3 = x4 = x5 = x6 = x7 = None
    # a wave without exercises is planted only where the wave before exists, so the three-wave indicators of
    # that region still have exercises to look at
    if x1 and L - 1 in present:
        d.roles["ex_count niet (X1)"] = x1
        d.add(d.count, (x1, L), ("exact", 0))
        d.add(d.risk_override, (x1, L), {"methode": METHOD_NONE, "onderbouwing_aanwezig": False,
                                         "bestuurlijk_vastgesteld": False, "datum_vastgesteld": None})
        plant(x1, "ex_count", UNSUBSTANTIATED, [L],
              "Largest region held 0 exercises and its risk assessment is not substantiated; O=0 with E>0 lies below "
              "every lower funnel limit on the log scale, also with overdispersion.", "0 exercises, risk not substantiated")
        plant(x1, "risk_substantiated", UNSUBSTANTIATED, [L],
              "Risk assessment method 'geen', no written substantiation and not adopted by the board.", "method geen")
    if x2 and L - 2 in present:
        d.roles["ex_count onderbouwd (X2)"] = x2
        d.add(d.count, (x2, L - 1), ("exact", 0))
        plant(x2, "ex_count", SUBSTANTIATED, [L - 1],
              "Second-largest region held 0 exercises (below every lower funnel limit); its risk assessment is "
              "substantiated, so the deviation counts as substantiated.", "0 exercises, risk substantiated")
    if x3:
        d.roles["ex_evaluated_share"] = x3
        d.add(d.count, (x3, L - 1), ("min", 9))
        d.add(d.ex_attr, (x3, L - 1), {"geevalueerd": False})
        plant(x3, "ex_evaluated_share", UNSUBSTANTIATED, [L - 1], "None of {n} exercises evaluated.", "0 evaluated")
    if x4:
        d.roles["ex_multidisciplinary_share"] = x4
        d.add(d.count, (x4, L), ("min", 9))
        d.add(d.ex_attr, (x4, L), {"mono": True})
        plant(x4, "ex_multidisciplinary_share", UNSUBSTANTIATED, [L], "All {n} exercises monodisciplinary.",
              "0 multidisciplinary")
    if x5:
        d.roles["lessons_shared_share low"] = x5
        d.add(d.lesson_min, (x5, L - 2), 18)
        d.add(d.lesson_attr, (x5, L - 2), {"gedeeld": "not_vk"})
        plant(x5, "lessons_shared_share", UNSUBSTANTIATED, [L - 2],
              "None of {n} lessons shared via the virtual office.", "0 shared")
    if x6:
        d.roles["lessons_shared_share high"] = x6
        d.add(d.lesson_min, (x6, L), 15)
        d.add(d.lesson_attr, (x6, L), {"gedeeld": "vk"})
        plant(x6, "lessons_shared_share", FAVOURABLE, [L],
              "All {n} lessons shared via the virtual office.", "all shared")
    if x7:
        d.roles["lessons_followed_up_share"] = x7
        d.add(d.lesson_min, (x7, L - 1), 14)
        d.add(d.lesson_attr, (x7, L - 1), {"opvolging": "not_done"})
        plant(x7, "lessons_followed_up_share", UNSUBSTANTIATED, [L - 1],
              "None of {n} lessons followed up (opvolging uitgevoerd).", "0 followed up")

    # ---- plan coverage: one region exercises only two characteristics, substantiates the rest ---------
    groups: list[str] = []
    if pool and len(regions) >= 20:
        x8 = pool.pop(0)
        d.roles["plan_coverage"] = x8
        keep = (RING_CHAR,)
        for y in yrs(2, 0):
            d.allowed_chars[(x8, y)] = keep
        require(x8, [L], *(_char_tok(c) for c in keep))
        for c in CHARS:
            if c in keep:  # exercised, but the plan does not name it
                lock(x8, [L], c, False, None, None)
            else:
                lock(x8, [L], c, True, True, plan_text(c, L))
        plant(x8, "plan_coverage", UNSUBSTANTIATED, [L],
              "{num} of the {den} characteristics in the plan exercised in the last three waves: all substantiated "
              "as not to be exercised, which this share does not count; only the ring model (not in the plan) "
              "was exercised.", "0 of 11 exercised")

    # ---- rule-based plants: one group per region ----------------------------------------------------
    modal_ring = [k for k in RING.expected_grid() if ring_norms[k].code is None]
    fixed_ring = [k for k in RING.expected_grid() if ring_norms[k].code is not None]
    all_ring = RING.expected_grid()

    def ring_other(key, up_first=True):
        lvl = _level(ACCESS, ring_target[key])
        top = len(ACCESS.codes) - 1
        if up_first:
            return _code_at(ACCESS, lvl + 1 if lvl < top else lvl - 1)
        return _code_at(ACCESS, lvl - 1 if lvl > 0 else lvl + 1)

    def cell_name(module, key):
        return "/".join(key)

    eq_keys = EQUIP.expected_grid()
    eq_fixed_below = [k for k in eq_keys if eq_norms[k].code is not None and _level(AVAIL, eq_target[k]) > 0]
    eq_modal_below = [k for k in eq_keys if eq_norms[k].code is None and _level(AVAIL, eq_target[k]) > 0]
    eq_modal_above = [k for k in eq_keys if eq_norms[k].code is None
                      and _level(AVAIL, eq_target[k]) < len(AVAIL.codes) - 1]

    def sample_cells(cells, n):
        idx = rng.permutation(len(cells))[:n]
        return [cells[i] for i in sorted(idx)]

    def below(key):
        return _code_at(AVAIL, _level(AVAIL, eq_target[key]) - 1)

    def above(key):
        return _code_at(AVAIL, _level(AVAIL, eq_target[key]) + 1)

    def ring_note(key, y):
        z, disc = key[RING.grid.index("zone")], key[RING.grid.index("discipline")]
        return _fmt(rng, _RING_NOTES, disc=disc, zone=z, prev=y - 2, year=y - 1)

    def equip_note(y):
        return _fmt(rng, _EQUIP_NOTES, year=y, next=y + 1)

    def g_strategic(r):
        forbid(r, yrs(4, 0), TOK_STRATEGIC)
        plant(r, "ex_strategic", UNSUBSTANTIATED, yrs(2, 0),
              f"No strategic-level exercise in {L - 4}-{L}.", "no strategic exercise")

    def g_ncc_niet(r):
        forbid(r, yrs(2, 0), TOK_NCC)
        require(r, yrs(3, 3), TOK_NCC)
        require(r, [L], _char_tok(NCC_CHAR))
        lock(r, yrs(2, 0), NCC_CHAR, True, False, None)
        plant(r, "ex_with_ncc", UNSUBSTANTIATED, [L],
              f"Last exercise with the national crisis organisation in {L - 3}; nationale_opschaling is exercised "
              "regionally but not substantiated as not to be exercised with the NCC.", "no NCC exercise")

    def g_ncc_onderbouwd(r):
        forbid(r, yrs(4, 0), TOK_NCC, _char_tok(NCC_CHAR))
        for y in yrs(4, 0):
            lock(r, [y], NCC_CHAR, True, True, plan_text(NCC_CHAR, y))
        plant(r, "ex_with_ncc", SUBSTANTIATED, yrs(2, 0),
              f"No exercise with the national crisis organisation in {L - 4}-{L}; the plan substantiates not "
              "exercising nationale_opschaling.", "no NCC exercise, substantiated")

    def g_ring_niet(r):
        forbid(r, yrs(3, 0), _char_tok(RING_CHAR))
        require(r, yrs(4, 4), _char_tok(RING_CHAR))
        for y in yrs(3, 0):
            lock(r, [y], RING_CHAR, False, None, None)
        plant(r, "ring_exercised", UNSUBSTANTIATED, yrs(1, 0),
              f"Ring model last exercised in {L - 4}; the plan leaves it out and gives no substantiation.",
              "ring model not exercised")

    def g_ring_onderbouwd(r):
        forbid(r, yrs(4, 0), _char_tok(RING_CHAR))
        for y in yrs(4, 0):
            lock(r, [y], RING_CHAR, True, True, plan_text(RING_CHAR, y))
        plant(r, "ring_exercised", SUBSTANTIATED, yrs(2, 0),
              f"Ring model not exercised in {L - 4}-{L}; the plan substantiates not exercising it.",
              "ring model not exercised, substantiated")

    def g_ring_conf_niet(r):
        key = (modal_ring or all_ring)[0]
        val = ring_other(key)
        for y in yrs(1, 0):
            d.add(d.ring_override, (r, y), {key: (val, None)})
        plant(r, "ring_conformity", UNSUBSTANTIATED, yrs(1, 0),
              f"Ring cell {cell_name(RING, key)} set to {val} (national mode {ring_target[key]}) without "
              "afwijking_toelichting.", "1 ring cell, no note")

    def g_ring_conf_fixed(r):
        key = (fixed_ring or all_ring)[0]
        val = ring_other(key)
        d.add(d.ring_override, (r, L - 2), {key: (val, None)})
        plant(r, "ring_conformity", UNSUBSTANTIATED, [L - 2],
              f"Ring cell {cell_name(RING, key)} set to {val} against the fixed norm {ring_target[key]}, without "
              "afwijking_toelichting.", "1 fixed ring cell, no note")

    def g_ring_conf_onderbouwd(r):
        keys = [(modal_ring or all_ring)[-1], (fixed_ring or all_ring)[-1]]
        for y in yrs(2, 0):
            d.add(d.ring_override, (r, y), {k: (ring_other(k, up_first=False), ring_note(k, y)) for k in keys})
        plant(r, "ring_conformity", SUBSTANTIATED, yrs(2, 0),
              "Two ring cells deviate from the norm, each with afwijking_toelichting.", "2 ring cells, both noted")

    def g_ring_conf_mixed(r):
        keys = [all_ring[1], all_ring[len(all_ring) // 2]]
        d.add(d.ring_override, (r, L), {keys[0]: (ring_other(keys[0]), ring_note(keys[0], L)),
                                        keys[1]: (ring_other(keys[1]), None)})
        plant(r, "ring_conformity", UNSUBSTANTIATED, [L],
              "Two ring cells deviate; only one has afwijking_toelichting, so the deviation is not substantiated.",
              "2 ring cells, 1 noted")

    def g_equip_niet(r):
        cells = eq_fixed_below[:1] + sample_cells(eq_modal_below, 3 - len(eq_fixed_below[:1]))
        for y in yrs(1, 0):
            d.add(d.equip_override, (r, y), {k: (below(k), None) for k in cells})
        plant(r, "equipment_parity", UNSUBSTANTIATED, yrs(1, 0),
              f"{len(cells)} role x item cells below the norm (incl. a fixed-norm cell) without afwijking_toelichting.",
              "3 cells below, no note")

    def g_equip_mixed(r):
        cells = sample_cells(eq_modal_below, 2)
        d.add(d.equip_override, (r, L), {cells[0]: (below(cells[0]), equip_note(L)), cells[1]: (below(cells[1]), None)})
        plant(r, "equipment_parity", UNSUBSTANTIATED, [L],
              "Two cells below the norm; only one has afwijking_toelichting.", "2 cells below, 1 noted")

    def g_equip_onderbouwd(r):
        cells = sample_cells(eq_modal_below, 4)
        up = [k for k in eq_modal_above if k not in cells][:1]
        for y in yrs(2, 0):
            d.add(d.equip_override, (r, y), {k: (below(k), equip_note(y)) for k in cells}
                  | {k: (above(k), None) for k in up})
        plant(r, "equipment_parity", SUBSTANTIATED, yrs(2, 0),
              "Four cells below the norm, each with afwijking_toelichting; one cell above the norm without a note "
              "(above is not flagged).", "4 cells below, all noted")

    def g_risk_nosubst(r):
        d.add(d.risk_override, (r, L - 1), {"onderbouwing_aanwezig": False})
        plant(r, "risk_substantiated", UNSUBSTANTIATED, [L - 1],
              "Risk assessment has no written substantiation (onderbouwing_aanwezig = nee).", "no substantiation")

    def g_risk_notadopted(r):
        for y in yrs(2, 1):
            d.add(d.risk_override, (r, y), {"bestuurlijk_vastgesteld": False, "datum_vastgesteld": None})
        plant(r, "risk_substantiated", UNSUBSTANTIATED, yrs(2, 1),
              "Risk assessment not adopted by the board (bestuurlijk_vastgesteld = nee).", "not adopted")

    spare = [c for c in CHARS if c not in (RING_CHAR, NCC_CHAR, MASS_CHAR)]

    def g_plan_two(r):
        chars = sorted(rng.choice(len(spare), 2, replace=False))
        chars = [spare[i] for i in chars]
        forbid(r, yrs(4, 0), *(_char_tok(c) for c in chars))
        for c in chars:
            lock(r, yrs(2, 0), c, True, None, None)
        plant(r, "plan_unexercised_unsubstantiated", UNSUBSTANTIATED, yrs(2, 0),
              f"{chars[0]} and {chars[1]} in the plan, not exercised in {L - 4}-{L}, no substantiation.",
              "2 characteristics never exercised")

    def g_plan_one(r):
        c = spare[int(rng.integers(len(spare)))]
        forbid(r, yrs(2, 0), _char_tok(c))
        require(r, yrs(3, 3), _char_tok(c))
        lock(r, [L], c, True, False, None)
        plant(r, "plan_unexercised_unsubstantiated", UNSUBSTANTIATED, [L],
              f"{c} in the plan, last exercised in {L - 3}, not substantiated (niet_beoefenen_onderbouwd = nee).",
              "1 characteristic not exercised")

    def g_lessons_none(r):
        forbid(r, yrs(4, 0), TOK_OTHER)
        plant(r, "lessons_from_others", UNSUBSTANTIATED, yrs(2, 0),
              f"No lesson taken over from another region in {L - 4}-{L}.", "no lessons from others")

    def g_lessons_recent(r):
        forbid(r, yrs(2, 0), TOK_OTHER)
        require(r, yrs(3, 3), TOK_OTHER)
        plant(r, "lessons_from_others", UNSUBSTANTIATED, [L],
              f"Last lesson taken over from another region in {L - 3}.", "no lessons from others since L-3")

    groups_def = [
        ("ex_strategic + equipment niet", [g_strategic, g_equip_niet]),
        ("ex_with_ncc niet + risk not adopted", [g_ncc_niet, g_risk_notadopted]),
        ("ex_with_ncc onderbouwd", [g_ncc_onderbouwd]),
        ("ring_exercised niet", [g_ring_niet]),
        ("ring_exercised onderbouwd", [g_ring_onderbouwd]),
        ("ring_conformity niet + lessons none", [g_ring_conf_niet, g_lessons_none]),
        ("ring_conformity fixed + lessons recent", [g_ring_conf_fixed, g_lessons_recent]),
        ("ring_conformity onderbouwd", [g_ring_conf_onderbouwd]),
        ("ring_conformity mixed + equipment mixed", [g_ring_conf_mixed, g_equip_mixed]),
        ("equipment onderbouwd", [g_equip_onderbouwd]),
        ("risk no substantiation + plan one", [g_risk_nosubst, g_plan_one]),
        ("plan two", [g_plan_two]),
    ]
    for label, fns in groups_def:
        if not pool:
            break
        r = pool.pop(0)
        d.roles[label] = r
        for fn in fns:
            fn(r)
    clean = pool
    # background regions with an equipment cell or two above the norm (never flagged)
    for r in clean[:2]:
        for y in planting:
            d.add(d.equip_above, (r, y), set(sample_cells(eq_modal_above, 2)))
    if shipped and 2021 in present:
        r = clean[-1] if clean else next(c for c in codes[len(codes) // 2:] + codes if c != smallest.code)
        d.double_source = (r, 2021)
        d.roles["workbook and export in 2021"] = r
    d.roles["clean"] = ", ".join(clean)
    return d


# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------


def _bases(regions: list[Region], seed: int) -> dict[str, _Base]:
    bases = {}
    methods = CATALOGUES["methode"].codes
    mw = _weights("methode", {METHOD_NCTV: 0.28, METHOD_PROFILE: 0.34, METHOD_EXPERT: 0.18, METHOD_NONE: 0.04}, 0.16)
    for r in regions:
        rng = _rng(seed, "base", r.code)
        scale = r.population / 100_000
        bases[r.code] = _Base(
            region=r,
            u_ex=float(np.exp(rng.normal(0, 0.35))),
            hro=max(1, int(round(scale * rng.gamma(2.5, 0.6)))),
            events=max(0, int(round(scale * rng.gamma(2.0, 0.7)))),
            method=str(_pick(rng, methods, mw)),
            vk_share=_logistic(math.log(0.25 / 0.75) + rng.normal(0, 0.12)),
            follow_share=_logistic(rng.normal(0, 0.15)),
            eval_share=_logistic(math.log(0.83 / 0.17) + rng.normal(0, 0.25)),
            multi_share=_logistic(math.log(0.78 / 0.22) + rng.normal(0, 0.25)),
            id_style=int(rng.integers(4)),
            lesson_style=int(rng.integers(3)),
            person=_person(rng),
        )
    logs = np.array([math.log(b.region.population) + 0.5 * math.log1p(b.hro) for b in bases.values()])
    sd = float(logs.std()) or 1.0
    for b, v in zip(bases.values(), logs):
        b.risk_z = float((v - logs.mean()) / sd)
    return bases


def _logistic(x: float) -> float:
    return float(1 / (1 + math.exp(-x)))


def _ex_id(style: int, code: str, t: int, i: int) -> str:
    return [f"OEF-{t}-{i:02d}", f"{code}-{t}-{i}", f"TGB{t % 100:02d}.{i}", f"{t}/{i:03d}"][style]


def _les_id(style: int, t: int, i: int) -> str:
    return [f"L{t}-{i:02d}", f"LES-{i}", f"{t}-L{i:03d}"][style]


class _Sim:
    """Builds the world region by region, wave by wave, under the design's constraints."""

    def __init__(self, regions, design: Design, seed: int, ring_target, eq_target):
        self.regions = regions
        self.codes = [r.code for r in regions]
        self.names = {r.code: r.name for r in regions}
        self.d = design
        self.seed = seed
        self.ring_target = ring_target
        self.eq_target = eq_target
        self.bases = _bases(regions, seed)
        self.world: dict[tuple[str, int], RegionWave] = {}
        rng = _rng(0, "plan-adoption")
        self.adoption = {c: float(rng.uniform(0.35, 0.9)) for c in CHARS}
        self.adoption[RING_CHAR] = 0.85
        self.adoption[MASS_CHAR] = 0.9
        self.char_weight = {c: 1.0 for c in CHARS} | {RING_CHAR: 2.2, MASS_CHAR: 1.8}

    # -- exercises -----------------------------------------------------------------------------------

    def forbidden(self, code, t) -> set[str]:
        return self.d.forbid.get((code, t), set())

    def char_allowed(self, code, t, c) -> bool:
        allowed = self.d.allowed_chars.get((code, t))
        return _char_tok(c) not in self.forbidden(code, t) and (allowed is None or c in allowed)

    def new_exercise(self, rng, code, t, idx, in_plan: set[str], force: str | None = None) -> dict:
        b = self.bases[code]
        forb = self.forbidden(code, t)
        attr = self.d.ex_attr.get((code, t), {})
        niveaus = CATALOGUES["niveau"].codes
        nw = _weights("niveau", {STRATEGIC: 0.16}, 0.42)
        if TOK_STRATEGIC in forb:
            nw = [0 if c == STRATEGIC else w for c, w in zip(niveaus, nw)]
        niveau = STRATEGIC if force == TOK_STRATEGIC else str(_pick(rng, niveaus, nw))
        vorm = str(_pick(rng, CATALOGUES["vorm"].codes))
        scenario = str(_pick(rng, CATALOGUES["scenario"].codes))
        all_disc = CATALOGUES["discipline_oefening"].codes
        if attr.get("mono") or rng.random() > 0.78:
            disciplines = [str(_pick(rng, CORE_DISCIPLINES))]
        else:
            k = int(rng.integers(2, 6))
            w = np.array([3.0 if c in CORE_DISCIPLINES else 1.0 for c in all_disc])
            chosen = rng.choice(len(all_disc), size=min(k, len(all_disc)), replace=False, p=w / w.sum())
            disciplines = [all_disc[i] for i in sorted(chosen)]
        p_ncc = 0.4 if niveau == STRATEGIC else 0.08
        ncc = TOK_NCC not in forb and (force == TOK_NCC or rng.random() < p_ncc)
        pool = [c for c in CHARS if self.char_allowed(code, t, c)]
        chars: list[str] = []
        if pool and rng.random() > 0.05:
            w = np.array([self.char_weight[c] * (3.0 if c in in_plan else 1.0) for c in pool])
            k = min(len(pool), int(rng.integers(1, 5)))
            chosen = rng.choice(len(pool), size=k, replace=False, p=w / w.sum())
            chars = [pool[i] for i in sorted(chosen)]
        if force and force.startswith("char:") and force[5:] not in chars:
            chars = sorted(chars + [force[5:]], key=CHARS.index)
        if ncc and NCC_CHAR not in chars and self.char_allowed(code, t, NCC_CHAR) and rng.random() < 0.6:
            chars = sorted(chars + [NCC_CHAR], key=CHARS.index)
        day = dt.date(t, 1, 10) + dt.timedelta(days=int(rng.integers(0, 324)))
        return {
            "oefening_id": _ex_id(b.id_style, code, t, idx),
            "datum": day,
            "niveau": niveau,
            "vorm": vorm,
            "scenario": scenario,
            "disciplines": disciplines,
            "met_nationale_crisisorganisatie": bool(ncc),
            "met_andere_regio": bool(rng.random() < 0.22),
            "beoefende_bijzonderheden": chars,
            "geevalueerd": bool(attr["geevalueerd"]) if "geevalueerd" in attr else bool(rng.random() < 0.83),
            "deelnemers": int(max(2, round(rng.lognormal(math.log(35), 0.75)))),
        }

    @staticmethod
    def carries(item: dict, token: str) -> bool:
        if token == TOK_STRATEGIC:
            return item.get("niveau") == STRATEGIC
        if token == TOK_NCC:
            return bool(item.get("met_nationale_crisisorganisatie"))
        if token == TOK_OTHER:
            return item.get("bron") == SRC_OTHER
        if token.startswith("char:"):
            return token[5:] in (item.get("beoefende_bijzonderheden") or [])
        raise AssertionError(token)

    def give(self, code, t, ex: dict, token: str) -> None:
        if token == TOK_STRATEGIC:
            ex["niveau"] = STRATEGIC
        elif token == TOK_NCC:
            ex["met_nationale_crisisorganisatie"] = True
        elif token.startswith("char:"):
            ex["beoefende_bijzonderheden"] = sorted(set(ex["beoefende_bijzonderheden"]) | {token[5:]}, key=CHARS.index)
        else:
            raise AssertionError(token)

    def can_carry(self, code, t, token) -> bool:
        if token.startswith("char:"):
            return self.char_allowed(code, t, token[5:])
        return token not in self.forbidden(code, t)

    def ensure_exercise_token(self, rng, code, years: list[int], token: str) -> bool:
        """Give one exercise in ``years`` (latest first) the token, or add an exercise that has it."""
        years = [y for y in sorted(years, reverse=True) if (code, y) in self.world and self.can_carry(code, y, token)]
        for y in years:
            exs = self.world[(code, y)].rows[EXER.name]
            if exs:
                self.give(code, y, exs[int(rng.integers(len(exs)))], token)
                return True
        for y in years:
            if self.d.count.get((code, y), ("min", 0))[0] == "exact":
                continue
            rw = self.world[(code, y)]
            exs = rw.rows[EXER.name]
            in_plan = {c for (c,), v in rw.grids[PLAN.name].items() if v["in_plan"]}
            exs.append(self.new_exercise(rng, code, y, len(exs) + 1, in_plan, force=token))
            return True
        return False

    # -- lessons ------------------------------------------------------------------------------------

    def new_lesson(self, rng, code, t, idx, exercises, force: str | None = None) -> dict:
        b = self.bases[code]
        forb = self.forbidden(code, t)
        attr = self.d.lesson_attr.get((code, t), {})
        sources = CATALOGUES["bron"].codes
        w = _weights("bron", {SRC_EXERCISE: 0.55 if exercises else 0.0,
                              SRC_OTHER: 0.2 if len(self.codes) > 1 else 0.0, SRC_INCIDENT: 0.08,
                              SRC_NATIONAL: 0.17}, 0.05)
        if TOK_OTHER in forb:
            w = [0 if s == SRC_OTHER else x for s, x in zip(sources, w)]
        src = SRC_OTHER if force == TOK_OTHER else str(_pick(rng, sources, w))
        lesson = {"les_id": _les_id(b.lesson_style, t, idx), "bron": src, "bron_oefening_id": None,
                  "overgenomen_van": None}
        char = str(_pick(rng, CHARS))
        if src == SRC_EXERCISE:
            ex = exercises[int(rng.integers(len(exercises)))]
            lesson["bron_oefening_id"] = ex["oefening_id"]
            if ex["beoefende_bijzonderheden"]:
                char = str(_pick(rng, ex["beoefende_bijzonderheden"]))
        lesson["bijzonderheid"] = char
        self.describe_lesson(rng, code, t, lesson)
        gedeeld = CATALOGUES["gedeeld"].codes
        others = [g for g in gedeeld if g != SHARED_VK]
        ow = _weights("gedeeld", {SHARED_VK: 0.0}, 1.0)
        ow = [x for g, x in zip(gedeeld, ow) if g != SHARED_VK]
        mode = attr.get("gedeeld")
        if mode == "vk" or (mode is None and rng.random() < b.vk_share):
            lesson["gedeeld"] = SHARED_VK
        else:
            lesson["gedeeld"] = str(_pick(rng, others, ow))
        followups = CATALOGUES["opvolging"].codes
        not_done = [f for f in followups if f != FOLLOW_DONE]
        if attr.get("opvolging") != "not_done" and rng.random() < 0.5:
            lesson["opvolging"] = FOLLOW_DONE
        else:
            lesson["opvolging"] = str(_pick(rng, not_done, [0.5, 0.3, 0.2][: len(not_done)] if len(not_done) == 3 else None))
        return lesson

    def describe_lesson(self, rng, code, t, lesson) -> None:
        label = CATALOGUES["bijzonderheid"].label(lesson["bijzonderheid"])
        src = lesson["bron"]
        if src == SRC_OTHER:
            other = self.codes[int(rng.integers(len(self.codes) - 1))]
            if other == code:
                other = self.codes[-1]
            lesson["overgenomen_van"] = other
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["other"], label=label, other=self.names[other])
        elif src == SRC_NATIONAL:
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["national"], label=label)
        elif src == SRC_INCIDENT:
            lesson["omschrijving"] = _fmt(rng, _LESSON_NOTES["incident"], label=label, year=t)
        else:
            lesson["omschrijving"] = _lesson_text(rng, label)

    def ensure_lesson_from_other(self, rng, code, years: list[int]) -> bool:
        if len(self.codes) < 2:
            return False
        years = [y for y in sorted(years, reverse=True)
                 if (code, y) in self.world and TOK_OTHER not in self.forbidden(code, y)]
        for y in years:
            for les in self.world[(code, y)].rows[LESSONS.name]:
                if les["bron"] in (SRC_NATIONAL, SRC_INCIDENT):
                    les["bron"] = SRC_OTHER
                    les["bron_oefening_id"] = None
                    self.describe_lesson(rng, code, y, les)
                    return True
        for y in years:
            rw = self.world[(code, y)]
            ls = rw.rows[LESSONS.name]
            ls.append(self.new_lesson(rng, code, y, len(ls) + 1, rw.rows[EXER.name], force=TOK_OTHER))
            return True
        return False

    # -- one region, all waves ----------------------------------------------------------------------

    def run(self) -> dict[tuple[str, int], RegionWave]:
        for r in self.regions:
            self.region(r)
        return self.world

    def region(self, r: Region) -> None:
        b = self.bases[r.code]
        waves = self.d.waves
        first = waves[0]
        ring_dev: dict[tuple, tuple[str, str | None]] = {}
        eq_dev: dict[tuple, tuple[str, str | None]] = {}
        in_plan: set[str] = set()
        substantiated: dict[str, str] = {}
        person = b.person
        method = b.method
        for t in waves:
            rng = _rng(self.seed, "wave", r.code, t)
            # --- respondent (personal data; meta only)
            if t != first and rng.random() < 0.15:
                person = _person(rng)
            # --- risk basis and assessment (kans/impact are set after the discipline pass)
            if t != first and rng.random() < 0.12:
                method = str(_pick(rng, [m for m in CATALOGUES["methode"].codes if m != METHOD_NONE]))
            hro = max(0, b.hro + int(rng.integers(-1, 2)) + max(0, (t - 2019) // 3))
            events = max(0, int(round(b.events * _WAVE_EVENT_FACTOR.get(t, 1.0) * rng.lognormal(0, 0.1))))
            p_subst = min(0.97, 0.72 + 0.05 * (t - 2019)) if method != METHOD_NONE else 0.25
            p_adopt = min(0.97, 0.66 + 0.06 * (t - 2019))
            adopted = bool(rng.random() < p_adopt)
            risk = {
                "methode": method,
                "kans_score": None,
                "impact_score": None,
                "extra_voorbereiding": None,
                "onderbouwing_aanwezig": bool(rng.random() < p_subst),
                "bestuurlijk_vastgesteld": adopted,
                "datum_vastgesteld": dt.date(t, 3, 1) + dt.timedelta(days=int(rng.integers(0, 240))) if adopted else None,
                "hoogrisico_objecten": hro,
                "grootschalige_evenementen": events,
                "toelichting": None,
            }
            if t == first or rng.random() < 0.8:
                note = _fmt(rng, _RISK_NOTES, n_obj=hro)
                risk["toelichting"] = f"Regionaal risicoprofiel {r.name} {t}. {note}"
            # --- plan: characteristics join and never leave
            for c in CHARS:
                p_join = self.adoption[c] if t == first else 0.3
                if c not in in_plan and rng.random() < p_join:
                    in_plan.add(c)
            # --- exercises
            mu = (4.0 * b.u_ex * _WAVE_EXERCISE_FACTOR.get(t, 1.0 + 0.03 * max(0, t - 2022))
                  * math.exp(0.6 * math.log(r.population / 6e5) + 0.15 * (math.log1p(hro) - math.log1p(9))
                             + 0.10 * (math.log1p(events) - math.log1p(8))))
            n = int(rng.poisson(mu))
            kind, m = self.d.count.get((r.code, t), ("min", 0))
            n = m if kind == "exact" else max(n, m)
            if kind != "exact":
                n = max(n, 1)  # a survey-tool export has no way to say "none": no rows reads as "not sent"
            exercises = [self.new_exercise(rng, r.code, t, i + 1, in_plan) for i in range(n)]
            exercises.sort(key=lambda e: e["datum"])
            for i, ex in enumerate(exercises):
                ex["oefening_id"] = _ex_id(b.id_style, r.code, t, i + 1)
            self.world[(r.code, t)] = rw = RegionWave(r.code, t, {
                META.name: [], RISK.name: [risk], EXER.name: exercises, LESSONS.name: []}, {})
            rw.grids[PLAN.name] = {}
            for token in sorted(self.d.require.get((r.code, t), ())):
                if token == TOK_OTHER:
                    continue
                if not any(self.carries(e, token) for e in exercises):
                    self.ensure_exercise_token(rng, r.code, [t], token)
            # --- plan rows (after the exercises: substantiation follows what was not exercised)
            exercised = self.exercised(r.code, _window(t, waves))
            plan = {}
            for c in CHARS:
                if c in in_plan and c not in exercised and c not in substantiated and rng.random() < 0.3:
                    substantiated[c] = _fmt(rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(c),
                                            prev=t - 1, next=t + 1)
                niet = None
                if c in substantiated and c in in_plan:
                    niet = True
                elif c in in_plan and rng.random() < 0.4:
                    niet = False
                plan[(c,)] = {"in_plan": c in in_plan, "niet_beoefenen_onderbouwd": niet,
                              "onderbouwing": substantiated.get(c) if niet else None}
            rw.grids[PLAN.name] = plan
            # --- ring model and equipment: variants converge slowly after 2020
            ring_dev = self.converge(rng, t, first, ring_dev, RING, self.ring_target, ACCESS, 0.6, (1, 3), True)
            eq_dev = self.converge(rng, t, first, eq_dev, EQUIP, self.eq_target, AVAIL, 0.7, (3, 12), False)
            rw.grids[RING.name] = {k: {"toegang": ring_dev.get(k, (v, None))[0],
                                       "afwijking_toelichting": ring_dev.get(k, (v, None))[1]}
                                   for k, v in self.ring_target.items()}
            rw.grids[EQUIP.name] = {k: self.equipment_cell(rng, r, k, *eq_dev.get(k, (v, None)))
                                    for k, v in self.eq_target.items()}
            # --- lessons
            n_les = int(rng.poisson(1.0 + 1.4 * len(exercises)))
            n_les = max(n_les, self.d.lesson_min.get((r.code, t), 0), 2)
            rw.rows[LESSONS.name] = [self.new_lesson(rng, r.code, t, i + 1, exercises) for i in range(n_les)]
            if TOK_OTHER in self.d.require.get((r.code, t), ()) and not any(
                    les["bron"] == SRC_OTHER for les in rw.rows[LESSONS.name]):
                self.ensure_lesson_from_other(rng, r.code, [t])
            # --- meta
            done = dt.date(t, 12, 1) + dt.timedelta(days=int(rng.integers(0, 20)))
            rw.rows[META.name] = [{
                "ingevuld_door": person["name"],
                "email": f"{person['local']}@{slug(r.name)}.vr.example",
                "functie": person["role"] if rng.random() < 0.9 else None,
                "datum_ingevuld": done,
            }]

    def exercised(self, code: str, years: Iterable[int]) -> set[str]:
        out: set[str] = set()
        for y in years:
            rw = self.world.get((code, y))
            if rw is not None:
                for e in rw.rows[EXER.name]:
                    out.update(e["beoefende_bijzonderheden"] or [])
        return out

    def converge(self, rng, t, first, dev, module, target, cat, p0, k_range, both_ways):
        """A region's own variants of national practice: drawn in the first wave (a share ``p0`` of the regions
        has some, ``k_range`` cells each), dropped altogether or cell by cell in later waves, slowly until 2020."""
        top = len(cat.codes) - 1
        if t == first:
            dev = {}
            if rng.random() >= max(0.1, p0 - 0.12 * max(0, t - 2019)):
                return dev
            keys = module.expected_grid()
            k = int(rng.integers(k_range[0], k_range[1] + 1))
            for i in sorted(rng.permutation(len(keys))[:k].tolist()):
                key = keys[i]
                lvl = _level(cat, target[key])
                step = int(_pick(rng, [-1, 1])) if both_ways else (-1 if (lvl > 0 and rng.random() < 0.85) else 1)
                new = lvl + step if 0 <= lvl + step <= top else lvl - step
                if 0 <= new <= top and new != lvl:
                    dev[key] = (_code_at(cat, new), None)
            for key in sorted(dev):  # about a third of the known deviations carry a note
                if rng.random() < 0.35:
                    note = (_fmt(rng, _RING_NOTES, disc=key[module.grid.index("discipline")],
                                 zone=key[module.grid.index("zone")], prev=t - 2, year=t - 1)
                            if module is RING else _fmt(rng, _EQUIP_NOTES, year=t, next=t + 1))
                    dev[key] = (dev[key][0], note)
            return dev
        p_all = 0.08 if t <= 2020 else 0.3 if t == 2021 else 0.45 if t == 2022 else 0.7
        if rng.random() < p_all:
            return {}
        return {k: v for k, v in dev.items() if rng.random() >= 0.15}

    def equipment_cell(self, rng, r: Region, key, level: str, note: str | None) -> dict:
        lvl = _level(AVAIL, level)
        scale = r.population / 100_000
        if lvl == 0:
            aantal = 0 if rng.random() < 0.7 else None
            trained = False if rng.random() < 0.5 else None
        else:
            if lvl == len(AVAIL.codes) - 1:
                aantal = int(max(4, round(scale * rng.uniform(15, 60))))
            elif lvl == 2:
                aantal = int(max(2, round(scale * rng.uniform(3, 9))))
            else:
                aantal = int(rng.integers(6, 41))
            if rng.random() < 0.1:
                aantal = None
            u = rng.random()
            trained = True if u < 0.7 else False if u < 0.88 else None
        return {"beschikbaarheid": level, "aantal": aantal, "training_gevolgd": trained, "afwijking_toelichting": note}


# ---------------------------------------------------------------------------
# Discipline in the planting waves, plants, final scores
# ---------------------------------------------------------------------------


def _discipline(sim: _Sim) -> None:
    d, world = sim.d, sim.world
    # plan locks hold in every wave they name
    for (code, t), cells in d.plan_lock.items():
        rw = world.get((code, t))
        if rw is not None:
            for c, vals in cells.items():
                rw.grids[PLAN.name][(c,)] = dict(vals)
    methods_ok = [m for m in CATALOGUES["methode"].codes if m != METHOD_NONE]
    for t in d.planting:
        for code in sim.codes:
            rw = world.get((code, t))
            if rw is None:
                continue
            rng = _rng(sim.seed, "discipline", code, t)
            risk = rw.rows[RISK.name][0]
            if risk["methode"] == METHOD_NONE:
                risk["methode"] = str(_pick(rng, methods_ok))
            risk["onderbouwing_aanwezig"] = True
            if not risk["bestuurlijk_vastgesteld"]:
                risk["bestuurlijk_vastgesteld"] = True
                risk["datum_vastgesteld"] = dt.date(t, 3, 1) + dt.timedelta(days=int(rng.integers(0, 240)))
            for k, v in sim.ring_target.items():
                rw.grids[RING.name][k] = {"toegang": v, "afwijking_toelichting": None}
            above = d.equip_above.get((code, t), set())
            for k, v in sim.eq_target.items():
                cell = rw.grids[EQUIP.name][k]
                level = _code_at(AVAIL, _level(AVAIL, v) + 1) if k in above else v
                if cell["beschikbaarheid"] != level or cell["afwijking_toelichting"]:
                    rw.grids[EQUIP.name][k] = sim.equipment_cell(rng, sim.bases[code].region, k, level, None)
        # window indicators: repair what no plant asks for (plants forbid the repair where they apply)
        for code in sim.codes:
            if (code, t) not in world:
                continue
            rng = _rng(sim.seed, "repair", code, t)
            win = _window(t, d.waves)
            exs = [e for y in win if (code, y) in world for e in world[(code, y)].rows[EXER.name]]
            for token in (TOK_STRATEGIC, TOK_NCC, _char_tok(RING_CHAR)):
                if not any(sim.carries(e, token) for e in exs):
                    sim.ensure_exercise_token(rng, code, win, token)
            lessons = [x for y in win if (code, y) in world for x in world[(code, y)].rows[LESSONS.name]]
            if not any(x["bron"] == SRC_OTHER for x in lessons):
                sim.ensure_lesson_from_other(rng, code, win)
            plan = world[(code, t)].grids[PLAN.name]
            locked = d.plan_lock.get((code, t), {})
            for c in CHARS:
                cell = plan[(c,)]
                if not cell["in_plan"] or cell["niet_beoefenen_onderbouwd"] is True:
                    continue
                if c in sim.exercised(code, win):
                    continue
                is_locked = c in locked  # a locked cell is never substantiated by the repair
                fixed = (is_locked or rng.random() < 0.75) and sim.ensure_exercise_token(rng, code, win, _char_tok(c))
                if not fixed and not is_locked:
                    cell["niet_beoefenen_onderbouwd"] = True
                    cell["onderbouwing"] = _fmt(rng, _PLAN_NOTES, label=CATALOGUES["bijzonderheid"].label(c),
                                                prev=t - 1, next=t + 1)
    # explicit overrides of single waves
    for (code, t), vals in d.risk_override.items():
        if (code, t) in world:
            world[(code, t)].rows[RISK.name][0].update(vals)
    for (code, t), cells in d.ring_override.items():
        if (code, t) in world:
            for k, (val, note) in cells.items():
                world[(code, t)].grids[RING.name][k] = {"toegang": val, "afwijking_toelichting": note}
    for (code, t), cells in d.equip_override.items():
        if (code, t) in world:
            rng = _rng(sim.seed, "equip-override", code, t)
            for k, (val, note) in cells.items():
                world[(code, t)].grids[EQUIP.name][k] = sim.equipment_cell(rng, sim.bases[code].region, k, val, note)


def _shape_shares(sim: _Sim) -> None:
    """The shares behind the national-proportion indicators: each region's count is its own share of the items,
    randomly rounded (less noise than independent draws), so that planted extremes stand out from a background
    whose spread the funnel explains. Plants that fix an attribute are left alone."""
    others_vk = [g for g in CATALOGUES["gedeeld"].codes if g != SHARED_VK]
    not_done = [f for f in CATALOGUES["opvolging"].codes if f != FOLLOW_DONE]
    all_disc = CATALOGUES["discipline_oefening"].codes
    for (code, t), rw in sim.world.items():
        rng = _rng(sim.seed, "shares", code, t)
        b = sim.bases[code]
        ex_attr = sim.d.ex_attr.get((code, t), {})
        les_attr = sim.d.lesson_attr.get((code, t), {})

        def chosen(items, share):
            k = int(math.floor(len(items) * share + rng.random()))
            idx = set(rng.permutation(len(items))[:k].tolist())
            return [i in idx for i in range(len(items))]

        exs = rw.rows[EXER.name]
        if "geevalueerd" not in ex_attr:
            for e, yes in zip(exs, chosen(exs, b.eval_share)):
                e["geevalueerd"] = yes
        if not ex_attr.get("mono"):
            for e, multi in zip(exs, chosen(exs, b.multi_share)):
                if multi and len(e["disciplines"]) < 2:
                    extra = [c for c in all_disc if c not in e["disciplines"]]
                    e["disciplines"] = sorted(e["disciplines"] + [str(_pick(rng, extra))], key=all_disc.index)
                elif not multi and len(e["disciplines"]) >= 2:
                    core = [c for c in e["disciplines"] if c in CORE_DISCIPLINES] or list(CORE_DISCIPLINES)
                    e["disciplines"] = [str(_pick(rng, core))]
        les = rw.rows[LESSONS.name]
        if "gedeeld" not in les_attr:
            for x, vk in zip(les, chosen(les, b.vk_share)):
                if vk:
                    x["gedeeld"] = SHARED_VK
                elif x["gedeeld"] == SHARED_VK:
                    x["gedeeld"] = str(_pick(rng, others_vk))
        if "opvolging" not in les_attr:
            for x, done in zip(les, chosen(les, b.follow_share)):
                if done:
                    x["opvolging"] = FOLLOW_DONE
                elif x["opvolging"] == FOLLOW_DONE:
                    x["opvolging"] = str(_pick(rng, not_done))


def _scores(sim: _Sim) -> None:
    """Self-assessed probability (driven by the method), impact (region-independent) and extra preparation."""
    for (code, t), rw in sim.world.items():
        rng = _rng(sim.seed, "scores", code, t)
        risk = rw.rows[RISK.name][0]
        b = sim.bases[code]
        latent = 2.5 + _METHOD_EFFECT.get(risk["methode"], 0.0) + 0.3 * b.risk_z + rng.normal(0, 0.45)
        kans = int(min(5, max(1, round(latent))))
        risk["kans_score"] = kans
        risk["impact_score"] = int(min(5, max(1, round(4.2 + rng.normal(0, 0.55)))))
        p = [0.6, 0.05, 0.35] if kans >= 4 else [0.25, 0.2, 0.55] if kans == 3 else [0.05, 0.6, 0.35]
        risk["extra_voorbereiding"] = str(_pick(rng, [YES, NO, PARTLY], p))


# ---------------------------------------------------------------------------
# Oracle: the rule-based verdicts, from the data (docs/method.md)
# ---------------------------------------------------------------------------


def _modal_norms(module: Module, value_field: str, cat, norms, grids: list[dict], protective_high: bool):
    """Norm per cell: the norm file, else the mode among the regions (ties: the more protective value).
    Returns (norm per key, set of keys where the mode was a tie)."""
    out, ties = {}, set()
    for key in module.expected_grid():
        code = norms[key].code
        if code is None:
            counts = Counter(g[key][value_field] for g in grids if key in g)
            if not counts:
                out[key] = None
                continue
            best = max(counts.values())
            cands = [c for c, n in counts.items() if n == best]
            if len(cands) > 1:
                ties.add(key)
            lv = [_level(cat, c) for c in cands]
            code = _code_at(cat, max(lv) if protective_high else min(lv))
        out[key] = code
    return out, ties


def uniform_verdicts(world: Mapping[tuple[str, int], RegionWave], codes: Sequence[str], waves: Sequence[int],
                     at: Sequence[int], ring_norms, eq_norms) -> tuple[dict[tuple[int, str, str], str], set]:
    """Verdict of every region on every rule-based indicator in the waves ``at``.

    Returns the verdicts keyed by (wave, region, indicator) and the (wave, module, key) cells where the
    national mode was a tie.
    """
    out: dict[tuple[int, str, str], str] = {}
    ties = set()
    for t in at:
        present = [c for c in codes if (c, t) in world]
        ring_norm, rt = _modal_norms(RING, "toegang", ACCESS, ring_norms,
                                     [world[(c, t)].grids[RING.name] for c in present], protective_high=False)
        eq_norm, et = _modal_norms(EQUIP, "beschikbaarheid", AVAIL, eq_norms,
                                   [world[(c, t)].grids[EQUIP.name] for c in present], protective_high=True)
        ties |= {(t, RING.name, k) for k in rt} | {(t, EQUIP.name, k) for k in et}
        for c in codes:
            rw = world.get((c, t))
            if rw is None:
                for ind in UNIFORM_INDICATORS:
                    out[(t, c, ind)] = NO_DATA
                continue
            win = [world[(c, y)] for y in _window(t, waves) if (c, y) in world]
            exs = [e for w in win for e in w.rows[EXER.name]]
            lessons = [x for w in win for x in w.rows[LESSONS.name]]
            plan = rw.grids[PLAN.name]
            exercised = {ch for e in exs for ch in (e["beoefende_bijzonderheden"] or [])}

            def subst(ch):
                return plan[(ch,)]["niet_beoefenen_onderbouwd"] is True

            out[(t, c, "ex_strategic")] = CONFORM if any(e["niveau"] == STRATEGIC for e in exs) else UNSUBSTANTIATED
            out[(t, c, "ex_with_ncc")] = (CONFORM if any(e["met_nationale_crisisorganisatie"] for e in exs)
                                          else SUBSTANTIATED if subst(NCC_CHAR) else UNSUBSTANTIATED)
            out[(t, c, "ring_exercised")] = (CONFORM if RING_CHAR in exercised
                                             else SUBSTANTIATED if subst(RING_CHAR) else UNSUBSTANTIATED)
            n_open = sum(1 for (ch,), v in plan.items()
                         if v["in_plan"] and ch not in exercised and v["niet_beoefenen_onderbouwd"] is not True)
            out[(t, c, "plan_unexercised_unsubstantiated")] = CONFORM if n_open == 0 else UNSUBSTANTIATED
            risk = rw.rows[RISK.name][0]
            ok = risk["methode"] != METHOD_NONE and risk["onderbouwing_aanwezig"] and risk["bestuurlijk_vastgesteld"]
            out[(t, c, "risk_substantiated")] = CONFORM if ok else UNSUBSTANTIATED
            dev = [v for k, v in rw.grids[RING.name].items() if v["toegang"] != ring_norm[k]]
            out[(t, c, "ring_conformity")] = (CONFORM if not dev else SUBSTANTIATED
                                              if all(v["afwijking_toelichting"] for v in dev) else UNSUBSTANTIATED)
            low = [v for k, v in rw.grids[EQUIP.name].items()
                   if _level(AVAIL, v["beschikbaarheid"]) < _level(AVAIL, eq_norm[k])]
            out[(t, c, "equipment_parity")] = (CONFORM if not low else SUBSTANTIATED
                                               if all(v["afwijking_toelichting"] for v in low) else UNSUBSTANTIATED)
            out[(t, c, "lessons_from_others")] = (CONFORM if any(x["bron"] == SRC_OTHER for x in lessons)
                                                  else UNSUBSTANTIATED)
    return out, ties


def _risk_substantiated(rw: RegionWave) -> bool:
    risk = rw.rows[RISK.name][0]
    return bool(risk["methode"] != METHOD_NONE and risk["onderbouwing_aanwezig"] and risk["bestuurlijk_vastgesteld"])


def _proportion_z(r: np.ndarray, n: np.ndarray, i: int, trim: float = 0.1) -> tuple[float, float, float]:
    """z of unit i on the arcsine scale with winsorised phi and DerSimonian-Laird tau^2 (docs/method.md).
    Returns (z, pooled p, tau2)."""
    keep = n > 0
    p0 = float(r[keep].sum() / n[keep].sum())
    centre = math.asin(math.sqrt(p0))
    y = np.arcsin(np.sqrt(np.where(keep, r / np.where(keep, n, 1), 0)))
    s = 1 / (2 * np.sqrt(np.where(keep, n, 1)))
    z0 = ((y - centre) / s)[keep]
    m = z0.size
    g = int(math.floor(trim * m))
    zs = np.sort(z0)
    zw = np.clip(z0, zs[g], zs[m - 1 - g]) if m > 2 * g else z0
    phi = float(np.mean(zw ** 2))
    w = 1 / s[keep] ** 2
    tau2 = max(0.0, (m * phi - (m - 1)) / (w.sum() - (w ** 2).sum() / w.sum())) if m * phi > m - 1 else 0.0
    return float((y[i] - centre) / math.sqrt(s[i] ** 2 + tau2)), p0, tau2


def _statistical_counts(world, codes, waves, t, indicator) -> tuple[np.ndarray, np.ndarray]:
    r, n = [], []
    for c in codes:
        rw = world.get((c, t))
        if rw is None:
            r.append(0), n.append(0)
            continue
        exs, les = rw.rows[EXER.name], rw.rows[LESSONS.name]
        if indicator == "ex_multidisciplinary_share":
            r.append(sum(len(e["disciplines"]) >= 2 for e in exs)), n.append(len(exs))
        elif indicator == "ex_evaluated_share":
            r.append(sum(bool(e["geevalueerd"]) for e in exs)), n.append(len(exs))
        elif indicator == "lessons_shared_share":
            r.append(sum(x["gedeeld"] == SHARED_VK for x in les)), n.append(len(les))
        elif indicator == "lessons_followed_up_share":
            r.append(sum(x["opvolging"] == FOLLOW_DONE for x in les)), n.append(len(les))
        elif indicator == "plan_coverage":
            exercised = {ch for y in _window(t, waves) if (c, y) in world
                         for e in world[(c, y)].rows[EXER.name] for ch in (e["beoefende_bijzonderheden"] or [])}
            in_plan = [ch for (ch,), v in rw.grids[PLAN.name].items() if v["in_plan"]]
            r.append(sum(ch in exercised for ch in in_plan)), n.append(len(in_plan))
        else:
            raise AssertionError(indicator)
    return np.array(r, dtype=float), np.array(n, dtype=float)


def _truth(sim: _Sim, ring_norms, eq_norms, export_waves: set[int] = frozenset(),
           dropped: list[str] | None = None) -> list[dict]:
    """The ground-truth rows, after checking the design's intentions against the data.

    ``export_waves``: waves written as survey-tool exports, where a region without exercises has no rows in
    ``oefeningen.csv`` and so counts as not having sent the module."""
    d, world, codes = sim.d, sim.world, sim.codes
    verdicts, ties = uniform_verdicts(world, codes, d.waves, d.planting, ring_norms, eq_norms)
    if ties:
        raise AssertionError(f"sample: the national mode is a tie in {sorted(ties)[:5]}; the ground truth would "
                             "depend on the tie rule")
    intended = {}
    for p in d.plants:
        if p.indicator in UNIFORM_INDICATORS:
            for t in p.waves:
                intended[(t, p.region, p.indicator)] = p
    planted_pairs = {(p.region, p.indicator) for p in d.plants}
    full_design = all(y in d.waves for y in range(d.waves[-1] - 4, d.waves[-1] + 1))
    problems = []
    for (t, c, ind), v in verdicts.items():
        if (c, t) in d.missing:
            continue
        p = intended.get((t, c, ind))
        if p is not None and v != p.verdict and full_design:
            problems.append(f"{t} {c} {ind}: planted {p.verdict}, data gives {v}")
        if ind == "lessons_from_others" and len(codes) < 2:
            continue  # a single region has nobody to learn from
        if p is None and v != CONFORM and ((c, ind) not in planted_pairs or full_design):
            problems.append(f"{t} {c} {ind}: background region is {v}, not conform")
    if problems:
        raise AssertionError("sample: ground truth does not hold:\n" + "\n".join(problems[:20]))

    rows = []
    for (t, c, ind), v in verdicts.items():
        if (c, t) in d.missing:
            note = "Region sent nothing for this wave."
        elif ind == "lessons_from_others" and len(codes) < 2:
            note = "Only one region: there is no other region to take a lesson from."
        elif v == CONFORM:
            note = ("Planted region, but the window still holds what the indicator asks: conform."
                    if (c, ind) in planted_pairs else "Background region: meets the norm.")
        else:
            p = intended.get((t, c, ind)) or next(p for p in d.plants if (p.region, p.indicator) == (c, ind))
            note = p.note
        rows.append({"wave": t, "region_code": c, "indicator_id": ind, "expected_verdict": v, "coverage": "full",
                     "note": note})
    # statistical plants, checked against funnel limits computed here
    for p in d.plants:
        if p.indicator in UNIFORM_INDICATORS:
            continue
        for t in p.waves:
            rw = world[(p.region, t)]
            if p.indicator == "ex_count":
                if rw.rows[EXER.name]:
                    raise AssertionError(f"sample: {p.region} {t} should hold 0 exercises")
                want = SUBSTANTIATED if _risk_substantiated(rw) else UNSUBSTANTIATED
                if want != p.verdict:
                    raise AssertionError(f"sample: ex_count plant of {p.region} {t} is {want}, planned {p.verdict}")
                note = p.note
                if t in export_waves:
                    rows.append({"wave": t, "region_code": p.region, "indicator_id": p.indicator,
                                 "expected_verdict": NO_DATA, "coverage": "planted",
                                 "note": "0 exercises written as an export: no rows in oefeningen.csv, so the module "
                                         "counts as not sent."})
                    continue
                for share in ("ex_multidisciplinary_share", "ex_evaluated_share"):
                    rows.append({"wave": t, "region_code": p.region, "indicator_id": share, "expected_verdict": NO_DATA,
                                 "coverage": "planted",
                                 "note": "Consequence of the planted 0 exercises: no share can be computed."})
            else:
                r, n = _statistical_counts(world, codes, d.waves, t, p.indicator)
                i = codes.index(p.region)
                z, p0, tau2 = _proportion_z(r, n, i)
                ok = z <= -_PLANT_Z if p.verdict == UNSUBSTANTIATED else z >= _PLANT_Z
                if not ok:  # this seed's background is too dispersed to call the plant with confidence
                    if dropped is not None:
                        dropped.append(f"{t} {p.region} {p.indicator} (z = {z:.2f})")
                    continue
                note = (p.note.format(n=int(n[i]), num=int(r[i]), den=int(n[i]))
                        + f" National {p0:.0%}; z = {z:.1f} on the arcsine scale with tau^2 = {tau2:.3f} "
                          f"(99.8% limit at |z| = {Z998}).")
            rows.append({"wave": t, "region_code": p.region, "indicator_id": p.indicator, "expected_verdict": p.verdict,
                         "coverage": "planted", "note": note})
    for c, t in sorted(d.missing):
        if t in d.planting:
            for ind in STATISTICAL_INDICATORS:
                rows.append({"wave": t, "region_code": c, "indicator_id": ind, "expected_verdict": NO_DATA,
                             "coverage": "planted", "note": "Region sent nothing for this wave."})
    order = {ind: i for i, ind in enumerate(INDICATORS)}
    rows.sort(key=lambda x: (x["wave"], order[x["indicator_id"]], x["region_code"]))
    return rows


def _write_truth(rows: list[dict], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(GROUND_TRUTH_COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    true: object = "ja"
    false: object = "nee"
    date: str = "iso"  # iso | nl | cell
    sep: str = "|"
    ints: str = "text"  # text | cell
    comma_ints: tuple[str, ...] = ()  # int fields written with a decimal comma ("12,0")
    cp1252: bool = False  # drop characters Windows-1252 cannot hold (a survey tool's export loses emoji)


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    encoding: str
    decimal_comma: bool
    style: _Style


_DIALECTS = (
    _Dialect(";", "cp1252", True, _Style("Ja", "Nee", "nl", "|", comma_ints=("aantal",), cp1252=True)),
    _Dialect(",", "utf-8-sig", False, _Style("1", "0", "iso", " | ")),
    _Dialect(",", "utf-8", False, _Style("true", "false", "iso", "|")),
)
_BOOL_STYLES = (("ja", "nee"), ("Ja", "Nee"), ("JA", "NEE"), ("j", "n"), ("J", "N"), ("1", "0"), ("yes", "no"),
                (True, False))
for _t, _f in _BOOL_STYLES + tuple((d.style.true, d.style.false) for d in _DIALECTS):
    if not isinstance(_t, bool):
        assert BOOLEAN_WORDS[str(_t).lower()] is True and BOOLEAN_WORDS[str(_f).lower()] is False
_fields(EQUIP, "aantal")


def _cell(f: Field, value, style: _Style):
    if value is None:
        return None
    if f.kind == "bool":
        return style.true if value else style.false
    if f.kind == "date":
        if style.date == "cell":
            return value
        return value.isoformat() if style.date == "iso" else value.strftime("%d-%m-%Y")
    if f.kind == "codes":
        return style.sep.join(value) if value else None
    if f.kind == "int":
        if f.name in style.comma_ints:
            return f"{int(value)},0"
        return int(value) if style.ints == "cell" else str(int(value))
    text = str(value)
    if style.cp1252:
        text = text.encode("cp1252", "ignore").decode("cp1252").strip()
    return text


_ALLOWED = {m.name: frozenset(m.field_names) for m in MODULES.values()}
_REQUIRED = {m.name: tuple(f.name for f in m.fields if f.required) for m in MODULES.values()}
_FIELDS = {m.name: {f.name: f for f in m.fields} for m in MODULES.values()}


def _check_row(module: Module, row: dict) -> None:
    if not row.keys() <= _ALLOWED[module.name]:
        raise AssertionError(f"sample: {module.name} row has unknown fields {sorted(set(row) - _ALLOWED[module.name])}")
    for name in _REQUIRED[module.name]:
        if row.get(name) in (None, [], ""):
            raise AssertionError(f"sample: {module.name} row misses required {name}: {row}")


def _typed_rows(rw: RegionWave, module: Module) -> list[dict]:
    rows = rw.module_rows(module)
    for row in rows:
        _check_row(module, row)
    return rows


_HEADER_VARIANTS = (str.upper, str.title, lambda s: f" {s}", lambda s: f"{s} ", str.capitalize)


def _workbook_layout(seed: int, code: str, t: int, varied: bool):
    """Per workbook: value style, whether regio_code is present, header spellings and column orders."""
    rng = _rng(seed, "layout", code, t)
    t_, f_ = _BOOL_STYLES[int(rng.integers(len(_BOOL_STYLES)))]
    style = _Style(t_, f_, str(_pick(rng, ["iso", "nl", "cell"])), str(_pick(rng, ["|", " | ", "| "])),
                   str(_pick(rng, ["text", "cell"])))
    include_region = not varied or rng.random() > 0.3
    vary_case = varied and rng.random() < 0.35
    shuffle = varied and rng.random() < 0.3
    blank_row = varied and rng.random() < 0.15
    headers, orders = {}, {}
    for m in MODULES.values():
        cols = ([REGION_COLUMN] if include_region else []) + list(m.field_names)
        names = {c: c for c in cols}
        if vary_case:
            for c in cols:
                if rng.random() < 0.5:
                    names[c] = _HEADER_VARIANTS[int(rng.integers(len(_HEADER_VARIANTS)))](c)
        if shuffle and rng.random() < 0.6:
            cols = [cols[i] for i in rng.permutation(len(cols))]
        headers[m.name], orders[m.name] = names, cols
    return style, include_region, headers, orders, blank_row, rng


def _write_region_workbook(path: Path, rw: RegionWave, seed: int, varied: bool) -> None:
    style, include_region, headers, orders, blank_row, rng = _workbook_layout(seed, rw.code, rw.wave, varied)
    sheets, header_order = {}, {}
    for m in MODULES.values():
        fields = _FIELDS[m.name]
        rows: list[dict | None] = []
        for row in _typed_rows(rw, m):
            out = {headers[m.name][k]: _cell(fields[k], v, style) for k, v in row.items()}
            if include_region:
                out[headers[m.name][REGION_COLUMN]] = rw.code
            rows.append(out)
        if blank_row and m.rows == "many" and len(rows) >= 2 and rng.random() < 0.5:
            rows.insert(len(rows) // 2, None)
        sheets[m.name] = rows
        header_order[m.name] = [headers[m.name][c] for c in orders[m.name]]
    write_workbook(path, sheets, header_order)


def _write_exports(folder: Path, world_rows: list[RegionWave], dialect: _Dialect) -> list[Path]:
    paths = []
    for m in MODULES.values():
        fields = _FIELDS[m.name]
        rows = []
        for rw in world_rows:
            for row in _typed_rows(rw, m):
                rows.append({REGION_COLUMN: rw.code} | {k: _cell(fields[k], v, dialect.style) for k, v in row.items()})
        path = folder / f"{m.name}.csv"
        write_export(path, rows, dialect.delimiter, dialect.encoding, dialect.decimal_comma,
                     header=[REGION_COLUMN, *m.field_names])
        paths.append(path)
    return paths


def _draft(rw: RegionWave) -> RegionWave:
    """An earlier draft of a return (sent through the survey tool before the region's workbook)."""
    draft = copy.deepcopy(rw)
    risk = draft.rows[RISK.name][0]
    risk["kans_score"] = risk["kans_score"] + 1 if risk["kans_score"] < 5 else risk["kans_score"] - 1
    risk["bestuurlijk_vastgesteld"] = False
    risk["datum_vastgesteld"] = None
    risk["toelichting"] = "Concept: nog niet vastgesteld door het algemeen bestuur."
    meta = draft.rows[META.name][0]
    meta["datum_ingevuld"] = meta["datum_ingevuld"] - dt.timedelta(days=30)
    return draft


def _check_personal(world) -> None:
    """Names, roles and e-mail addresses of respondents appear nowhere but in meta's own fields."""
    personal = set()
    for rw in world.values():
        for row in rw.rows[META.name]:
            personal |= {v for k, v in row.items() if v and META.field(k).personal}
    texts = set()
    for m in MODULES.values():
        names = [f.name for f in m.fields if f.kind in ("freetext", "text") and not f.personal]
        for rw in world.values():
            for row in rw.module_rows(m):
                texts.update(row[k] for k in names if row.get(k))
    joined = "\x00".join(sorted(texts))
    for v in sorted(personal | {"@"}):
        if v in joined:
            raise AssertionError(f"sample: personal data {v!r} appears outside meta")


# ---------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------


def generate(out: Path, waves: Sequence[int], seed: int = 2020, regions: list[Region] | None = None,
             form: str | None = None, ground_truth: Path | None = None) -> dict:
    """Write sample returns for ``waves`` under ``out/<wave>/`` and, optionally, the ground truth.

    ``form``: ``None`` the shipped layout (up to 2019 a Windows-1252 export with ``;`` and decimal comma, 2020
    UTF-8 with BOM, 2021 UTF-8 without BOM plus one region's workbook, from 2022 one workbook per region);
    ``"csv"`` every wave as exports; ``"xlsx"`` every wave as workbooks. Each ``out/<wave>`` folder is
    cleared first; nothing else under ``out`` is touched. Returns a summary.
    """
    if form not in (None, "csv", "xlsx"):
        raise ValueError(f"form must be None, 'csv' or 'xlsx', not {form!r}")
    waves = sorted({int(w) for w in waves})
    if not waves:
        raise ValueError("no waves")
    regions = list(regions) if regions is not None else load_regions(REFERENCE)
    if len({r.code for r in regions}) != len(regions):
        raise ValueError("region codes must be unique")
    out = Path(out)
    ring_norms, eq_norms = load_ring_norms(REFERENCE), load_equipment_norms(REFERENCE)
    ring_target, eq_target = _ring_targets(ring_norms), _equipment_targets(eq_norms)

    design = _design(regions, waves, seed, form is None, ring_norms, ring_target, eq_norms, eq_target)
    sim = _Sim(regions, design, seed, ring_target, eq_target)
    sim.run()
    for key in design.missing:  # before the discipline pass: a wave never sent cannot be repaired
        sim.world.pop(key, None)
    _discipline(sim)
    _shape_shares(sim)
    _scores(sim)
    _check_personal(sim.world)
    export_waves = {t for t in waves if form == "csv" or (form is None and t < 2022)}
    dropped: list[str] = []
    truth = _truth(sim, ring_norms, eq_norms, export_waves, dropped)

    written: list[Path] = []
    for i, t in enumerate(waves):
        folder = out / str(t)
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        present = [sim.world[(r.code, t)] for r in regions if (r.code, t) in sim.world]
        if form == "xlsx" or (form is None and t >= 2022):
            for rw in present:
                path = folder / f"{rw.code}_{slug(sim.names[rw.code])}.xlsx"
                _write_region_workbook(path, rw, seed, varied=form is None or i % 2 == 1)
                written.append(path)
            continue
        dialect = _DIALECTS[i % 3] if form == "csv" else _DIALECTS[0 if t <= 2019 else 1 if t == 2020 else 2]
        export_rows = present
        if design.double_source and design.double_source[1] == t and form is None:
            code = design.double_source[0]
            export_rows = [_draft(rw) if rw.code == code else rw for rw in present]
            rw = sim.world[(code, t)]
            path = folder / f"{code}_{slug(sim.names[code])}.xlsx"
            _write_region_workbook(path, rw, seed, varied=True)
            written.append(path)
        written += _write_exports(folder, export_rows, dialect)

    if ground_truth is not None:
        _write_truth(truth, Path(ground_truth))

    rows = {m.name: sum(len(rw.module_rows(m)) for rw in sim.world.values() if rw.wave in waves)
            for m in MODULES.values()}
    verdict_counts = Counter(r["expected_verdict"] for r in truth if r["expected_verdict"] != CONFORM)
    return {
        "out": str(out),
        "waves": waves,
        "form": form or "shipped",
        "n_regions": len(regions),
        "n_files": len(written),
        "bytes": sum(p.stat().st_size for p in written),
        "files": sorted(str(p.relative_to(out)).replace("\\", "/") for p in written),
        "rows": rows,
        "missing": sorted([c, t] for c, t in design.missing),
        "double_source": list(design.double_source) if design.double_source and form is None else None,
        "ground_truth_rows": len(truth),
        "planted": dict(sorted(verdict_counts.items())),
        "dropped_plants": dropped,
        "roles": dict(design.roles),
    }
