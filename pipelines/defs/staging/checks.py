"""Blocking checks on the staging layer: the marts are never built on staging data that breaks them.

Each check is a query that returns the violating rows; no rows means passed.
A failing check carries the count and up to ten examples as metadata, and,
being blocking, stops everything downstream in the same run. All checks run
in one step over one connection (fifteen steps cost more in overhead than the
queries themselves). The check type and its Dagster output are shared with the
mart checks (:mod:`pipelines.core.sqlcheck`, :mod:`pipelines.defs.sqlchecks`).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract.codebook import MODULES
from pipelines.core.sqlcheck import SqlCheck, run_check
from pipelines.defs.sqlchecks import EXAMPLES, check_key, check_result, check_spec


def StagingCheck(
    asset: str, name: str, description: str, sql: str, deps: tuple[str, ...] = (), params: tuple = ()
) -> SqlCheck:
    """A check on staging table ``asset``."""
    return SqlCheck(asset, name, description, sql, params=params, deps=deps)


def _unique(table: str, key: str) -> SqlCheck:
    return StagingCheck(
        table,
        f"{key}_uniek",
        f"{key} is uniek per regio en peiljaar",
        f"select wave, region_code, {key}, count(*) as n from {table} group by all having count(*) > 1",
    )


def _known_regions(table: str) -> SqlCheck:
    return StagingCheck(
        table,
        "regio_bekend",
        "elke regio komt voor in data/reference/regions.csv",
        f"select distinct s.wave, s.region_code from {table} s "
        f"anti join ref_regions r on r.region_code = s.region_code",
        ("ref_regions",),
    )


def _complete_grid(module_name: str) -> SqlCheck:
    module = MODULES[module_name]
    n = len(module.expected_grid())
    return StagingCheck(
        module.table,
        "volledig",
        f"elke geladen regio heeft alle {n} rijen",
        f"select l.wave, l.region_code, count(s.region_code) as n_rows from stg_module_loads l "
        f"left join {module.table} s using (wave, region_code) where l.module = ? "
        f"group by all having count(s.region_code) <> ?",
        ("stg_module_loads",),
        (module_name, n),
    )


CHECKS: tuple[SqlCheck, ...] = (
    _unique("stg_exercises", "exercise_id"),
    _unique("stg_lessons", "lesson_id"),
    StagingCheck(
        "stg_risk_assessments",
        "een_rij_per_regio",
        "precies één risicobeoordeling per geladen regio en peiljaar",
        "select l.wave, l.region_code, count(r.region_code) as n_rows from stg_module_loads l "
        "left join stg_risk_assessments r using (wave, region_code) where l.module = 'risico' "
        "group by all having count(r.region_code) <> 1",
        ("stg_module_loads",),
    ),
    StagingCheck(
        "stg_lessons",
        "bron_oefening_bestaat",
        "een les uit een oefening verwijst naar een oefening van dezelfde regio en hetzelfde peiljaar",
        "select l.wave, l.region_code, l.lesson_id, l.source_exercise_id from stg_lessons l "
        "anti join stg_exercises e on e.wave = l.wave and e.region_code = l.region_code "
        "and e.exercise_id = l.source_exercise_id where l.source = 'oefening'",
        ("stg_exercises",),
    ),
    StagingCheck(
        "stg_lessons",
        "overgenomen_van_andere_regio",
        "een overgenomen les komt van een bekende, andere regio",
        "select l.wave, l.region_code, l.lesson_id, l.taken_from_region from stg_lessons l "
        "left join ref_regions r on r.region_code = l.taken_from_region "
        "where l.source = 'andere_regio' and (r.region_code is null or l.taken_from_region = l.region_code)",
        ("ref_regions",),
    ),
    *(_known_regions(m.table) for m in MODULES.values()),
    *(_complete_grid(m.name) for m in MODULES.values() if m.grid),
)


@dg.multi_asset_check(name="staging_checks", can_subset=True, specs=[check_spec(c) for c in CHECKS])
def staging_checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
    selected = context.selected_asset_check_keys
    with warehouse.get_connection() as con:
        for c in CHECKS:
            if check_key(c) in selected:
                yield check_result(run_check(con, c, EXAMPLES))
