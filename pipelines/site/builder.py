"""Writing the site: one Jinja template per page type, the data of each page embedded as JSON.

Server side, Jinja (autoescape on) writes the frame of every page: navigation,
headings, the wave and indicator selectors, static text. The charts and tables are
drawn in the browser from the embedded data by ``assets/site.js`` and the page's
own script under ``assets/pages/``, so that switching the wave needs no server.

What many pages share is written once as a data script under ``assets/data/``
(:func:`data_script`), loaded with ``<script src>`` (file:// allows no fetch()). The
region pages come from one template, their data from one pass over each table
(:func:`~pipelines.site.data.pack_groups`). At 2,500 regions x 10 waves this keeps
the site step to seconds and the site to about 140 MB instead of 900 MB.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from pipelines.contract import verdicts
from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.site import geo, labels
from pipelines.site.data import SiteData, load, pack, pack_groups, templated, to_json

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
    shared: tuple[str, ...] = ()  # data scripts under assets/data/ that this page loads besides common.js
    note: str | None = None  # shown above the content: what the page leaves out at this scale


#: Beyond this many regions a page that draws one row per region (a heatmap, small multiples) shows a
#: selection of the regions and says so: 2,500 rows are no longer readable, and the page would weigh tens of MB.
OVERVIEW_LIMIT = 100
#: the number of regions the trends page shows per indicator beyond OVERVIEW_LIMIT
TREND_LIMIT = 25
#: the shared data scripts, under assets/data/
COMMON_JS = "common.js"
REGION_JS = "regio.js"


def part_file(key: str) -> str:
    """The file name of a data part loaded on demand: the key reduced to characters safe in a file name."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", str(key)) or "deel"
    return f"{safe}.js"


def data_script(payload: dict, part: str | None = None) -> str:
    """A data file as JavaScript: it adds ``payload`` to a global, which a plain <script src> loads from file://.

    Shared data (``part`` None) is merged into ``window.SiteShared`` before ``site.js`` runs; a part loaded on
    demand lands in ``window.SiteParts[part]``. The JSON is escaped as in the pages (:func:`to_json`).
    """
    if part is None:
        return "window.SiteShared = Object.assign(window.SiteShared || {}, " + to_json(payload) + ");\n"
    return "(window.SiteParts = window.SiteParts || {})[" + to_json(part) + "] = " + to_json(payload) + ";\n"


#: Fill pages that share a frame into it (see write_site); False renders every page whole (tests compare both).
USE_FRAMES = True


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# ---------------------------------------------------------------------------- payloads


def _common(d: SiteData) -> dict:
    reg = d.marts["variation_register"]
    ids = list(dict.fromkeys(reg["indicator_id"].dropna().astype(str).tolist()))
    ids += [i for i in d.marts["indicator_summary"]["indicator_id"].dropna().astype(str).unique() if i not in ids]
    meta = labels.indicator_meta(ids)
    regions = [
        {"code": r.region_code, "name": r.region_name, "file": region_file(r.region_code)}
        for r in d.regions.itertuples(index=False)
    ]
    lab = labels.catalogue_labels()
    lab.update(
        {
            "domain": labels.DOMAINS,
            "verdict": labels.VERDICTS,
            "norm_source": labels.NORM_SOURCES,
            "submission": labels.SUBMISSION,
            "plan": labels.PLAN_STATUS,
            "recommendation_status": labels.RECOMMENDATION_STATUS,
            "recommendation": {str(k): v for k, v in labels.RECOMMENDATIONS.items()},
            "severity": labels.SEVERITY,
            "run_history": labels.RUN_HISTORY,
        }
    )
    return {"waves": d.waves, "default_wave": d.default_wave, "regions": regions, "indicators": meta, "labels": lab}


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
]


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


def _national_line(d: SiteData) -> pd.DataFrame:
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


def _trend_frame(d: SiteData) -> pd.DataFrame:
    vals = d.marts["indicator_values"][["wave", "region_code", "indicator_id", "value"]]
    verdict_rows = d.marts["variation_register"][["wave", "region_code", "indicator_id", "verdict"]]
    return vals.merge(verdict_rows, how="outer", on=["wave", "region_code", "indicator_id"]).sort_values(
        ["indicator_id", "region_code", "wave"]
    )


def _limit_regions(df: pd.DataFrame, flag: pd.Series, limit: int, per: str = "wave") -> pd.DataFrame:
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


def _count_by(df: pd.DataFrame, cols: list[str]) -> dict:
    if df.empty:
        return pack(pd.DataFrame(columns=cols + ["n"]))
    return pack(df.groupby(cols, dropna=False).size().rename("n").reset_index())


