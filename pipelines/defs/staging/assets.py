"""Raw and staging layers: discover the returns of every wave, read, check and stage them.

One multi-asset does the work because a region's module must be staged whole or
not at all, across the staging tables, in one transaction per wave. The rules it
follows are in :mod:`pipelines.ingest.loader`.
"""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import load_regions
from pipelines.defs.partitions import WAVES
from pipelines.defs.resources import ProjectFolders
from pipelines.defs.versions import INGEST_CODE, code_version, data_version, table_metadata
from pipelines.engine import riskmodel
from pipelines.ingest import validation_runs, validation_worker
from pipelines.ingest.discovery import held_waves, list_waves, scan_root
from pipelines.ingest.loader import ingest_waves, record_folder_notes, remove_vanished_waves
from pipelines.ingest.warehouse import ensure_schema, record_history

STAGED_TABLES = [m.table for m in MODULES.values()]
LOADER_TABLES = ["stg_module_loads", "stg_submission_status", "stg_problems"]


def _ingest_specs() -> list[dg.AssetSpec]:
    # Built in a function: the defs loader would otherwise also pick up a module-level list of specs.
    version = code_version(*INGEST_CODE)
    return [
        spec.replace_attributes(code_version=version)
        for spec in [
            dg.AssetSpec(
                "raw_file_inventory",
                group_name="raw",
                deps=["ref_regions"],
                description="Alle bestanden onder data/raw per peiljaar: soort, regio, module, grootte, SHA-256.",
            ),
            *[
                dg.AssetSpec(
                    m.table,
                    group_name="staging",
                    deps=["ref_regions"],
                    description=f"Module '{m.name}': {m.description}. Met herkomst per rij.",
                )
                for m in MODULES.values()
            ],
            dg.AssetSpec(
                "stg_module_loads",
                group_name="staging",
                deps=["ref_regions"],
                description="Welke bron per regio, module en peiljaar in gebruik is.",
            ),
            dg.AssetSpec(
                "stg_submission_status",
                group_name="staging",
                deps=["ref_regions"],
                description="Status per peiljaar, regio, module en bronbestand.",
            ),
            dg.AssetSpec(
                "stg_problems",
                group_name="staging",
                deps=["ref_regions"],
                description="Alle fouten en waarschuwingen per bestand, blad, rij en kolom.",
            ),
        ]
    ]


#: Run tag that says what started a run (cli, sensor, schedule), for the run history.
TRIGGER_TAG = "regiobench/trigger"


class IngestConfig(dg.Config):
    """Run config of ``ingest_returns`` (the CLI's ``--full``, the weekly schedule, the launchpad)."""

    #: True: read every wave of the run again; False: waves whose files did not change are skipped.
    full_refresh: bool = False


#: Asset keys (= table names) of the raw and staging layers, for downstream deps.
INGEST_KEYS = ["raw_waves", "raw_file_inventory", *STAGED_TABLES, *LOADER_TABLES]


class _LazyValidator:
    """Imports Great Expectations (about 5 s) on the first wave that needs checking, once per run."""

    def __init__(self, results_dir, log, run_id=None):
        self.results_dir, self.log, self._gx = results_dir, log, None
        self.run_id = run_id  # names the folder of GX's results (pipelines.ingest.validation_runs)
        self.last_run: str | None = None

    @property
    def gx(self):
        if self._gx is None:
            from pipelines.ingest.validation import GXValidator

            self._gx = GXValidator(results_dir=self.results_dir, log=self.log)
        return self._gx

    def __call__(self, wave, frames, region_codes, **kwargs):
        return self.gx(wave, frames, region_codes, **kwargs)

    def validate_waves(self, waves, region_codes):
        # The CLI may have started GX in a helper process while it got ready (validation_worker).
        self.last_run = None
        worker = validation_worker.take(self.results_dir)
        if worker is not None:
            try:
                # While GX works there, this process imports what the marts will need.
                found = worker.validate_waves(
                    waves, region_codes, log=self.log, while_waiting=riskmodel.preload, run_id=self.run_id
                )
                self.last_run = worker.last_run
                return found
            except validation_worker.WorkerFailed as exc:
                self.log.warning(f"{exc}; de toetsing loopt nu in dit proces")
        found = self.gx.validate_waves(waves, region_codes, run_id=self.run_id)
        self.last_run = self.gx.last_run
        return found


def _prune_validation_runs(context, folders: ProjectFolders, con) -> None:
    """The retention of GX's results (pipelines.ingest.validation_runs): never fails the ingest."""
    try:
        keep = validation_runs.referenced_runs(con, folders.marts)
        removed = validation_runs.prune(folders.validation, protect=keep)
    except Exception as exc:  # noqa: BLE001 - results kept too long are better than a failed load
        context.log.warning(f"oude GX-resultaten in {folders.validation} niet opgeruimd: {exc}")
        return
    if removed:
        context.log.info(
            f"{len(removed)} oude GX-resultaten verwijderd uit {folders.validation / validation_runs.RUNS}"
        )


