"""regiobench's page bench (part of ``make bench``): how long after navigating to a page its first chart is drawn.

Not a test: it measures and reports, it never fails on a missed target (exit 0 when it could measure; 1 when the
site could not be built or Chromium could not be started). Debian's Chromium (``/usr/bin/chromium``, or
``REGIOBENCH_CHROMIUM``) is driven by Playwright, never a downloaded browser. The site is built from the shipped
sample by a fresh ``python -m pipelines.app.cli run`` process, unless ``--site`` names a built one.

Per navigation: from the start of the navigation (the new document's ``performance`` time origin) to the
animation frame in which the page shows its first chart (a Plotly chart, the tile map or the overview's trend
bars), and to the moment its tables are there (``body[data-ready]``). Every round visits every page with charts
once, following the menu's order, each page opened from the one before as a reader clicks through; the first
round warms the disk cache and is not counted. The machine's load average is written beside the times: the parse
of the 4.8 MB Plotly bundle on every page is what a busy machine slows down.

    .venv/bin/python bench/page_bench.py                  # what `make bench` runs after run_bench.py
    .venv/bin/python bench/page_bench.py --rounds 3 --site dashboards

Output: bench/pages.md (the table), bench/out/pages.json (every navigation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
WORK = OUT / "pages"
RESULTS_MD = ROOT / "bench" / "pages.md"
RESULTS_JSON = OUT / "pages.json"
CHROMIUM = os.environ.get("REGIOBENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

#: The target: the first chart within this many seconds after navigating, on a quiet machine.
TARGET_S = 1.0
#: Load average (1 min) per core below which the machine counts as quiet.
QUIET_LOAD_PER_CORE = 0.25
#: The pages with charts, in the menu's order; a region page stands for all of them (added at run time).
PAGES = [
    "index.html",
    "indicatoren.html",
    "middelen.html",
    "ringenmodel.html",
    "plan.html",
    "risico.html",
    "trends.html",
    "aanbevelingen.html",
    "leren.html",
]
#: The first chart a page draws: Plotly's, or the overview's own SVG (tile map, trend bars).
FIRST_CHART = ".js-plotly-plot .main-svg, svg.tilemap, #trend-landelijk svg"
WAIT_JS = "sel => { const e = document.querySelector(sel); return e ? performance.now() : false; }"
READY_JS = "() => document.body && document.body.getAttribute('data-ready') === '1' ? performance.now() : false"


def build_site() -> Path:
    """The shipped sample through the whole pipeline, in a fresh process; returns the dashboards folder."""
    WORK.mkdir(parents=True, exist_ok=True)
    dash = WORK / "dash"
    argv = [sys.executable, "-m", "pipelines.app.cli", "run", "--raw", str(ROOT / "data" / "raw")]
    for flag, name in (("--warehouse", "wh.duckdb"), ("--marts", "marts"), ("--validation", "val")):
        argv += [flag, str(WORK / name)]
    argv += ["--dashboards", str(dash)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    (WORK / "run.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0 or not (dash / "index.html").is_file():
        raise SystemExit(f"de site kon niet worden gebouwd (zie {WORK / 'run.log'})")
    return dash


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def measure(site: Path, rounds: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    region = sorted((site / "regio").glob("*.html"))
    pages = PAGES + ([f"regio/{region[0].name}"] if region else [])
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
        page = ctx.new_page()
        for rnd in range(rounds + 1):  # round 0 warms up
            for rel in pages:
                before = load()[0]
                page.goto((site / rel).as_uri(), wait_until="commit")
                ready = page.wait_for_function(READY_JS, polling="raf", timeout=60_000).json_value()
                chart = page.wait_for_function(WAIT_JS, arg=FIRST_CHART, polling="raf", timeout=60_000).json_value()
                rows.append(
                    {
                        "round": rnd,
                        "page": rel,
                        "warmup": rnd == 0,
                        "ready_s": round(ready / 1000, 3),
                        "first_chart_s": round(chart / 1000, 3),
                        "load1": round(before, 2),
                    }
                )
                time.sleep(0.2)  # a reader does not click within the same frame
        browser.close()
    return rows


def report(rows: list[dict], site: Path, started: tuple[float, float, float], ended: tuple[float, float, float]) -> str:
    counted = [r for r in rows if not r["warmup"]]
    cores = os.cpu_count() or 1
    quiet = started[0] / cores < QUIET_LOAD_PER_CORE
    overall = statistics.median(r["first_chart_s"] for r in counted)
    lines = [
        "# regiobench: tijd tot de eerste grafiek na navigeren",
        "",
        f"Gemaakt door `make bench` (bench/page_bench.py) op {dt.datetime.now():%Y-%m-%d %H:%M}, met Chromium "
        f"({CHROMIUM}) via Playwright, op de site van {site.relative_to(ROOT) if site.is_relative_to(ROOT) else site}. "
        f"Per pagina de mediaan over {len({r['round'] for r in counted})} rondes (de opwarmronde niet meegeteld), "
        "in seconden vanaf het begin van de navigatie. Zie bench/README.md.",
        "",
        "| pagina | tabellen (mediaan) | eerste grafiek (mediaan) | min | max | load avg (1 min, mediaan) |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for page in dict.fromkeys(r["page"] for r in counted):
        rs = [r for r in counted if r["page"] == page]
        fc = [r["first_chart_s"] for r in rs]
        lines.append(
            f"| {page} | {statistics.median(r['ready_s'] for r in rs):.2f} | {statistics.median(fc):.2f} | "
            f"{min(fc):.2f} | {max(fc):.2f} | {statistics.median(r['load1'] for r in rs):.2f} |"
        )
    if overall <= TARGET_S:
        verdict = "gehaald"
    elif quiet:
        verdict = "**niet gehaald**"
    else:  # a busy machine says nothing about the target, which holds for a quiet one
        verdict = "niet te beoordelen, de machine was niet stil"
    lines += [
        "",
        f"**Eerste grafiek, mediaan over alle navigaties: {overall:.2f} s** (doel ≤ {TARGET_S:.0f} s op een stille "
        f"machine: {verdict}).",
        "",
        f"**Machine:** {cores} cores. Load average (1, 5, 15 min) bij start {started[0]:.2f}, {started[1]:.2f}, "
        f"{started[2]:.2f}; aan het eind {ended[0]:.2f}, {ended[1]:.2f}, {ended[2]:.2f} — "
        + (
            "de machine was stil."
            if quiet
            else "de machine was niet stil (meer dan "
            f"{QUIET_LOAD_PER_CORE} per core): de tijden zijn hoger dan op een stille machine, het doel geldt daar."
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build the shipped sample)")
    ap.add_argument("--rounds", type=int, default=5, help="counted rounds over the pages (default 5)")
    ap.add_argument("--results", type=Path, default=RESULTS_MD)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        print(f"Chromium ontbreekt op {CHROMIUM}: installeer Debian's chromium (make browser)", file=sys.stderr)
        return 1
    site = args.site.resolve() if args.site else build_site()
    started = load()
    rows = measure(site, max(1, args.rounds))
    ended = load()
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(
        json.dumps({"site": str(site), "load_start": started, "load_end": ended, "navigations": rows}, indent=2),
        encoding="utf-8",
    )
    text = report(rows, site, started, ended)
    args.results.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
