"""The statistics of issue 17 for the synthetic warehouse: severity on the scorecard, size of the variation,
the overdispersion method's effect and method against risk on the summary.

Kept apart from tests/site/synthetic.py, which writes the counts these columns sit beside. The values are
plausible, not computed as the engine does (tests/engine checks the engine); they agree with the counts where
the contract says so (no severity without an unfavourable verdict, persistent at most the unfavourable ones).
What the site tests look for is planted in the latest wave (:func:`plant_ranking`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.contract import indicators, verdicts

#: The columns after the contract's first ones, in the order of pipelines/sql/marts/<mart>.toml.
SCORECARD_EXTRA = [
    "n_signal_95",
    "unjustified_indicators",
    "severity_score",
    "severity_score_unjustified",
    "n_persistent",
]
SUMMARY_EXTRA = [
    "domain",
    "norm_type",
    "polarity",
    "target",
    "overdispersed",
    "n_trimmed_low",
    "n_trimmed_high",
    "residual_sd",
    "n_model_waves",
    "expectation_weak",
    "n_favourable",
    "n_substantiated",
    "n_missing",
    "n_signal_95",
    "note",
    "n_tests",
    "expected_false_alarms",
    "p90_p10_ratio",
    "scv",
    "tau2_natural",
    "n_methods",
    "adj_r2_method",
    "adj_r2_risk",
    "r2_full",
    "f_method_given_risk",
    "p_method_given_risk",
    "f_risk_given_method",
    "p_risk_given_method",
    "overdispersion_method",
    "n_outside_998",
    "alternative_method",
    "phi_alternative",
    "tau2_alternative",
    "n_outside_998_alternative",
    "n_persistent",
]
#: Severities one unfavourable verdict may get: few distinct values, so equal sums (ties) occur by themselves.
SEVERITIES = [0.25, 0.5, 1.0, 1.5, 2.25]
UNFAVOURABLE = (verdicts.SUBSTANTIATED, verdicts.UNJUSTIFIED)


#: The register's columns of issue 17 the fixture has (between explanation and reason_status, in the contract's order).
REGISTER_EXTRA = ["signal_95", "severity", "persistent"]


def register_extra(register: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The register with :data:`REGISTER_EXTRA`: a severity from :data:`SEVERITIES` per unfavourable verdict
    (null for the others), persistent for some unfavourable ones, an early signal for a few conform ones."""
    unfavourable = register["verdict"].isin(UNFAVOURABLE)
    sev = rng.choice(SEVERITIES, len(register))
    persistent = unfavourable & (rng.random(len(register)) < 0.4)
    signal = register["verdict"].eq(verdicts.CONFORM) & (rng.random(len(register)) < 0.05)
    return register.assign(signal_95=signal, severity=np.where(unfavourable, sev, np.nan), persistent=persistent)


