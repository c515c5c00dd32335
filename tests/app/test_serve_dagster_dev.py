"""`make serve` as the README tells a reviewer to use it, end to end.

`make serve` starts the real `dagster dev` (UI, daemon) on a free loopback port with
its instance in a temporary SERVE_HOME (the target copies config/dagster.yaml there:
one run at a time). REGIOBENCH_DATA and REGIOBENCH_DASHBOARDS point the project's
folders at a temporary copy holding only wave 2025, so the test never writes into
the project's own data/ and dashboards/. The test asks GraphQL for the assets, the
schedule and the sensor; watches the sensor load 2025 and publish; drops a 2026
workbook made by `regiobench sample` (the README's command) into raw/2026; watches
the sensor register the partition, load it and publish again; checks that the
dashboards now offer 2026; and stops `dagster dev` by the pid in serve.pid, as the
README says. All traffic is to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from tests.support import ROOT, run_cli

DAGSTER = Path(sys.executable).parent / "dagster"
STARTUP_TIMEOUT = 180


pytestmark = pytest.mark.serve  # starts `dagster dev`: left out of make test-fast


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
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
RUNS = """{ runsOrError { __typename ... on Runs { results { runId jobName status tags { key value } } } } }"""
RUN_TIMEOUT = 420


def partition(run: dict) -> str | None:
    return next((t["value"] for t in run["tags"] if t["key"] == "dagster/partition"), None)


def wait_for_runs(port: int, expected: list[tuple[str, str | None]], log: Path) -> list[dict]:
    """Until every (job, partition) expected has a finished run; a failed run fails the test at once."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        runs = graphql(port, RUNS)["runsOrError"]["results"]
        failed = [r for r in runs if r["status"] in ("FAILURE", "CANCELED")]
        assert not failed, f"{failed}\n{log.read_text()[-4000:]}"
        done = sorted((r["jobName"], partition(r)) for r in runs if r["status"] == "SUCCESS")
        if done == sorted(expected, key=lambda x: (x[0], x[1] or "")):
            return runs
        assert time.monotonic() < deadline, f"runs after {RUN_TIMEOUT} s: {runs}\n{log.read_text()[-4000:]}"
        time.sleep(3)


def site_text(dashboards: Path) -> str:
    return (dashboards / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_make_serve_loads_a_dropped_workbook_and_republishes(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "dagster.yaml").read_text())
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1  # one run at a time, in order
    data, dashboards, home = tmp_path / "data", tmp_path / "dashboards", tmp_path / "dagster_home"
    shutil.copytree(ROOT / "data" / "raw" / "2025", data / "raw" / "2025")
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    port = free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, REGIOBENCH_DATA=str(data), REGIOBENCH_DASHBOARDS=str(dashboards))
    env.pop("MAKEFLAGS", None)
    with log.open("w") as fh:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"SERVE_HOME={home}", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    family: set[int] = {proc.pid}
    left: set[int] = set()
    served = None
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert proc.poll() is None, f"make serve stopped ({proc.returncode}):\n{log.read_text()[-3000:]}"
            try:
                assert graphql(port, "{ version }")["version"]
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, f"no answer in {STARTUP_TIMEOUT} s:\n{log.read_text()[-3000:]}"
                time.sleep(1)
        served = int((home / "serve.pid").read_text())
        family |= {served} | descendants(proc.pid)

        keys = {"/".join(node["assetKey"]["path"]) for node in graphql(port, ASSETS)["assetNodes"]}
        assert {
            "raw_file_inventory",
            "stg_exercises",
            "marts/variation_register",
            "published_marts",
            "dashboards_site",
            "ref_regions",
        } <= keys, sorted(keys)
        repositories = graphql(port, REPOSITORIES)["repositoriesOrError"]
        assert repositories["__typename"] == "RepositoryConnection", repositories
        [repository] = repositories["nodes"]
        assert [
            (s["name"], s["cronSchedule"], s["executionTimezone"], s["pipelineName"], s["scheduleState"]["status"])
            for s in repository["schedules"]
        ] == [("weekly_full_refresh", "0 6 * * 1", "Europe/Amsterdam", "refresh", "RUNNING")]
        sensors = {x["name"]: x for x in repository["sensors"]}
        assert sorted(sensors) == ["raw_files_sensor", "reference_files_sensor"]
        sensor = sensors["raw_files_sensor"]
        assert (sensor["minIntervalSeconds"], sensor["sensorState"]["status"]) == (30, "RUNNING")
        assert sorted(t["pipelineName"] for t in sensor["targets"]) == ["ingest_wave", "publish"]
        reference = sensors["reference_files_sensor"]  # its first tick only records data/reference: no run
        assert (reference["minIntervalSeconds"], reference["sensorState"]["status"]) == (30, "RUNNING")
        assert [t["pipelineName"] for t in reference["targets"]] == ["publish"]

        # The daemon ticks the sensor at once: 2025 is loaded, then published (one run at a time).
        wait_for_runs(port, [("ingest_wave", "2025"), ("publish", None)], log)
        family |= descendants(proc.pid)
        before = site_text(dashboards)
        assert '<option value="2025"' in before and '<option value="2026"' not in before
        assert (data / "marts" / "region_scorecard.parquet").is_file()

        # A reviewer drops a new workbook in data/raw/2026 (the README's commands).
        made = run_cli("sample", "--out", str(tmp_path / "nieuw"), "--waves", "2024-2026")
        assert made.returncode == 0, made.stderr
        (data / "raw" / "2026").mkdir()
        [workbook] = (tmp_path / "nieuw" / "2026").glob("VR13_*.xlsx")
        shutil.copy(workbook, data / "raw" / "2026" / workbook.name)

        wait_for_runs(
            port, [("ingest_wave", "2025"), ("publish", None), ("ingest_wave", "2026"), ("publish", None)], log
        )
        family |= descendants(proc.pid)
        after = site_text(dashboards)
        assert '<option value="2026"' in after  # the new wave is selectable on the overview
        scorecard = pd.read_parquet(data / "marts" / "region_scorecard.parquet")
        assert sorted(scorecard["wave"].unique().tolist()) == [2025, 2026]
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            loaded = con.execute("select distinct region_code from stg_module_loads where wave = 2026").fetchall()
            assert loaded == [("VR13",)]
            history = con.execute("select trigger, step, waves from run_history order by recorded_at").fetchall()
        assert ("sensor", "laden", "2026") in history, history
        assert [h[1] for h in history if h[0] == "sensor"].count("publiceren") == 2, history
    finally:
        # Stopped as the README says: SIGTERM to the pid in serve.pid; dagster dev stops its children.
        family |= descendants(proc.pid)
        target = served if served is not None else proc.pid
        if alive(target):
            os.kill(target, signal.SIGTERM)
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
