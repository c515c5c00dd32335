"""Reading the warehouse for the site, and packing tables compactly into the pages.

Every page embeds the data it shows as JSON (see :func:`to_json`). Tables are
packed by column; a text column with few distinct values is stored once per value
plus an index per row (:func:`pack`), which keeps the 25 regions x 7 waves of the
equipment matrix at a few hundred kilobytes. ``site.js`` unpacks them again.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

MARTS = ("indicator_values", "variation_register", "indicator_summary", "region_scorecard", "equipment_matrix",
         "ring_model_matrix", "plan_exercise_matrix", "recommendation_tracker", "submission_status")


class SiteDataError(RuntimeError):
    """The warehouse lacks what the site needs (the marts have not been built)."""


@dataclass
class SiteData:
    marts: dict[str, pd.DataFrame]
    status: pd.DataFrame  # submission status with earlier_data_in_use
    problems: pd.DataFrame
    regions: pd.DataFrame  # region_code, region_name, population (may be NA)
    waves: list[int]
    risk: pd.DataFrame | None = None  # wave, region_code, method, probability_score, high_risk_sites, large_events
    lessons: pd.DataFrame | None = None
    run_history: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{s}.{t}" if s != "main" else t for s, t in rows}


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


def _df(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def load(con: duckdb.DuckDBPyConnection) -> SiteData:
    tables = _tables(con)
    missing = [m for m in MARTS if f"marts.{m}" not in tables]
    if missing:
        raise SiteDataError("de marts ontbreken in het warehouse (" + ", ".join(missing) +
                            "); bouw eerst de marts")
    marts = {m: _df(con, f"select * from marts.{m}") for m in MARTS}
    notes: list[str] = []

    # submission status: the mart, plus earlier_data_in_use and warnings from staging where the mart lacks them
    status = marts["submission_status"].copy()
    if "stg_submission_status" in tables:
        stg_cols = _columns(con, "stg_submission_status")
        extra = [c for c in ("earlier_data_in_use", "n_warnings") if c in stg_cols and c not in status.columns]
        if extra:
            stg = _df(con, "select distinct on (wave, region_code, module, source_file, status) "
                           f"wave, region_code, module, source_file, status, {', '.join(extra)} "
                           "from stg_submission_status")
            status = status.merge(stg, how="left", on=["wave", "region_code", "module", "source_file", "status"])
    for col, default in (("earlier_data_in_use", False), ("n_warnings", 0)):
        if col not in status.columns:
            status[col] = default
    status["earlier_data_in_use"] = status["earlier_data_in_use"].fillna(False).astype(bool)

    if "stg_problems" in tables:
        problems = _df(con, """select wave, region_code, module, source_file, sheet, row_number, column_name,
                                      value, rule, severity, message
                               from stg_problems order by wave, source_file, sheet, row_number, column_name""")
    else:
        problems = pd.DataFrame(columns=["wave", "region_code", "module", "source_file", "sheet", "row_number",
                                         "column_name", "value", "rule", "severity", "message"])
        notes.append("De tabel stg_problems ontbreekt: geen meldingen per cel beschikbaar.")

    regions = _regions(con, tables, marts)
    waves = sorted({int(w) for m in ("region_scorecard", "variation_register", "submission_status")
                    for w in marts[m]["wave"].dropna().unique()})

    risk = None
    if "stg_risk_assessments" in tables:
        cols = set(_columns(con, "stg_risk_assessments"))
        want = [c for c in ("method", "probability_score", "high_risk_sites", "large_events") if c in cols]
        if "method" in want:
            risk = _df(con, f"select wave, region_code, {', '.join(want)} from stg_risk_assessments "
                            "qualify row_number() over (partition by wave, region_code order by region_code) = 1")
    lessons = None
    if "stg_lessons" in tables:
        cols = set(_columns(con, "stg_lessons"))
        want = [c for c in ("lesson_id", "source", "characteristic", "description", "shared_via", "follow_up",
                            "taken_from_region") if c in cols]
        lessons = _df(con, f"select wave, region_code, {', '.join(want)} from stg_lessons "
                           "order by wave, region_code" + (", lesson_id" if "lesson_id" in want else ""))
    history = None
    if "run_history" in tables:
        history = _df(con, "select * from run_history")
        order = next((c for c in ("recorded_at", "started_at", "finished_at", "timestamp", "run_id")
                      if c in history.columns), None)
        if order is not None:
            history = history.sort_values(order, ascending=False)
        history = history.head(100)
    return SiteData(marts, status, problems, regions, waves, risk, lessons, history, notes)


def _regions(con, tables: set[str], marts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    names: dict[str, str] = {}
    population: dict[str, int] = {}
    for m in ("region_scorecard", "variation_register"):
        df = marts[m]
        for code, name in df[["region_code", "region_name"]].dropna(subset=["region_code"]).drop_duplicates().itertuples(index=False):
            names.setdefault(str(code), str(name) if isinstance(name, str) and name else str(code))
    if "ref_regions" in tables:
        cols = _columns(con, "ref_regions")
        pop = "population" if "population" in cols else "null"
        for code, name, p in con.execute(f"select region_code, region_name, {pop} from ref_regions").fetchall():
            names[str(code)] = str(name or code)
            if p is not None:
                population[str(code)] = int(p)
    for m in MARTS:
        if "region_code" not in marts[m].columns:
            continue
        for code in marts[m]["region_code"].dropna().unique():
            names.setdefault(str(code), str(code))
    codes = sorted(names)
    return pd.DataFrame({"region_code": codes, "region_name": [names[c] for c in codes],
                         "population": [population.get(c) for c in codes]})


# ---------------------------------------------------------------------------- packing


def clean(v):
    """One value as plain JSON: NA -> None, numpy -> Python, floats to 6 significant digits."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in list(v)]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating, decimal.Decimal)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return None
        if f == int(f) and abs(f) < 1e15:
            return int(f)
        return float(f"{f:.6g}")
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat(sep=" ") if isinstance(v, (pd.Timestamp, dt.datetime)) else v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    return str(v)


def pack(df: pd.DataFrame | None, columns: list[str] | None = None) -> dict:
    """A table packed by column: {"n": rows, "c": {col: [values] | {"d": [distinct], "i": [index]}}}."""
    if df is None:
        return {"n": 0, "c": {}}
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    out: dict = {"n": int(len(df)), "c": {}}
    for col in df.columns:
        values = [clean(v) for v in df[col].tolist()]
        if len(values) >= 16 and all(v is None or isinstance(v, str) for v in values):
            distinct = list(dict.fromkeys(values))
            if len(distinct) * 3 <= len(values):
                index = {v: i for i, v in enumerate(distinct)}
                out["c"][col] = {"d": distinct, "i": [index[v] for v in values]}
                continue
        out["c"][col] = values
    return out


def to_json(obj) -> str:
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&' can close the element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
