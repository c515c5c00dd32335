"""Reference layer: the analyst-maintained files under data/reference as warehouse tables."""

import hashlib
from collections.abc import Callable
from typing import Any

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.contract import plausibility as PL
from pipelines.contract import reasons as R
from pipelines.contract.reference import load_regions
from pipelines.defs.resources import ProjectFolders
from pipelines.defs.versions import REFERENCE_CODE, code_version, data_version, table_metadata
from pipelines.engine import plausibility, reference
from pipelines.engine.reasons import write_judgements, write_rules


def _replace_table(con, table: str, frame: pd.DataFrame) -> dict:
    """Write the table; return its row count and column schema, read back from DuckDB."""
    reference.replace_table(con, table, frame)
    return table_metadata(con, table)


def _file_version(folders: ProjectFolders, name: str) -> dg.DataVersion:
    """The data version of a reference table: the file it is read from and the code that reads it."""
    path = folders.reference / name
    content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "ontbreekt"
    return data_version(code_version(*REFERENCE_CODE), name, content)


def _rules_result(
    folders: ProjectFolders,
    warehouse: DuckDBResource,
    table: str,
    file: str,
    rules: dict[str, Any],
    write: Callable[[Any, Any], None],
    number_format: str,
) -> dg.MaterializeResult:
    """Write an analyst's rules file (rule -> value) as ``table``; summarise the values it holds."""
    with warehouse.get_connection() as con:
        write(con, rules)
        metadata = table_metadata(con, table)
    summary = ", ".join(f"{k} = {v:{number_format}}" for k, v in rules.items())
    return dg.MaterializeResult(metadata={"summary": summary, **metadata}, data_version=_file_version(folders, file))


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE),
    description="De regio's uit data/reference/regions.csv: code, naam, inwoners.",
)
def ref_regions(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    regions = load_regions(folders.reference)
    frame = reference.regions_frame(regions)
    with warehouse.get_connection() as con:
        table = _replace_table(con, "ref_regions", frame)
    return dg.MaterializeResult(
        metadata={"regions": len(regions), "summary": f"{len(regions)} regio's", **table},
        data_version=_file_version(folders, "regions.csv"),
    )


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE),
    description="Landelijke norm voor toegang per zone en discipline (leeg: modaal).",
)
def ref_ring_model_norms(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    frame = reference.ring_norm_frame(folders.reference)
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
    frame = reference.equipment_norm_frame(folders.reference)
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


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE, "contract/reasons.py"),
    description="De regels die een toelichting laten verlopen (data/reference/substantiation_rules.csv).",
)
def ref_substantiation_rules(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    rules = R.load_substantiation_rules(folders.reference)
    return _rules_result(folders, warehouse, "ref_substantiation_rules", R.RULES_FILE, rules, write_rules, "")


@dg.asset(
    group_name="reference",
    code_version=code_version(*REFERENCE_CODE, "contract/plausibility.py"),
    description="De grenzen van de plausibiliteitswaarschuwingen (data/reference/plausibility_rules.csv).",
)
def ref_plausibility_rules(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    rules = PL.load_plausibility_rules(folders.reference)
    return _rules_result(
        folders, warehouse, "ref_plausibility_rules", PL.RULES_FILE, rules, plausibility.write_rules, "g"
    )


@dg.asset(
    group_name="reference",
    deps=[ref_regions],
    code_version=code_version(*REFERENCE_CODE, "contract/reasons.py"),
    description="De wegingen van de inspectie (data/reference/wegingen.csv); een foute rij telt niet en wordt gemeld.",
)
def ref_judgements(folders: ProjectFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    regions = [r.code for r in load_regions(folders.reference)]
    rows = R.judgement_rows(folders.reference, regions)
    with warehouse.get_connection() as con:
        write_judgements(con, rows)
        table = table_metadata(con, "ref_judgements")
    n_bad = sum(1 for r in rows if r[-1] is not None)
    return dg.MaterializeResult(
        metadata={"summary": f"{len(rows) - n_bad} weging(en), {n_bad} genegeerd", **table},
        data_version=_file_version(folders, R.JUDGEMENT_FILE),
    )
