"""The shipped sample's implausible returns and the audit trail, as the analyst sees them in Chromium
(issue 20): the mark "controleer de aanlevering" beside every verdict a plausibility warning touches, on the
region page and on the quality page, and each status's link to the Great Expectations run it came from."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from pipelines.site import region_file
from tests.support import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MARK = "\u26a0 controleer de aanlevering"
#: The two valid but implausible returns the sample plants (tests/ground_truth/problems.csv).
PLANTED = [(2025, "VR11", "middelen"), (2024, "VR01", "middelen")]


def _warned_indicators(run, wave: int, code: str) -> set[str]:
    reg = pd.read_parquet(run.marts / "variation_register.parquet")
    mine = reg[(reg.wave == wave) & (reg.region_code == code) & reg.check_return.notna()]
    return set(mine.indicator_id)


def test_the_planted_returns_are_in_the_ground_truth():
    truth = pd.read_csv(ROOT / "tests" / "ground_truth" / "problems.csv")
    for wave, code, module in PLANTED:
        rows = truth[(truth.wave == wave) & (truth.region_code == code) & (truth.module == module)]
        assert rows.rule.str.startswith("plausibel.").any(), (wave, code, module)


@pytest.mark.parametrize("wave, code, module", PLANTED, ids=[f"{c}-{w}" for w, c, _ in PLANTED])
def test_the_mark_stands_beside_each_verdict_it_touches_and_leads_to_the_quality_page(
    shipped_run, open_page, wave, code, module
):
    expected = _warned_indicators(shipped_run, wave, code)
    assert expected, "the planted return touches verdicts"
    o = open_page(shipped_run.dashboards / "regio" / region_file(code), wait_charts=False, hash=f"#peiljaar={wave}")
    assert o.page.input_value("#peiljaar") == str(wave)
    rows = o.page.eval_on_selector_all(
        "#oordelen tr[id^='oordeel-']",
        """trs => trs.map(tr => ({id: tr.id.slice('oordeel-'.length),
              marks: Array.from(tr.querySelectorAll('a.check-return')).map(a => a.textContent),
              beside: Array.from(tr.querySelectorAll('a.check-return')).every(a => !!a.parentElement.querySelector('.badge'))}))""",
    )
    assert rows, "the region page shows its verdicts"
    marked = {r["id"] for r in rows if r["marks"]}
    assert marked == expected
    assert all(r["marks"] == [MARK] and r["beside"] for r in rows if r["marks"])
    assert o.console_errors() == []

    # The mark leads to the quality page at the same wave, where the return is marked and its warning listed.
    with o.page.expect_navigation():
        o.page.locator("#oordelen a.check-return").first.click()
    o.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
    assert o.page.url.split("/")[-1] == f"kwaliteit.html#peiljaar={wave}"
    cell = o.page.locator(f"#status-grid a.check-return[data-region='{code}'][data-module='{module}']")
    assert cell.count() == 1 and cell.text_content() == MARK
    listed = o.page.locator("#controleer tr", has_text=code).filter(has_text=module)
    assert listed.count() >= 1
    assert "controleer de aanlevering" in listed.first.text_content()


def test_every_status_opens_the_validation_run_it_came_from(shipped_run, open_page):
    status = pd.read_parquet(shipped_run.marts / "submission_status.parquet")
    wave = int(status.wave.max())
    checked = status[(status.wave == wave) & status.validation_run.notna()]
    assert len(checked) and set(checked.validation_path) == {
        f"runs/{r}/{m}.json" for r, m in zip(checked.validation_run, checked.module)
    }
    o = open_page(shipped_run.dashboards / "kwaliteit.html", wait_charts=False, hash=f"#peiljaar={wave}")
    links = o.page.eval_on_selector_all("#status-grid a.validation-run", "els => els.map(a => [a.href, a.dataset.run])")
    assert len(links) == len(checked)
    validation = shipped_run.validation.resolve()
    for href, run in links:
        assert href.startswith("file://")
        target = Path(unquote(urlparse(href).path))
        assert target.is_file(), href
        assert target.parent == validation / "runs" / run
        assert json.loads(target.read_text(encoding="utf-8"))["results"]  # GX's own result
    runs = o.page.eval_on_selector_all("#toetsingen a.validation-run", "els => els.map(a => a.href)")
    assert sorted({Path(unquote(urlparse(h).path)).parent.name for h in runs}) == sorted(set(checked.validation_run))
    assert all(Path(unquote(urlparse(h).path)).is_file() for h in runs)
    assert o.console_errors() == []
