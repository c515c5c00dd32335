"""GX's results kept per run (pipelines.ingest.validation_runs): nothing overwritten, a retention that keeps
every run a status refers to, and no half-written run taken for a result."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from pipelines.ingest import validation_runs as vr
from tests.support import gx


def _run(root, run_id, modules=("meta",)):
    with vr.new_run(root, run_id, {"waves": [2024]}) as (name, folder):
        for m in modules:
            (folder / f"{m}.json").write_text("{}", encoding="utf-8")
    return name


def _named(root, stamp: str, run_id: str) -> str:
    """A complete run folder with a given time (runs made within one second would otherwise tie)."""
    name = f"{stamp}_{run_id}"
    (root / vr.RUNS / name).mkdir(parents=True)
    (root / vr.RUNS / name / vr.MANIFEST).write_text("{}", encoding="utf-8")
    return name


def test_two_runs_over_the_same_waves_leave_two_folders(tmp_path):
    first = _run(tmp_path, "abc")
    second = _run(tmp_path, "abc")
    assert first != second and vr.list_runs(tmp_path) == sorted([first, second])
    for name in (first, second):
        manifest = json.loads((tmp_path / vr.manifest_path(name)).read_text(encoding="utf-8"))
        assert (manifest["run"], manifest["run_id"], manifest["waves"]) == (name, "abc", [2024])
        assert (tmp_path / vr.result_path(name, "meta")).is_file()


def test_the_name_has_the_utc_time_and_the_run_id():
    import datetime as dt

    at = dt.datetime(2026, 12, 6, 6, 5, 4, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert vr.run_name("0b5c-9f/x", at) == "20261206T050504Z_0b5c-9f-x"
    assert vr.run_name(None, at).startswith("20261206T050504Z_")


def test_a_run_killed_half_way_is_no_result(tmp_path):
    with pytest.raises(RuntimeError), vr.new_run(tmp_path, "dood", {}) as (_, folder):
        (folder / "meta.json").write_text("{", encoding="utf-8")
        raise RuntimeError("gestopt")
    assert vr.list_runs(tmp_path) == []
    # What kill -9 leaves (no exception handler ran): a .tmp- folder, never listed, removed once stale.
    left = tmp_path / vr.RUNS / f"{vr.TMP_PREFIX}20261206T000000Z_dood"
    left.mkdir()
    (left / "meta.json").write_text("{", encoding="utf-8")
    assert vr.list_runs(tmp_path) == []
    assert vr.prune(tmp_path) == []  # it may still be being written
    old = left.stat().st_mtime - vr.STALE_TMP_SECONDS - 60
    os.utime(left, (old, old))
    assert vr.prune(tmp_path) == [left.name] and not left.exists()


def test_retention_keeps_the_newest_and_every_referenced_run(tmp_path):
    names = [_named(tmp_path, f"2026120{d}T000000Z", f"run{d}") for d in range(1, 8)]
    (tmp_path / vr.RUNS / "notities").mkdir()  # not a run: never touched
    removed = vr.prune(tmp_path, keep=3, protect=[names[0], None])
    assert sorted(removed) == names[1:4]
    assert vr.list_runs(tmp_path) == [names[0], *names[4:]]
    assert (tmp_path / vr.RUNS / "notities").is_dir()


def test_the_runs_statuses_refer_to_are_found_in_the_warehouse_and_the_publication(tmp_path):
    con = duckdb.connect()
    con.execute("create table stg_submission_status (wave integer, validation_run varchar)")
    con.execute("insert into stg_submission_status values (2024, 'nu'), (2023, null)")
    con.execute("create schema marts")
    con.execute("create table marts.submission_status (wave integer, validation_run varchar)")
    con.execute("insert into marts.submission_status values (2024, 'gebouwd')")
    marts = tmp_path / "marts"
    marts.mkdir()
    con.execute(
        f"copy (select 2024 as wave, 'gepubliceerd' as validation_run) to '{marts / 'submission_status.parquet'}'"
    )
    assert vr.referenced_runs(con, marts) == {"nu", "gebouwd", "gepubliceerd"}
    # a publication from before the column: nothing to add, nothing fails
    con.execute(f"copy (select 2024 as wave) to '{marts / 'submission_status.parquet'}'")
    assert vr.referenced_runs(con, marts) == {"nu", "gebouwd"}


@gx
def test_loading_the_same_waves_twice_keeps_both_runs_and_the_statuses_name_the_newest(tmp_path):
    """Through the loader: statuses carry their run and result file; pruning keeps the run they name."""
    from pipelines import sample
    from pipelines.ingest.loader import ingest_waves
    from pipelines.ingest.validation import GXValidator
    from pipelines.ingest.warehouse import ensure_schema

    regions = sample.make_regions(2, 3)
    sample.generate(tmp_path / "raw", [2024], seed=3, regions=regions, form="xlsx")
    codes = [r.code for r in regions]
    validator = GXValidator(results_dir=tmp_path / "val")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schema(con)
        seen = []
        for _ in range(2):
            ingest_waves(con, tmp_path / "raw", [2024], codes, validator=validator)
            rows = con.execute(
                "select status, validation_run, validation_path, module from stg_submission_status"
            ).fetchall()
            loaded = [r for r in rows if r[0] == "geladen"]
            assert loaded and {r[1] for r in loaded} == {validator.last_run}
            for _, run, path, module in loaded:
                assert path == vr.result_path(run, module) and (tmp_path / "val" / path).is_file()
            assert all(r[1] is None and r[2] is None for r in rows if r[0] == "ontbreekt")
            seen.append(validator.last_run)
        first, second = seen
        assert first != second and vr.list_runs(tmp_path / "val") == [first, second]
        # Keep none by age: only the run the statuses refer to stays.
        assert vr.prune(tmp_path / "val", keep=0, protect=vr.referenced_runs(con)) == [first]
    assert vr.list_runs(tmp_path / "val") == [second]


class _Log:
    def __init__(self):
        self.lines: list[tuple[str, str]] = []

    def info(self, msg):
        self.lines.append(("info", msg))

    def warning(self, msg):
        self.lines.append(("warning", msg))


def test_the_ingest_never_prunes_the_run_a_published_status_came_from(tmp_path):
    from types import SimpleNamespace

    from pipelines.defs.staging.assets import _prune_validation_runs

    val, marts = tmp_path / "val", tmp_path / "marts"
    names = [_named(val, f"202612{d:02d}T000000Z", f"run{d}") for d in range(1, vr.KEEP_RUNS + 3)]
    published, unused, current = names[0], names[1], names[-1]
    marts.mkdir()
    folders = SimpleNamespace(validation=val, marts=marts)
    context = SimpleNamespace(log=_Log())
    with duckdb.connect() as con:
        con.execute("create table stg_submission_status as select ? as validation_run", [current])
        # the published marts cannot be read: nothing is removed, the load goes on with a warning
        (marts / "submission_status.parquet").write_bytes(b"PAR1 kapot")
        _prune_validation_runs(context, folders, con)
        assert vr.list_runs(val) == names
        assert [kind for kind, _ in context.log.lines] == ["warning"]
        # the publication, older than the warehouse's statuses, still refers to the oldest run
        con.execute(f"copy (select '{published}' as validation_run) to '{marts / 'submission_status.parquet'}'")
        _prune_validation_runs(context, folders, con)
    assert vr.list_runs(val) == [published, *names[2:]]
    assert unused not in vr.list_runs(val) and len(vr.list_runs(val)) == vr.KEEP_RUNS + 1
