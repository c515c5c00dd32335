"""Tests for the reasons of the sample (docs/verdicts.md 5a): the plants are in the files, and the ground truth
tests/ground_truth/reasons.csv follows from the files, the rules and the analyst's judgements.

The statuses are recomputed from the parsed files (tests/sample/reasons_from_files.py), independently of the
generator's oracle; the plants are looked for in the files themselves, not in the design.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipelines import sample
from pipelines.contract import indicators as I
from pipelines.contract.reasons import (
    ACCEPTED,
    JUDGEMENT_COLUMNS,
    JUDGEMENT_FILE,
    JUDGEMENT_OPTIONAL,
    LAPSED,
    REASON_INDICATORS,
    REASON_STATUSES,
    REJECTED,
    RULES,
    VALID,
    cells,
    load_judgements,
)
from pipelines.core.paths import REFERENCE
from tests.sample.files import CODES, COMMITTED_REASONS, SEED, WAVES
from tests.sample.reasons_from_files import chars_exercised, normalised, register

REASON_COLUMNS = (
    "wave",
    "region_code",
    "indicator_id",
    "cell",
    "expected_status",
    "contradiction",
    "years_named_past",
    "n_other_regions_same_text",
    "note",
)
SHARED = "het risico is in deze regio beperkt de prioriteit ligt elders"
UNSUBSTANTIATED, SUBSTANTIATED, CONFORM = "afwijking_niet_onderbouwd", "afwijking_onderbouwd", "conform"


@pytest.fixture(scope="module")
def reasons(shipped) -> pd.DataFrame:
    return read_reasons(shipped[1].parent / "reasons.csv")


def read_reasons(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).astype({"wave": int, "n_other_regions_same_text": int})


@pytest.fixture(scope="module")
def judgements(shipped):
    found, problems = load_judgements(shipped[1].parent / "reference", CODES)
    assert problems == []
    return found


@pytest.fixture(scope="module")
def weighed(parsed, judgements):
    """(deviating cells, register) from the files."""
    return register(parsed.frames, {(j.wave, j.region_code, j.indicator_id, j.cell): j.judgement for j in judgements})


def verdicts(truth: pd.DataFrame) -> dict[tuple[int, str, str], str]:
    return {(w, c, i): v for w, c, i, v in truth[["wave", "region_code", "indicator_id", "expected_verdict"]].values}


def statuses(reasons: pd.DataFrame) -> dict[tuple[int, str, str, str], str]:
    cols = ["wave", "region_code", "indicator_id", "cell", "expected_status"]
    return {tuple(row[:4]): row[4] for row in reasons[cols].values}


# ---------------------------------------------------------------------------
# The ground truth of the reasons
# ---------------------------------------------------------------------------


def test_reasons_ground_truth_format(reasons):
    for frame in (reasons, read_reasons(COMMITTED_REASONS)):
        assert tuple(frame.columns) == REASON_COLUMNS == sample.REASON_TRUTH_COLUMNS
        assert set(frame["wave"]) == set(WAVES)  # every wave: the consecutive-wave rule looks back
        assert set(frame["expected_status"]) == set(REASON_STATUSES)
        assert set(frame["indicator_id"]) == set(REASON_INDICATORS)
        assert all(c in cells(i) for i, c in frame[["indicator_id", "cell"]].values)
        assert set(frame["contradiction"]) == {"true", "false"}
        assert frame["years_named_past"].map(lambda s: s == "" or re.fullmatch(r"\d{4}(, \d{4})*", s)).all()
        assert (frame["n_other_regions_same_text"] >= 0).all()
        assert not frame.duplicated(["wave", "region_code", "indicator_id", "cell"]).any()
        assert frame["note"].str.len().gt(10).all() and frame["note"].map(str.isascii).all()


def test_reasons_ground_truth_follows_from_the_files(reasons, weighed):
    """Every reason the files hold is in the ground truth with the status and signals the files give, and no
    other: full coverage, every wave."""
    _, rows = weighed
    expected = {
        key: (
            r["status"],
            "true" if r["contradiction"] else "false",
            r["years_named_past"],
            r["n_other_regions_same_text"],
        )
        for key, r in rows.items()
    }
    cols = ["wave", "region_code", "indicator_id", "cell", "expected_status", "contradiction", "years_named_past"]
    found = {tuple(v[:4]): (*v[4:], n) for v, n in zip(reasons[cols].values, reasons["n_other_regions_same_text"])}
    assert found == expected


def test_background_reasons_lapse_when_carried_too_long(reasons, weighed):
    """A reason that stays while the deviation stays lapses in the deviation's third wave, also in the
    background; in the planting waves the background's deviations are repaired before that."""
    _, rows = weighed
    lapsed = [r for (t, *_), r in rows.items() if t < 2023 and r["status"] == LAPSED]
    assert len(lapsed) >= 20
    passed = [r for (t, *_), r in rows.items() if r["valid_until"] is not None and r["valid_until"] < t]
    assert len(passed) >= 2 and all(r["rule_status"] == LAPSED for r in passed)
    planted_notes = reasons[~reasons["note"].str.startswith("Background")]
    assert 25 <= len(planted_notes) <= 60


