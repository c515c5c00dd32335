"""Validating a wave's returns against the codebook with Great Expectations 1.x.

Every expectation is derived from :mod:`pipelines.contract.codebook`: which fields
are required, which catalogue a code belongs to, the bounds of a number, the
key of a module, its grid, :data:`~pipelines.contract.codebook.ROLE_DISCIPLINE`.
The few rules the codebook states only in words (a date in the wave year, a
field required when another has a given value, a reference to an exercise)
are in :data:`CONDITIONAL_RULES` below, by field and catalogue code; both are
checked against the codebook when this module is imported, so renaming a
field or code there breaks loudly here instead of silently checking nothing.

One GX validation run per module covers all regions of the wave: a module's
candidate rows become one batch (a pandas DataFrame) and one suite is run on
it. Rules GX has no expectation for are computed in pandas as a helper column
(name starting with ``_``) that a plain expectation then checks, so every
failure still comes out of GX's result. Failures are attributed to rows via
GX's unexpected index reporting (``result_format`` ``COMPLETE`` with
``unexpected_index_column_names``): each batch row carries ``_idx`` (its
position), ``regio_code``, ``_file``, ``_sheet`` and ``_row`` (the row number
the person sees in Excel), and GX returns those for every unexpected row.

Missing rows (a grid combination a region did not send, or the single row of
a ``one`` module) cannot be an unexpected row of the data, so they are added
to the batch as *placeholder* rows: ``_ontbreekt`` names what is missing,
``_row`` is empty, and every field is empty. The ``volledig`` / ``een_rij``
expectation reports them; ``verplicht`` skips them through a GX row
condition, and all other expectations ignore empty values anyway.

What GX cannot know from the rows alone: a region whose ``one`` or ``grid``
sheet has no rows at all looks like a region that did not send the module;
pass ``sheets=`` to the validator to have those reported (``validate_paths``
does). And a value the reader could not parse reaches GX as empty:
:func:`drop_reader_repeats` removes GX's repeat of the reader's problem.

This module imports great_expectations (several seconds) at load time; the
pipeline imports it lazily, and nothing else in the project may import it at
load time. It never imports dagster.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.row_conditions import Column

from pipelines.contract.codebook import CATALOGUES, MODULES, MULTI_SEPARATOR, REGION_COLUMN, ROLE_DISCIPLINE, Field, Module
from pipelines.core.privacy import redact, redact_deep
from pipelines.core.problems import ERROR, WARNING, Problem, drop_reader_repeats, quote

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
    references=(Reference("lessen", "bron_oefening_id", "bron", "oefening", "oefeningen", "oefening_id", "bron_oefening"),),
    not_own_region=(("lessen", "overgenomen_van", "overgenomen_van"),),
)


def _check_conditional_rules(rules: ConditionalRules) -> None:
    """Every field, kind and code named above exists in the codebook."""

    def when_ok(module: Module, name: str, value) -> None:
        f = module.field(name)
        if f.kind == "bool":
            assert isinstance(value, bool), (module.name, name, value)
        else:
            assert f.kind == "code" and value in CATALOGUES[f.catalogue].codes, (module.name, name, value)

    for module_name, name in rules.in_wave_year:
        assert MODULES[module_name].field(name).kind == "date", (module_name, name)
    for r in rules.required_when:
        MODULES[r.module].field(r.field)
        when_ok(MODULES[r.module], r.when_field, r.when_value)
        assert r.rule in RULES
    for r in rules.references:
        MODULES[r.module].field(r.field)
        assert r.target_field in MODULES[r.target].key, r
        when_ok(MODULES[r.module], r.when_field, r.when_value)
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


# ---------------------------------------------------------------------------
# Checks: one expectation each, with the rule, the column and the wording
# ---------------------------------------------------------------------------


@dataclass
class _Run:
    """What a message may need to know about the run."""

    region_codes: list[str]
    exercises: Mapping[int | None, Mapping[str, list[str]]]  # wave -> region -> exercise ids


@dataclass
class _Check:
    rule: str
    column: str | None  # the column named in the problem
    expectation: gxe.Expectation
    value: Callable[[Mapping], Any]  # the found value of an unexpected row
    message: Callable[[Mapping, _Run], str]
    uses: tuple[str, ...]  # batch columns the expectation reads


def _field_value(name: str) -> Callable[[Mapping], Any]:
    return lambda row: row[name]


def _region_text(run: _Run) -> str:
    return f"bekende regiocodes: {_codes_text(run.region_codes)}"


def _known_region(column: str) -> gxe.Expectation:
    """The column holds a code of the region set (a run parameter: the reference data decides).

    A regular expression of all codes rather than ExpectColumnValuesToBeInSet: GX copies an
    expectation's arguments many times while planning a run, and a value set of 2,500 codes
    made that the slowest part of the run.
    """
    return gxe.ExpectColumnValuesToMatchRegex(column=column, regex={"$PARAMETER": "regio_regex"})


def _module_checks(module: Module) -> list[_Check]:
    """The checks of a module, derived from the codebook (and CONDITIONAL_RULES)."""
    checks: list[_Check] = []
    placeholders = module.rows in ("one", "grid")
    real_rows = Column(MISSING).is_null() if placeholders else None

    def add(rule, column, expectation, value, message, uses):
        checks.append(_Check(rule, column, expectation, value, message, tuple(uses)))

    def not_null(column: str, **kw) -> gxe.Expectation:
        if real_rows is not None:
            kw.setdefault("row_condition", real_rows)
        return gxe.ExpectColumnValuesToNotBeNull(column=column, **kw)

    # The region of every row: present and known.
    add("verplicht", REGION_COLUMN, not_null(REGION_COLUMN), _field_value(REGION_COLUMN),
        lambda row, run: f"het verplichte veld '{REGION_COLUMN}' is niet ingevuld (gevonden: {quote(None)}); {_region_text(run)}",
        [REGION_COLUMN, MISSING] if placeholders else [REGION_COLUMN])
    add("regio_bekend", REGION_COLUMN, _known_region(REGION_COLUMN),
        _field_value(REGION_COLUMN),
        lambda row, run: f"regiocode {quote(row[REGION_COLUMN])} is geen bekende veiligheidsregio; {_region_text(run)}",
        [REGION_COLUMN])

    for f in module.stored_fields:
        if f.required:
            uses = [f.name, MISSING] if placeholders else [f.name]
            add("verplicht", f.name, not_null(f.name), _field_value(f.name),
                lambda row, run, f=f: f"het verplichte veld '{f.name}' ({f.description}) is niet ingevuld (gevonden: {quote(None)})",
                uses)
        if f.kind == "code":
            add("catalogus", f.name, gxe.ExpectColumnValuesToBeInSet(column=f.name, value_set=list(CATALOGUES[f.catalogue].codes)),
                _field_value(f.name),
                lambda row, run, f=f: f"waarde {quote(row[f.name])} staat niet in {_catalogue_text(f.catalogue)}",
                [f.name])
        elif f.kind == "codes":
            helper = f"_buiten_lijst__{f.name}"  # the codes of a cell that are not in the catalogue, or empty

            def codes_message(row, run, f=f, helper=helper):
                bad = row[helper].split(MULTI_SEPARATOR)
                what = f"waarde {quote(bad[0])} staat" if len(bad) == 1 else f"waarden {', '.join(map(quote, bad))} staan"
                return f"{what} niet in {_catalogue_text(f.catalogue)}"

            add("catalogus", f.name, gxe.ExpectColumnValuesToBeNull(column=helper), _field_value(helper),
                codes_message, [helper])
        elif f.kind == "int" and (f.min is not None or f.max is not None):
            if f.min is not None and f.max is not None:
                allowed = f"het bereik {f.min} tot en met {f.max}"
            elif f.min is not None:
                allowed = f"het bereik vanaf {f.min}"
            else:
                allowed = f"het bereik tot en met {f.max}"
            add("bereik", f.name, gxe.ExpectColumnValuesToBeBetween(column=f.name, min_value=f.min, max_value=f.max),
                _field_value(f.name),
                lambda row, run, f=f, allowed=allowed: f"waarde {quote(row[f.name])} van '{f.name}' ligt buiten {allowed}",
                [f.name])
        elif f.kind == "region":
            add("regio_bekend", f.name, _known_region(f.name), _field_value(f.name),
                lambda row, run, f=f: f"regiocode {quote(row[f.name])} in '{f.name}' is geen bekende veiligheidsregio; {_region_text(run)}",
                [f.name])

    if module.key:
        columns = [WAVE, REGION_COLUMN, *module.key]  # unique per region and wave (one run may hold several waves)
        key_text = ", ".join(module.key)

        def key_value(row):
            return ", ".join(str(row[k]) for k in module.key)

        add("uniek", key_text,
            gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, ignore_row_if="any_value_is_missing"),
            key_value,
            lambda row, run: (f"{'de combinatie' if len(module.key) > 1 else ''} {key_text} {quote(key_value(row))} komt "
                              f"{row['_n']} keer voor bij regio {row[REGION_COLUMN]} (rij {row['_rows']}); "
                              f"{key_text} moet uniek zijn per regio en peiljaar").strip(),
            columns)

    if module.rows == "one":
        add("een_rij", None, gxe.ExpectColumnValuesToBeBetween(column=N_REGION_ROWS, min_value=1, max_value=1),
            lambda row: str(row[N_REGION_ROWS]),
            lambda row, run: (f"regio {row[REGION_COLUMN]} levert {row[N_REGION_ROWS]} rijen in de module '{module.name}'; "
                              f"verwacht precies één rij"),
            [N_REGION_ROWS])

    if module.grid:
        n = len(module.expected_grid())
        add("volledig", ", ".join(module.grid), gxe.ExpectColumnValuesToBeNull(column=MISSING), _field_value(MISSING),
            lambda row, run: (f"de combinatie {quote(row[MISSING])} ({' x '.join(module.grid)}) ontbreekt bij regio "
                              f"{row[REGION_COLUMN]}; verwacht is elke combinatie precies één keer ({n} rijen)"),
            [MISSING])

    pair = _role_pair(module)
    if pair is not None:
        role, discipline = pair
        helper = f"_discipline_van__{role.name}"  # the discipline the role belongs to, where both are known codes

        def role_message(row, run):
            d = row[discipline.name]
            own = [r for r, dd in ROLE_DISCIPLINE.items() if dd == d]
            return (f"functie {quote(row[role.name])} hoort bij discipline {quote(row[helper])}, "
                    f"niet bij {quote(d)}; functies van {d}: {', '.join(own)}")

        # ExpectColumnPairValuesToBeInSet would say it directly, but its pandas metric loops over
        # the rows with iterrows (minutes for 160,000 rows); the equality metric is vectorised.
        add("functie_discipline", role.name,
            gxe.ExpectColumnPairValuesToBeEqual(column_A=discipline.name, column_B=helper,
                                                ignore_row_if="either_value_is_missing"),
            _field_value(role.name), role_message, [discipline.name, helper])

    for module_name, name in CONDITIONAL_RULES.in_wave_year:
        if module_name != module.name:
            continue
        helper = f"_jaren_na_peiljaar__{name}"  # year of the date minus the row's wave: 0 when inside it
        add("datum_peiljaar", name,
            gxe.ExpectColumnValuesToBeBetween(column=helper, min_value=0, max_value=0),
            _field_value(name),
            lambda row, run, name=name: f"datum {quote(_text(row[name]))} in '{name}' ligt niet in het peiljaar {row[WAVE]}",
            [helper])

    for r in CONDITIONAL_RULES.required_when:
        if r.module != module.name:
            continue
        shown = "ja" if r.when_value is True else "nee" if r.when_value is False else r.when_value
        add(r.rule, r.field, gxe.ExpectColumnValuesToNotBeNull(column=r.field, row_condition=Column(r.when_field) == r.when_value),
            _field_value(r.field),
            lambda row, run, r=r, shown=shown: (f"'{r.field}' is niet ingevuld (gevonden: {quote(None)}), maar is verplicht "
                                                f"omdat '{r.when_field}' {quote(shown)} is"),
            [r.field, r.when_field])

    for r in CONDITIONAL_RULES.references:
        if r.module != module.name:
            continue
        helper = f"_bestaat__{r.field}"  # True/False where the rule applies and the field is filled, else empty

        def ref_message(row, run, r=r):
            known = run.exercises.get(row[WAVE], {}).get(row[REGION_COLUMN], [])
            return (f"'{r.field}' {quote(row[r.field])} is geen {r.target_field} in '{r.target}' van regio "
                    f"{row[REGION_COLUMN]} in peiljaar {row[WAVE]}; bekende {r.target_field}: "
                    f"{_codes_text(known) if known else '(geen)'}")

        add(r.rule, r.field, gxe.ExpectColumnValuesToBeInSet(column=helper, value_set=[True]), _field_value(r.field),
            ref_message, [helper])

    for module_name, name, rule in CONDITIONAL_RULES.not_own_region:
        if module_name != module.name:
            continue
        helper = f"_andere_regio__{name}"  # True/False where the field is filled, else empty
        add(rule, name, gxe.ExpectColumnValuesToBeInSet(column=helper, value_set=[True]), _field_value(name),
            lambda row, run, name=name: (f"'{name}' {quote(row[name])} is de eigen regio; "
                                         f"een les van een andere regio noemt een andere regio dan {row[REGION_COLUMN]}"),
            [helper])

    for i, c in enumerate(checks):
        c.expectation.meta = {"regel": c.rule, "controle": i, "kolom": c.column}
    return checks


# ---------------------------------------------------------------------------
# The batch: a module's rows for all regions, with helper columns
# ---------------------------------------------------------------------------


def _as_list(value) -> list[str]:
    if value is None or value is pd.NA:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        return [c.strip().lower() for c in value.split(MULTI_SEPARATOR) if c.strip()]
    return [str(c) for c in value]


def _year(value):
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.year
    return None


def _column(frame: pd.DataFrame, name: str, n: int) -> pd.Series:
    if name in frame.columns:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * n, dtype="object")


def _role_pair(module: Module) -> tuple[Field, Field] | None:
    """The role field and the discipline field of a module that has both (middelen)."""
    role = next((f for f in module.stored_fields if f.catalogue == "functie"), None)
    discipline = next((f for f in module.stored_fields if f.catalogue == "discipline"), None)
    return (role, discipline) if role is not None and discipline is not None else None


def _exercise_ids(frames: Mapping[str, pd.DataFrame], ref: Reference) -> dict[str, list[str]]:
    target = frames.get(ref.target)
    if target is None or not len(target) or ref.target_field not in target.columns:
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for code, value in zip(target[REGION_COLUMN], target[ref.target_field]):
        if isinstance(code, str) and isinstance(value, str) and value not in out[code]:
            out[code].append(value)
    return dict(out)


def _batch(module: Module, frame: pd.DataFrame | None, wave: int | None, known: Mapping[str, Mapping[str, list[str]]],
           sheets: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """All rows of the module (all regions), typed for GX, with helper and placeholder rows."""
    frame = frame if frame is not None else pd.DataFrame()
    n = len(frame)
    b = pd.DataFrame({
        REGION_COLUMN: _column(frame, REGION_COLUMN, n).astype("object"),
        "_file": _column(frame, "_file", n).astype("object"),
        "_sheet": _column(frame, "_sheet", n).astype("object"),
        "_row": pd.array(_column(frame, "_row", n), dtype="Int64"),
    })
    b[REGION_COLUMN] = b[REGION_COLUMN].where(b[REGION_COLUMN].notna() & (b[REGION_COLUMN] != ""), None)
    for f in module.stored_fields:
        s = _column(frame, f.name, n)
        if f.kind == "codes":
            lists = s.map(_as_list)
            b[f.name] = lists.map(lambda codes: MULTI_SEPARATOR.join(codes) if codes else None).astype("object")
            allowed = set(CATALOGUES[f.catalogue].codes)
            b[f"_buiten_lijst__{f.name}"] = lists.map(
                lambda codes: MULTI_SEPARATOR.join(c for c in codes if c not in allowed) or None).astype("object")
        elif f.kind == "int":
            b[f.name] = pd.array(s, dtype="Int64")
        elif f.kind == "bool":
            b[f.name] = pd.array(s, dtype="boolean")
        elif f.kind == "date":
            b[f.name] = s.map(lambda v: v if isinstance(v, (dt.date, pd.Timestamp)) else None).astype("object")
        else:
            s = s.astype("object")
            b[f.name] = s.where(s.notna() & (s != ""), None)

    pair = _role_pair(module)
    if pair is not None:
        role, discipline = pair
        disciplines = set(CATALOGUES[discipline.catalogue].codes)
        known_pair = b[role.name].isin(list(ROLE_DISCIPLINE)) & b[discipline.name].isin(list(disciplines))
        b[f"_discipline_van__{role.name}"] = b[role.name].map(ROLE_DISCIPLINE).astype("object").where(known_pair, None)
    for module_name, name in CONDITIONAL_RULES.in_wave_year:
        if module_name == module.name:
            years = b[name].map(_year) if wave is not None else pd.Series([None] * n, dtype="object")
            b[f"_jaren_na_peiljaar__{name}"] = pd.array(years, dtype="Int64") - (wave or 0)
    for r in CONDITIONAL_RULES.references:
        if r.module == module.name:
            ids = known.get(r.target, {})
            applies = (b[r.when_field] == r.when_value).fillna(False).astype(bool) & b[r.field].notna()
            exists = [bool(v in ids.get(c, ())) for c, v in zip(b[REGION_COLUMN], b[r.field])]
            b[f"_bestaat__{r.field}"] = pd.Series(exists, dtype="object").where(applies.to_numpy(), None)
    for module_name, name, _rule in CONDITIONAL_RULES.not_own_region:
        if module_name == module.name:
            filled = b[name].notna() & b[REGION_COLUMN].notna()
            b[f"_andere_regio__{name}"] = (b[name] != b[REGION_COLUMN]).astype("object").where(filled, None)

    b[MISSING] = pd.Series([None] * n, dtype="object")
    if module.rows in ("one", "grid"):
        b = _add_placeholders(module, b, sheets)
    b.insert(0, "_idx", np.arange(len(b), dtype="int64"))
    return b


def _add_placeholders(module: Module, b: pd.DataFrame, sheets: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Rows for what a region did not send: its one row, or each missing grid combination."""
    has_region = b[REGION_COLUMN].notna().to_numpy()
    present = b[has_region]
    firsts = present.drop_duplicates(REGION_COLUMN)
    where = dict(zip(firsts[REGION_COLUMN], zip(firsts["_file"], firsts["_sheet"])))
    for code, loc in sheets.items():
        where.setdefault(code, loc)
    if module.rows == "one":
        counts = present.groupby(REGION_COLUMN).size()
        b[N_REGION_ROWS] = pd.array(b[REGION_COLUMN].map(counts), dtype="Int64")
        absent = [code for code in where if code not in counts.index]
        extra = pd.DataFrame({REGION_COLUMN: absent, MISSING: ["de rij van de regio"] * len(absent)})
        extra[N_REGION_ROWS] = 0
    else:
        extra = _missing_combinations(module, present, list(where))
    if not len(extra):
        return b
    extra["_file"] = [where[c][0] for c in extra[REGION_COLUMN]]
    extra["_sheet"] = [where[c][1] for c in extra[REGION_COLUMN]]
    extra = extra.reindex(columns=b.columns)
    for name in b.columns:  # the batch's dtypes (Int64, boolean) also for the placeholders' empty values
        keep_object = name in (MISSING, REGION_COLUMN, "_file", "_sheet") or b[name].dtype == object
        extra[name] = extra[name].astype("object").where(extra[name].notna(), None) if keep_object \
            else extra[name].astype(b[name].dtype)
    return pd.concat([b, extra], ignore_index=True)


