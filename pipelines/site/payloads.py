"""The marts shaped for the site's pages: the columns each page shows, the frames that combine marts
(risk, national line, trends, counts per domain), the selection of regions on the overview pages at
scale, and what every region page shares. Pure pandas; the pages are put together in
:mod:`pipelines.site.pages`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pipelines.contract import indicators as I
from pipelines.contract import reasons, reference
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.site import labels
from pipelines.site.data import SiteData, pack, pack_groups, templated

REGISTER_COLS = [
    "wave",
    "region_code",
    "indicator_id",
    "value",
    "numerator",
    "denominator",
    "target",
    "norm_source",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "z_score",
    "direction",
    "verdict",
    "substantiation",
    "explanation",
]
SUMMARY_COLS = [
    "wave",
    "indicator_id",
    "n_regions",
    "national_value",
    "min",
    "p25",
    "median",
    "p75",
    "max",
    "fold_variation",
    "phi",
    "tau2",
    "r2_risk",
    "r2_method",
    "n_unfavourable",
    "n_unjustified",
    "n_tests",
    "expected_false_alarms",
    "n_outside_998",
    "p90_p10_ratio",
    "scv",
    "tau2_natural",
    "overdispersion_method",
]
SCORE_COLS = [
    "wave",
    "region_code",
    "n_indicators",
    "n_conform",
    "n_favourable",
    "n_unjustified",
    "n_substantiated",
    "n_missing",
    "severity_score",
    "severity_score_unjustified",
    "n_persistent",
]
#: The overview's ranks (:func:`ranked_scorecard`): column -> the measure it ranks, highest first.
RANKS = {"rank_severity": "severity_score_unjustified", "rank_unjustified": "n_unjustified"}
#: The verdict matrix: per wave, region and indicator the verdict and what marks it (variation_register).
MATRIX_COLS = [
    "wave",
    "region_code",
    "indicator_id",
    "verdict",
    "severity",
    "persistent",
    "reason_status",
    "denominator",
]
#: Decimals the site shows a severity score with; regions whose shown scores are equal share a rank.
SEVERITY_DECIMALS = 2
#: "Hoe groot is de variatie?" on the overview: per wave and indicator (indicator_summary).
VARIATION_COLS = [
    "wave",
    "indicator_id",
    "n_regions",
    "n_tests",
    "expected_false_alarms",
    "n_outside_998",
    "p90_p10_ratio",
    "fold_variation",
    "scv",
    "tau2_natural",
]
#: The method page: the effect of the overdispersion method, per ratio or proportion indicator.
OVERDISPERSION_COLS = [
    "wave",
    "indicator_id",
    "overdispersion_method",
    "phi",
    "tau2",
    "n_outside_998",
    "alternative_method",
    "phi_alternative",
    "tau2_alternative",
    "n_outside_998_alternative",
]
#: The method page: assessment method against risk basis (the risk_probability rows).
RISK_FIT_COLS = [
    "wave",
    "n_regions",
    "n_methods",
    "r2_method",
    "r2_risk",
    "adj_r2_method",
    "adj_r2_risk",
    "r2_full",
    "f_method_given_risk",
    "p_method_given_risk",
    "f_risk_given_method",
    "p_risk_given_method",
]


def ranked_scorecard(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard with per wave the rank of each region on each measure of :data:`RANKS`, highest first.

    Equal values share a rank and the next rank is skipped (1, 2, 2, 4): a region is never placed above
    another by its code. Severity scores are compared as the site shows them (:data:`SEVERITY_DECIMALS`),
    so two scores that read the same are the same rank; a missing value ranks last.
    """
    out = scorecard.copy()
    for rank, col in RANKS.items():
        if col not in out.columns:
            continue
        value = pd.to_numeric(out[col], errors="coerce").astype("float64")
        if col.startswith("severity"):
            value = value.round(SEVERITY_DECIMALS)
        out[rank] = value.groupby(out["wave"]).rank(method="min", ascending=False, na_option="bottom").astype("Int64")
    return out


def domain_counts(d: SiteData) -> pd.DataFrame:
    reg = d.marts["variation_register"]
    if reg.empty:
        return pd.DataFrame(columns=["wave", "domain", "verdict", "n", "n_regions"])
    g = reg.groupby(["wave", "domain", "verdict"], dropna=False)
    out = g.size().rename("n").reset_index()
    out["n_regions"] = g["region_code"].nunique().values
    return out


