"""Publishing the marts as files, and the one step that publishes marts and dashboards together.

``published_marts`` prepares the mart files (Parquet, CSV and CSV for Dutch Excel per mart, one workbook and
``marts.duckdb``) in a new folder beside ``data/marts``; ``dashboards_site`` prepares the site the same way;
``publication`` then swaps both in, or neither (:func:`pipelines.publish.outputs.swap_together`). The fingerprints
that say an output is current are recorded only once it is published.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ProjectFolders
from pipelines.defs.staging.assets import TRIGGER_TAG
from pipelines.defs.versions import MART_FILES_CODE, PUBLICATION_CODE, code_version, data_version
from pipelines.engine import build as engine
from pipelines.ingest.warehouse import record_history
from pipelines.publish.downloads import mart_files
from pipelines.publish.freshness import inputs_fingerprint, is_current, mark_built
from pipelines.publish.outputs import (
    export_marts,
    prepare,
    prepared_path,
    publication_of,
    recover_group,
    run_publication_id,
    swap_together,
)

EXPECTED_FILES = mart_files(engine.MART_TABLES)


def _targets(folders: ProjectFolders) -> dict:
    return {"marts": folders.marts.resolve(), "dashboards": folders.dashboards.resolve()}


def recover_outputs(context, folders: ProjectFolders) -> None:
    """A run killed mid-swap (daemon or CLI): put both folders back to one publication, clear half-written
    folders (but not what this run has prepared already)."""
    for line in recover_group(_targets(folders).values(), keep=run_publication_id(context.run.run_id)):
        context.log.warning(line)


@dg.asset(
    group_name="marts",
    deps=[dg.AssetKey(["marts", name]) for name in engine.MART_TABLES],
    code_version=code_version(*MART_FILES_CODE),
    description="De marts als data/marts/<naam>.parquet en .csv, data/marts/nl/<naam>.csv (voor Excel in het "
    "Nederlands), plus benchmark.xlsx met een toelichting en een blad per mart en marts.duckdb (alle marts als "
    "tabellen, alleen-lezen). Klaargezet in een nieuwe map; "
    "'publication' zet die samen met de dashboards in één keer in plaats van de vorige.",
)
def published_marts(context: dg.AssetExecutionContext, folders: ProjectFolders, warehouse: DuckDBResource):
    recover_outputs(context, folders)
    pub = run_publication_id(context.run.run_id)
    with warehouse.get_connection() as con:
        fingerprint = inputs_fingerprint(con, folders.reference, target=folders.marts.resolve())
        if is_current(con, "mart_files", fingerprint) and all((folders.marts / f).is_file() for f in EXPECTED_FILES):
            # Reported (publication runs only on a yielded output), with the data version of the files there.
            return dg.MaterializeResult(
                metadata={
                    "folder": str(folders.marts),
                    "rebuilt": False,
                    "summary": f"ongewijzigd: {folders.marts} is actueel",
                },
                data_version=data_version(fingerprint),
            )
        with prepare(folders.marts.resolve(), pub, "mart_files", fingerprint=fingerprint) as folder:
            rows = export_marts(con, list(engine.MART_TABLES), folder)
    staged = prepared_path(folders.marts.resolve(), pub)
    size = sum(p.stat().st_size for p in staged.rglob("*") if p.is_file())
    summary = f"{len(rows)} marts klaargezet voor {folders.marts} ({size / 1024 / 1024:.1f} MB)"
    return dg.MaterializeResult(
        data_version=data_version(fingerprint),
        metadata={
            "folder": str(folders.marts),
            **{f"rows_{k}": v for k, v in rows.items()},
            "bytes": size,
            "summary": summary,
            "rebuilt": True,
        },
    )


@dg.asset(
    group_name="marts",
    deps=[published_marts, dg.AssetKey("dashboards_site")],
    code_version=code_version(*PUBLICATION_CODE),
    output_required=False,
    description="Marts en dashboards samen publiceren: beide klaargezette mappen in één keer in plaats van "
    "de vorige, of geen van beide (mislukt de tweede, dan gaat de eerste terug).",
)
def publication(context: dg.AssetExecutionContext, folders: ProjectFolders, warehouse: DuckDBResource):
    """Nothing prepared (both outputs current): no materialization, only an observation saying so;
    nothing downstream waits for this asset."""
    pub = run_publication_id(context.run.run_id)
    targets = _targets(folders)
    markers = {name: publication_of(prepared_path(t, pub)) for name, t in targets.items()}
    if not any(markers.values()):
        context.log_event(
            dg.AssetObservation(
                asset_key=context.asset_key,
                metadata={"published": False, "summary": "niets te publiceren: marts en dashboards zijn actueel"},
            )
        )
        return
    swapped = swap_together(targets.values(), pub)
    published = {name: targets[name] in swapped for name in targets}
    summary = (
        f"publicatie {pub}: marts {'ja' if published['marts'] else 'nee (actueel)'}, "
        f"dashboards {'ja' if published['dashboards'] else 'nee (actueel)'}"
    )
    with warehouse.get_connection() as con:
        for name, marker in markers.items():
            if marker and published[name]:
                mark_built(con, marker["output"], marker["fingerprint"])
        record_history(con, context.run.run_id, context.run.tags.get(TRIGGER_TAG, "dagster"), "publiceren", summary)
    yield dg.MaterializeResult(
        metadata={
            "published": True,
            "publication_id": pub,
            "summary": summary,
            **{f"published_{k}": v for k, v in published.items()},
        },
        data_version=data_version(*(m.get("fingerprint", "") for m in markers.values() if m)),
    )
