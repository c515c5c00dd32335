"""The validation rules: their ids and meaning, the rules the codebook states in words only, and wording helpers.

Checked against the codebook on import; builds no expectation (:mod:`.checks`) and runs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES, REGION_COLUMN, Field, Module

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------

#: Rule ids (stored in ``Problem.rule``) and what they mean, in Dutch.
RULES: Mapping[str, str] = {
    "verplicht": "een verplicht veld is ingevuld",
    "catalogus": "een code staat in de lijst van het codeboek",
    "bereik": "een getal ligt binnen het toegestane bereik",
    "regio_bekend": "een regiocode is een bekende veiligheidsregio",
    "uniek": "de sleutel van een rij is uniek per regio en peiljaar",
    "een_rij": "een regio levert precies één rij",
    "volledig": "een regio levert elke combinatie van het raster precies één keer",
    "functie_discipline": "een functie hoort bij haar discipline",
    "datum_peiljaar": "de datum ligt in het peiljaar",
    "datum_vastgesteld": "de datum van vaststelling is ingevuld als de beoordeling is vastgesteld",
    "bron_oefening": "een les uit een oefening noemt een oefening van dezelfde regio en hetzelfde peiljaar",
    "overgenomen_van": "een les van een andere regio noemt die (andere) regio",
}


def codes_of(f: Field) -> tuple[str, ...]:
    """The codes a ``code`` or ``codes`` field allows (the codebook refuses such a field without a catalogue)."""
    if f.catalogue is None:
        raise ValueError(f"field {f.name} names no catalogue")
    return CATALOGUES[f.catalogue].codes


@dataclass(frozen=True)
class RequiredWhen:
    """``field`` is required where ``when_field`` has the value ``when_value``."""

    module: str
    field: str
    when_field: str
    when_value: Any
    rule: str


@dataclass(frozen=True)
class Reference:
    """``field`` names a ``target_field`` value of module ``target`` of the same region, where ``when_field`` is ``when_value``."""

    module: str
    field: str
    when_field: str
    when_value: str
    target: str
    target_field: str
    rule: str


@dataclass(frozen=True)
class ConditionalRules:
    in_wave_year: tuple[tuple[str, str], ...]  # (module, date field)
    required_when: tuple[RequiredWhen, ...]
    references: tuple[Reference, ...]
    not_own_region: tuple[tuple[str, str, str], ...]  # (module, region field, rule)


#: The codebook's rules that are written in words only (written out in docs/codebook.md).
CONDITIONAL_RULES = ConditionalRules(
    in_wave_year=(("oefeningen", "datum"),),
    required_when=(
        RequiredWhen("risico", "datum_vastgesteld", "bestuurlijk_vastgesteld", True, "datum_vastgesteld"),
        RequiredWhen("lessen", "bron_oefening_id", "bron", "oefening", "bron_oefening"),
        RequiredWhen("lessen", "overgenomen_van", "bron", "andere_regio", "overgenomen_van"),
    ),
    references=(
        Reference("lessen", "bron_oefening_id", "bron", "oefening", "oefeningen", "oefening_id", "bron_oefening"),
    ),
    not_own_region=(("lessen", "overgenomen_van", "overgenomen_van"),),
)


def _check_conditional_rules(rules: ConditionalRules) -> None:
    """Every field, kind and code named above exists in the codebook."""

    def when_ok(module: Module, name: str, value) -> None:
        f = module.field(name)
        if f.kind == "bool":
            assert isinstance(value, bool), (module.name, name, value)
        else:
            assert f.kind == "code" and value in codes_of(f), (module.name, name, value)

    for module_name, name in rules.in_wave_year:
        assert MODULES[module_name].field(name).kind == "date", (module_name, name)
    for r in rules.required_when:
        MODULES[r.module].field(r.field)
        when_ok(MODULES[r.module], r.when_field, r.when_value)
        assert r.rule in RULES
    for ref in rules.references:
        MODULES[ref.module].field(ref.field)
        assert ref.target_field in MODULES[ref.target].key, ref
        when_ok(MODULES[ref.module], ref.when_field, ref.when_value)
    for module_name, name, rule in rules.not_own_region:
        assert MODULES[module_name].field(name).kind == "region" and rule in RULES


_check_conditional_rules(CONDITIONAL_RULES)

#: Columns GX reports for every unexpected row.
WAVE = "_wave"  # the wave of a row: one GX run may check several waves
INDEX_COLUMNS = ["_idx", WAVE, REGION_COLUMN, "_file", "_sheet", "_row"]
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    "return_unexpected_index_query": False,
}
MISSING = "_ontbreekt"  # placeholder rows: what is missing (text); empty on real rows
N_REGION_ROWS = "_rijen_van_regio"

# ---------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------


def _codes_text(codes: Iterable[str], limit: int = 30) -> str:
    codes = list(codes)
    if len(codes) <= limit:
        return ", ".join(codes)
    return f"{', '.join(codes[:3])}, …, {codes[-1]} ({len(codes)} codes)"


def _catalogue_text(name: str) -> str:
    return f"de lijst '{name}' ({_codes_text(CATALOGUES[name].codes)})"


def _text(value) -> str | None:
    """A found value as text for Problem.value (None for empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nee"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)
