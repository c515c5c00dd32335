"""Statistics, verdicts and the variation register, from the intermediate tables.

:func:`build_register` reads the indicators per wave x region, fits the risk
model (:mod:`pipelines.engine.riskmodel`), draws the funnels
(:mod:`pipelines.engine.funnel`) and gives each region its verdict and
explanation (:mod:`pipelines.engine.explain`); it returns the frames of
``marts.variation_register``, ``int_risk_model`` and ``int_wave_statistics``.
It does not write tables, run SQL models or check the marts: that is
:mod:`pipelines.engine.build` (which calls it in its transaction) and
:mod:`pipelines.engine.checks`. Pure Python: no Dagster import.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract import indicators, statuses, verdicts
from pipelines.contract.marts import MARTS as MART_CONTRACTS
from pipelines.engine import explain, persistence, phrases, plausibility, riskmodel, severity
from pipelines.engine.funnel import OVERDISPERSION_METHOD, Z95, Z998, FunnelResult, proportion_funnel, ratio_funnel
from pipelines.engine.poisson import P95, P998, poisson_tail_p
from pipelines.engine.proportions import approximation_holds, binomial_limits, binomial_tail_p

#: The overdispersion method not in use, whose effect the summary shows beside the one in use.
ALTERNATIVE_METHOD = "truncate" if OVERDISPERSION_METHOD == "winsorise" else "winsorise"
#: "The last three waves": the wave and this many before it.
LOOKBACK = 2
#: Share of z-scores winsorised per side when estimating overdispersion.
TRIM = 0.1

Indicator = indicators.Indicator
INDICATORS = indicators.INDICATORS
INDICATOR_IDS = indicators.INDICATOR_IDS
BY_ID = indicators.BY_ID

_REGISTER_SCHEMA = MART_CONTRACTS["variation_register"].types
_LIMIT_COLUMNS = ["value", "target", "z_score", "lower_95", "upper_95", "lower_998", "upper_998"]
#: ex_count's single wave, kept beside its pooled verdict.
_WAVE_COLUMNS = (
    "wave_numerator",
    "wave_denominator",
    "wave_value",
    "wave_lower_998",
    "wave_upper_998",
    "wave_direction",
)


def _register_skeleton(con) -> pd.DataFrame:
    """Every region of ref_regions x every wave present x every indicator."""
    grid = con.execute("""
        select w.wave, r.region_code, r.region_name
        from int_waves as w cross join ref_regions as r
        order by w.wave, r.region_code""").df()
    defs = pd.DataFrame({"indicator_id": list(INDICATOR_IDS), "_sort": range(len(INDICATORS))})
    return grid.merge(defs, how="cross")


def _missing_reasons(con, reg: pd.DataFrame) -> pd.Series:
    """Why an indicator has no value, for rows without an intermediate row."""
    loads = con.execute("select distinct wave, region_code, module from stg_module_loads").df()
    # one status per module: the first in the contract's order of NOT_IN_USE, then the most errors
    status = con.execute(
        """
        select wave, region_code, module, status, n_errors
        from stg_submission_status
        where list_contains($told, status)
        qualify row_number() over (
            partition by wave, region_code, module
            order by list_position($told, status), n_errors desc) = 1
        """,
        {"told": list(statuses.NOT_IN_USE)},
    ).df()
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


def _alternative(res: FunnelResult, alt: FunnelResult) -> dict:
    """What the other overdispersion method would give: its phi, tau² and regions outside its 99.8% limits."""
    return dict(
        overdispersion_method=res.method,
        alternative_method=alt.method,
        phi_alternative=alt.phi,
        tau2_alternative=alt.tau2,
        n_outside_998=int(res.outside("998").sum()),
        n_outside_998_alternative=int(alt.outside("998").sum()),
    )


def _ratio_stats(
    frame: pd.DataFrame,
    n_model_waves: int,
    dispersion: FunnelResult | None = None,
    alt_dispersion: FunnelResult | None = None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Funnel per wave for ex_count: O = observed, E = expected; phi and tau² from ``dispersion`` when given
    (``alt_dispersion``: the same estimate under the other overdispersion method, for the summary)."""
    out, stats = [], []
    for wave, f in frame.groupby("wave", sort=True):
        o, e = f["observed"].to_numpy(float), f["expected"].to_numpy(float)
        res = ratio_funnel(o, e, trim=TRIM, dispersion=dispersion)
        alt = ratio_funnel(o, e, trim=TRIM, dispersion=alt_dispersion, method=ALTERNATIVE_METHOD)
        # without overdispersion the verdict is the exact Poisson test: keep its lower tail for the severity
        p_low = poisson_tail_p(f["observed"].to_numpy(float), f["expected"].to_numpy(float))[0]
        out.append(
            pd.DataFrame(
                {
                    "value": res.value,
                    "target": 1.0,
                    "z_score": res.z,
                    "lower_95": res.lower_95,
                    "upper_95": res.upper_95,
                    "lower_998": res.lower_998,
                    "upper_998": res.upper_998,
                    "p_exact_low": np.nan if res.overdispersed else p_low,
                },
                index=f.index,
            )
        )
        ok = np.isfinite(f["expected"].to_numpy(float))
        o, e = f["observed"].to_numpy(float)[ok], f["expected"].to_numpy(float)[ok]
        zeros = int((o == 0).sum())
        stats.append(
            dict(
                wave=wave,
                national_value=(o.sum() / e.sum()) if e.sum() > 0 else np.nan,
                target=1.0,
                phi=res.phi,
                tau2=res.tau2,
                overdispersed=res.overdispersed,
                n_trimmed_low=res.n_trimmed_low,
                n_trimmed_high=res.n_trimmed_high,
                _funnel="ratio",
                _zeros=zeros,
                _model_wide=dispersion is not None,
                n_model_waves=n_model_waves,
                **_alternative(res, alt),
            )
        )
    return (pd.concat(out) if out else pd.DataFrame()), stats


