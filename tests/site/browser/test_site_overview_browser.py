"""The overview map in headless Chromium (issue 19, point 2): one colour scale for every wave, so that two waves
can be compared, and the regions' names on the tiles and on the map with boundaries. That ties share a place in
the ranking and no tied region is cut off is tested in test_site_statistics_browser.py.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.site import build_site
from tests.site.browser.browser_support import REFERENCE, WAVES, q, write_boundaries

pytestmark = pytest.mark.browser

TILES = "#kaart a.tile"


def highest_count(db) -> int:
    """The highest count of unjustified deviations of any region with data in any wave."""
    sql = "select max(n_unjustified) from marts.region_scorecard where n_missing < n_indicators"
    return q(db, sql)[0][0]


@pytest.fixture(scope="module")
def sites(site, tmp_path_factory):
    """The synthetic warehouse with fewer unjustified deviations in the oldest wave (a scale per wave would then
    differ from the others), as a site with the tile map and one with boundaries (a Plotly map)."""
    base = tmp_path_factory.mktemp("overview")
    shutil.copyfile(site["db"], base / "w.duckdb")
    con = duckdb.connect(str(base / "w.duckdb"))
    con.execute("update marts.region_scorecard set n_unjustified = least(n_unjustified, 1) where wave = ?", [WAVES[0]])
    ref = base / "reference"
    shutil.copytree(REFERENCE, ref)
    write_boundaries(ref)
    try:
        build_site(con, base / "tiles", REFERENCE)
        build_site(con, base / "geo", ref)
    finally:
        con.close()
    per_wave = {
        w: q(base / "w.duckdb", "select max(n_unjustified) from marts.region_scorecard where wave = ?", [w])[0][0]
        for w in WAVES
    }
    assert per_wave[WAVES[0]] < max(per_wave.values())
    return {"tiles": base / "tiles", "geo": base / "geo", "db": base / "w.duckdb", "names": site["names"]}


def bare(name: str) -> str:
    """A name without its spaces: the lines of a name on a tile are broken after a space or a hyphen."""
    return "".join(name.split())


def tiles(o) -> list[dict]:
    return o.page.eval_on_selector_all(
        TILES,
        """ts => ts.map(t => ({code: t.dataset.code, n: t.dataset.n, fill: t.querySelector('rect').getAttribute('fill'),
          name: Array.from(t.querySelectorAll('.tm-name tspan')).map(s => s.textContent).join(' ')}))""",
    )


def test_the_tile_map_keeps_one_colour_scale_over_the_waves_and_names_the_regions(sites, open_page):
    o = open_page(sites["tiles"] / "index.html", wait_charts=False)
    top = highest_count(sites["db"])
    fill_of: dict[str, set] = {}
    for w in WAVES:
        o.page.select_option("#peiljaar", str(w))
        assert o.page.get_attribute("#kaart svg.tilemap", "data-max") == str(top)
        shown = tiles(o)
        assert len(shown) == 25
        for t in shown:
            if t["n"] != "":
                fill_of.setdefault(t["n"], set()).add(t["fill"])
            # the name is on the tile, broken only after a space or a hyphen
            assert bare(t["name"]) == bare(sites["names"][t["code"]]), t
    assert len(fill_of) > 2 and all(len(f) == 1 for f in fill_of.values()), fill_of
    assert len({next(iter(f)) for f in fill_of.values()}) == len(fill_of)  # another count, another colour
    assert o.console_errors() == []


def test_the_map_with_boundaries_keeps_one_scale_and_names_the_regions(sites, open_page):
    o = open_page(sites["geo"] / "index.html")
    top = highest_count(sites["db"])
    for w in WAVES:
        o.page.select_option("#peiljaar", str(w))
        o.page.wait_for_function("w => document.querySelector('#kaart .gtitle').textContent.includes(w)", arg=str(w))
        scale = o.page.evaluate(
            """() => { const d = document.getElementById('kaart').data;
              const c = d.find(t => t.type === 'choropleth' && t.meta.role === 'regio');
              const l = d.find(t => t.meta.role === 'label');
              return {zmin: c.zmin, zmax: c.zmax, text: l.text}; }"""
        )
        assert scale["zmin"] == 0 and scale["zmax"] == top, w
        names = [bare(t.split("<br><b>")[0].replace("<br>", " ")) for t in scale["text"]]
        assert sorted(names) == sorted(bare(n) for n in sites["names"].values())
    assert o.console_errors() == [] and o.network() == []
