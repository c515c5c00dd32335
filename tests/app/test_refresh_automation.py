"""The event-driven and scheduled refresh, evaluated with Dagster's test contexts.

The sensor (``raw_files_sensor``) and the schedule (``weekly_full_refresh``) are
called as the daemon calls them, on a temporary raw folder and a temporary
Dagster instance; the run requests, the dynamic-partition requests, the skip
reasons and the cursor are what is checked. The last test executes the jobs the
requests name, in-process, the way the daemon would launch them one after another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from pipelines import sample
from pipelines.ingest.discovery import sha256_of
from tests.support import ROOT, read_sheets

# Dagster and the project's Dagster definitions are imported inside the fixtures and tests: at module level
# they would be imported whenever the suite is collected, a few seconds even when no test here runs.
if TYPE_CHECKING:
    import dagster as dg

RAW = ROOT / "data" / "raw"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@pytest.fixture(scope="module")
def empty_instance(tmp_path_factory) -> Path:
    """The folder of an empty test instance, made once: creating its storage costs about 0.4 s, a copy 0.05 s."""
    import dagster as dg

    home = tmp_path_factory.mktemp("empty-instance")
    with dg.instance_for_test(temp_dir=str(home)):
        pass
    return home


@pytest.fixture
def instance(tmp_path, empty_instance):
    import dagster as dg

    home = tmp_path / "dagster"
    shutil.copytree(empty_instance, home)  # each test its own instance, empty as a new one
    with dg.instance_for_test(temp_dir=str(home)) as inst:  # persistent (a folder): the schedule context needs one
        yield inst


@pytest.fixture
def raw(tmp_path) -> Path:
    """Two waves of the shipped sample: 25 workbooks each."""
    out = tmp_path / "raw"
    for wave in ("2024", "2025"):
        shutil.copytree(RAW / wave, out / wave)
    return out


class Sensor:
    """Ticks of the sensor as the daemon makes them: the cursor carried over, partition requests applied."""

    def __init__(self, instance, raw: Path):
        self.instance, self.raw, self.cursor = instance, raw, None
        self.run_keys: set[str] = set()

    def tick(self):
        import dagster as dg

        from pipelines.defs.automation.sensors import raw_files_sensor
        from pipelines.defs.resources import ProjectFolders

        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources={"folders": ProjectFolders(raw_dir=str(self.raw))}
        ) as context:
            result = raw_files_sensor(context)
        if isinstance(result, dg.SensorResult):
            for request in result.dynamic_partitions_requests or []:
                if isinstance(request, dg.AddDynamicPartitionsRequest):
                    self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
                else:
                    for key in request.partition_keys:
                        self.instance.delete_dynamic_partition(request.partitions_def_name, key)
            if result.cursor is not None:
                self.cursor = result.cursor
            keys = [r.run_key for r in result.run_requests]
            assert len(set(keys)) == len(keys) and not set(keys) & self.run_keys, (
                "a run key used before: Dagster would not launch that run"
            )
            self.run_keys |= set(keys)
        return result


def _ingests(result) -> dict[str, dg.RunRequest]:
    return {r.partition_key: r for r in result.run_requests if r.job_name == "ingest_wave"}


def _partition_requests(result) -> list[tuple[str, list[str]]]:
    return [(type(r).__name__, sorted(r.partition_keys)) for r in result.dynamic_partitions_requests]


def _assert_ingest_then_publish(result, waves: list[str]) -> None:
    from pipelines.defs.staging.assets import TRIGGER_TAG

    requests = result.run_requests
    assert [r.job_name for r in requests] == ["ingest_wave"] * len(waves) + ["publish"]  # publish last: it runs last
    assert [r.partition_key for r in requests[:-1]] == waves
    assert requests[-1].partition_key is None
    assert all(r.tags[TRIGGER_TAG] == "sensor" for r in requests)
    assert all(r.run_key for r in requests)


# --- sensor ------------------------------------------------------------------------------------------


def test_first_tick_ingests_every_wave_registers_the_partitions_and_publishes(instance, raw):
    import dagster as dg

    from pipelines.defs.partitions import WAVES

    sensor = Sensor(instance, raw)
    result = sensor.tick()
    assert isinstance(result, dg.SensorResult)
    _assert_ingest_then_publish(result, ["2024", "2025"])
    assert _partition_requests(result) == [("AddDynamicPartitionsRequest", ["2024", "2025"])]
    assert result.dynamic_partitions_requests[0].partitions_def_name == WAVES.name
    changes = _ingests(result)["2025"].tags["regiobench/changes"]
    assert changes.startswith("nieuw: VR01_")
    # The cursor is the snapshot: per wave, per file its SHA-256, size and modification time.
    cursor = json.loads(result.cursor)
    assert sorted(cursor) == ["2024", "2025"]
    assert sorted(cursor["2025"]) == sorted(p.name for p in (raw / "2025").iterdir())
    some = next((raw / "2025").glob("VR13_*.xlsx"))
    sha, size, mtime = cursor["2025"][some.name]
    assert (sha, size, mtime) == (sha256_of(some), some.stat().st_size, some.stat().st_mtime_ns)


def test_nothing_changed_skips_with_a_dutch_reason_and_keeps_the_cursor(instance, raw):
    import dagster as dg

    sensor = Sensor(instance, raw)
    first = sensor.tick()
    second = sensor.tick()
    assert isinstance(second, dg.SkipReason)
    assert "geen nieuwe, gewijzigde of verwijderde bestanden" in second.skip_message
    assert "50 bestanden in 2 peiljaren" in second.skip_message
    assert sensor.cursor == first.cursor
    # Touched (new modification time) but the same bytes: not a change either, the hash decides.
    for path in (raw / "2024").iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    assert isinstance(sensor.tick(), dg.SkipReason)


def test_a_new_file_ingests_only_its_wave(instance, raw):
    sensor = Sensor(instance, raw)
    sensor.tick()
    (raw / "2025" / "lessen.csv").write_text("regio_code,les_id\n", encoding="utf-8")
    result = sensor.tick()
    _assert_ingest_then_publish(result, ["2025"])
    assert _ingests(result)["2025"].tags["regiobench/changes"] == "nieuw: lessen.csv"
    assert result.dynamic_partitions_requests == []  # the wave is known already
    assert "lessen.csv" in json.loads(sensor.cursor)["2025"]


def test_a_changed_file_ingests_only_its_wave(instance, raw):
    sensor = Sensor(instance, raw)
    sensor.tick()
    target = next((raw / "2024").glob("VR13_*.xlsx"))
    sheets = read_sheets(target)
    sheets["risico"][0]["kans_score"] = 4 if sheets["risico"][0]["kans_score"] != 4 else 3
    sample.write_workbook(target, sheets)
    result = sensor.tick()
    _assert_ingest_then_publish(result, ["2024"])
    assert _ingests(result)["2024"].tags["regiobench/changes"] == f"gewijzigd: {target.name}"
    assert result.dynamic_partitions_requests == []


def test_a_removed_file_ingests_its_wave(instance, raw):
    sensor = Sensor(instance, raw)
    sensor.tick()
    gone = next((raw / "2025").glob("VR25_*.xlsx"))
    gone.unlink()
    result = sensor.tick()
    _assert_ingest_then_publish(result, ["2025"])
    assert _ingests(result)["2025"].tags["regiobench/changes"] == f"verwijderd: {gone.name}"
    assert gone.name not in json.loads(sensor.cursor)["2025"]


def test_a_new_wave_folder_is_registered_and_ingested(instance, raw):
    from pipelines.defs.partitions import WAVES

    sensor = Sensor(instance, raw)
    sensor.tick()
    shutil.copytree(RAW / "2023", raw / "2023")
    result = sensor.tick()
    _assert_ingest_then_publish(result, ["2023"])
    assert _partition_requests(result) == [("AddDynamicPartitionsRequest", ["2023"])]
    assert sorted(instance.get_dynamic_partitions(WAVES.name)) == ["2023", "2024", "2025"]


def test_a_removed_wave_folder_is_unregistered_and_published_without_it(instance, raw):
    from pipelines.defs.partitions import WAVES

    sensor = Sensor(instance, raw)
    sensor.tick()
    shutil.rmtree(raw / "2024")
    result = sensor.tick()
    # Nothing to ingest; the publish run (raw_waves) removes what was staged for the wave.
    _assert_ingest_then_publish(result, [])
    assert "2024" in result.run_requests[-1].tags["regiobench/waves"]
    assert _partition_requests(result) == [("DeleteDynamicPartitionsRequest", ["2024"])]
    assert instance.get_dynamic_partitions(WAVES.name) == ["2025"]
    assert sorted(json.loads(sensor.cursor)) == ["2025"]


def test_a_restored_file_gets_new_run_keys(instance, raw):
    """A backup put back with its modification time (cp -p) brings back an earlier snapshot exactly:
    the runs it needs must not carry the run keys of the earlier change, or Dagster skips them."""
    sensor = Sensor(instance, raw)
    target = next((raw / "2025").glob("VR13_*.xlsx"))
    backup = raw.parent / target.name
    shutil.copy2(target, backup)
    sensor.tick()
    target.write_bytes(target.read_bytes() + b"\0")
    assert _ingests(sensor.tick()).keys() == {"2025"}
    shutil.copy2(backup, target)  # contents, size and mtime as at the first tick
    result = sensor.tick()  # Sensor.tick asserts the run keys are new
    _assert_ingest_then_publish(result, ["2025"])
    assert _ingests(result)["2025"].tags["regiobench/changes"] == f"gewijzigd: {target.name}"


def test_the_sensor_watches_the_raw_folder_every_30_seconds_and_targets_both_jobs():
    import dagster as dg

    from pipelines.defs.automation.sensors import raw_files_sensor

    assert raw_files_sensor.minimum_interval_seconds == 30
    assert raw_files_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sorted(j.name for j in raw_files_sensor.jobs) == ["ingest_wave", "publish"]


# --- schedule ----------------------------------------------------------------------------------------

MONDAY_0600 = dt.datetime(2026, 3, 30, 6, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # the first Monday of summer time


def _schedule(instance, raw: Path, when: dt.datetime = MONDAY_0600):
    # As a context manager: the context opens its own instance from the ref, closed on exit (left open,
    # it stays Dagster's current defs-state storage and breaks loading the definitions later on).
    import dagster as dg

    from pipelines.defs.automation.schedules import weekly_full_refresh
    from pipelines.defs.resources import ProjectFolders

    with dg.build_schedule_context(
        instance=instance, scheduled_execution_time=when, resources={"folders": ProjectFolders(raw_dir=str(raw))}
    ) as context:
        return weekly_full_refresh(context)


def _range(instance, request: dg.RunRequest) -> list[str]:
    """The waves a run with these range tags covers, resolved by Dagster against the instance."""
    import dagster as dg

    from pipelines.defs.partitions import WAVES

    with dg.partition_loading_context(dynamic_partitions_store=instance):
        return list(
            WAVES.get_partition_keys_in_range(dg.PartitionKeyRange(request.tags[RANGE_START], request.tags[RANGE_END]))
        )


def test_the_schedule_is_monday_0600_amsterdam_on_the_refresh_job():
    import dagster as dg

    from pipelines.defs.automation.schedules import weekly_full_refresh

    assert weekly_full_refresh.cron_schedule == "0 6 * * 1"
    assert weekly_full_refresh.execution_timezone == "Europe/Amsterdam"
    assert weekly_full_refresh.job_name == "refresh"
    assert weekly_full_refresh.default_status == dg.DefaultScheduleStatus.RUNNING
    # 06:00 in Amsterdam is 05:00 UTC in winter and 04:00 UTC in summer.
    from dagster._utils.schedules import cron_string_iterator

    start = dt.datetime(2026, 3, 20, tzinfo=ZoneInfo("UTC")).timestamp()
    ticks = cron_string_iterator(start, "0 6 * * 1", "Europe/Amsterdam")
    first, second = next(ticks), next(ticks)
    assert [t.astimezone(ZoneInfo("UTC")).strftime("%a %Y-%m-%d %H:%M") for t in (first, second)] == [
        "Mon 2026-03-23 05:00",
        "Mon 2026-03-30 04:00",
    ]


def test_the_schedule_asks_for_one_full_refresh_run_over_all_waves(instance, raw):
    import dagster as dg

    from pipelines.defs.partitions import WAVES
    from pipelines.defs.staging.assets import TRIGGER_TAG

    request = _schedule(instance, raw)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "weekly-202603300600"
    assert request.job_name in (None, "refresh")
    assert request.partition_key is None  # one run over the range, not a run per wave
    assert request.run_config["ops"]["ingest_returns"]["config"]["full_refresh"] is True  # typed config, not a tag
    assert request.tags[TRIGGER_TAG] == "schedule"
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2024", "2025")
    assert sorted(instance.get_dynamic_partitions(WAVES.name)) == ["2024", "2025"]  # works with the sensor off
    assert _range(instance, request) == ["2024", "2025"]


def test_the_schedule_covers_a_wave_added_after_the_others(instance, raw):
    """Dynamic partitions keep the order they were added in: 2023 added after 2024 and 2025 comes last."""
    from pipelines.defs.partitions import WAVES

    instance.add_dynamic_partitions(WAVES.name, ["2024", "2025"])  # as the sensor registered them
    shutil.copytree(RAW / "2023", raw / "2023")
    request = _schedule(instance, raw)
    assert sorted(_range(instance, request)) == ["2023", "2024", "2025"]


def test_the_schedule_skips_when_there_are_no_waves(instance, tmp_path):
    import dagster as dg

    (tmp_path / "raw").mkdir()
    result = _schedule(instance, tmp_path / "raw")
    assert isinstance(result, dg.SkipReason)
    assert "geen peiljaren" in result.skip_message


# --- the jobs the requests name ---------------------------------------------------------------------


def test_the_jobs_split_the_work_as_the_sensor_and_schedule_expect():
    from pipelines.definitions import defs
    from pipelines.defs.automation.jobs import ingest_wave, publish, refresh
    from pipelines.defs.partitions import WAVES

    d = defs()
    nodes = {
        name: sorted(n.name for n in d.resolve_job_def(name).graph.nodes)
        for name in ("ingest_wave", "publish", "refresh")
    }
    assert nodes["ingest_wave"] == ["ingest_returns"]  # one wave staged; no checks needing the reference
    assert "ingest_returns" not in nodes["publish"]
    assert {
        "raw_waves",
        "ref_regions",
        "staging_checks",
        "variation_engine",
        "mart_checks",
        "published_marts",
        "dashboards_site",
    } <= set(nodes["publish"])
    assert set(nodes["refresh"]) == set(nodes["publish"]) | {"ingest_returns"}
    assert d.resolve_job_def("ingest_wave").partitions_def == WAVES
    assert d.resolve_job_def("refresh").partitions_def == WAVES
    assert ingest_wave.name == "ingest_wave" and publish.name == "publish" and refresh.name == "refresh"


@pytest.mark.slow
def test_the_requested_runs_executed_in_order_load_and_publish(tmp_path, instance):
    """A sensor tick on a fresh warehouse and each run it asks for executed in-process, in the order asked
    (the instance runs one at a time); then an older wave arrives and the schedule's run reads every wave."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.resources import make_resources

    raw, ref = tmp_path / "raw", ROOT / "data" / "reference"
    shutil.copytree(RAW / "2025", raw / "2025")
    warehouse = tmp_path / "warehouse.duckdb"
    resources = make_resources(
        warehouse,
        raw_dir=raw,
        reference_dir=ref,
        marts_dir=tmp_path / "marts",
        dashboards_dir=tmp_path / "dashboards",
        validation_dir=tmp_path / "validation",
    )
    loaded = defs()
    project = dg.Definitions(
        assets=loaded.assets,
        asset_checks=loaded.asset_checks,
        jobs=loaded.jobs,
        resources=resources,
        executor=dg.in_process_executor,
    )

    def execute(request: dg.RunRequest, job_name: str):
        result = project.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            partition_key=request.partition_key,
            tags=request.tags,
            run_config=request.run_config,
            raise_on_error=False,
        )
        failures = [e.message for e in result.all_events if e.is_failure]
        assert result.success, f"{job_name} {request.partition_key}: {failures}"

    def query(sql):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def sent():
        return [(int(w.name), len(list(w.glob("*.xlsx")))) for w in sorted(raw.iterdir())]

    staged = "select wave, count(distinct region_code) from stg_module_loads group by wave order by wave"
    tick = Sensor(instance, raw).tick()
    assert [(r.job_name, r.partition_key) for r in tick.run_requests] == [("ingest_wave", "2025"), ("publish", None)]
    for request in tick.run_requests:
        execute(request, request.job_name)
    assert query(staged) == sent()
    assert (tmp_path / "marts" / "variation_register.parquet").is_file()
    assert (tmp_path / "dashboards" / "index.html").is_file()

    shutil.copytree(RAW / "2024", raw / "2024")  # an older wave, added after 2025
    request = _schedule(instance, raw)
    execute(request, "refresh")
    assert query(staged) == sent() and [w for w, _ in sent()] == [2024, 2025]
    history = query("select trigger, step, waves from run_history order by recorded_at")
    assert ("schedule", "laden", "2024, 2025") in history  # full refresh: every wave read again
    assert ("schedule", "publiceren", None) in history  # and published anew
    assert query("select distinct wave from marts.region_scorecard order by wave") == [(2024,), (2025,)]
    assert pd.read_parquet(tmp_path / "marts" / "region_scorecard.parquet")["wave"].unique().tolist() == [2024, 2025]

    # A daemon run killed between the two renames of a publication left the marts renamed aside and a
    # half-written site folder. The next run puts the marts back and clears the leftover before it asks
    # whether its outputs are current; they are, so it rebuilds nothing.
    published = len([h for h in history if h[1] == "publiceren"])
    (tmp_path / "marts").rename(tmp_path / ".marts.old-dead0001")
    (tmp_path / ".dashboards.new-dead0002").mkdir()
    execute(dg.RunRequest(), "publish")
    assert (tmp_path / "marts" / "variation_register.parquet").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    after = query("select trigger, step, waves from run_history order by recorded_at")
    assert len([h for h in after if h[1] == "publiceren"]) == published


def test_a_changed_judgement_or_norm_under_data_reference_asks_for_one_publish_run(tmp_path):
    import shutil

    import dagster as dg

    from pipelines.core import paths
    from pipelines.defs.automation.sensors import reference_files_sensor
    from pipelines.defs.resources import ProjectFolders

    ref = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE, ref)

    def tick(cursor):
        with dg.build_sensor_context(cursor=cursor, resources={"folders": ProjectFolders(reference_dir=str(ref))}) as c:
            return reference_files_sensor(c)

    first = tick(None)
    assert not first.run_requests and first.cursor
    quiet = tick(first.cursor)
    assert isinstance(quiet, dg.SkipReason)
    with (ref / "wegingen.csv").open("a", encoding="utf-8") as fh:
        fh.write("2025,VR01,equipment_parity,manschap/helm,verworpen,Geen reden.,,\n")
    changed = tick(first.cursor)
    assert [(r.job_name, r.tags["regiobench/changes"]) for r in changed.run_requests] == [("publish", "wegingen.csv")]
    assert isinstance(tick(changed.cursor), dg.SkipReason)
    assert reference_files_sensor.minimum_interval_seconds == 30