def _proportion_stats(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    out, stats = [], []
    for wave, f in frame.groupby("wave", sort=True):
        num = f["numerator"].to_numpy(float)
        den = f["denominator"].to_numpy(float)
        res = proportion_funnel(num, den, trim=TRIM)
        alt = proportion_funnel(num, den, trim=TRIM, method=ALTERNATIVE_METHOD)
        limits = {k: getattr(res, k).copy() for k in ("lower_95", "upper_95", "lower_998", "upper_998")}
        p_exact_low = np.full(len(f), np.nan)
        if not res.overdispersed and np.isfinite(res.target):
            # where n is too small for the arcsine's normal approximation the exact binomial test decides,
            # drawn as limits that agree with it for every count (pipelines/engine/proportions.py)
            small = (den > 0) & ~approximation_holds(den, res.target)
            if small.any():
                for lvl, p in (("95", P95), ("998", P998)):
                    lo, hi = binomial_limits(den[small], res.target, p)
                    limits[f"lower_{lvl}"][small], limits[f"upper_{lvl}"][small] = lo, hi
                p_exact_low[small] = binomial_tail_p(num[small], den[small], res.target)[0]
        out.append(
            pd.DataFrame(
                {
                    "value": res.value,
                    "target": res.target,
                    "z_score": res.z,
                    **limits,
                    "p_exact_low": p_exact_low,
                },
                index=f.index,
            )
        )
        stats.append(
            dict(
                wave=wave,
                national_value=res.target,
                target=res.target,
                phi=res.phi,
                tau2=res.tau2,
                overdispersed=res.overdispersed,
                n_trimmed_low=res.n_trimmed_low,
                n_trimmed_high=res.n_trimmed_high,
                _funnel="proportion",
                **_alternative(res, alt),
            )
        )
    return (pd.concat(out) if out else pd.DataFrame()), stats


def _nl(x, d=2) -> str:
    return phrases.nl_number(x, d)


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
        if row.get("_model_wide"):
            parts.append(
                f"phi en tau² eenmaal geschat voor het risicomodel, op de z-scores van alle regio's in alle "
                f"peiljaren (elk peiljaar apart), na winsorisatie met 10% per zijde ({lo} laag en {hi} hoog "
                f"aangepast)"
            )
        else:
            parts.append(
                f"phi en tau² geschat na winsorisatie van de z-scores met 10% per zijde ({lo} laag en {hi} hoog "
                f"aangepast; bij 25 regio's raakt dat twee of drie regio's per zijde)"
            )
        if row.get("overdispersed"):
            parts.append("overdispersie: grenzen verbreed met tau² (DerSimonian-Laird)")
        else:
            parts.append(
                "geen overdispersie: "
                + (
                    "exacte Poisson-grenzen"
                    if row["_funnel"] == "ratio"
                    else "grenzen op de arcsinus-schaal zonder tau²"
                )
            )
        if row.get("_pooled"):
            parts.append(
                "oordeel op de peiljaren van het venster samen (som van O tegen som van E, exacte Poisson-toets "
                "zonder overdispersie); het peiljaar zelf staat ernaast"
            )
        if row.get("_zeros"):
            parts.append(f"{int(row['_zeros'])} regio('s) met 0 oefeningen tellen niet mee voor phi en tau²")
    if ind.norm_type == "model":
        n = int(row.get("n_model_waves") or 0)
        parts.append(
            f"risicomodel op alle peiljaren samen met een term per peiljaar ({n} "
            f"{'peiljaar' if n == 1 else 'peiljaren'})"
        )
        if n < 3:
            parts.append("verwachting zwak: minder dan drie peiljaren")
    if ind.id == indicators.SCORE_MODEL_ID:
        parts.append(
            f"residuele sd {_nl(row.get('residual_sd'))} (alle peiljaren samen); grenzen: verwachte score "
            f"plus of min z maal de residuele sd"
        )
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
    reasons = con.execute("select wave, region_code, indicator_id, reason_status, reason_note from int_reason_verdicts")
    reg = reg.merge(reasons.df(), on=["wave", "region_code", "indicator_id"], how="left")
    reg = reg.sort_values(["wave", "region_code", "_sort"], kind="stable").reset_index(drop=True)

    defs = pd.DataFrame(
        [
            dict(
                indicator_id=i.id,
                domain=i.domain,
                norm_type=i.norm_type,
                polarity=i.polarity,
                recommendation=i.recommendation,
                _def_target=i.target,
            )
            for i in INDICATORS
        ]
    )
    reg = reg.merge(defs, on="indicator_id", how="left")
    for c in ("target", "lower_95", "upper_95", "lower_998", "upper_998", "z_score"):
        reg[c] = np.nan
    reg["missing_reason"] = None
    reg["norm_source"] = reg["norm_source"].astype(object)

    for c in _WAVE_COLUMNS:
        reg[c] = np.nan if c != "wave_direction" else None
    reg["window_waves"] = reg["window_waves"].astype(object)  # ex_count's pooled windows are written below
    reg["n_window_waves"] = pd.to_numeric(reg["n_window_waves"], errors="coerce").astype(float)
    exact_low = pd.Series(np.nan, index=reg.index)  # the exact test's lower tail, where an exact test decides

    stats_rows: list[dict] = []
    model_frames: list[pd.DataFrame] = []
    waves = sorted(reg["wave"].unique())
    window_of = persistence.windows(waves, lookback)

    # ---- the count (ex_count): Poisson model on all waves, funnel per wave
    count_id, score_id = indicators.COUNT_MODEL_ID, indicators.SCORE_MODEL_ID
    m = (reg.indicator_id == count_id) & reg._has_row
    ec = reg.loc[m, ["wave", "region_code", "value", *riskmodel.RISK_BASIS, "basis_wave", "method"]].rename(
        columns={"value": "observed"}
    )
    fit = riskmodel.fit_count_model(ec)
    ec["expected"] = fit.fitted
    # One overdispersion estimate for the count model, like the model itself: on every region-wave's single
    # z-score. On a wave's 25 pooled windows a few persistently low regions would widen their own limits.
    usable = np.isfinite(ec["expected"].to_numpy(float))
    o_all, e_all = ec["observed"].to_numpy(float)[usable], ec["expected"].to_numpy(float)[usable]
    model_dispersion = ratio_funnel(o_all, e_all, trim=TRIM) if usable.any() else None
    alt_dispersion = ratio_funnel(o_all, e_all, trim=TRIM, method=ALTERNATIVE_METHOD) if usable.any() else None
    # the single wave: its own funnel and exact test, kept beside the verdict
    single, single_st = _ratio_stats(ec, fit.n_waves, model_dispersion, alt_dispersion)
    # the verdict: the window's waves pooled, sum O against sum E (one wave's E of 2 to 9 has too little power)
    pooled = persistence.pool_counts(ec, window_of)
    r, st = _ratio_stats(pooled, fit.n_waves, model_dispersion, alt_dispersion)
    if len(r):
        reg.loc[r.index, _LIMIT_COLUMNS] = r[_LIMIT_COLUMNS].to_numpy()
        exact_low.loc[r.index] = r["p_exact_low"]
    reg.loc[ec.index, "numerator"] = pooled["observed"]
    reg.loc[ec.index, "denominator"] = pooled["expected"]
    reg.loc[ec.index, "window_waves"] = pooled["window_waves"]
    reg.loc[ec.index, "n_window_waves"] = pooled["n_window_waves"]
    reg.loc[ec.index, "wave_numerator"] = ec["observed"]
    reg.loc[ec.index, "wave_denominator"] = ec["expected"]
    if len(single):
        v, lo, hi = (single[c].to_numpy(float) for c in ("value", "lower_998", "upper_998"))
        reg.loc[single.index, "wave_value"] = v
        reg.loc[single.index, "wave_lower_998"] = lo
        reg.loc[single.index, "wave_upper_998"] = hi
        with np.errstate(invalid="ignore"):
            side = np.where(v < lo, verdicts.LOWER, np.where(v > hi, verdicts.HIGHER, "")).astype(object)
        reg.loc[single.index, "wave_direction"] = pd.Series(side, index=single.index).replace("", None)
    single_national = {s["wave"]: s["national_value"] for s in single_st}
    for s in st:
        s.update(national_value=single_national.get(s["wave"], np.nan), _pooled=True)
    no_basis = ec.index[ec["basis_wave"].isna()]
    reg.loc[no_basis, "missing_reason"] = (
        "er is geen risicobeoordeling (module risico) in gebruik, dus geen verwachting op grond van het risicoprofiel"
    )
    no_fit = ec.index[ec["basis_wave"].notna() & ec["expected"].isna()]
    reg.loc[no_fit, "missing_reason"] = "het risicomodel kon niet worden geschat (" + (fit.message or "onbekend") + ")"
    none_held = ec.index[ec["basis_wave"].notna() & (ec.groupby("wave")["observed"].transform("sum") == 0)]
    reg.loc[none_held, "missing_reason"] = (
        "geen enkele regio hield in dit peiljaar een oefening, dus er is geen "
        "landelijk niveau om een verwachting op te baseren"
    )
    r2 = riskmodel.r2_by_wave(ec["wave"], ec["observed"], ec["expected"])
    for s in st:
        s.update(indicator_id=count_id, r2_risk=r2.get(s["wave"], np.nan))
    stats_rows += st
    model_frames.append(
        ec.assign(
            indicator_id=count_id,
            residual=ec["observed"] - ec["expected"],
            z_score=single["z_score"].reindex(ec.index) if len(single) else np.nan,
            n_obs=fit.n_obs,
            n_model_waves=fit.n_waves,
        )
    )

    # ---- the score (risk_probability): least squares on all waves, residual limits
    m = (reg.indicator_id == score_id) & reg._has_row
    rp = reg.loc[m, ["wave", "region_code", "value", *riskmodel.RISK_BASIS, "basis_wave", "method"]].rename(
        columns={"value": "observed"}
    )
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
        stats_rows.append(
            dict(
                wave=w,
                indicator_id=score_id,
                national_value=f["observed"].mean(),
                target=np.nan,
                residual_sd=sd,
                r2_risk=r2.get(w, np.nan),
                r2_method=eta.get(w, np.nan),
                n_model_waves=fit.n_waves,
            )
        )
    model_frames.append(
        rp.assign(indicator_id=score_id, residual=resid, z_score=z, n_obs=fit.n_obs, n_model_waves=fit.n_waves)
    )

    # ---- national proportions: funnel per wave
    for ind in (i for i in INDICATORS if i.norm_type == "landelijk"):
        m = (reg.indicator_id == ind.id) & reg._has_row
        f = reg.loc[m]
        r, st = _proportion_stats(f)
        if len(r):
            reg.loc[r.index, _LIMIT_COLUMNS] = r[_LIMIT_COLUMNS].to_numpy()
            exact_low.loc[r.index] = r["p_exact_low"]
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
        reg["value"],
        reg["lower_998"],
        reg["upper_998"],
        reg["lower_95"],
        reg["upper_95"],
        reg["target"],
        limit_based,
        reg["polarity"],
        reg["substantiated"],
    )
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
    # the reasons' status belongs to a deviation only (a cell can deviate while the indicator meets its norm)
    deviation = reg["verdict"].isin(list(verdicts.UNFAVOURABLE))
    reg["reason_status"] = reg["reason_status"].astype(object).where(deviation, None)

    # ---- persistence, trend and severity of the deviations (issue 17, points 4 and 6)
    reg["persistent"] = persistence.persistent_flags(reg, window_of)
    reg[["trend", "trend_p_value", "trend_n_waves"]] = persistence.trends(reg, count_id)
    reg["p_unfavourable"] = severity.p_unfavourable(reg, exact_low)
    reg["severity"] = severity.row_severities(reg, reg["p_unfavourable"], severity.cell_severities(con))
    reg["check_return"] = plausibility.check_return(con, reg)  # a warning on the return, never on the verdict

    register = reg[list(_REGISTER_SCHEMA)].copy()

    # ---- wave statistics for every wave x indicator
    ws = pd.DataFrame(stats_rows) if stats_rows else pd.DataFrame(columns=["wave", "indicator_id"])
    full = pd.DataFrame([(w, i.id) for w in waves for i in INDICATORS], columns=["wave", "indicator_id"])
    ws = full.merge(ws, on=["wave", "indicator_id"], how="left")
    ws["norm_type"] = ws["indicator_id"].map(lambda i: BY_ID[i].norm_type)
    ws["expectation_weak"] = np.where(
        ws["norm_type"] == "model",
        pd.to_numeric(ws.get("n_model_waves", pd.Series(np.nan, index=ws.index)), errors="coerce").fillna(0) < 3,
        None,
    )
    ws["note"] = [_wave_note(row, BY_ID[row["indicator_id"]]) for row in ws.to_dict("records")]
    risk_model = pd.concat(model_frames, ignore_index=True) if model_frames else pd.DataFrame()
    return register, risk_model, ws
