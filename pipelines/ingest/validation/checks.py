"""One GX expectation per rule, with the rule id, the column and the Dutch wording of a failure.

Derived from the codebook and :data:`~pipelines.ingest.validation.rules.CONDITIONAL_RULES`; the helper
columns the expectations read are made in :mod:`.batch`. Runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from pipelines.contract.catalogues import MULTI_SEPARATOR, ROLE_DISCIPLINE
from pipelines.contract.codebook import REGION_COLUMN, Module
from pipelines.core.problems import quote
from pipelines.ingest.validation.batch import _role_pair
from pipelines.ingest.validation.rules import (
    CONDITIONAL_RULES,
    MISSING,
    N_REGION_ROWS,
    WAVE,
    _catalogue_text,
    _codes_text,
    _text,
    codes_of,
)

# ---------------------------------------------------------------------------
# Checks: one expectation each, with the rule, the column and the wording
# ---------------------------------------------------------------------------


@dataclass
class _Run:
    """What a message may need to know about the run."""

    region_codes: list[str]
    exercises: dict[int | None, Mapping[str, list[str]]]  # wave -> region -> exercise ids (filled per wave)


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
    add(
        "verplicht",
        REGION_COLUMN,
        not_null(REGION_COLUMN),
        _field_value(REGION_COLUMN),
        lambda row, run: (
            f"het verplichte veld '{REGION_COLUMN}' is niet ingevuld (gevonden: {quote(None)}); {_region_text(run)}"
        ),
        [REGION_COLUMN, MISSING] if placeholders else [REGION_COLUMN],
    )
    add(
        "regio_bekend",
        REGION_COLUMN,
        _known_region(REGION_COLUMN),
        _field_value(REGION_COLUMN),
        lambda row, run: f"regiocode {quote(row[REGION_COLUMN])} is geen bekende veiligheidsregio; {_region_text(run)}",
        [REGION_COLUMN],
    )

    for f in module.stored_fields:
        if f.required:
            uses = [f.name, MISSING] if placeholders else [f.name]
            add(
                "verplicht",
                f.name,
                not_null(f.name),
                _field_value(f.name),
                lambda row, run, f=f: (
                    f"het verplichte veld '{f.name}' ({f.description}) is niet ingevuld (gevonden: {quote(None)})"
                ),
                uses,
            )
        if f.kind == "code":
            add(
                "catalogus",
                f.name,
                gxe.ExpectColumnValuesToBeInSet(column=f.name, value_set=list(codes_of(f))),
                _field_value(f.name),
                lambda row, run, f=f: f"waarde {quote(row[f.name])} staat niet in {_catalogue_text(f.catalogue)}",
                [f.name],
            )
        elif f.kind == "codes":
            helper = f"_buiten_lijst__{f.name}"  # the codes of a cell that are not in the catalogue, or empty

            def codes_message(row, run, f=f, helper=helper):
                bad = row[helper].split(MULTI_SEPARATOR)
                what = (
                    f"waarde {quote(bad[0])} staat" if len(bad) == 1 else f"waarden {', '.join(map(quote, bad))} staan"
                )
                return f"{what} niet in {_catalogue_text(f.catalogue)}"

            add(
                "catalogus",
                f.name,
                gxe.ExpectColumnValuesToBeNull(column=helper),
                _field_value(helper),
                codes_message,
                [helper],
            )
        elif f.kind == "int" and (f.min is not None or f.max is not None):
            if f.min is not None and f.max is not None:
                allowed = f"het bereik {f.min} tot en met {f.max}"
            elif f.min is not None:
                allowed = f"het bereik vanaf {f.min}"
            else:
                allowed = f"het bereik tot en met {f.max}"
            add(
                "bereik",
                f.name,
                gxe.ExpectColumnValuesToBeBetween(column=f.name, min_value=f.min, max_value=f.max),
                _field_value(f.name),
                lambda row, run, f=f, allowed=allowed: (
                    f"waarde {quote(row[f.name])} van '{f.name}' ligt buiten {allowed}"
                ),
                [f.name],
            )
        elif f.kind == "region":
            add(
                "regio_bekend",
                f.name,
                _known_region(f.name),
                _field_value(f.name),
                lambda row, run, f=f: (
                    f"regiocode {quote(row[f.name])} in '{f.name}' is geen bekende veiligheidsregio; {_region_text(run)}"
                ),
                [f.name],
            )

    if module.key:
        columns = [WAVE, REGION_COLUMN, *module.key]  # unique per region and wave (one run may hold several waves)
        key_text = ", ".join(module.key)

        def key_value(row):
            return ", ".join(str(row[k]) for k in module.key)

        add(
            "uniek",
            key_text,
            gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, ignore_row_if="any_value_is_missing"),
            key_value,
            lambda row, run: (
                f"{'de combinatie' if len(module.key) > 1 else ''} {key_text} {quote(key_value(row))} komt "
                f"{row['_n']} keer voor bij regio {row[REGION_COLUMN]} (rij {row['_rows']}); "
                f"{key_text} moet uniek zijn per regio en peiljaar"
            ).strip(),
            columns,
        )

    if module.rows == "one":
        add(
            "een_rij",
            None,
            gxe.ExpectColumnValuesToBeBetween(column=N_REGION_ROWS, min_value=1, max_value=1),
            lambda row: str(row[N_REGION_ROWS]),
            lambda row, run: (
                f"regio {row[REGION_COLUMN]} levert {row[N_REGION_ROWS]} rijen in de module '{module.name}'; "
                f"verwacht precies één rij"
            ),
            [N_REGION_ROWS],
        )

    if module.grid:
        n = len(module.expected_grid())
        add(
            "volledig",
            ", ".join(module.grid),
            gxe.ExpectColumnValuesToBeNull(column=MISSING),
            _field_value(MISSING),
            lambda row, run: (
                f"de combinatie {quote(row[MISSING])} ({' x '.join(module.grid)}) ontbreekt bij regio "
                f"{row[REGION_COLUMN]}; verwacht is elke combinatie precies één keer ({n} rijen)"
            ),
            [MISSING],
        )

    pair = _role_pair(module)
    if pair is not None:
        role, discipline = pair
        helper = f"_discipline_van__{role.name}"  # the discipline the role belongs to, where both are known codes

        def role_message(row, run):
            d = row[discipline.name]
            own = [r for r, dd in ROLE_DISCIPLINE.items() if dd == d]
            return (
                f"functie {quote(row[role.name])} hoort bij discipline {quote(row[helper])}, "
                f"niet bij {quote(d)}; functies van {d}: {', '.join(own)}"
            )

        # ExpectColumnPairValuesToBeInSet would say it directly, but its pandas metric loops over
        # the rows with iterrows (minutes for 160,000 rows); the equality metric is vectorised.
        add(
            "functie_discipline",
            role.name,
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A=discipline.name, column_B=helper, ignore_row_if="either_value_is_missing"
            ),
            _field_value(role.name),
            role_message,
            [discipline.name, helper],
        )

    for module_name, name in CONDITIONAL_RULES.in_wave_year:
        if module_name != module.name:
            continue
        helper = f"_jaren_na_peiljaar__{name}"  # year of the date minus the row's wave: 0 when inside it
        add(
            "datum_peiljaar",
            name,
            gxe.ExpectColumnValuesToBeBetween(column=helper, min_value=0, max_value=0),
            _field_value(name),
            lambda row, run, name=name: (
                f"datum {quote(_text(row[name]))} in '{name}' ligt niet in het peiljaar {row[WAVE]}"
            ),
            [helper],
        )

    for r in CONDITIONAL_RULES.required_when:
        if r.module != module.name:
            continue
        shown = "ja" if r.when_value is True else "nee" if r.when_value is False else r.when_value
        add(
            r.rule,
            r.field,
            gxe.ExpectColumnValuesToNotBeNull(column=r.field, row_condition=Column(r.when_field) == r.when_value),
            _field_value(r.field),
            lambda row, run, r=r, shown=shown: (
                f"'{r.field}' is niet ingevuld (gevonden: {quote(None)}), maar is verplicht "
                f"omdat '{r.when_field}' {quote(shown)} is"
            ),
            [r.field, r.when_field],
        )

    for ref in CONDITIONAL_RULES.references:
        if ref.module != module.name:
            continue
        helper = f"_bestaat__{ref.field}"  # True/False where the rule applies and the field is filled, else empty

        def ref_message(row, run, ref=ref):
            known = run.exercises.get(row[WAVE], {}).get(row[REGION_COLUMN], [])
            return (
                f"'{ref.field}' {quote(row[ref.field])} is geen {ref.target_field} in '{ref.target}' van regio "
                f"{row[REGION_COLUMN]} in peiljaar {row[WAVE]}; bekende {ref.target_field}: "
                f"{_codes_text(known) if known else '(geen)'}"
            )

        add(
            ref.rule,
            ref.field,
            gxe.ExpectColumnValuesToBeInSet(column=helper, value_set=[True]),
            _field_value(ref.field),
            ref_message,
            [helper],
        )

    for module_name, name, rule in CONDITIONAL_RULES.not_own_region:
        if module_name != module.name:
            continue
        helper = f"_andere_regio__{name}"  # True/False where the field is filled, else empty
        add(
            rule,
            name,
            gxe.ExpectColumnValuesToBeInSet(column=helper, value_set=[True]),
            _field_value(name),
            lambda row, run, name=name: (
                f"'{name}' {quote(row[name])} is de eigen regio; "
                f"een les van een andere regio noemt een andere regio dan {row[REGION_COLUMN]}"
            ),
            [helper],
        )

    for i, c in enumerate(checks):
        c.expectation.meta = {"regel": c.rule, "controle": i, "kolom": c.column}
    return checks