def _missing_combinations(module: Module, present: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """(region, combination text) of every expected grid combination a region lacks.

    Vectorised: each row's combination becomes one integer (the position of each grid
    field's code in its catalogue, mixed radix), so that 2,500 regions x 64 rows stay cheap.
    """
    catalogues = [CATALOGUES[module.field(name).catalogue].codes for name in module.grid]
    sizes = [len(c) for c in catalogues]
    radix = np.cumprod([1] + sizes[:0:-1])[::-1]  # weight of each field in the combination number
    n_all = int(np.prod(sizes))

    def number(columns: list[np.ndarray]) -> np.ndarray:
        return sum(col.astype("int64") * w for col, w in zip(columns, radix))

    expected = [[codes.index(code) for codes, code in zip(catalogues, combo)] for combo in module.expected_grid()]
    expected_numbers = number([np.array(col) for col in zip(*expected)])
    region_ids = pd.Index(regions)
    positions = [pd.Index(codes).get_indexer(present[name]) for name, codes in zip(module.grid, catalogues)]
    region_pos = region_ids.get_indexer(present[REGION_COLUMN])
    ok = (region_pos >= 0) & np.logical_and.reduce([p >= 0 for p in positions])
    got = np.unique(region_pos[ok].astype("int64") * n_all + number([p[ok] for p in positions]))
    wanted = (np.arange(len(regions), dtype="int64")[:, None] * n_all + expected_numbers[None, :]).ravel()
    missing = np.setdiff1d(wanted, got, assume_unique=True)
    text = {int(n): ", ".join(combo) for n, combo in zip(expected_numbers, module.expected_grid())}
    return pd.DataFrame({REGION_COLUMN: [regions[int(m) // n_all] for m in missing],
                         MISSING: [text[int(m) % n_all] for m in missing]})


# ---------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet():
    """No warnings, no GX log lines, no progress bars while GX runs."""
    gx_logger = logging.getLogger("great_expectations")
    level = gx_logger.level
    gx_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        gx_logger.setLevel(level)


class GXValidator:
    """Checks a wave's candidate rows against the codebook; one GX run per module.

    ``results_dir``: where GX's validation results are kept as JSON
    (``<results_dir>/<wave>/<module>.json``); nothing is written without it.
    ``log``: a logger (``logging.Logger`` or Dagster's ``context.log``) for one
    line per module run; optional.
    """

    def __init__(self, results_dir: Path | None = None, log=None):
        self.results_dir = Path(results_dir) if results_dir is not None else None
        self.log = log
        with _quiet():
            # In memory only: no data docs site (the default ephemeral context reserves a temporary
            # folder for one), no analytics, no progress bars.
            config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                                       analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
            self.context = gx.get_context(mode="ephemeral", project_config=config)
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            source = self.context.data_sources.add_pandas("regiobench")
            self.checks: dict[str, list[_Check]] = {}
            self.definitions: dict[str, gx.ValidationDefinition] = {}
            for name, module in MODULES.items():
                checks = _module_checks(module)
                # All expectations at once: add_expectation on a stored suite re-serialises it each time.
                suite = self.context.suites.add(gx.ExpectationSuite(name=f"regiobench.{name}",
                                                                    expectations=[c.expectation for c in checks]))
                batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(f"{name}.alle_regios")
                self.checks[name] = checks
                self.definitions[name] = self.context.validation_definitions.add(
                    gx.ValidationDefinition(name=f"regiobench.{name}", data=batch, suite=suite))

    def __call__(self, wave: int | None, frames: Mapping[str, pd.DataFrame], region_codes: list[str], *,
                 sheets: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> list[Problem]:
        """Problems of all regions of one wave; each with region_code, module and wave.

        ``sheets`` (optional): per module, the regions whose sheet (or export
        rows) was read, with its (file, sheet), *including sheets without
        rows*. Without it a region that sent a ``one`` or ``grid`` module
        without any row cannot be told from one that did not send the module,
        so it is not reported here.
        """
        return self.validate_waves([(wave, frames, sheets)], region_codes)

    def validate_waves(self, waves: Sequence[tuple[int | None, Mapping[str, pd.DataFrame],
                                                   Mapping[str, Mapping[str, tuple[str, str]]] | None]],
                       region_codes: list[str]) -> list[Problem]:
        """Like calling the validator per wave, but with one GX run per module for all the waves.

        GX's cost is mostly per run (planning ~90 expectations), not per row:
        seven waves in one run cost about as much as one wave.
        """
        run = _Run(sorted(set(region_codes)), {})
        parameters = {"regio_regex": "^(?:" + "|".join(map(re.escape, run.region_codes)) + ")$"}
        parts: dict[str, list[pd.DataFrame]] = defaultdict(list)
        for wave, frames, sheets in waves:
            sheets = sheets or {}
            known = {r.target: _exercise_ids(frames, r) for r in CONDITIONAL_RULES.references}
            run.exercises[wave] = next(iter(known.values()), {})
            for name, module in MODULES.items():
                frame = frames.get(name)
                if (frame is not None and len(frame)) or sheets.get(name):
                    batch = _batch(module, frame, wave, known, sheets.get(name, {}))
                    if len(batch):
                        parts[name].append(batch.assign(**{WAVE: wave}))
        label = _waves_label([w for w, _, _ in waves])
        problems: list[Problem] = []
        for name, module in MODULES.items():
            if not parts.get(name):
                if self.results_dir is not None:  # no rows, no run: no result of an earlier run either
                    (self.results_dir / label / f"{name}.json").unlink(missing_ok=True)
                continue
            batch = pd.concat(parts[name], ignore_index=True) if len(parts[name]) > 1 else parts[name][0]
            batch["_idx"] = np.arange(len(batch), dtype="int64")
            started = time.perf_counter()
            checks = self.checks[name]
            columns = list(dict.fromkeys(INDEX_COLUMNS + [c for check in checks for c in check.uses]))
            with _quiet():
                result = self.definitions[name].run(batch_parameters={"dataframe": batch[columns]},
                                                    expectation_parameters=parameters, result_format=RESULT_FORMAT)
            store = self.context.validation_results_store  # in memory: keep it from growing run after run
            for key in store.list_keys():
                store.remove_key(key)
            found = self._problems(module, checks, result, batch, run)
            problems += found
            if self.results_dir is not None:
                self._save(label, name, result)
            if self.log is not None:
                self.log.info(f"GX {name} ({label}): {len(batch)} rijen, {len(checks)} verwachtingen, "
                              f"{len(found)} meldingen ({time.perf_counter() - started:.2f} s)")
        return sorted(problems, key=sort_key)

    def _problems(self, module: Module, checks: list[_Check], result, batch: pd.DataFrame, run: _Run) -> list[Problem]:
        out: list[Problem] = []
        for r in result.results:
            check = checks[r.expectation_config.meta["controle"]]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"GX-verwachting {r.expectation_config.type} voor module {module.name} faalde: "
                                   f"{r.exception_info.get('exception_message')}")
            if r.success:
                continue
            idx = [int(u["_idx"]) for u in r.result.get("unexpected_index_list") or []]
            if not idx:
                raise RuntimeError(f"GX meldt geen rijen voor de mislukte verwachting {r.expectation_config.type} "
                                   f"({module.name})")
            rows = batch.iloc[idx]
            records = rows.to_dict("records")
            if check.rule == "uniek":
                _annotate_duplicates(module, records)
            for row in records:
                row = {k: (None if v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v) for k, v in row.items()}
                out.append(Problem(
                    file=row["_file"] or "", rule=check.rule, message=check.message(row, run), severity=ERROR,
                    sheet=row["_sheet"], row=None if row["_row"] is None else int(row["_row"]), column=check.column,
                    value=None if (v := _text(check.value(row))) is None else redact(v)[:200],
                    region_code=row[REGION_COLUMN], module=module.name, wave=row[WAVE]))
        return out

    def _save(self, label: str, module_name: str, result) -> None:
        folder = self.results_dir / label
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{module_name}.json"
        tmp = path.with_suffix(".json.tmp")
        # GX keeps the unexpected values themselves (unexpected_list, partial_unexpected_list, counts, index
        # lists with file and sheet): every string in the result is redacted before it is written.
        saved = redact_deep(json.loads(json.dumps(result.to_json_dict(), default=str)))
        tmp.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)


def _waves_label(waves) -> str:
    """Folder name of the JSON results: the wave, or the first and last wave of a run over several."""
    known = sorted(w for w in waves if w is not None)
    if not known:
        return "onbekend"
    return str(known[0]) if known[0] == known[-1] else f"{known[0]}-{known[-1]}"


def _annotate_duplicates(module: Module, records: list[dict]) -> None:
    """For a duplicate key: how often it occurs and on which rows (for the message)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in records:
        groups[(row[WAVE], row[REGION_COLUMN], *(row[k] for k in module.key))].append(row)
    for rows in groups.values():
        numbers = ", ".join(str(r["_row"]) for r in rows)
        for r in rows:
            r["_n"], r["_rows"] = len(rows), numbers


def sort_key(p: Problem):
    return (p.file or "", p.sheet or "", p.row is not None, p.row or 0, p.column or "", p.rule)


# ---------------------------------------------------------------------------
# Checking files without a warehouse
# ---------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^\d{4}$")
_default: GXValidator | None = None


def default_validator() -> GXValidator:
    """One shared validator per process (the GX context and suites are built once)."""
    global _default
    if _default is None:
        _default = GXValidator()
    return _default


@dataclass
class _Group:
    """Files validated together: one wave, one form; a region at most once."""

    wave: int | None
    kind: str
    frames: dict[str, list[pd.DataFrame]]
    sheets: dict[str, dict[str, tuple[str, str]]]
    regions: set[str]
    modules: set[str]


def validate_paths(paths: list[Path], reference_dir: Path, wave: int | None = None, *,
                   validator: GXValidator | None = None) -> list[Problem]:
    """Check workbooks (``VRnn*.xlsx``) and exports (``<module>.csv``) against the contract.

    No warehouse, no Dagster. The wave of a file is its folder's name where
    that is a year, else ``wave``; without either the rule ``datum_peiljaar``
    is skipped (and a warning says so). Workbooks are checked together with
    other workbooks of the wave (a region at most once per run), exports with
    the other exports of the wave, so a lesson in ``lessen.csv`` is checked
    against ``oefeningen.csv``. Returns the reader's and GX's problems, sorted
    by file, sheet and row.
    """
    from pipelines.ingest.discovery import EXPORT, IGNORED, WORKBOOK, classify
    from pipelines.ingest.readers import parse_module, read_export, read_workbook
    from pipelines.contract.reference import load_regions

    codes = [r.code for r in load_regions(reference_dir)]
    problems: list[Problem] = []
    groups: list[_Group] = []

    def group_for(file_wave, kind, region=None, module=None) -> _Group:
        for g in groups:
            if g.wave == file_wave and g.kind == kind and region not in g.regions and module not in g.modules:
                break
        else:
            g = _Group(file_wave, kind, defaultdict(list), defaultdict(dict), set(), set())
            groups.append(g)
        if region is not None:
            g.regions.add(region)
        if module is not None:
            g.modules.add(module)
        return g

    def add(g: _Group, module_name: str, frame: pd.DataFrame, rel: str, sheet: str, region: str | None):
        g.frames[module_name].append(frame.assign(_file=rel, _sheet=sheet, _sha=""))
        if region is not None:
            g.sheets[module_name][region] = (rel, sheet)

    workbook_of: dict[tuple[Path, str], str] = {}  # (folder, region) -> first workbook
    for path in map(Path, paths):
        folder = path.parent.name
        rel = f"{folder}/{path.name}" if _YEAR_RE.match(folder) else path.name
        file_wave = int(folder) if _YEAR_RE.match(folder) else wave
        if not path.is_file():
            problems.append(Problem(rel, "bestand.ontbreekt", "het bestand bestaat niet of is geen gewoon bestand"))
            continue
        kind, code, module_name, reason = classify(path.name, codes)
        if kind == IGNORED:
            problems.append(Problem(rel, "bestand.genegeerd", f"niet gecontroleerd: {reason}"))
            continue
        if file_wave is None:
            problems.append(Problem(rel, "peiljaar.onbekend",
                                    "het peiljaar is onbekend (de map heet niet naar een jaar en er is geen peiljaar opgegeven); "
                                    "de regel 'datum_peiljaar' (datum in het peiljaar) is niet gecontroleerd", WARNING))
        if kind == WORKBOOK:
            first = workbook_of.setdefault((path.parent.resolve(), code), rel)
            if first != rel and file_wave is not None:
                for this, other in ((rel, first), (first, rel)):
                    problems.append(Problem(this, "werkboek.conflict",
                                            f"nog een werkboek van regio {code} in peiljaar {file_wave}: {other}; "
                                            f"de pipeline laadt dan geen van beide", region_code=code))
            tables, found = read_workbook(path, rel)
            for p in found:
                p.region_code = code
            problems += found
            if not tables and any(p.is_error for p in found):
                continue
            g = group_for(file_wave, WORKBOOK, region=code)
            for name in MODULES:
                if name not in tables:
                    problems.append(Problem(rel, "blad.ontbreekt", f"het werkboek heeft geen blad '{name}'",
                                            region_code=code, module=name))
            for name, table in tables.items():
                frame, found = parse_module(table, MODULES[name], region_code=code)
                problems += table.problems + found
                add(g, name, frame, rel, table.sheet, code)
        elif kind == EXPORT:
            table, found = read_export(path, rel)
            if table is None:
                problems += found
                continue
            frame, parsed = parse_module(table, MODULES[module_name], region_code=None)
            for p in parsed:
                if p.region_code is None and p.row is not None and p.row > 1:
                    match = frame.loc[frame["_row"] == p.row, REGION_COLUMN]
                    p.region_code = match.iloc[0] if len(match) else None
            problems += table.problems + parsed
            g = group_for(file_wave, EXPORT, module=module_name)
            add(g, module_name, frame, rel, table.sheet, None)

    if groups:
        validator = validator or default_validator()
        found = []
        for g in groups:
            frames = {m: pd.concat(fs, ignore_index=True) for m, fs in g.frames.items()}
            found += validator(g.wave, frames, codes, sheets=g.sheets)
        problems += drop_reader_repeats(problems, found)
    problems = list({id(p): p for p in problems}.values())
    return sorted(problems, key=sort_key)
