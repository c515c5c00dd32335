"""The variation engine: from the staging layer to the published marts.

:func:`build_marts` runs, in one DuckDB transaction (all or nothing):

1. two small tables made from the code: ``int_catalogue_levels`` (the ordinal
   catalogues of :mod:`pipelines.contract.codebook`, so that SQL compares
   ``per_voertuig`` with ``persoonlijk`` without listing codes again) and
   ``int_indicator_definitions`` (:data:`INDICATORS`);
2. every SQL model in ``pipelines/sql/intermediate/`` (table name = file name,
   run in dependency order): the indicators per wave x region;
3. the statistics (:mod:`pipelines.engine.riskmodel` and
   :mod:`pipelines.engine.funnel`): ``int_risk_model``, ``int_wave_statistics``
   and the verdicts with their explanations (:mod:`pipelines.engine.explain`) in
   ``marts.variation_register``;
4. every SQL model in ``pipelines/sql/marts/`` as ``marts.<file name>``.

Pure Python: no Dagster import. ``docs/verdicts.md`` describes the method.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.engine import explain
from pipelines.core import paths
from pipelines.engine import riskmodel
from pipelines.contract import indicators, verdicts
from pipelines.contract.codebook import CATALOGUES, SUBMISSION_STATUSES  # noqa: F401 (re-exported)
from pipelines.contract.marts import MARTS as MART_CONTRACTS
from pipelines.engine.funnel import Z95, Z998, proportion_funnel, ratio_funnel

#: "The last three waves": the wave and this many before it.
LOOKBACK = 2
#: Recommendations 1..N_RECOMMENDATIONS are tracked; those without indicators are 'buiten_uitvraag'.
N_RECOMMENDATIONS = 10
#: Share of z-scores winsorised per side when estimating overdispersion.
TRIM = 0.1

INTERMEDIATE_DIR = paths.SQL / "intermediate"
MARTS_DIR = paths.SQL / "marts"

# --------------------------------------------------------------------------
# The indicators (docs/method.md, "Indicators")
# --------------------------------------------------------------------------


# The indicators and codes live in pipelines/contract/ (one home per fact); re-exported here.
Indicator = indicators.Indicator
INDICATORS = indicators.INDICATORS
INDICATOR_IDS = indicators.INDICATOR_IDS
BY_ID = indicators.BY_ID
NORM_SOURCES = tuple(verdicts.NORM_SOURCE_LABELS)
PLAN_STATUSES = verdicts.PLAN_STATUSES
TRACKER_STATUSES = verdicts.TRACKER_STATUSES

# --------------------------------------------------------------------------
# The contract (pipelines/sql/marts/<mart>.toml, see pipelines/contract/marts.py)
# --------------------------------------------------------------------------

#: The contract columns of every mart: these columns first, in this order.
MART_COLUMNS: dict[str, tuple[str, ...]] = {m.name: m.contract_columns for m in MART_CONTRACTS.values()}

#: The grain of every mart: its key columns (none for submission_problems: one row per problem).
MART_KEYS: dict[str, tuple[str, ...]] = {m.name: m.key for m in MART_CONTRACTS.values()}

# --------------------------------------------------------------------------
# Tables written from Python, with their columns and types
# --------------------------------------------------------------------------

_CATALOGUE_LEVELS_SCHEMA = {"catalogue": "varchar", "code": "varchar", "level": "integer"}
_DEFINITIONS_SCHEMA = {
    "indicator_id": "varchar", "domain": "varchar", "norm_type": "varchar", "polarity": "varchar",
    "target": "double", "recommendation": "integer", "modules": "varchar", "substantiation_rule": "varchar",
    "label": "varchar", "sort_order": "integer",
}
_RISK_MODEL_SCHEMA = {
    "wave": "integer", "region_code": "varchar", "indicator_id": "varchar", "observed": "double",
    "expected": "double", "residual": "double", "z_score": "double", "basis_wave": "integer",
    "log_population": "double", "high_risk_sites": "double", "large_events": "double", "method": "varchar",
    "n_obs": "integer", "n_model_waves": "integer",
}
_WAVE_STATS_SCHEMA = {
    "wave": "integer", "indicator_id": "varchar", "norm_type": "varchar", "national_value": "double",
    "target": "double", "phi": "double", "tau2": "double", "overdispersed": "boolean",
    "n_trimmed_low": "integer", "n_trimmed_high": "integer", "r2_risk": "double", "r2_method": "double",
    "residual_sd": "double", "n_model_waves": "integer", "expectation_weak": "boolean", "note": "varchar",
}
#: Every column of marts.variation_register with its type, from its contract file.
_REGISTER_SCHEMA = MART_CONTRACTS["variation_register"].types

PY_INT_BEFORE = {"int_catalogue_levels": (), "int_indicator_definitions": ()}
PY_INT_AFTER = {
    "int_risk_model": ("int_indicators", "int_risk_basis"),
    "int_wave_statistics": ("int_indicators", "int_risk_basis"),
}
REGISTER_DEPS = ("int_indicators", "int_risk_basis", "int_waves", "int_indicator_definitions", "ref_regions",
                 "stg_module_loads", "stg_submission_status")

# --------------------------------------------------------------------------
# SQL models
# --------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REF = re.compile(r"\b(marts\.[a-z0-9_]+|(?:int|stg|ref)_[a-z0-9_]+)\b")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def sql_models(folder: Path, prefix: str = "") -> dict[str, str]:
    """The SQL models in ``folder``: table name (``prefix`` + file name) -> SQL text."""
    out = {}
    for path in sorted(Path(folder).glob("*.sql")):
        if not _NAME.match(path.stem):
            raise ValueError(f"SQL-bestand {path.name}: de naam moet uit kleine letters, cijfers en _ bestaan")
        out[prefix + path.stem] = path.read_text(encoding="utf-8")
    return out


def references(sql: str) -> set[str]:
    """The warehouse tables a SQL text reads (int_, stg_, ref_ and marts.)."""
    return set(_REF.findall(_strip_comments(sql)))


def _order(models: dict[str, str]) -> list[str]:
    """The models in dependency order (a model after every model it reads)."""
    graph = {name: {r for r in references(sql) if r in models and r != name} for name, sql in models.items()}
    return list(TopologicalSorter(graph).static_order())


INT_SQL = sql_models(INTERMEDIATE_DIR)
MART_SQL = sql_models(MARTS_DIR, "marts.")
for _name in INT_SQL:
    if not _name.startswith("int_"):
        raise ValueError(f"intermediate model {_name}: the name must start with int_")
INT_SQL_ORDER = _order(INT_SQL)
MART_SQL_ORDER = _order(MART_SQL)

#: Every int_ table build_marts writes.
INT_TABLES: tuple[str, ...] = tuple([*PY_INT_BEFORE, *INT_SQL_ORDER, *PY_INT_AFTER])
#: Every mart build_marts writes (schema ``marts``).
MART_TABLES: tuple[str, ...] = tuple(MART_COLUMNS)
#: Every table, fully named (int_ in main, marts.<name>).
TABLES: tuple[str, ...] = INT_TABLES + tuple(f"marts.{m}" for m in MART_TABLES)


def _dependencies() -> dict[str, tuple[str, ...]]:
    deps: dict[str, set[str]] = {}
    for name in PY_INT_BEFORE:
        deps[name] = set()
    for name, sql in {**INT_SQL, **MART_SQL}.items():
        deps[name] = references(sql) - {name}
    for name, ups in PY_INT_AFTER.items():
        deps[name] = set(ups)
    deps["marts.variation_register"] = set(REGISTER_DEPS) | set(PY_INT_AFTER)
    without_sql = set(MART_TABLES) - {m.split(".", 1)[1] for m in MART_SQL} - {"variation_register"}
    if without_sql:
        raise ValueError(f"marts without a file in pipelines/sql/marts/: {sorted(without_sql)}")
    return {k: tuple(sorted(v)) for k, v in deps.items()}


#: table -> the tables it reads (int_, stg_, ref_, marts.), for lineage.
DEPENDENCIES: dict[str, tuple[str, ...]] = _dependencies()


def run_sql_model(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: dict | None = None) -> None:
    """``create or replace table <table> as <sql>``, binding the ``$name`` parameters the SQL uses."""
    schema, _, bare = table.rpartition(".")
    if not _NAME.match(bare) or (schema and not _NAME.match(schema)):
        raise ValueError(f"ongeldige tabelnaam {table!r}")
    params = params or {}
    used = set(_PARAM.findall(_strip_comments(sql)))
    missing = used - set(params)
    if missing:
        raise ValueError(f"{table}: parameter(s) {sorted(missing)} not given")
    con.execute(f"create or replace table {table} as\n{sql}", {k: params[k] for k in used} if used else None)


def sql_parameters(lookback: int = LOOKBACK) -> dict:
    return {"lookback": int(lookback), "n_recommendations": N_RECOMMENDATIONS}


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, schema: dict[str, str]) -> None:
    """Write ``frame`` as ``table`` with exactly the columns and types of ``schema``."""
    view = f"_engine_{table.replace('.', '_')}"
    frame = frame.reindex(columns=list(schema)).copy()
    for col, typ in schema.items():
        if typ == "varchar":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        elif typ == "boolean":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        else:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
            frame[col] = frame[col].where(np.isfinite(frame[col]))
    con.register(view, frame)
    try:
        cols = ",\n    ".join(f"cast({c} as {t}) as {c}" for c, t in schema.items())
        con.execute(f"create or replace table {table} as select\n    {cols}\nfrom {view}")
    finally:
        con.unregister(view)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The tables the SQL models need from the code: ordinal catalogues and indicator definitions."""
    con.execute("create schema if not exists marts")
    levels = pd.DataFrame(
        [(c.name, code, lvl) for c in CATALOGUES.values() if c.levels for code, lvl in c.levels.items()],
        columns=list(_CATALOGUE_LEVELS_SCHEMA))
    write_frame(con, "int_catalogue_levels", levels, _CATALOGUE_LEVELS_SCHEMA)
    defs = pd.DataFrame([dict(indicator_id=i.id, domain=i.domain, norm_type=i.norm_type, polarity=i.polarity,
                              target=i.target, recommendation=i.recommendation, modules=", ".join(i.modules),
                              substantiation_rule=i.substantiation or None, label=i.description, sort_order=k)
                         for k, i in enumerate(INDICATORS, start=1)])
    write_frame(con, "int_indicator_definitions", defs, _DEFINITIONS_SCHEMA)


