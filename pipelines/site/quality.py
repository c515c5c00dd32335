"""The pages "Datakwaliteit" and "Risicobeoordeling" at any scale: their payloads, and the overview of every
wave that the data-quality page draws from a small table computed here (:func:`wave_overview`).

Beyond :data:`~pipelines.site.pages.OVERVIEW_LIMIT` regions (``large``) the rows of a wave (the statuses and
problems of the data-quality page, the risk rows of the risk page) are one data part per wave under
:data:`QUALITY_FOLDER` / :data:`RISK_FOLDER`, loaded when the wave is chosen (``S.waveRows`` in site.js);
what the pages show over all waves is always in the page. Below the limit the rows stay in the page.
"""

from __future__ import annotations

import pandas as pd

from pipelines.contract import statuses
from pipelines.contract.plausibility import PREFIX as PLAUSIBLE_PREFIX
from pipelines.core.problems import ERROR
from pipelines.site import labels
from pipelines.site.data import SiteData, pack
from pipelines.site.payloads import rows_or_wave_parts

#: what the data-quality page shows of submission_status (with earlier_data_in_use from staging)
STATUS_COLS = [
    "wave",
    "region_code",
    "module",
    "source_file",
    "status",
    "n_rows",
    "n_errors",
    "n_warnings",
    "message",
    "earlier_data_in_use",
    "validation_run",
    "validation_path",
]
#: the overview of every wave on the data-quality page, one row per wave (the columns kwaliteit.js shows)
OVERVIEW_COLS = ["wave", "loaded", "missing", "rejected", "conflicts", "earlier", "errors", "warnings"]
#: the folders under assets/data/ of the pages' data parts per wave (beyond OVERVIEW_LIMIT regions)
QUALITY_FOLDER = "kwaliteit"
RISK_FOLDER = "risico"


def scale_note(n_regions: int, what: str) -> str:
    """What a page says beyond OVERVIEW_LIMIT regions: ``what`` of a wave is loaded when the wave is chosen."""
    return labels.loaded_when_chosen(n_regions, f"{what} van een peiljaar") + "."


def wave_overview(d: SiteData) -> pd.DataFrame:
    """Per wave of the site (``d.waves``): the regions with a loaded module, the regions without any return
    (no status, or every module absent), the rejected modules (distinct file, module and region), the
    conflicts, the statuses with earlier data in use, the errors and the other problems (warnings).

    The same counts kwaliteit.js made from every row of the page before the rows came per wave."""
    st, pr = d.status, d.problems
    regions = [str(c) for c in d.regions["region_code"]]
    out = []
    for w in d.waves:
        s = st[st["wave"] == w]
        p = pr[pr["wave"] == w] if "wave" in pr.columns else pr.head(0)
        present = set(s.loc[s["status"] != statuses.ABSENT, "region_code"].dropna().astype(str))
        severity = p["severity"] if "severity" in p.columns else pd.Series([], dtype=object)
        out.append(
            {
                "wave": int(w),
                "loaded": int(s.loc[s["status"] == statuses.LOADED, "region_code"].nunique(dropna=False)),
                "missing": sum(1 for c in regions if c not in present),
                "rejected": int(
                    len(
                        s.loc[
                            s["status"] == statuses.REJECTED, ["source_file", "module", "region_code"]
                        ].drop_duplicates()
                    )
                ),
                "conflicts": int((s["status"] == statuses.CONFLICT).sum()),
                "earlier": int(s["earlier_data_in_use"].fillna(False).astype(bool).sum()),
                "errors": int((severity == ERROR).sum()),
                "warnings": int((severity != ERROR).sum()),
            }
        )
    return pd.DataFrame(out, columns=OVERVIEW_COLS)


def quality_payload(d: SiteData, parts: dict, large: bool) -> dict:
    """The data-quality page's payload. Its statuses and problems are in the page, or (``large``) one data part
    per wave (``parts``), where problems without a wave (a folder that is no wave) stay in the page as
    ``problems_no_wave``; the run history, the judgement problems and the overview of every wave
    (:func:`wave_overview`) are always in the page."""
    if large:
        pr = d.problems
        has_wave = pr["wave"].notna() if "wave" in pr.columns else pd.Series(False, index=pr.index)
        tables: dict = {"status": (d.status.astype({"wave": "int64"}), STATUS_COLS)}
        if has_wave.any():
            tables["problems"] = (pr[has_wave].astype({"wave": "int64"}), None)
        rows = rows_or_wave_parts(tables, QUALITY_FOLDER, parts, per_wave=True)
        rows["problems_no_wave"] = pack(pr[~has_wave])
    else:
        rows = {"status": pack(d.status, STATUS_COLS)}
    payload = {**rows, "validation_href": d.validation_href or ""}
    if not large:
        payload["problems"] = pack(d.problems)
    m = d.marts
    payload.update(
        {
            "judgement_problems": pack(m["judgement_problems"]),
            "plausible_prefix": PLAUSIBLE_PREFIX,
            "severity_error": ERROR,
            "history": pack(d.run_history),
            "history_columns": list(d.run_history.columns) if d.run_history is not None else None,
            "modules": labels.module_names(),
            "notes": d.notes,
            # the overview of every wave, counted here: the page needs no wave's rows for it
            "overview": pack(wave_overview(d)),
        }
    )
    return payload


def risk_payload(risk: pd.DataFrame, parts: dict, large: bool) -> dict:
    """The risk page's rows (:func:`~pipelines.site.payloads.risk_frame`): in the page, or one part per wave."""
    return rows_or_wave_parts({"risk": (risk, None)}, RISK_FOLDER, parts, per_wave=large)
