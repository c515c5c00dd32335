"""Writing the site: one Jinja template per page type, the data of each page embedded as JSON.

Server side, Jinja (autoescape on) writes the frame of every page: navigation,
headings, the wave and indicator selectors, static text. The charts and tables are
drawn in the browser from the embedded data by ``assets/site.js`` and the page's
own script under ``assets/pages/``, so that switching the wave needs no server.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipelines.lib.site import geo, labels
from pipelines.lib.site.data import SiteData, load, pack, to_json

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: (file, navigation label, heading)
NAV = [
    ("index.html", "Overzicht", "Overzicht: ongerechtvaardigde verschillen tussen regio's"),
    ("indicatoren.html", "Indicatoren", "Indicatoren: trechterplots en rangorde"),
    ("regios.html", "Regio's", "Regio's"),
    ("middelen.html", "Beschermende middelen", "Beschermende middelen per functie"),
    ("ringenmodel.html", "Ringenmodel", "Ringenmodel: toegang per zone en discipline"),
    ("plan.html", "Plan en oefenen", "Plan en oefenen: bijzonderheden beoefend?"),
    ("risico.html", "Risicobeoordeling", "Risicobeoordeling: methode of risico?"),
    ("trends.html", "Trends", "Trends over de peiljaren"),
    ("aanbevelingen.html", "Aanbevelingen", "Aanbevelingen: stand per regio"),
    ("kwaliteit.html", "Datakwaliteit", "Datakwaliteit: aanleveringen en afwijzingen"),
    ("methode.html", "Methode", "Methode: hoe een oordeel tot stand komt"),
]


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def region_file(code: str) -> str:
    """The file name of a region's page: the code, reduced to characters safe in a file name and URL."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", str(code)) or "regio"
    return f"{safe}.html"


@dataclass
class Page:
    path: str  # relative to the site root, posix
    template: str
    script: str
    title: str
    heading: str
    payload: dict
    nav_active: str
    plotly: bool = True
    context: dict | None = None
    wave_select: bool = True


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env


# ---------------------------------------------------------------------------- payloads


def _common(d: SiteData) -> dict:
    reg = d.marts["variation_register"]
    ids = list(dict.fromkeys(reg["indicator_id"].dropna().astype(str).tolist()))
    ids += [i for i in d.marts["indicator_summary"]["indicator_id"].dropna().astype(str).unique() if i not in ids]
    meta = labels.indicator_meta(ids)
    regions = [{"code": r.region_code, "name": r.region_name, "file": region_file(r.region_code)}
               for r in d.regions.itertuples(index=False)]
    lab = labels.catalogue_labels()
    lab.update({"domain": labels.DOMAINS, "verdict": labels.VERDICTS, "norm_source": labels.NORM_SOURCES,
                "submission": labels.SUBMISSION, "plan": labels.PLAN_STATUS,
                "recommendation_status": labels.RECOMMENDATION_STATUS,
                "recommendation": {str(k): v for k, v in labels.RECOMMENDATIONS.items()},
                "severity": labels.SEVERITY, "run_history": labels.RUN_HISTORY})
    return {"waves": d.waves, "regions": regions, "indicators": meta, "labels": lab}


REGISTER_COLS = ["wave", "region_code", "indicator_id", "value", "numerator", "denominator", "target", "norm_source",
                 "lower_95", "upper_95", "lower_998", "upper_998", "z_score", "direction", "verdict",
                 "substantiation", "explanation"]
SUMMARY_COLS = ["wave", "indicator_id", "n_regions", "national_value", "min", "p25", "median", "p75", "max",
                "fold_variation", "phi", "tau2", "r2_risk", "r2_method", "n_unfavourable", "n_unjustified"]
SCORE_COLS = ["wave", "region_code", "n_indicators", "n_conform", "n_favourable", "n_unjustified",
              "n_substantiated", "n_missing"]


def _domain_counts(d: SiteData) -> pd.DataFrame:
    reg = d.marts["variation_register"]
    if reg.empty:
        return pd.DataFrame(columns=["wave", "domain", "verdict", "n", "n_regions"])
    g = reg.groupby(["wave", "domain", "verdict"], dropna=False)
    out = g.size().rename("n").reset_index()
    out["n_regions"] = g["region_code"].nunique().values
    return out