def run_intermediate(con: duckdb.DuckDBPyConnection, lookback: int = LOOKBACK, only: list[str] | None = None) -> None:
    """Run the intermediate SQL models (all, or ``only`` these and what they need) in dependency order."""
    prepare(con)
    params = sql_parameters(lookback)
    wanted = None
    if only is not None:
        wanted, todo = set(), list(only)
        while todo:
            t = todo.pop()
            if t in wanted or t not in INT_SQL:
                continue
            wanted.add(t)
            todo += [r for r in references(INT_SQL[t]) if r in INT_SQL]
    for name in INT_SQL_ORDER:
        if wanted is None or name in wanted:
            run_sql_model(con, name, INT_SQL[name], params)


# --------------------------------------------------------------------------
# Statistics, verdicts and the register
# --------------------------------------------------------------------------


def _register_skeleton(con) -> pd.DataFrame:
    """Every region of ref_regions x every wave present x every indicator."""
    grid = con.execute("""
        select w.wave, r.region_code, r.region_name
        from int_waves as w cross join ref_regions as r
        order by w.wave, r.region_code""").df()
    defs = pd.DataFrame({"indicator_id": list(INDICATOR_IDS), "_sort": range(len(INDICATORS))})
    out = grid.merge(defs, how="cross")
    return out


