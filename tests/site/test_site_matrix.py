"""The verdict matrix (issue 19, point 1): every verdict of the register on matrix.html, with what marks it.

On the synthetic warehouse; what the page does in a browser is in tests/site/browser/test_site_matrix_browser.py.
"""

from __future__ import annotations

import math
import re

import duckdb
import pytest

from pipelines.contract import verdicts
from pipelines.engine.severity import SEVERE
from pipelines.site import NAV, build_site
from pipelines.site.payloads import MATRIX_COLS
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import page_data, script_data, unpack
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"
PAGE = "matrix.html"
KEY = ("wave", "region_code", "indicator_id")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("matrix")
    info = build_synthetic_warehouse(base / "w.duckdb", n_regions=8)
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        build_site(con, base / "out", REFERENCE)
    finally:
        con.close()
    return {"out": base / "out", "info": info, "db": base / "w.duckdb"}


def register(db) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"select {', '.join(MATRIX_COLS)} from marts.variation_register")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-5))
    return a == b


def test_the_matrix_is_next_to_the_overview_and_linked_from_it(site):
    files = [f for f, _, _ in NAV]
    assert files.index(PAGE) == files.index("index.html") + 1
    assert re.search(
        r'<a href="matrix.html" data-keep-wave="1">oordelenmatrix</a>', (site["out"] / "index.html").read_text()
    )
    html = (site["out"] / PAGE).read_text(encoding="utf-8")
    assert '<select id="f-domein" name="domein">' in html and 'id="f-niet-onderbouwd"' in html
    assert '<script src="assets/pages/matrix.js"></script>' in html and "assets/plotly" not in html


def test_every_verdict_of_the_register_is_in_the_matrix_with_its_marks(site):
    data = page_data(site["out"] / PAGE)
    shown = {tuple(r[k] for k in KEY): r for r in unpack(data["matrix"])}
    want = {tuple(r[k] for k in KEY): r for r in register(site["db"])}
    n_ind = len({r["indicator_id"] for r in want.values()})
    assert shown.keys() == want.keys() and len(want) == 8 * n_ind * len(site["info"]["waves"]) > 0
    for key, r in want.items():
        assert all(same(shown[key][c], r[c]) for c in MATRIX_COLS), (key, shown[key], r)
    # the marks are there to be shown: some severe, some persistent, some with a reason's status
    assert data["severe"] == SEVERE
    assert any(r["severity"] is not None and r["severity"] >= SEVERE for r in want.values())
    assert any(r["persistent"] for r in want.values()) and any(r["reason_status"] for r in want.values())


def test_the_short_words_of_the_cells_come_from_the_contract(site):
    data = page_data(site["out"] / PAGE)
    assert data["labels"]["verdict_short"] == verdicts.VERDICT_SHORT_LABELS
    assert sorted(verdicts.VERDICT_SHORT_LABELS) == sorted(verdicts.VERDICTS)
    assert len(set(verdicts.VERDICT_SHORT_LABELS.values())) == len(verdicts.VERDICTS)


def test_at_scale_the_matrix_loads_one_wave_at_a_time(tmp_path, monkeypatch):
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 5)
    info = build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=8, waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        written = build_site(con, tmp_path / "out", REFERENCE)
    finally:
        con.close()
    data = page_data(tmp_path / "out" / PAGE)
    assert "matrix" not in data and data["large"] is True and sorted(data["parts"]) == ["2024", "2025"]
    for wave, rel in data["parts"].items():
        assert f"assets/data/{rel}" in written
        rows = unpack(script_data(tmp_path / "out" / "assets" / "data" / rel)["matrix"])
        assert {r["wave"] for r in rows} == {int(wave)} and {r["region_code"] for r in rows} == set(info["regions"])
    assert 'class="warning scale-note"' in (tmp_path / "out" / PAGE).read_text(encoding="utf-8")