def scorecard_extra(register: pd.DataFrame, scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard with its last columns, summed from the register's (:func:`register_extra`)."""
    reg = register.assign(sev=register["severity"].fillna(0.0))
    reg["sev_unjustified"] = reg["sev"].where(reg["verdict"] == verdicts.UNJUSTIFIED, 0.0)
    reg["unjustified_id"] = reg["indicator_id"].where(reg["verdict"] == verdicts.UNJUSTIFIED)
    g = reg.groupby(["wave", "region_code"], sort=True)
    extra = pd.DataFrame(
        {
            "n_signal_95": g["signal_95"].sum().astype("int64"),
            "unjustified_indicators": g["unjustified_id"].agg(lambda s: ",".join(s.dropna()) or None),
            "severity_score": g["sev"].sum(),
            "severity_score_unjustified": g["sev_unjustified"].sum(),
            "n_persistent": g["persistent"].sum().astype("int64"),
        }
    ).reset_index()
    return scorecard.merge(extra, how="left", on=["wave", "region_code"])


def plant_ranking(scorecard: pd.DataFrame) -> dict:
    """In the latest wave: the region with the most unjustified deviations gets the lowest severity they can
    have, two other regions with unjustified deviations the same, highest severity. Only severities change,
    so the counts still agree with the register. Returns what was planted ({} where too few regions)."""
    w = scorecard["wave"].max()
    latest = scorecard[(scorecard["wave"] == w) & (scorecard["n_unjustified"] > 0)]
    latest = latest.sort_values(["n_unjustified", "region_code"], ascending=[False, True])
    if len(latest) < 3:
        return {}
    most, a, b = latest.index[0], latest.index[-1], latest.index[-2]
    top = float(latest["severity_score_unjustified"].max()) + 1.0
    plan = {most: SEVERITIES[0] * int(scorecard.at[most, "n_unjustified"]), a: top, b: top}
    for i, sev in plan.items():
        other = float(scorecard.at[i, "severity_score"]) - float(scorecard.at[i, "severity_score_unjustified"])
        scorecard.loc[i, ["severity_score_unjustified", "severity_score"]] = [sev, sev + other]
    return {
        "wave": int(w),
        "tied": sorted(scorecard.loc[[a, b], "region_code"].tolist()),
        "many_but_light": scorecard.at[most, "region_code"],
        "severity": top,
    }


def summary_extra(summary: pd.DataFrame, register: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The summary with its last columns: spread, overdispersion under both methods, method against risk."""
    meta = {i.id: i for i in indicators.INDICATORS}
    rows = []
    for r in summary.itertuples(index=False):
        g = register[(register["wave"] == r.wave) & (register["indicator_id"] == r.indicator_id)]
        v = g["value"].dropna()
        verdict = g["verdict"].value_counts()
        n_tests = int((g["verdict"] != verdicts.MISSING).sum())
        funnel = r.phi is not None and not pd.isna(r.phi)
        ratio = r.indicator_id == indicators.COUNT_MODEL_ID
        p10, p90 = (float(v.quantile(0.1)), float(v.quantile(0.9))) if len(v) > 1 else (None, None)
        outside = int(verdict.get(verdicts.UNJUSTIFIED, 0) + verdict.get(verdicts.SUBSTANTIATED, 0)) + int(
            verdict.get(verdicts.FAVOURABLE, 0)
        )
        risk = r.indicator_id == indicators.SCORE_MODEL_ID
        adj = (
            (round(float(rng.uniform(0.3, 0.8)), 3), round(float(rng.uniform(-0.05, 0.4)), 3)) if risk else (None,) * 2
        )
        m = meta.get(r.indicator_id)
        rows.append(
            {
                "domain": m.domain if m else None,
                "norm_type": m.norm_type if m else None,
                "polarity": m.polarity if m else None,
                "target": None,
                "overdispersed": bool(funnel and r.tau2 and r.tau2 > 0),
                "n_trimmed_low": 2 if funnel else None,
                "n_trimmed_high": 2 if funnel else None,
                "residual_sd": round(float(rng.uniform(0.4, 0.9)), 3) if risk else None,
                "n_model_waves": 3 if risk or ratio else None,
                "expectation_weak": False,
                "n_favourable": int(verdict.get(verdicts.FAVOURABLE, 0)),
                "n_substantiated": int(verdict.get(verdicts.SUBSTANTIATED, 0)),
                "n_missing": int(verdict.get(verdicts.MISSING, 0)),
                "n_signal_95": 0,
                "note": None,
                "n_tests": n_tests,
                "expected_false_alarms": n_tests * 0.002,
                "p90_p10_ratio": p90 / p10 if p10 else None,
                "scv": round(float(rng.uniform(-0.02, 0.2)), 4) if ratio else None,
                "tau2_natural": round(float(rng.uniform(0, 0.2)), 5) if funnel else None,
                "n_methods": int(rng.integers(3, 6)) if risk else None,
                "adj_r2_method": adj[0],
                "adj_r2_risk": adj[1],
                "r2_full": round(float(rng.uniform(0.7, 0.95)), 3) if risk else None,
                "f_method_given_risk": round(float(rng.uniform(5, 25)), 3) if risk else None,
                "p_method_given_risk": float(10 ** rng.uniform(-7, -3)) if risk else None,
                "f_risk_given_method": round(float(rng.uniform(0.5, 8)), 3) if risk else None,
                "p_risk_given_method": round(float(rng.uniform(0.002, 0.5)), 4) if risk else None,
                "overdispersion_method": "winsorise" if funnel else None,
                "n_outside_998": outside if funnel else None,
                "alternative_method": "truncate" if funnel else None,
                "phi_alternative": round(float(r.phi) * 0.8, 4) if funnel else None,
                "tau2_alternative": round(float(r.tau2) * 0.7, 5) if funnel else None,
                "n_outside_998_alternative": outside + 1 if funnel else None,
                "n_persistent": int(rng.integers(0, 3)),
            }
        )
    extra = pd.DataFrame(rows, columns=SUMMARY_EXTRA, index=summary.index)
    for col in ("n_outside_998", "n_outside_998_alternative", "n_methods", "n_trimmed_low", "n_trimmed_high"):
        extra[col] = extra[col].astype("Int64")
    return pd.concat([summary, extra], axis=1)
