"""Constants and helpers of the browser tests (fixtures live in conftest.py).

A module with a name of its own: ``from conftest import`` would pick up whichever
conftest.py was imported first when the whole suite runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb

from tests.support import ROOT

ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
REFERENCE = ROOT / "data" / "reference"
CHROMIUM = os.environ.get("REGIOBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAVES = [2023, 2024, 2025]


class Opened:
    """A page opened from file://, with everything it asked for and complained about."""

    def __init__(self, context, url: str, wait_charts: bool = True):
        self.page = context.new_page()
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
        self.ready = time.perf_counter() - started
        self.charts = None
        if wait_charts:
            self.page.wait_for_selector("body[data-charts='1']", state="attached", timeout=60_000)
            self.charts = time.perf_counter() - started

    def choose_wave(self, wave: int, chart: str | None = None) -> list[str]:
        """Choose a wave in the page's select and wait until its data (a part per wave at scale) is drawn, and
        ``chart``'s title names the wave; returns the data parts (``assets/data/...``) the page asked for."""
        self.page.select_option("#peiljaar", str(wave))
        self.page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
        if chart:
            self.page.wait_for_function(f"document.getElementById('{chart}').layout.title.text.includes('{wave}')")
        return [
            u.split("/assets/data/", 1)[1] for u in self.requests if u.startswith("file://") and "/assets/data/" in u
        ]

    def network(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]

    def console_errors(self) -> list[str]:
        return [t for kind, t in self.console if kind == "error"] + self.errors

    def close(self):
        self.page.close()


#: Per chart on a page: its id, title and per trace the type, role, name and number of drawn values.
CHART_SUMMARY = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ({
  id: d.id,
  title: d.layout && d.layout.title ? d.layout.title.text : '',
  traces: d.data.map(t => {
    const role = t.meta && t.meta.role;
    let n = 0, rows = 0;
    if (t.type === 'heatmap') { rows = t.z.length; t.z.forEach(r => r.forEach(v => { if (v !== null && v !== undefined) n++; })); }
    else if (t.type === 'choropleth') { n = t.locations.length; }
    else { n = (t.y || t.lat || []).filter(v => v !== null && v !== undefined).length; }
    return {type: t.type, role: role, name: t.name, n: n, rows: rows};
  })
}))"""


def regio_points(charts, chart_id):
    chart = next(c for c in charts if c["id"] == chart_id)
    return sum(t["n"] for t in chart["traces"] if t["role"] == "regio"), chart


def q(where: dict | Path | str, sql: str, params=()) -> list[tuple]:
    """The rows of a query on a synthetic warehouse, opened read-only: ``where`` is the ``site`` fixture or the
    warehouse's path."""
    con = duckdb.connect(str(where["db"] if isinstance(where, dict) else where), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def write_boundaries(reference: Path) -> None:
    """Synthetic boundaries for every region of the tile grid (a rectangle per tile) as ``regions.geojson`` in a
    copy of the reference folder: with them the overview draws a Plotly map instead of the tile map."""
    from pipelines.site.geo import TILE_GRID

    feats = []
    for code, (col, row) in TILE_GRID.items():
        x0, y0 = 3.5 + col * 0.6, 53.5 - row * 0.4
        ring = [[x0, y0], [x0, y0 - 0.35], [x0 + 0.55, y0 - 0.35], [x0 + 0.55, y0], [x0, y0]]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        feats.append({"type": "Feature", "properties": {"region_code": code}, "geometry": geometry})
    text = json.dumps({"type": "FeatureCollection", "features": feats})
    (reference / "regions.geojson").write_text(text, "utf-8")
