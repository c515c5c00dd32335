"""One kind of data check: a query that returns the violating rows (no rows: the check passes).

Used by the staging checks (:mod:`pipelines.defs.staging.checks`) and the mart
checks (:data:`pipelines.engine.checks.MART_CHECKS`); :mod:`pipelines.defs.sqlchecks`
turns both into blocking Dagster asset checks with the same output. The SQL's
``?`` parameters are bound from ``params``, never formatted in.

Pure Python: DuckDB only, no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd


@dataclass(frozen=True)
class SqlCheck:
    """A check on one warehouse table: it passes when ``sql`` returns no rows."""

    table: str  # the table it guards: 'stg_lessons', 'marts.variation_register'
    name: str
    description: str
    sql: str  # returns the violating rows
    params: tuple = ()
    label_sql: str = ""  # an expression over sql's columns naming a violating row ('' = all its columns)
    deps: tuple[str, ...] = ()  # other tables the SQL reads (lineage)

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The asset key's path: ``stg_lessons`` -> (stg_lessons,), ``marts.x`` -> (marts, x)."""
        return tuple(self.table.split("."))

    @property
    def mart(self) -> str:
        """The table without its schema (the mart's name for a mart check)."""
        return self.asset_path[-1]


@dataclass
class CheckOutcome:
    table: str
    name: str
    passed: bool
    description: str
    n_failing: int
    examples: list[str]  # a label per example row
    example_rows: pd.DataFrame  # the same rows as a table (the label only, where the check has one)

    @property
    def asset_path(self) -> tuple[str, ...]:
        return tuple(self.table.split("."))

    @property
    def mart(self) -> str:
        return self.asset_path[-1]


def run_check(con: duckdb.DuckDBPyConnection, check: SqlCheck, n_examples: int = 5) -> CheckOutcome:
    """Count the rows ``check`` finds and fetch the first ``n_examples`` of them."""
    params = list(check.params)
    counted = con.execute(f"select count(*) from ({check.sql})", params).fetchone()
    assert counted is not None  # count(*) always answers exactly one row
    n = int(counted[0])
    what = f"{check.label_sql} as voorbeeld" if check.label_sql else "*"
    cursor = con.execute(f"select {what} from ({check.sql}) limit {int(n_examples)}", params)
    data = cursor.fetchall()
    rows = pd.DataFrame(data, columns=[d[0] for d in cursor.description])
    examples = [" / ".join(str(v) for v in r) for r in data]
    return CheckOutcome(check.table, check.name, n == 0, check.description, n, examples, rows)
