"""The statistics of issue 17 as a reader sees them in headless Chromium: the overview's ranking with shared
places, the table of the size of the variation, and the method page's tables for the chosen wave."""

from __future__ import annotations

import pytest

from pipelines.contract.indicators import COUNT_MODEL_ID
from tests.site.browser.browser_support import WAVES, q

pytestmark = pytest.mark.browser
LATEST = WAVES[-1]
CELLS = "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim()))"


def places(o) -> dict[str, str]:
    """Region code -> the place the ranking table shows for it."""
    rows = o.page.eval_on_selector_all("#top tbody tr", CELLS)
    return {r[1].rsplit("(", 1)[1].rstrip(")"): r[0] for r in rows}


def test_the_ranking_shares_places_and_switches_to_the_count(site, open_page):
    planted = site["ranking"]
    assert planted["wave"] == LATEST
    o = open_page(site["out"] / "index.html", wait_charts=False)
    shown = places(o)
    a, b = planted["tied"]
    assert shown[a] == shown[b] == "1"
    assert sorted(shown.values(), key=int)[:3] == ["1", "1", "3"]
    assert int(shown.get(planted["many_but_light"], "99")) > 2  # low, or not among the first ten places
    assert o.page.locator("#top-titel").inner_text().startswith("Rangorde: ernst")
    o.page.select_option("#rangorde", "rank_unjustified")
    o.page.wait_for_function("document.querySelector('#top-titel').textContent.indexOf('aantal') > 0")
    assert places(o)[planted["many_but_light"]] == "1"
    assert "rangorde=rank_unjustified" in o.page.evaluate("location.hash")
    assert o.console_errors() == []


def test_the_size_of_the_variation_reads_the_summary_with_a_decimal_comma(site, open_page):
    o = open_page(site["out"] / "index.html", wait_charts=False)
    rows = o.page.eval_on_selector_all("#variatie-tabel tbody tr", CELLS)
    assert len(rows) == 15
    ((scv, outside, expected),) = q(
        site,
        "select scv, n_outside_998, expected_false_alarms from marts.indicator_summary "
        "where wave = ? and indicator_id = ?",
        [LATEST, COUNT_MODEL_ID],
    )
    first = rows[0]  # the count model comes first in the contract's order
    assert first[2] == f"{scv:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    assert first[3] == str(outside) and first[4] == f"{expected:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    assert sum(r[2] == "–" for r in rows) == 14  # SCV only for the count model
    assert o.console_errors() == []


def test_the_method_page_tables_follow_the_wave(site, open_page):
    o = open_page(site["out"] / "methode.html", wait_charts=False)
    for wave in (LATEST, WAVES[0]):
        if wave != LATEST:
            o.page.select_option("#peiljaar", str(wave))
        (n_funnels,) = q(
            site,
            "select count(*) from marts.indicator_summary where wave = ? and overdispersion_method is not null",
            [wave],
        )[0]
        assert o.page.locator("#overdispersie-tabel tbody tr").count() == 2 * n_funnels
        assert o.page.locator("#risico-tabel th").nth(1).inner_text() == f"Peiljaar {wave}"
        assert "F-toets: methode bovenop risicobasis" in o.page.locator("#risico-tabel").inner_text()
        assert o.page.locator("#risico-conclusie").inner_text().startswith(f"Peiljaar {wave}: gecorrigeerd")
    assert o.console_errors() == []
