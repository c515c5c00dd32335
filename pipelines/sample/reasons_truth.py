"""The ground truth of the reasons: every reason the register must hold, and the analyst's judgements.

``tests/ground_truth/reasons.csv`` lists every reason of every wave (full
coverage: the consecutive-wave rule looks back, so the earlier waves matter
too), with the status the oracle (:mod:`pipelines.sample.weighing`) gives it and
the signals the register must carry; a planted reason's note says why.
``wegingen.csv`` holds the design's judgements in the columns of
:mod:`pipelines.contract.reasons`. Before anything is written, every planted
reason is checked against the oracle, and every judgement against the register:
a design intention the data do not hold raises.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.contract.reasons import JUDGEMENT_COLUMNS, JUDGEMENT_OPTIONAL, LAPSED, REASON_INDICATORS, RULES
from pipelines.sample.model import Design, ReasonPlant
from pipelines.sample.weighing import PASSED, Reason, Weighing

REASON_TRUTH_COLUMNS = (
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
#: Who judged, in the shipped file (a role, not a person: wegingen.csv is reference data, not personal data).
JUDGED_BY = "inspecteur TGB"


def complete(d: Design, since: int | None) -> bool:
    """Whether every wave from ``since`` to the last is generated (a plant's intention needs them)."""
    return since is None or all(y in d.waves for y in range(since, d.waves[-1] + 1))


def _check_reasons(d: Design, weighing: Weighing) -> None:
    """Every planted reason has the status and signals intended, and every judgement names a reason."""
    problems = []
    for rp in d.reason_plants:
        if not complete(d, rp.since):
            continue
        r = weighing.reasons.get((rp.wave, rp.region, rp.indicator, rp.cell))
        if r is None:
            problems.append(f"{_key(rp)}: planted reason is not in the register")
            continue
        expected = {
            "status": rp.status,
            "rule_status": rp.rule_status,
            "contradiction": rp.contradiction,
            "years_named_past": rp.years_named_past,
            "waves_same_text_in_row": rp.waves_same_text_in_row,
            "n_other_regions_same_text": len(d.shared_text[rp.wave]) - 1 if rp.shared else None,
        }
        for name, want in expected.items():
            if want is not None and getattr(r, name) != want:
                problems.append(f"{_key(rp)}: planted {name} {want!r}, data give {getattr(r, name)!r}")
    planted = {(rp.wave, rp.region, rp.indicator, rp.cell) for rp in d.reason_plants}
    problems += [f"{key}: judged, but not a planted reason" for key in d.judgements if key not in planted]
    if problems:
        raise AssertionError("sample: planted reasons do not hold:\n" + "\n".join(problems[:20]))


def _key(rp: ReasonPlant) -> str:
    return f"{rp.wave} {rp.region} {rp.indicator} {rp.cell}"


def _reason_rows(d: Design, weighing: Weighing) -> list[dict]:
    """One row per reason of the register, every wave."""
    planted = {(rp.wave, rp.region, rp.indicator, rp.cell): rp for rp in d.reason_plants if complete(d, rp.since)}
    order = {ind: i for i, ind in enumerate(REASON_INDICATORS)}
    rows = []
    for key, r in sorted(weighing.reasons.items(), key=lambda kv: (kv[0][0], kv[0][1], order[kv[0][2]], kv[0][3])):
        rp = planted.get(key)
        rows.append(
            {
                "wave": r.wave,
                "region_code": r.region,
                "indicator_id": r.indicator,
                "cell": r.cell,
                "expected_status": r.status,
                "contradiction": "true" if r.contradiction else "false",
                "years_named_past": ", ".join(str(y) for y in r.years_named_past),
                "n_other_regions_same_text": r.n_other_regions_same_text,
                "note": rp.note if rp is not None else _background_note(r),
            }
        )
    return rows


def _background_note(r: Reason) -> str:
    n, most = r.deviation_waves_in_row, RULES["max_waves_in_row"]
    row = f"deviation {n} wave{'s' if n > 1 else ''} in a row"
    if r.judgement:
        why = f"judged {r.judgement} in wegingen.csv (rules: {r.rule_status})"
    elif r.status == LAPSED and r.rule_reason == PASSED:
        why = f"geldig_tot {r.valid_until} is before the wave: {r.status}"
    elif r.status == LAPSED:
        why = f"more than {most}: {r.status}"
    else:
        until = f", geldig_tot {r.valid_until}" if r.valid_until is not None else ""
        why = f"at most {most}{until}: {r.status}"
    return f"Background reason, {row}; {why}."


def _judgement_rows(d: Design, weighing: Weighing) -> list[dict]:
    """The design's judgements of reasons the register holds (a design cut short by too few waves may lack
    some of them: a judgement of nothing would only be reported as a problem)."""
    rows = []
    for (wave, region, indicator, cell), (word, motivation) in sorted(d.judgements.items()):
        if (wave, region, indicator, cell) not in weighing.reasons:
            continue
        rows.append(
            {
                "wave": wave,
                "region_code": region,
                "indicator_id": indicator,
                "cell": cell,
                "judgement": word,
                "motivation": motivation,
                "judged_by": JUDGED_BY,
                "judged_on": f"{wave + 1}-03-16",  # in the spring after the returns of the wave
            }
        )
    return rows


def _write_csv(rows: list[dict], columns, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _write_judgements(rows: list[dict], path: Path) -> None:
    _write_csv(rows, JUDGEMENT_COLUMNS + JUDGEMENT_OPTIONAL, path)


def _write_reasons(rows: list[dict], path: Path) -> None:
    _write_csv(rows, REASON_TRUTH_COLUMNS, path)
