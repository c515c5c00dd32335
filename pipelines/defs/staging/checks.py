"""Blocking checks on the staging layer: the marts are never built on staging data that breaks them.

Each check is a query that returns the violating rows; no rows means passed.
A failing check carries the count and up to ten examples as metadata, and,
being blocking, stops everything downstream in the same run.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.lib.codebook import MODULES

EXAMPLES = 10


def _markdown(frame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _check(asset: str, name: str, description: str, sql: str, additional_deps=(), params=()):
    @dg.asset_check(asset=asset, name=name, description=description, blocking=True,
                    additional_deps=list(additional_deps))
    def _run(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            rows = con.execute(f"with violations as ({sql}) select * from violations", list(params)).fetchdf()
        examples = rows.head(EXAMPLES)
        return dg.AssetCheckResult(
            passed=len(rows) == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"violations": len(rows),
                      "examples": dg.MetadataValue.md(_markdown(examples) if len(rows) else "geen")},
            description=f"{len(rows)} overtreding(en)" if len(rows) else "in orde",
        )

    return _run


def _unique(table: str, key: str):
    return _check(table, f"{key}_uniek", f"{key} is uniek per regio en peiljaar",
                  f"select wave, region_code, {key}, count(*) as n from {table} "
                  f"group by all having count(*) > 1")


def _known_regions(table: str):
    return _check(table, "regio_bekend", "elke regio komt voor in data/reference/regions.csv",
                  f"select distinct s.wave, s.region_code from {table} s "
                  f"anti join ref_regions r on r.region_code = s.region_code",
                  additional_deps=[dg.AssetKey("ref_regions")])


def _complete_grid(module_name: str):
    module = MODULES[module_name]
    n = len(module.expected_grid())
    return _check(module.table, "volledig", f"elke geladen regio heeft alle {n} rijen",
                  f"select l.wave, l.region_code, count(s.region_code) as n_rows from stg_module_loads l "
                  f"left join {module.table} s using (wave, region_code) where l.module = ? "
                  f"group by all having count(s.region_code) <> ?",
                  additional_deps=[dg.AssetKey("stg_module_loads")], params=(module_name, n))


exercise_id_unique = _unique("stg_exercises", "exercise_id")
lesson_id_unique = _unique("stg_lessons", "lesson_id")

one_risk_row = _check(
    "stg_risk_assessments", "een_rij_per_regio", "precies één risicobeoordeling per geladen regio en peiljaar",
    "select l.wave, l.region_code, count(r.region_code) as n_rows from stg_module_loads l "
    "left join stg_risk_assessments r using (wave, region_code) where l.module = 'risico' "
    "group by all having count(r.region_code) <> 1",
    additional_deps=[dg.AssetKey("stg_module_loads")])

lesson_exercise_exists = _check(
    "stg_lessons", "bron_oefening_bestaat",
    "een les uit een oefening verwijst naar een oefening van dezelfde regio en hetzelfde peiljaar",
    "select l.wave, l.region_code, l.lesson_id, l.source_exercise_id from stg_lessons l "
    "anti join stg_exercises e on e.wave = l.wave and e.region_code = l.region_code "
    "and e.exercise_id = l.source_exercise_id where l.source = 'oefening'",
    additional_deps=[dg.AssetKey("stg_exercises")])

lesson_other_region = _check(
    "stg_lessons", "overgenomen_van_andere_regio",
    "een overgenomen les komt van een bekende, andere regio",
    "select l.wave, l.region_code, l.lesson_id, l.taken_from_region from stg_lessons l "
    "left join ref_regions r on r.region_code = l.taken_from_region "
    "where l.source = 'andere_regio' and (r.region_code is null or l.taken_from_region = l.region_code)",
    additional_deps=[dg.AssetKey("ref_regions")])

regions_known = [_known_regions(m.table) for m in MODULES.values()]
grids_complete = [_complete_grid(m.name) for m in MODULES.values() if m.grid]
