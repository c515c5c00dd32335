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
import re
from collections import Counter
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract.catalogues import readable
from pipelines.contract.statuses import ABSENT

MARTS = (
    "indicator_values",
    "variation_register",
    "indicator_summary",
    "region_scorecard",
    "equipment_matrix",
    "ring_model_matrix",
    "plan_exercise_matrix",
    "recommendation_tracker",
    "submission_status",
    "substantiation_register",
    "judgement_problems",
)

#: The learning marts (issue 21): read where the warehouse has them; a site without them says so on its page.
LEARNING_MARTS = (
    "learning_matches",
    "lesson_flows",
    "lesson_roles",
    "deviation_followup",
    "recommendation_followup",
)


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
    default_wave: int | None = None  # the wave the site opens on: the latest with any return
    #: GX's results folder as a link from the site's root, ending in '/' (None: the project's default folders)
    validation_href: str | None = None
    # marts.region_peers (wave, region_code, rank, peer_code, distance, features) and per wave and region its
    # risk basis (population, high_risk_sites, large_events); None where the warehouse has no peers
    peers: pd.DataFrame | None = None
    peer_basis: pd.DataFrame | None = None

    def __post_init__(self):
        if self.default_wave is None and self.waves:
            st = self.status
            with_returns = (
                sorted({int(w) for w in st.loc[st["status"] != ABSENT, "wave"].dropna().unique()})
                if len(st) and "status" in st.columns
                else []
            )
            self.default_wave = with_returns[-1] if with_returns else self.waves[-1]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{s}.{t}" if s != "main" else t for s, t in rows}


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


def _df(con, sql: str, params=None) -> pd.DataFrame:
    """A query as a DataFrame, through Arrow (several times faster than ``.df()`` on wide text tables)."""
    return con.sql(sql, params=params or None).to_arrow_table().to_pandas()


def load(con: duckdb.DuckDBPyConnection) -> SiteData:
    tables = _tables(con)
    missing = [m for m in MARTS if f"marts.{m}" not in tables]
    if missing:
        raise SiteDataError("de marts ontbreken in het warehouse (" + ", ".join(missing) + "); bouw eerst de marts")
    marts = {m: _df(con, f"select * from marts.{m}") for m in MARTS}
    # the cells a substantiation names (ovd_p/helm) in words: the site shows it to people, the CSV keeps the codes
    reg = marts["variation_register"]
    if "substantiation" in reg.columns:
        reg["substantiation"] = reg["substantiation"].map(lambda t: readable(t) if isinstance(t, str) else t)
    marts.update({m: _df(con, f"select * from marts.{m}") for m in LEARNING_MARTS if f"marts.{m}" in tables})
    notes: list[str] = []

    # submission status: the mart, plus earlier_data_in_use and warnings from staging where the mart lacks them
    status = marts["submission_status"].copy()
    if "stg_submission_status" in tables:
        stg_cols = _columns(con, "stg_submission_status")
        extra = [c for c in ("earlier_data_in_use", "n_warnings") if c in stg_cols and c not in status.columns]
        if extra:
            stg = _df(
                con,
                "select distinct on (wave, region_code, module, source_file, status) "
                f"wave, region_code, module, source_file, status, {', '.join(extra)} "
                "from stg_submission_status",
            )
            status = status.merge(stg, how="left", on=["wave", "region_code", "module", "source_file", "status"])
    for col, default in (
        ("earlier_data_in_use", False),
        ("n_warnings", 0),
        ("validation_run", None),
        ("validation_path", None),
    ):
        if col not in status.columns:
            status[col] = default
    status["earlier_data_in_use"] = status["earlier_data_in_use"].fillna(False).astype(bool)

    if "stg_problems" in tables:
        # the published problems: every file's, and the plausibility warnings on loaded returns (docs/plausibility.md)
        source = "marts.submission_problems" if "marts.submission_problems" in tables else "stg_problems"
        problems = _df(
            con,
            f"""select wave, region_code, module, source_file, sheet, row_number, column_name,
                                      value, rule, severity, message
                               from {source} order by wave, source_file, sheet, row_number, column_name""",
        )
    else:
        problems = pd.DataFrame(
            columns=[
                "wave",
                "region_code",
                "module",
                "source_file",
                "sheet",
                "row_number",
                "column_name",
                "value",
                "rule",
                "severity",
                "message",
            ]
        )
        notes.append("De tabel stg_problems ontbreekt: geen meldingen per cel beschikbaar.")

    regions = _regions(con, tables, marts)
    waves = sorted(
        {
            int(w)
            for m in ("region_scorecard", "variation_register", "submission_status")
            for w in marts[m]["wave"].dropna().unique()
        }
    )

    risk = None
    if "stg_risk_assessments" in tables:
        cols = set(_columns(con, "stg_risk_assessments"))
        want: list[str] = [c for c in ("method", "probability_score", "high_risk_sites", "large_events") if c in cols]
        if "method" in want:
            risk = _df(
                con,
                f"select wave, region_code, {', '.join(want)} from stg_risk_assessments "
                "qualify row_number() over (partition by wave, region_code order by region_code) = 1",
            )
    lessons = None
    if "stg_lessons" in tables:
        cols = set(_columns(con, "stg_lessons"))
        want = [
            c
            for c in (
                "lesson_id",
                "source",
                "characteristic",
                "description",
                "shared_via",
                "follow_up",
                "taken_from_region",
            )
            if c in cols
        ]
        lessons = _df(
            con,
            f"select wave, region_code, {', '.join(want)} from stg_lessons "
            "order by wave, region_code" + (", lesson_id" if "lesson_id" in want else ""),
        )
    history = None
    if "run_history" in tables:
        # Without the run report (JSON for the bench and tests, pipelines.app.report): the page shows the lines.
        skip = " exclude (report)" if "report" in _columns(con, "run_history") else ""
        history = _df(con, f"select *{skip} from run_history")
        order = next(
            (c for c in ("recorded_at", "started_at", "finished_at", "timestamp", "run_id") if c in history.columns),
            None,
        )
        if order is not None:
            history = history.sort_values(order, ascending=False)
        history = history.head(100)
    peers, basis = _peers(con, tables)
    return SiteData(
        marts, status, problems, regions, waves, risk, lessons, history, notes, peers=peers, peer_basis=basis
    )


