"""The definitions page and the similar regions of a region page (issue 19, points 6 and 10), on the
synthetic warehouse; in a browser: tests/site/browser/test_site_definitions_browser.py."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.contract import verdicts
from pipelines.contract.definitions import DEFINITIONS
from pipelines.contract.indicators import INDICATORS, RISK_PROBABILITY
from pipelines.contract.reasons import REASON_INDICATORS
from pipelines.site import NAV, build_site, region_file
from pipelines.site.definitions import definitions, flag_warning, plural
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import page_data, unpack
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("definities")
    info = build_synthetic_warehouse(base / "w.duckdb", n_regions=10)
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        build_site(con, base / "out", REFERENCE)
        peers = con.execute("select * from marts.region_peers order by wave, region_code, rank").df()
        register = con.execute("select * from marts.variation_register").df()
    finally:
        con.close()
    return {"out": base / "out", "info": info, "peers": peers, "register": register}


def _register(verdict_list, indicator=RISK_PROBABILITY):
    return pd.DataFrame(
        {
            "wave": [2024 + i % 2 for i in range(len(verdict_list))],
            "region_code": [f"VR{i:02d}" for i in range(len(verdict_list))],
            "indicator_id": indicator,
            "verdict": verdict_list,
        }
    )


def test_plural_says_one_region_and_two_regions():
    assert plural(1, "regio", "regio's") == "1 regio"
    assert plural(2, "regio", "regio's") == "2 regio's"
    assert plural(0, "cel", "cellen") == "0 cellen"
    assert plural(1750, "cel", "cellen") == "1.750 cellen"


def test_an_indicator_that_judged_nobody_unfavourable_gets_a_warning_with_the_counts():
    text = flag_warning(
        next(i for i in INDICATORS if i.id == RISK_PROBABILITY),
        _register([verdicts.CONFORM] * 4 + [verdicts.FAVOURABLE, verdicts.MISSING]),
    )
    assert text is not None
    # the missing cell is not counted; the favourable one is named
    assert "4 van de 5 cellen" in text and "1 gunstig afwijkend" in text and "2 peiljaren" in text


@pytest.mark.parametrize("flag", verdicts.UNFAVOURABLE)
def test_one_unfavourable_cell_is_enough_for_no_warning(flag):
    ind = next(i for i in INDICATORS if i.id == RISK_PROBABILITY)
    assert flag_warning(ind, _register([verdicts.CONFORM] * 9 + [flag])) is None
    assert flag_warning(ind, _register([verdicts.MISSING] * 3)) is None  # nothing judged: nothing to warn of


def test_every_indicator_is_defined_from_the_contract():
    defs = definitions(None)
    assert [d["id"] for d in defs] == [i.id for i in INDICATORS]
    for d in defs:
        assert d["numerator"] == DEFINITIONS[d["id"]].numerator
        assert d["reason"] == (d["id"] in REASON_INDICATORS)
        assert d["fields"] and all(f["text"] for f in d["fields"])
        assert d["warning"] is None


def test_the_definitions_page_is_in_the_nav_and_warns_where_the_data_flags_nobody(site):
    assert "definities.html" in [f for f, _, _ in NAV]
    html = (site["out"] / "definities.html").read_text(encoding="utf-8")
    reg = site["register"]
    judged = reg[reg["verdict"] != verdicts.MISSING]
    silent = sorted(
        set(judged["indicator_id"]) - set(judged.loc[judged["verdict"].isin(verdicts.UNFAVOURABLE), "indicator_id"])
    )
    assert RISK_PROBABILITY in silent and len(silent) < len(INDICATORS)  # the synthetic register flags the others
    assert html.count('class="warning flag-warning"') == len(silent)
    for i in INDICATORS:
        section = html.split(f'id="def-{i.id}"')[1].split("</section>")[0]
        rows = judged[judged["indicator_id"] == i.id]
        n, conform = len(rows), int((rows["verdict"] == verdicts.CONFORM).sum())
        assert (f"{conform} van de {n} cellen" in section) == (i.id in silent), i.id
    for i in INDICATORS:
        assert f'id="def-{i.id}"' in html and DEFINITIONS[i.id].numerator.replace("'", "&#39;") in html


def test_a_region_page_holds_its_peers_and_their_values(site):
    code = site["info"]["regions"][0]
    data = page_data(site["out"] / "regio" / region_file(code))
    rows = unpack(data["peers"])
    want = site["peers"][site["peers"]["region_code"] == code]
    assert [(r["wave"], r["rank"], r["peer_code"]) for r in rows if r["rank"] > 0] == list(
        want[["wave", "rank", "peer_code"]].itertuples(index=False, name=None)
    )
    own = [r for r in rows if r["rank"] == 0]
    assert {r["peer_code"] for r in own} == {code} and len(own) == want["wave"].nunique()
    values = unpack(data["peer_values"])
    wave = max(want["wave"])
    shown = {r["peer_code"] for r in values if r["wave"] == wave}
    assert shown == {code, *want.loc[want["wave"] == wave, "peer_code"]}
    reg = site["register"].set_index(["wave", "region_code", "indicator_id"])
    for r in values[:40]:
        assert r["verdict"] == reg.loc[(r["wave"], r["peer_code"], r["indicator_id"]), "verdict"]
