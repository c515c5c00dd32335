"""Links both ways in headless Chromium (issue 19, point 3): an indicator on a region page leads to the indicator's
page with that region marked in the funnel, the ranking and the table; a point there leads back to the region's
verdict on that indicator; a point of the region's spine chart leads to the indicator. The wave stays.
"""

from __future__ import annotations

import pytest

from pipelines.site import region_file
from tests.site.browser.browser_support import WAVES

pytestmark = pytest.mark.browser

WAVE = WAVES[0]  # not the latest: the wave must travel with the link

#: The centre of the marker of `code` in the scatter trace with meta.role `role` of chart `id`, on screen.
POINT = """a => { const gd = document.getElementById(a.id);
  const scatter = gd.data.filter(t => t.type === 'scatter');
  const layers = gd.querySelectorAll('.scatterlayer g.trace');
  for (let k = 0; k < scatter.length; k++) {
    const t = scatter[k];
    if (!t.meta || t.meta.role !== a.role) continue;
    const j = (t.customdata || []).indexOf(a.code);
    if (j < 0) continue;
    const b = layers[k].querySelectorAll('path.point')[j].getBoundingClientRect();
    return [b.x + b.width / 2, b.y + b.height / 2];
  }
  return null; }"""


def click_point(page, chart: str, code: str, role: str = "regio"):
    page.locator(f"#{chart}").scroll_into_view_if_needed()
    xy = page.evaluate(POINT, {"id": chart, "role": role, "code": code})
    assert xy, (chart, code)
    with page.expect_navigation():
        page.mouse.click(*xy)
    page.wait_for_selector("body[data-ready='1']", state="attached")


def marked(page, chart: str) -> list[dict]:
    return page.evaluate(
        """id => document.getElementById(id).data.filter(t => t.meta && t.meta.role === 'gekozen')
          .map(t => ({code: t.customdata[0], x: t.x[0], y: t.y[0], text: t.text[0]}))""",
        chart,
    )


def point_of(page, chart: str, code: str) -> tuple:
    return tuple(
        page.evaluate(
            """a => { for (const t of document.getElementById(a.id).data) {
              if (!t.meta || t.meta.role !== 'regio') continue;
              const j = t.customdata.indexOf(a.code); if (j >= 0) return [t.x[j], t.y[j]]; } return null; }""",
            {"id": chart, "code": code},
        )
    )


def test_an_indicator_on_a_region_page_opens_its_page_with_the_region_marked(site, open_page):
    code = site["regions"][6]
    name = site["names"][code]
    o = open_page(site["out"] / "regio" / region_file(code), hash=f"#peiljaar={WAVE}")
    links = o.page.eval_on_selector_all("#oordelen tbody td:first-child a", "as => as.map(a => a.getAttribute('href'))")
    assert len(links) == o.page.locator("#oordelen tbody tr").count() > 10
    for href in links:
        assert href.startswith("../indicatoren.html#indicator=") and href.endswith(f"&peiljaar={WAVE}&regio={code}")
    reasons = o.page.eval_on_selector_all(
        "#toelichtingen-tabel tbody td:first-child a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert all(h.endswith(f"&peiljaar={WAVE}&regio={code}") for h in reasons)

    # a funnel indicator: the first whose page draws a funnel
    row = o.page.locator("#oordelen tbody tr").first
    ind = row.get_attribute("id").removeprefix("oordeel-")
    with o.page.expect_navigation():
        row.locator("td:first-child a").click()
    o.page.wait_for_selector("body[data-charts='1']", state="attached")
    assert o.page.locator("#indicator").input_value() == ind
    assert o.page.locator("#peiljaar").input_value() == str(WAVE)
    assert name in o.page.locator("#focus").text_content()
    for chart in ("trechter", "rangorde"):
        got = marked(o.page, chart)
        assert len(got) == 1 and got[0]["code"] == code and name in got[0]["text"], chart
        assert (got[0]["x"], got[0]["y"]) == point_of(o.page, chart, code), chart
    ticks = o.page.evaluate("() => document.getElementById('rangorde').layout.yaxis.ticktext")
    assert [t for t in ticks if t.startswith("<b>")] == [f"<b>▶ {name}</b>"]
    target = o.page.locator("#oordelen tbody tr.target")
    assert target.count() == 1 and name in target.text_content()
    # another indicator keeps the region marked
    o.page.select_option("#indicator", index=1)
    assert marked(o.page, "rangorde")[0]["code"] == code
    assert o.console_errors() == [] and o.network() == []


@pytest.mark.parametrize("chart", ["trechter", "rangorde"])
def test_a_point_on_the_indicator_page_leads_back_to_the_regions_verdict(site, open_page, chart):
    focus, other = site["regions"][6], site["regions"][9]
    o = open_page(site["out"] / "indicatoren.html", hash=f"#peiljaar={WAVE}&regio={focus}")
    ind = o.page.locator("#indicator").input_value()
    click_point(o.page, chart, other)
    assert o.page.url.endswith(f"regio/{region_file(other)}#peiljaar={WAVE}&indicator={ind}")
    assert o.page.locator("#peiljaar").input_value() == str(WAVE)
    assert "target" in o.page.locator(f"#oordeel-{ind}").get_attribute("class").split()
    assert o.console_errors() == []


def test_a_point_of_the_spine_chart_leads_to_the_indicator_with_the_region_marked(site, open_page):
    code = site["regions"][6]
    o = open_page(site["out"] / "regio" / region_file(code), hash=f"#peiljaar={WAVE}")
    ind = o.page.evaluate(
        "() => document.getElementById('spine').data.find(t => t.meta && t.meta.role === 'regio').customdata[0]"
    )
    click_point(o.page, "spine", ind)
    assert o.page.url.endswith(f"indicatoren.html#indicator={ind}&peiljaar={WAVE}&regio={code}")
    o.page.wait_for_selector("body[data-charts='1']", state="attached")
    assert o.page.locator("#indicator").input_value() == ind
    assert marked(o.page, "rangorde")[0]["code"] == code
    assert o.console_errors() == []