def _selection_note(n_regions: int, what: str, limit: int = OVERVIEW_LIMIT, per: str = "per peiljaar") -> str:
    return (
        f"Er zijn {_nl(n_regions)} regio's; een overzicht met een rij per regio is dan niet meer leesbaar "
        f"en te zwaar voor de browser. Deze pagina toont daarom {per} de {_nl(limit)} regio's met {what} "
        "(bij gelijke aantallen op regiocode). Elke regio staat volledig in haar regioprofiel en in de "
        "gepubliceerde marts (CSV, Parquet en benchmark.xlsx)."
    )


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
    "explanation",
]  # what regio.js shows of the register


def _pages(
    d: SiteData,
    reference_dir: Path,
    parts: dict[str, dict] | None = None,
    templated_register: tuple[list[str], pd.DataFrame] | None = None,
) -> list[Page]:
    """Every page. Data too large for one page is put in ``parts`` ({file under assets/data/: payload});
    ``templated_register``: see :func:`_explanation_templates` (the templates are in assets/data/regio.js)."""
    m = d.marts
    nav_heading = {f: h for f, _, h in NAV}
    pages: list[Page] = []
    parts = {} if parts is None else parts
    register_t = (_explanation_templates(d) if templated_register is None else templated_register)[1]
    n_regions = len(d.regions)
    large = n_regions > OVERVIEW_LIMIT

    def add(
        path,
        script,
        payload,
        plotly=True,
        heading=None,
        title=None,
        nav=None,
        context=None,
        template=None,
        wave_select=True,
        shared=(),
        note=None,
    ):
        name = nav or path
        label = next(lbl for f, lbl, _ in NAV if f == name)
        pages.append(
            Page(
                path,
                template or path.replace(".html", ".html.j2"),
                script,
                title or label,
                heading or nav_heading[name],
                payload,
                name,
                plotly,
                context or {},
                wave_select,
                tuple(shared),
                note,
            )
        )

    codes = d.regions["region_code"].tolist()
    boundaries, geo_notes = geo.load_boundaries(reference_dir, codes)
    add(
        "index.html",
        "overzicht",
        {
            "scorecard": pack(m["region_scorecard"], SCORE_COLS),
            "domains": pack(_domain_counts(d)),
            "tiles": geo.tile_positions(codes),
            "boundaries": boundaries,
            "notes": geo_notes,
        },
        plotly=boundaries is not None,
    )

    register = m["variation_register"].sort_values(["wave", "indicator_id", "region_code"], kind="stable")
    if not large:
        add(
            "indicatoren.html",
            "indicatoren",
            {
                "register": pack(register, REGISTER_COLS),
                "summary": pack(m["indicator_summary"], SUMMARY_COLS),
            },
        )
    else:
        # one data file per indicator, loaded when the indicator is chosen; the explanation (a sentence that
        # repeats value, limits and verdict) stays on the region profiles, else the site doubles in size
        by_ind, _ = pack_groups(register, "indicator_id", [c for c in REGISTER_COLS if c != "explanation"])
        files = {}
        for ind, packed in by_ind.items():
            rel = "indicatoren/" + part_file(ind)
            if rel in parts:  # two ids that differ only in characters not allowed in a file name
                rel = rel[:-3] + f"_{len(parts)}.js"
            parts[rel] = {"key": rel, "payload": {"register": packed}}
            files[ind] = rel
        add(
            "indicatoren.html",
            "indicatoren",
            {
                "parts": files,
                "explanation_elsewhere": True,
                "summary": pack(m["indicator_summary"], SUMMARY_COLS),
            },
            note=(
                f"Er zijn {_nl(n_regions)} regio's: de gegevens van een indicator worden pas geladen als u "
                "die kiest, en de toelichting per regio (een zin met waarde, grenzen en oordeel) staat niet "
                "in de tabel maar in het regioprofiel van de regio."
            ),
        )
    add("regios.html", "regios", {"scorecard": pack(m["region_scorecard"], SCORE_COLS)}, plotly=False)

    # region pages: what every region page shows alike is in assets/data/regio.js; per region one pass
    reg_by, reg_empty = pack_groups(
        register_t,
        "region_code",
        REGION_REGISTER_COLS,
        ["wave", "indicator_id"],
        templates={"explanation": ("explanation_templates", "_ek", "_ev")},
    )
    rec_by, rec_empty = pack_groups(
        m["recommendation_tracker"],
        "region_code",
        ["wave", "recommendation", "status", "indicator_ids", "n_unjustified"],
        ["wave", "recommendation"],
    )
    score_by, score_empty = pack_groups(m["region_scorecard"], "region_code", SCORE_COLS)
    status_by, status_empty = pack_groups(
        d.status, "region_code", ["wave", "module", "source_file", "status", "message", "earlier_data_in_use"]
    )
    if d.lessons is not None:
        lesson_by, lesson_empty = pack_groups(
            d.lessons, "region_code", [c for c in d.lessons.columns if c != "region_code"]
        )
    else:
        lesson_by, lesson_empty = {}, {"n": 0, "c": {}}
    for r in d.regions.itertuples(index=False):
        code = r.region_code
        add(
            "regio/" + region_file(code),
            "regio",
            {
                "region": code,
                "register": reg_by.get(code, reg_empty),
                "recommendations": rec_by.get(code, rec_empty),
                "scorecard": score_by.get(code, score_empty),
                "status": status_by.get(code, status_empty),
                "lessons": lesson_by.get(code, lesson_empty),
            },
            nav="regios.html",
            template="regio.html.j2",
            title=f"Regioprofiel {r.region_name}",
            heading=f"Regioprofiel {r.region_name} ({code})",
            context={"region_code": code, "region_name": r.region_name},
            shared=(REGION_JS,),
        )

    equipment, ring, plan, recs = (
        m["equipment_matrix"],
        m["ring_model_matrix"],
        m["plan_exercise_matrix"],
        m["recommendation_tracker"],
    )
    notes = {}
    if large:
        equipment = _limit_regions(equipment, equipment["below_norm"], OVERVIEW_LIMIT)
        ring = _limit_regions(ring, ring["deviates"], OVERVIEW_LIMIT)
        plan = _limit_regions(plan, plan["status"] == verdicts.UNEXERCISED, OVERVIEW_LIMIT)
        recs = _limit_regions(recs, recs["status"] == verdicts.ATTENTION, OVERVIEW_LIMIT)
        notes = {
            "middelen": _selection_note(n_regions, "de meeste cellen onder de norm"),
            "ring": _selection_note(n_regions, "de meeste afwijkingen van de norm"),
            "plan": _selection_note(n_regions, "de meeste bijzonderheden die niet zijn beoefend zonder onderbouwing")
            + " De telling onderaan gaat over alle regio's.",
            "recs": _selection_note(n_regions, "de meeste aanbevelingen die aandacht vragen")
            + " De telling in de tabel gaat over alle regio's.",
        }
    add("middelen.html", "middelen", {"equipment": pack(equipment)}, note=notes.get("middelen"))
    add("ringenmodel.html", "ringenmodel", {"ring": pack(ring)}, note=notes.get("ring"))
    plan_payload = {"plan": pack(plan)}
    if large:
        plan_payload["counts"] = _count_by(m["plan_exercise_matrix"], ["wave", "characteristic", "status"])
    add("plan.html", "plan", plan_payload, note=notes.get("plan"))
    add(
        "risico.html",
        "risico",
        {
            "risk": pack(_risk_frame(d)),
            "summary": pack(
                m["indicator_summary"][m["indicator_summary"]["indicator_id"] == SCORE_MODEL_ID],
                ["wave", "n_regions", "r2_risk", "r2_method", "n_unfavourable", "n_unjustified"],
            ),
        },
    )
    trend = _trend_frame(d)
    trend_note = None
    if large:
        trend = _limit_regions(trend, trend["verdict"] == verdicts.UNJUSTIFIED, TREND_LIMIT, per="indicator_id")
        trend_note = _selection_note(
            n_regions, "de meeste niet onderbouwde afwijkingen over alle peiljaren", TREND_LIMIT, per="per indicator"
        )
    add(
        "trends.html",
        "trends",
        {
            "values": pack(trend, ["wave", "region_code", "indicator_id", "value", "verdict"]),
            "national": pack(_national_line(d)),
        },
        note=trend_note,
    )
    rec_payload = {
        "recommendations": pack(
            recs.sort_values(["wave", "region_code", "recommendation"]),
            ["wave", "region_code", "recommendation", "status", "indicator_ids", "n_unjustified"],
        )
    }
    if large:
        rec_payload["counts"] = _count_by(m["recommendation_tracker"], ["wave", "recommendation", "status"])
    add("aanbevelingen.html", "aanbevelingen", rec_payload, note=notes.get("recs"))
    add(
        "kwaliteit.html",
        "kwaliteit",
        {
            "status": pack(
                d.status,
                [
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
                ],
            ),
            "problems": pack(d.problems),
            "history": pack(d.run_history),
            "history_columns": list(d.run_history.columns) if d.run_history is not None else None,
            "modules": labels.module_names(),
            "notes": d.notes,
        },
        plotly=False,
    )
    add("methode.html", "methode", {}, plotly=False, wave_select=False)
    return pages


