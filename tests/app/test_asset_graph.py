"""A snapshot of the asset graph: asset keys with their deps, group and partitioning, check keys, jobs
with the assets and checks they select, schedules and sensors, as stable JSON.

A change to the graph fails this test with a diff; if the change is meant, write the new snapshot with
``REGIOBENCH_UPDATE_SNAPSHOTS=1 pytest tests/app/test_asset_graph.py`` and commit it with the change.
Code versions are left out (they change with every edit of the code they hash).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph_snapshot(defs) -> dict:
    graph = defs.resolve_asset_graph()
    keys = sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    assets = {
        k.to_user_string(): {
            "deps": sorted(p.to_user_string() for p in graph.get(k).parent_keys),
            "group": graph.get(k).group_name,
            "partitioned": graph.get(k).is_partitioned,
            "checks": sorted(c.name for c in graph.get(k).check_keys),
        }
        for k in keys
    }
    jobs = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):  # Dagster's implicit asset job
            continue
        layer = job.asset_layer
        jobs[job.name] = {
            "assets": sorted(k.to_user_string() for k in layer.executable_asset_keys),
            "checks": sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in _job_checks(job)),
            "partitioned": job.partitions_def is not None,
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in sorted(defs.schedules or [], key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "jobs": sorted(j.name for j in s.jobs),
            "interval": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        for s in sorted(defs.sensors or [], key=lambda s: s.name)
    }
    return {"assets": assets, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def _job_checks(job) -> set:
    """The asset checks a job's steps evaluate."""
    from dagster._core.definitions.dependency import NodeHandle

    out = set()
    for node in job.graph.nodes:
        for output in node.definition.output_defs:
            key = job.asset_layer.get_asset_check_key_for_node_output(NodeHandle(node.name, None), output.name)
            if key is not None:
                out.add(key)
    return out


def _text(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def compare(actual: str, path: Path = SNAPSHOT) -> str | None:
    """None when equal; else a unified diff (stored -> actual) with how to update."""
    stored = path.read_text(encoding="utf-8") if path.is_file() else ""
    if stored == actual:
        return None
    diff = "".join(
        difflib.unified_diff(
            stored.splitlines(True), actual.splitlines(True), f"{path.name} (opgeslagen)", f"{path.name} (nu)"
        )
    )
    return (
        f"the asset graph differs from {path}:\n{diff}\nIf the change is meant: "
        f"REGIOBENCH_UPDATE_SNAPSHOTS=1 pytest tests/app/test_asset_graph.py, and commit the snapshot."
    )


def test_the_asset_graph_matches_its_snapshot():
    from pipelines.definitions import defs

    actual = _text(graph_snapshot(defs()))
    if os.environ.get("REGIOBENCH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(actual, encoding="utf-8")
    problem = compare(actual)
    assert problem is None, problem


def test_a_changed_graph_fails_with_a_diff(tmp_path):
    """The comparison can fail: a dep removed from the stored snapshot shows up in the diff."""
    from pipelines.definitions import defs

    snapshot = graph_snapshot(defs())
    stored = json.loads(_text(snapshot))
    stored["assets"]["marts/variation_register"]["deps"].pop()
    path = tmp_path / "asset_graph.json"
    path.write_text(_text(stored), encoding="utf-8")
    problem = compare(_text(snapshot), path)
    assert problem is not None and "REGIOBENCH_UPDATE_SNAPSHOTS=1" in problem
    removed = snapshot["assets"]["marts/variation_register"]["deps"][-1]
    assert f'+        "{removed}"' in problem.splitlines(), problem
