"""Jobs the sensor and the schedule launch.

``ingest_wave`` stages one wave (a partition). ``publish`` rebuilds everything
that is not partitioned (reference, marts, dashboards) and re-evaluates the
blocking checks on the staging layer first, so that marts are never built on a
staging layer that breaks them.
"""

import dagster as dg

from pipelines.defs.staging.assets import INGEST_KEYS

PARTITIONED_KEYS = [dg.AssetKey(k) for k in INGEST_KEYS if k != "raw_waves"]
INGEST_SELECTION = dg.AssetSelection.assets(*PARTITIONED_KEYS)

# Without the staging checks: they join ref_regions, which this job does not build (on a fresh
# warehouse every sensor-launched ingest run failed on them), and nothing downstream here needs them;
# the publish job evaluates them, blocking, before it builds the marts.
ingest_wave = dg.define_asset_job(
    "ingest_wave",
    selection=INGEST_SELECTION.without_checks(),
    description="Eén peiljaar lezen, toetsen en laden (partitie = peiljaar).",
)

publish = dg.define_asset_job(
    "publish",
    selection=(dg.AssetSelection.all() - INGEST_SELECTION) | dg.AssetSelection.checks_for_assets(*PARTITIONED_KEYS),
    description="Referentie, marts en dashboards opnieuw bouwen uit alle peiljaren; eerst de blokkerende controles.",
)

refresh = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    description="Alles in één run: de peiljaren als reeks (range-tags), daarna marts en dashboards.",
)


def range_tags(waves: list[str]) -> dict[str, str]:
    """Tags that make one run cover a range of wave partitions (single-run backfill)."""
    return {"dagster/asset_partition_range_start": waves[0], "dagster/asset_partition_range_end": waves[-1]}
