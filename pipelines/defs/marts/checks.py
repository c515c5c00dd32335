"""Asset checks on the marts: grain, codes, ordered limits, explanations, contract columns.

The checks themselves are SQL in :data:`pipelines.engine.build.MART_CHECKS`
(so that the tests run exactly the same ones); a check passes when no row
fails it. Each result carries the number of failing rows and a few examples.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.engine import build as engine


def _spec(check: engine.MartCheck) -> dg.AssetCheckSpec:
    # Blocking: a mart that fails its checks is neither exported nor shown on the dashboards.
    return dg.AssetCheckSpec(check.name, asset=dg.AssetKey(["marts", check.mart]), description=check.description,
                             blocking=True)


# A tuple, not a list (see assets.py).
MART_CHECK_SPECS = tuple(_spec(c) for c in engine.MART_CHECKS)


@dg.multi_asset_check(specs=MART_CHECK_SPECS, can_subset=False, name="mart_checks")
def mart_checks(warehouse: DuckDBResource):
    with warehouse.get_connection() as con:
        outcomes = engine.check_marts(con)
    for o in outcomes:
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(["marts", o.mart]),
            check_name=o.name,
            passed=o.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=o.description,
            metadata={"failing_rows": o.n_failing, "examples": ", ".join(o.examples) or "geen"},
        )