def _peers(con, tables: set[str]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Similar regions and the risk basis they are similar on (int_risk_basis, else the returns of the wave)."""
    if "marts.region_peers" not in tables:
        return None, None
    peers = _df(con, "select wave, region_code, rank, peer_code, distance, features from marts.region_peers")
    if "int_risk_basis" in tables:
        sql = "select wave, region_code, population, high_risk_sites, large_events from int_risk_basis"
    elif "stg_risk_assessments" in tables and "ref_regions" in tables:
        sql = (
            "select a.wave, a.region_code, r.population, a.high_risk_sites, a.large_events "
            "from stg_risk_assessments as a left join ref_regions as r using (region_code)"
        )
    else:
        return peers, None
    return peers, _df(con, sql)


def _regions(con, tables: set[str], marts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    names: dict[str, str] = {}
    population: dict[str, int] = {}
    for m in ("region_scorecard", "variation_register"):
        df = marts[m]
        for code, name in (
            df[["region_code", "region_name"]].dropna(subset=["region_code"]).drop_duplicates().itertuples(index=False)
        ):
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
    return pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [names[c] for c in codes],
            "population": [population.get(c) for c in codes],
        }
    )


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


def _floats(x: np.ndarray) -> list:
    """A float column as :func:`clean` would give it, computed per column with numpy.

    NaN and infinity become None, whole numbers below 1e15 ints, the rest is rounded to
    6 significant digits (np.round to the right number of decimals per decimal exponent:
    the result is the double nearest to the rounded decimal, as ``float(f"{f:.6g}")``).
    """
    out = x.astype(object)
    finite = np.isfinite(x)
    if not finite.all():
        out[~finite] = None
    with np.errstate(invalid="ignore"):
        integral = finite & (x == np.trunc(x)) & (np.abs(x) < 1e15)
    if integral.any():
        out[integral] = x[integral].astype(np.int64).astype(object)
    rest = np.flatnonzero(finite & ~integral)
    if len(rest):
        v = x[rest]
        with np.errstate(divide="ignore"):
            exp = np.floor(np.log10(np.abs(v)))
        rounded = np.empty_like(v)
        for e in np.unique(exp):
            sel = exp == e
            if -250 <= e <= 250:
                rounded[sel] = np.round(v[sel], int(5 - e))
            else:  # far outside what the marts hold: leave it to clean()
                rounded[sel] = [clean(f) for f in v[sel]]
        out[rest] = rounded.astype(object)
    return out.tolist()


def column_values(s: pd.Series) -> tuple[list, bool]:
    """A column as a list of plain JSON values (as :func:`clean` per cell), and whether it is text.

    The common dtypes are converted per column (numpy/pandas); only other columns (lists,
    timestamps, decimals, mixed objects) fall back to :func:`clean` per cell.
    """
    dt_ = s.dtype
    if len(s) == 0:
        return [], False
    if isinstance(dt_, np.dtype):
        if dt_.kind == "b":
            return s.to_numpy().tolist(), False
        if dt_.kind in "iu":
            return s.to_numpy().tolist(), False
        if dt_.kind == "f":
            return _floats(s.to_numpy()), False
        if dt_.kind == "O":
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind in ("string", "empty"):
                values = s.to_numpy(dtype=object, copy=True)
                values[pd.isna(values)] = None
                return values.tolist(), True
        return [clean(v) for v in s.tolist()], False
    if isinstance(dt_, pd.StringDtype):
        return s.to_numpy(dtype=object, na_value=None).tolist(), True
    if pd.api.types.is_bool_dtype(dt_) or pd.api.types.is_integer_dtype(dt_):
        return s.to_numpy(dtype=object, na_value=None).tolist(), False
    if pd.api.types.is_float_dtype(dt_):
        return _floats(s.to_numpy(dtype=np.float64, na_value=np.nan)), False
    values = [clean(v) for v in s.tolist()]
    return values, all(v is None or isinstance(v, str) for v in values)


def encode(values: list, text: bool):
    """A column's values, or for text with few distinct values {"d": [distinct], "i": [index per row]}."""
    if text and len(values) >= 16:
        index = dict.fromkeys(values)
        if len(index) * 3 <= len(values):
            for i, v in enumerate(index):
                index[v] = i
            return {"d": list(index), "i": [index[v] for v in values]}
    return values


def pack(df: pd.DataFrame | None, columns: list[str] | None = None) -> dict:
    """A table packed by column: {"n": rows, "c": {col: [values] | {"d": [distinct], "i": [index]}}}."""
    if df is None:
        return {"n": 0, "c": {}}
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    out: dict = {"n": int(len(df)), "c": {}}
    for col in df.columns:
        out["c"][col] = encode(*column_values(df[col]))
    return out


#: a run of digits: what differs between two explanations made from the same sentence
NUMBER_RUN = re.compile(r"([0-9]+)")


def templated(s: pd.Series, min_count: int = 3) -> tuple[list[str], list, list]:
    """Free text as shared templates: (templates, per row the template index, per row the values).

    A template is a text with every run of digits replaced by U+0000; those that occur at least
    ``min_count`` times are kept, most frequent first. A row whose text fits a template gets its
    index and its digit runs joined by commas; any other row index -1 and its whole text (None
    stays None; text that itself holds U+0000 or U+0001 is kept whole). The explanations of the register
    are made from a few hundred sentences with other numbers in them: a page then holds a template
    number and the numbers, the templates are shared. ``Site.unpack`` in site.js puts the text
    together again.
    """
    values = s.to_numpy(dtype=object)
    usable = [isinstance(x, str) and "\x00" not in x and "\x01" not in x for x in values]
    texts = [x for x, ok in zip(values, usable) if ok]
    # two regular expressions over all texts at once (joined by U+0001) instead of one per text
    joined = "\x01".join(texts)
    skel_iter = iter(NUMBER_RUN.sub("\x00", joined).split("\x01") if texts else [])
    num_iter = iter(re.sub(r"[^0-9\x01]+", ",", joined).split("\x01") if texts else [])
    skeletons = [next(skel_iter) if ok else None for ok in usable]
    numbers = [next(num_iter).strip(",") if ok else None for ok in usable]
    counts = Counter(t for t in skeletons if t is not None)
    templates = [t for t, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= min_count]
    index = {t: i for i, t in enumerate(templates)}
    k = [index.get(t, -1) if t is not None else -1 for t in skeletons]
    v = [numbers[i] if k[i] >= 0 else (x if isinstance(x, str) else None) for i, x in enumerate(values)]
    return templates, k, v


def pack_groups(
    df: pd.DataFrame | None,
    key: str,
    columns: list[str] | None = None,
    order: list[str] | None = None,
    templates: dict[str, tuple[str, str, str]] | None = None,
) -> tuple[dict, dict]:
    """One pass over ``df``: {key value: the packed rows of that key}, and the pack of no rows.

    The rows of a group keep the order of ``order`` (a stable sort), else that of ``df``;
    ``key`` itself is not among the packed columns unless it is in ``columns``. Every
    column is converted once for the whole table; a group is a slice of it. A column in
    ``templates`` ({column: (shared table name, index column, values column)}) is packed as
    {"s": table, "k": [template index], "v": [digit runs or text]} from the two columns that
    :func:`templated` gave.
    """
    if df is None:
        return {}, {"n": 0, "c": {}}
    cols = [
        c
        for c in (columns if columns is not None else df.columns)
        if c in df.columns and (columns is not None or c != key)
    ]
    sort = [key] + [c for c in (order or []) if c in df.columns]
    keep = list(dict.fromkeys(sort + cols + [c for t in (templates or {}).values() for c in t[1:] if c in df.columns]))
    df = df[keep]
    df = df[df[key].notna()]
    df = df.sort_values(sort, kind="stable") if len(df) else df
    keys = df[key].astype(str).to_numpy(dtype=object)
    templates = {c: t for c, t in (templates or {}).items() if c in cols and t[1] in df.columns}
    converted = {c: column_values(df[c]) for c in cols if c not in templates}
    shaped = {c: (name, df[kc].tolist(), df[vc].tolist()) for c, (name, kc, vc) in templates.items()}
    empty = {"n": 0, "c": {c: [] for c in cols}}
    groups: dict = {}
    if len(keys):
        starts = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [len(keys)]])
        for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()):
            packed = {}
            for c in cols:
                if c in shaped:
                    name, k, v = shaped[c]
                    packed[c] = {"s": name, "k": k[a:b], "v": v[a:b]}
                else:
                    v, t = converted[c]
                    packed[c] = encode(v[a:b], t)
            groups[keys[a]] = {"n": b - a, "c": packed}
    return groups, empty


def to_json(obj) -> str:
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&' can close the element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
