"""The overview's trend: national counts per wave and the sentence on what drives the largest fall and rise."""

from __future__ import annotations

import pandas as pd

from pipelines.contract import verdicts as V
from pipelines.site.trend_story import change_story, markers, national_counts

U, C, S, M = V.UNJUSTIFIED, V.CONFORM, V.SUBSTANTIATED, V.MISSING
NAMES = {"R1": "Eerste", "R2": "Tweede", "R3": "Derde"}


def register(rows):
    return pd.DataFrame(rows, columns=["wave", "region_code", "indicator_id", "verdict"])


# three regions x two indicators over three waves: 4 unjustified, then 1 (R2 sent nothing), then 3
ROWS = [
    (2021, "R1", "ex_count", U), (2021, "R1", "ring_conformity", U), (2021, "R2", "ex_count", U),
    (2021, "R2", "ring_conformity", U), (2021, "R3", "ex_count", C), (2021, "R3", "ring_conformity", C),
    (2022, "R1", "ex_count", C), (2022, "R1", "ring_conformity", S), (2022, "R2", "ex_count", M),
    (2022, "R2", "ring_conformity", M), (2022, "R3", "ex_count", U), (2022, "R3", "ring_conformity", C),
    (2023, "R1", "ex_count", U), (2023, "R1", "ring_conformity", U), (2023, "R2", "ex_count", C),
    (2023, "R2", "ring_conformity", C), (2023, "R3", "ex_count", U), (2023, "R3", "ring_conformity", C),
]  # fmt: skip


def test_national_counts_per_wave():
    got = national_counts(register(ROWS)).set_index("wave")
    assert got["n_unjustified"].to_dict() == {2021: 4, 2022: 1, 2023: 3}
    assert got["n_regions_unjustified"].to_dict() == {2021: 2, 2022: 1, 2023: 2}
    assert got["n_regions"].to_dict() == {2021: 3, 2022: 2, 2023: 3}
    assert got["n_missing"].to_dict() == {2021: 0, 2022: 2, 2023: 0}


def test_the_fall_says_what_became_of_the_deviations_and_who_had_no_data():
    fall, rise = change_story(register(ROWS), NAMES)
    assert (fall["from"], fall["to"], fall["change"]) == (2021, 2022, -3)
    text = fall["text"]
    assert "van 4 naar 1 niet onderbouwde afwijkingen (−3)" in text
    # R1/ex_count conform, R1/ring substantiated, R2's two without data; none stayed, R3's is new
    assert "Van de 4 van 2021 waren er in 2022 1 conform, 1 onderbouwd en 2 zonder gegevens" in text
    assert "1 afwijking is nieuw" in text
    assert "Ringenmodel conform (2 → 0)" in text
    assert "Per regio: Tweede (2 → 0) en Eerste (2 → 0)" not in text  # ties go by code
    assert "Per regio: Eerste (2 → 0) en Tweede (2 → 0)." in text
    assert "In 2022 had Tweede geen gegevens" in text
    assert (rise["from"], rise["to"], rise["change"]) == (2022, 2023, 2)
    assert "De grootste stijging is van 2022 naar 2023: van 1 naar 3" in rise["text"]
    assert "Van de 1 van 2022 bleef er 1 niet onderbouwd, en 2 afwijkingen zijn nieuw." in rise["text"]


def test_no_story_without_a_change():
    flat = [(w, "R1", "ex_count", U) for w in (2021, 2022)]
    assert change_story(register(flat), NAMES) == []
    assert change_story(register(flat[:1]), NAMES) == []


def test_markers_are_persistent_or_significant_trends():
    df = register(ROWS[:4]).assign(
        persistent=[True, False, False, None], trend=[None, V.IMPROVING, V.NO_SIGNIFICANT_CHANGE, V.WORSENING]
    )
    got = markers(df)
    assert list(zip(got["region_code"], got["indicator_id"], strict=True)) == [
        ("R1", "ex_count"),
        ("R1", "ring_conformity"),
        ("R2", "ring_conformity"),
    ]


def test_markers_without_a_trend_column_mark_the_persistent_ones():
    df = register(ROWS[:2]).assign(persistent=[False, True])
    got = markers(df)
    assert got["indicator_id"].tolist() == ["ring_conformity"]
    assert got["trend"].isna().all()
