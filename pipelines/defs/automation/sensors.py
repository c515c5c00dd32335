"""The sensors: data/raw (new, changed and removed files, by content hash) and data/reference.

The cursor holds the last snapshot (per wave: file name, SHA-256, size,
modification time). On a change it asks for one ``ingest_wave`` run per
affected wave and then one ``publish`` run; the instance runs one run at a time
(see ``make serve``), in the order requested, so the publish run sees the new
staging layer. With nothing changed it skips and says why.
"""

import hashlib
import json

import dagster as dg

from pipelines.defs.automation.jobs import ingest_wave, publish
from pipelines.defs.partitions import WAVES
from pipelines.defs.resources import ProjectFolders
from pipelines.ingest.discovery import changed_waves, sha256_of, snapshot


@dg.sensor(
    jobs=[ingest_wave, publish],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Kijkt elke 30 s naar data/raw en laadt gewijzigde peiljaren.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, folders: ProjectFolders):
    before = json.loads(context.cursor) if context.cursor else {}
    after = snapshot(folders.raw, before)
    affected, gone, changes = changed_waves(before, after)
    if not affected and not gone:
        return dg.SkipReason(
            f"geen nieuwe, gewijzigde of verwijderde bestanden in {folders.raw} "
            f"({sum(len(f) for f in after.values())} bestanden in {len(after)} peiljaren)"
        )
    known = set(context.instance.get_dynamic_partitions(WAVES.name))
    stamp = "-".join(f"{w}:{len(after.get(w, {}))}" for w in affected + gone)
    # The run keys name the change (snapshot before and after), not only the new state: Dagster never
    # launches a run key twice, and a state can come back (a backup restored with its modification time).
    digest = hashlib.sha256(json.dumps([before, after], sort_keys=True).encode()).hexdigest()[:12]
    requests = [
        dg.RunRequest(
            job_name="ingest_wave",
            partition_key=wave,
            run_key=f"ingest-{wave}-{digest}",
            tags={"regiobench/trigger": "sensor", "regiobench/changes": "; ".join(changes[wave])[:900]},
        )
        for wave in affected
    ]
    requests.append(
        dg.RunRequest(
            job_name="publish",
            run_key=f"publish-{digest}",
            tags={"regiobench/trigger": "sensor", "regiobench/waves": stamp[:900]},
        )
    )
    new_waves = [w for w in after if w not in known]
    partition_requests = []
    if new_waves:
        partition_requests.append(WAVES.build_add_request(new_waves))
    stale = [w for w in gone if w in known]
    if stale:
        partition_requests.append(WAVES.build_delete_request(stale))
    context.log.info(f"gewijzigd: {', '.join(affected) or '-'}; verdwenen: {', '.join(gone) or '-'}")
    return dg.SensorResult(
        run_requests=requests, dynamic_partitions_requests=partition_requests, cursor=json.dumps(after, sort_keys=True)
    )


@dg.sensor(
    jobs=[publish],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Kijkt elke 30 s naar data/reference: een gewijzigde norm, regel of weging publiceert opnieuw.",
)
def reference_files_sensor(context: dg.SensorEvaluationContext, folders: ProjectFolders):
    """Norms, the reasons' rules and the analyst's judgements are inputs of every verdict: a change of any file
    under data/reference asks for one ``publish`` run (the marts' fingerprint covers the folder, so the run
    rebuilds). The first tick records the folder as it is; the weekly refresh covers anything before it."""
    folder = folders.reference
    after = {p.name: sha256_of(p) for p in sorted(folder.glob("*")) if p.is_file()} if folder.is_dir() else {}
    if not context.cursor:
        return dg.SensorResult(
            skip_reason=f"stand van {folder} vastgelegd ({len(after)} bestanden)", cursor=json.dumps(after)
        )
    before = json.loads(context.cursor)
    changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
    if not changed:
        return dg.SkipReason(f"geen gewijzigde bestanden in {folder} ({len(after)} bestanden)")
    digest = hashlib.sha256(json.dumps([before, after], sort_keys=True).encode()).hexdigest()[:12]
    context.log.info(f"gewijzigd in {folder}: {', '.join(changed)}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                job_name="publish",
                run_key=f"reference-{digest}",
                tags={"regiobench/trigger": "sensor", "regiobench/changes": ", ".join(changed)[:900]},
            )
        ],
        cursor=json.dumps(after, sort_keys=True),
    )
