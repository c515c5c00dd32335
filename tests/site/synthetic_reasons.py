"""The reasons of the synthetic warehouse: ``marts.substantiation_register``, ``marts.judgement_problems``
and ``variation_register.reason_status``, derived from the synthetic ring model, equipment and plan rows.

The signals are computed from those rows as the engine defines them (docs/verdicts.md, 5a): the same text
over consecutive waves, the deviation over consecutive waves, other regions with the same text. What the
engine decides from the rules and judgements is planted so that every status occurs: a reason with a
passed ``valid_until`` lapses, the rule lapses a deviation older than :data:`MAX_WAVES_IN_ROW` waves, and
:data:`JUDGED` judges two reasons of the latest wave. Two rows of ``wegingen.csv`` are planted as problems.
Deterministic: no random numbers are drawn (the other marts of the fixture stay as they were).
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.contract import reasons
from pipelines.contract.marts import MARTS

REGISTER = "substantiation_register"
PROBLEMS = "judgement_problems"
#: The contract columns of the two marts, in order.
CONTRACT = {m: list(MARTS[m].column_names) for m in (REGISTER, PROBLEMS)}
MAX_WAVES_IN_ROW = 2
#: (judgement, motivation) planted on the first and second reason of the latest wave.
JUDGED = [
    (reasons.ACCEPTED, "De leverancier heeft de levering schriftelijk bevestigd."),
    (reasons.REJECTED, "Dezelfde toelichting als vorig jaar, zonder nieuwe feiten."),
]
PLAN_TEXTS = [
    "Beoefend in {past} tijdens de regionale oefening met de buurregio.",
    "Niet nodig: het scenario valt onder het landelijke draaiboek.",
]
#: The judgement problems: (line, column, value, rule, message, wave, region).
PROBLEM_ROWS = [
    (3, "region_code", "VR99", "weging.regio", "onbekende regio 'VR99'; rij genegeerd", None, None),
    (
        5,
        None,
        None,
        "weging.geen_toelichting",
        "VR02 gaf in {wave} geen toelichting bij ring_conformity warm/ambulance; rij genegeerd",
        "{wave}",
        "VR02",
    ),
]


def _normal(text: str | None) -> str | None:
    return None if text is None else re.sub(r"[^0-9a-zà-ÿ]+", " ", text.lower()).strip()


def _in_row(waves: list[int], present: set[int], wave: int) -> int:
    """Consecutive waves of ``waves`` up to and including ``wave`` that are in ``present``."""
    n, i = 0, waves.index(wave)
    while i >= 0 and waves[i] in present:
        n, i = n + 1, i - 1
    return n


def reason_marts(frames: dict[str, pd.DataFrame], names: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The two marts and the variation register with ``reason_status``, from the fixture's other frames."""
    ring = frames["marts.ring_model_matrix"]
    equip = frames["marts.equipment_matrix"]
    plan = frames["marts.plan_exercise_matrix"]
    register = frames["marts.variation_register"]
    waves = sorted(int(w) for w in register["wave"].unique())
    deviating: list[tuple] = []  # (wave, region, indicator, cell, module, text)
    for r in ring.itertuples(index=False):
        if r.deviates:
            deviating.append(
                (r.wave, r.region_code, "ring_conformity", f"{r.zone}/{r.discipline}", "ringenmodel", r.substantiation)
            )
    for r in equip.itertuples(index=False):
        if r.below_norm:
            cell = f"{r.role}/{r.item}"
            deviating.append((r.wave, r.region_code, "equipment_parity", cell, "middelen", r.substantiation))
    for i, r in enumerate(plan.itertuples(index=False)):
        if r.in_plan and not r.exercised_3w:
            text = PLAN_TEXTS[i % 2].format(past=r.wave - 1) if r.substantiated else None
            deviating.append(
                (r.wave, r.region_code, "plan_unexercised_unsubstantiated", r.characteristic, "planvorming", text)
            )
    dev = pd.DataFrame(deviating, columns=["wave", "region_code", "indicator_id", "cell", "module", "reason_text"])
    dev = dev.astype({"wave": "int64"})
    # a planvorming row says ja without text in the plan matrix too: here every reason of the fixture has text
    cells = dev.groupby(["region_code", "indicator_id", "cell"])["wave"].agg(lambda s: set(s.tolist())).to_dict()
    texts = dev.dropna(subset=["reason_text"]).assign(key=lambda d: d["reason_text"].map(_normal))
    same = texts.groupby(["region_code", "indicator_id", "cell", "key"])["wave"].agg(lambda s: set(s.tolist()))
    shared = texts.groupby(["wave", "key"])["region_code"].nunique()
    rows = []
    latest_seen = 0
    for t in texts.sort_values(["wave", "region_code", "indicator_id", "cell"]).itertuples(index=False):
        k = (t.region_code, t.indicator_id, t.cell)
        same_waves = same[(*k, t.key)]
        dev_row = _in_row(waves, cells[k], t.wave)
        text_row = _in_row(waves, same_waves, t.wave)
        past = [y for y in re.findall(r"\b(?:19|20)\d\d\b", t.reason_text) if int(y) < t.wave]
        valid_until = t.wave - 1 if len(rows) % 7 == 3 else None
        contradiction = (
            f"de toelichting noemt beoefening in {past[0]}, maar de oefeningen van {past[0]} bevatten geen oefening "
            "met deze bijzonderheid"
            if past and t.module == "planvorming" and len(rows) % 2 == 0
            else None
        )
        if valid_until is not None:
            rule_status, rule_reason = reasons.LAPSED, f"geldig tot {valid_until}"
        elif dev_row > MAX_WAVES_IN_ROW:
            rule_status = reasons.LAPSED
            rule_reason = (
                f"de afwijking bestaat al {dev_row} peiljaren op rij, langer dan de {MAX_WAVES_IN_ROW} "
                "die een toelichting mag dragen"
            )
        else:
            rule_status = reasons.VALID
            rule_reason = "eerste peiljaar van de afwijking" if dev_row == 1 else f"peiljaar {dev_row} van de afwijking"
        judgement = motivation = judged_by = judged_on = None
        if t.wave == waves[-1] and latest_seen < len(JUDGED):
            judgement, motivation = JUDGED[latest_seen]
            judged_by, judged_on = "analist A", f"{t.wave + 1}-02-01"
            latest_seen += 1
        status = judgement or rule_status
        if judgement:
            status_reason = f"door de inspectie gewogen en {judgement}: {motivation}"
        else:
            word = "verlopen" if rule_status == reasons.LAPSED else "geldig"
            status_reason = f"toelichting {word}: {rule_reason}"
        rows.append(
            {
                "wave": t.wave,
                "region_code": t.region_code,
                "region_name": names.get(t.region_code, t.region_code),
                "indicator_id": t.indicator_id,
                "cell": t.cell,
                "module": t.module,
                "reason_text": t.reason_text,
                "valid_until": valid_until,
                "first_wave_same_text": t.wave - text_row + 1,
                "waves_same_text_in_row": text_row,
                "n_other_regions_same_text": int(shared[(t.wave, t.key)]) - 1,
                "years_named_past": ",".join(past) or None,
                "contradiction": contradiction,
                "deviation_waves_in_row": dev_row,
                "max_waves_in_row": MAX_WAVES_IN_ROW,
                "rule_status": rule_status,
                "rule_reason": rule_reason,
                "judgement": judgement,
                "judgement_motivation": motivation,
                "judged_by": judged_by,
                "judged_on": judged_on,
                "status": status,
                "status_reason": status_reason,
            }
        )
    reg = pd.DataFrame(rows, columns=CONTRACT[REGISTER][:-1])
    verdicts = register[["wave", "region_code", "indicator_id", "verdict"]]
    reg = reg.merge(verdicts, how="left", on=["wave", "region_code", "indicator_id"])[CONTRACT[REGISTER]]
    reg = reg.astype({"valid_until": "Int64"})

    # the weakest status per indicator; "geen" where a deviating cell has no reason
    order = {c: i for i, c in enumerate(reasons.REASON_CODES)}
    given = {(r.wave, r.region_code, r.indicator_id, r.cell): r.status for r in reg.itertuples(index=False)}
    weakest: dict[tuple, str] = {}
    for r in dev.itertuples(index=False):
        key = (r.wave, r.region_code, r.indicator_id)
        status = given.get((*key, r.cell), reasons.NO_REASON)
        if key not in weakest or order[status] < order[weakest[key]]:
            weakest[key] = status
    deviation = register["verdict"].str.startswith("afwijking_")
    keys = list(zip(register["wave"], register["region_code"], register["indicator_id"]))
    register = register.assign(
        reason_status=[weakest.get(k, reasons.NO_REASON) if d else None for k, d in zip(keys, deviation)]
    )
    register.loc[~register["indicator_id"].isin(reasons.REASON_INDICATORS), "reason_status"] = None

    latest = str(waves[-1])
    problems = pd.DataFrame(
        [
            [line, col, val, rule, msg.format(wave=latest), wave and int(wave.format(wave=latest)), region]
            for line, col, val, rule, msg, wave, region in PROBLEM_ROWS
        ],
        columns=CONTRACT[PROBLEMS],
    ).astype({"row_number": "int64", "wave": "Int64"})
    return {"marts.variation_register": register, f"marts.{REGISTER}": reg, f"marts.{PROBLEMS}": problems}