# ---------------------------------------------------------------------------
# The plants, found in the files
# ---------------------------------------------------------------------------


def _runs(rows, indicator, cell):
    """(region -> {wave: row}) of the reasons of one indicator and cell."""
    out = {}
    for (t, code, ind, c), r in rows.items():
        if ind == indicator and c == cell:
            out.setdefault(code, {})[t] = r
    return out


def test_same_text_three_waves_lapses_in_the_third(weighed, truth):
    _, rows = weighed
    v = verdicts(truth)
    found = [
        code
        for code, by_wave in _runs(rows, I.EX_WITH_NCC, "nationale_opschaling").items()
        if [by_wave.get(t, {}).get("in_row") for t in (2022, 2023, 2024, 2025)] == [None, 1, 2, 3]
        and len({normalised(by_wave[t]["text"]) for t in (2023, 2024, 2025)}) == 1
    ]
    assert found, "no reason for ex_with_ncc given with the same text in 2023, 2024 and 2025"
    for code in found:
        assert [rows[(t, code, I.EX_WITH_NCC, "nationale_opschaling")]["status"] for t in (2023, 2024, 2025)] == [
            VALID,
            VALID,
            LAPSED,
        ]
        assert [v[(t, code, I.EX_WITH_NCC)] for t in (2023, 2024, 2025)] == [
            SUBSTANTIATED,
            SUBSTANTIATED,
            UNSUBSTANTIATED,
        ]


def test_changing_texts_do_not_restart_the_count(weighed, truth):
    _, rows = weighed
    v = verdicts(truth)
    found = [
        code
        for code, by_wave in _runs(rows, I.RING_EXERCISED, "ringenmodel").items()
        if [by_wave.get(t, {}).get("in_row") for t in (2023, 2024, 2025)] == [1, 2, 3]
        and len({normalised(by_wave[t]["text"]) for t in (2023, 2024, 2025)}) == 3
    ]
    assert len(found) == 1
    code = found[0]
    assert rows[(2025, code, I.RING_EXERCISED, "ringenmodel")]["status"] == LAPSED
    assert [v[(t, code, I.RING_EXERCISED)] for t in (2023, 2024, 2025)] == [
        SUBSTANTIATED,
        SUBSTANTIATED,
        UNSUBSTANTIATED,
    ]
    assert v[(2025, code, I.PLAN_UNEXERCISED_UNSUBSTANTIATED)] == UNSUBSTANTIATED  # the same plan row, in the plan