@dg.asset(
    group_name="raw",
    deps=["ref_regions"],
    code_version=code_version(*INGEST_CODE),
    description="De peiljaren (mappen onder data/raw); verwijdert wat geladen was uit mappen die verdwenen zijn.",
)
def raw_waves(context: dg.AssetExecutionContext, folders: ProjectFolders, warehouse: DuckDBResource):
    waves, notes = scan_root(folders.raw)
    held = held_waves(waves, notes)
    with warehouse.get_connection() as con:
        ensure_schema(con)
        gone = remove_vanished_waves(con, set(waves) | set(held))
        con.execute("create or replace table raw_waves as select unnest(?::integer[]) as wave", [waves])
        record_folder_notes(con, notes)
        table = table_metadata(con, "raw_waves")
    summary = f"{len(waves)} peiljaren: {', '.join(map(str, waves))}" if waves else "geen peiljaren gevonden"
    if gone:
        summary += f"; verwijderd omdat de map weg is: {', '.join(map(str, gone))}"
    for note in notes:
        summary += f"; LET OP: map {note.name!r} niet gelezen"
        context.log.warning(f"data/raw/{note.name}: {note.reason}")
    return dg.MaterializeResult(
        metadata={"waves": waves, "removed": gone, "summary": summary, **table},
        data_version=data_version(code_version(*INGEST_CODE), waves, gone, [(n.name, n.reason) for n in notes]),
    )


@dg.multi_asset(
    specs=_ingest_specs(), can_subset=False, partitions_def=WAVES, backfill_policy=dg.BackfillPolicy.single_run()
)
def ingest_returns(
    context: dg.AssetExecutionContext, config: IngestConfig, folders: ProjectFolders, warehouse: DuckDBResource
):
    """Stage the waves of this run (one partition, or a range in a single run).

    Every partition of the run is reported materialized (Dagster records one event per partition of a
    range, and the steps downstream run only on a yielded output); a wave skipped because its files did
    not change says ``rebuilt: False`` in its partition's metadata, and the data version is that of the
    staged waves' fingerprints, unchanged when nothing was read again.
    """
    regions = [r.code for r in load_regions(folders.reference)]
    present = set(list_waves(folders.raw))
    waves = sorted(int(k) for k in context.partition_keys if int(k) in present)
    full = config.full_refresh
    validator = _LazyValidator(folders.validation, context.log, run_id=context.run.run_id)
    started = time.perf_counter()
    lines, totals = [], dict(loaded=0, unchanged=0, removed=0, rejected=0, skipped=0)
    rebuilt: set[str] = set()
    split: dict[str, float] = {}
    with warehouse.get_connection() as con:
        ensure_schema(con)
        for result in ingest_waves(con, folders.raw, waves, regions, validator=validator, skip_unchanged=not full):
            wave = result.wave
            if result.skipped:
                totals["skipped"] += 1
                lines.append(f"{wave}: ongewijzigd sinds de vorige run, niet opnieuw gelezen")
                continue
            rebuilt.add(str(wave))
            totals["loaded"] += result.n_units_loaded
            totals["unchanged"] += result.n_units_unchanged
            totals["removed"] += result.n_units_removed
            totals["rejected"] += len(result.rejected_files)
            for stage in ("lezen", "toetsen", "laden"):  # the run report's split of the ingest's seconds
                split[f"seconds_{stage}"] = split.get(f"seconds_{stage}", 0.0) + result.timings.get(stage, 0.0)
            lines.append(
                f"{wave}: {len(result.regions_loaded)} regio's, {result.n_units_loaded} modules (opnieuw) geladen, "
                f"{result.n_units_unchanged} ongewijzigd, {len(result.rejected_files)} bestand(en) afgewezen"
                f" (lezen {result.timings.get('lezen', 0):.1f} s, toetsen {result.timings.get('toetsen', 0):.1f} s,"
                f" laden {result.timings.get('laden', 0):.1f} s)"
            )
            for rel in result.rejected_files:
                context.log.warning(f"afgewezen: {rel}")
        if validator.last_run is not None:  # a new run of GX results: let the oldest unused ones go
            _prune_validation_runs(context, folders, con)
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in STAGED_TABLES + LOADER_TABLES}
        fingerprints = con.execute(
            "select wave, fingerprint from raw_wave_fingerprints where wave in "
            "(select unnest(?::integer[])) order by wave",
            [waves],
        ).fetchall()
        version = data_version(code_version(*INGEST_CODE), *(f"{w}:{fp}" for w, fp in fingerprints))
        for table in ["raw_file_inventory", *STAGED_TABLES, *LOADER_TABLES]:
            context.add_asset_metadata(table_metadata(con, table), asset_key=table)
            for key in context.partition_keys:  # per wave: its rows, and whether it was read again
                context.add_asset_metadata(
                    {**_wave_rows(con, table, key), "rebuilt": key in rebuilt}, asset_key=table, partition_key=key
                )
        summary = "; ".join(lines) or "geen peiljaren in deze run"
        record_history(
            con,
            context.run.run_id,
            context.run.tags.get(TRIGGER_TAG, "dagster"),
            "laden",
            summary,
            waves=waves,
            units_loaded=totals["loaded"],
            units_unchanged=totals["unchanged"],
            files_rejected=totals["rejected"],
        )
    context.log.info(summary)
    yield dg.MaterializeResult(
        asset_key="raw_file_inventory",
        data_version=version,
        metadata={
            "waves": waves,
            "summary": summary,
            **{f"units_{k}": v for k, v in totals.items()},
            "seconds": round(time.perf_counter() - started, 2),
            **{k: round(v, 3) for k, v in split.items()},
        },
    )
    for table in STAGED_TABLES + LOADER_TABLES:
        yield dg.MaterializeResult(asset_key=table, metadata={"rows": counts[table]}, data_version=version)


def _wave_rows(con, table: str, wave: str) -> dict:
    return {
        "dagster/row_count": dg.MetadataValue.int(
            int(con.execute(f"select count(*) from {table} where wave = ?", [int(wave)]).fetchall()[0][0])
        )
    }


def full_refresh_run_config() -> dict:
    """Run config that makes ``ingest_returns`` read every wave again, changed or not."""
    return {"ops": {"ingest_returns": {"config": {"full_refresh": True}}}}
