"""Publishing the marts as files: Parquet and CSV per mart and one workbook, swapped in whole."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ProjectFolders
from pipelines.lib import engine
from pipelines.defs.staging.assets import TRIGGER_TAG
from pipelines.lib.freshness import inputs_fingerprint, is_current, mark_built
from pipelines.lib.publish import export_marts, recover, staged_folder
from pipelines.lib.warehouse import record_history


@dg.asset(group_name="marts", deps=[dg.AssetKey(["marts", name]) for name in engine.MART_TABLES],
          description="De marts als data/marts/<naam>.parquet en .csv, plus benchmark.xlsx met een blad per mart. "
                      "Geschreven in een nieuwe map die pas bij succes de vorige vervangt.")
def published_marts(context: dg.AssetExecutionContext, folders: ProjectFolders, warehouse: DuckDBResource):
    # A run killed mid-swap (daemon or CLI) leaves the folder renamed aside: put it back before asking
    # whether it is current, and clear half-written folders even when nothing is rebuilt.
    if restored := recover(folders.marts.resolve()):
        context.log.warning(restored)
    with warehouse.get_connection() as con:
        fingerprint = inputs_fingerprint(con, folders.reference, target=folders.marts.resolve())
        expected = [f"{n}.{ext}" for n in engine.MART_TABLES for ext in ("parquet", "csv")] + ["benchmark.xlsx"]
        if is_current(con, "mart_files", fingerprint) and all((folders.marts / f).is_file() for f in expected):
            return dg.MaterializeResult(metadata={"folder": str(folders.marts), "rebuilt": False,
                                                  "summary": f"ongewijzigd: {folders.marts} is actueel"})
        with staged_folder(folders.marts) as folder:
            rows = export_marts(con, list(engine.MART_TABLES), folder)
        mark_built(con, "mart_files", fingerprint)
        size = sum(p.stat().st_size for p in folders.marts.iterdir() if p.is_file())
        summary = f"{len(rows)} marts gepubliceerd in {folders.marts} ({size / 1024 / 1024:.1f} MB)"
        record_history(con, context.run.run_id, context.run.tags.get(TRIGGER_TAG, "dagster"), "publiceren", summary)
    return dg.MaterializeResult(metadata={
        "folder": str(folders.marts), **{f"rows_{k}": v for k, v in rows.items()}, "bytes": size, "summary": summary})
