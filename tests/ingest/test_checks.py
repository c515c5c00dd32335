"""Blocking checks: a staging layer that breaks a rule stops the marts, in process, on a temporary warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.factories import staged_resources, staged_warehouse

WAVES = [2023, 2024]


@pytest.fixture(scope="module")
def defs():
    from pipelines.definitions import defs as load_defs

    return load_defs()


@pytest.fixture(scope="module")
def staged_once(tmp_path_factory) -> Path:
    """A warehouse with two waves of four regions staged (no validation: these tests corrupt it themselves)."""
    root = tmp_path_factory.mktemp("staged")
    staged_warehouse(root, WAVES)
    return root


@pytest.fixture
def staged(tmp_path, staged_once):
    """A copy of the staged warehouse and its folders: each test corrupts and builds its own."""
    shutil.copytree(staged_once, tmp_path / "staged")
    return staged_resources(tmp_path / "staged")


def downstream(defs, resources):
    """Reference, staging checks, engine and everything after it; the staging assets themselves are not rerun."""
    import dagster as dg

    graph = defs.resolve_asset_graph()
    partitioned = [k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned]
    selection = (
        dg.AssetSelection.all() - dg.AssetSelection.assets(*partitioned)
    ) | dg.AssetSelection.checks_for_assets(*partitioned)
    return dg.materialize(
        list(defs.assets) + list(defs.asset_checks),
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        selection=selection,
        raise_on_error=False,
    )


def steps(result) -> dict[str, str]:
    return {
        e.step_key: e.event_type_value
        for e in result.all_events
        if e.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE")
    }


def marts_present(warehouse) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }


@pytest.mark.slow  # the whole graph after staging materialized: engine, marts, site
def test_clean_staging_builds_the_marts(defs, staged):
    warehouse, resources = staged
    result = downstream(defs, resources)
    assert result.success
    assert steps(result)["variation_engine"] == "STEP_SUCCESS"
    assert "variation_register" in marts_present(warehouse)


@pytest.mark.parametrize(
    "corruption,check",
    [
        ("insert into stg_exercises select * from stg_exercises limit 1", "exercise_id_uniek"),
        # the other rules: each a Dagster materialisation of the graph, left to `make test`
        pytest.param(
            "update stg_lessons set taken_from_region = region_code, source = 'andere_regio' "
            "where rowid = (select min(rowid) from stg_lessons)",
            "overgenomen_van_andere_regio",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "delete from stg_equipment where rowid = (select min(rowid) from stg_equipment)",
            "volledig",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "update stg_ring_model set region_code = 'XX99' where rowid = (select min(rowid) from stg_ring_model)",
            "regio_bekend",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_failing_blocking_check_stops_the_marts(defs, staged, corruption, check):
    warehouse, resources = staged
    with duckdb.connect(str(warehouse)) as con:
        con.execute(corruption)
    result = downstream(defs, resources)
    assert not result.success
    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [ev for ev in evaluations if not ev.passed]
    assert check in [ev.check_name for ev in failed]  # moving a row may break a second rule too (completeness)
    assert all(ev.metadata["violations"].value >= 1 for ev in failed)
    assert len(failed) < len(evaluations)  # the other checks ran and passed
    assert "variation_engine" not in steps(result)  # never started
    assert marts_present(warehouse) == set()