def _risk_frame(d: SiteData) -> pd.DataFrame:
    reg = d.marts["variation_register"]
    vals = d.marts["indicator_values"]
    rp = reg[reg["indicator_id"] == "risk_probability"][
        ["wave", "region_code", "value", "target", "lower_998", "upper_998", "verdict", "explanation"]]
    plain = vals[vals["indicator_id"] == "risk_probability"][["wave", "region_code", "value"]].rename(
        columns={"value": "kans_score"})
    out = rp.merge(plain, how="outer", on=["wave", "region_code"])
    if d.risk is not None:
        out = out.merge(d.risk, how="left", on=["wave", "region_code"])
        if "probability_score" in out.columns:
            out["kans_score"] = out["kans_score"].fillna(out["probability_score"])
            out = out.drop(columns=["probability_score"])
    pop = d.regions[["region_code", "population"]]
    out = out.merge(pop, how="left", on="region_code")
    return out.sort_values(["wave", "region_code"])


def _national_line(d: SiteData) -> pd.DataFrame:
    """Per wave and indicator the national line in the terms of indicator_values.

    That is the summary's national_value, except for the standardised ratios, whose
    plain value is a count: there the line is the mean count per region.
    """
    summ = d.marts["indicator_summary"][["wave", "indicator_id", "national_value"]].rename(
        columns={"national_value": "national"})
    ratio_ids = [i for i, m in labels.INDICATORS.items() if m["kind"] == "ratio"]
    vals = d.marts["indicator_values"]
    means = (vals[vals["indicator_id"].isin(ratio_ids)].groupby(["wave", "indicator_id"])["value"].mean()
             .rename("national").reset_index())
    keep = summ[~summ["indicator_id"].isin(ratio_ids)]
    return pd.concat([keep, means], ignore_index=True).sort_values(["indicator_id", "wave"])


def _trend_frame(d: SiteData) -> pd.DataFrame:
    vals = d.marts["indicator_values"][["wave", "region_code", "indicator_id", "value"]]
    verdicts = d.marts["variation_register"][["wave", "region_code", "indicator_id", "verdict"]]
    return vals.merge(verdicts, how="outer", on=["wave", "region_code", "indicator_id"]).sort_values(
        ["indicator_id", "region_code", "wave"])


