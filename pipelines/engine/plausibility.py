"""Plausibility warnings beside the verdicts: the bounds as a warehouse table, and which verdicts a warning touches.

The warnings themselves are computed in SQL (``int_plausibility``, docs/plausibility.md)
against ``ref_plausibility_rules``, written here from
:mod:`pipelines.contract.plausibility`. A warning concerns one module of one
region's return in one wave; it touches every verdict of that wave and region
whose indicator is computed from the module (:attr:`~pipelines.contract.indicators.Indicator.modules`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.contract import indicators
from pipelines.contract import plausibility as P

#: Between two findings in ``variation_register.check_return``.
SEPARATOR = "; "


def write_rules(con: duckdb.DuckDBPyConnection, rules: dict[str, float]) -> None:
    con.execute("create or replace table ref_plausibility_rules (rule varchar, value double)")
    if rules:
        con.executemany("insert into ref_plausibility_rules values (?, ?)", list(rules.items()))


def write_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """``ref_plausibility_rules`` from the file under ``reference_dir``."""
    write_rules(con, P.load_plausibility_rules(reference_dir))


def check_return(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame) -> pd.Series:
    """For each row of ``keys`` (wave, region_code, indicator_id): the findings of ``int_plausibility`` on the
    modules its indicator is computed from, joined by :data:`SEPARATOR` in the order of the table; None where
    there are none."""
    found = con.execute("select wave, region_code, module, finding from int_plausibility").df()
    uses = pd.DataFrame(
        [(i.id, m) for i in indicators.INDICATORS for m in i.modules], columns=["indicator_id", "module"]
    )
    touched = found.merge(uses, on="module").drop_duplicates(["wave", "region_code", "indicator_id", "finding"])
    joined = touched.groupby(["wave", "region_code", "indicator_id"], sort=False)["finding"].agg(SEPARATOR.join)
    out = keys[["wave", "region_code", "indicator_id"]].merge(
        joined.rename("check_return").reset_index(), on=["wave", "region_code", "indicator_id"], how="left"
    )["check_return"]
    out.index = keys.index
    return out.astype(object).where(out.notna(), None)
