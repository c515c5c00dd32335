"""The batch GX checks: a module's rows for all regions, typed, with helper columns and placeholder rows.

Pure pandas; no expectation is built or run here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipelines.contract.catalogues import MULTI_SEPARATOR, ROLE_DISCIPLINE
from pipelines.contract.codebook import REGION_COLUMN, Field, Module
from pipelines.ingest.validation.rules import CONDITIONAL_RULES, MISSING, N_REGION_ROWS, Reference, codes_of

# ---------------------------------------------------------------------------
# The batch: a module's rows for all regions, with helper columns
# ---------------------------------------------------------------------------


def _as_list(value) -> list[str]:
    if value is None or value is pd.NA:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        return [c.strip().lower() for c in value.split(MULTI_SEPARATOR) if c.strip()]
    return [str(c) for c in value]


def _year(value):
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.year
    return None


def _column(frame: pd.DataFrame, name: str, n: int) -> pd.Series:
    if name in frame.columns:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * n, dtype="object")


def _role_pair(module: Module) -> tuple[Field, Field] | None:
    """The role field and the discipline field of a module that has both (middelen)."""
    role = next((f for f in module.stored_fields if f.catalogue == "functie"), None)
    discipline = next((f for f in module.stored_fields if f.catalogue == "discipline"), None)
    return (role, discipline) if role is not None and discipline is not None else None


def _exercise_ids(frames: Mapping[str, pd.DataFrame], ref: Reference) -> dict[str, list[str]]:
    target = frames.get(ref.target)
    if target is None or not len(target) or ref.target_field not in target.columns:
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for code, value in zip(target[REGION_COLUMN], target[ref.target_field]):
        if isinstance(code, str) and isinstance(value, str) and value not in out[code]:
            out[code].append(value)
    return dict(out)


def _batch(
    module: Module,
    frame: pd.DataFrame | None,
    wave: int | None,
    known: Mapping[str, Mapping[str, list[str]]],
    sheets: Mapping[str, tuple[str, str]],
) -> pd.DataFrame:
    """All rows of the module (all regions), typed for GX, with helper and placeholder rows."""
    frame = frame if frame is not None else pd.DataFrame()
    n = len(frame)
    b = pd.DataFrame(
        {
            REGION_COLUMN: _column(frame, REGION_COLUMN, n).astype("object"),
            "_file": _column(frame, "_file", n).astype("object"),
            "_sheet": _column(frame, "_sheet", n).astype("object"),
            "_row": pd.array(_column(frame, "_row", n), dtype="Int64"),
        }
    )
    b[REGION_COLUMN] = b[REGION_COLUMN].where(b[REGION_COLUMN].notna() & (b[REGION_COLUMN] != ""), None)
    for f in module.stored_fields:
        s = _column(frame, f.name, n)
        if f.kind == "codes":
            lists = s.map(_as_list)
            b[f.name] = lists.map(lambda codes: MULTI_SEPARATOR.join(codes) if codes else None).astype("object")
            allowed = set(codes_of(f))
            b[f"_buiten_lijst__{f.name}"] = lists.map(
                lambda codes: MULTI_SEPARATOR.join(c for c in codes if c not in allowed) or None
            ).astype("object")
        elif f.kind == "int":
            b[f.name] = pd.array(s, dtype="Int64")
        elif f.kind == "bool":
            b[f.name] = pd.array(s, dtype="boolean")
        elif f.kind == "date":
            b[f.name] = s.map(lambda v: v if isinstance(v, (dt.date, pd.Timestamp)) else None).astype("object")
        else:
            s = s.astype("object")
            b[f.name] = s.where(s.notna() & (s != ""), None)

    pair = _role_pair(module)
    if pair is not None:
        role, discipline = pair
        disciplines = set(codes_of(discipline))
        known_pair = b[role.name].isin(list(ROLE_DISCIPLINE)) & b[discipline.name].isin(list(disciplines))
        b[f"_discipline_van__{role.name}"] = b[role.name].map(ROLE_DISCIPLINE).astype("object").where(known_pair, None)
    for module_name, name in CONDITIONAL_RULES.in_wave_year:
        if module_name == module.name:
            years = b[name].map(_year) if wave is not None else pd.Series([None] * n, dtype="object")
            b[f"_jaren_na_peiljaar__{name}"] = pd.array(years, dtype="Int64") - (wave or 0)
    for r in CONDITIONAL_RULES.references:
        if r.module == module.name:
            ids = known.get(r.target, {})
            applies = (b[r.when_field] == r.when_value).fillna(False).astype(bool) & b[r.field].notna()
            exists = [bool(v in ids.get(c, ())) for c, v in zip(b[REGION_COLUMN], b[r.field])]
            b[f"_bestaat__{r.field}"] = pd.Series(exists, dtype="object").where(applies.to_numpy(), None)
    for module_name, name, _rule in CONDITIONAL_RULES.not_own_region:
        if module_name == module.name:
            filled = b[name].notna() & b[REGION_COLUMN].notna()
            b[f"_andere_regio__{name}"] = (b[name] != b[REGION_COLUMN]).astype("object").where(filled, None)

    b[MISSING] = pd.Series([None] * n, dtype="object")
    if module.rows in ("one", "grid"):
        b = _add_placeholders(module, b, sheets)
    b.insert(0, "_idx", np.arange(len(b), dtype="int64"))
    return b


def _add_placeholders(module: Module, b: pd.DataFrame, sheets: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Rows for what a region did not send: its one row, or each missing grid combination."""
    has_region = b[REGION_COLUMN].notna().to_numpy()
    present = b[has_region]
    firsts = present.drop_duplicates(REGION_COLUMN)
    where = dict(zip(firsts[REGION_COLUMN], zip(firsts["_file"], firsts["_sheet"])))
    for code, loc in sheets.items():
        where.setdefault(code, loc)
    if module.rows == "one":
        counts = present.groupby(REGION_COLUMN).size()
        b[N_REGION_ROWS] = pd.array(b[REGION_COLUMN].map(counts), dtype="Int64")
        absent = [code for code in where if code not in counts.index]
        extra = pd.DataFrame({REGION_COLUMN: absent, MISSING: ["de rij van de regio"] * len(absent)})
        extra[N_REGION_ROWS] = 0
    else:
        extra = _missing_combinations(module, present, list(where))
    if not len(extra):
        return b
    extra["_file"] = [where[c][0] for c in extra[REGION_COLUMN]]
    extra["_sheet"] = [where[c][1] for c in extra[REGION_COLUMN]]
    extra = extra.reindex(columns=b.columns)
    for name in b.columns:  # the batch's dtypes (Int64, boolean) also for the placeholders' empty values
        keep_object = name in (MISSING, REGION_COLUMN, "_file", "_sheet") or b[name].dtype == object
        extra[name] = (
            extra[name].astype("object").where(extra[name].notna(), None)
            if keep_object
            else extra[name].astype(b[name].dtype)
        )
    return pd.concat([b, extra], ignore_index=True)