def _pages(d: SiteData, reference_dir: Path) -> list[Page]:
    m = d.marts
    nav_heading = {f: h for f, _, h in NAV}
    pages: list[Page] = []

    def add(path, script, payload, plotly=True, heading=None, title=None, nav=None, context=None, template=None,
            wave_select=True):
        name = nav or path
        label = next(lbl for f, lbl, _ in NAV if f == name)
        pages.append(Page(path, template or path.replace(".html", ".html.j2"), script, title or label,
                          heading or nav_heading[name], payload, name, plotly, context or {}, wave_select))

    codes = d.regions["region_code"].tolist()
    boundaries, geo_notes = geo.load_boundaries(reference_dir, codes)
    add("index.html", "overzicht", {
        "scorecard": pack(m["region_scorecard"], SCORE_COLS),
        "domains": pack(_domain_counts(d)),
        "tiles": geo.tile_positions(codes),
        "boundaries": boundaries,
        "notes": geo_notes,
    }, plotly=boundaries is not None)
    add("indicatoren.html", "indicatoren", {
        "register": pack(m["variation_register"].sort_values(["wave", "indicator_id", "region_code"]), REGISTER_COLS),
        "summary": pack(m["indicator_summary"], SUMMARY_COLS),
    })
    add("regios.html", "regios", {"scorecard": pack(m["region_scorecard"], SCORE_COLS)}, plotly=False)

    summary_small = m["indicator_summary"][["wave", "indicator_id", "n_regions", "national_value", "min", "p25",
                                            "median", "p75", "max"]]
    national = _national_line(d)
    for r in d.regions.itertuples(index=False):
        code = r.region_code

        def only(df, code=code):
            return df[df["region_code"] == code]

        lessons = only(d.lessons) if d.lessons is not None else None
        add("regio/" + region_file(code), "regio", {
            "region": code,
            "register": pack(only(m["variation_register"]).sort_values(["wave", "indicator_id"]),
                             [c for c in REGISTER_COLS if c != "region_code"]),
            "summary": pack(summary_small),
            "national": pack(national),
            "recommendations": pack(only(m["recommendation_tracker"]).sort_values(["wave", "recommendation"]),
                                    ["wave", "recommendation", "status", "indicator_ids", "n_unjustified"]),
            "scorecard": pack(only(m["region_scorecard"]), SCORE_COLS),
            "status": pack(only(d.status), ["wave", "module", "source_file", "status", "message",
                                           "earlier_data_in_use"]),
            "lessons": pack(lessons.drop(columns=["region_code"]) if lessons is not None else None),
        }, nav="regios.html", template="regio.html.j2", title=f"Regioprofiel {r.region_name}",
            heading=f"Regioprofiel {r.region_name} ({code})",
            context={"region_code": code, "region_name": r.region_name})

    add("middelen.html", "middelen", {"equipment": pack(m["equipment_matrix"])})
    add("ringenmodel.html", "ringenmodel", {"ring": pack(m["ring_model_matrix"])})
    add("plan.html", "plan", {"plan": pack(m["plan_exercise_matrix"])})
    add("risico.html", "risico", {
        "risk": pack(_risk_frame(d)),
        "summary": pack(m["indicator_summary"][m["indicator_summary"]["indicator_id"] == "risk_probability"],
                        ["wave", "n_regions", "r2_risk", "r2_method", "n_unfavourable", "n_unjustified"]),
    })
    add("trends.html", "trends", {
        "values": pack(_trend_frame(d)),
        "national": pack(_national_line(d)),
    })
    add("aanbevelingen.html", "aanbevelingen", {
        "recommendations": pack(m["recommendation_tracker"].sort_values(["wave", "region_code", "recommendation"]),
                                ["wave", "region_code", "recommendation", "status", "indicator_ids", "n_unjustified"]),
    })
    add("kwaliteit.html", "kwaliteit", {
        "status": pack(d.status, ["wave", "region_code", "module", "source_file", "status", "n_rows", "n_errors",
                                  "n_warnings", "message", "earlier_data_in_use"]),
        "problems": pack(d.problems),
        "history": pack(d.run_history),
        "history_columns": list(d.run_history.columns) if d.run_history is not None else None,
        "modules": labels.module_names(),
        "notes": d.notes,
    }, plotly=False)
    add("methode.html", "methode", {}, plotly=False, wave_select=False)
    return pages


# ---------------------------------------------------------------------------- writing


def build_site(con, out: Path, reference_dir: Path) -> dict[str, int]:
    """Read the marts (and the loader's tables) from ``con``; write the whole site into ``out``.

    Returns {relative path: bytes written} for every file, pages and assets alike.
    """
    out = Path(out)
    data = load(con)
    return write_site(data, out, Path(reference_dir))


def write_site(data: SiteData, out: Path, reference_dir: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}

    assets = out / "assets"
    (assets / "pages").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    written["assets/plotly.min.js"] = (assets / "plotly.min.js").stat().st_size
    for src in sorted(STATIC.rglob("*")):
        if src.is_file() and src.suffix in (".js", ".css"):
            rel = src.relative_to(STATIC).as_posix()
            dst = assets / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written[f"assets/{rel}"] = dst.stat().st_size

    env = _environment()
    common = _common(data)
    waves_desc = sorted(data.waves, reverse=True)
    built = dt.datetime.now().strftime("%d-%m-%Y %H:%M")
    span = (f"peiljaren {data.waves[0]}–{data.waves[-1]}" if len(data.waves) > 1
            else f"peiljaar {data.waves[0]}" if data.waves else "nog geen peiljaren")
    for page in _pages(data, reference_dir):
        depth = page.path.count("/")
        root = "../" * depth
        payload = dict(common)
        payload.update(page.payload)
        payload["page"] = page.script
        nav = [{"href": f, "label": lbl, "active": f == page.nav_active} for f, lbl, _ in NAV]
        html = env.get_template(page.template).render(
            root=root, nav=nav, title=page.title, heading=page.heading, script=page.script,
            plotly=page.plotly, wave_select=page.wave_select, waves=waves_desc, latest=waves_desc[0] if waves_desc else None,
            regions=common["regions"], indicators=common["indicators"], domains=labels.DOMAINS,
            recommendations=labels.RECOMMENDATIONS, built=built, wave_span=span,
            data_json=Markup(to_json(payload)), **(page.context or {}))
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        blob = html.encode("utf-8")
        target.write_bytes(blob)
        written[page.path] = len(blob)
    return written