def risk_frame(d: SiteData) -> pd.DataFrame:
    reg = d.marts["variation_register"]
    vals = d.marts["indicator_values"]
    rp = reg[reg["indicator_id"] == SCORE_MODEL_ID][
        ["wave", "region_code", "value", "target", "lower_998", "upper_998", "verdict", "explanation"]
    ]
    plain = vals[vals["indicator_id"] == SCORE_MODEL_ID][["wave", "region_code", "value"]].rename(
        columns={"value": "kans_score"}
    )
    out = rp.merge(plain, how="outer", on=["wave", "region_code"])
    if d.risk is not None:
        out = out.merge(d.risk, how="left", on=["wave", "region_code"])
        if "probability_score" in out.columns:
            out["kans_score"] = out["kans_score"].fillna(out["probability_score"])
            out = out.drop(columns=["probability_score"])
    pop = d.regions[["region_code", "population"]]
    out = out.merge(pop, how="left", on="region_code")
    return out.sort_values(["wave", "region_code"])


def national_line(d: SiteData) -> pd.DataFrame:
    """Per wave and indicator the national line in the terms of indicator_values.

    That is the summary's national_value, except for the standardised ratios, whose
    plain value is a count: there the line is the mean count per region.
    """
    summ = d.marts["indicator_summary"][["wave", "indicator_id", "national_value"]].rename(
        columns={"national_value": "national"}
    )
    ratio_ids = [i for i, m in labels.INDICATORS.items() if m["kind"] == "ratio"]
    vals = d.marts["indicator_values"]
    means = (
        vals[vals["indicator_id"].isin(ratio_ids)]
        .groupby(["wave", "indicator_id"])["value"]
        .mean()
        .rename("national")
        .reset_index()
    )
    keep = summ[~summ["indicator_id"].isin(ratio_ids)]
    return pd.concat([keep, means], ignore_index=True).sort_values(["indicator_id", "wave"])


def trend_frame(d: SiteData) -> pd.DataFrame:
    vals = d.marts["indicator_values"][["wave", "region_code", "indicator_id", "value"]]
    verdict_rows = d.marts["variation_register"][["wave", "region_code", "indicator_id", "verdict"]]
    return vals.merge(verdict_rows, how="outer", on=["wave", "region_code", "indicator_id"]).sort_values(
        ["indicator_id", "region_code", "wave"]
    )


def limit_regions(df: pd.DataFrame, flag: pd.Series, limit: int, per: str = "wave") -> pd.DataFrame:
    """Per ``per`` the ``limit`` regions with the most rows where ``flag`` holds (ties: region code), in df's order."""
    if df.empty:
        return df
    score = pd.DataFrame(
        {"per": df[per].values, "region_code": df["region_code"].values, "s": flag.fillna(False).astype(float).values}
    )
    s = score.groupby(["per", "region_code"], sort=False)["s"].sum().reset_index()
    s = s.sort_values(["per", "s", "region_code"], ascending=[True, False, True], kind="stable")
    top = s.groupby("per", sort=False).head(limit)[["per", "region_code"]]
    keep = pd.MultiIndex.from_arrays([df[per].values, df["region_code"].values]).isin(pd.MultiIndex.from_frame(top))
    return df[keep]


def part_file(key: str) -> str:
    """The file name of a data part loaded on demand: the key reduced to characters safe in a file name."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", str(key)) or "deel"
    return f"{safe}.js"


def rows_or_wave_parts(
    tables: Mapping[str, tuple[pd.DataFrame, list[str] | None]], folder: str, parts: dict, per_wave: bool
) -> dict:
    """A page's tables ({key: (rows, columns)}) in the page itself, or (``per_wave``) one data part per wave
    under ``folder/`` holding every table's rows of that wave, which the page loads when the wave is chosen
    (``S.waveRows`` in site.js): ``{"parts": {wave: file}}``. A table without rows in a wave is left out of
    that wave's part (the script reads it as no rows)."""
    if not per_wave:
        return {key: pack(rows, cols) for key, (rows, cols) in tables.items()}
    files: dict[str, str] = {}
    for key, (rows, cols) in tables.items():
        by_wave, _ = pack_groups(rows.assign(_w=rows["wave"].astype(str)), "_w", cols)
        for wave, packed in by_wave.items():
            rel = f"{folder}/" + part_file(wave)
            parts.setdefault(rel, {"key": rel, "payload": {}})["payload"][key] = packed
            files[wave] = rel
    return {"parts": dict(sorted(files.items()))}


def count_by(df: pd.DataFrame, cols: list[str]) -> dict:
    if df.empty:
        return pack(pd.DataFrame(columns=cols + ["n"]))
    return pack(df.groupby(cols, dropna=False).size().rename("n").reset_index())


REGION_REGISTER_COLS = [
    "wave",
    "indicator_id",
    "value",
    "numerator",
    "target",
    "lower_998",
    "upper_998",
    "verdict",
    "substantiation",
    "reason_status",
    "explanation",
    "check_return",
    "denominator",  # 0: nothing to count ('geen oefeningen gehouden', S.verdictWord)
]  # what regio.js shows of the register


