"""Reference layer: the analyst-maintained files under data/reference as warehouse tables."""

import hashlib

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.contract.reference import load_equipment_norms, load_regions, load_ring_norms
from pipelines.defs.resources import ProjectFolders
from pipelines.defs.versions import REFERENCE_CODE, code_version, data_version, table_metadata


def _replace_table(con, table: str, frame: pd.DataFrame) -> dict:
    """Write the table; return its row count and column schema, read back from DuckDB."""
    con.register("_incoming", frame)
    con.execute(f"create or replace table {table} as select * from _incoming")
    con.unregister("_incoming")
    return table_metadata(con, table)


def _file_version(folders: ProjectFolders, name: str) -> dg.DataVersion:
    """The data version of a reference table: the file it is read from and the code that reads it."""
    path = folders.reference / name
    content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "ontbreekt"
    return data_version(code_version(*REFERENCE_CODE), name, content)


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE),
    description="De regio's uit data/reference/regions.csv: code, naam, inwoners.",
)
def ref_regions(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    regions = load_regions(folders.reference)
    frame = pd.DataFrame(
        [(r.code, r.name, r.population) for r in regions], columns=["region_code", "region_name", "population"]
    )
    with warehouse.get_connection() as con:
        table = _replace_table(con, "ref_regions", frame)
    return dg.MaterializeResult(
        metadata={"regions": len(regions), "summary": f"{len(regions)} regio's", **table},
        data_version=_file_version(folders, "regions.csv"),
    )


def _norm_frame(norms: dict, key_columns: list[str], norm_column: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(*n.key, n.code, n.source or None) for n in norms.values()], columns=[*key_columns, norm_column, "source"]
    )


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE),
    description="Landelijke norm voor toegang per zone en discipline (leeg: modaal).",
)
def ref_ring_model_norms(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    frame = _norm_frame(load_ring_norms(folders.reference), ["zone", "discipline"], "norm_access")
    with warehouse.get_connection() as con:
        table = _replace_table(con, "ref_ring_model_norms", frame)
    n_set = int(frame["norm_access"].notna().sum())
    return dg.MaterializeResult(
        metadata={
            "cells": len(frame),
            "set_by_policy": n_set,
            "summary": f"{n_set} van {len(frame)} cellen vastgesteld",
            **table,
        },
        data_version=_file_version(folders, "ring_model_norms.csv"),
    )


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE),
    description="Landelijke norm voor beschikbaarheid per functie en middel (leeg: modaal).",
)
def ref_equipment_norms(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    frame = _norm_frame(load_equipment_norms(folders.reference), ["discipline", "role", "item"], "norm_level")
    with warehouse.get_connection() as con:
        table = _replace_table(con, "ref_equipment_norms", frame)
    n_set = int(frame["norm_level"].notna().sum())
    return dg.MaterializeResult(
        metadata={
            "cells": len(frame),
            "set_by_policy": n_set,
            "summary": f"{n_set} van {len(frame)} cellen vastgesteld",
            **table,
        },
        data_version=_file_version(folders, "equipment_norms.csv"),
    )
