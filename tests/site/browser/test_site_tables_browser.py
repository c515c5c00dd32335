"""Every table a reader can work with, in headless Chromium (issue 19, point 4): sortable by every column with
aria-sort, searchable, and downloadable as shown as a CSV file that a Dutch spreadsheet opens by double-click
(';' between fields, decimal comma, UTF-8 with BOM). Tables drawn by the pages and tables the builder wrote alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.contract import verdicts
from pipelines.site import NAV, region_file
from tests.site.browser.browser_support import WAVES, q
from tests.site.synthetic import XSS_REGION

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]
PAGES = [f for f, _, _ in NAV] + [f"regio/{region_file(XSS_REGION)}"]


def column(o, box: str, label: str) -> list[str]:
    """The visible text of one column of the table in `box`, by its header's label."""
    return o.page.evaluate(
        """a => { const t = document.querySelector(a.box + ' table');
        const i = Array.from(t.tHead.rows[0].cells).findIndex(th => th.querySelector('button.sort').textContent
          .replace(/ [▲▼]$/, '') === a.label);
        return Array.from(t.tBodies[0].rows).filter(tr => !tr.hidden).map(tr => tr.cells[i].textContent.trim()); }""",
        {"box": box, "label": label},
    )


def nl_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip("%×"))


def download_csv(o, box: str) -> tuple[bytes, str]:
    with o.page.expect_download() as got:
        o.page.click(f"{box} button.csv")
    d = got.value
    return Path(d.path()).read_bytes(), d.suggested_filename


@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_sort_buttons_search_and_csv(site, open_page, page):
    o = open_page(site["out"] / page, wait_charts=False)
    tables = o.page.locator("main table")
    n = tables.count()
    if page in ("index.html", "regios.html", "indicatoren.html", "methode.html", "matrix.html", "onderbouwingen.html"):
        assert n > 0, page
    for i in range(n):
        t = tables.nth(i)
        assert t.get_attribute("data-enhanced") == "1", (page, i)
        heads = t.locator("thead tr:last-child th")
        assert heads.count() > 0 and heads.count() == t.locator("thead tr:last-child th button.sort").count()
        assert t.locator("thead th[aria-sort]").count() == heads.count()
        block = t.locator("xpath=ancestor::div[contains(@class,'table-wrap')][1]/preceding-sibling::div[1]")
        assert block.get_attribute("class") == "table-tools no-print", (page, i)
        assert block.locator("input[type=search]").count() == 1 and block.locator("button.csv").count() == 1
    assert o.console_errors() == []


def test_sorting_by_a_column_with_aria_sort_both_ways_and_kept_when_the_wave_changes(site, open_page):
    o = open_page(site["out"] / "regios.html", wait_charts=False)
    label = column(o, "#regiolijst", "Regio")  # the labels of the columns are their text without glyph
    assert len(label) == 25
    heads = o.page.eval_on_selector_all("#regiolijst thead th button.sort", "bs => bs.map(b => b.textContent)")
    unjustified = next(h for h in heads if "niet onderbouwd" in h)
    th = o.page.locator("#regiolijst thead th").nth(heads.index(unjustified))
    assert th.get_attribute("aria-sort") == "none"
    th.locator("button").click()
    assert th.get_attribute("aria-sort") == "ascending"
    up = [int(v) for v in column(o, "#regiolijst", unjustified)]
    assert up == sorted(up) and len(set(up)) > 1
    th.locator("button").click()
    assert th.get_attribute("aria-sort") == "descending"
    down = [int(v) for v in column(o, "#regiolijst", unjustified)]
    assert down == sorted(up, reverse=True)
    want = dict(q(site, "select region_code, n_unjustified from marts.region_scorecard where wave = ?", [LATEST]))
    assert down[0] == max(want.values())
    # the region column sorts as Dutch words, not by code
    o.page.locator("#regiolijst thead th").nth(0).locator("button").click()
    names = column(o, "#regiolijst", "Regio")
    assert names == sorted(names, key=lambda s: s.lower())
    assert o.page.locator("#regiolijst thead th").nth(0).get_attribute("aria-sort") == "ascending"
    # another wave: the table is drawn again, sorted as chosen
    th.locator("button").click()
    th.locator("button").click()
    o.page.select_option("#peiljaar", str(WAVES[0]))
    th = o.page.locator("#regiolijst thead th").nth(heads.index(unjustified))
    assert th.get_attribute("aria-sort") == "descending"
    values = [int(v) if v != "–" else -1 for v in column(o, "#regiolijst", unjustified)]
    assert values == sorted(values, reverse=True)
    assert o.console_errors() == []


