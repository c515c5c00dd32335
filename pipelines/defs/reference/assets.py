"""Reference layer: the analyst-maintained files under data/reference as warehouse tables."""


import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ProjectFolders
from pipelines.contract.reference import load_equipment_norms, load_regions, load_ring_norms


def _replace_table(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_incoming", frame)
    con.execute(f"create or replace table {table} as select * from _incoming")
    con.unregister("_incoming")


@dg.asset(group_name="reference", description="De regio's uit data/reference/regions.csv: code, naam, inwoners.")
def ref_regions(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    regions = load_regions(folders.reference)
    frame = pd.DataFrame([(r.code, r.name, r.population) for r in regions],
                         columns=["region_code", "region_name", "population"])
    with warehouse.get_connection() as con:
        _replace_table(con, "ref_regions", frame)
    return dg.MaterializeResult(metadata={"regions": len(regions), "summary": f"{len(regions)} regio's"})


def _norm_frame(norms: dict, key_columns: list[str], norm_column: str) -> pd.DataFrame:
    return pd.DataFrame([(*n.key, n.code, n.source or None) for n in norms.values()],
                        columns=[*key_columns, norm_column, "source"])


@dg.asset(group_name="reference", description="Landelijke norm voor toegang per zone en discipline (leeg: modaal).")
def ref_ring_model_norms(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    frame = _norm_frame(load_ring_norms(folders.reference), ["zone", "discipline"], "norm_access")
    with warehouse.get_connection() as con:
        _replace_table(con, "ref_ring_model_norms", frame)
    n_set = int(frame["norm_access"].notna().sum())
    return dg.MaterializeResult(metadata={"cells": len(frame), "set_by_policy": n_set,
                                          "summary": f"{n_set} van {len(frame)} cellen vastgesteld"})


@dg.asset(group_name="reference", description="Landelijke norm voor beschikbaarheid per functie en middel (leeg: modaal).")
def ref_equipment_norms(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    frame = _norm_frame(load_equipment_norms(folders.reference), ["discipline", "role", "item"], "norm_level")
    with warehouse.get_connection() as con:
        _replace_table(con, "ref_equipment_norms", frame)
    n_set = int(frame["norm_level"].notna().sum())
    return dg.MaterializeResult(metadata={"cells": len(frame), "set_by_policy": n_set,
                                          "summary": f"{n_set} van {len(frame)} cellen vastgesteld"})
