"""The learning plants of the shipped sample (pipelines/sample/learning_plants.py) come out of the learning
marts as planted: tests/ground_truth/learning.csv, one expected value per mart, deviation and column."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.contract import learning as L
from pipelines.contract.reference import load_regions
from pipelines.core import paths
from pipelines.engine import build as engine
from pipelines.ingest.discovery import list_waves
from pipelines.ingest.loader import ingest_wave
from tests.engine import engine_data as T

LEARNING_TRUTH = paths.PROJECT_ROOT / "tests" / "ground_truth" / "learning.csv"


@pytest.fixture(scope="module")
def marts():
    con = T.new_warehouse()
    regions = [r.code for r in load_regions(paths.REFERENCE)]
    for wave in list_waves(paths.RAW):
        ingest_wave(con, paths.RAW, wave, regions, validator=None)
    engine.build_marts(con)
    yield con
    con.close()


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(LEARNING_TRUTH, dtype=str, keep_default_na=False)


def test_the_ground_truth_plants_all_three(truth):
    followup = truth[(truth["mart"] == "deviation_followup") & (truth["column"] == "followup_status")]
    assert set(followup["expected"]) == {L.RESOLVED, L.PERSISTS}
    roles = truth[(truth["mart"] == "lesson_roles") & (truth["column"] == "role")]
    assert set(roles["expected"]) == {L.SHARES} and len(roles) == 3
    assert (truth["mart"] == "learning_matches").sum() == 1


def _value(con, row) -> str:
    if row["mart"] == "lesson_roles":
        sql = f"select {row['column']} from marts.lesson_roles where wave = ? and region_code = ?"
        params = [int(row["wave"]), row["region_code"]]
    else:
        extra = " and match_rank = 1" if row["mart"] == "learning_matches" else ""
        sql = (
            f"select {row['column']} from marts.{row['mart']} "
            f"where wave = ? and region_code = ? and indicator_id = ?{extra}"
        )
        params = [int(row["wave"]), row["region_code"], row["indicator_id"]]
    got = con.execute(sql, params).fetchall()
    assert len(got) == 1, (row.to_dict(), got)
    return str(got[0][0])


def test_the_learning_marts_say_what_was_planted(marts, truth):
    wrong = [
        (r["wave"], r["region_code"], r["indicator_id"], r["mart"], r["column"], r["expected"], got)
        for _, r in truth.iterrows()
        if (got := _value(marts, r)) != r["expected"]
    ]
    assert not wrong, wrong


def test_the_region_that_resolved_took_its_lesson_from_its_first_match(marts, truth):
    match = truth[truth["mart"] == "learning_matches"].iloc[0]
    wave, region, source = int(match["wave"]), match["region_code"], match["expected"]
    taken = marts.execute(
        "select from_region from marts.lesson_flows where wave = ? and to_region = ?", [wave + 1, region]
    ).fetchall()
    assert (source,) in taken
    why = marts.execute(
        "select why, peer_rank from marts.learning_matches where wave = ? and region_code = ? and match_code = ?",
        [wave, region, source],
    ).fetchone()
    assert why[1] is not None and "gelijkende" in why[0]


def test_the_sharing_region_is_taken_from_by_nobody_it_took_from(marts, truth):
    region = truth.loc[truth["mart"] == "lesson_roles", "region_code"].iloc[0]
    rows = marts.execute(
        "select n_lessons, n_shared_virtual_office, taken_from from marts.lesson_roles "
        "where region_code = ? and wave >= ?",
        [region, int(truth["wave"].astype(int).max()) - 2],
    ).fetchall()
    assert rows and all(n == shared and n > 0 and src is None for n, shared, src in rows)
