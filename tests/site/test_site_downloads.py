"""The downloads page (issue 19, point 4): every published file linked, and a data dictionary in Dutch generated
from the marts contract (pipelines/contract/marts.py with pipelines/contract/marts_nl.py)."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.contract import marts_nl, reasons, verdicts
from pipelines.contract.marts import MARTS, MARTS_DATABASE, WORKBOOK
from pipelines.publish import outputs
from pipelines.site import NAV, build_site
from pipelines.site.dictionary import plain
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import page_data
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"
PAGE = "downloads.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("downloads")
    build_synthetic_warehouse(base / "w.duckdb", n_regions=4, waves=[2025])
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        build_site(con, base / "dashboards", REFERENCE, base / "data" / "marts", base / "dashboards")
    finally:
        con.close()
    return base / "dashboards"


def test_the_page_links_every_published_file_in_the_marts_folder(site):
    assert PAGE in [f for f, _, _ in NAV]
    files = page_data(site / PAGE)["files"]
    names = [f["file"] for f in files]
    assert names == [WORKBOOK, MARTS_DATABASE] + [f for m in MARTS for f in (f"{m}.csv", f"{m}.parquet", f"nl/{m}.csv")]
    assert all(f["href"] == "../data/marts/" + f["file"] for f in files)
    # the names the publisher writes are the contract's
    assert outputs.WORKBOOK == WORKBOOK and outputs.MARTS_DATABASE == MARTS_DATABASE
    html = (site / PAGE).read_text(encoding="utf-8")
    assert 'id="peiljaar"' not in html  # nothing on the page depends on the wave


def test_the_dictionary_is_the_contract_with_dutch_words(site):
    marts = page_data(site / PAGE)["marts"]
    assert [m["name"] for m in marts] == list(MARTS)
    for m in marts:
        contract = MARTS[m["name"]]
        assert m["purpose"] == marts_nl.MART_PURPOSE_NL[m["name"]] and m["grain"] == marts_nl.MART_GRAIN_NL[m["name"]]
        assert m["key"] == list(contract.key)
        assert [c["name"] for c in m["columns"]] == list(contract.column_names)
        for c, cc in zip(m["columns"], contract.columns):
            assert c["en"] == plain(cc.description) and "`" not in c["en"] and "](" not in c["en"]
            assert c["type"] == marts_nl.TYPE_NL[cc.type]
            assert c["key"] == (cc.name in contract.key)
    register = next(m for m in marts if m["name"] == "variation_register")
    verdict = next(c for c in register["columns"] if c["name"] == "verdict")
    assert verdict["codes"] == [[k, v] for k, v in verdicts.VERDICT_LABELS.items()]


def test_every_mart_and_the_columns_analysts_read_most_are_in_dutch():
    assert marts_nl.MART_PURPOSE_NL.keys() == MARTS.keys() == marts_nl.MART_GRAIN_NL.keys()
    assert {c.type for m in MARTS.values() for c in m.columns} <= marts_nl.TYPE_NL.keys()
    names = {c.name for m in MARTS.values() for c in m.columns}
    assert set(marts_nl.COLUMN_NL) <= names, set(marts_nl.COLUMN_NL) - names
    assert {(m.name, c.name) for m in MARTS.values() for c in m.columns} >= set(marts_nl.COLUMN_NL_BY_MART)
    for mart in ("variation_register", "region_scorecard", "substantiation_register", "recommendation_tracker"):
        missing = [c.name for c in MARTS[mart].columns if not marts_nl.column_nl(mart, c.name)]
        assert missing == [], (mart, missing)
    dutch = sum(bool(marts_nl.column_nl(m.name, c.name)) for m in MARTS.values() for c in m.columns)
    total = sum(len(m.columns) for m in MARTS.values())
    assert dutch / total > 0.6, f"{dutch} of {total}"


def test_the_codes_a_column_names_in_the_contract_have_dutch_words():
    """Where the contract lists a column's codes (`a`, `b` or `code: a, b`), the dictionary gives each its words."""
    checked = 0
    for m in MARTS.values():
        for c in m.columns:
            labels = marts_nl.code_labels(m.name, c.name)
            if labels is None:
                continue
            # codes in backticks; a name after 'catalogue', 'as' or 'see' is a catalogue or a column, not a code
            named = re.findall(r"`([a-z_]+)`", re.sub(r"\b(catalogue|as|see) `[^`]*`", "", c.unit))
            if c.unit.startswith("code:"):
                named = [x.strip() for x in c.unit[len("code:") :].split(",")]
            named = [x for x in named if x not in ("null",)]
            assert set(named) <= set(labels), (m.name, c.name, set(named) - set(labels))
            checked += len(named)
    assert checked > 40
    assert marts_nl.code_labels("substantiation_register", "status") == reasons.REASON_CODE_LABELS
    assert marts_nl.code_labels("plan_exercise_matrix", "status") == verdicts.PLAN_LABELS