def explanation_templates(d: SiteData) -> tuple[list[str], pd.DataFrame]:
    """The sentences the register's explanations are made from (digits left out), shared by the region pages,
    and the register with per row its template (_ek) and numbers or text (_ev)."""
    reg = d.marts["variation_register"]
    templates, k, v = templated(reg["explanation"])
    return templates, reg.assign(_ek=k, _ev=pd.Series(v, index=reg.index, dtype=object))


def region_shared(d: SiteData, templates: list[str]) -> dict:
    """What every region page shows alike: the national spread, the national line, the explanation templates."""
    summary_small = d.marts["indicator_summary"][
        ["wave", "indicator_id", "n_regions", "national_value", "min", "p25", "median", "p75", "max"]
    ]
    return {"summary": pack(summary_small), "national": pack(national_line(d)), "explanation_templates": templates}


# ---------------------------------------------------------------------------- reasons (substantiation_register)

#: What the page "Onderbouwingen wegen" shows of substantiation_register (plus cell_label).
REASON_COLS = [
    "wave",
    "region_code",
    "indicator_id",
    "cell",
    "cell_label",
    "reason_text",
    "valid_until",
    "first_wave_same_text",
    "waves_same_text_in_row",
    "n_other_regions_same_text",
    "years_named_past",
    "contradiction",
    "deviation_waves_in_row",
    "status",
    "status_reason",
    "judgement",
    "judgement_motivation",
    "judged_by",
    "judged_on",
    "verdict",
]
#: What a region page shows of its reasons, beside the register's verdicts.
REGION_REASON_COLS = ["wave", "indicator_id", "cell_label", "reason_text", "valid_until", "status", "status_reason"]
#: What the plan, ring model and equipment pages add to a cell of their matrix.
CELL_REASON_COLS = ["reason_text", "reason_status", "status_reason"]
#: The matrices' own copy of the region's text: the pages show the register's (CELL_REASON_COLS) instead.
MATRIX_TEXT = ["substantiation", "substantiation_text"]


def cell_label(indicator_id: str, cell: str) -> str:
    """A reason's cell in Dutch: the plan characteristic, 'zone · discipline' or 'functie · middel'."""
    kind = reasons.REASON_CELL_KIND.get(indicator_id)
    first, _, second = str(cell).partition("/")
    if kind == reasons.REASON_CELL_KIND[I.RING_CONFORMITY] and second:
        return f"{CATALOGUES['zone'].label(first)} zone · {CATALOGUES['discipline'].label(second)}"
    if kind == reasons.REASON_CELL_KIND[I.EQUIPMENT_PARITY] and second:
        return f"{CATALOGUES['functie'].label(first)} · {CATALOGUES['middel'].label(second)}"
    return CATALOGUES["bijzonderheid"].label(str(cell))


def reason_frame(d: SiteData) -> pd.DataFrame:
    """substantiation_register in the order the pages show it, with ``cell_label``."""
    reg = d.marts["substantiation_register"]
    order = {ind: i for i, ind in enumerate(reasons.REASON_INDICATORS)}
    reg = reg.assign(
        cell_label=[cell_label(i, c) for i, c in zip(reg["indicator_id"], reg["cell"])],
        _order=reg["indicator_id"].map(order).fillna(len(order)),
    )
    return reg.sort_values(["wave", "region_code", "_order", "cell"], kind="stable").drop(columns="_order")


def with_reasons(matrix: pd.DataFrame, d: SiteData, indicator_id: str, cell: pd.Series) -> pd.DataFrame:
    """``matrix`` with, per row, the register's reason for ``indicator_id`` and the row's ``cell`` (if any):
    the region's words (reason_text), its status (reason_status) and why (status_reason)."""
    reg = d.marts["substantiation_register"]
    reg = reg.loc[
        reg["indicator_id"] == indicator_id, ["wave", "region_code", "cell", "reason_text", "status", "status_reason"]
    ]
    reg = reg.rename(columns={"status": "reason_status", "cell": "_cell"})
    drop = [c for c in (*CELL_REASON_COLS, *MATRIX_TEXT) if c in matrix.columns]
    out = matrix.drop(columns=drop).assign(_cell=cell.astype(str).values)
    out = out.merge(reg, how="left", on=["wave", "region_code", "_cell"], sort=False)
    return out.drop(columns="_cell").set_axis(matrix.index)


def max_waves_in_row(d: SiteData, reference_dir: Path) -> int | None:
    """The rule max_waves_in_row as the register applied it; from the rules file where the register is empty."""
    used = pd.to_numeric(d.marts["substantiation_register"]["max_waves_in_row"], errors="coerce").dropna().unique()
    if len(used) == 1:
        return int(used[0])
    try:
        return reasons.load_substantiation_rules(reference_dir)["max_waves_in_row"]
    except (reference.ReferenceError, OSError):
        return None
