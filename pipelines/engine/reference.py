"""The reference tables (``ref_*``) as the warehouse holds them, written from a reference folder.

The Dagster reference assets write each table from its file with these frames;
:func:`write_reference_tables` writes them all at once for a warehouse outside
Dagster (``regiobench validate`` comparing a return with earlier waves, tests).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.contract.reference import Region, load_equipment_norms, load_regions, load_ring_norms
from pipelines.engine import reasons


def regions_frame(regions: list[Region]) -> pd.DataFrame:
    return pd.DataFrame(
        [(r.code, r.name, r.population) for r in regions], columns=["region_code", "region_name", "population"]
    )


def norm_frame(norms: dict, key_columns: list[str], norm_column: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(*n.key, n.code, n.source or None) for n in norms.values()], columns=[*key_columns, norm_column, "source"]
    )


def ring_norm_frame(reference_dir: Path) -> pd.DataFrame:
    return norm_frame(load_ring_norms(reference_dir), ["zone", "discipline"], "norm_access")


def equipment_norm_frame(reference_dir: Path) -> pd.DataFrame:
    return norm_frame(load_equipment_norms(reference_dir), ["discipline", "role", "item"], "norm_level")


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("_incoming", frame)
    try:
        con.execute(f"create or replace table {table} as select * from _incoming")
    finally:
        con.unregister("_incoming")


def write_reference_tables(
    con: duckdb.DuckDBPyConnection, reference_dir: Path, regions: list[Region] | None = None
) -> None:
    """Every ``ref_`` table the engine reads, from the files under ``reference_dir`` (``regions``: instead of
    its ``regions.csv``)."""
    regions = load_regions(reference_dir) if regions is None else regions
    replace_table(con, "ref_regions", regions_frame(regions))
    replace_table(con, "ref_ring_model_norms", ring_norm_frame(reference_dir))
    replace_table(con, "ref_equipment_norms", equipment_norm_frame(reference_dir))
    reasons.write_reference(con, reference_dir, [r.code for r in regions])
