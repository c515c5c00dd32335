"""The region report: at most two A4 pages per region, printed to PDF by Debian's headless Chromium.

Built from what was published, never from the warehouse: the marts (Parquet, ``data/marts``) for the rows and
the site (``data/dashboards``) for the shared data and scripts, so that the report shows what the site shows.
One HTML page per region is written into a scratch folder beside copies of the site's assets (the page loads
offline: Plotly is the site's local bundle) and printed with a running footer that names the region, the
peiljaar and the date the data were published.

The first page answers what an inspector reads first: what became of last wave's deviations
(``deviation_followup``), then the unjustified deviations of this wave with the register's one-line reason.
The second page is the spine chart (``assets/spine.js``, the same as on the region page).
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipelines.contract import learning, verdicts
from pipelines.site import labels
from pipelines.site.data import pack, to_json
from pipelines.site.pages import COMMON_JS

CHROMIUM = Path("/usr/bin/chromium")
TEMPLATE = "rapport.html.j2"
#: the site's files the report page loads (relative to the site's assets/)
ASSETS = ("plotly.min.js", "site.js", "tables.js", "spine.js", "pages/rapport.js", f"data/{COMMON_JS}")
MARTS = ("variation_register", "indicator_summary", "deviation_followup", "region_scorecard")
HOW_TO_GET_CHROMIUM = (
    "Chromium ontbreekt ({path}); het regiorapport wordt ermee als PDF afgedrukt. "
    "Installeer het met: sudo apt install chromium (Debian/Ubuntu), of geef met --chromium het pad naar "
    "een ander Chromium op."
)


class RapportError(RuntimeError):
    """What stops the report, in Dutch for the analyst."""


@dataclass
class Published:
    marts: dict[str, pd.DataFrame]
    site: Path
    built: str  # dd-mm-jjjj: the date the marts were published
    regions: dict[str, str]  # code -> name
    waves: list[int]


def load_published(marts_dir: Path, site_dir: Path, published_at: str | None = None) -> Published:
    """``published_at``: the publication's time ('YYYY-MM-DD HH:MM:SS', from the marts' .publicatie.json);
    without it the date of the register's file."""
    marts_dir, site_dir = Path(marts_dir), Path(site_dir)
    missing = [m for m in MARTS if not (marts_dir / f"{m}.parquet").is_file()]
    if missing:
        raise RapportError(
            f"In {marts_dir} ontbreken de marts {', '.join(missing)}: draai eerst 'regiobench run' (of make run)."
        )
    absent = [a for a in ASSETS if not (site_dir / "assets" / a).is_file()]
    if absent:
        raise RapportError(
            f"De site in {site_dir} mist {', '.join(absent)}: draai eerst 'regiobench run' (of make run) "
            "met deze versie van regiobench."
        )
    marts = {m: pd.read_parquet(marts_dir / f"{m}.parquet") for m in MARTS}
    try:
        built = dt.datetime.strptime(str(published_at or "")[:10], "%Y-%m-%d").strftime("%d-%m-%Y")
    except ValueError:
        stamp = (marts_dir / "variation_register.parquet").stat().st_mtime
        built = dt.datetime.fromtimestamp(stamp).strftime("%d-%m-%Y")
    reg = marts["variation_register"]
    regions = dict(reg[["region_code", "region_name"]].drop_duplicates("region_code").itertuples(index=False))
    waves = sorted(int(w) for w in reg["wave"].dropna().unique())
    return Published(marts, site_dir, built, {str(k): str(v) for k, v in sorted(regions.items())}, waves)


def _indicator(i: str) -> str:
    return labels.INDICATORS.get(i, {}).get("short", i)


def _verdict(v, short: bool = False) -> str:
    look = verdicts.VERDICT_LOOKS.get(v)
    glyph = look.glyph if look is not None else ""
    words = labels.VERDICT_SHORT if short else labels.VERDICTS
    return (glyph + " " if glyph else "") + words.get(v, "geen oordeel" if v is None else str(v))


def _followup_word(code) -> str:
    """The status in a word or two (the contract's label up to its colon)."""
    label = learning.FOLLOWUP_LABELS.get(code)
    return label.split(":")[0] if label and ":" in label else str(code).replace("_", " ")


def _followup(p: Published, code: str, wave: int) -> list[dict]:
    """Last wave's deviations of the region and what became of them in ``wave``."""
    f = p.marts["deviation_followup"]
    rows = f[(f["region_code"] == code) & (f["next_wave"] == wave)]
    out = []
    for r in rows.itertuples(index=False):
        lessons = 0 if pd.isna(r.n_lessons_on_subject) else int(r.n_lessons_on_subject)
        out.append(
            {
                "indicator": _indicator(r.indicator_id),
                "then": _verdict(r.verdict, short=True),
                "now": _verdict(r.next_verdict, short=True) if isinstance(r.next_verdict, str) else "geen oordeel",
                "status": _followup_word(r.followup_status),
                "code": r.followup_status,
                "lessons": lessons,
            }
        )
    # what asks for attention first: worsened and persisting before resolved
    rank = {learning.WORSENED: 0, learning.PERSISTS: 1, learning.SUBSTANTIATED_NEXT: 2, learning.NO_DATA: 3}
    return sorted(out, key=lambda x: (rank.get(x["code"], 4), x["indicator"]))


