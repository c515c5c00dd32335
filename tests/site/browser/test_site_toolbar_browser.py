"""No chart can send data away: every button of every chart's toolbar, on every page, clicked in Chromium.

Plotly's toolbar offered "Share chart", which (after one confirmation in the page) opens Plotly's cloud and
posts the chart with its hover texts, the regions' explanations included. The site's shared config
(``Site.config`` in site.js) removes that button and gives it no address. Here every request of the browser
context goes through Playwright's interception: a request that does not stay on file:// is recorded and
aborted, and so is any new window. A control test draws one chart with the cloud button switched on, to show
that the interception would catch it.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.site import NAV, build_site, region_file
from tests.site.browser.browser_support import REFERENCE, write_boundaries
from tests.site.synthetic import XSS_REGION

pytestmark = pytest.mark.browser

#: The pages with charts, plus two region pages (all region pages are one template with one script).
PAGES = [f for f, _, _ in NAV] + [f"regio/{region_file('VR01')}", f"regio/{region_file(XSS_REGION)}"]
#: Words of a toolbar button that would publish a chart (Plotly's English and our Dutch dictionary).
PUBLISHING = ("share", "cloud", "studio", "delen", "upload", "link")


class Guard:
    """Every request of a browser context: those that leave file:// are recorded and aborted; windows that a
    watched page opens are recorded."""

    def __init__(self, context):
        self.outside: list[str] = []
        self.windows: list[str] = []
        context.route("**/*", self._route)

    def watch(self, page):
        page.on("popup", lambda p: self.windows.append(p.url))

    def _route(self, route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def guarded(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL", accept_downloads=True)
    guard = Guard(ctx)
    yield ctx, guard
    ctx.close()


@pytest.fixture(scope="module")
def geo_site(site, tmp_path_factory):
    """The synthetic site with the regions' boundaries: the overview draws a Plotly map (choropleth, geo)."""
    base = tmp_path_factory.mktemp("toolbar-geo")
    ref = base / "reference"
    shutil.copytree(REFERENCE, ref)
    write_boundaries(ref)
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        build_site(con, base / "out", ref)
    finally:
        con.close()
    return base / "out"


def open_guarded(ctx, guard, path):
    page = ctx.new_page()
    guard.watch(page)
    page.on("dialog", lambda d: d.accept())  # go as far as any confirmation would let a reader go
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-charts='1']", state="attached", timeout=60_000)
    return page


def click_every_button(page) -> list[str]:
    """Click each toolbar button of each chart (a confirmation in the page is confirmed); their titles."""
    clicked = []
    charts = page.locator(".js-plotly-plot")
    for c in range(charts.count()):
        chart = charts.nth(c)
        chart.scroll_into_view_if_needed()
        buttons = chart.locator(".modebar-btn")
        for b in range(buttons.count()):
            chart.hover(position={"x": 5, "y": 5})  # the toolbar shows on hover
            button = buttons.nth(b)
            title = button.get_attribute("data-title") or ""
            if "PNG" in title or "opslaan" in title:
                with page.expect_download() as got:
                    button.click()
                assert got.value.suggested_filename.endswith(".png"), title
            else:
                button.click()
            confirm = page.locator(".plotly-cloud-dialog-btn--confirm")
            if confirm.count():
                confirm.first.click()
            clicked.append(title)
    return clicked


@pytest.mark.parametrize("name", PAGES)
def test_no_toolbar_button_sends_anything_beyond_file(site, guarded, name):
    ctx, guard = guarded
    page = open_guarded(ctx, guard, site["out"] / name)
    has_charts = page.locator(".js-plotly-plot").count() > 0
    clicked = click_every_button(page)
    assert guard.outside == [] and guard.windows == []
    assert not [t for t in clicked if any(w in t.lower() for w in PUBLISHING)], clicked
    if has_charts:  # every chart has its toolbar: something was clicked
        assert len(clicked) >= 4 * page.locator(".js-plotly-plot").count()


def test_the_map_with_boundaries_sends_nothing_either(geo_site, guarded):
    ctx, guard = guarded
    page = open_guarded(ctx, guard, geo_site / "index.html")
    types = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(d => d.data.map(t => t.type))"
    )
    assert "choropleth" in types
    clicked = click_every_button(page)
    assert len(clicked) >= 4
    assert guard.outside == [] and guard.windows == []


def test_the_guard_catches_a_chart_that_offers_plotlys_cloud(site, guarded):
    """The control: Plotly's defaults (cloud button on, cloud address set) do send the chart away."""
    ctx, guard = guarded
    page = open_guarded(ctx, guard, site["out"] / "indicatoren.html")
    page.evaluate(
        """() => { const d = document.createElement('div'); d.id = 'proef'; d.style.width = '600px';
        d.style.height = '300px'; document.body.prepend(d);
        return Plotly.newPlot(d, [{type: 'scatter', x: [1, 2], y: [1, 2], hovertext: ['geheim', 'geheim']}], {},
          {showSendToCloud: true}); }"""
    )
    page.hover("#proef")
    page.click("#proef .modebar-btn[data-title^='Share']")
    leaving = lambda r: not r.url.startswith("file://")  # noqa: E731
    with ctx.expect_page() as window, ctx.expect_event("request", predicate=leaving) as request:
        page.click(".plotly-cloud-dialog-btn--confirm")
    assert "plotly" in request.value.url and window.value is not None
    assert guard.windows
