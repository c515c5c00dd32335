"""The names the sample generator needs from the codebook and the method.

Looks up, when imported, the modules, fields and codes the generator names
by hand (the strategic level, the ring model, the method ``geen``, ...), so a
renamed module, field or code in :mod:`pipelines.contract.codebook` fails
loudly here. Also hands on the indicator ids and verdict codes the ground truth
is written in (from :mod:`pipelines.contract.indicators` and
:mod:`~pipelines.contract.verdicts`), and holds the tokens the design uses to
constrain exercises and lessons.

It does not define the survey (that is the codebook) nor compute anything.
"""

from __future__ import annotations

from pipelines.contract import indicators, verdicts
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES, Module
from pipelines.contract.verdicts import CONFORM, FAVOURABLE, SUBSTANTIATED  # noqa: F401 (re-exported)


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
_fields(
    RISK,
    "methode",
    "kans_score",
    "impact_score",
    "extra_voorbereiding",
    "onderbouwing_aanwezig",
    "bestuurlijk_vastgesteld",
    "datum_vastgesteld",
    "hoogrisico_objecten",
    "grootschalige_evenementen",
    "toelichting",
)
_fields(PLAN, "bijzonderheid", "in_plan", "niet_beoefenen_onderbouwd", "onderbouwing", "geldig_tot")
_fields(
    EXER,
    "oefening_id",
    "datum",
    "niveau",
    "vorm",
    "scenario",
    "disciplines",
    "met_nationale_crisisorganisatie",
    "met_andere_regio",
    "beoefende_bijzonderheden",
    "geevalueerd",
    "deelnemers",
)
_fields(RING, "zone", "discipline", "toegang", "afwijking_toelichting", "geldig_tot")
_fields(
    EQUIP,
    "discipline",
    "functie",
    "middel",
    "beschikbaarheid",
    "aantal",
    "training_gevolgd",
    "afwijking_toelichting",
    "geldig_tot",
)
_fields(
    LESSONS,
    "les_id",
    "bron",
    "bron_oefening_id",
    "bijzonderheid",
    "omschrijving",
    "gedeeld",
    "opvolging",
    "overgenomen_van",
)

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

#: Indicator ids of docs/method.md, in its order (the contract's).
INDICATORS = indicators.INDICATOR_IDS
#: Uniform-norm (rule-based) indicators: deterministic from the data, fully covered in the ground truth.
UNIFORM_INDICATORS = tuple(i.id for i in indicators.INDICATORS if i.norm_type == indicators.UNIFORM)
#: Risk-adjusted and national-proportion indicators: only planted rows are listed.
STATISTICAL_INDICATORS = tuple(i for i in INDICATORS if i not in UNIFORM_INDICATORS)

#: The verdicts the ground truth is written in (the contract's, in its order).
VERDICTS = verdicts.VERDICTS
UNSUBSTANTIATED, NO_DATA = verdicts.UNJUSTIFIED, verdicts.MISSING

# tokens an exercise or lesson can carry (design constraints)
TOK_STRATEGIC, TOK_NCC, TOK_OTHER = "strategisch", "ncc", "andere_regio"


def _char_tok(c: str) -> str:
    return "char:" + c