def test_valid_until_passed_and_still_to_come(weighed, truth):
    dev, rows = weighed
    v = verdicts(truth)
    passed = [k for k, r in rows.items() if k[0] == 2025 and r["valid_until"] == 2024]
    assert [k[2] for k in passed] == [I.EQUIPMENT_PARITY]
    (t, code, ind, cell) = passed[0]
    assert rows[passed[0]]["status"] == LAPSED and rows[passed[0]]["in_row"] <= RULES["max_waves_in_row"]
    assert rows[(2024, code, ind, cell)]["status"] == VALID  # geldig tot en met 2024
    assert (v[(2024, code, ind)], v[(2025, code, ind)]) == (SUBSTANTIATED, UNSUBSTANTIATED)
    later = [k for k, r in rows.items() if k[0] >= 2023 and r["valid_until"] is not None and r["valid_until"] > k[0]]
    assert any(rows[k]["status"] == VALID and rows[k]["in_row"] <= 2 and k[2] == I.RING_CONFORMITY for k in later)
    code = next(k[1] for k in later if k[2] == I.RING_CONFORMITY)
    assert (v[(2024, code, I.RING_CONFORMITY)], v[(2025, code, I.RING_CONFORMITY)]) == (SUBSTANTIATED, SUBSTANTIATED)


def test_a_past_year_without_a_promise_is_only_a_signal(weighed, reasons):
    _, rows = weighed
    found = [k for k, r in rows.items() if k[0] >= 2023 and re.search(r"besluit AB \d{4}-\d+", r["text"] or "")]
    assert found
    for key in found:
        assert rows[key]["years_named_past"] and rows[key]["status"] == VALID
        assert statuses(reasons)[key] == VALID


def test_contradiction_is_planted_and_changes_no_verdict(parsed, weighed, truth):
    _, rows = weighed
    found = [k for k, r in rows.items() if r["contradiction"]]
    assert len(found) == 1  # the background never claims an exercise in a year it names
    t, code, ind, char = found[0]
    text = rows[found[0]]["text"]
    year = int(re.search(r"in (\d{4}) uitgebreid beoefend", text).group(1))
    assert char not in chars_exercised(parsed.frames[(year, code)]["oefeningen"])
    assert rows[found[0]]["status"] == VALID and verdicts(truth)[(t, code, ind)] == CONFORM


def test_one_sentence_shared_by_several_regions(weighed):
    _, rows = weighed
    by_wave = {}
    for (t, code, ind, cell), r in rows.items():
        if normalised(r["text"]) == SHARED:
            assert (ind, cell) == (I.EX_WITH_NCC, "nationale_opschaling")
            by_wave.setdefault(t, set()).add(code)
    assert len(by_wave[2025]) >= 3
    spellings = {rows[(2025, c, I.EX_WITH_NCC, "nationale_opschaling")]["text"] for c in by_wave[2025]}
    assert len(spellings) >= 2  # equal once normalised
    four = [c for c in by_wave[2025] if all(c in by_wave.get(t, ()) for t in (2022, 2023, 2024, 2025))]
    assert len(four) >= 2
    for c in by_wave[2025]:
        assert (
            rows[(2025, c, I.EX_WITH_NCC, "nationale_opschaling")]["n_other_regions_same_text"]
            == len(by_wave[2025]) - 1
        )


def test_shipped_judgements_accept_a_lapsed_reason_and_reject_the_shared_one(weighed, truth):
    found, problems = load_judgements(REFERENCE, CODES)
    assert problems == []
    header = (REFERENCE / JUDGEMENT_FILE).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(JUDGEMENT_COLUMNS + JUDGEMENT_OPTIONAL)
    _, rows = weighed
    v = verdicts(truth)
    by_word = {j.judgement: j for j in found}
    accepted, rejected = by_word[ACCEPTED], by_word[REJECTED]
    key = (accepted.wave, accepted.region_code, accepted.indicator_id, accepted.cell)
    assert rows[key]["rule_status"] == LAPSED and rows[key]["status"] == ACCEPTED
    assert v[key[:3]] == SUBSTANTIATED
    key = (rejected.wave, rejected.region_code, rejected.indicator_id, rejected.cell)
    assert rows[key]["rule_status"] == VALID and rows[key]["status"] == REJECTED
    assert normalised(rows[key]["text"]) == SHARED
    assert v[key[:3]] == UNSUBSTANTIATED
    for j in found:
        assert len(j.motivation) > 40 and re.search(r"\b(de|het|een)\b", j.motivation)  # Dutch, quoted in the sentence


