"""The run report of ``regiobench run``: what each step did, as data rather than Dutch prose.

``regiobench run --json`` prints it on stdout (the Dutch lines then go to stderr); every CLI run stores it
as JSON text in ``run_history.report`` (on the run's ``laden`` row, or on a row with step ``run`` when the
run loaded nothing). The benchmark and the tests read this, never the printed lines. The schema is in
README.md ("Het runrapport").
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict

SCHEMA_VERSION = 1
MATERIALIZED, SKIPPED_CURRENT, FAILED, NOT_RUN, UNFINISHED = (
    "materialized",
    "skipped-current",
    "failed",
    "not-run",
    "unfinished",
)
#: The steps the no-change fast path stands in for (all reported as skipped-current).
FASTPATH_STEPS = ("ingest_returns", "variation_engine", "published_marts", "dashboards_site", "publication")


def _iso(ts: float | None = None) -> str:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC) if ts is not None else dt.datetime.now(dt.UTC)
    return moment.isoformat(timespec="milliseconds")


def new_report(trigger: str = "cli") -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "run_id": str(uuid.uuid4()),
        "trigger": trigger,
        "started_at": _iso(),
        "seconds": None,
        "outcome": None,
        "exit_code": None,
        "fast_path": False,
        "dagster_run_ids": [],
        "waves": [],
        "steps": [],
        "counts": {},
        "published": {"marts": False, "dashboards": False, "publication_id": None},
        "failure": None,
    }


def step(
    name: str,
    status: str,
    started: float | None = None,
    seconds: float | None = None,
    summary: list[str] | None = None,
    counts: dict | None = None,
) -> dict:
    return {
        "name": name,
        "status": status,
        "started_at": _iso(started) if started is not None else None,
        "seconds": None if seconds is None else round(seconds, 3),
        "summary": summary or [],
        "counts": counts or {},
        "cause": None,
        "error_class": None,
        "kind": None,
    }


def _plain(value):
    if isinstance(value, (bool, int, float)):
        return value
    return None


def steps_from_logs(entries) -> tuple[list[dict], dict]:
    """Every step of a Dagster run's event log, in start order; and each failed step's error (for --verbose).

    A step whose materializations all say ``rebuilt: False`` (its inputs had not changed) is ``skipped-current``.
    """
    from pipelines.app.failures import root_cause

    starts, ends, errors = {}, {}, {}
    summaries, counts, rebuilt = defaultdict(list), defaultdict(dict), defaultdict(list)
    causes: dict = {}
    for entry in entries:
        ev = entry.dagster_event
        if ev is None:
            continue
        key = ev.step_key
        kind = ev.event_type_value
        if kind == "STEP_START":
            starts[key] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            ends[key] = (kind, entry.timestamp)
            if kind == "STEP_FAILURE":
                err = ev.event_specific_data.error
                causes[key] = root_cause(err) if err else None
                if err:
                    errors[key] = err
        elif kind in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):  # observed: the step found nothing to do
            data = ev.event_specific_data
            mat = data.materialization if kind == "ASSET_MATERIALIZATION" else data.asset_observation
            md = mat.metadata
            if "summary" in md and str(md["summary"].value) not in summaries[key]:  # once, not per partition
                summaries[key].append(str(md["summary"].value))
            if "rebuilt" in md:
                rebuilt[key].append(bool(md["rebuilt"].value))
            for name, value in md.items():
                if name == "rows" and _plain(value.value) is not None:
                    counts[key].setdefault("rows", {})[mat.asset_key.to_user_string()] = value.value
                elif name == "publication_id":
                    counts[key][name] = str(value.value)
                elif _plain(value.value) is not None:
                    counts[key][name] = value.value
        elif kind == "ASSET_CHECK_EVALUATION":
            ce = ev.event_specific_data
            if not ce.passed:
                summaries[key].append(f"controle {ce.check_name} op {ce.asset_key.to_user_string()} NIET geslaagd")
                counts[key].setdefault("checks_failed", []).append(ce.check_name)
    out = []
    for key in sorted(set(starts) | set(ends), key=lambda k: starts.get(k, ends.get(k, (None, 0))[1])):
        if key not in ends:
            out.append(step(key, UNFINISHED, starts[key], None, summaries.get(key), counts.get(key)))
            continue
        kind, end = ends[key]
        status = {"STEP_SUCCESS": MATERIALIZED, "STEP_FAILURE": FAILED, "STEP_SKIPPED": NOT_RUN}[kind]
        if status == MATERIALIZED and rebuilt.get(key) and not any(rebuilt[key]):
            status = SKIPPED_CURRENT
        s = step(key, status, starts.get(key), end - starts.get(key, end), summaries.get(key), counts.get(key))
        if status == FAILED:
            cause = causes.get(key)
            s.update(
                cause=cause.line if cause else "onbekende fout",
                error_class=cause.error_class if cause else None,
                kind=cause.kind if cause else None,
            )
        out.append(s)
    return out, errors


def as_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, default=str)


def store(con, report: dict) -> None:
    """Put the report on this run's ``laden`` row of ``run_history``, or on a new ``run`` row if it has none."""
    from pipelines.ingest.warehouse import RUN_HISTORY_DDL, record_history

    con.execute(RUN_HISTORY_DDL)
    con.execute("alter table run_history add column if not exists report varchar")
    ids = [report["run_id"], *report["dagster_run_ids"]]
    text = as_json(report)
    n = con.execute(
        "select count(*) from run_history where list_contains(?, run_id) and step = 'laden'", [ids]
    ).fetchone()[0]
    if n:
        con.execute("update run_history set report = ? where list_contains(?, run_id) and step = 'laden'", [text, ids])
        return
    counts = report["counts"]
    record_history(
        con,
        report["run_id"],
        report["trigger"],
        "run",
        f"run {report['outcome']}",
        waves=report["waves"],
        units_loaded=counts.get("units_loaded"),
        units_unchanged=counts.get("units_unchanged"),
        files_rejected=counts.get("files_rejected"),
        report=text,
    )
