"""The statistics of issue 17 on the site: severity ranking on the overview, the size of the variation, and on
the method page the effect of the overdispersion method and the assessment method against the risk basis.

On the synthetic warehouse (tests/site/synthetic.py, its statistics from synthetic_stats.py); what the pages
draw from these payloads in a browser is in tests/site/browser/test_site_statistics_browser.py.
"""

from __future__ import annotations

import json
import math
import re

import duckdb
import pandas as pd
import pytest

from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.contract.marts import MARTS
from pipelines.engine import overdispersion
from pipelines.engine.severity import SEVERITY_CAP
from pipelines.site import build_site, labels, payloads
from tests.site.synthetic import build_synthetic_warehouse
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("stats")
    info = build_synthetic_warehouse(base / "w.duckdb")
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        build_site(con, base / "out", REFERENCE)
    finally:
        con.close()
    return {"out": base / "out", "info": info, "db": base / "w.duckdb"}


def query(site, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def own_data(path) -> dict:
    blob = re.search(r'<script type="application/json" id="site-data">(.*?)</script>', path.read_text("utf-8"), re.S)
    return json.loads(blob.group(1))


def unpack(t: dict) -> list[dict]:
    cols = {c: (v if isinstance(v, list) else [v["d"][i] for i in v["i"]]) for c, v in t["c"].items()}
    return [{c: cols[c][i] for c in cols} for i in range(t["n"])]


def same(a, b) -> bool:
    """Equal as the pages carry numbers (six significant digits); None only equals None."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-5, abs_tol=1e-12)


# ---------------------------------------------------------------------------- what the site reads


def test_every_column_the_new_sections_read_is_in_the_mart_contract():
    """A misspelt column would be dropped silently by pack(): the section would show only dashes."""
    wanted = {
        "region_scorecard": payloads.SCORE_COLS + list(payloads.RANKS.values()),
        "indicator_summary": payloads.SUMMARY_COLS
        + payloads.VARIATION_COLS
        + payloads.OVERDISPERSION_COLS
        + payloads.RISK_FIT_COLS,
    }
    for mart, cols in wanted.items():
        assert sorted(set(cols) - set(MARTS[mart].column_names)) == [], mart


def test_the_overdispersion_methods_have_dutch_words_for_exactly_the_engines_methods(site):
    assert set(labels.OVERDISPERSION_METHODS) == set(overdispersion._METHODS)
    common = (site["out"] / "assets" / "data" / "common.js").read_text(encoding="utf-8")
    shared = json.loads(re.search(r"Object\.assign\(window\.SiteShared \|\| \{\}, (.*)\);\n$", common, re.S).group(1))
    assert shared["labels"]["overdispersion_method"] == labels.OVERDISPERSION_METHODS


# ---------------------------------------------------------------------------- the overview's ranking


def test_ranks_share_a_place_for_equal_values_and_skip_the_next():
    df = pd.DataFrame(
        {
            "wave": [2025] * 6 + [2024],
            "region_code": ["VR06", "VR05", "VR04", "VR03", "VR02", "VR01", "VR01"],
            # 2.004 reads as 2,00: the same place as 2.0; a missing score ranks last
            "severity_score_unjustified": [2.0, 2.004, 1.0, None, 3.5, 0.0, 0.1],
            "n_unjustified": [1, 1, 3, 0, 1, 0, 1],
        }
    )
    got = payloads.ranked_scorecard(df)
    assert got["rank_severity"].tolist() == [2, 2, 4, 6, 1, 5, 1]
    assert got["rank_unjustified"].tolist() == [2, 2, 1, 5, 2, 5, 1]
    assert df.columns.tolist() == ["wave", "region_code", "severity_score_unjustified", "n_unjustified"]  # a copy


def test_the_overview_ranks_on_severity_as_the_mart_orders_it_with_ties_shared(site):
    rows = unpack(own_data(site["out"] / "index.html")["scorecard"])
    got = {(r["wave"], r["region_code"]): (r["rank_severity"], r["rank_unjustified"]) for r in rows}
    # the same ranks computed by DuckDB from the mart: rank() gives equal values one place and skips the next
    want = query(
        site,
        """select wave, region_code,
                  rank() over (partition by wave order by round(severity_score_unjustified, 2) desc),
                  rank() over (partition by wave order by n_unjustified desc)
           from marts.region_scorecard""",
    )
    assert got == {(w, c): (rs, ru) for w, c, rs, ru in want}
    planted = site["info"]["ranking"]
    w = planted["wave"]
    a, b = planted["tied"]
    assert got[(w, a)][0] == got[(w, b)][0] == 1  # a tie, not ordered by code
    assert sorted(r for (wave, _c), (r, _) in got.items() if wave == w)[:3] == [1, 1, 3]
    light = planted["many_but_light"]
    assert got[(w, light)][1] == 1 and got[(w, light)][0] > 2  # most deviations, not the most severe


def test_the_overview_carries_severity_and_persistence_from_the_mart(site):
    data = own_data(site["out"] / "index.html")
    assert data["severity_decimals"] == payloads.SEVERITY_DECIMALS
    rows = {(r["wave"], r["region_code"]): r for r in unpack(data["scorecard"])}
    mart = query(
        site,
        "select wave, region_code, severity_score, severity_score_unjustified, n_persistent, n_unjustified "
        "from marts.region_scorecard",
    )
    assert len(rows) == len(mart)
    for w, c, sev, sev_u, persistent, n_u in mart:
        r = rows[(w, c)]
        assert same(r["severity_score"], sev) and same(r["severity_score_unjustified"], sev_u), (w, c)
        assert r["n_persistent"] == persistent and r["n_unjustified"] == n_u, (w, c)
    assert any(r["n_persistent"] > 0 for r in rows.values())


def test_the_overview_explains_the_ranking_and_offers_both_orders(site):
    html = (site["out"] / "index.html").read_text(encoding="utf-8")
    assert '<select id="rangorde" name="rangorde">' in html
    options = re.findall(r'<option value="(rank_[a-z]+)">', html)
    assert options == list(payloads.RANKS)  # severity first: the default
    explanation = re.search(r'<p class="small" id="ernst-uitleg">(.*?)</p>', html, re.S).group(1)
    cap = f"{SEVERITY_CAP:g}".replace(".", ",")
    assert "1 is precies op de drempel" in explanation and f"hoogstens {cap};" in explanation
    assert "Aanhoudend" in explanation and "Gelijke waarden delen een plaats" in explanation


# ---------------------------------------------------------------------------- the size of the variation


def test_the_overview_shows_how_large_the_variation_is_per_indicator(site):
    html = (site["out"] / "index.html").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="variatie">Hoe groot is de variatie?</h2>') :]
    for term in ("P90/P10", "SCV", "McPherson", "Buiten de 99,8%-grenzen", "verwacht door toeval", "τ²"):
        assert term in section, term
    assert 'id="variatie-tabel"' in section and 'href="methode.html#variatie"' in section
    rows = {(r["wave"], r["indicator_id"]): r for r in unpack(own_data(site["out"] / "index.html")["variation"])}
    mart = query(
        site,
        "select wave, indicator_id, p90_p10_ratio, scv, n_outside_998, expected_false_alarms, tau2_natural, n_tests "
        "from marts.indicator_summary",
    )
    assert len(rows) == len(mart) == 15 * len(site["info"]["waves"])
    for w, ind, p90, scv, outside, expected, tau2n, n_tests in mart:
        r = rows[(w, ind)]
        assert same(r["p90_p10_ratio"], p90) and same(r["scv"], scv) and same(r["tau2_natural"], tau2n), (w, ind)
        assert r["n_outside_998"] == outside and same(r["expected_false_alarms"], expected), (w, ind)
        assert same(r["expected_false_alarms"], n_tests * 0.002)
    assert sum(r["scv"] is not None for r in rows.values()) == len(site["info"]["waves"])  # ex_count only


def test_the_indicator_page_carries_the_size_of_the_variation_too(site):
    rows = unpack(own_data(site["out"] / "indicatoren.html")["summary"])
    for col in ("p90_p10_ratio", "scv", "tau2_natural", "n_outside_998", "expected_false_alarms"):
        assert col in rows[0], col
    assert 'href="methode.html#variatie"' in (site["out"] / "indicatoren.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- the method page


def test_the_method_page_shows_the_effect_of_the_overdispersion_method_per_wave(site):
    html = (site["out"] / "methode.html").read_text(encoding="utf-8")
    assert 'id="peiljaar"' in html  # the tables follow the chosen wave
    assert '<h3 id="methodekeuze">' in html and 'id="overdispersie-tabel"' in html
    rows = unpack(own_data(site["out"] / "methode.html")["overdispersion"])
    mart = query(
        site,
        "select wave, indicator_id, overdispersion_method, phi, tau2, n_outside_998, alternative_method, "
        "phi_alternative, tau2_alternative, n_outside_998_alternative "
        "from marts.indicator_summary where overdispersion_method is not null order by wave, indicator_id",
    )
    assert len(mart) > 0
    got = sorted(rows, key=lambda r: (r["wave"], r["indicator_id"]))
    assert len(got) == len(mart)
    for r, (w, ind, used, phi, tau2, out, alt, phi_a, tau2_a, out_a) in zip(got, mart):
        assert (r["wave"], r["indicator_id"]) == (w, ind)
        assert (r["overdispersion_method"], r["alternative_method"]) == (used, alt)
        assert same(r["phi"], phi) and same(r["tau2"], tau2) and same(r["phi_alternative"], phi_a)
        assert same(r["tau2_alternative"], tau2_a)
        assert (r["n_outside_998"], r["n_outside_998_alternative"]) == (out, out_a)


def test_the_method_page_compares_assessment_method_and_risk_basis(site):
    html = (site["out"] / "methode.html").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="risico">') :]
    assert "gecorrigeerde R²" in section and "F-toetsen" in section and 'id="risico-tabel"' in section
    rows = unpack(own_data(site["out"] / "methode.html")["risk_fit"])
    mart = query(
        site,
        "select wave, n_methods, adj_r2_method, adj_r2_risk, p_method_given_risk, p_risk_given_method "
        "from marts.indicator_summary where indicator_id = ? order by wave",
        [SCORE_MODEL_ID],
    )
    got = sorted(rows, key=lambda r: r["wave"])
    assert [r["wave"] for r in got] == [m[0] for m in mart] == site["info"]["waves"]
    for r, (_w, n_methods, adj_m, adj_r, p_m, p_r) in zip(got, mart):
        assert r["n_methods"] == n_methods and same(r["adj_r2_method"], adj_m) and same(r["adj_r2_risk"], adj_r)
        assert same(r["p_method_given_risk"], p_m) and same(r["p_risk_given_method"], p_r)


def test_the_method_page_defines_severity_and_the_size_of_the_variation(site):
    html = (site["out"] / "methode.html").read_text(encoding="utf-8")
    severity = html[html.index('<h2 id="ernst">') : html.index('<h2 id="risico">')]
    cap = f"{SEVERITY_CAP:g}".replace(".", ",")
    assert "1 = precies op de drempel van het oordeel" in severity and f"elk hoogstens {cap}," in severity
    variation = html[html.index('<h2 id="variatie">') : html.index('<h2 id="ernst">')]
    for term in ("P90/P10", "SCV = (1/k)", "0,002", "DerSimonian-Laird"):
        assert term in variation, term
