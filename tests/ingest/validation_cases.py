"""A valid return built from the codebook, and the corpus cases that each break one validation rule.

Shared by test_validation.py (files through GX) and test_validation_worker.py (the same cases in the
worker process). Each case is ``case_<name>(sheets, code)``: it changes the sheets of one region's
valid return in place and returns the problems it expects.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from pipelines.contract.codebook import CATALOGUES, MODULES
from pipelines.ingest.readers import SheetTable, parse_module
from pipelines.sample import write_workbook

WAVE = 2024
CODES = [f"VR{i:02d}" for i in range(1, 26)]


# ---------------------------------------------------------------------------
# A valid return, from the codebook
# ---------------------------------------------------------------------------


def _valid_value(f, wave: int):
    if f.kind in ("code", "codes"):
        return CATALOGUES[f.catalogue].codes[0]
    if f.kind == "int":
        v = 3
        v = max(v, f.min) if f.min is not None else v
        return str(min(v, f.max) if f.max is not None else v)
    if f.kind == "bool":
        return "ja"
    if f.kind == "date":
        return f"{wave}-03-15"
    if f.kind == "region":
        return None
    if f.name == "email":
        return "ans.devries@example.nl"
    if f.kind == "freetext":
        return "Tekst met <b>opmaak</b>, & en =SOM(A1)"
    return f"{f.name} ingevuld"


def valid_return(code: str, wave: int = WAVE) -> dict[str, list[dict]]:
    """One region's complete, valid return: sheet name -> rows of cell values."""
    other = next(c for c in CODES if c != code)
    sheets: dict[str, list[dict]] = {}
    for m in MODULES.values():

        def row(**values):
            r = {f.name: _valid_value(f, wave) for f in m.fields}
            r.update(values)
            return r

        if m.rows == "one":
            sheets[m.name] = [row()]
        elif m.rows == "grid":
            sheets[m.name] = [row(**dict(zip(m.grid, combo))) for combo in m.expected_grid()]
        else:
            sheets[m.name] = [row(**{k: f"{k.split('_')[0][:3].upper()}-{i}" for k in m.key}) for i in (1, 2)]
    sheets["oefeningen"][0]["disciplines"] = "brandweer | politie"
    sheets["lessen"][0].update(bron="oefening", bron_oefening_id="OEF-1")
    sheets["lessen"][1].update(bron="andere_regio", bron_oefening_id=None, overgenomen_van=other)
    assert [r["oefening_id"] for r in sheets["oefeningen"]] == ["OEF-1", "OEF-2"]
    assert [r["les_id"] for r in sheets["lessen"]] == ["LES-1", "LES-2"]
    return sheets


HEADERS = {m.name: list(m.field_names) for m in MODULES.values()}


def write_return(path: Path, sheets: dict[str, list[dict]]) -> Path:
    write_workbook(path, sheets, header_order=HEADERS)
    return path


