"""End to end: sample returns -> `regiobench run` (ingest, engine, dashboards asset) -> the site in Chromium.

Catches drift between the real marts and what the site expects (the other browser
tests use the synthetic warehouse of tests/site/synthetic.py).
"""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from pipelines.site import NAV, region_file
from tests.site.browser.browser_support import CHART_SUMMARY, SCREENSHOTS, regio_points

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    base = tmp_path_factory.mktemp("pipeline")
    run = [sys.executable, "-m", "pipelines.app.cli"]
    subprocess.run(
        run + ["sample", "--out", str(base / "raw"), "--waves", "2023-2025"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    done = subprocess.run(
        run
        + [
            "run",
            "--raw",
            str(base / "raw"),
            "--warehouse",
            str(base / "w.duckdb"),
            "--marts",
            str(base / "marts"),
            "--dashboards",
            str(base / "dash"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "dashboards_site" in done.stdout or (base / "dash" / "index.html").is_file()
    return base


def test_the_real_pipeline_publishes_a_working_site(pipeline, open_page):
    dash = pipeline / "dash"
    con = duckdb.connect(str(pipeline / "w.duckdb"), read_only=True)
    try:
        codes = [c for (c,) in con.execute("select region_code from ref_regions order by 1").fetchall()]
        latest = con.execute("select max(wave) from marts.region_scorecard").fetchone()[0]
        with_data = con.execute(
            "select count(*) from marts.variation_register where wave = ? and "
            "indicator_id = 'ex_count' and value is not null",
            [latest],
        ).fetchone()[0]
    finally:
        con.close()
    assert sorted(p.name for p in (dash / "regio").glob("*.html")) == sorted(region_file(c) for c in codes)
    size = sum(p.stat().st_size for p in dash.rglob("*") if p.is_file() and p.name != "plotly.min.js")
    assert size < 10_000_000
    for page in [f for f, _, _ in NAV] + [f"regio/{region_file(codes[0])}"]:
        o = open_page(dash / page)
        assert o.network() == [], page
        assert o.console_errors() == [], page
        for chart in o.page.evaluate(CHART_SUMMARY):
            assert chart["title"] and any(t["n"] for t in chart["traces"]), (page, chart["id"])
        if page == "index.html":
            assert o.page.locator("#kaart a.tile").count() == len(codes)
        if page == "indicatoren.html":
            assert regio_points(o.page.evaluate(CHART_SUMMARY), "rangorde")[0] == with_data
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        o.page.screenshot(
            path=str(SCREENSHOTS / ("pipeline_" + page.replace("/", "_").replace(".html", "") + ".png")), full_page=True
        )
