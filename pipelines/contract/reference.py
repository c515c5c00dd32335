"""Analyst-maintained reference data under ``data/reference/``: the region set and the norms.

The region set is whatever ``regions.csv`` holds. Nothing else in the project
knows how many regions there are or what their codes look like.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES


class ReferenceError(ValueError):
    """The reference data itself is wrong; the pipeline cannot run on it."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population: int


def slug(name: str) -> str:
    """A region's name in file names (workbooks, templates).

    ASCII, lower-case, hyphens: ``Fryslân`` -> ``fryslan``, ``Noord- en Oost-Gelderland`` -> ``noord-en-oost-gelderland``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for ch in text:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "regio"


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ReferenceError(f"referentiebestand ontbreekt: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def load_regions(reference_dir: Path) -> list[Region]:
    """The regions from ``regions.csv`` (columns region_code, region_name, population)."""
    path = Path(reference_dir) / "regions.csv"
    regions, seen = [], set()
    for i, row in enumerate(_rows(path), start=2):
        code = row.get("region_code", "").upper()
        if not code or code in seen:
            raise ReferenceError(f"{path}, rij {i}: regiocode leeg of dubbel ({code!r})")
        try:
            population = int(row.get("population", ""))
        except ValueError:
            raise ReferenceError(
                f"{path}, rij {i}: inwoneraantal {row.get('population')!r} is geen geheel getal"
            ) from None
        if population <= 0:
            raise ReferenceError(f"{path}, rij {i}: inwoneraantal moet positief zijn")
        seen.add(code)
        regions.append(Region(code, row.get("region_name") or code, population))
    if not regions:
        raise ReferenceError(f"{path} bevat geen regio's")
    return regions


@dataclass(frozen=True)
class Norm:
    key: tuple[str, ...]
    code: str | None  # None: take the national mode of the wave
    source: str


def _load_norms(
    path: Path, key_fields: tuple[str, ...], norm_field: str, catalogue: str, expected: list[tuple[str, ...]]
) -> dict[tuple[str, ...], Norm]:
    codes = CATALOGUES[catalogue].codes
    norms: dict[tuple[str, ...], Norm] = {}
    for i, row in enumerate(_rows(path), start=2):
        key = tuple(row.get(k, "").lower() for k in key_fields)
        if key not in expected:
            raise ReferenceError(f"{path}, rij {i}: onbekende combinatie {key}")
        code = row.get(norm_field, "").lower() or None
        if code is not None and code not in codes:
            raise ReferenceError(f"{path}, rij {i}: {code!r} is geen code uit '{catalogue}' ({', '.join(codes)})")
        norms[key] = Norm(key, code, row.get("source", ""))
    for key in expected:  # a cell the file does not mention is an empty cell
        norms.setdefault(key, Norm(key, None, ""))
    return norms


def load_ring_norms(reference_dir: Path) -> dict[tuple[str, ...], Norm]:
    """Norm access per (zone, discipline); ``code`` None means: national mode."""
    return _load_norms(
        Path(reference_dir) / "ring_model_norms.csv",
        ("zone", "discipline"),
        "norm_access",
        "toegang",
        MODULES["ringenmodel"].expected_grid(),
    )


def load_equipment_norms(reference_dir: Path) -> dict[tuple[str, ...], Norm]:
    """Norm availability per (discipline, role, item); ``code`` None means: national mode."""
    return _load_norms(
        Path(reference_dir) / "equipment_norms.csv",
        ("discipline", "role", "item"),
        "norm_level",
        "beschikbaarheid",
        MODULES["middelen"].expected_grid(),
    )


def read_rules(path: Path, known) -> dict[str, tuple[str, str]]:
    """The rows of an analyst's rules file (columns rule, value, description): rule -> (value as written,
    where it stands, for a message). An unknown, doubled or missing rule stops the run, as a bad norm does."""
    found: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(_rows(path), start=2):
        name = row.get("rule", "")
        if name not in known:
            raise ReferenceError(f"{path}, rij {i}: onbekende regel {name!r} (bekend: {', '.join(known)})")
        if name in found:
            raise ReferenceError(f"{path}, rij {i}: de regel {name!r} staat er twee keer in")
        found[name] = (row.get("value", ""), f"{path}, rij {i}")
    if missing := [r for r in known if r not in found]:
        raise ReferenceError(f"{path}: de regel(s) {', '.join(missing)} ontbreken")
    return found
