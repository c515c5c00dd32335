"""The run report (pipelines.app.report): where it is kept in run_history, and how the benchmark reads it."""

from __future__ import annotations

import importlib.util
import json
import sys

import duckdb

from pipelines.app import report as rr
from pipelines.ingest.warehouse import record_history
from tests.support import ROOT

_spec = importlib.util.spec_from_file_location("run_bench", ROOT / "bench" / "run_bench.py")
run_bench = importlib.util.module_from_spec(_spec)
sys.modules["run_bench"] = run_bench  # its dataclasses look their module up there
_spec.loader.exec_module(run_bench)


def _report(**changes) -> dict:
    out = rr.new_report()
    out.update(outcome="ok", exit_code=0, seconds=1.5, waves=[2024])
    out.update(changes)
    return out


def test_the_report_goes_on_the_runs_own_load_row(tmp_path):
    report = _report(dagster_run_ids=["dagster-1"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        record_history(con, "earlier", "cli", "laden", "eerder", waves=[2024], units_loaded=3)
        record_history(con, "dagster-1", "cli", "laden", "nu", waves=[2024], units_loaded=0)
        rr.store(con, report)
        rows = con.execute("select run_id, step, report from run_history order by run_id").fetchall()
    assert [(r[0], r[1], r[2] is None) for r in rows] == [("dagster-1", "laden", False), ("earlier", "laden", True)]
    assert json.loads(rows[0][2]) == report


def test_a_run_without_a_load_row_gets_a_run_row(tmp_path):
    report = _report(
        outcome="failed",
        exit_code=1,
        counts={"files_rejected": 2},
        failure={"cause": "schijf vol", "error_class": "OSError", "kind": "disk"},
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        rr.store(con, report)
        rows = con.execute("select run_id, step, files_rejected, report from run_history").fetchall()
    assert [r[:3] for r in rows] == [(report["run_id"], "run", 2)]
    assert json.loads(rows[0][3])["failure"]["error_class"] == "OSError"


def test_an_old_run_history_gets_the_report_column_and_keeps_its_columns(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(
            "create table run_history (run_id varchar, recorded_at timestamp, trigger varchar, step varchar, "
            "waves varchar, units_loaded integer, units_unchanged integer, files_rejected integer, "
            "summary varchar)"
        )
        con.execute("insert into run_history values ('oud', now()::timestamp, 'cli', 'laden', '2024', 1, 0, 0, 'x')")
        rr.store(con, _report())
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'run_history' order by ordinal_position"
            ).fetchall()
        ]
        n = con.execute("select count(*) from run_history").fetchone()[0]
    assert columns[-1] == "report" and columns[:-1][:9] == [
        "run_id",
        "recorded_at",
        "trigger",
        "step",
        "waves",
        "units_loaded",
        "units_unchanged",
        "files_rejected",
        "summary",
    ]
    assert n == 2


def test_the_benchmark_reads_the_report_among_the_dutch_lines():
    report = _report(
        steps=[
            rr.step(
                "ingest_returns",
                rr.MATERIALIZED,
                0.0,
                12.5,
                ["2024: 25 regio's"],
                {
                    "units_loaded": 7,
                    "units_rejected": 1,
                    "seconds_lezen": 4.0,
                    "seconds_toetsen": 6.0,
                    "seconds_laden": 2.0,
                },
            ),
            rr.step("variation_engine", rr.MATERIALIZED, 12.5, 3.0),
            rr.step("mart_checks", rr.MATERIALIZED, 15.5, 0.5),
        ]
    )
    text = "\n".join(
        ["regiobench: 40 assets", "  ingest_returns   klaar   99.9 s", rr.as_json(report), "Klaar in 99.9 s."]
    )
    parsed = run_bench.parse_output(text)
    assert parsed["cli_total"] == 1.5 and parsed["units_loaded"] == 7 and parsed["files_rejected"] == 1
    assert parsed["stages"]["ingest"] == 12.5 and parsed["stages"]["marts"] == 3.0
    assert parsed["stages"]["other"] == 0.5
    assert (parsed["stages"]["read"], parsed["stages"]["validate"], parsed["stages"]["load"]) == (4.0, 6.0, 2.0)


def test_a_run_stopped_before_its_report_has_no_steps():
    parsed = run_bench.parse_output("  ingest_returns   klaar   12.3 s\n")
    assert parsed["steps"] == {} and parsed["cli_total"] is None


def _counts_of(con) -> dict:
    from types import SimpleNamespace

    from pipelines.app.summary import _count

    args = SimpleNamespace(_report=_report())
    tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    _count(args, con, tables)
    return args._report["counts"]


def test_the_counts_include_the_plausibility_warnings():
    with duckdb.connect() as con:
        con.execute(
            "create table stg_submission_status (source_file varchar, status varchar, region_code varchar, wave int)"
        )
        con.execute("create table stg_problems (severity varchar)")
        con.execute("insert into stg_problems values ('fout'), ('fout'), ('waarschuwing')")
        assert _counts_of(con)["problems"] == {"fout": 2, "waarschuwing": 1}
        assert _counts_of(con)["plausibility_warnings"] == 0
        # What submission_problems publishes: the reader's and GX's problems and the plausibility warnings.
        con.execute("create table int_plausibility (wave int, region_code varchar, module varchar)")
        con.execute("insert into int_plausibility values (2025, 'VR11', 'oefeningen'), (2025, 'VR11', 'planvorming')")
        counts = _counts_of(con)
    assert counts["problems"] == {"fout": 2, "waarschuwing": 3}
    assert counts["plausibility_warnings"] == 2