def _missing_combinations(module: Module, present: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """(region, combination text) of every expected grid combination a region lacks.

    Vectorised: each row's combination becomes one integer (the position of each grid
    field's code in its catalogue, mixed radix), so that 2,500 regions x 64 rows stay cheap.
    """
    catalogues = [codes_of(module.field(name)) for name in module.grid]
    sizes = [len(c) for c in catalogues]
    radix = np.cumprod([1] + sizes[:0:-1])[::-1]  # weight of each field in the combination number
    n_all = int(np.prod(sizes))

    def number(columns: list[np.ndarray]) -> np.ndarray:
        return sum(col.astype("int64") * w for col, w in zip(columns, radix))

    expected = [[codes.index(code) for codes, code in zip(catalogues, combo)] for combo in module.expected_grid()]
    expected_numbers = number([np.array(col) for col in zip(*expected)])
    region_ids = pd.Index(regions)
    positions = [pd.Index(codes).get_indexer(present[name]) for name, codes in zip(module.grid, catalogues)]
    region_pos = region_ids.get_indexer(present[REGION_COLUMN])
    ok = (region_pos >= 0) & np.logical_and.reduce([p >= 0 for p in positions])
    got = np.unique(region_pos[ok].astype("int64") * n_all + number([p[ok] for p in positions]))
    wanted = (np.arange(len(regions), dtype="int64")[:, None] * n_all + expected_numbers[None, :]).ravel()
    missing = np.setdiff1d(wanted, got, assume_unique=True)
    text = {int(n): ", ".join(combo) for n, combo in zip(expected_numbers, module.expected_grid())}
    return pd.DataFrame(
        {REGION_COLUMN: [regions[int(m) // n_all] for m in missing], MISSING: [text[int(m) % n_all] for m in missing]}
    )
