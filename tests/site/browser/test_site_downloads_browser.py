"""The downloads page in headless Chromium (issue 19, point 4): a link to every published file, and per mart its
purpose, grain and every column with type, unit or codes and meaning in Dutch; its tables sortable and exportable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.contract import verdicts
from pipelines.contract.marts import MARTS, MARTS_DATABASE, WORKBOOK
from pipelines.contract.marts_nl import MART_PURPOSE_NL, column_nl

pytestmark = pytest.mark.browser


def test_every_file_is_linked_and_every_column_explained(site, open_page):
    o = open_page(site["out"] / "downloads.html", wait_charts=False)
    hrefs = o.page.eval_on_selector_all(
        "#bestandenlijst tbody td:first-child a", "as => as.map(a => a.getAttribute('href'))"
    )
    folder = hrefs[0].rsplit("/", 1)[0] + "/"  # all in the one marts folder (the Dutch-Excel CSVs in its nl/)
    assert all(h.startswith(folder) for h in hrefs)
    files = [h[len(folder) :] for h in hrefs]
    assert files == [WORKBOOK, MARTS_DATABASE] + [f for m in MARTS for f in (f"{m}.csv", f"{m}.parquet", f"nl/{m}.csv")]
    for name, m in MARTS.items():
        section = o.page.locator(f"#mart-{name}")
        assert MART_PURPOSE_NL[name] in section.locator("p").first.text_content()
        rows = section.locator("tbody tr")
        assert rows.count() == len(m.columns), name
        for i, c in enumerate(m.columns):
            text = rows.nth(i).text_content()
            assert c.name in text
            nl = column_nl(name, c.name)
            assert (nl in text) if nl else ("(Engels)" in text), (name, c.name)
    verdict_row = o.page.locator("#mart-variation_register tbody tr", has=o.page.locator("code", has_text="verdict"))
    for code, words in verdicts.VERDICT_LABELS.items():
        assert f"{code} = {words}" in verdict_row.first.text_content()
    assert o.console_errors() == [] and o.network() == []


def test_a_table_of_the_dictionary_downloads_as_csv(site, open_page):
    o = open_page(site["out"] / "downloads.html", wait_charts=False)
    with o.page.expect_download() as got:
        o.page.click("#kolommen-region_scorecard button.csv")
    text = Path(got.value.path()).read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Kolom;Type;Eenheid of codes;Betekenis"
    assert [line.split(";")[0] for line in lines[1:-1]] == list(MARTS["region_scorecard"].column_names)
    assert got.value.suggested_filename == "regiobench-downloads-kolommen-region_scorecard.csv"
