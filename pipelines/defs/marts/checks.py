"""Asset checks on the marts: grain, codes, ordered limits, explanations, contract columns.

The checks themselves are SQL in :data:`pipelines.engine.checks.MART_CHECKS`
(so that the tests run exactly the same ones), of the same type as the staging
checks (:mod:`pipelines.core.sqlcheck`); a check passes when no row fails it.
Each result carries the number of failing rows and a few examples
(:mod:`pipelines.defs.sqlchecks`).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.core.sqlcheck import run_check
from pipelines.defs.sqlchecks import EXAMPLES, check_result, check_spec
from pipelines.engine import checks as engine_checks

# Blocking: a mart that fails its checks is neither exported nor shown on the dashboards.
# A tuple, not a list (see assets.py).
MART_CHECK_SPECS = tuple(check_spec(c) for c in engine_checks.MART_CHECKS)


@dg.multi_asset_check(specs=MART_CHECK_SPECS, can_subset=False, name="mart_checks")
def mart_checks(warehouse: DuckDBResource):
    with warehouse.get_connection() as con:
        for check in engine_checks.MART_CHECKS:
            yield check_result(run_check(con, check, EXAMPLES))
