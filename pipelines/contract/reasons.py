"""Reasons a region gives for a deviation, the rules that let them lapse, and the analyst's judgements.

The one home of these facts (docs/verdicts.md, section 5a): which indicators a
reason can justify and what names a cell of each, the statuses of a reason,
the analyst-maintained rules (``data/reference/substantiation_rules.csv``) and
judgements (``data/reference/wegingen.csv``). A bad rules file stops the run
(like a bad norm); a bad judgement row is reported and ignored, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.contract import indicators as I
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import ReferenceError, _rows, read_rules
from pipelines.contract.verdicts import Look

#: The indicators a region can justify with a reason, in the order of the register.
REASON_INDICATORS = (
    I.PLAN_UNEXERCISED_UNSUBSTANTIATED,
    I.EX_WITH_NCC,
    I.RING_EXERCISED,
    I.RING_CONFORMITY,
    I.EQUIPMENT_PARITY,
)
#: The one plan characteristic whose reason carries each of these indicators.
PLAN_CELL = {I.EX_WITH_NCC: "nationale_opschaling", I.RING_EXERCISED: "ringenmodel"}
#: What a cell of each indicator is, as int_indicator_definitions.reason_cell_kind tells the SQL
#: (int_reason_cells): every plan characteristic, one plan characteristic, or a grid cell.
REASON_CELL_KIND = {
    I.PLAN_UNEXERCISED_UNSUBSTANTIATED: "bijzonderheid",
    I.EX_WITH_NCC: PLAN_CELL[I.EX_WITH_NCC],
    I.RING_EXERCISED: PLAN_CELL[I.RING_EXERCISED],
    I.RING_CONFORMITY: "zone_discipline",
    I.EQUIPMENT_PARITY: "functie_middel",
}

#: The statuses of a reason (register column ``status``); the first two are the analyst's judgements.
ACCEPTED, REJECTED, LAPSED, VALID = REASON_STATUSES = ("aanvaard", "verworpen", "verlopen", "geldig")
JUDGEMENTS = (ACCEPTED, REJECTED)
#: int_reason_verdicts.reason_status for a deviating cell without a reason.
NO_REASON = "geen"
#: Every code a reason's status can take in the marts, weakest first.
REASON_CODES = (NO_REASON, REJECTED, LAPSED, VALID, ACCEPTED)
#: Statuses with which a reason justifies its deviation.
COUNTS = (VALID, ACCEPTED)
STATUS_LABELS = {
    ACCEPTED: "aanvaard door de inspectie",
    REJECTED: "verworpen door de inspectie",
    LAPSED: "verlopen",
    VALID: "geldig",
}
#: The Dutch word of every code of REASON_CODES (the site's filters and badges).
REASON_CODE_LABELS = {NO_REASON: "geen toelichting", **{c: STATUS_LABELS[c] for c in REASON_CODES if c != NO_REASON}}
#: How the site shows each code: a reason that counts in blue, one that does not in orange or grey.
REASON_LOOKS: dict[str, Look] = {
    NO_REASON: Look("#8C8C8C", "○"),
    REJECTED: Look("#D55E00", "✖"),
    LAPSED: Look("#E69F00", "⊘"),
    VALID: Look("#56B4E9", "✓"),
    ACCEPTED: Look("#0072B2", "✔"),
}

#: The rules of substantiation_rules.csv (the file must name every one; these are the shipped values).
RULES = {"max_waves_in_row": 2}

JUDGEMENT_FILE = "wegingen.csv"
RULES_FILE = "substantiation_rules.csv"
JUDGEMENT_COLUMNS = ("wave", "region_code", "indicator_id", "cell", "judgement", "motivation")
JUDGEMENT_OPTIONAL = ("judged_by", "judged_on")


def cells(indicator_id: str) -> tuple[str, ...]:
    """Every cell an indicator's reasons can name (docs/verdicts.md 5a: characteristic, zone/discipline, role/item)."""
    if indicator_id == I.PLAN_UNEXERCISED_UNSUBSTANTIATED:
        return CATALOGUES["bijzonderheid"].codes
    if indicator_id in PLAN_CELL:
        return (PLAN_CELL[indicator_id],)
    if indicator_id == I.RING_CONFORMITY:
        return tuple(f"{z}/{d}" for z, d in MODULES["ringenmodel"].expected_grid())
    if indicator_id == I.EQUIPMENT_PARITY:
        return tuple(f"{r}/{m}" for _, r, m in MODULES["middelen"].expected_grid())
    return ()


def load_substantiation_rules(reference_dir: Path) -> dict[str, int]:
    """The rules of ``substantiation_rules.csv`` (columns rule, value, description); every rule must be there."""
    rules: dict[str, int] = {}
    for name, (text, where) in read_rules(Path(reference_dir) / RULES_FILE, RULES).items():
        try:
            value = int(text)
        except ValueError:
            raise ReferenceError(f"{where}: {text!r} is geen geheel getal") from None
        if value < 1:
            raise ReferenceError(f"{where}: {name} moet minstens 1 zijn")
        rules[name] = value
    return rules


