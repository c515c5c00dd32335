"""The reasons in headless Chromium: the page "Onderbouwingen wegen" filtered and sorted as an analyst does,
the region page's table of reasons and the ignored judgements on the quality page.

Built on the synthetic warehouse (tests/site/synthetic.py, tests/site/synthetic_reasons.py).
"""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.contract import reasons
from pipelines.site import build_site, region_file
from tests.site.browser.browser_support import REFERENCE, WAVES, q
from tests.site.synthetic import XSS_REGION, build_synthetic_warehouse

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]
ROWS = "#register table.reasons tbody tr"


def count(site, where="true", params=()):
    sql = f"select count(*) from marts.substantiation_register where wave = ? and ({where})"
    return q(site, sql, [LATEST, *params])[0][0]


def column(o, key) -> list[str]:
    """The text of one column of the table, by the sort key of its header."""
    return o.page.evaluate(
        """key => { const ths = Array.from(document.querySelectorAll('#register thead th'));
        const i = ths.findIndex(th => th.querySelector(`button[data-sort="${key}"]`));
        return Array.from(document.querySelectorAll('#register tbody tr')).map(tr => tr.children[i].textContent); }""",
        key,
    )


def test_the_page_of_reasons_filters_by_status_and_sorts_a_column(site, open_page):
    o = open_page(site["out"] / "onderbouwingen.html", wait_charts=False)
    assert o.page.locator(ROWS).count() == count(site) > 20
    assert o.page.evaluate("window.__xss") is None
    # the region's words whole, as text: the planted payload is shown, not run
    assert "<script>window.__xss=1</script>" in o.page.locator("#register").text_content()

    o.page.select_option("#f-status", reasons.LAPSED)
    n_lapsed = count(site, "status = ?", [reasons.LAPSED])
    assert n_lapsed > 0 and o.page.locator(ROWS).count() == n_lapsed
    assert o.page.locator(f"{ROWS} td .s-{reasons.LAPSED}").count() == n_lapsed
    assert f"{n_lapsed} van {count(site)} toelichtingen" in o.page.locator("#telling").text_content()

    header = o.page.locator('#register th:has(button[data-sort="afwijking_op_rij"])')
    assert header.get_attribute("aria-sort") == "none"
    o.page.click('#register button[data-sort="afwijking_op_rij"]')
    header = o.page.locator('#register th:has(button[data-sort="afwijking_op_rij"])')
    assert header.get_attribute("aria-sort") == "ascending"
    up = [int(re.match(r"\d+", t).group()) for t in column(o, "afwijking_op_rij")]
    assert up == sorted(up) and len(set(up)) > 1
    o.page.click('#register button[data-sort="afwijking_op_rij"]')
    assert o.page.locator('#register th:has(button[data-sort="afwijking_op_rij"])').get_attribute("aria-sort") == (
        "descending"
    )
    down = [int(re.match(r"\d+", t).group()) for t in column(o, "afwijking_op_rij")]
    assert down == sorted(up, reverse=True)
    assert o.page.locator(ROWS).count() == n_lapsed  # sorting keeps the filter
    assert o.console_errors() == [] and o.network() == []


def test_the_signals_filter_the_reasons(site, open_page):
    o = open_page(site["out"] / "onderbouwingen.html", wait_charts=False)
    for box, where in [
        ("#f-gedeeld", "n_other_regions_same_text > 0"),
        ("#f-tekst-herhaald", "waves_same_text_in_row > 1"),
        ("#f-afwijking-herhaald", "deviation_waves_in_row > 1"),
        ("#f-jaar", "years_named_past is not null"),
        ("#f-tegenspraak", "contradiction is not null"),
    ]:
        o.page.check(box)
        n = count(site, where)
        if n:
            assert o.page.locator(ROWS).count() == n, box
        else:
            assert o.page.locator("#register .empty").count() == 1, box
        o.page.uncheck(box)
    o.page.select_option("#f-regio", XSS_REGION)
    assert o.page.locator(ROWS).count() == count(site, "region_code = ?", [XSS_REGION])
    o.page.select_option("#peiljaar", str(WAVES[0]))  # the filter stays, the wave changes
    n = q(
        site,
        "select count(*) from marts.substantiation_register where wave = ? and region_code = ?",
        [WAVES[0], XSS_REGION],
    )[0][0]
    assert o.page.locator(ROWS).count() == n
    assert o.console_errors() == []


def test_a_link_with_a_region_opens_the_page_on_that_region(site, open_page):
    code = site["regions"][4]
    o = open_page(site["out"] / "onderbouwingen.html", wait_charts=False, hash=f"#regio={code}&peiljaar={LATEST}")
    assert o.page.locator("#f-regio").input_value() == code
    assert o.page.locator(ROWS).count() == count(site, "region_code = ?", [code])
    hrefs = o.page.eval_on_selector_all(f"{ROWS} td:first-child a", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and {h.split("#")[0] for h in hrefs} == {f"regio/{region_file(code)}"}


def test_the_region_page_shows_each_reason_with_its_status(site, open_page):
    code = site["regions"][5]
    o = open_page(site["out"] / "regio" / region_file(code), wait_charts=False)
    rows = o.page.locator("#toelichtingen-tabel tbody tr")
    want = q(
        site,
        "select reason_text, status from marts.substantiation_register where wave = ? and region_code = ?",
        [LATEST, code],
    )
    assert want and rows.count() == len(want)
    text = o.page.locator("#toelichtingen-tabel").text_content()
    assert all(t in text for t, _ in want)
    for status in {s for _, s in want}:
        assert o.page.locator(f"#toelichtingen-tabel .s-{status}").count() == sum(s == status for _, s in want)
    assert o.console_errors() == []


def test_the_quality_page_shows_the_ignored_judgements_or_says_there_are_none(site, open_page, tmp_path):
    o = open_page(site["out"] / "kwaliteit.html", wait_charts=False)
    assert o.page.locator("#wegingen tbody tr").count() == 2
    assert "onbekende regio 'VR99'" in o.page.locator("#wegingen").text_content()

    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=3, waves=[LATEST])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("delete from marts.judgement_problems")
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    o = open_page(tmp_path / "out" / "kwaliteit.html", wait_charts=False)
    assert o.page.locator("#wegingen table").count() == 0
    assert o.page.locator("#wegingen").text_content() == "Geen problemen gevonden: elke rij van wegingen.csv telt mee."
    assert o.console_errors() == []
