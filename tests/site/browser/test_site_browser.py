"""The site in headless Chromium, opened from file:// as an analyst does by double-click.

Built on the synthetic warehouse (tests/site/synthetic.py): 25 regions, waves
2023-2025, one region without a return in 2024, XSS payloads in an explanation, a
substantiation, a lesson and a rejected cell value.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from pipelines.site import NAV, build_site, region_file
from pipelines.site.geo import TILE_GRID
from tests.site.browser.browser_support import CHART_SUMMARY, REFERENCE, SCREENSHOTS, WAVES, Opened, q, regio_points
from tests.site.synthetic import XSS_REGION, build_synthetic_warehouse, make_regions

pytestmark = pytest.mark.browser

CODES = [c for c, _, _ in make_regions(25)]
PAGES = [f for f, _, _ in NAV] + [f"regio/{region_file(c)}" for c in CODES]
LATEST = WAVES[-1]


# ---------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(site, open_page, timings, page):
    o = open_page(site["out"] / page)
    assert o.network() == [], "verzoek naar een adres buiten file://"
    assert o.console_errors() == []
    assert o.page.evaluate("window.__xss") is None
    assert o.page.locator("nav a.nav-link").count() == len(NAV)
    if page not in ("methode.html", "downloads.html", "definities.html"):  # nothing there depends on the wave
        assert o.page.locator("#peiljaar").input_value() == str(LATEST)
    for chart in o.page.evaluate(CHART_SUMMARY):  # every chart titled, with data
        assert chart["title"], chart["id"]
        assert any(t["n"] for t in chart["traces"]), chart["id"]
    timings[page] = {"tables_s": round(o.ready, 3), "charts_s": round(o.charts, 3)}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    o.page.screenshot(path=str(SCREENSHOTS / (page.replace("/", "_").replace(".html", "") + ".png")), full_page=True)


def test_index_shows_the_overview_within_two_seconds(site, browser, timings):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})  # fresh: nothing cached
    try:
        o = Opened(ctx, (site["out"] / "index.html").as_uri())
        tiles = o.page.locator("#kaart a.tile").count()
        timings["index.html (fresh)"] = {"overview_s": round(o.ready, 3), "complete_s": round(o.charts, 3)}
        print(f"\nindex.html: overzicht (kaart, kerncijfers, lijst) zichtbaar na {o.ready:.2f} s")
        assert tiles == 25
        assert o.ready < 2.0, f"overzicht pas na {o.ready:.2f} s"
        o.close()
    finally:
        ctx.close()


def test_region_pages_exist_for_every_region(site, open_page):
    o = open_page(site["out"] / "regios.html")
    hrefs = o.page.eval_on_selector_all("#regiolijst a", "as => as.map(a => a.getAttribute('href'))")
    files = sorted(h.split("#")[0] for h in hrefs)
    assert files == sorted(f"regio/{region_file(c)}" for c in site["regions"])
    for f in files:
        assert (site["out"] / f).is_file()
    assert sorted(p.name for p in (site["out"] / "regio").glob("*.html")) == sorted(region_file(c) for c in CODES)


# ---------------------------------------------------------------------------- charts hold the data


def test_charts_hold_the_expected_points(site, open_page):
    out, w = site["out"], LATEST
    n_regions = q(
        site,
        "select count(distinct region_code) from marts.region_scorecard where wave = ? and n_missing < n_indicators",
        [w],
    )[0][0]
    assert n_regions == 25  # everyone submitted in the latest wave

    o = open_page(out / "index.html")
    assert o.page.locator("#kaart a.tile:not(.no-data)").count() == 25
    shown = o.page.eval_on_selector_all("#kaart a.tile", "ts => ts.map(t => [t.dataset.code, +t.dataset.n])")
    expected = dict(q(site, "select region_code, n_unjustified from marts.region_scorecard where wave = ?", [w]))
    assert dict(shown) == expected

    o = open_page(out / "indicatoren.html")
    charts = o.page.evaluate(CHART_SUMMARY)
    assert regio_points(charts, "trechter")[0] == 25
    assert regio_points(charts, "rangorde")[0] == 25

    for page, chart_id, sql in [
        (
            "middelen.html",
            "middelen-kaart",
            "select count(distinct region_code), count(*) from marts.equipment_matrix where wave = ?",
        ),
        (
            "ringenmodel.html",
            "ring-kaart",
            "select count(distinct region_code), count(*) from marts.ring_model_matrix where wave = ?",
        ),
        (
            "plan.html",
            "plan-kaart",
            "select count(distinct region_code), count(*) from marts.plan_exercise_matrix where wave = ?",
        ),
        (
            "aanbevelingen.html",
            "aanbevelingen-kaart",
            "select count(distinct region_code), count(*) from marts.recommendation_tracker where wave = ?",
        ),
    ]:
        o = open_page(out / page)
        heat = [
            t for t in regio_points(o.page.evaluate(CHART_SUMMARY), chart_id)[1]["traces"] if t["type"] == "heatmap"
        ][0]
        rows, cells = q(site, sql, [w])[0]
        assert (heat["rows"], heat["n"]) == (rows, cells) == (25, cells), page

    o = open_page(out / "risico.html")
    assert regio_points(o.page.evaluate(CHART_SUMMARY), "kans")[0] == 25

    o = open_page(out / "trends.html")
    traces = regio_points(o.page.evaluate(CHART_SUMMARY), "trends")[1]["traces"]
    region_traces = [t for t in traces if t["role"] == "regio"]
    assert len(region_traces) == 25
    assert (
        sum(t["n"] for t in region_traces)
        == q(site, "select count(*) from marts.indicator_values where indicator_id = 'ex_count' and value is not null")[
            0
        ][0]
    )

    o = open_page(out / "regio" / region_file(XSS_REGION))
    charts = o.page.evaluate(CHART_SUMMARY)
    n_ind = q(
        site,
        "select count(*) from marts.variation_register where wave = ? and region_code = ? and value is not null",
        [w, XSS_REGION],
    )[0][0]
    assert regio_points(charts, "spine")[0] == n_ind == 15
    assert len([t for t in regio_points(charts, "trend")[1]["traces"] if t["role"] == "regio"]) == 15


# ---------------------------------------------------------------------------- switching the wave


def test_switching_the_wave_changes_the_shown_data(site, open_page):
    out = site["out"]
    wave, gone = site["missing"]  # 2024: one region without a return

    o = open_page(out / "index.html")
    before = o.page.eval_on_selector_all("#kaart a.tile", "ts => ts.map(t => t.dataset.n).join(',')")
    o.page.select_option("#peiljaar", str(wave))
    after = o.page.eval_on_selector_all("#kaart a.tile", "ts => ts.map(t => t.dataset.n).join(',')")
    assert after != before
    assert o.page.locator("#kaart a.tile.no-data").count() == 1
    assert o.page.locator(f"#kaart a.tile.no-data[data-code='{gone}']").count() == 1
    assert str(wave) in o.page.locator("#kaart .tm-title").text_content()
    assert o.page.evaluate("location.hash") == f"#peiljaar={wave}"
    hrefs = o.page.eval_on_selector_all("nav a.nav-link", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.endswith(f"#peiljaar={wave}") for h in hrefs)

    o = open_page(out / "indicatoren.html")
    o.page.select_option("#peiljaar", str(wave))
    charts = o.page.evaluate(CHART_SUMMARY)
    n, chart = regio_points(charts, "trechter")
    assert n == 24 and str(wave) in chart["title"]
    assert o.page.locator("#oordelen tbody tr").count() == 25  # the missing region listed as onvoldoende gegevens
    assert o.page.locator("#oordelen .v-onvoldoende_gegevens").count() == 1
    o.page.select_option("#indicator", "lessons_shared_share")
    assert "Lessen gedeeld" in regio_points(o.page.evaluate(CHART_SUMMARY), "rangorde")[1]["title"]

    # the chosen wave travels with the navigation
    o.page.click("nav a.nav-link[href^='middelen.html']")
    o.page.wait_for_selector("body[data-page='middelen'][data-charts='1']", state="attached", timeout=60_000)
    assert o.page.locator("#peiljaar").input_value() == str(wave)
    heat = [t for t in o.page.evaluate(CHART_SUMMARY)[0]["traces"] if t["type"] == "heatmap"][0]
    assert heat["rows"] == 24
    o.page.select_option("#discipline", "politie")
    heat = [t for t in o.page.evaluate(CHART_SUMMARY)[0]["traces"] if t["type"] == "heatmap"][0]
    assert heat["n"] == 24 * 2 * 8  # two police roles x eight items

    o = open_page(out / "regio" / region_file(gone))
    assert regio_points(o.page.evaluate(CHART_SUMMARY), "spine")[0] == 15
    o.page.select_option("#peiljaar", str(wave))
    assert regio_points(o.page.evaluate(CHART_SUMMARY), "spine")[0] == 0
    assert o.page.locator("#oordelen .v-onvoldoende_gegevens").count() == 15


# ---------------------------------------------------------------------------- free text stays text


def test_xss_payloads_are_shown_as_text_and_run_nothing(site, open_page):
    out = site["out"]
    marker = "<script>window.__xss=1</script>"
    for page, where in [
        (f"regio/{region_file(XSS_REGION)}", ["#oordelen", "#lessen"]),
        ("indicatoren.html", ["#oordelen"]),
        ("ringenmodel.html", ["#ring-afwijkingen"]),
        ("middelen.html", ["#onder-norm"]),
        ("kwaliteit.html", ["#afgewezen"]),
    ]:
        o = open_page(out / page)
        for sel in where:
            assert marker in o.page.locator(sel).text_content(), (page, sel)
        assert o.page.evaluate("window.__xss") is None, page
        assert o.page.locator("main img").count() == 0, page
        assert o.network() == [] and not [u for u in o.requests if u.endswith("/x")], page

    # hover labels: Plotly renders a subset of HTML there; the payload must arrive as text
    o = open_page(out / "indicatoren.html")
    o.page.evaluate(
        f"""() => {{
      const gd = document.getElementById('trechter');
      gd.data.forEach((t, c) => {{
        const i = (t.customdata || []).indexOf('{XSS_REGION}');
        if (i >= 0 && t.meta && t.meta.role === 'regio') Plotly.Fx.hover(gd, [{{curveNumber: c, pointNumber: i}}]);
      }});
    }}"""
    )
    layer = o.page.locator("#trechter .hoverlayer")
    assert "window.__xss=1" in layer.text_content()
    assert layer.locator("img, script").count() == 0
    assert o.page.evaluate("window.__xss") is None


# ---------------------------------------------------------------------------- map with real boundaries


def test_boundaries_draw_a_choropleth_without_any_network(tmp_path, browser):
    codes = list(TILE_GRID)
    feats = []
    for code in codes:
        col, row = TILE_GRID[code]
        x0, y0 = 3.6 + col * 0.55, 53.4 - row * 0.42
        ring = [[x0, y0], [x0, y0 - 0.4], [x0 + 0.5, y0 - 0.4], [x0 + 0.5, y0], [x0, y0]]  # RFC 7946 winding
        feats.append(
            {
                "type": "Feature",
                "properties": {"region_code": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "regions.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    build_synthetic_warehouse(tmp_path / "w.duckdb", waves=[2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", ref)
    con.close()
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        o = Opened(ctx, (tmp_path / "out" / "index.html").as_uri())
        assert o.network() == [], "een geo-kaart mag geen wereldkaart van internet halen"
        assert o.console_errors() == []
        charts = o.page.evaluate(CHART_SUMMARY)
        n, chart = regio_points(charts, "kaart")
        assert n == 25 and chart["traces"][0]["type"] == "choropleth"
        assert o.page.locator("#kaart path.choroplethlocation").count() == 25
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        o.page.screenshot(path=str(SCREENSHOTS / "index_geojson.png"), full_page=True)
        o.close()
    finally:
        ctx.close()


# ---------------------------------------------------------------------------- printing


def test_region_profile_prints_on_a4(site, open_page):
    o = open_page(site["out"] / "regio" / region_file(XSS_REGION))
    o.page.emulate_media(media="print")
    assert o.page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "none"
    assert o.page.evaluate("getComputedStyle(document.querySelector('.controls')).display") == "none"
    pdf = o.page.pdf(format="A4", print_background=True)
    (SCREENSHOTS.parent).mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / f"regio-{XSS_REGION}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 3 <= pages <= 12, pages


# ---------------------------------------------------------------------------- the region picker


def test_region_picker_lists_every_region_from_the_shared_data(site, open_page):
    o = open_page(site["out"] / "regio" / region_file(XSS_REGION), wait_charts=False)
    options = o.page.eval_on_selector_all(
        "#regio-keuze option", "os => os.map(o => [o.value, o.textContent, o.selected])"
    )
    assert [v for v, _, _ in options] == [region_file(c) for c in sorted(site["regions"])]
    assert [v for v, _, sel in options if sel] == [region_file(XSS_REGION)]
    assert all(t.endswith(")") for _, t, _ in options)
    o.page.select_option("#regio-keuze", region_file(CODES[0]))
    o.page.wait_for_url(f"**/regio/{region_file(CODES[0])}*")
    o.page.wait_for_selector("body[data-ready='1']", state="attached")
    assert o.page.evaluate("window.Site.data.region") == CODES[0]


# ---------------------------------------------------------------------------- many regions


def test_many_regions_load_indicator_data_on_demand_and_select_regions(tmp_path, browser, monkeypatch):
    """Beyond OVERVIEW_LIMIT regions (lowered here to 10 of the 25) indicator data comes from a data file per
    indicator, loaded by a <script> tag from file://, and the heatmaps hold a selection of the regions."""
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 10)
    info = build_synthetic_warehouse(tmp_path / "w.duckdb", waves=WAVES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    out = tmp_path / "out"
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        o = Opened(ctx, (out / "indicatoren.html").as_uri())
        assert o.network() == [] and o.console_errors() == []
        assert o.page.locator(".scale-note").count() == 1
        charts = o.page.evaluate(CHART_SUMMARY)
        assert regio_points(charts, "trechter")[0] == 25
        assert o.page.locator("#oordelen tbody tr").count() == 25
        assert o.page.locator("#oordelen a", has_text="in het regioprofiel").count() == 25
        o.page.select_option("#indicator", "lessons_shared_share")
        o.page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
        assert "Lessen gedeeld" in regio_points(o.page.evaluate(CHART_SUMMARY), "rangorde")[1]["title"]
        assert o.page.locator("#oordelen tbody tr").count() == 25
        wave, _ = info["missing"]
        parts = o.choose_wave(wave)
        assert o.page.locator("#oordelen tbody tr").count() == 25
        assert any(u.startswith("indicatoren/") for u in parts)
        assert o.network() == [] and o.console_errors() == []
        o.close()

        o = Opened(ctx, (out / "middelen.html").as_uri())
        heat = [t for t in o.page.evaluate(CHART_SUMMARY)[0]["traces"] if t["type"] == "heatmap"][0]
        assert heat["rows"] == 10 and o.page.locator(".scale-note").count() == 1
        assert o.console_errors() == []
        o.close()

        o = Opened(ctx, (out / "plan.html").as_uri())
        bars = [t for t in regio_points(o.page.evaluate(CHART_SUMMARY), "plan-telling")[1]["traces"]]
        totals = o.page.evaluate(
            "() => { const gd = document.getElementById('plan-telling'); "
            "return gd.data[0].x.map((_, j) => gd.data.reduce((a, t) => a + t.x[j], 0)); }"
        )
        assert bars and set(totals) == {25}  # the counts cover every region, not only the 10 shown
        assert o.console_errors() == []
        o.close()
    finally:
        ctx.close()


def test_many_regions_load_the_matrix_and_the_reasons_per_wave(tmp_path, browser, monkeypatch):
    """Beyond OVERVIEW_LIMIT the verdict matrix and the reasons come from one data file per wave (S.waveRows)."""
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 10)
    build_synthetic_warehouse(tmp_path / "w.duckdb", waves=WAVES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        for page, folder, table in (
            ("matrix.html", "matrix", "#matrix"),
            ("onderbouwingen.html", "onderbouwingen", "#register"),
        ):
            o = Opened(ctx, (tmp_path / "out" / page).as_uri())
            o.page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
            assert any(u.startswith("file://") and f"/assets/data/{folder}/" in u for u in o.requests), page
            assert o.page.locator(f"{table} table tbody tr, {table} .note").count() >= 1, page
            assert o.network() == [] and o.console_errors() == [], page
            o.close()
    finally:
        ctx.close()