@dataclass(frozen=True)
class Judgement:
    line: int  # the row as a text editor numbers it (header = 1)
    wave: int
    region_code: str
    indicator_id: str
    cell: str
    judgement: str
    motivation: str
    judged_by: str | None
    judged_on: str | None


@dataclass(frozen=True)
class JudgementProblem:
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


def load_judgements(reference_dir: Path, region_codes: list[str]) -> tuple[list[Judgement], list[JudgementProblem]]:
    """The usable rows of ``wegingen.csv`` and, in Dutch, why any other row is ignored.

    A missing file holds no judgements. A key (wave, region, indicator, cell) given twice is ignored both
    times: which judgement the analyst meant cannot be told. Whether the judged reason exists is checked
    in the warehouse, against the register (``int_judgement_problems``).
    """
    path = Path(reference_dir) / JUDGEMENT_FILE
    if not path.is_file():
        return [], []
    rows = _rows(path)
    problems: list[JudgementProblem] = []
    header = set(rows[0]) if rows else set()
    if rows and (missing := [c for c in JUDGEMENT_COLUMNS if c not in header]):
        return [], [
            JudgementProblem(
                1, c, None, "weging.kolom_ontbreekt", f"de kolom '{c}' ontbreekt; het bestand is genegeerd"
            )
            for c in missing
        ]
    known = set(region_codes)
    found: dict[tuple, list[Judgement]] = {}
    for line, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue

        def bad(column: str, rule: str, message: str, _line: int = line, _row: dict = row) -> None:
            problems.append(JudgementProblem(_line, column, _row.get(column) or None, rule, message))

        try:
            wave = int(row["wave"])
        except ValueError:
            bad("wave", "weging.peiljaar", f"peiljaar {row['wave']!r} is geen jaartal; rij genegeerd")
            continue
        region, ind, cell = row["region_code"].upper(), row["indicator_id"].lower(), row["cell"].lower()
        word, motivation = row["judgement"].lower(), row["motivation"]
        if region not in known:
            bad("region_code", "weging.regio", f"onbekende regio {row['region_code']!r}; rij genegeerd")
        elif ind not in REASON_INDICATORS:
            bad(
                "indicator_id",
                "weging.indicator",
                f"bij indicator {row['indicator_id']!r} kan een regio geen toelichting geven "
                f"(wel bij {', '.join(REASON_INDICATORS)}); rij genegeerd",
            )
        elif cell not in cells(ind):
            bad("cell", "weging.cel", f"indicator {ind} heeft geen cel {row['cell']!r}; rij genegeerd")
        elif word not in JUDGEMENTS:
            bad(
                "judgement",
                "weging.oordeel",
                f"oordeel {row['judgement']!r} is niet aanvaard of verworpen; rij genegeerd",
            )
        elif not motivation:
            bad("motivation", "weging.motivering", "een weging zonder motivering telt niet; rij genegeerd")
        else:
            j = Judgement(
                line,
                wave,
                region,
                ind,
                cell,
                word,
                motivation,
                row.get("judged_by") or None,
                row.get("judged_on") or None,
            )
            found.setdefault((wave, region, ind, cell), []).append(j)
    usable = []
    for key, js in found.items():
        if len(js) == 1:
            usable.append(js[0])
            continue
        for j in js:
            problems.append(
                JudgementProblem(
                    j.line,
                    None,
                    None,
                    "weging.dubbel",
                    f"{key[1]} {key[0]} {key[2]} {key[3]} is {len(js)} keer gewogen "
                    f"(rijen {', '.join(str(x.line) for x in js)}); alle genegeerd",
                )
            )
    return usable, sorted(problems, key=lambda p: (p.line or 0, p.rule))


#: The columns of the warehouse table ref_judgements: every row of wegingen.csv, usable or not.
JUDGEMENT_TABLE = {
    "line": "integer",
    "wave": "integer",
    "region_code": "varchar",
    "indicator_id": "varchar",
    "cell": "varchar",
    "judgement": "varchar",
    "motivation": "varchar",
    "judged_by": "varchar",
    "judged_on": "varchar",
    "problem_rule": "varchar",
    "problem_column": "varchar",
    "problem_value": "varchar",
    "problem_message": "varchar",
}
JUDGEMENT_TABLE_COLUMNS = tuple(JUDGEMENT_TABLE)


def judgement_rows(reference_dir: Path, region_codes: list[str]) -> list[tuple]:
    """The rows of ref_judgements (:data:`JUDGEMENT_TABLE_COLUMNS`): a usable judgement has no problem;
    an ignored row keeps only its line and why (a problem about the file has line 1)."""
    usable, problems = load_judgements(reference_dir, region_codes)
    rows: list[tuple] = [
        (
            j.line,
            j.wave,
            j.region_code,
            j.indicator_id,
            j.cell,
            j.judgement,
            j.motivation,
            j.judged_by,
            j.judged_on,
            None,
            None,
            None,
            None,
        )
        for j in usable
    ]
    rows += [(p.line, *([None] * 8), p.rule, p.column, p.value, p.message) for p in problems]
    return sorted(rows, key=lambda r: (r[0] or 0, r[9] or ""))