def _explanation_templates(d: SiteData) -> tuple[list[str], pd.DataFrame]:
    """The sentences the register's explanations are made from (digits left out), shared by the region pages,
    and the register with per row its template (_ek) and numbers or text (_ev)."""
    reg = d.marts["variation_register"]
    templates, k, v = templated(reg["explanation"])
    return templates, reg.assign(_ek=k, _ev=pd.Series(v, index=reg.index, dtype=object))


def _region_shared(d: SiteData, templates: list[str]) -> dict:
    """What every region page shows alike: the national spread, the national line, the explanation templates."""
    summary_small = d.marts["indicator_summary"][
        ["wave", "indicator_id", "n_regions", "national_value", "min", "p25", "median", "p75", "max"]
    ]
    return {"summary": pack(summary_small), "national": pack(_national_line(d)), "explanation_templates": templates}


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

    def write(rel: str, blob: bytes) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        written[rel] = len(blob)

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
    common = {**_common(data), "codes": labels.CODES}
    # the payload every page shares is written once, not into each of the pages
    write(f"assets/data/{COMMON_JS}", data_script(common).encode("utf-8"))
    templated_register = _explanation_templates(data)
    write(f"assets/data/{REGION_JS}", data_script(_region_shared(data, templated_register[0])).encode("utf-8"))
    waves_desc = sorted(data.waves, reverse=True)
    built = dt.datetime.now().strftime("%d-%m-%Y %H:%M")
    span = (
        f"peiljaren {data.waves[0]}–{data.waves[-1]}"
        if len(data.waves) > 1
        else f"peiljaar {data.waves[0]}"
        if data.waves
        else "nog geen peiljaren"
    )
    parts: dict[str, dict] = {}
    pages = _pages(data, reference_dir, parts, templated_register)
    for rel, part in parts.items():
        write(f"assets/data/{rel}", data_script(part["payload"], part["key"]).encode("utf-8"))
    templates = {}
    frames: dict[tuple, str | None] = {}
    # markers with a random part: no text from the warehouse can look like one
    nonce = secrets.token_hex(8)
    marks = re.compile("\x00" + nonce + "([a-z_]+)\x00")

    def mark(key: str) -> str:
        return f"\x00{nonce}{key}\x00"

    def render(page: Page, **varying) -> str:
        root = "../" * page.path.count("/")
        nav = [{"href": f, "label": lbl, "active": f == page.nav_active} for f, lbl, _ in NAV]
        if page.template not in templates:
            templates[page.template] = env.get_template(page.template)
        context = dict(page.context or {})
        context.update(title=page.title, heading=page.heading)
        context.update(varying)
        return templates[page.template].render(
            root=root,
            nav=nav,
            script=page.script,
            plotly=page.plotly,
            wave_select=page.wave_select,
            waves=waves_desc,
            latest=data.default_wave if data.default_wave in waves_desc else (waves_desc[0] if waves_desc else None),
            regions=common["regions"],
            indicators=common["indicators"],
            domains=labels.DOMAINS,
            recommendations=labels.RECOMMENDATIONS,
            codes=labels.PAGE_CODES,
            built=built,
            wave_span=span,
            note=page.note,
            shared=[COMMON_JS] + list(page.shared),
            **context,
        )

    for page in pages:
        payload = dict(page.payload)
        payload["page"] = page.script
        data_json = to_json(payload)
        # Pages from one template that differ only in their title, heading, context and data (the 2,500
        # region pages) are rendered once with markers; each page is that frame with its own text filled in,
        # escaped as Jinja escapes it. A frame that does not hold every marker once is not used.
        shape = (
            page.template,
            page.path.count("/"),
            page.script,
            page.plotly,
            page.wave_select,
            page.nav_active,
            page.note,
            page.shared,
            tuple(sorted((page.context or {}).keys())),
        )
        if shape not in frames:
            keys = ["title", "heading", *sorted(page.context or {})]
            frame = render(page, data_json=Markup(mark("data_json")), **{k: mark(k) for k in keys})
            ok = USE_FRAMES and all(frame.count(mark(k)) >= 1 for k in keys) and frame.count(mark("data_json")) == 1
            frames[shape] = frame if ok else None
        frame = frames[shape]
        if frame is not None:
            values = {"title": page.title, "heading": page.heading, **(page.context or {})}
            # one pass: a value is never searched for markers again
            html = marks.sub(
                lambda m: data_json if m.group(1) == "data_json" else str(escape(values[m.group(1)])), frame
            )
        else:
            html = render(page, data_json=Markup(data_json))
        write(page.path, html.encode("utf-8"))
    return written
