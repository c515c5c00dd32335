"""The site's pages: the navigation, one :class:`Page` per file with its template, script and payload,
and :func:`all_pages`, which decides what each page holds (and, beyond :data:`OVERVIEW_LIMIT` regions,
what it leaves to data parts loaded on demand or shows only a selection of). Writing them is
:mod:`pipelines.site.builder`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.contract import indicators as I
from pipelines.contract import reasons, verdicts
from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.engine.severity import SEVERE
from pipelines.site import geo, labels
from pipelines.site.data import SiteData, pack, pack_groups
from pipelines.site.definitions import definitions
from pipelines.site.dictionary import dictionary
from pipelines.site.learning import PAGE as LEARNING_PAGE
from pipelines.site.learning import add_learning
from pipelines.site.payloads import (
    MATRIX_COLS,
    OVERDISPERSION_COLS,
    RANKS,
    REASON_COLS,
    REGION_REASON_COLS,
    REGION_REGISTER_COLS,
    REGISTER_COLS,
    RISK_FIT_COLS,
    SCORE_COLS,
    SEVERITY_DECIMALS,
    SUMMARY_COLS,
    VARIATION_COLS,
    count_by,
    domain_counts,
    explanation_templates,
    limit_regions,
    max_waves_in_row,
    national_line,
    part_file,
    ranked_scorecard,
    reason_frame,
    risk_frame,
    rows_or_wave_parts,
    trend_frame,
    with_reasons,
)
from pipelines.site.peers import peer_payloads
from pipelines.site.quality import quality_payload, risk_payload, scale_note
from pipelines.site.trend_story import MARKS, change_story, markers, national_counts

#: (file, navigation label, heading)
NAV = [
    ("index.html", "Overzicht", "Overzicht: niet onderbouwde afwijkingen per regio"),
    ("matrix.html", "Oordelenmatrix", "Oordelenmatrix: elk oordeel per regio en indicator"),
    ("indicatoren.html", "Indicatoren", "Indicatoren: trechterplots en rangorde"),
    ("regios.html", "Regio's", "Regio's"),
    ("middelen.html", "Beschermende middelen", "Beschermende middelen per functie"),
    ("ringenmodel.html", "Ringenmodel", "Ringenmodel: toegang per zone en discipline"),
    ("plan.html", "Plan en oefenen", "Plan en oefenen: bijzonderheden beoefend?"),
    ("onderbouwingen.html", "Onderbouwingen", "Onderbouwingen wegen: de toelichtingen van de regio's"),
    ("risico.html", "Risicobeoordeling", "Risicobeoordeling: methode of risico?"),
    ("trends.html", "Trends", "Trends over de peiljaren"),
    ("aanbevelingen.html", "Aanbevelingen", "Aanbevelingen: stand per regio"),
    LEARNING_PAGE,
    ("kwaliteit.html", "Datakwaliteit", "Datakwaliteit: aanleveringen en afwijzingen"),
    ("methode.html", "Methode", "Methode: hoe een oordeel tot stand komt"),
    ("definities.html", "Definities", "Definities: wat elke indicator meet en tegen welke norm"),
    ("downloads.html", "Downloads", "Downloads: de gepubliceerde bestanden en wat elke kolom betekent"),
]


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
#: The published register of reasons, in the marts folder (pipelines.publish writes <mart>.csv there).
REGISTER_CSV = "substantiation_register.csv"


def _selection_note(n_regions: int, what: str, limit: int = OVERVIEW_LIMIT, per: str = "per peiljaar") -> str:
    n, shown = labels.whole_nl(n_regions), labels.whole_nl(limit)
    return (
        f"Er zijn {n} regio's; een overzicht met een rij per regio is dan niet meer leesbaar "
        f"en te zwaar voor de browser. Deze pagina toont daarom {per} de {shown} regio's met {what} "
        "(bij gelijke aantallen op regiocode). Elke regio staat volledig in haar regioprofiel en in de "
        "gepubliceerde marts (CSV, Parquet en benchmark.xlsx)."
    )


def all_pages(
    d: SiteData,
    reference_dir: Path,
    parts: dict[str, dict] | None = None,
    templated_register: tuple[list[str], pd.DataFrame] | None = None,
    marts_href: str = "",
) -> list[Page]:
    """Every page. Data too large for one page is put in ``parts`` ({file under assets/data/: payload});
    ``templated_register``: see :func:`~pipelines.site.payloads.explanation_templates` (the templates are in assets/data/regio.js);
    ``marts_href``: the published marts folder as seen from the site's root (ending in '/'; '' = the same folder)."""
    m = d.marts
    nav_heading = {f: h for f, _, h in NAV}
    pages: list[Page] = []
    parts = {} if parts is None else parts
    register_t = (explanation_templates(d) if templated_register is None else templated_register)[1]
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
            "scorecard": pack(ranked_scorecard(m["region_scorecard"]), SCORE_COLS + list(RANKS)),
            "severity_decimals": SEVERITY_DECIMALS,
            "variation": pack(m["indicator_summary"], VARIATION_COLS),
            "domains": pack(domain_counts(d)),
            "tiles": geo.tile_positions(codes),
            "boundaries": boundaries,
            "notes": geo_notes,
            "national": pack(national_counts(m["variation_register"])),
            "story": change_story(m["variation_register"], dict(d.regions[["region_code", "region_name"]].values)),
            "markers": pack(markers(m["variation_register"])),
            "marks": MARKS,
        },
        plotly=boundaries is not None,
    )

    _matrix_page(add, m["variation_register"], parts, n_regions)
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
                labels.loaded_when_chosen(n_regions, "de gegevens van een indicator", "die")
                + ", en de toelichting per regio (een zin met waarde, grenzen en oordeel) staat niet "
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
    reason_rows = reason_frame(d)
    reason_by, reason_empty = pack_groups(reason_rows, "region_code", REGION_REASON_COLS)
    status_by, status_empty = pack_groups(
        d.status, "region_code", ["wave", "module", "source_file", "status", "message", "earlier_data_in_use"]
    )
    if d.lessons is not None:
        lesson_by, lesson_empty = pack_groups(
            d.lessons, "region_code", [c for c in d.lessons.columns if c != "region_code"]
        )
    else:
        lesson_by, lesson_empty = {}, {"n": 0, "c": {}}
    peer_by, peer_empty, peer_values_by, peer_values_empty = peer_payloads(d)
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
                "reasons": reason_by.get(code, reason_empty),
                "status": status_by.get(code, status_empty),
                "lessons": lesson_by.get(code, lesson_empty),
                "peers": peer_by.get(code, peer_empty),
                "peer_values": peer_values_by.get(code, peer_values_empty),
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
        equipment = limit_regions(equipment, equipment["below_norm"], OVERVIEW_LIMIT)
        ring = limit_regions(ring, ring["deviates"], OVERVIEW_LIMIT)
        plan = limit_regions(plan, plan["status"] == verdicts.UNEXERCISED, OVERVIEW_LIMIT)
        recs = limit_regions(recs, recs["status"] == verdicts.ATTENTION, OVERVIEW_LIMIT)
        notes = {
            "middelen": _selection_note(n_regions, "de meeste cellen onder de norm"),
            "ring": _selection_note(n_regions, "de meeste afwijkingen van de norm"),
            "plan": _selection_note(n_regions, "de meeste bijzonderheden die niet zijn beoefend zonder onderbouwing")
            + " De telling onderaan gaat over alle regio's.",
            "recs": _selection_note(n_regions, "de meeste aanbevelingen die aandacht vragen")
            + " De telling in de tabel gaat over alle regio's.",
        }
    # the region's words and the status of its reason come from substantiation_register, not from the matrices
    equipment = with_reasons(equipment, d, I.EQUIPMENT_PARITY, equipment["role"] + "/" + equipment["item"])
    ring = with_reasons(ring, d, I.RING_CONFORMITY, ring["zone"] + "/" + ring["discipline"])
    plan = with_reasons(plan, d, I.PLAN_UNEXERCISED_UNSUBSTANTIATED, plan["characteristic"])
    add("middelen.html", "middelen", {"equipment": pack(equipment)}, note=notes.get("middelen"))
    add("ringenmodel.html", "ringenmodel", {"ring": pack(ring)}, note=notes.get("ring"))
    plan_payload = {"plan": pack(plan)}
    if large:
        plan_payload["counts"] = count_by(m["plan_exercise_matrix"], ["wave", "characteristic", "status"])
    add("plan.html", "plan", plan_payload, note=notes.get("plan"))
    _reasons_page(add, reason_rows, d, reference_dir, parts, marts_href, large)
    add(
        "risico.html",
        "risico",
        {
            **risk_payload(risk_frame(d), parts, large),
            "summary": pack(
                m["indicator_summary"][m["indicator_summary"]["indicator_id"] == SCORE_MODEL_ID],
                ["wave", "n_regions", "r2_risk", "r2_method", "n_unfavourable", "n_unjustified"],
            ),
        },
        note=scale_note(n_regions, "de risicobeoordelingen van de regio's") if large else None,
    )
    trend = trend_frame(d)
    trend_note = None
    if large:
        trend = limit_regions(trend, trend["verdict"] == verdicts.UNJUSTIFIED, TREND_LIMIT, per="indicator_id")
        trend_note = _selection_note(
            n_regions, "de meeste niet onderbouwde afwijkingen over alle peiljaren", TREND_LIMIT, per="per indicator"
        )
    add(
        "trends.html",
        "trends",
        {
            "values": pack(trend, ["wave", "region_code", "indicator_id", "value", "verdict"]),
            "national": pack(national_line(d)),
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
        rec_payload["counts"] = count_by(m["recommendation_tracker"], ["wave", "recommendation", "status"])
    add("aanbevelingen.html", "aanbevelingen", rec_payload, note=notes.get("recs"))
    kw_payload = quality_payload(d, parts, large)
    kw_note = scale_note(n_regions, "de aanleveringen, afwijzingen en meldingen") if large else None
    add("kwaliteit.html", "kwaliteit", kw_payload, plotly=False, note=kw_note)
    summ = m["indicator_summary"]
    funnels = summ[summ["overdispersion_method"].notna()] if "overdispersion_method" in summ.columns else summ.head(0)
    add(
        "methode.html",
        "methode",
        {
            "overdispersion": pack(funnels, OVERDISPERSION_COLS),
            "risk_fit": pack(summ[summ["indicator_id"] == SCORE_MODEL_ID], RISK_FIT_COLS),
        },
        plotly=False,
    )
    add("downloads.html", "downloads", dictionary(marts_href), plotly=False, wave_select=False)
    add(
        "definities.html",
        "definities",
        {},
        plotly=False,
        wave_select=False,
        context={"definitions": definitions(m["variation_register"])},
    )
    add_learning(add, pages, d, large, parts)
    return pages


def _reasons_page(add, rows: pd.DataFrame, d: SiteData, reference_dir: Path, parts: dict, href: str, large: bool):
    """The page "Onderbouwingen wegen": every reason of a wave; beyond OVERVIEW_LIMIT regions one data part per wave."""
    n = max_waves_in_row(d, reference_dir)
    context = {
        "register_csv": href + REGISTER_CSV,
        "max_waves": f"{n} peiljaren" if n is not None else "het aantal peiljaren uit substantiation_rules.csv",
        "next_wave": f"{n + 1}e" if n is not None else "volgende",
    }
    payload: dict = {"max_waves_in_row": n, "reason_indicators": list(reasons.REASON_INDICATORS)}
    payload.update(rows_or_wave_parts({"reasons": (rows, REASON_COLS)}, "onderbouwingen", parts, per_wave=large))
    note = None
    if large:
        note = labels.loaded_when_chosen(len(d.regions), "de toelichtingen van een peiljaar") + "."
    add("onderbouwingen.html", "onderbouwingen", payload, plotly=False, context=context, note=note)


def _matrix_page(add, register: pd.DataFrame, parts: dict, n_regions: int):
    """The verdict matrix, regions x indicators; beyond OVERVIEW_LIMIT regions one data part per wave."""
    rows = register.sort_values(["wave", "region_code", "indicator_id"], kind="stable")
    payload: dict = {"severe": SEVERE, "large": n_regions > OVERVIEW_LIMIT}
    payload.update(rows_or_wave_parts({"matrix": (rows, MATRIX_COLS)}, "matrix", parts, n_regions > OVERVIEW_LIMIT))
    note = None
    if n_regions > OVERVIEW_LIMIT:
        note = (
            labels.loaded_when_chosen(n_regions, "de oordelen van een peiljaar")
            + ", en de matrix toont eerst alleen de regio's met een niet onderbouwde afwijking."
        )
    add("matrix.html", "matrix", payload, plotly=False, note=note)
