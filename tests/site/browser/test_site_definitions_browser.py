"""The definitions page and a region's similar regions in headless Chromium (issue 19, points 6 and 10).

Built on the synthetic warehouse (tests/site/synthetic.py; region_peers from tests/site/synthetic_peers.py).
"""

from __future__ import annotations

import pytest

from pipelines.contract import verdicts
from pipelines.contract.definitions import DEFINITIONS
from pipelines.contract.indicators import INDICATORS, RISK_PROBABILITY
from pipelines.site import region_file
from tests.site.browser.browser_support import q

pytestmark = pytest.mark.browser


def test_the_definitions_page_defines_every_indicator_and_warns_where_nobody_is_flagged(site, open_page):
    o = open_page(site["out"] / "definities.html", wait_charts=False)
    assert o.console_errors() == [] and o.network() == []
    sections = o.page.locator("section.definition")
    assert sections.count() == len(INDICATORS)
    for i in INDICATORS:
        s = o.page.locator(f"#def-{i.id}")
        assert s.locator(".def-numerator").inner_text() == DEFINITIONS[i.id].numerator
        assert s.locator("ul.def-fields li").count() == len(DEFINITIONS[i.id].fields)
    # the warning is computed from the register: risk_probability flags nobody in the synthetic waves
    n, conform = q(
        site,
        "select count(*), count(*) filter (where verdict = ?) from marts.variation_register "
        "where indicator_id = ? and verdict <> ?",
        [verdicts.CONFORM, RISK_PROBABILITY, verdicts.MISSING],
    )[0]
    warning = o.page.locator(f"#def-{RISK_PROBABILITY} .flag-warning")
    assert warning.is_visible() and f"{conform} van de {n} cellen" in warning.inner_text()
    # a flagging indicator has none
    flagging = q(
        site,
        "select indicator_id from marts.variation_register where verdict in (?, ?) group by 1 order by count(*) desc limit 1",
        list(verdicts.UNFAVOURABLE),
    )[0][0]
    assert o.page.locator(f"#def-{flagging} .flag-warning").count() == 0
    # the navigation leads here from every page, and the indicator page links to the indicator's definition
    assert o.page.locator('nav a[aria-current="page"]').inner_text() == "Definities"


def test_the_indicator_page_links_to_the_chosen_indicators_definition(site, open_page):
    o = open_page(site["out"] / "indicatoren.html", hash=f"#indicator={RISK_PROBABILITY}")
    link = o.page.locator("#ind-definitie")
    assert link.get_attribute("href").endswith(f"definities.html#def-{RISK_PROBABILITY}")
    link.click()
    o.page.wait_for_selector("body[data-ready='1']", state="attached")
    assert o.page.url.endswith(f"#def-{RISK_PROBABILITY}")
    assert o.page.locator(f"#def-{RISK_PROBABILITY}").is_visible()


def test_a_region_page_shows_the_region_beside_its_nearest_peers(site, open_page):
    code = site["regions"][0]
    o = open_page(site["out"] / "regio" / region_file(code))
    assert o.console_errors() == []
    latest = max(site["waves"])
    peers = q(
        site,
        "select peer_name, peer_code, distance from marts.region_peers where wave = ? and region_code = ? order by rank",
        [latest, code],
    )
    assert len(peers) == 5
    table = o.page.locator("#peers table.peers")
    heads = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    assert heads[1] == site["names"][code]
    assert heads[2:] == [f"{k}. {name}" for k, (name, _, _) in enumerate(peers, start=1)]
    # why they are peers: the distance on the risk basis, in Dutch notation
    distance_row = table.locator("tbody tr", has_text="Afstand op de risicobasis")
    cells = [t.strip() for t in distance_row.locator("td").all_inner_texts()]
    assert cells[1] == "deze regio"
    assert cells[2] == f"{peers[0][2]:.2f}".replace(".", ",").rstrip("0").rstrip(",")
    assert "risicobasis" in o.page.locator("#vergelijkbaar").inner_text()
    # per indicator one row, a cell per region with the verdict of that region in the register
    verdict = q(
        site,
        "select verdict from marts.variation_register where wave = ? and region_code = ? and indicator_id = ?",
        [latest, peers[0][1], INDICATORS[0].id],
    )[0][0]
    row = table.locator("tbody tr", has_text=INDICATORS[0].short).first
    assert row.locator("td").nth(2).locator(f".badge.v-{verdict}").count() == 1
    # the peer's name leads to its own page
    link = table.locator("tbody tr", has_text="Regioprofiel").locator("a").first
    assert link.get_attribute("href").split("#")[0].endswith("regio/" + region_file(peers[0][1]))


def test_the_peers_follow_the_chosen_wave(site, open_page):
    code = site["regions"][2]
    o = open_page(site["out"] / "regio" / region_file(code))
    first = min(site["waves"])
    o.page.select_option("#peiljaar", str(first))
    o.page.wait_for_function(f"() => document.querySelector('#peers caption').textContent.endsWith('{first}')")
    want = q(
        site,
        "select peer_name from marts.region_peers where wave = ? and region_code = ? order by rank",
        [first, code],
    )
    heads = [t.strip() for t in o.page.locator("#peers thead th").all_inner_texts()][2:]
    assert heads == [f"{k}. {name}" for k, (name,) in enumerate(want, start=1)]
