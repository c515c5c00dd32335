"""Plausibility warnings (int_plausibility, docs/plausibility.md) on returns written by hand: each rule fires
beyond its bound and not within it, the bounds are the analyst's file, and a warning reaches every verdict
computed from its module."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.contract import indicators
from pipelines.contract import plausibility as P
from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import ReferenceError
from pipelines.core import paths
from pipelines.engine import build as engine
from pipelines.engine import plausibility
from tests.engine import engine_data as T

REGIONS = [(f"R{i}", f"Regio {i}", 100_000 * i) for i in range(1, 10)]
WAVES = (2021, 2022, 2023, 2024)


def warnings(con) -> pd.DataFrame:
    engine.run_intermediate(con, only=["int_plausibility"])
    return con.execute("select * from int_plausibility").df()


def rules_of(found: pd.DataFrame, region: str, wave: int = 2024) -> list[str]:
    return sorted(found.loc[(found.region_code == region) & (found.wave == wave), "rule"])


def exercises(n: int, evaluated: int | None = None) -> list[dict]:
    evaluated = n if evaluated is None else evaluated
    return [T.exercise(i, evaluated=i < evaluated) for i in range(n)]


@pytest.fixture
def con():
    c = T.new_warehouse(REGIONS)
    yield c
    c.close()


def test_a_module_emptied_or_far_off_its_own_mean_is_flagged_and_one_within_the_bounds_is_not(con):
    counts = {
        "R1": (10, 10, 10, 0),  # empty where it held 10: module_leeg
        "R2": (10, 10, 10, 1),  # 1 <= 0.15 x 10: aantal_sprong
        "R3": (10, 10, 10, 2),  # 2 > 1.5: within the bound
        "R4": (10, 10, 10, 40),  # 40 >= 4 x 10: aantal_sprong
        "R5": (10, 10, 10, 39),  # within
        "R6": (4, 4, 4, 0),  # a mean under count_min_expected (5) says little
        "R7": (None, None, 10, 0),  # one earlier return is not enough (min_previous_returns 2)
        "R8": (10, None, 10, 0),  # a wave not sent is skipped, not counted as empty: 10 and 10 before
    }
    for region, ns in counts.items():
        for wave, n in zip(WAVES, ns):
            if n is not None:
                T.load(con, wave, region, "oefeningen", exercises(n))
    found = warnings(con)
    assert {r: rules_of(found, r) for r in counts} == {
        "R1": ["plausibel.module_leeg"],
        "R2": ["plausibel.aantal_sprong"],
        "R3": [],
        "R4": ["plausibel.aantal_sprong"],
        "R5": [],
        "R6": [],
        "R7": [],
        "R8": ["plausibel.module_leeg"],
    }
    assert set(found.wave) == {2024}
    r1 = found[found.region_code == "R1"].iloc[0]
    assert r1["module"] == "oefeningen" and r1["source_file"] == "2024/R1.xlsx" and r1["sheet"] == "oefeningen"
    assert r1["value"] == "0" and pd.isna(r1["row_number"])
    assert r1["finding"] == "de module oefeningen heeft geen enkele rij, tegen gemiddeld 10,0 rijen in 2021-2023"
    assert r1["message"] == f"{P.MARK}: {r1['finding']}"
    r8 = found[found.region_code == "R8"].iloc[0]
    assert r8["finding"].endswith("in 2021-2023")


def test_a_share_that_jumps_against_the_earlier_returns_pooled_is_flagged(con):
    # evaluated: 10 of 10 in each earlier wave; then 0 of 10 (a jump of 100 points), 5 of 10 (50: within 60),
    # 0 of 4 (a denominator under share_min_denominator)
    last = {"R1": (10, 0), "R2": (10, 5), "R3": (4, 0)}
    for region, (n, ev) in last.items():
        for wave in WAVES[:-1]:
            T.load(con, wave, region, "oefeningen", exercises(10))
        T.load(con, WAVES[-1], region, "oefeningen", exercises(n, ev))
    found = warnings(con)
    assert rules_of(found, "R1") == ["plausibel.aandeel_sprong"]
    assert rules_of(found, "R2") == [] and rules_of(found, "R3") == []
    r1 = found[found.region_code == "R1"].iloc[0]
    label = indicators.BY_ID[indicators.EX_EVALUATED_SHARE].description
    assert r1["finding"] == f"{label} 0 % (0 van 10), tegen 100 % in 2021-2023 (30 van 30)"
    assert r1["module"] == "oefeningen" and r1["value"] == "0/10"


def test_a_grid_answered_differently_in_most_rows_is_flagged(con):
    grid = list(MODULES["ringenmodel"].expected_grid())
    for wave in WAVES[:-1]:
        for region in ("R1", "R2", "R3"):
            T.load(con, wave, region, "ringenmodel", T.ring(default="vrij"))
            T.load(con, wave, region, "middelen", T.equipment(default="persoonlijk"))
    T.load(con, 2024, "R1", "ringenmodel", T.ring({k: "geen" for k in grid[:5]}, default="vrij"))  # 5 of 9
    T.load(con, 2024, "R2", "ringenmodel", T.ring({k: "geen" for k in grid[:4]}, default="vrij"))  # 4 of 9
    T.load(con, 2024, "R3", "middelen", T.equipment(default="per_voertuig"))  # every row
    found = warnings(con)
    assert rules_of(found, "R1") == ["plausibel.omslag"] and rules_of(found, "R2") == []
    assert rules_of(found, "R3") == ["plausibel.omslag"]
    r1 = found[found.region_code == "R1"].iloc[0]
    assert r1["finding"] == (
        "5 van de 9 rijen van de module ringenmodel hebben een ander antwoord in de kolom 'toegang' dan in 2023 (56 %)"
    )
    assert r1["column_name"] == "toegang" and r1["value"] == "5/9"
    assert found[found.region_code == "R3"].iloc[0]["value"] == "64/64"

    # the bound is the analyst's: at 0.6, five of nine rows no longer warn
    plausibility.write_rules(con, {**P.load_plausibility_rules(paths.REFERENCE), "grid_change_share": 0.6})
    assert rules_of(warnings(con), "R1") == []


def test_a_return_that_contradicts_itself_is_flagged_at_its_row_and_column(con):
    rows = T.equipment(default="persoonlijk")
    rows[3]["quantity"] = 0  # available for everyone, but none: Excel row 5
    rows[7]["availability"], rows[7]["quantity"] = "niet", 12  # none, yet twelve: Excel row 9
    T.load(con, 2024, "R1", "middelen", rows)
    late = T.risk() | {"adopted_on": dt.date(2024, 12, 20)}
    T.load(con, 2024, "R1", "risico", [late])
    T.load(con, 2024, "R1", "meta", [{"completed_on": dt.date(2024, 12, 1)}])
    not_adopted = T.risk(adopted=False) | {"adopted_on": dt.date(2024, 5, 1)}
    T.load(con, 2024, "R2", "risico", [not_adopted])
    T.load(con, 2024, "R3", "risico", [T.risk()])  # adopted in January, nothing to say
    T.load(con, 2024, "R3", "meta", [{"completed_on": dt.date(2024, 12, 1)}])
    found = warnings(con).set_index(["region_code", "module", "row_number"])
    assert set(found["rule"]) == {"plausibel.tegenstrijdig"} and len(found) == 4
    eq = found.loc[("R1", "middelen")]
    assert eq.index.tolist() == [5, 9] and set(eq["column_name"]) == {"aantal"}
    assert eq.loc[5, "finding"].endswith(": beschikbaarheid 'persoonlijk' maar aantal 0")
    assert eq.loc[9, "finding"].endswith(": beschikbaarheid 'niet' maar aantal 12")
    assert found.loc[("R1", "risico", 2), "finding"] == (
        "vastgesteld op 20-12-2024, na de datum van invullen (01-12-2024)"
    )
    assert found.loc[("R2", "risico", 2), "finding"].startswith("niet bestuurlijk vastgesteld, maar wel een datum")


def test_a_warning_reaches_every_verdict_computed_from_its_module_and_no_other(con):
    for wave, n in zip(WAVES, (10, 10, 10, 0)):
        T.load(con, wave, "R1", "oefeningen", exercises(n))
    warnings(con)
    keys = pd.DataFrame(
        [(w, r, i.id) for w in WAVES for r in ("R1", "R2") for i in indicators.INDICATORS],
        columns=["wave", "region_code", "indicator_id"],
    )
    keys["check_return"] = plausibility.check_return(con, keys)
    marked = keys[keys.check_return.notna()]
    from_exercises = {i.id for i in indicators.INDICATORS if "oefeningen" in i.modules}
    assert set(marked.indicator_id) == from_exercises and len(from_exercises) < len(indicators.INDICATORS)
    assert set(zip(marked.wave, marked.region_code)) == {(2024, "R1")}
    assert marked.check_return.str.startswith("de module oefeningen heeft geen enkele rij").all()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("share_jump,0.6", "share_jump,1.5"), "share_jump moet een getal boven 0"),
        (lambda t: t.replace("previous_returns,3", "previous_returns,2.5"), "geheel getal"),
        (lambda t: t.replace("count_rise_factor,4", "count_rise_factor,1"), "een getal boven 1"),
        (lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("grid_change")), "ontbreken"),
        (lambda t: t + "nieuwe_regel,1,x\n", "onbekende regel"),
        (lambda t: t.replace("min_previous_returns,2", "min_previous_returns,4"), "niet groter"),
    ],
)
def test_a_bad_rules_file_stops_the_run_with_a_dutch_reason(tmp_path, edit, message):
    text = (paths.REFERENCE / P.RULES_FILE).read_text(encoding="utf-8")
    (tmp_path / P.RULES_FILE).write_text(edit(text), encoding="utf-8")
    with pytest.raises(ReferenceError, match=message):
        P.load_plausibility_rules(tmp_path)


def test_the_shipped_rules_file_names_every_rule_with_its_shipped_value():
    assert P.load_plausibility_rules(paths.REFERENCE) == {k: b.default for k, b in P.RULES.items()}