def row_of(rows: list[dict], **match) -> int:
    """Index of the only row with these values."""
    found = [i for i, r in enumerate(rows) if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def excel_row(index: int) -> int:
    return index + 2  # header in row 1


def frames_of(returns: dict[str, dict[str, list[dict]]], wave: int = WAVE) -> dict[str, pd.DataFrame]:
    """The validator's input as ingest builds it, without files: parsed by the real reader."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for code, sheets in returns.items():
        for name, rows in sheets.items():
            header = HEADERS[name]
            cells = [["" if r.get(h) is None else str(r[h]) for h in header] for r in rows]
            table = SheetTable(f"{wave}/{code}.xlsx", name, header, cells, [excel_row(i) for i in range(len(rows))])
            frame, problems = parse_module(table, MODULES[name], region_code=code)
            assert problems == []
            frames.setdefault(name, []).append(frame.assign(_file=table.file, _sheet=name, _sha="0" * 64))
    return {name: pd.concat(fs, ignore_index=True) for name, fs in frames.items()}


# ---------------------------------------------------------------------------
# The corpus: one broken thing per workbook
# ---------------------------------------------------------------------------

# Each case: (name, mutate(sheets, code) -> expected problems as (rule, sheet, row index or None, column, value)).
# A row index is the position in the sheet's row list (Excel row = index + 2).


def case_verplicht_code(s, code):
    s["risico"][0]["methode"] = None
    return [("verplicht", "risico", 0, "methode", None)]


def case_verplicht_meerkeuze(s, code):
    s["oefeningen"][1]["disciplines"] = " | "  # separators only: no code at all
    return [("verplicht", "oefeningen", 1, "disciplines", None)]


def case_catalogus_code(s, code):
    i = row_of(s["ringenmodel"], zone="cold", discipline="politie")
    s["ringenmodel"][i]["toegang"] = "vrj"
    return [("catalogus", "ringenmodel", i, "toegang", "vrj")]


def case_catalogus_rasterveld(s, code):
    i = row_of(s["ringenmodel"], zone="hot", discipline="brandweer")
    s["ringenmodel"][i]["discipline"] = "brandwer"
    return [
        ("catalogus", "ringenmodel", i, "discipline", "brandwer"),
        ("volledig", "ringenmodel", None, "zone, discipline", "hot, brandweer"),
    ]


def case_catalogus_meerkeuze(s, code):
    s["oefeningen"][0]["disciplines"] = "brandweer|brandwer"
    return [("catalogus", "oefeningen", 0, "disciplines", "brandwer")]


def case_bereik_max(s, code):
    s["risico"][0]["kans_score"] = "9"
    return [("bereik", "risico", 0, "kans_score", "9")]


def case_bereik_min(s, code):
    s["oefeningen"][1]["deelnemers"] = "0"
    return [("bereik", "oefeningen", 1, "deelnemers", "0")]


def case_regio_onbekend(s, code):
    s["lessen"][1]["overgenomen_van"] = "VR99"
    return [("regio_bekend", "lessen", 1, "overgenomen_van", "VR99")]


def case_overgenomen_van_eigen_regio(s, code):
    s["lessen"][1]["overgenomen_van"] = code.lower()  # the reader upper-cases region codes
    return [("overgenomen_van", "lessen", 1, "overgenomen_van", code)]


def case_overgenomen_van_leeg(s, code):
    s["lessen"][1]["overgenomen_van"] = None
    return [("overgenomen_van", "lessen", 1, "overgenomen_van", None)]


def case_uniek(s, code):
    s["oefeningen"][1]["oefening_id"] = "OEF-1"
    return [("uniek", "oefeningen", 0, "oefening_id", "OEF-1"), ("uniek", "oefeningen", 1, "oefening_id", "OEF-1")]


def case_uniek_samengesteld(s, code):
    i = row_of(s["ringenmodel"], zone="hot", discipline="brandweer")
    j = row_of(s["ringenmodel"], zone="warm", discipline="brandweer")
    s["ringenmodel"][j]["zone"] = "hot"
    return [
        ("uniek", "ringenmodel", i, "zone, discipline", "hot, brandweer"),
        ("uniek", "ringenmodel", j, "zone, discipline", "hot, brandweer"),
        ("volledig", "ringenmodel", None, "zone, discipline", "warm, brandweer"),
    ]


def case_een_rij_twee(s, code):
    s["risico"].append(copy.deepcopy(s["risico"][0]))
    return [("een_rij", "risico", 0, None, "2"), ("een_rij", "risico", 1, None, "2")]


def case_een_rij_geen(s, code):
    s["meta"] = []  # the sheet with its header only
    return [("een_rij", "meta", None, None, "0")]


def case_volledig(s, code):
    s["planvorming"].pop(row_of(s["planvorming"], bijzonderheid="cbrn"))
    return [("volledig", "planvorming", None, "bijzonderheid", "cbrn")]


def case_functie_discipline(s, code):
    i = row_of(s["middelen"], discipline="brandweer", functie="manschap", middel="helm")
    s["middelen"][i]["discipline"] = "politie"
    return [
        ("functie_discipline", "middelen", i, "functie", "manschap"),
        ("volledig", "middelen", None, "discipline, functie, middel", "brandweer, manschap, helm"),
    ]


def case_datum_peiljaar(s, code):
    s["oefeningen"][0]["datum"] = f"31-12-{WAVE - 1}"
    return [("datum_peiljaar", "oefeningen", 0, "datum", f"{WAVE - 1}-12-31")]


def case_datum_vastgesteld(s, code):
    s["risico"][0].update(bestuurlijk_vastgesteld="Ja", datum_vastgesteld=None)
    return [("datum_vastgesteld", "risico", 0, "datum_vastgesteld", None)]


def case_bron_oefening_leeg(s, code):
    s["lessen"][0]["bron_oefening_id"] = None
    return [("bron_oefening", "lessen", 0, "bron_oefening_id", None)]


def case_bron_oefening_onbekend(s, code):
    s["lessen"][0]["bron_oefening_id"] = "OEF-9"
    return [("bron_oefening", "lessen", 0, "bron_oefening_id", "OEF-9")]


def case_meerdere_fouten(s, code):
    """Several errors in one file: all are reported, not only the first."""
    s["risico"][0].update(kans_score="9", impact_score="0")
    a = row_of(s["ringenmodel"], zone="hot", discipline="politie")
    b = row_of(s["ringenmodel"], zone="cold", discipline="ambulance")
    s["ringenmodel"][a]["toegang"] = "soms"
    s["ringenmodel"][b]["toegang"] = "altijd"
    s["lessen"][1]["overgenomen_van"] = code
    return [
        ("bereik", "risico", 0, "kans_score", "9"),
        ("bereik", "risico", 0, "impact_score", "0"),
        ("catalogus", "ringenmodel", a, "toegang", "soms"),
        ("catalogus", "ringenmodel", b, "toegang", "altijd"),
        ("overgenomen_van", "lessen", 1, "overgenomen_van", code),
    ]


CASES = [(name[len("case_") :], fn) for name, fn in list(globals().items()) if name.startswith("case_")]
assert len(CASES) + 3 <= len(CODES)  # one region per case; VR01 is the valid one, VR24 and VR25 have other roles
