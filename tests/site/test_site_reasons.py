"""The site shows the reasons as the engine weighed them (issue 18): the page "Onderbouwingen wegen", the
region pages, the plan, ring model and equipment pages, and the ignored judgements on the quality page.

On the synthetic warehouse (tests/site/synthetic_reasons.py plants the register and two ignored judgement
rows). What the pages do in a browser is in tests/site/browser/test_site_reasons_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import reasons
from pipelines.site import NAV, build_site, region_file
from pipelines.site.builder import marts_href
from pipelines.site.payloads import cell_label
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import page_data, script_data, unpack
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"
PAGE = "onderbouwingen.html"
KEY = ("wave", "region_code", "indicator_id", "cell")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("reasons")
    info = build_synthetic_warehouse(base / "w.duckdb", n_regions=8)
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        written = build_site(con, base / "dashboards", REFERENCE, base / "data" / "marts", base / "dashboards")
    finally:
        con.close()
    return {"out": base / "dashboards", "written": written, "info": info, "db": base / "w.duckdb"}


def q(site, sql, params=()):
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_the_page_of_reasons_is_in_the_navigation_of_every_page(site):
    assert PAGE in [f for f, _, _ in NAV] and PAGE in site["written"]
    for page in ("index.html", PAGE, "regio/" + region_file(site["info"]["regions"][0])):
        html = (site["out"] / page).read_text(encoding="utf-8")
        assert re.search(rf'<a class="nav-link( active)?" href="(\.\./)?{PAGE}"', html), page
    html = (site["out"] / PAGE).read_text(encoding="utf-8")
    assert '<select id="peiljaar" name="peiljaar">' in html
    assert '<script src="assets/pages/onderbouwingen.js"></script>' in html and "assets/plotly" not in html


def test_every_reason_of_the_register_is_on_the_page_with_its_words_whole(site):
    rows = unpack(page_data(site["out"] / PAGE)["reasons"])
    want = q(
        site,
        "select wave, region_code, indicator_id, cell, reason_text, status, status_reason, judgement, "
        "judgement_motivation, waves_same_text_in_row, deviation_waves_in_row, n_other_regions_same_text, "
        "years_named_past, contradiction, verdict from marts.substantiation_register",
    )
    cols = [
        *KEY,
        "reason_text",
        "status",
        "status_reason",
        "judgement",
        "judgement_motivation",
        "waves_same_text_in_row",
        "deviation_waves_in_row",
        "n_other_regions_same_text",
        "years_named_past",
        "contradiction",
        "verdict",
    ]
    assert len(want) > 50
    assert sorted(tuple(r[c] for c in cols) for r in rows) == sorted(want)
    # every status occurs, a judgement with its motivation, and a text longer than any table would cut
    assert {r["status"] for r in rows} == set(reasons.REASON_STATUSES)
    judged = [r for r in rows if r["judgement"]]
    assert judged and all(r["judgement_motivation"] in r["status_reason"] for r in judged)
    assert max(len(r["reason_text"]) for r in rows) > 60


def test_the_page_names_each_cell_in_dutch():
    assert cell_label(reasons.REASON_INDICATORS[3], "warm/ambulance") == "warm zone · ambulance"
    assert cell_label(reasons.REASON_INDICATORS[4], "ovd_b/tourniquet") == "OvD-B · tourniquet"
    assert cell_label(reasons.REASON_INDICATORS[0], "cbrn") == "CBRN"
    assert cell_label(reasons.REASON_INDICATORS[0], "onbekend") == "onbekend"  # unknown: the code itself


def test_the_filters_and_sortable_headers_are_there(site):
    html = (site["out"] / PAGE).read_text(encoding="utf-8")
    for control in ("f-regio", "f-indicator", "f-status"):
        assert f'<select id="{control}"' in html, control
    for check in ("f-tekst-herhaald", "f-afwijking-herhaald", "f-gedeeld", "f-jaar", "f-tegenspraak"):
        assert f'<input type="checkbox" id="{check}">' in html, check
    script = (site["out"] / "assets" / "pages" / "onderbouwingen.js").read_text(encoding="utf-8")
    shared = (site["out"] / "assets" / "tables.js").read_text(encoding="utf-8")
    # the headers are drawn in the browser by the shared table: a button each, aria-sort on the header cell;
    # the page hands it its columns and the sort from the address
    assert "S.table(COLUMNS, shown" in script and "sort: sorted" in script
    assert "setAttribute('aria-sort'" in shared and "S.el('button'" in shared
    data = page_data(site["out"] / PAGE)
    assert data["reason_indicators"] == list(reasons.REASON_INDICATORS)
    assert data["codes"]["reason"]["order"] == list(reasons.REASON_CODES)


def test_the_rule_on_the_page_is_the_one_the_register_applied(site, tmp_path):
    html = (site["out"] / PAGE).read_text(encoding="utf-8")
    assert '<span id="max-waves">2 peiljaren</span>' in html and "vanaf het 3e peiljaar" in html
    # another value in the data: the page says that one, not the shipped rule
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=3, waves=[2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("update marts.substantiation_register set max_waves_in_row = 4")
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    html = (tmp_path / "out" / PAGE).read_text(encoding="utf-8")
    assert '<span id="max-waves">4 peiljaren</span>' in html and "vanaf het 5e peiljaar" in html
    assert page_data(tmp_path / "out" / PAGE)["max_waves_in_row"] == 4


def test_the_page_links_to_the_published_register_as_csv(site):
    html = (site["out"] / PAGE).read_text(encoding="utf-8")
    assert '<a id="register-csv" href="../data/marts/substantiation_register.csv">' in html
    assert (site["out"] / "../data/marts/substantiation_register.csv").resolve() == (
        site["db"].parent / "data" / "marts" / "substantiation_register.csv"
    )


def test_the_link_to_the_marts_follows_where_both_are_published(tmp_path):
    assert marts_href(tmp_path / "data" / "marts", tmp_path / "dashboards") == "../data/marts/"
    assert marts_href(tmp_path / "site" / "marts", tmp_path / "site") == "marts/"
    assert marts_href(tmp_path, tmp_path) == ""
    assert marts_href(tmp_path / "met spatie", tmp_path / "x") == "../met%20spatie/"


def test_a_region_page_holds_its_own_reasons_and_the_weakest_status(site):
    for code in site["info"]["regions"]:
        data = page_data(site["out"] / "regio" / region_file(code))
        got = sorted((r["wave"], r["indicator_id"], r["cell_label"], r["status"]) for r in unpack(data["reasons"]))
        want = q(
            site,
            "select wave, indicator_id, cell, status from marts.substantiation_register where region_code = ?",
            [code],
        )
        assert got == sorted((w, i, cell_label(i, c), s) for w, i, c, s in want), code
        reg = {(r["wave"], r["indicator_id"]): r["reason_status"] for r in unpack(data["register"], data)}
        for w, i, status in q(
            site,
            "select wave, indicator_id, reason_status from marts.variation_register where region_code = ?",
            [code],
        ):
            assert reg[(w, i)] == status
    html = (site["out"] / "regio" / region_file(code)).read_text(encoding="utf-8")
    assert '<div id="toelichtingen-tabel" class="needs-data"></div>' in html


@pytest.mark.parametrize(
    "page, table, indicator, cell",
    [
        ("middelen.html", "equipment", reasons.REASON_INDICATORS[4], lambda r: f"{r['role']}/{r['item']}"),
        ("ringenmodel.html", "ring", reasons.REASON_INDICATORS[3], lambda r: f"{r['zone']}/{r['discipline']}"),
        ("plan.html", "plan", reasons.REASON_INDICATORS[0], lambda r: r["characteristic"]),
    ],
)
def test_the_module_pages_show_the_registers_words_and_status(site, page, table, indicator, cell):
    rows = unpack(page_data(site["out"] / page)[table])
    assert rows and "substantiation" not in rows[0] and "substantiation_text" not in rows[0]
    got = sorted(
        (r["wave"], r["region_code"], cell(r), r["reason_text"], r["reason_status"], r["status_reason"])
        for r in rows
        if r["reason_status"] is not None
    )
    want = q(
        site,
        "select wave, region_code, cell, reason_text, status, status_reason from marts.substantiation_register "
        "where indicator_id = ?",
        [indicator],
    )
    assert got and got == sorted(want)


def test_the_quality_page_lists_the_ignored_judgements(site, tmp_path):
    html = (site["out"] / "kwaliteit.html").read_text(encoding="utf-8")
    assert "<h2>Wegingen van de inspectie die niet meetellen</h2>" in html and 'id="wegingen"' in html
    got = unpack(page_data(site["out"] / "kwaliteit.html")["judgement_problems"])
    want = q(site, "select row_number, column_name, value, message from marts.judgement_problems")
    assert len(want) == 2
    assert [(r["row_number"], r["column_name"], r["value"], r["message"]) for r in got] == want


def test_beyond_the_overview_limit_the_reasons_come_per_wave(tmp_path, monkeypatch):
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 3)
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=6, waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    written = build_site(con, tmp_path / "out", REFERENCE)
    per_wave = dict(con.execute("select wave, count(*) from marts.substantiation_register group by all").fetchall())
    con.close()
    data = page_data(tmp_path / "out" / PAGE)
    assert "reasons" not in data and sorted(data["parts"]) == ["2024", "2025"]
    for wave, rel in data["parts"].items():
        assert f"assets/data/{rel}" in written
        rows = unpack(script_data(Path(tmp_path / "out" / "assets" / "data" / rel))["reasons"])
        assert {r["wave"] for r in rows} == {int(wave)} and len(rows) == per_wave[int(wave)]


def test_the_quality_page_counts_errors_by_the_contracts_word_for_an_error(site):
    """The problems say 'fout', not 'error': the page takes the word from the contract, never spells it."""
    from pipelines.core.problems import ERROR

    assert page_data(site["out"] / "kwaliteit.html")["severity_error"] == ERROR
    script = (site["out"] / "assets" / "pages" / "kwaliteit.js").read_text(encoding="utf-8")
    assert "'error'" not in script and "D.severity_error" in script
