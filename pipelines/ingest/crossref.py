"""Lessons name the exercise they came from: keep what is staged consistent across modules.

The validation checks a lesson's ``bron_oefening_id`` against the exercises sent
in the same batch. That is not enough once one module of a return is rejected
and the other is not: a region resubmits a workbook whose ``oefeningen`` sheet
is rejected (its earlier exercises stay in use) but whose ``lessen`` sheet is
fine and names the *new* exercises. Staged as is, the lessons would point at
exercises that are not in the warehouse, the blocking staging check
``bron_oefening_bestaat`` would fail, and nothing would be published for
anyone.

So before a wave is written, this module works out, per region, which lessons
and exercises will be staged (the new ones where a module is loaded, the earlier
ones where it is rejected and earlier data stays in use, none where it is
missing), and where a staged lesson would name an exercise that is not staged,
it rejects the newly loaded module(s) of that pair, so that the earlier,
consistent pair stays in use. Each rejection gets a problem with the lesson,
the exercise and the reason, in Dutch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from pipelines.contract.statuses import ABSENT, LOADED
from pipelines.core.problems import ERROR, Problem

LESSONS, EXERCISES = "lessen", "oefeningen"
RULE = "bron_oefening"


class _NewIds:
    """Ids per (region, file, sheet) in a module's candidate rows, grouped once and only when first asked for."""

    def __init__(self, frame: pd.DataFrame | None, column: str, only_from_exercise: bool):
        self._frame, self._column, self._only = frame, column, only_from_exercise
        self._groups: dict[tuple, set[str]] | None = None

    def __call__(self, unit) -> set[str]:
        if unit.source is None or self._frame is None or self._frame.empty:
            return set()
        if self._groups is None:
            rows = self._frame
            if self._only:
                rows = rows[rows["bron"] == "oefening"]
            rows = rows[rows[self._column].notna()]
            sheet = rows["_sheet"] if "_sheet" in rows else pd.Series(None, index=rows.index, dtype=object)
            keys = pd.DataFrame(
                {
                    "r": rows["regio_code"],
                    "f": rows["_file"],
                    "s": sheet.astype(object),
                    "v": rows[self._column].astype(str),
                }
            )
            self._groups = {}
            for (r, f, s), v in keys.groupby(["r", "f", "s"], dropna=False, sort=False)["v"]:
                self._groups[(r, f, None if pd.isna(s) else s)] = set(v)
        if unit.sheet is not None:
            return set(self._groups.get((unit.region_code, unit.source.rel, unit.sheet), set()))
        return set().union(
            *(v for (r, f, _), v in self._groups.items() if r == unit.region_code and f == unit.source.rel)
        )


def reconcile(
    wave: int,
    units: Iterable,
    module_frames: dict[str, pd.DataFrame],
    unit_problems: dict,
    existing: set[tuple[str, str]],
    staged_ids: Callable[[str, str], set[str]],
) -> list[tuple[str, str]]:
    """Reject newly loaded lessons/exercises that would leave a staged lesson without its exercise.

    ``units``: the wave's units (status as planned); ``unit_problems``: per (region, module) the problems
    found so far (an error means the unit will be rejected); ``existing``: the (region, module) pairs
    staged before this run; ``staged_ids(region, module)``: for a staged pair, the referenced exercise ids
    (lessons from an exercise) or the exercise ids. Adds a problem to each unit it rejects and returns them.
    """
    by_key = {(u.region_code, u.module): u for u in units}
    lesson_ids = _NewIds(module_frames.get(LESSONS), "bron_oefening_id", True)
    exercise_ids = _NewIds(module_frames.get(EXERCISES), "oefening_id", False)

    def loads(u) -> bool:
        return (
            u is not None
            and u.status == LOADED
            and not any(p.is_error for p in unit_problems.get((u.region_code, u.module), []))
        )

    rejected: list[tuple[str, str]] = []
    for (region, module), lessons_unit in by_key.items():
        if module != LESSONS:
            continue
        exercises_unit = by_key.get((region, EXERCISES))
        for _ in range(2):  # at most: first the new lessons, then the new exercises
            new_lessons, new_exercises = loads(lessons_unit), loads(exercises_unit)
            if new_lessons and new_exercises:
                break  # checked against each other by the validation
            if new_lessons:
                named = lesson_ids(lessons_unit)
            elif lessons_unit.status != ABSENT and (region, LESSONS) in existing:
                named = staged_ids(region, LESSONS)
            else:
                break  # no lessons staged for this region
            if new_exercises:
                present = exercise_ids(exercises_unit)
            elif (exercises_unit is None or exercises_unit.status != ABSENT) and (region, EXERCISES) in existing:
                present = staged_ids(region, EXERCISES)
            else:
                present = set()
            missing = sorted(named - present)
            if not missing:
                break
            target = lessons_unit if new_lessons else exercises_unit if new_exercises else None
            if target is None:
                break  # nothing new to hold back: what is staged stays as it was
            other = EXERCISES if target.module == LESSONS else LESSONS
            shown = ", ".join(missing[:5]) + (f" en {len(missing) - 5} meer" if len(missing) > 5 else "")
            message = (
                f"lessen uit een oefening noemen oefening(en) {shown}, die na deze aanlevering niet in het "
                f"warehouse staan (de module {other} van deze regio is afgewezen of ontbreekt); de module "
                f"{target.module} wordt daarom ook niet geladen, zodat lessen en oefeningen bij elkaar passen"
            )
            problem = Problem(
                file=target.source.rel if target.source else "",
                sheet=target.sheet or target.module,
                row=None,
                column="bron_oefening_id" if target.module == LESSONS else "oefening_id",
                value=missing[0],
                rule=RULE,
                message=message,
                severity=ERROR,
                region_code=region,
                module=target.module,
                wave=wave,
            )
            unit_problems.setdefault((region, target.module), []).append(problem)
            rejected.append((region, target.module))
    return rejected
