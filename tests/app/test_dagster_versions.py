"""What Dagster is told: code versions on every asset, data versions and table metadata on materializations,
and no materialization recorded for a publication that did not happen (pipelines/defs/versions.py)."""

from __future__ import annotations

import duckdb
import pytest

from tests.factories import staged_warehouse

DATA_VERSION = "dagster/data_version"


@pytest.fixture(scope="module")
def defs():
    from pipelines.definitions import defs as load_defs

    return load_defs()


def test_every_asset_has_a_code_version_and_a_sql_model_its_own(defs):
    graph = defs.resolve_asset_graph()
    versions = {k.to_user_string(): graph.get(k).code_version for k in graph.get_all_asset_keys()}
    assert all(versions.values()), [k for k, v in versions.items() if not v]
    # two SQL models run by the same engine differ by their own SQL file; two Python-built tables do not
    assert versions["int_ex_count"] != versions["int_ex_strategic"]
    assert versions["int_risk_model"] == versions["int_wave_statistics"]


@pytest.fixture
def staged(tmp_path):
    return staged_warehouse(tmp_path, [2024])


@pytest.mark.slow
def test_a_step_found_current_keeps_its_data_version_and_publication_records_nothing(defs, staged):
    import dagster as dg

    warehouse, resources = staged
    graph = defs.resolve_asset_graph()
    partitioned = [k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned]
    selection = dg.AssetSelection.all() - dg.AssetSelection.assets(*partitioned)
    instance = dg.DagsterInstance.ephemeral()

    def run():
        result = dg.materialize(
            list(defs.assets) + list(defs.asset_checks), resources=resources, instance=instance, selection=selection
        )
        return {
            e.asset_key.to_user_string(): e
            for e in result.get_asset_materialization_events()
            for e in [e.event_specific_data.materialization]
        }, result

    first, _ = run()
    register = first["marts/variation_register"]
    assert register.metadata["rebuilt"].value is True
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n = con.execute("select count(*) from marts.variation_register").fetchone()[0]
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where "
                "table_schema = 'marts' and table_name = 'variation_register' "
                "order by ordinal_position"
            ).fetchall()
        ]
    assert register.metadata["dagster/row_count"].value == n > 0
    assert [c.name for c in register.metadata["dagster/column_schema"].value.columns] == columns
    assert "dagster/row_count" in first["ref_regions"].metadata and "dagster/row_count" in first["int_waves"].metadata
    assert "publication" in first

    second, result = run()
    again = second["marts/variation_register"]
    assert again.metadata["rebuilt"].value is False
    assert again.tags[DATA_VERSION] == register.tags[DATA_VERSION]  # nothing new: the same data version
    assert again.metadata["dagster/row_count"].value == n
    assert "publication" not in second  # nothing published: no materialization, an observation instead
    observed = [
        e.event_specific_data.asset_observation for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"
    ]
    assert [o.asset_key.to_user_string() for o in observed] == ["publication"]
    assert observed[0].metadata["published"].value is False
