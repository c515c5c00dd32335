"""The spine chart of a region page in headless Chromium (issue 19, point 7), as Fingertips draws it: the national
value in the centre, one scale for both sides (the distance to the national value over the indicator's largest
distance), right is favourable, full compliance at the favourable end, a two-sided indicator read lower to
higher, a yes/no indicator as its answer; and its table.
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract.indicators import INDICATORS
from pipelines.site import region_file
from tests.site.browser.browser_support import WAVES

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]

CHART = """() => { const gd = document.getElementById('spine');
  return {traces: gd.data.map(t => ({name: t.name, type: t.type, role: t.meta && t.meta.role, x: t.x, y: t.y,
      base: t.base || null, text: t.text || null, customdata: t.customdata || null})),
    ticks: gd.layout.yaxis.tickvals.map((v, i) => [v, gd.layout.yaxis.ticktext[i]])}; }"""


def rows(site, region: str) -> dict[str, dict]:
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        got = con.execute(
            "select r.indicator_id, r.value, s.national_value, s.min, s.max from marts.variation_register r "
            "join marts.indicator_summary s using (wave, indicator_id) where r.wave = ? and r.region_code = ?",
            [LATEST, region],
        ).fetchall()
    finally:
        con.close()
    return {i: {"value": v, "nat": n, "min": lo, "max": hi} for i, v, n, lo, hi in got}


def full_compliance(ind) -> float | None:
    if ind.kind == "share":
        return 0.0 if ind.polarity == "lower" else 1.0
    return 0.0 if ind.kind == "count" and ind.polarity == "lower" else None


def expected_x(ind, r) -> float:
    """Where the region's marker belongs, computed here from the warehouse, not from the page's code."""
    if ind.kind == "yesno":
        return (1.0 if r["value"] >= 0.5 else -1.0) * (-1 if ind.polarity == "lower" else 1)
    ends = [r["min"], r["max"], r["value"], full_compliance(ind)]
    h = max(abs(e - r["nat"]) for e in ends if e is not None)
    sign = -1 if ind.polarity == "lower" else 1
    return 0.0 if h == 0 else sign * (r["value"] - r["nat"]) / h


def chart(o) -> tuple[dict, dict, list[dict]]:
    c = o.page.evaluate(CHART)
    y_of = {}
    for y, text in c["ticks"]:
        ind = next(i for i in INDICATORS if text.startswith(i.short))
        y_of[ind.id] = y
    points = {}
    for t in c["traces"]:
        if t["role"] == "regio":
            for cd, x, y in zip(t["customdata"], t["x"], t["y"]):
                points[cd] = (x, y)
    return y_of, points, c["traces"]


@pytest.fixture
def region():
    return "VR01"


def test_every_region_value_sits_at_its_distance_from_the_national_value_on_one_scale(site, open_page, region):
    o = open_page(site["out"] / "regio" / region_file(region), hash=f"#peiljaar={LATEST}")
    y_of, points, traces = chart(o)
    data = rows(site, region)
    with_value = {i: r for i, r in data.items() if r["value"] is not None and r["nat"] is not None}
    assert len(with_value) >= 10
    for ind in INDICATORS:
        if ind.id not in with_value:
            continue
        x, y = points[ind.id]
        assert y == y_of[ind.id]
        assert x == pytest.approx(expected_x(ind, with_value[ind.id]), abs=1e-4), ind.id
        assert -1 - 1e-4 <= x <= 1 + 1e-4
    # the spread bars: one side of every continuous row reaches the scale's end (the largest distance is 1)
    bars = [t for t in traces if t["type"] == "bar"]
    for ind in INDICATORS:
        if ind.kind == "yesno" or ind.id not in with_value:
            continue
        spans = [
            (b, b + w) for t in bars for b, w, yy in zip(t["base"], t["x"], t["y"]) if yy == y_of[ind.id] and w > 0.02
        ]
        if full_compliance(ind) is None and spans:
            assert max(max(abs(a), abs(b)) for a, b in spans) == pytest.approx(1.0, abs=1e-4), ind.id
    assert o.console_errors() == []


def test_yes_no_rows_show_the_answer_and_two_sided_rows_read_lower_to_higher(site, open_page, region):
    o = open_page(site["out"] / "regio" / region_file(region), hash=f"#peiljaar={LATEST}")
    y_of, points, traces = chart(o)
    data = rows(site, region)
    bars = [t for t in traces if t["type"] == "bar"]
    slots = next(t for t in traces if t["role"] == "schaal" and t["text"])
    for ind in INDICATORS:
        y = y_of[ind.id]
        bar_here = [yy for t in bars for yy in t["y"] if yy == y]
        if ind.kind == "yesno":
            assert bar_here == [], f"{ind.id}: a yes/no indicator has no spread bar"
            answers = {x: txt for x, yy, txt in zip(slots["x"], slots["y"], slots["text"]) if yy == y}
            assert answers == {-1: "nee", 1: "ja"}
            if data.get(ind.id, {}).get("value") is not None:
                assert answers[points[ind.id][0]] == ("ja" if data[ind.id]["value"] >= 0.5 else "nee")
        else:
            assert bar_here, ind.id
    two = [i for i in INDICATORS if i.polarity == "both"]
    assert two, "the contract has a two-sided indicator"
    two_sided_bar = next(t for t in bars if "zonder gunstige kant" in t["name"])
    ticks = dict(o.page.evaluate(CHART)["ticks"])
    for ind in two:
        assert y_of[ind.id] in two_sided_bar["y"]
        assert "lager · hoger" in ticks[y_of[ind.id]]
        r = data[ind.id]
        if r["value"] is not None and r["value"] != r["nat"]:
            # not mirrored: a higher value than the national one is drawn right of the centre
            assert (points[ind.id][0] > 0) == (r["value"] > r["nat"])


def test_full_compliance_lies_at_the_favourable_end(site, open_page):
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        best = {i.id: full_compliance(i) for i in INDICATORS if full_compliance(i) is not None}
        got = con.execute(
            "select region_code, indicator_id, value from marts.variation_register where wave = ? "
            "order by region_code, indicator_id",
            [LATEST],
        ).fetchall()
        hit = next(((c, i) for c, i, v in got if i in best and v == best[i]), None)
    finally:
        con.close()
    assert hit, "the synthetic site has a region with full compliance"
    region, ind = hit
    o = open_page(site["out"] / "regio" / region_file(region), hash=f"#peiljaar={LATEST}")
    y_of, points, traces = chart(o)
    full = next(t for t in traces if t["name"].startswith("volledig voldoen"))
    x_full = dict(zip(full["y"], full["x"]))[y_of[ind]]
    assert points[ind][0] == pytest.approx(x_full)
    assert x_full > 0, "right is favourable"
    # nothing on that row lies further to the favourable side than full compliance
    for t in traces:
        if t["type"] == "bar":
            for b, w, yy in zip(t["base"], t["x"], t["y"]):
                if yy == y_of[ind]:
                    assert b + w <= x_full + 0.021


def test_the_spine_chart_has_a_table_with_every_indicator(site, open_page, region):
    o = open_page(site["out"] / "regio" / region_file(region), hash=f"#peiljaar={LATEST}")
    table = o.page.eval_on_selector_all(
        "#spine-tabel table tbody tr", "trs => trs.map(tr => Array.from(tr.cells).map(td => td.textContent.trim()))"
    )
    assert len(table) == len(INDICATORS)
    by_name = {r[0]: r for r in table}
    data = rows(site, region)
    for ind in INDICATORS:
        r = by_name[ind.short]
        if ind.kind == "yesno":
            assert r[1] == "ja/nee"
            if data.get(ind.id, {}).get("value") is not None:
                assert r[2] == ("ja" if data[ind.id]["value"] >= 0.5 else "nee")
        elif ind.polarity == "both":
            assert r[1] == "geen gunstige kant"
        else:
            assert r[1] == ("lager is gunstiger" if ind.polarity == "lower" else "hoger is gunstiger")
    assert o.page.locator("#spine-legenda").inner_text().startswith("Per indicator staat de landelijke waarde")
