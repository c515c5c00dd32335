"""The verdict matrix in headless Chromium (issue 19, point 1): every cell as the register has it, with colour,
glyph and word, the marks for persistent and severe deviations and the reason's status; the filters "only
not substantiated" and per domain; a cell leads to the verdict on the region's page, in the same wave.
"""

from __future__ import annotations

import pytest

from pipelines.contract import reasons, verdicts
from pipelines.contract.indicators import INDICATORS
from pipelines.engine.severity import SEVERE
from tests.site.browser.browser_support import WAVES, q

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]
CELLS = "#matrix table.matrix tbody a.mx"
ROWS = "#matrix table.matrix tbody tr"


def cells(o) -> dict[tuple[str, str], dict]:
    return {
        (c["region"], c["indicator"]): c
        for c in o.page.eval_on_selector_all(
            CELLS,
            """as => as.map(a => ({region: a.dataset.region, indicator: a.dataset.indicator, verdict: a.dataset.verdict,
              cls: a.className, glyph: a.querySelector('.glyph').textContent, word: a.querySelector('.word').textContent,
              marks: (a.querySelector('.marks') || {}).textContent || '', label: a.getAttribute('aria-label'),
              href: a.getAttribute('href')}))""",
        )
    }


def test_every_cell_shows_the_registers_verdict_with_colour_glyph_word_and_marks(site, open_page):
    o = open_page(site["out"] / "matrix.html", wait_charts=False)
    got = cells(o)
    want = q(
        site,
        "select region_code, indicator_id, verdict, severity, persistent, reason_status "
        "from marts.variation_register where wave = ?",
        [LATEST],
    )
    assert len(got) == len(want) == 25 * len({w[1] for w in want})
    for region, ind, verdict, severity, persistent, reason in want:
        c = got[(region, ind)]
        look = verdicts.VERDICT_LOOKS[verdict]
        assert c["verdict"] == verdict and f"v-{verdict}" in c["cls"].split()
        assert c["glyph"] == look.glyph and c["word"] == verdicts.VERDICT_SHORT_LABELS[verdict]
        assert verdicts.VERDICT_LABELS[verdict] in c["label"]
        severe = severity is not None and severity >= SEVERE
        assert ("severe" in c["cls"].split()) == severe and ("!" in c["marks"]) == severe, (region, ind)
        assert ("persistent" in c["cls"].split()) == bool(persistent) and ("↻" in c["marks"]) == bool(persistent)
        if reason is not None:
            assert reasons.REASON_LOOKS[reason].glyph in c["marks"]
            assert reasons.REASON_CODE_LABELS[reason] in c["label"]
        assert c["href"] == f"regio/{region}.html#peiljaar={LATEST}&indicator={ind}"
    assert any("severe" in c["cls"] for c in got.values()) and any("persistent" in c["cls"] for c in got.values())
    # the background of a cell is the verdict's colour, tinted as the badges are; the border its own colour
    border = o.page.eval_on_selector(
        f"{CELLS}[data-verdict='{verdicts.UNJUSTIFIED}']:not(.severe)", "a => getComputedStyle(a).borderTopColor"
    )
    assert border == "rgb(213, 94, 0)"  # #D55E00, the contract's colour of the verdict
    assert o.console_errors() == [] and o.network() == []


def test_the_filters_only_not_substantiated_and_per_domain(site, open_page):
    o = open_page(site["out"] / "matrix.html", wait_charts=False)
    assert o.page.locator(ROWS).count() == 25
    unjustified = q(
        site,
        "select region_code, indicator_id from marts.variation_register where wave = ? and verdict = ?",
        [LATEST, verdicts.UNJUSTIFIED],
    )
    o.page.check("#f-niet-onderbouwd")
    assert o.page.locator(ROWS).count() == len({r for r, _ in unjustified})
    # every other verdict is faded, the unjustified ones are not
    assert o.page.locator(f"{CELLS}:not(.faded)").count() == len(unjustified)
    assert o.page.locator(f"{CELLS}.faded[data-verdict='{verdicts.UNJUSTIFIED}']").count() == 0

    # a domain in which some regions, not all, have an unjustified deviation
    domain_of = {i.id: i.domain for i in INDICATORS}
    per_domain = {d: {r for r, i in unjustified if domain_of.get(i) == d} for d in set(domain_of.values())}
    domain = next(d for d, rs in sorted(per_domain.items()) if 0 < len(rs) < 25)
    o.page.select_option("#f-domein", domain)
    shown = cells(o)
    assert all(domain_of[i] == domain for _, i in shown)
    assert o.page.locator(ROWS).count() == len(per_domain[domain])
    assert {r for r, _ in shown} == per_domain[domain]
    o.page.uncheck("#f-niet-onderbouwd")
    assert o.page.locator(ROWS).count() == 25
    n_domain = len({i for _, i in cells(o)})
    assert n_domain == len(
        [
            i
            for i in INDICATORS
            if i.domain == domain
            and (i.id,)
            in q(site, "select distinct indicator_id from marts.variation_register where wave = ?", [LATEST])
        ]
    )
    assert o.page.locator(CELLS).count() == 25 * n_domain
    # the filters are in the address: a link keeps them
    assert f"domein={domain}" in o.page.evaluate("location.hash") and "alleen=0" in o.page.evaluate("location.hash")
    assert o.console_errors() == []


def test_a_cell_opens_the_verdict_on_the_region_page_in_the_same_wave(site, open_page):
    wave = WAVES[0]
    o = open_page(site["out"] / "matrix.html", wait_charts=False, hash=f"#peiljaar={wave}")
    cell = o.page.locator(f"{CELLS}[data-verdict='{verdicts.UNJUSTIFIED}']").first
    region, ind = cell.get_attribute("data-region"), cell.get_attribute("data-indicator")
    cell.click()
    o.page.wait_for_selector("body[data-ready='1']", state="attached")
    assert o.page.url.endswith(f"regio/{region}.html#peiljaar={wave}&indicator={ind}")
    assert o.page.locator("#peiljaar").input_value() == str(wave)
    row = o.page.locator(f"#oordeel-{ind}")
    assert "target" in row.get_attribute("class").split()
    assert verdicts.VERDICT_LABELS[verdicts.UNJUSTIFIED] in row.text_content()
    assert o.page.locator("#oordelen tr.target").count() == 1
    assert o.console_errors() == []