def _flags(p: Published, code: str, wave: int) -> list[dict]:
    reg = p.marts["variation_register"]
    rows = reg[(reg["region_code"] == code) & (reg["wave"] == wave) & (reg["verdict"] == verdicts.UNJUSTIFIED)]
    ids = list(labels.INDICATORS)
    rows = rows.assign(_o=rows["indicator_id"].map(lambda i: ids.index(i) if i in ids else len(ids)))
    return [
        {"indicator": _indicator(r.indicator_id), "reason": r.explanation if isinstance(r.explanation, str) else ""}
        for r in rows.sort_values("_o").itertuples(index=False)
    ]


def _counts(p: Published, code: str, wave: int) -> list[tuple[str, int]]:
    s = p.marts["region_scorecard"]
    row = s[(s["region_code"] == code) & (s["wave"] == wave)]
    if row.empty:
        return []
    r = row.iloc[0]
    cols = [
        (verdicts.UNJUSTIFIED, "n_unjustified"),
        (verdicts.SUBSTANTIATED, "n_substantiated"),
        (verdicts.FAVOURABLE, "n_favourable"),
        (verdicts.CONFORM, "n_conform"),
        (verdicts.MISSING, "n_missing"),
    ]
    return [(_verdict(v), int(r[c])) for v, c in cols if c in row.columns and pd.notna(r[c])]


def report_html(p: Published, code: str, wave: int) -> str:
    """The report page of one region (loads assets/ beside it)."""
    reg = p.marts["variation_register"]
    summ = p.marts["indicator_summary"]
    data = {
        "region": code,
        "wave": wave,
        "register": pack(
            reg[(reg["region_code"] == code) & (reg["wave"] == wave)],
            ["wave", "region_code", "indicator_id", "value", "verdict", "explanation", "substantiation"],
        ),
        "summary": pack(
            summ[summ["wave"] == wave], ["wave", "indicator_id", "national_value", "min", "p25", "median", "p75", "max"]
        ),
    }
    name = p.regions.get(code, code)
    prev = max((w for w in p.waves if w < wave), default=None)
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE).render(
        code=code,
        name=name,
        wave=wave,
        prev=prev,
        built=p.built,
        followup=_followup(p, code, wave) if prev is not None else [],
        flags=_flags(p, code, wave),
        counts=_counts(p, code, wave),
        data_json=Markup(to_json(data)),
    )


def footer(name: str, code: str, wave: int, built: str) -> str:
    """The running footer of every page (Chromium fills in pageNumber and totalPages)."""
    text = html.escape(f"Regiorapport {name} ({code}) · peiljaar {wave} · gegevens gepubliceerd op {built}")
    return (
        '<div style="font-size:8px;font-family:sans-serif;color:#444;width:100%;padding:0 14mm;'
        'display:flex;justify-content:space-between">'
        f'<span>{text}</span><span>pagina <span class="pageNumber"></span> van <span class="totalPages"></span></span></div>'
    )


def stage_assets(p: Published, folder: Path) -> None:
    """Copy the site's files the report pages load into ``folder``/assets (pages go beside assets/)."""
    for a in ASSETS:
        (folder / "assets" / a).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p.site / "assets" / a, folder / "assets" / a)


def require_chromium(chromium: Path) -> None:
    if not Path(chromium).is_file():
        raise RapportError(HOW_TO_GET_CHROMIUM.format(path=chromium))


def write_reports(
    p: Published, out: Path, regions: list[str] | None = None, wave: int | None = None, chromium: Path = CHROMIUM
) -> list[Path]:
    """One PDF per region in ``out`` (default: every region, the latest wave); returns the files written."""
    require_chromium(chromium)
    if wave is None:
        wave = p.waves[-1] if p.waves else None
    if wave is None or wave not in p.waves:
        raise RapportError(f"Peiljaar {wave} staat niet in de marts (wel: {', '.join(map(str, p.waves))}).")
    codes = regions or list(p.regions)
    unknown = [c for c in codes if c not in p.regions]
    if unknown:
        raise RapportError(f"Onbekende regio: {', '.join(unknown)} (wel: {', '.join(p.regions)}).")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        raise RapportError(
            "Het Python-pakket playwright ontbreekt (het stuurt Chromium aan): installeer regiobench met make install."
        ) from e

    written = []
    with tempfile.TemporaryDirectory(prefix="rapport-") as tmp:
        scratch = Path(tmp)
        stage_assets(p, scratch)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(Path(chromium)), args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": 794, "height": 1123}, locale="nl-NL")
                # the report is made offline: nothing but its own files may load
                page.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
                )
                for code in codes:
                    page_file = scratch / f"{code}.html"
                    page_file.write_text(report_html(p, code, wave), encoding="utf-8")
                    page.goto(page_file.as_uri())
                    page.wait_for_selector("body[data-charts]", state="attached", timeout=60_000)
                    if page.get_attribute("body", "data-charts") != "1":
                        raise RapportError(f"De spine chart van {code} kon niet worden getekend.")
                    target = out / f"regiorapport_{code}_{wave}.pdf"
                    page.pdf(
                        path=str(target),
                        format="A4",
                        print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=footer(p.regions[code], code, wave, p.built),
                        margin={"top": "14mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                    )
                    written.append(target)
            finally:
                browser.close()
    return written
