"""Plausibility warnings: the checks on a valid return against the region's own previous returns, and their bounds.

The one home of these facts (docs/plausibility.md): the problem rule code of
every check, its Dutch meaning, and the analyst-maintained bounds
(``data/reference/plausibility_rules.csv``). The checks themselves are SQL
(``pipelines/sql/intermediate/int_plausibility.sql``). A warning never rejects a
module and never changes a verdict: it is published in ``submission_problems``
(severity ``waarschuwing``) and beside every verdict computed from the module
(``variation_register.check_return``). A bad rules file stops the run, like a
bad norm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.contract.reference import ReferenceError, read_rules

RULES_FILE = "plausibility_rules.csv"
#: The words the site and the docs put before a warning.
MARK = "controleer de aanlevering"
#: Every problem rule of a plausibility warning starts with this.
PREFIX = "plausibel."

#: The checks (problem rule code -> what it finds, in Dutch).
CHECKS = {
    "plausibel.module_leeg": "een module zonder rijen, waar de regio eerder gemiddeld veel rijen aanleverde",
    "plausibel.aantal_sprong": "het aantal rijen van een module (oefeningen, lessen) ver onder of boven het eigen gemiddelde",
    "plausibel.aandeel_sprong": "een landelijk vergeleken aandeel dat vele procentpunten verspringt tegen de eigen eerdere aanleveringen",
    "plausibel.omslag": "een raster (planvorming, ringenmodel, middelen) waarvan een groot deel van de antwoorden anders is dan in de vorige aanlevering",
    "plausibel.tegenstrijdig": "een aanlevering die zichzelf tegenspreekt (beschikbaarheid tegen aantal, vaststelling tegen datum)",
}


@dataclass(frozen=True)
class Bound:
    """One rule of plausibility_rules.csv: its shipped value and the values it may take."""

    default: float
    kind: str  # 'count' (a whole number >= 1), 'share' (above 0, at most 1) or 'factor' (above 1)


#: The rules of plausibility_rules.csv (the file must name every one; these are the shipped values).
RULES = {
    "previous_returns": Bound(3, "count"),
    "min_previous_returns": Bound(2, "count"),
    "count_min_expected": Bound(5, "count"),
    "count_drop_share": Bound(0.15, "share"),
    "count_rise_factor": Bound(4, "factor"),
    "share_min_denominator": Bound(5, "count"),
    "share_jump": Bound(0.6, "share"),
    "grid_change_share": Bound(0.5, "share"),
}


def _valid(kind: str, value: float) -> bool:
    if kind == "count":
        return value >= 1 and value == int(value)
    if kind == "share":
        return 0 < value <= 1
    return value > 1


_KIND_TEXT = {
    "count": "een geheel getal van minstens 1",
    "share": "een getal boven 0 en hoogstens 1",
    "factor": "een getal boven 1",
}


def load_plausibility_rules(reference_dir: Path) -> dict[str, float]:
    """The bounds of ``plausibility_rules.csv`` (columns rule, value, description); every rule must be there."""
    path = Path(reference_dir) / RULES_FILE
    rules: dict[str, float] = {}
    for name, (text, where) in read_rules(path, RULES).items():
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise ReferenceError(f"{where}: {text!r} is geen getal") from None
        kind = RULES[name].kind
        if not _valid(kind, value):
            raise ReferenceError(f"{where}: {name} moet {_KIND_TEXT[kind]} zijn, niet {text!r}")
        rules[name] = value
    if rules["min_previous_returns"] > rules["previous_returns"]:
        raise ReferenceError(f"{path}: min_previous_returns mag niet groter zijn dan previous_returns")
    return rules
