"""Lessons and the exercises they name stay consistent when one module of a return is rejected."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from pipelines.core.problems import ERROR, WARNING, Problem
from pipelines.ingest.crossref import reconcile

WAVE = 2025


@dataclass
class Source:
    rel: str


@dataclass
class Unit:
    region_code: str
    module: str
    source: Source | None
    sheet: str | None = None
    status: str = "geladen"


FILE = "2025/VR01.xlsx"


def frames(lessons: list[tuple[str, str | None]], exercises: list[str], region="VR01", file=FILE):
    les = pd.DataFrame(
        [
            {
                "regio_code": region,
                "_file": file,
                "_sheet": "lessen",
                "les_id": f"L{i}",
                "bron": "oefening" if ex else "landelijk",
                "bron_oefening_id": ex,
            }
            for i, (_, ex) in enumerate(lessons)
        ]
    )
    oef = pd.DataFrame(
        [{"regio_code": region, "_file": file, "_sheet": "oefeningen", "oefening_id": e} for e in exercises],
        columns=["regio_code", "_file", "_sheet", "oefening_id"],
    )
    return {"lessen": les, "oefeningen": oef}


def units(lessons="geladen", exercises="geladen", region="VR01"):
    out = []
    for module, status in (("lessen", lessons), ("oefeningen", exercises)):
        if status is not None:
            out.append(
                Unit(
                    region,
                    module,
                    Source(FILE) if status != "ontbreekt" else None,
                    module if status != "ontbreekt" else None,
                    status,
                )
            )
    return out


def error(module, region="VR01"):
    return Problem(FILE, "bereik", "fout", ERROR, module, 2, "x", "y", region, module, WAVE)


STAGED = {("VR01", "lessen"): {"E-old"}, ("VR01", "oefeningen"): {"E-old"}}


def staged(region, module):
    return set(STAGED[(region, module)])


def test_new_lessons_naming_exercises_of_a_rejected_sheet_are_held_back():
    problems = {("VR01", "oefeningen"): [error("oefeningen")]}
    got = reconcile(WAVE, units(), frames([("L0", "E-new"), ("L1", None)], ["E-new"]), problems, set(STAGED), staged)
    assert got == [("VR01", "lessen")]
    [p] = [p for p in problems[("VR01", "lessen")]]
    assert p.is_error and p.rule == "bron_oefening" and p.value == "E-new" and p.wave == WAVE
    assert "oefeningen" in p.message and "afgewezen" in p.message and p.file == FILE


def test_new_lessons_naming_earlier_exercises_are_fine():
    problems = {("VR01", "oefeningen"): [error("oefeningen")]}
    assert reconcile(WAVE, units(), frames([("L0", "E-old")], ["E-new"]), problems, set(STAGED), staged) == []
    assert ("VR01", "lessen") not in problems


def test_both_loaded_is_left_to_the_validation():
    problems: dict = {}
    assert reconcile(WAVE, units(), frames([("L0", "E-x")], ["E-new"]), problems, set(STAGED), staged) == []


def test_rejected_lessons_whose_earlier_version_names_an_exercise_the_new_sheet_drops():
    # The new lessons were rejected (earlier lessons stay, naming E-old); the new exercises lack E-old:
    # the new exercises are held back too, so the earlier pair stays together.
    problems = {("VR01", "lessen"): [error("lessen")]}
    got = reconcile(WAVE, units(), frames([("L0", "E-new")], ["E-new"]), problems, set(STAGED), staged)
    assert got == [("VR01", "oefeningen")]


def test_exercises_missing_and_no_earlier_ones():
    problems: dict = {}
    got = reconcile(WAVE, units(exercises="ontbreekt"), frames([("L0", "E-new")], []), problems, set(), staged)
    assert got == [("VR01", "lessen")]


def test_lessons_without_exercise_source_need_nothing():
    problems: dict = {}
    got = reconcile(WAVE, units(exercises="ontbreekt"), frames([("L0", None)], []), problems, set(), staged)
    assert got == []


def test_a_warning_does_not_count_as_rejection():
    problems = {("VR01", "oefeningen"): [Problem(FILE, "r", "m", WARNING, module="oefeningen", region_code="VR01")]}
    assert reconcile(WAVE, units(), frames([("L0", "E-x")], ["E-new"]), problems, set(STAGED), staged) == []


@pytest.mark.parametrize("other_file", [True, False])
def test_only_rows_of_the_chosen_source_count(other_file):
    # Rows of the same region from another file (a conflicting workbook) are not what gets staged.
    fr = frames([("L0", "E-new")], ["E-new"])
    if other_file:
        fr["lessen"]["_file"] = "2025/VR01_b.xlsx"
    problems = {("VR01", "oefeningen"): [error("oefeningen")]}
    got = reconcile(WAVE, units(), fr, problems, set(STAGED), staged)
    assert got == ([] if other_file else [("VR01", "lessen")])
