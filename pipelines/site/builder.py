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
import os
import re
import secrets
import shutil
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from pipelines.core import paths
from pipelines.engine.severity import SEVERE, SEVERITY_CAP
from pipelines.site import labels
from pipelines.site.data import SiteData, load, to_json
from pipelines.site.pages import COMMON_JS, NAV, REGION_JS, Page, all_pages, region_file
from pipelines.site.payloads import explanation_templates, region_shared

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


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


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bron"] = labels.source_nl  # "Bron: marts.x" in the templates, in words for the reader
    return env


# ---------------------------------------------------------------------------- the payload every page shares


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
            "verdict_short": labels.VERDICT_SHORT,
            "norm_source": labels.NORM_SOURCES,
            "submission": labels.SUBMISSION,
            "plan": labels.PLAN_STATUS,
            "recommendation_status": labels.RECOMMENDATION_STATUS,
            "reason": labels.REASON_STATUS,
            "recommendation": {str(k): v for k, v in labels.RECOMMENDATIONS.items()},
            "severity": labels.SEVERITY,
            "run_history": labels.RUN_HISTORY,
            "overdispersion_method": labels.OVERDISPERSION_METHODS,
            "peer_feature": labels.PEER_FEATURES,
        }
    )
    return {"waves": d.waves, "default_wave": d.default_wave, "regions": regions, "indicators": meta, "labels": lab}


# ---------------------------------------------------------------------------- writing


def marts_href(marts_dir: Path | None = None, site_dir: Path | None = None) -> str:
    """The published marts folder as a link from the site's root ('../data/marts/'), ending in '/'.

    ``site_dir`` is where the site is published (it is written elsewhere first and swapped in); both default
    to the project's folders. Folders on different drives get a file: URL.
    """
    marts = Path(marts_dir or paths.MARTS).resolve()
    site = Path(site_dir or paths.DASHBOARDS).resolve()
    try:
        rel = os.path.relpath(marts, site)
    except ValueError:
        return marts.as_uri() + "/"
    return "" if rel == "." else quote(Path(rel).as_posix()) + "/"


def validation_href(validation_dir: Path | None = None, site_dir: Path | None = None) -> str:
    """GX's results folder (data/validation) as a link from the site's root, ending in '/'.

    Linked, not copied into the site: the results are the audit record and may be large; the quality page
    links each status's result file (``validation_path``) under it, which works from file:// as long as the
    two folders keep their places (as the marts' downloads do, :func:`marts_href`).
    """
    return marts_href(Path(validation_dir or paths.VALIDATION), site_dir)


def build_site(
    con,
    out: Path,
    reference_dir: Path,
    marts_dir: Path | None = None,
    site_dir: Path | None = None,
    validation_dir: Path | None = None,
) -> dict[str, int]:
    """Read the marts (and the loader's tables) from ``con``; write the whole site into ``out``.

    ``marts_dir``, ``site_dir`` and ``validation_dir``: where the marts, the site and GX's results are
    (see :func:`marts_href`, :func:`validation_href`).
    Returns {relative path: bytes written} for every file, pages and assets alike.
    """
    out = Path(out)
    data = load(con)
    data.validation_href = validation_href(validation_dir, site_dir)
    return write_site(data, out, Path(reference_dir), marts_href(marts_dir, site_dir))


def write_site(data: SiteData, out: Path, reference_dir: Path, marts_link: str | None = None) -> dict[str, int]:
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
    templated_register = explanation_templates(data)
    write(f"assets/data/{REGION_JS}", data_script(region_shared(data, templated_register[0])).encode("utf-8"))
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
    link = marts_href() if marts_link is None else marts_link
    if data.validation_href is None:
        data.validation_href = validation_href()
    pages = all_pages(data, reference_dir, parts, templated_register, link)
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
            severity_cap=f"{SEVERITY_CAP:g}".replace(".", ","),
            severe=f"{SEVERE:g}".replace(".", ","),
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
        # a context that is not text (a list the template loops over) cannot be a marker: render such a page whole
        if shape not in frames and not all(isinstance(v, str) for v in (page.context or {}).values()):
            frames[shape] = None
        if shape not in frames:
            keys = ["title", "heading", *sorted(page.context or {})]
            drawn = render(page, data_json=Markup(mark("data_json")), **{k: mark(k) for k in keys})
            ok = USE_FRAMES and all(drawn.count(mark(k)) >= 1 for k in keys) and drawn.count(mark("data_json")) == 1
            frames[shape] = drawn if ok else None
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
