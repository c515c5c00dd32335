"""Dutch for people (issue 19, point 11): no code of the contract in the text a reader sees.

Every page of the synthetic site is opened in Chromium and its visible text (without ``<code>`` elements,
where a page names a field or an id on purpose, and without the quality page's messages on a file, which
quote the codes the file should hold) is searched for the catalogues' codes, the indicator ids,
the survey's field names, the pipeline's table names and counts with '(s)' or '(en)'. The downloads page,
the data dictionary that explains the codes, is the one technical page and is left out.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from pipelines.contract import verdicts
from pipelines.contract.catalogues import CODE_WORDS
from pipelines.contract.codebook import MODULES
from pipelines.contract.definitions import EMPTY_VERDICT_NL
from pipelines.contract.indicators import EX_EVALUATED_SHARE, INDICATOR_IDS
from pipelines.contract.marts import MARTS
from pipelines.site import build_site, region_file
from tests.site.browser.browser_support import REFERENCE
from tests.site.synthetic import build_synthetic_warehouse

pytestmark = pytest.mark.browser

TECHNICAL = {"downloads.html"}
CODES = (
    set(CODE_WORDS)
    | set(INDICATOR_IDS)
    | {f.name for m in MODULES.values() for f in m.fields if "_" in f.name}
    | {m.table for m in MODULES.values()}
    | {"run_history", "ref_regions", "runs"}
)
PIPELINE = re.compile(r"\bmarts\.\w+|\bstg_\w+|\bint_\w+")
FAKE_PLURAL = re.compile(r"\w\((?:'s|s|en)\)")

VISIBLE_TEXT = """() => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll('code, script, style, noscript, [hidden], td.file-message, .file-message').forEach(e => e.remove());
  // select options are read as the page shows them
  return root.innerText || root.textContent;
}"""


def codes_in(text: str) -> dict[str, str]:
    found = {}
    for code in CODES:
        for m in re.finditer(r"(?<![A-Za-z0-9_.])" + re.escape(code) + r"(?![A-Za-z0-9_])", text):
            found.setdefault(code, text[max(0, m.start() - 50) : m.end() + 30])
    for pat in (PIPELINE, FAKE_PLURAL):
        for m in pat.finditer(text):
            found.setdefault(m.group(0), text[max(0, m.start() - 50) : m.end() + 30])
    return found


def test_the_scan_finds_what_it_looks_for():
    assert set(codes_in("ovd_p/helm per_voertuig; bron: marts.region_scorecard, stg_lessons; 3 regio('s)")) == {
        "ovd_p",
        "per_voertuig",
        "marts.region_scorecard",
        "stg_lessons",
        "o('s)",
    }
    assert codes_in("OvD-P/helm per voertuig; 3 regio's; ex_count_x") == {}
    assert MARTS  # the contract's marts exist (their names are pipeline words once prefixed with marts.)


def test_no_page_shows_a_code_to_its_reader(site, open_page):
    out = site["out"]
    pages = [p for p in sorted(out.glob("*.html")) if p.name not in TECHNICAL]
    pages += [out / "regio" / region_file(c) for c in site["regions"][:3]]
    problems = {}
    for path in pages:
        o = open_page(path, wait_charts=False)
        text = o.page.evaluate(VISIBLE_TEXT)
        assert len(text) > 200, path
        found = codes_in(text)
        if found:
            problems[str(path.relative_to(out))] = found
        o.close()
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_a_share_with_nothing_to_count_says_so_instead_of_onvoldoende_gegevens(tmp_path, open_page):
    """A region that held no exercises: 'geen oefeningen gehouden'; a region whose module is missing: 'onvoldoende
    gegevens' (the same verdict code in the register; the denominator 0 tells them apart)."""
    info = build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=4, waves=[2025], xss=False)
    empty, absent = info["regions"][0], info["regions"][1]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for code, denominator in ((empty, 0.0), (absent, None)):
        con.execute(
            "update marts.variation_register set verdict = ?, value = null, denominator = ? "
            "where region_code = ? and indicator_id = ?",
            [verdicts.MISSING, denominator, code, EX_EVALUATED_SHARE],
        )
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    word = EMPTY_VERDICT_NL[EX_EVALUATED_SHARE]
    for code, want in ((empty, word), (absent, verdicts.VERDICT_LABELS[verdicts.MISSING])):
        o = open_page(tmp_path / "out" / "regio" / region_file(code), wait_charts=False)
        badge = o.page.locator(f"#oordeel-{EX_EVALUATED_SHARE} .badge").inner_text()
        assert badge.strip().endswith(want), (code, badge)
    o = open_page(tmp_path / "out" / "matrix.html", wait_charts=False)
    cell = o.page.locator(f"[data-region='{empty}'][data-indicator='{EX_EVALUATED_SHARE}']")
    assert word in cell.inner_text() and word in cell.get_attribute("aria-label")
