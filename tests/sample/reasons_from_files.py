"""docs/verdicts.md 5a recomputed from the files as the project's readers parse them (not a test module).

A third implementation, beside the engine's SQL and the generator's oracle
(pipelines/sample/weighing.py), kept short on purpose: the deviating cells of
the five indicators that take a reason, every reason's status and signals, and
which deviating cells lack a reason that counts.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from pipelines.contract import indicators as I
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES
from pipelines.contract.reasons import COUNTS, LAPSED, RULES, VALID
from pipelines.contract.reference import load_equipment_norms, load_ring_norms
from pipelines.core.paths import REFERENCE
from tests.sample.files import CODES, WAVES, window

LEVELS = CATALOGUES["beschikbaarheid"].levels


def modal(frames, t, module, value, norms):
    """The norm of every cell in wave ``t``: the norm file, else the mode among the regions (never a tie)."""
    grid = list(MODULES[module].grid)
    present = [c for c in CODES if (t, c) in frames]
    cells = [dict(zip(map(tuple, g[grid].to_numpy()), g[value])) for g in (frames[(t, c)][module] for c in present)]
    out = {}
    for key in MODULES[module].expected_grid():
        if norms[key].code:
            out[key] = norms[key].code
            continue
        counts = Counter(c[key] for c in cells)
        best = max(counts.values())
        tied = [c for c, n in counts.items() if n == best]
        assert len(tied) == 1, (t, module, key, counts)  # the ground truth must not hang on the tie rule
        out[key] = tied[0]
    return out


def _yes(v) -> bool:
    return False if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else bool(v)


def _text(v) -> str | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v == "" else str(v)


def _year(v) -> int | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else int(v)


def chars_exercised(exercises: pd.DataFrame) -> set[str]:
    return {c for lst in exercises["beoefende_bijzonderheden"].dropna() for c in lst}


def deviating_cells(frames) -> dict[tuple[int, str, str], dict[str, tuple[str | None, int | None] | None]]:
    """(wave, region, indicator) -> deviating cell -> (text, geldig_tot) of its reason, or None without one."""
    ring_norms, eq_norms = load_ring_norms(REFERENCE), load_equipment_norms(REFERENCE)
    out = {}
    for t in WAVES:
        ring_norm = modal(frames, t, "ringenmodel", "toegang", ring_norms)
        eq_norm = modal(frames, t, "middelen", "beschikbaarheid", eq_norms)
        for code in CODES:
            if (t, code) not in frames:
                continue
            m = frames[(t, code)]
            ex = window(frames, code, t, "oefeningen")
            done = chars_exercised(ex)
            ncc = bool(ex["met_nationale_crisisorganisatie"].fillna(False).astype(bool).any())
            plan = {row["bijzonderheid"]: row for row in m["planvorming"].to_dict("records")}

            def reason(row, note_field):
                given = (
                    _yes(row["niet_beoefenen_onderbouwd"])
                    if note_field == "onderbouwing"
                    else bool(_text(row[note_field]))
                )
                return (_text(row[note_field]), _year(row["geldig_tot"])) if given else None

            out[(t, code, I.PLAN_UNEXERCISED_UNSUBSTANTIATED)] = {
                c: reason(row, "onderbouwing") for c, row in plan.items() if _yes(row["in_plan"]) and c not in done
            }
            ncc_row, ring_row = plan["nationale_opschaling"], plan["ringenmodel"]
            out[(t, code, I.EX_WITH_NCC)] = {} if ncc else {"nationale_opschaling": reason(ncc_row, "onderbouwing")}
            out[(t, code, I.RING_EXERCISED)] = (
                {} if "ringenmodel" in done else {"ringenmodel": reason(ring_row, "onderbouwing")}
            )
            out[(t, code, I.RING_CONFORMITY)] = {
                f"{row['zone']}/{row['discipline']}": reason(row, "afwijking_toelichting")
                for row in m["ringenmodel"].to_dict("records")
                if row["toegang"] != ring_norm[(row["zone"], row["discipline"])]
            }
            out[(t, code, I.EQUIPMENT_PARITY)] = {
                f"{row['functie']}/{row['middel']}": reason(row, "afwijking_toelichting")
                for row in m["middelen"].to_dict("records")
                if LEVELS[row["beschikbaarheid"]] < LEVELS[eq_norm[(row["discipline"], row["functie"], row["middel"])]]
            }
    return out


def normalised(text: str | None) -> str:
    return " ".join(re.findall(r"[^\W_]+", (text or "").lower()))


def register(frames, judgements: dict[tuple[int, str, str, str], str]) -> tuple[dict, dict]:
    """(deviating cells as :func:`deviating_cells`, register: (wave, region, indicator, cell) -> its row)."""
    dev = deviating_cells(frames)
    regions_by_text = {}
    for (t, code, _), cells in dev.items():
        for given in cells.values():
            if given and normalised(given[0]):
                regions_by_text.setdefault((t, normalised(given[0])), set()).add(code)
    rows = {}
    for (t, code, ind), cells in dev.items():
        for cell, given in cells.items():
            if given is None:
                continue
            in_row = 0
            for w in range(t, min(WAVES) - 1, -1):
                if cell not in dev.get((w, code, ind), {}):
                    break
                in_row += 1
            text, until = given
            rule = LAPSED if (until is not None and until < t) or in_row > RULES["max_waves_in_row"] else VALID
            years = sorted({int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text or "")})
            claims = re.search("beoefend|geoefend", (text or "").lower()) is not None
            contradiction = (
                claims
                and ind in (I.PLAN_UNEXERCISED_UNSUBSTANTIATED, I.EX_WITH_NCC, I.RING_EXERCISED)
                and any(
                    (y, code) in frames and cell not in chars_exercised(frames[(y, code)]["oefeningen"]) for y in years
                )
            )
            key = (t, code, ind, cell)
            rows[key] = {
                "text": text,
                "valid_until": until,
                "in_row": in_row,
                "rule_status": rule,
                "status": judgements.get(key, rule),
                "contradiction": contradiction,
                "years_named_past": ", ".join(str(y) for y in years if y < t),
                "n_other_regions_same_text": len(regions_by_text.get((t, normalised(text)), set()) - {code}),
            }
    return dev, rows


def unjustified(dev: dict, rows: dict, t: int, code: str, ind: str) -> list[str]:
    """The deviating cells without a reason whose status is geldig or aanvaard."""
    return [cell for cell in dev[(t, code, ind)] if rows.get((t, code, ind, cell), {}).get("status") not in COUNTS]
