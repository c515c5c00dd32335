"""Phones and assistive technology in headless Chromium (issue 19, point 12), and the overview's trend (point 8):
no page of the built site scrolls sideways at 390 px, every chart is named by its title and has a table
alternative, every table has a caption, and a chart's toolbar comes after its content in the tab order.
"""

from __future__ import annotations

import pytest

from pipelines.contract import verdicts as V
from tests.site.browser.browser_support import WAVES, Opened, q

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]
#: The pages with charts, opened at 1400 px (a region page stands for all of them).
CHART_PAGES = [
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

#: Per chart on the page: its name, the plain words of its title, and where its table alternative is.
CHARTS = """() => Array.from(document.querySelectorAll('.chart, #trend-landelijk')).map(d => {
  const title = d.layout && d.layout.title ? d.layout.title.text : null;
  const own = document.querySelector('details.chart-table[data-for="' + d.id + '"]');
  const ref = d.getAttribute('data-table') ? document.getElementById(d.getAttribute('data-table')) : null;
  const table = (own || ref) ? (own || ref).querySelector('table.data') : null;
  return {
    id: d.id, role: d.getAttribute('role'), label: d.getAttribute('aria-label'),
    title: title === null ? null : Site.plainTitle(title),
    svgLabel: (d.querySelector('svg[role="img"]') || {getAttribute: () => null}).getAttribute('aria-label'),
    table: !!table, ownTable: !!own, rows: table ? table.tBodies[0].rows.length : 0,
    caption: table && table.caption ? table.caption.textContent : '',
    beforeChart: own ? !!(own.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING) : null,
  };
})"""

#: Per Plotly chart: the focusable elements of its figure in document order (outside the caption), as kinds.
TAB_ORDER = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => {
  const fig = d.closest('figure');
  const sel = 'a[href], button, input, select, summary, [tabindex]:not([tabindex="-1"])';
  const all = Array.from(fig.querySelectorAll(sel)).filter(e => !e.closest('figcaption'));
  return {id: d.id, kinds: all.map(e => e.classList.contains('modebar-btn') ? 'toolbar' : 'content')};
})"""


def every_page(site) -> list[str]:
    out = site["out"]
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True)
    yield ctx
    ctx.close()


def test_no_page_scrolls_sideways_at_390_px(site, phone):
    pages = every_page(site)
    assert len(pages) > 30  # the menu's pages and a page per region
    wide = {}
    for rel in pages:
        o = Opened(phone, (site["out"] / rel).as_uri())
        width = o.page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[rel] = width
        o.close()
    assert wide == {}, f"pagina's die opzij scrollen: {wide}"
    # the measure sees a page that is too wide
    o = Opened(phone, (site["out"] / "index.html").as_uri())
    o.page.evaluate(
        "document.querySelector('main').appendChild(Object.assign(document.createElement('div'), {style: 'width:900px;height:2px'}))"
    )
    assert o.page.evaluate("document.documentElement.scrollWidth") > 390
    o.close()


def test_every_page_with_a_chart_is_checked_here(site):
    """A new page with charts joins CHART_PAGES, so that its charts are checked for names and tables."""
    with_charts = {
        p for p in every_page(site) if "/" not in p and 'class="chart' in (site["out"] / p).read_text("utf-8")
    }
    assert with_charts == set(CHART_PAGES)


@pytest.mark.parametrize("page", [*CHART_PAGES, "regio"])
def test_every_chart_is_named_by_its_title_and_has_a_table(site, open_page, page):
    rel = "regio/" + sorted(p.name for p in (site["out"] / "regio").glob("*.html"))[0] if page == "regio" else page
    o = open_page(site["out"] / rel)
    charts = o.page.evaluate(CHARTS)
    assert charts, "geen grafiek"
    for c in charts:
        assert c["label"] and c["label"] != "grafiek", c
        if c["title"] is not None:  # a Plotly chart: its title is its name, on the box and on the drawing
            assert c["label"] == c["title"], c
            assert c["svgLabel"] == c["title"], c
            assert c["role"] == "group", c  # not an image: its toolbar stays reachable
        assert c["table"] and c["rows"] > 0, f"geen tabel bij {c['id']}"
        assert c["caption"], c
        if c["ownTable"]:
            assert c["beforeChart"], c  # so that the toolbar comes after it


def test_every_table_has_a_caption(site, open_page):
    empty = {}
    region = "regio/" + sorted(p.name for p in (site["out"] / "regio").glob("*.html"))[0]
    others = [p for p in every_page(site) if "/" not in p and p not in CHART_PAGES]
    for rel in [*CHART_PAGES, *others, region]:
        o = open_page(site["out"] / rel)
        missing = o.page.evaluate(
            "() => Array.from(document.querySelectorAll('table')).filter(t => !(t.caption && t.caption.textContent.trim()))"
            ".map(t => t.closest('[id]') ? t.closest('[id]').id : '?')"
        )
        if rel in CHART_PAGES:  # every chart has a table, so the scan has something to look at
            assert o.page.locator("table").count() > 0, rel
        if missing:
            empty[rel] = missing
    assert empty == {}


def test_the_toolbar_comes_after_the_content_in_the_tab_order(site, open_page):
    o = open_page(site["out"] / "plan.html")
    orders = o.page.evaluate(TAB_ORDER)
    assert {c["id"] for c in orders} == {"plan-kaart", "plan-telling"}
    for c in orders:
        kinds = c["kinds"]
        assert "toolbar" in kinds and "content" in kinds, c
        first_tool = kinds.index("toolbar")
        assert all(k == "toolbar" for k in kinds[first_tool:]), c
    # by keyboard: from the table's summary one Tab reaches the chart's first toolbar button, and Enter works it
    o.page.focus("details.chart-table[data-for='plan-telling'] > summary")
    o.page.keyboard.press("Tab")
    focused = o.page.evaluate(
        "() => ({btn: document.activeElement.classList.contains('modebar-btn'),"
        " chart: document.activeElement.closest('.js-plotly-plot').id, name: document.activeElement.getAttribute('aria-label')})"
    )
    assert focused["btn"] and focused["chart"] == "plan-telling" and focused["name"], focused
    with o.page.expect_download() as got:
        o.page.focus("#plan-telling .modebar-btn[data-title='Grafiek opslaan als PNG']")
        o.page.keyboard.press("Enter")
    assert got.value.suggested_filename.endswith(".png")
    # the picture is made in the page and handed over as a blob: of this page; nothing leaves the machine
    assert [u for u in o.network() if not u.startswith("blob:null/")] == []


def test_plan_and_trends_have_their_tables(site, open_page):
    o = open_page(site["out"] / "plan.html")
    n_regions = q(site, "select count(distinct region_code) from marts.plan_exercise_matrix where wave = ?", [LATEST])[
        0
    ][0]
    assert o.page.locator("#plan-kaart-tabel tbody tr").count() == n_regions
    n_chars = q(site, "select count(distinct characteristic) from marts.plan_exercise_matrix where wave = ?", [LATEST])[
        0
    ][0]
    assert o.page.locator("#plan-telling-tabel tbody tr").count() == n_chars
    o = open_page(site["out"] / "trends.html")
    ind = o.page.locator("#indicator").input_value()
    n = q(site, "select count(distinct region_code) from marts.indicator_values where indicator_id = ?", [ind])[0][0]
    assert o.page.locator("#trends-tabel tbody tr").count() == n + 1  # and the national line


def test_the_overview_shows_the_national_trend_and_what_drives_it(site, open_page):
    o = open_page(site["out"] / "index.html")
    want = dict(
        q(
            site,
            "select wave, count(*) filter (where verdict = ?) from marts.variation_register group by wave",
            [V.UNJUSTIFIED],
        )
    )
    bars = o.page.evaluate(
        "() => Array.from(document.querySelectorAll('#trend-landelijk g.tb')).map(g => [+g.dataset.wave, +g.dataset.n])"
    )
    assert dict(bars) == want
    rows = o.page.evaluate(
        "() => Array.from(document.querySelectorAll('#trend-landelijk-tabel tbody tr')).map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])"
    )
    assert {int(w): int(n) for w, n in rows} == want
    steps = sorted(zip(sorted(want), sorted(want)[1:], strict=False), key=lambda s: want[s[1]] - want[s[0]])
    story = o.page.locator("#trend-verhaal p").all_text_contents()
    a, b = steps[0]
    if want[b] < want[a]:
        assert story[0].startswith(f"De grootste daling is van {a} naar {b}: van {want[a]} naar {want[b]} ")
    a, b = steps[-1]
    if want[b] > want[a]:
        assert any(
            s.startswith(f"De grootste stijging is van {a} naar {b}: van {want[a]} naar {want[b]} ") for s in story
        )
    assert story, "geen zin over de grootste verandering"
    # the marks of the latest wave, with their legend
    n_marked = q(site, "select count(*) from marts.variation_register where wave = ? and persistent", [LATEST])[0][0]
    assert n_marked > 0
    assert o.page.locator("#markeringen tbody tr").count() == n_marked
    assert o.page.locator("#markeringen tbody tr .mark").first.text_content() == "↻"
    legend = o.page.locator("#markeringen-legenda li").all_text_contents()
    assert [t.split(":")[0] for t in legend] == ["↻ aanhoudend", "↗ verbetert", "↘ verslechtert"]
    # another wave, other marks
    o.page.select_option("#peiljaar", str(WAVES[0]))
    n_first = q(site, "select count(*) from marts.variation_register where wave = ? and persistent", [WAVES[0]])[0][0]
    got = o.page.locator("#markeringen tbody tr").count()
    assert got == n_first or (n_first == 0 and o.page.locator("#markeringen .empty").count() == 1)