def _missing_reasons(con, reg: pd.DataFrame) -> pd.Series:
    """Why an indicator has no value, for rows without an intermediate row."""
    loads = con.execute("select distinct wave, region_code, module from stg_module_loads").df()
    status = con.execute("""
        select wave, region_code, module, status, n_errors
        from stg_submission_status
        where status in ('afgewezen', 'conflict', 'ontbreekt')
        qualify row_number() over (
            partition by wave, region_code, module
            order by case status when 'afgewezen' then 1 when 'conflict' then 2 else 3 end, n_errors desc) = 1
        """).df()
    reason = pd.Series(None, index=reg.index, dtype=object)
    first_missing = pd.Series(None, index=reg.index, dtype=object)
    key = ["wave", "region_code"]
    has = {}
    for m in sorted({m for i in INDICATORS for m in i.modules}):
        x = reg[key].merge(loads.loc[loads.module == m, key].assign(_x=True), on=key, how="left")["_x"]
        has[m] = x.fillna(False).astype(bool).to_numpy()
    for ind in INDICATORS:
        rows = (reg["indicator_id"] == ind.id).to_numpy()
        for m in ind.modules:  # the first module, in the indicator's order, that is not in use
            hit = rows & ~has[m] & first_missing.isna().to_numpy()
            first_missing[hit] = m
    fm = pd.DataFrame({"wave": reg["wave"], "region_code": reg["region_code"], "module": first_missing})
    st = fm.merge(status, on=["wave", "region_code", "module"], how="left")
    st.index = reg.index
    phrase = explain.status_phrase(st["module"].fillna(""), st["status"], st["n_errors"])
    reason[first_missing.notna()] = phrase[first_missing.notna()]
    return reason


