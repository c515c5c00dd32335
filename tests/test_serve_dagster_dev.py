"""`make serve`: the real `dagster dev` on a free loopback port, asked over GraphQL, then stopped by its pid.

The instance lives in a temporary DAGSTER_HOME with a copy of config/dagster.yaml
in which one setting differs: ``max_concurrent_runs: 0`` (Dagster: "0 to stop any
runs from launching"). The daemon does tick the sensor, as under ``make serve``,
but the runs it asks for stay queued, so the test never writes into the
project's own data/ and dashboards/ folders. All traffic is to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from support import ROOT
from pipelines.lib.discovery import list_waves

DAGSTER = Path(sys.executable).parent / "dagster"
STARTUP_TIMEOUT = 180


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        answer = json.loads(response.read())
    assert not answer.get("errors"), answer["errors"]
    return answer["data"]


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def describe(pids) -> str:
    out = []
    for pid in sorted(pids):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out.append(f"{pid}: {command[:200]}")
        except OSError:
            out.append(f"{pid}: ?")
    return "\n".join(out)


ASSETS = "{ assetNodes { assetKey { path } } }"
REPOSITORIES = """{ repositoriesOrError { __typename ... on RepositoryConnection { nodes {
    name location { name }
    schedules { name cronSchedule executionTimezone pipelineName scheduleState { status } }
    sensors { name minIntervalSeconds sensorState { status } targets { pipelineName } } } } } }"""
RUNS = """{ runsOrError { __typename ... on Runs { results { jobName status tags { key value } } } } }"""


@pytest.mark.slow
def test_dagster_dev_serves_the_assets_schedule_and_sensor(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    config = yaml.safe_load((ROOT / "config" / "dagster.yaml").read_text())
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1  # make serve: one run at a time
    config["concurrency"]["runs"]["max_concurrent_runs"] = 0  # here: none at all (see the module's docstring)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = tmp_path / "dagster-dev.log"
    with log.open("w") as fh:
        proc = subprocess.Popen([str(DAGSTER), "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
                                cwd=ROOT, env=dict(os.environ, DAGSTER_HOME=str(home)), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    family: set[int] = {proc.pid}
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert proc.poll() is None, f"dagster dev stopped ({proc.returncode}):\n{log.read_text()[-3000:]}"
            try:
                assert graphql(port, "{ version }")["version"]
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, f"no answer in {STARTUP_TIMEOUT} s:\n{log.read_text()[-3000:]}"
                time.sleep(1)
        family |= descendants(proc.pid)

        keys = {"/".join(node["assetKey"]["path"]) for node in graphql(port, ASSETS)["assetNodes"]}
        assert {"raw_file_inventory", "stg_exercises", "marts/variation_register", "published_marts",
                "dashboards_site", "ref_regions"} <= keys, sorted(keys)

        repositories = graphql(port, REPOSITORIES)["repositoriesOrError"]
        assert repositories["__typename"] == "RepositoryConnection", repositories
        [repository] = repositories["nodes"]
        assert [(s["name"], s["cronSchedule"], s["executionTimezone"], s["pipelineName"], s["scheduleState"]["status"])
                for s in repository["schedules"]] == \
            [("weekly_full_refresh", "0 6 * * 1", "Europe/Amsterdam", "refresh", "RUNNING")]
        [sensor] = repository["sensors"]
        assert (sensor["name"], sensor["minIntervalSeconds"], sensor["sensorState"]["status"]) == \
            ("raw_files_sensor", 30, "RUNNING")
        assert sorted(t["pipelineName"] for t in sensor["targets"]) == ["ingest_wave", "publish"]

        # The daemon ticks the sensor at once: one ingest run per wave in data/raw and one publish run,
        # all waiting in the queue (none launched: max_concurrent_runs 0).
        waves = sorted(str(w) for w in list_waves(ROOT / "data" / "raw"))
        deadline = time.monotonic() + 120
        while True:
            runs = graphql(port, RUNS)["runsOrError"]["results"]
            if len(runs) >= len(waves) + 1 or time.monotonic() > deadline:
                break
            time.sleep(2)
        family |= descendants(proc.pid)
        partitions = sorted(next(t["value"] for t in r["tags"] if t["key"] == "dagster/partition")
                            for r in runs if r["jobName"] == "ingest_wave")
        assert partitions == waves, log.read_text()[-3000:]
        assert sorted(r["jobName"] for r in runs if r["jobName"] != "ingest_wave") == ["publish"]
        # Queued, or just created and on its way to the queue; none launched.
        assert {r["status"] for r in runs} <= {"QUEUED", "NOT_STARTED"}, runs
    finally:
        # Stopped as the Makefile says: SIGTERM to its own pid; dagster dev stops its children.
        family |= descendants(proc.pid)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = {pid for pid in family if alive(pid)}
        if left:  # fallback, then fail: only the processes this test started, by their ids
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait(30)
    assert proc.returncode is not None
    assert not left, f"still running after SIGTERM:\n{describe(left)}"
    assert len(family) >= 3, describe(family)  # dagster dev, the webserver and the daemon (and a code server)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
