"""Full refresh every Monday at 06:00, Amsterdam time: every wave read again, then publish, in one run."""

import dagster as dg

from pipelines.defs.automation.jobs import range_tags, refresh
from pipelines.defs.partitions import WAVES
from pipelines.defs.resources import ProjectFolders
from pipelines.defs.staging.assets import full_refresh_run_config
from pipelines.ingest.discovery import list_waves


@dg.schedule(
    cron_schedule="0 6 * * 1",
    execution_timezone="Europe/Amsterdam",
    job=refresh,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Maandag 06:00: alle peiljaren opnieuw lezen en publiceren.",
)
def weekly_full_refresh(context: dg.ScheduleEvaluationContext, folders: ProjectFolders):
    stamp = context.scheduled_execution_time.strftime("%Y%m%d%H%M")
    waves = [str(w) for w in list_waves(folders.raw)]
    # The sensor normally registers new waves; do it here too so the schedule works with the sensor off.
    known = set(context.instance.get_dynamic_partitions(WAVES.name))
    if missing := [w for w in waves if w not in known]:
        context.instance.add_dynamic_partitions(WAVES.name, missing)
    if not waves:
        return dg.SkipReason(f"geen peiljaren in {folders.raw}")
    # A range runs from its first to its last key in the order the partitions were added, not by year
    # (a wave added later, even an older one, comes last): span every key so that no wave falls outside;
    # the ingest reads only the waves whose folder exists.
    ordered = context.instance.get_dynamic_partitions(WAVES.name)
    return dg.RunRequest(
        run_key=f"weekly-{stamp}",
        run_config=full_refresh_run_config(),
        tags={"regiobench/trigger": "schedule", **range_tags(ordered)},
    )