def _ratio_stats(frame: pd.DataFrame, n_model_waves: int) -> tuple[pd.DataFrame, list[dict]]:
    """Funnel per wave for ex_count: O = observed, E = expected."""
    out, stats = [], []
    for wave, f in frame.groupby("wave", sort=True):
        res = ratio_funnel(f["observed"].to_numpy(float), f["expected"].to_numpy(float), trim=TRIM)
        out.append(pd.DataFrame({
            "value": res.value, "target": 1.0, "z_score": res.z, "lower_95": res.lower_95, "upper_95": res.upper_95,
            "lower_998": res.lower_998, "upper_998": res.upper_998}, index=f.index))
        ok = np.isfinite(f["expected"].to_numpy(float))
        o, e = f["observed"].to_numpy(float)[ok], f["expected"].to_numpy(float)[ok]
        zeros = int((o == 0).sum())
        stats.append(dict(wave=wave, national_value=(o.sum() / e.sum()) if e.sum() > 0 else np.nan, target=1.0,
                          phi=res.phi, tau2=res.tau2, overdispersed=res.overdispersed,
                          n_trimmed_low=res.n_trimmed_low, n_trimmed_high=res.n_trimmed_high,
                          _funnel="ratio", _zeros=zeros, n_model_waves=n_model_waves))
    return (pd.concat(out) if out else pd.DataFrame()), stats


