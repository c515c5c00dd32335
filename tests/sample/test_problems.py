"""The problems' ground truth of the shipped sample (tests/ground_truth/problems.csv): the broken file and the
plausibility warnings, checked against the files as the readers see them, apart from the generator's oracle.

That the pipeline publishes exactly these rows is tested on the marts (tests/engine/test_engine.py,
tests/app/test_pipeline.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines import sample
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.plausibility import CHECKS, PREFIX
from pipelines.core.problems import ERROR, WARNING
from tests.sample.files import BROKEN

CONTRADICTS, WHOLESALE, BROKEN_ROLE = (
    "return contradicts itself (plausibility)",
    "equipment changed wholesale (plausibility)",
    "file with several problems",
)


@pytest.fixture(scope="module")
def problems(shipped) -> pd.DataFrame:
    _, truth, _ = shipped
    return pd.read_csv(truth.parent / "problems.csv", dtype={"row_number": "Int64"})


def test_every_warning_has_a_plant_behind_it_no_false_alarm(shipped, problems):
    _, _, summary = shipped
    assert summary["false_alarms"] == 0
    assert (problems["cause"] != "background").all(), problems[problems["cause"] == "background"]
    warnings = problems[problems["rule"].str.startswith(PREFIX)]
    assert set(warnings["severity"]) == {WARNING}
    assert set(warnings["rule"]) <= set(CHECKS)
    # every kind of warning but a count far off its mean (no plant asks for one) is in the sample
    assert set(warnings["rule"]) == set(CHECKS) - {"plausibel.aantal_sprong"}
    roles = summary["roles"]
    planted = warnings[warnings["cause"].str.startswith("implausible return")]
    assert {(w, r) for w, r in zip(planted.wave, planted.region_code)} == {
        (2024, roles[CONTRADICTS]),
        (2025, roles[WHOLESALE]),
    }
    assert summary["problems"] == dict(sorted(problems["rule"].value_counts().items()))


def test_the_broken_file_has_errors_and_warnings_in_one_file(shipped, problems):
    _, _, summary = shipped
    wave, code = BROKEN
    assert summary["roles"][BROKEN_ROLE] == code
    mine = problems[problems["cause"] == BROKEN_ROLE]
    assert set(zip(mine.wave, mine.region_code)) == {BROKEN}
    assert (mine["severity"] == ERROR).sum() >= 2 and (mine["severity"] == WARNING).sum() >= 2
    assert set(mine.loc[mine["severity"] == ERROR, "module"]) == {"meta"}  # no indicator reads meta
    assert not problems.loc[problems["cause"] != BROKEN_ROLE, "severity"].eq(ERROR).any()


def test_the_implausible_returns_hold_in_the_files(shipped, parsed, problems):
    _, _, summary = shipped
    roles, frames = summary["roles"], parsed.frames
    # equipment answered otherwise than a wave before in most rows, every row at or above the earlier level
    code = roles[WHOLESALE]
    now, then = (frames[(w, code)]["middelen"].set_index(["functie", "middel"]) for w in (2025, 2024))
    levels = CATALOGUES["beschikbaarheid"].levels
    changed = now["beschikbaarheid"] != then.loc[now.index, "beschikbaarheid"]
    assert changed.sum() >= len(now) / 2
    assert (now["beschikbaarheid"].map(levels) >= then.loc[now.index, "beschikbaarheid"].map(levels)).all()
    # the return of the wave before the last contradicts itself twice
    code = roles[CONTRADICTS]
    risk, meta = frames[(2024, code)]["risico"].iloc[0], frames[(2024, code)]["meta"].iloc[0]
    assert risk["bestuurlijk_vastgesteld"] and risk["datum_vastgesteld"] > meta["datum_ingevuld"]
    eq = frames[(2024, code)]["middelen"]
    empty = eq[(eq["beschikbaarheid"] != "niet") & (eq["aantal"] == 0)]
    assert len(empty) == 1
    row = problems[(problems.region_code == code) & (problems.module == "middelen")]["row_number"].tolist()
    assert row == [int(empty.index[0]) + 2]  # the grid's rows follow the header in order
    # the largest region's exercises: none, where it held 8.3 a wave in the three before
    before = [len(frames[(w, "VR09")]["oefeningen"]) for w in (2022, 2023, 2024)]
    assert len(frames[(2025, "VR09")]["oefeningen"]) == 0 and sum(before) / 3 >= 5
    # the broken file's meta: two rows
    assert len(frames[BROKEN]["meta"]) == 2


def test_the_implausible_returns_move_no_verdict(shipped, truth):
    """The plants are on regions with no other plant: every verdict of theirs in the ground truth is conform."""
    _, _, summary = shipped
    regions = {summary["roles"][r] for r in (CONTRADICTS, WHOLESALE, BROKEN_ROLE)}
    assert len(regions) == 3
    mine = truth[truth.region_code.isin(regions)]
    assert len(mine) > 0 and set(mine["expected_verdict"]) == {"conform"}


def test_only_the_shipped_layout_holds_a_broken_file(tmp_path):
    summary = sample.generate(tmp_path / "raw", range(2022, 2026), form="xlsx", ground_truth=tmp_path / "p.csv")
    assert BROKEN_ROLE not in summary["roles"] and summary["false_alarms"] == 0
    found = pd.read_csv(tmp_path / "problems.csv")
    assert set(found["severity"]) == {WARNING} and found["rule"].str.startswith(PREFIX).all()
    assert {WHOLESALE, CONTRADICTS} <= set(summary["roles"])
