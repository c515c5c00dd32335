"""The survey's data contract, written down once.

Every other part of regiobench derives from the objects in this module: the
readers (which columns exist, how to parse them), the validation suites (which
values are allowed), the staging tables (English column names and DuckDB
types), the generated documentation and the sample generator. Nothing else in
the project may list a module's columns or a catalogue's codes again.
This module holds the facts only: the fields and modules here, the catalogues
of codes in :mod:`pipelines.contract.catalogues`. The Markdown page
docs/codebook.md is written from them by :mod:`pipelines.contract.codebook_docs`.

Field names and codes are Dutch, as the regions fill them in; ``Field.column``
is the English name the value gets in the staging layer.

Field kinds
-----------
``text``      short free text (an identifier or a name)
``freetext``  anything a person types; shown as text, never as markup
``int``       whole number (``min``/``max`` bound it)
``bool``      ja/nee and the synonyms in :data:`BOOLEAN_WORDS`
``date``      ``YYYY-MM-DD`` or ``DD-MM-YYYY``
``code``      one code from ``catalogue``
``codes``     several codes from ``catalogue``, separated by ``|``
``region``    a region code from ``data/reference/regions.csv``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pipelines.contract.catalogues import CATALOGUES, ROLE_DISCIPLINE

# --------------------------------------------------------------------------
# Fields and modules
# --------------------------------------------------------------------------

#: DuckDB type of each field kind in the staging layer.
DUCKDB_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "text": "VARCHAR",
        "freetext": "VARCHAR",
        "int": "BIGINT",
        "bool": "BOOLEAN",
        "date": "DATE",
        "code": "VARCHAR",
        "codes": "VARCHAR[]",
        "region": "VARCHAR",
    }
)


@dataclass(frozen=True)
class Field:
    """One column of a module as the region fills it in."""

    name: str
    column: str
    kind: str
    description: str
    required: bool = False
    catalogue: str | None = None
    min: int | None = None
    max: int | None = None
    personal: bool = False  # dropped while reading; never stored anywhere

    def __post_init__(self):
        if self.kind not in DUCKDB_TYPES:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name}")
        if self.kind in ("code", "codes") and self.catalogue not in CATALOGUES:
            raise ValueError(f"field {self.name} names unknown catalogue {self.catalogue!r}")

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class Module:
    """One sheet of the workbook, or one CSV file of the survey-tool export.

    ``rows`` says how many rows a region sends: ``one``, ``grid`` (exactly one
    row per combination of the ``grid`` fields' catalogues, restricted by
    :data:`ROLE_DISCIPLINE` where both role and discipline are in it) or
    ``many``. ``key`` names the fields that are unique per region and wave.
    """

    name: str
    table: str
    description: str
    rows: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    grid: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.personal)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def expected_grid(self) -> list[tuple[str, ...]]:
        """Every combination of the grid fields a complete return holds."""
        if not self.grid:
            return []
        combos: list[tuple[str, ...]] = [()]
        for name in self.grid:
            catalogue = self.field(name).catalogue
            if catalogue is None:
                raise ValueError(f"grid field {name} of {self.name} has no catalogue")
            codes = CATALOGUES[catalogue].codes
            combos = [c + (code,) for c in combos for code in codes]
        if "functie" in self.grid and "discipline" in self.grid:
            i_role, i_disc = self.grid.index("functie"), self.grid.index("discipline")
            combos = [c for c in combos if ROLE_DISCIPLINE[c[i_role]] == c[i_disc]]
        return combos


F = Field
#: The optional validity year beside every reason field (docs/verdicts.md 5a): after it, the reason lapses.
VALID_UNTIL = Field(
    "geldig_tot",
    "valid_until",
    "int",
    "tot en met welk jaar de toelichting geldt (leeg: zonder einde)",
    min=2000,
    max=2100,
)

MODULES: Mapping[str, Module] = MappingProxyType(
    {
        m.name: m
        for m in [
            Module(
                "meta",
                "stg_submission_meta",
                "gegevens over het invullen; één rij",
                "one",
                (
                    F("ingevuld_door", "filled_in_by", "text", "naam van wie invulde", personal=True),
                    F("email", "email", "text", "e-mailadres van wie invulde", personal=True),
                    F("functie", "respondent_role", "text", "functie van wie invulde", personal=True),
                    F("datum_ingevuld", "completed_on", "date", "datum van invullen", required=True),
                ),
            ),
            Module(
                "risico",
                "stg_risk_assessments",
                "risicobeoordeling; één rij",
                "one",
                (
                    F("methode", "method", "code", "methode van risicobeoordeling", True, "methode"),
                    F(
                        "kans_score",
                        "probability_score",
                        "int",
                        "eigen inschatting kans op een aanslag (1-5)",
                        True,
                        min=1,
                        max=5,
                    ),
                    F("impact_score", "impact_score", "int", "eigen inschatting impact (1-5)", True, min=1, max=5),
                    F(
                        "extra_voorbereiding",
                        "extra_preparation",
                        "code",
                        "extra voorbereiding nodig geacht",
                        True,
                        "ja_nee_deels",
                    ),
                    F(
                        "onderbouwing_aanwezig",
                        "substantiation_present",
                        "bool",
                        "schriftelijke onderbouwing aanwezig",
                        True,
                    ),
                    F(
                        "bestuurlijk_vastgesteld",
                        "board_adopted",
                        "bool",
                        "vastgesteld door het algemeen bestuur",
                        True,
                    ),
                    F("datum_vastgesteld", "adopted_on", "date", "datum van vaststelling (verplicht als vastgesteld)"),
                    F(
                        "hoogrisico_objecten",
                        "high_risk_sites",
                        "int",
                        "aangewezen hoogrisico-objecten in het risicoprofiel",
                        True,
                        min=0,
                    ),
                    F(
                        "grootschalige_evenementen",
                        "large_events",
                        "int",
                        "evenementen per jaar met meer dan 10.000 bezoekers",
                        True,
                        min=0,
                    ),
                    F("toelichting", "notes", "freetext", "toelichting"),
                ),
            ),
            Module(
                "planvorming",
                "stg_plan_characteristics",
                "bijzonderheden in het TGB-plan; één rij per bijzonderheid",
                "grid",
                (
                    F("bijzonderheid", "characteristic", "code", "bijzonderheid", True, "bijzonderheid"),
                    F("in_plan", "in_plan", "bool", "het plan noemt dit als bijzonderheid", True),
                    F(
                        "niet_beoefenen_onderbouwd",
                        "not_exercising_substantiated",
                        "bool",
                        "onderbouwd waarom dit niet beoefend hoeft te worden",
                    ),
                    F("onderbouwing", "substantiation_text", "freetext", "onderbouwing"),
                    VALID_UNTIL,
                ),
                key=("bijzonderheid",),
                grid=("bijzonderheid",),
            ),
            Module(
                "oefeningen",
                "stg_exercises",
                "oefeningen met een terroristisch scenario in het peiljaar; één rij per oefening",
                "many",
                (
                    F(
                        "oefening_id",
                        "exercise_id",
                        "text",
                        "kenmerk van de oefening (uniek per regio en peiljaar)",
                        True,
                    ),
                    F("datum", "exercise_date", "date", "datum van de oefening (in het peiljaar)", True),
                    F("niveau", "level", "code", "niveau", True, "niveau"),
                    F("vorm", "form", "code", "vorm", True, "vorm"),
                    F("scenario", "scenario", "code", "scenario", True, "scenario"),
                    F("disciplines", "disciplines", "codes", "deelnemende disciplines", True, "discipline_oefening"),
                    F(
                        "met_nationale_crisisorganisatie",
                        "with_national_crisis_org",
                        "bool",
                        "met de nationale crisisorganisatie",
                        True,
                    ),
                    F("met_andere_regio", "with_other_region", "bool", "met een andere regio", True),
                    F(
                        "beoefende_bijzonderheden",
                        "characteristics_exercised",
                        "codes",
                        "beoefende bijzonderheden",
                        catalogue="bijzonderheid",
                    ),
                    F("geevalueerd", "evaluated", "bool", "geëvalueerd", True),
                    F("deelnemers", "participants", "int", "aantal deelnemers", True, min=1),
                ),
                key=("oefening_id",),
            ),
            Module(
                "ringenmodel",
                "stg_ring_model",
                "toegang per zone en discipline; één rij per zone en discipline",
                "grid",
                (
                    F("zone", "zone", "code", "zone", True, "zone"),
                    F("discipline", "discipline", "code", "discipline", True, "discipline"),
                    F("toegang", "access", "code", "toegang tot de zone", True, "toegang"),
                    F(
                        "afwijking_toelichting",
                        "deviation_note",
                        "freetext",
                        "waarom de regio afwijkt van de landelijke invulling",
                    ),
                    VALID_UNTIL,
                ),
                key=("zone", "discipline"),
                grid=("zone", "discipline"),
            ),
            Module(
                "middelen",
                "stg_equipment",
                "beschermende middelen per functie; één rij per functie en middel",
                "grid",
                (
                    F("discipline", "discipline", "code", "discipline", True, "discipline"),
                    F("functie", "role", "code", "functie (hoort bij de discipline)", True, "functie"),
                    F("middel", "item", "code", "middel", True, "middel"),
                    F("beschikbaarheid", "availability", "code", "beschikbaarheid", True, "beschikbaarheid"),
                    F("aantal", "quantity", "int", "aantal", min=0),
                    F("training_gevolgd", "trained", "bool", "training gevolgd"),
                    F("afwijking_toelichting", "deviation_note", "freetext", "waarom de regio afwijkt"),
                    VALID_UNTIL,
                ),
                key=("functie", "middel"),
                grid=("discipline", "functie", "middel"),
            ),
            Module(
                "lessen",
                "stg_lessons",
                "geleerde lessen; één rij per les",
                "many",
                (
                    F("les_id", "lesson_id", "text", "kenmerk van de les (uniek per regio en peiljaar)", True),
                    F("bron", "source", "code", "bron", True, "bron"),
                    F(
                        "bron_oefening_id",
                        "source_exercise_id",
                        "text",
                        "oefening waaruit de les komt (bij bron oefening)",
                    ),
                    F("bijzonderheid", "characteristic", "code", "bijzonderheid", True, "bijzonderheid"),
                    F("omschrijving", "description", "freetext", "omschrijving", True),
                    F("gedeeld", "shared_via", "code", "hoe de les is gedeeld", True, "gedeeld"),
                    F("opvolging", "follow_up", "code", "opvolging", True, "opvolging"),
                    F(
                        "overgenomen_van",
                        "taken_from_region",
                        "region",
                        "regio waarvan de les is overgenomen (bij bron andere_regio)",
                    ),
                ),
                key=("les_id",),
            ),
        ]
    }
)

#: The first sheet of the survey template (regiobench template): instructions only; the reader skips it unmentioned.
INSTRUCTION_SHEET = "instructie"

#: The column that names the region in an export (and optionally in a workbook).
REGION_COLUMN = "regio_code"

#: Provenance columns every staged row carries, with their DuckDB types.
PROVENANCE_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "wave": "INTEGER",
        "region_code": "VARCHAR",
        "source_file": "VARCHAR",
        "source_sha256": "VARCHAR",
        "source_sheet": "VARCHAR",
        "source_row": "INTEGER",
        "loaded_at": "TIMESTAMP",
    }
)

#: Statuses a (wave, region, module, file) can have in submission_status (home: contract.statuses).
from pipelines.contract.statuses import SUBMISSION_STATUSES  # noqa: E402,F401


def staging_ddl(module: Module) -> str:
    """CREATE TABLE statement of the module's staging table."""
    cols = [f"{name} {typ}" for name, typ in PROVENANCE_COLUMNS.items()]
    cols += [f"{f.column} {f.duckdb_type}" for f in module.stored_fields]
    return f"create table if not exists {module.table} (\n    " + ",\n    ".join(cols) + "\n)"


def staging_columns(module: Module) -> list[str]:
    return list(PROVENANCE_COLUMNS) + [f.column for f in module.stored_fields]