def test_valid_until_is_written_in_exports_and_workbooks(parsed):
    with_year = {
        (w, name)
        for (w, _), m in parsed.frames.items()
        for name in ("planvorming", "ringenmodel", "middelen")
        if m[name]["geldig_tot"].notna().any()
    }
    assert {w for w, _ in with_year} >= {2019, 2020, 2021, 2024, 2025}  # exports up to 2021, workbooks after
    assert {name for _, name in with_year} == {"planvorming", "ringenmodel", "middelen"}
    for m in parsed.frames.values():
        for name, note in (
            ("ringenmodel", "afwijking_toelichting"),
            ("middelen", "afwijking_toelichting"),
            ("planvorming", "onderbouwing"),
        ):
            frame = m[name]
            assert frame.loc[frame["geldig_tot"].notna(), note].notna().all()  # a year only beside a reason


# ---------------------------------------------------------------------------
# The oracle raises when a planted intention does not hold
# ---------------------------------------------------------------------------


def test_generation_fails_when_the_rules_no_longer_let_the_planted_reasons_lapse(monkeypatch, tmp_path):
    monkeypatch.setitem(RULES, "max_waves_in_row", 3)
    with pytest.raises(AssertionError, match="planted"):
        sample.generate(tmp_path / "raw", WAVES, seed=SEED)
    assert not (tmp_path / "raw").exists()  # checked before the first file is written


def test_generation_fails_when_the_shared_sentence_is_not_shared(monkeypatch, tmp_path):
    from pipelines.sample import reasons_plants

    texts = tuple(f"Eigen afweging {i}: het risico is hier beperkt." for i in range(3))
    monkeypatch.setattr(reasons_plants, "SHARED_TEXTS", texts)
    with pytest.raises(AssertionError, match="n_other_regions_same_text"):
        sample.generate(tmp_path / "raw", WAVES, seed=SEED)


# ---------------------------------------------------------------------------
# The command line writes the judgements beside the reference data it writes
# ---------------------------------------------------------------------------


def test_cli_writes_wegingen_beside_regions_and_only_wegingen_for_the_real_regions(tmp_path, capsys):
    from pipelines.app.cli import main
    from pipelines.contract import plausibility
    from pipelines.contract.reasons import RULES_FILE, load_substantiation_rules
    from pipelines.contract.reference import load_regions

    assert (
        main(["sample", "--out", str(tmp_path / "a"), "--regions", "30", "--waves", "2022-2025", "--form", "csv"]) == 0
    )
    ref = tmp_path / "a" / "reference"
    assert sorted(p.name for p in ref.iterdir()) == sorted(
        ["regions.csv", "ring_model_norms.csv", "equipment_norms.csv", RULES_FILE, plausibility.RULES_FILE]
        + [JUDGEMENT_FILE]
    )
    assert load_substantiation_rules(ref) == RULES
    assert plausibility.load_plausibility_rules(ref) == plausibility.load_plausibility_rules(REFERENCE)
    found, problems = load_judgements(ref, [r.code for r in load_regions(ref)])
    assert problems == [] and {j.judgement for j in found} == {ACCEPTED, REJECTED}

    out = tmp_path / "b"
    assert main(["sample", "--out", str(out / "raw"), "--waves", "2024-2025", "--reference-out", str(out / "ref")]) == 0
    assert [p.name for p in (out / "ref").iterdir()] == [JUDGEMENT_FILE]  # the real regions.csv is not rewritten
    assert "weging(en) geschreven" in capsys.readouterr().out