def _proportion_stats(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    out, stats = [], []
    for wave, f in frame.groupby("wave", sort=True):
        num = f["numerator"].to_numpy(float)
        den = f["denominator"].to_numpy(float)
        res = proportion_funnel(num, den, trim=TRIM)
        out.append(pd.DataFrame({
            "value": res.value, "target": res.target, "z_score": res.z, "lower_95": res.lower_95,
            "upper_95": res.upper_95, "lower_998": res.lower_998, "upper_998": res.upper_998}, index=f.index))
        stats.append(dict(wave=wave, national_value=res.target, target=res.target, phi=res.phi, tau2=res.tau2,
                          overdispersed=res.overdispersed, n_trimmed_low=res.n_trimmed_low,
                          n_trimmed_high=res.n_trimmed_high, _funnel="proportion"))
    return (pd.concat(out) if out else pd.DataFrame()), stats


def _nl(x, d=2) -> str:
    return explain.nl_number(x, d)


def _clean(row: dict) -> dict:
    """NaN and NA as None, so that `or` and `is None` work on a records row."""
    out = {}
    for k, v in row.items():
        try:
            out[k] = None if v is None or pd.isna(v) else v
        except (TypeError, ValueError):
            out[k] = v
    return out


def _wave_note(row: dict, ind: Indicator) -> str | None:
    """The summary's note for one wave x indicator: trimming, overdispersion, model strength."""
    row = _clean(row)
    parts = []
    if row.get("_funnel"):
        lo, hi = int(row.get("n_trimmed_low") or 0), int(row.get("n_trimmed_high") or 0)
        parts.append(f"phi en tau² geschat na winsorisatie van de z-scores met 10% per zijde ({lo} laag en {hi} hoog "
                     f"aangepast; bij 25 regio's raakt dat twee of drie regio's per zijde)")
        if row.get("overdispersed"):
            parts.append("overdispersie: grenzen verbreed met tau² (DerSimonian-Laird)")
        else:
            parts.append("geen overdispersie: " + ("exacte Poisson-grenzen" if row["_funnel"] == "ratio"
                                                      else "grenzen op de arcsinus-schaal zonder tau²"))
        if row.get("_zeros"):
            parts.append(f"{int(row['_zeros'])} regio('s) met 0 oefeningen tellen niet mee voor phi en tau²")
    if ind.norm_type == "model":
        n = int(row.get("n_model_waves") or 0)
        parts.append(f"risicomodel op alle peiljaren samen met een term per peiljaar ({n} "
                     f"{'peiljaar' if n == 1 else 'peiljaren'})")
        if n < 3:
            parts.append("verwachting zwak: minder dan drie peiljaren")
    if ind.id == indicators.SCORE_MODEL_ID:
        parts.append(f"residuele sd {_nl(row.get('residual_sd'))} (alle peiljaren samen); grenzen: verwachte score "
                     f"plus of min z maal de residuele sd")
        r2r, r2m = row.get("r2_risk"), row.get("r2_method")
        if r2r is not None and r2m is not None and r2m > r2r:
            parts.append("r2_method is groter dan r2_risk: de uitkomst zegt meer over de methode dan over het risico")
    return "; ".join(parts) or None


def build_register(con: duckdb.DuckDBPyConnection, lookback: int = LOOKBACK):
    """The variation register with verdicts and explanations, plus the model and wave statistics.

    Returns ``(register, risk_model, wave_statistics)`` as DataFrames; writes nothing.
    """
    reg = _register_skeleton(con)
    values = con.execute("select * from int_indicators").df()
    values["_has_row"] = True
    reg = reg.merge(values, on=["wave", "region_code", "indicator_id"], how="left")
    reg["_has_row"] = reg["_has_row"].fillna(False).astype(bool)
    basis = con.execute("""
        select wave, region_code, log_population, high_risk_sites, large_events, basis_wave, method
        from int_risk_basis""").df()
    reg = reg.merge(basis, on=["wave", "region_code"], how="left")
    reg = reg.sort_values(["wave", "region_code", "_sort"], kind="stable").reset_index(drop=True)

    defs = pd.DataFrame([dict(indicator_id=i.id, domain=i.domain, norm_type=i.norm_type, polarity=i.polarity,
                              recommendation=i.recommendation, _def_target=i.target) for i in INDICATORS])
    reg = reg.merge(defs, on="indicator_id", how="left")
    for c in ("target", "lower_95", "upper_95", "lower_998", "upper_998", "z_score"):
        reg[c] = np.nan
    reg["missing_reason"] = None
    reg["norm_source"] = reg["norm_source"].astype(object)

    stats_rows: list[dict] = []
    model_frames: list[pd.DataFrame] = []
    waves = sorted(reg["wave"].unique())

    # ---- the count (ex_count): Poisson model on all waves, funnel per wave
    count_id, score_id = indicators.COUNT_MODEL_ID, indicators.SCORE_MODEL_ID
    m = (reg.indicator_id == count_id) & reg._has_row
    ec = reg.loc[m, ["wave", "region_code", "value", *riskmodel.RISK_BASIS, "basis_wave", "method"]].rename(
        columns={"value": "observed"})
    fit = riskmodel.fit_count_model(ec)
    ec["expected"] = fit.fitted
    r, st = _ratio_stats(ec, fit.n_waves)
    if len(r):
        reg.loc[r.index, ["value", "target", "z_score", "lower_95", "upper_95", "lower_998", "upper_998"]] = \
            r[["value", "target", "z_score", "lower_95", "upper_95", "lower_998", "upper_998"]].to_numpy()
    reg.loc[ec.index, "numerator"] = ec["observed"]
    reg.loc[ec.index, "denominator"] = ec["expected"]
    no_basis = ec.index[ec["basis_wave"].isna()]
    reg.loc[no_basis, "missing_reason"] = ("er is geen risicobeoordeling (module risico) in gebruik, dus geen "
                                           "verwachting op grond van het risicoprofiel")
    no_fit = ec.index[ec["basis_wave"].notna() & ec["expected"].isna()]
    reg.loc[no_fit, "missing_reason"] = "het risicomodel kon niet worden geschat (" + (fit.message or "onbekend") + ")"
    none_held = ec.index[ec["basis_wave"].notna() & (ec.groupby("wave")["observed"].transform("sum") == 0)]
    reg.loc[none_held, "missing_reason"] = ("geen enkele regio hield in dit peiljaar een oefening, dus er is geen "
                                            "landelijk niveau om een verwachting op te baseren")
    r2 = riskmodel.r2_by_wave(ec["wave"], ec["observed"], ec["expected"])
    for s in st:
        s.update(indicator_id=count_id, r2_risk=r2.get(s["wave"], np.nan))
    stats_rows += st
    model_frames.append(ec.assign(indicator_id=count_id, residual=ec["observed"] - ec["expected"],
                                  z_score=reg.loc[ec.index, "z_score"], n_obs=fit.n_obs, n_model_waves=fit.n_waves))

    # ---- the score (risk_probability): least squares on all waves, residual limits
    m = (reg.indicator_id == score_id) & reg._has_row
    rp = reg.loc[m, ["wave", "region_code", "value", *riskmodel.RISK_BASIS, "basis_wave", "method"]].rename(
        columns={"value": "observed"})
    fit = riskmodel.fit_score_model(rp)
    rp["expected"] = fit.fitted
    sd = fit.residual_sd
    resid = rp["observed"] - rp["expected"]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = resid / sd if sd and np.isfinite(sd) and sd > 0 else resid * np.nan
    reg.loc[rp.index, "target"] = rp["expected"]
    reg.loc[rp.index, "z_score"] = z
    for lvl, zq in (("95", Z95), ("998", Z998)):
        reg.loc[rp.index, f"lower_{lvl}"] = rp["expected"] - zq * sd
        reg.loc[rp.index, f"upper_{lvl}"] = rp["expected"] + zq * sd
    no_fit = rp.index[rp["expected"].isna() | (not np.isfinite(sd))]
    reg.loc[no_fit, "value"] = np.nan
    reg.loc[no_fit, "missing_reason"] = "het risicomodel kon niet worden geschat (" + (fit.message or "onbekend") + ")"
    r2 = riskmodel.r2_by_wave(rp["wave"], rp["observed"], rp["expected"])
    eta = riskmodel.eta2_by_wave(rp["wave"], rp["observed"], rp["method"])
    for w, f in rp.groupby("wave"):
        stats_rows.append(dict(wave=w, indicator_id=score_id, national_value=f["observed"].mean(),
                               target=np.nan, residual_sd=sd, r2_risk=r2.get(w, np.nan), r2_method=eta.get(w, np.nan),
                               n_model_waves=fit.n_waves))
    model_frames.append(rp.assign(indicator_id=score_id, residual=resid, z_score=z, n_obs=fit.n_obs,
                                  n_model_waves=fit.n_waves))

    # ---- national proportions: funnel per wave
    for ind in (i for i in INDICATORS if i.norm_type == "landelijk"):
        m = (reg.indicator_id == ind.id) & reg._has_row
        f = reg.loc[m]
        r, st = _proportion_stats(f)
        if len(r):
            reg.loc[r.index, ["value", "target", "z_score", "lower_95", "upper_95", "lower_998", "upper_998"]] = \
                r[["value", "target", "z_score", "lower_95", "upper_95", "lower_998", "upper_998"]].to_numpy()
        for s in st:
            s["indicator_id"] = ind.id
        stats_rows += st
        empty = f.index[~(f["denominator"] > 0)]
        reg.loc[empty, "missing_reason"] = ind.empty_reason

    # ---- uniform norms
    uni = reg.norm_type.eq("vastgesteld")
    reg.loc[uni, "target"] = reg.loc[uni, "_def_target"]
    reg.loc[uni, "norm_source"] = reg.loc[uni, "norm_source"].fillna("vastgesteld")
    for ind in (i for i in INDICATORS if i.norm_type == "vastgesteld"):
        f = reg.loc[(reg.indicator_id == ind.id) & reg._has_row]
        for w, g in f.groupby("wave"):
            stats_rows.append(dict(wave=w, indicator_id=ind.id, national_value=g["value"].mean(), target=ind.target))
    reg.loc[reg.norm_type.eq("model"), "norm_source"] = "model"
    reg.loc[reg.norm_type.eq("landelijk"), "norm_source"] = "landelijk"

    # ---- verdicts
    limit_based = reg.norm_type.isin(["model", "landelijk"]).to_numpy()
    verdict, direction, signal = explain.decide(
        reg["value"], reg["lower_998"], reg["upper_998"], reg["lower_95"], reg["upper_95"], reg["target"],
        limit_based, reg["polarity"], reg["substantiated"])
    reg["verdict"], reg["direction"], reg["signal_95"] = verdict, direction, signal
    missing = reg["verdict"] == verdicts.MISSING
    no_row = missing & ~reg["_has_row"]
    if no_row.any():
        reg.loc[no_row, "missing_reason"] = _missing_reasons(con, reg.loc[no_row])
    reg["explanation"] = explain.explain(reg, {i.id: i.norm_type for i in INDICATORS}, lookback)
    reg.loc[missing, "explanation"] = explain.explain_missing(reg.loc[missing])
    # A missing row shows no limits or substantiation verdict, but keeps what was observed.
    reg.loc[missing, ["z_score", "direction", "signal_95"]] = None
    reg["substantiated"] = reg["substantiated"].astype(object).where(reg["_has_row"], None)

    register = reg[list(_REGISTER_SCHEMA)].copy()

    # ---- wave statistics for every wave x indicator
    ws = pd.DataFrame(stats_rows) if stats_rows else pd.DataFrame(columns=["wave", "indicator_id"])
    full = pd.DataFrame([(w, i.id) for w in waves for i in INDICATORS], columns=["wave", "indicator_id"])
    ws = full.merge(ws, on=["wave", "indicator_id"], how="left")
    ws["norm_type"] = ws["indicator_id"].map(lambda i: BY_ID[i].norm_type)
    ws["expectation_weak"] = np.where(ws["norm_type"] == "model",
                                      pd.to_numeric(ws.get("n_model_waves"), errors="coerce").fillna(0) < 3, None)
    ws["note"] = [_wave_note(row, BY_ID[row["indicator_id"]]) for row in ws.to_dict("records")]
    risk_model = pd.concat(model_frames, ignore_index=True) if model_frames else pd.DataFrame()
    return register, risk_model, ws


# --------------------------------------------------------------------------
# The whole build
# --------------------------------------------------------------------------

#: Seconds per step of the last build_marts call (for logging).
LAST_TIMINGS: dict[str, float] = {}


def build_marts(con: duckdb.DuckDBPyConnection, lookback: int = LOOKBACK) -> dict[str, int]:
    """Write every int_ table and every mart in ``con``, in one transaction. Returns table -> rows.

    Needs the staging tables (:func:`pipelines.ingest.warehouse.ensure_schema`)
    and ``ref_regions``, ``ref_ring_model_norms``, ``ref_equipment_norms``.
    On any error nothing is changed.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    con.execute("begin transaction")
    try:
        run_intermediate(con, lookback)
        timings["intermediate_sql"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        register, risk_model, wave_stats = build_register(con, lookback)
        write_frame(con, "int_risk_model", risk_model, _RISK_MODEL_SCHEMA)
        write_frame(con, "int_wave_statistics", wave_stats, _WAVE_STATS_SCHEMA)
        write_frame(con, "marts.variation_register", register, _REGISTER_SCHEMA)
        timings["statistics"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        params = sql_parameters(lookback)
        for name in MART_SQL_ORDER:
            run_sql_model(con, name, MART_SQL[name], params)
        timings["marts_sql"] = time.perf_counter() - t2
        counts = {t: int(con.execute(f"select count(*) from {t}").fetchone()[0]) for t in TABLES}
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    timings["total"] = time.perf_counter() - t0
    LAST_TIMINGS.clear()
    LAST_TIMINGS.update(timings)
    return counts