def test_a_verdict_column_sorts_the_most_serious_first(site, open_page):
    o = open_page(site["out"] / "indicatoren.html", wait_charts=False)
    o.page.locator("#oordelen thead th:has(button:text-is('Oordeel')) button").click()
    shown = column(o, "#oordelen", "Oordeel")
    order = [verdicts.VERDICT_LABELS[v] for v in verdicts.VERDICTS_BY_CONCERN]
    ranks = [next(i for i, w in enumerate(order) if s.endswith(w)) for s in shown]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1


def test_the_search_field_filters_the_rows(site, open_page):
    o = open_page(site["out"] / "regios.html", wait_charts=False)
    name = site["names"][XSS_REGION]
    o.page.fill("#regiolijst input[type=search]", name.lower())
    assert column(o, "#regiolijst", "Regio") == [f"{name} ({XSS_REGION})"]
    assert o.page.locator("#regiolijst .table-count").text_content() == "1 van 25 rijen"
    o.page.fill("#regiolijst input[type=search]", "")
    assert len(column(o, "#regiolijst", "Regio")) == 25


def test_the_csv_is_the_view_for_a_dutch_spreadsheet(site, open_page):
    o = open_page(site["out"] / "indicatoren.html", wait_charts=False, hash=f"#peiljaar={LATEST}")
    ind = o.page.locator("#indicator").input_value()
    o.page.fill("#oordelen input[type=search]", verdicts.VERDICT_LABELS[verdicts.CONFORM])
    shown = len(column(o, "#oordelen", "Regio"))
    blob, name = download_csv(o, "#oordelen")
    assert name == f"regiobench-indicatoren-oordelen-peiljaar-{LATEST}.csv"
    assert blob.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it as UTF-8
    lines = blob.decode("utf-8-sig").split("\r\n")
    assert lines[-1] == ""
    rows = [line.split(";") for line in lines[1:-1]]
    assert lines[0].split(";") == ["Regio", "Waarde", "Doel", "99,8%-grenzen", "Oordeel", "Toelichting", "Onderbouwing"]
    assert len(rows) == shown > 0  # the rows as shown: filtered
    assert all(r[4] == verdicts.VERDICT_LABELS[verdicts.CONFORM] for r in rows)  # the word, not the glyph
    values = dict(
        q(
            site,
            "select region_name, value from marts.variation_register where wave = ? and indicator_id = ?",
            [LATEST, ind],
        )
    )
    for r in rows:
        assert re.fullmatch(r"-?\d+(,\d+)?%?", r[1]), r[1]  # decimal comma, no thousands point in these values
        got = nl_number(r[1]) / (100 if r[1].endswith("%") else 1)
        assert abs(got - values[r[0]]) < 0.01, r


def test_csv_fields_are_quoted_and_formulas_defused(site, open_page):
    o = open_page(site["out"] / "regios.html", wait_charts=False)
    text = o.page.evaluate(
        """() => Site.csvText(['a', 'b'], [['=1+1', -1.5], ['x;y', 'zei "ja"'], ['@cmd', 1234.5], ['-1,5', null]])"""
    )
    assert text == '\ufeffa;b\r\n\'=1+1;-1,5\r\n"x;y";"zei ""ja"""\r\n\'@cmd;1234,5\r\n-1,5;\r\n'


def test_the_tables_the_builder_wrote_are_sortable_too(site, open_page):
    o = open_page(site["out"] / "methode.html", wait_charts=False)
    box = o.page.locator("article table").last  # the recommendations: number and subject
    box.locator("thead th").first.locator("button").click()
    box.locator("thead th").first.locator("button").click()
    first = box.locator("tbody tr").first.locator("td").first.text_content()
    assert box.locator("thead th").first.get_attribute("aria-sort") == "descending" and first == "10"
    assert o.console_errors() == []
