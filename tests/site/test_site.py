"""Unit tests of the site builder (pipelines.site) on the synthetic warehouse.

Fast: no browser. What the pages do in a browser is in tests/site/browser/.
"""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import statuses, verdicts
from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.core.problems import ERROR
from pipelines.site import NAV, SiteDataError, build_site, region_file
from pipelines.site.builder import plotly_js_path
from pipelines.site.data import clean, pack, to_json
from pipelines.site.geo import TILE_GRID, load_boundaries, rd_to_wgs84, tile_positions
from tests.site.synthetic import XSS, XSS_REGION, build_synthetic_warehouse, make_regions
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"
TOP_PAGES = [f for f, _, _ in NAV]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    info = build_synthetic_warehouse(base / "w.duckdb")
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        # the published marts beside the site: the page of reasons links to the register's CSV there
        (base / "marts").mkdir()
        con.execute(f"copy marts.substantiation_register to '{base / 'marts' / 'substantiation_register.csv'}'")
        written = build_site(con, base / "out", REFERENCE, base / "marts", base / "out")
    finally:
        con.close()
    return {"out": base / "out", "written": written, "info": info, "db": base / "w.duckdb", "marts": base / "marts"}


def own_data(path: Path) -> dict:
    """The data embedded in the page itself."""
    html = path.read_text(encoding="utf-8")
    blobs = re.findall(r'<script type="application/json" id="site-data">(.*?)</script>', html, re.S)
    assert len(blobs) == 1, path
    return json.loads(blobs[0])


def script_data(path: Path) -> dict:
    """The payload of a data script under assets/data/ (window.SiteShared = Object.assign(..., {...});)."""
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(
        r"window\.SiteShared = Object\.assign\(window\.SiteShared \|\| \{\}, (.*)\);\n", text, re.S
    ) or re.fullmatch(r"\(window\.SiteParts = window\.SiteParts \|\| \{\}\)\[\"[^\"]*\"\] = (.*);\n", text, re.S)
    assert m, path
    assert "<" not in m.group(1) and ">" not in m.group(1) and "&" not in m.group(1)
    return json.loads(m.group(1))


def page_data(path: Path) -> dict:
    """What site.js sees as Site.data: the shared data scripts the page loads, then the page's own data."""
    html = path.read_text(encoding="utf-8")
    data: dict = {}
    for src in re.findall(r'<script src="([^"]*assets/data/[^"]+)"></script>', html):
        data.update(script_data((path.parent / src).resolve()))
    data.update(own_data(path))
    return data


def unpack(t: dict, shared: dict | None = None) -> list[dict]:
    """Python mirror of Site.unpack in site.js; ``shared``: Site.data, for text from shared templates."""

    def column(v):
        if isinstance(v, list):
            return v
        if "k" in v:
            parts = [tpl.split("\x00") for tpl in (shared or {})[v["s"]]]
            out = []
            for k, x in zip(v["k"], v["v"]):
                if k < 0:
                    out.append(x)
                    continue
                nums = x.split(",") if x else []
                out.append(parts[k][0] + "".join(n + p for n, p in zip(nums, parts[k][1:])))
            return out
        return [v["d"][i] for i in v["i"]]

    cols = {c: column(v) for c, v in t["c"].items()}
    return [{c: cols[c][i] for c in cols} for i in range(t["n"])]


class Refs(HTMLParser):
    """Every src/href in a page, and the scripts."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a:
                self.refs.append((tag, k, a[k]))
        if tag == "script":
            self.scripts.append(a)


# ---------------------------------------------------------------------------- pages and assets


def test_every_page_is_written(site):
    out, written = site["out"], site["written"]
    for page in TOP_PAGES:
        assert (out / page).is_file(), page
    for code in site["info"]["regions"]:
        assert (out / "regio" / region_file(code)).is_file(), code
    assert len([p for p in written if p.endswith(".html")]) == len(TOP_PAGES) + len(site["info"]["regions"])
    for rel, size in written.items():
        assert (out / rel).stat().st_size == size, rel


def test_plotly_is_copied_once_and_never_inlined_or_fetched(site):
    out = site["out"]
    copied = out / "assets" / "plotly.min.js"
    assert hashlib.sha256(copied.read_bytes()).digest() == hashlib.sha256(plotly_js_path().read_bytes()).digest()
    assert len(list(out.rglob("plotly*.js"))) == 1
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "plotly.js v" not in text and len(text) < 3_000_000, page  # never inlined
        parser = Refs()
        parser.feed(text)
        for tag, _attr, ref in parser.refs:
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", ref) and not ref.startswith("//"), (page, tag, ref)
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.exists(), (page, ref)  # every link and script is a relative file that exists
        assert any(s.get("type") == "application/json" for s in parser.scripts)
    # our own CSS and JS name no network address (the SVG namespace is an identifier, not a request)
    for asset in list((out / "assets").glob("*.css")) + list((out / "assets").rglob("*.js")):
        if asset.name == "plotly.min.js":
            continue
        text = asset.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|url\(\s*['\"]?//", text), asset


def test_pages_load_plotly_from_the_shared_asset_only_where_they_draw_charts(site):
    out = site["out"]
    for page in ["indicatoren.html", "middelen.html", "trends.html", "regio/" + region_file(XSS_REGION)]:
        assert 'data-plotly="1"' in (out / page).read_text(encoding="utf-8"), page
    for page in ["index.html", "kwaliteit.html", "methode.html", "regios.html"]:  # tile map is SVG; tables only
        assert 'data-plotly="0"' in (out / page).read_text(encoding="utf-8"), page
    assert "assets/plotly.min.js" in (out / "assets" / "site.js").read_text(encoding="utf-8")


def test_navigation_on_every_page_and_the_latest_wave_selected(site):
    out = site["out"]
    latest = max(site["info"]["waves"])
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        root = "../" if page.parent.name == "regio" else ""
        for f, _label, _ in NAV:
            assert f'href="{root}{f}"' in text, (page, f)
        assert text.count('aria-current="page"') == 1, page
        assert '<html lang="nl">' in text
        if page.name not in ("methode.html", "downloads.html", "definities.html"):  # nothing there depends on the wave
            assert f'<option value="{latest}" selected>' in text, page
            assert 'id="peiljaar"' in text


def test_region_pages_come_from_one_template_with_their_own_data(site):
    out, info = site["out"], site["info"]
    for code in info["regions"]:
        data = page_data(out / "regio" / region_file(code))
        assert data["region"] == code
        rows = unpack(data["register"], data)
        assert {r["wave"] for r in rows} == set(info["waves"])
        assert len(rows) == 15 * len(info["waves"])
        assert all("region_code" not in r for r in rows)  # only this region's rows, without the code
        text = (out / "regio" / region_file(code)).read_text(encoding="utf-8")
        assert f"Regioprofiel {info['names'][code]} ({code})" in text
        assert "@media print" in (out / "assets" / "site.css").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- embedded data


def test_embedded_json_cannot_close_its_script_and_keeps_the_text_exact(site):
    out = site["out"]
    page = out / "regio" / region_file(XSS_REGION)
    html = page.read_text(encoding="utf-8")
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    blob = re.search(r'id="site-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in blob and ">" not in blob and "&" not in blob
    data = page_data(page)
    rows = unpack(data["register"], data)
    assert any(r["explanation"] == XSS for r in rows)
    assert any(r["substantiation"] == XSS for r in rows)
    assert any(r.get("description") == XSS for r in unpack(data["lessons"]))
    problems = unpack(page_data(out / "kwaliteit.html")["problems"])
    assert any(p["value"] == XSS for p in problems)


def test_to_json_escapes_markup_characters():
    text = to_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_pack_round_trips_and_dictionary_encodes_repeated_text():
    import pandas as pd

    df = pd.DataFrame(
        {"code": ["a", "b"] * 20, "v": [1.234567891, None] * 20, "ok": [True, False] * 20, "lst": [["x", "y"], []] * 20}
    )
    packed = pack(df)
    assert isinstance(packed["c"]["code"], dict) and packed["c"]["code"]["d"] == ["a", "b"]
    rows = unpack(json.loads(to_json(packed)))
    assert rows[0] == {"code": "a", "v": 1.23457, "ok": True, "lst": ["x", "y"]}
    assert rows[1] == {"code": "b", "v": None, "ok": False, "lst": []}
    assert clean(float("nan")) is None and clean(3.0) == 3


def test_server_side_text_is_escaped(tmp_path):
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=4, waves=[2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("update ref_regions set region_name = ? where region_code = 'VR02'", ['<img src=x onerror="alert(1)">'])
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    for page in [tmp_path / "out" / "regio" / "VR02.html", tmp_path / "out" / "regios.html"]:
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text, page
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in text, page
    # other region pages get the name from the shared data (region picker, filled by regio.js as text)
    assert "<img" not in (tmp_path / "out" / "regio" / "VR01.html").read_text(encoding="utf-8")
    common = (tmp_path / "out" / "assets" / "data" / "common.js").read_text(encoding="utf-8")
    assert "<img" not in common and "\\u003cimg src=x" in common
    names = {r["code"]: r["name"] for r in page_data(tmp_path / "out" / "regio" / "VR01.html")["regions"]}
    assert names["VR02"] == '<img src=x onerror="alert(1)">'


def test_pages_filled_into_a_frame_equal_pages_rendered_whole(tmp_path, monkeypatch):
    """The region pages are one rendered frame with each page's title, heading, region and data filled in;
    that must give exactly what Jinja gives when it renders each page, also for hostile names."""
    from pipelines.site import builder

    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=5, waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        "update ref_regions set region_name = ? where region_code = 'VR02'",
        ["<img src=x onerror=\"alert(1)\"> \x00title\x00 & 'x'"],
    )
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    fast = build_site(con, tmp_path / "fast", REFERENCE)
    monkeypatch.setattr(builder, "USE_FRAMES", False)  # every page rendered whole by Jinja
    whole = build_site(con, tmp_path / "whole", REFERENCE)
    con.close()
    assert fast.keys() == whole.keys()
    stamp = re.compile(r"Gebouwd op [0-9-]+ [0-9:]+")
    for rel in fast:
        if rel.endswith(".html"):
            a = stamp.sub("", (tmp_path / "fast" / rel).read_text(encoding="utf-8"))
            b = stamp.sub("", (tmp_path / "whole" / rel).read_text(encoding="utf-8"))
            assert a == b, rel
    text = (tmp_path / "fast" / "regio" / "VR02.html").read_text(encoding="utf-8")
    assert "<img" not in text
    assert "Regioprofiel &lt;img src=x onerror=&#34;alert(1)&#34;&gt; \x00title\x00 &amp; &#39;x&#39;" in text


# ---------------------------------------------------------------------------- size


@pytest.mark.slow  # a size measurement: the site of 25 regions and seven waves
def test_site_stays_under_10_mb_for_25_regions_and_7_waves(tmp_path):
    build_synthetic_warehouse(tmp_path / "w.duckdb", waves=list(range(2019, 2026)))
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    written = build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    without_plotly = sum(v for k, v in written.items() if k != "assets/plotly.min.js")
    assert without_plotly < 10_000_000, without_plotly
    assert len([p for p in written if p.startswith("regio/")]) == 25


def test_common_payload_is_written_once_not_into_every_page(site):
    out, info = site["out"], site["info"]
    common = script_data(out / "assets" / "data" / "common.js")
    assert [r["code"] for r in common["regions"]] == sorted(info["regions"])
    assert common["indicators"] and common["labels"] and common["waves"] == sorted(info["waves"])
    shared_region = script_data(out / "assets" / "data" / "regio.js")
    assert unpack(shared_region["summary"]) and unpack(shared_region["national"])
    names = info["names"]
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        root = "../" if page.parent.name == "regio" else ""
        assert f'<script src="{root}assets/data/common.js"></script>' in text, page
        own = own_data(page)
        assert not {"regions", "indicators", "labels", "waves", "codes"} & set(own), page  # only in common.js
        if page.parent.name == "regio":
            assert '<script src="../assets/data/regio.js"></script>' in text
            assert not {"summary", "national"} & set(own), page  # only in regio.js
            # no region page lists the other regions: the picker is filled from common.js (the regions to learn
            # from, at most three beside each deviation, are the page's own data: issue 21)
            others = [c for c in info["regions"] if region_file(c) != page.name]
            own.pop("learning", None)
            rest = re.sub(r'<script type="application/json" id="site-data">.*?</script>', "", text, flags=re.S)
            rest += json.dumps(own, ensure_ascii=False)
            assert not any(f"({c})" in rest or names[c] in rest for c in others[:5]), page


def test_the_scripts_get_order_colour_glyph_and_marker_of_every_code_from_the_contract(site):
    """common.js carries the contract's codes once (the scripts name none of them: tests/test_contract.py)."""
    codes = script_data(site["out"] / "assets" / "data" / "common.js")["codes"]
    v = codes["verdict"]
    assert v["order"] == list(verdicts.VERDICTS)
    assert v["by_concern"] == list(verdicts.VERDICTS_BY_CONCERN)
    assert v["names"] == {
        "conform": verdicts.CONFORM,
        "favourable": verdicts.FAVOURABLE,
        "substantiated": verdicts.SUBSTANTIATED,
        "unjustified": verdicts.UNJUSTIFIED,
        "missing": verdicts.MISSING,
    }
    assert {c: (x["color"], x["glyph"], x["symbol"]) for c, x in v["look"].items()} == {
        c: tuple(look) for c, look in verdicts.VERDICT_LOOKS.items()
    }
    for group, looks in (("plan", verdicts.PLAN_LOOKS), ("recommendation_status", verdicts.TRACKER_LOOKS)):
        assert codes[group]["order"] == list(looks)  # the order of the colour scale
        assert {c: (x["color"], x["glyph"]) for c, x in codes[group]["look"].items()} == {
            c: (look.color, look.glyph) for c, look in looks.items()
        }
    assert codes["submission"]["names"] == {
        "loaded": statuses.LOADED,
        "rejected": statuses.REJECTED,
        "absent": statuses.ABSENT,
        "replaced": statuses.REPLACED,
        "conflict": statuses.CONFLICT,
    }
    assert {c: x["glyph"] for c, x in codes["submission"]["look"].items()} == statuses.SUBMISSION_GLYPHS


def test_the_method_page_and_the_legends_show_the_contracts_verdicts(site):
    method = (site["out"] / "methode.html").read_text(encoding="utf-8")
    legend = (site["out"] / "indicatoren.html").read_text(encoding="utf-8")
    for code in verdicts.VERDICTS:
        look, label = verdicts.VERDICT_LOOKS[code], verdicts.VERDICT_LABELS[code]
        badge = (
            f'<span class="badge v-{code}"><span class="glyph" aria-hidden="true">{look.glyph}</span> {label}</span>'
        )
        assert method.count(badge) == 1 and legend.count(badge) == 1, code
    assert "zonder onderbouwing: een <strong>niet onderbouwde afwijking</strong>." in method
    rows = re.findall(r'<tr><td><span class="badge v-([a-z_]+)"', method)
    assert rows == list(verdicts.VERDICTS)  # the method's table, in the contract's order


def test_region_pages_rebuild_every_explanation_exactly_from_the_shared_templates(site):
    out = site["out"]
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        for code in site["info"]["regions"]:
            data = page_data(out / "regio" / region_file(code))
            assert isinstance(data["register"]["c"]["explanation"], dict)  # templated, not the whole text
            got = [(r["wave"], r["indicator_id"], r["explanation"]) for r in unpack(data["register"], data)]
            want = con.execute(
                "select wave, indicator_id, explanation from marts.variation_register "
                "where region_code = ? order by wave, indicator_id",
                [code],
            ).fetchall()
            assert got == [tuple(w) for w in want], code
    finally:
        con.close()


def test_templated_text_round_trips_whatever_the_text():
    import pandas as pd

    from pipelines.site.data import templated

    texts = [
        "R0001 haalt 3 van 4 (75,0%).",
        "R0002 haalt 10 van 12 (83,3%).",
        "R0003 haalt 0 van 0 (–).",
        "geen cijfers",
        "",
        None,
        "12",
        "a\x005 b",
        "a7 b",
        "٣ arabisch 3",
        XSS,
        "R0001 haalt 3 van 4 (75,0%).",
    ]
    s = pd.Series(texts, dtype="str")
    tpl, k, v = templated(s, min_count=2)
    assert "R\x00 haalt \x00 van \x00 (\x00,\x00%)." in tpl
    shared = {"t": tpl}
    rows = unpack({"n": len(texts), "c": {"x": {"s": "t", "k": k, "v": v}}}, shared)
    assert [r["x"] for r in rows] == texts
    assert k[texts.index("a\x005 b")] == -1 and k[texts.index(None)] == -1


def _region_page_sizes(tmp_path: Path, n: int) -> list[int]:
    build_synthetic_warehouse(tmp_path / f"w{n}.duckdb", n_regions=n, waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / f"w{n}.duckdb"), read_only=True)
    written = build_site(con, tmp_path / f"out{n}", REFERENCE)
    con.close()
    return sorted(v for k, v in written.items() if k.startswith("regio/"))


@pytest.mark.slow  # a size measurement: sites of 8 and 48 regions
def test_a_region_page_does_not_grow_with_the_number_of_regions(tmp_path):
    """The region list belongs in assets/data/common.js: a region page that carried it grew by well over
    100 bytes per region (JSON plus a rendered <option>), and 2,500 of them made the site 800 MB."""
    small, large = _region_page_sizes(tmp_path, 8), _region_page_sizes(tmp_path, 48)
    median = lambda xs: xs[len(xs) // 2]  # noqa: E731
    assert median(large) - median(small) < 40 * 25, (median(small), median(large))  # < 25 bytes per extra region


def test_pack_per_column_equals_clean_per_cell():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    x = rng.normal(0, 1, 4000) * 10.0 ** rng.integers(-9, 14, 4000)
    x[::17] = np.nan
    x[5], x[6], x[7], x[8], x[9] = np.inf, -np.inf, 3.0, 1e16, 2.5
    n = len(x)
    df = pd.DataFrame(
        {
            "f": x,
            "i": np.arange(n, dtype="int32"),
            "ni": pd.array([None if k % 5 == 0 else k for k in range(n)], dtype="Int64"),
            "b": np.arange(n) % 2 == 0,
            "nb": pd.array([None if k % 3 == 0 else k % 2 == 0 for k in range(n)], dtype="boolean"),
            "s": pd.array([None if k % 7 == 0 else f"t{k % 4}" for k in range(n)], dtype="str"),
            "o": pd.Series([None if k % 7 == 0 else f"u{k}" for k in range(n)], dtype=object),
            "lst": pd.Series([["a", k] if k % 2 else np.nan for k in range(n)], dtype=object),
            "ts": pd.to_datetime(pd.Series([f"2025-01-{1 + k % 28:02d} 10:00:00" for k in range(n)])),
        }
    )
    packed = json.loads(to_json(pack(df)))
    rows = unpack(packed)
    for col in df.columns:
        expected = [clean(v) for v in df[col].tolist()]
        assert [r[col] for r in rows] == json.loads(json.dumps(expected)), col
    assert isinstance(packed["c"]["s"], dict) and packed["c"]["s"]["d"] == [None, "t1", "t2", "t3", "t0"]


def test_many_regions_split_the_indicator_data_and_select_regions_on_overview_pages(tmp_path, monkeypatch):
    """Beyond OVERVIEW_LIMIT regions (2,500 in the benchmark; here the limit is lowered to 10) the overview
    pages hold a selection of the regions and say so, indicator data comes in parts, counts stay complete."""
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 10)
    monkeypatch.setattr(pages, "TREND_LIMIT", 4)
    info = build_synthetic_warehouse(tmp_path / "w.duckdb", waves=[2024, 2025])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    written = build_site(con, tmp_path / "out", REFERENCE)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    out = tmp_path / "out"
    try:
        ind = page_data(out / "indicatoren.html")
        assert "register" not in ind and ind["explanation_elsewhere"] is True
        n = 0
        for ind_id, rel in ind["parts"].items():
            assert f"assets/data/{rel}" in written
            rows = unpack(script_data(out / "assets" / "data" / rel)["register"])
            assert {r["indicator_id"] for r in rows} == {ind_id} and all("explanation" not in r for r in rows)
            n += len(rows)
        assert n == q("select count(*) from marts.variation_register")[0][0]

        eq = unpack(page_data(out / "middelen.html")["equipment"])
        for w in info["waves"]:
            shown = {r["region_code"] for r in eq if r["wave"] == w}
            top = q(f"""select region_code from marts.equipment_matrix where wave = {w} group by region_code
                        order by sum(case when below_norm then 1 else 0 end) desc, region_code limit 10""")
            assert shown == {c for (c,) in top}
        plan = page_data(out / "plan.html")
        counts = {(r["wave"], r["characteristic"], r["status"]): r["n"] for r in unpack(plan["counts"])}
        assert counts == {
            (w, c, s): k
            for w, c, s, k in q(
                "select wave, characteristic, status, count(*) from marts.plan_exercise_matrix group by all"
            )
        }
        assert len({r["region_code"] for r in unpack(plan["plan"]) if r["wave"] == 2025}) == 10
        recs = page_data(out / "aanbevelingen.html")
        n_recs = q("select count(*) from marts.recommendation_tracker")[0][0]
        assert sum(r["n"] for r in unpack(recs["counts"])) == n_recs
        trend = unpack(page_data(out / "trends.html")["values"])
        for ind_id in {r["indicator_id"] for r in trend}:
            assert len({r["region_code"] for r in trend if r["indicator_id"] == ind_id}) == 4
        for page in [
            "indicatoren.html",
            "middelen.html",
            "ringenmodel.html",
            "plan.html",
            "trends.html",
            "aanbevelingen.html",
        ]:
            assert 'class="warning scale-note"' in (out / page).read_text(encoding="utf-8"), page
        # the region pages are complete
        data = page_data(out / "regio" / region_file(XSS_REGION))
        assert len(unpack(data["register"], data)) == 15 * 2
        learning_in_wave_parts(out, written, q, info["waves"])
        quality_and_risk_in_wave_parts(out, written, con, info["waves"])
    finally:
        con.close()


#: the learning page's rows per wave: payload key, mart, the columns that make a row unique
LEARNING_ROWS = {
    "flows": ("lesson_flows", ["from_region", "to_region"]),
    "roles": ("lesson_roles", ["region_code"]),
    "followup": ("deviation_followup", ["region_code", "indicator_id"]),
}


def learning_counts(q) -> dict:
    """What the learning page's charts over all waves count, straight from the marts."""
    return {
        "role_counts": {(w, r): n for w, r, n in q("select wave, role, count(*) from marts.lesson_roles group by all")},
        "followup_counts": {
            (w, s): n
            for w, s, n in q("select wave, followup_status, count(*) from marts.deviation_followup group by all")
        },
    }


def counts_of(data: dict) -> dict:
    col = {"role_counts": "role", "followup_counts": "followup_status"}
    return {k: {(r["wave"], r[c]): r["n"] for r in unpack(data[k])} for k, c in col.items()}


def learning_in_wave_parts(out: Path, written: dict, q, waves: list[int]) -> None:
    """Beyond OVERVIEW_LIMIT the page "Leren van elkaar" holds no rows of a wave: one data part per wave holds
    that wave's flows, roles and follow-up (those of the marts, no other wave's); the counts stay in the page."""
    data = page_data(out / "leren.html")
    assert not {"flows", "roles", "followup", "recommendations"} & {k for k, v in data.items() if v is not None}
    assert set(data["parts"]) == {str(w) for w in waves}
    for wave, rel in data["parts"].items():
        assert rel.startswith("leren/") and f"assets/data/{rel}" in written
        part = script_data(out / "assets" / "data" / rel)
        for key, (mart, unique) in LEARNING_ROWS.items():
            rows = unpack(part[key]) if key in part else []
            assert {r["wave"] for r in rows} <= {int(wave)}, (wave, key)
            got = sorted(tuple(r[c] for c in unique) for r in rows)
            want = q(f"select {', '.join(unique)} from marts.{mart} where wave = {wave} order by all")
            assert got == sorted(want) and rows, (wave, key)
    assert counts_of(data) == learning_counts(q)
    assert 'class="warning scale-note"' in (out / "leren.html").read_text(encoding="utf-8")
    assert "pas geladen als u het peiljaar kiest" in (out / "leren.html").read_text(encoding="utf-8")


def quality_overview(con, codes: list[str], waves: list[int]) -> dict:
    """The data-quality page's overview of every wave, counted straight from the warehouse."""
    out = {}
    for w in waves:

        def one(sql: str, *args):
            return con.execute(sql, [w, *args]).fetchall()[0][0]

        sql = "select region_code from marts.submission_status where wave = ? and status <> ?"
        present = {c for (c,) in con.execute(sql, [w, statuses.ABSENT]).fetchall()}
        out[w] = {
            "loaded": one(
                "select count(distinct region_code) from marts.submission_status where wave = ? and status = ?",
                statuses.LOADED,
            ),
            "missing": len([c for c in codes if c not in present]),
            "rejected": one(
                "select count(*) from (select distinct source_file, module, region_code from marts.submission_status "
                "where wave = ? and status = ?)",
                statuses.REJECTED,
            ),
            "conflicts": one(
                "select count(*) from marts.submission_status where wave = ? and status = ?", statuses.CONFLICT
            ),
            "earlier": one(
                "select count(*) from (select distinct wave, region_code, module, source_file, status "
                "from stg_submission_status where wave = ? and earlier_data_in_use)"
            ),
            "errors": one("select count(*) from stg_problems where wave = ? and severity = ?", ERROR),
            "warnings": one("select count(*) from stg_problems where wave = ? and severity is distinct from ?", ERROR),
        }
    return out


def overview_of(data: dict) -> dict:
    return {r["wave"]: {k: v for k, v in r.items() if k != "wave"} for r in unpack(data["overview"])}


def quality_and_risk_in_wave_parts(out: Path, written: dict, con, waves: list[int]) -> None:
    """Beyond OVERVIEW_LIMIT the pages "Datakwaliteit" and "Risicobeoordeling" hold no rows of a wave: one data
    part per wave holds that wave's statuses and problems (those of the warehouse), or its risk rows; the
    overview of every wave and the summary per wave stay in the page."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    kw = page_data(out / "kwaliteit.html")
    assert "status" not in kw and "problems" not in kw and unpack(kw["problems_no_wave"]) == []
    assert set(kw["parts"]) == {str(w) for w in waves}
    status_key = "region_code, module, source_file, status"
    problem_key = "region_code, module, source_file, sheet, row_number, column_name, rule, severity"
    for wave, rel in kw["parts"].items():
        assert rel.startswith("kwaliteit/") and f"assets/data/{rel}" in written
        part = script_data(out / "assets" / "data" / rel)
        for key, table, cols in (
            ("status", "marts.submission_status", status_key),
            ("problems", "stg_problems", problem_key),
        ):
            rows = unpack(part[key]) if key in part else []
            assert {r["wave"] for r in rows} <= {int(wave)}, (wave, key)
            got = [tuple(r[c.strip()] for c in cols.split(",")) for r in rows]
            want = q(f"select {cols} from {table} where wave = {wave}")
            assert sorted(map(repr, got)) == sorted(map(repr, want)), (wave, key)
    assert any(unpack(script_data(out / "assets" / "data" / rel)["status"]) for rel in kw["parts"].values())
    codes = [r["code"] for r in kw["regions"]]
    assert overview_of(kw) == quality_overview(con, codes, waves)
    risk = page_data(out / "risico.html")
    assert "risk" not in risk and len(unpack(risk["summary"])) == len(waves)
    assert set(risk["parts"]) == {str(w) for w in waves}
    for wave, rel in risk["parts"].items():
        assert rel.startswith("risico/") and f"assets/data/{rel}" in written
        rows = unpack(script_data(out / "assets" / "data" / rel)["risk"])
        assert {r["wave"] for r in rows} == {int(wave)}
        want = q(
            f"select region_code from marts.indicator_values where wave = {wave} and indicator_id = '{SCORE_MODEL_ID}'"
        )
        assert sorted(r["region_code"] for r in rows) == sorted(c for (c,) in want)
    for page in ("kwaliteit.html", "risico.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert 'class="warning scale-note"' in html and "pas geladen als u het peiljaar kiest" in html, page


def test_few_regions_keep_the_quality_and_risk_rows_in_the_page_beside_the_overview(site):
    out = site["out"]
    kw, risk = page_data(out / "kwaliteit.html"), page_data(out / "risico.html")
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert len(unpack(kw["status"])) == q("select count(*) from marts.submission_status")[0][0]
        assert len(unpack(kw["problems"])) == q("select count(*) from stg_problems")[0][0]
        assert overview_of(kw) == quality_overview(con, [r["code"] for r in kw["regions"]], site["info"]["waves"])
        n_risk = q(f"select count(*) from marts.indicator_values where indicator_id = '{SCORE_MODEL_ID}'")[0][0]
        assert len(unpack(risk["risk"])) == n_risk
    finally:
        con.close()
    for key, data in (("kwaliteit", kw), ("risico", risk)):
        assert "parts" not in data and not (out / "assets" / "data" / key).exists()


def test_few_regions_keep_the_learning_rows_in_the_page_beside_the_counts(site):
    out = site["out"]
    data = page_data(out / "leren.html")
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        for key, (mart, _) in LEARNING_ROWS.items():
            assert len(unpack(data[key])) == q(f"select count(*) from marts.{mart}")[0][0], key
        assert counts_of(data) == learning_counts(q)
    finally:
        con.close()
    assert "parts" not in data and not (out / "assets" / "data" / "leren").exists()


def test_few_regions_show_every_region_without_a_note(site):
    out = site["out"]
    for page in out.rglob("*.html"):
        assert "scale-note" not in page.read_text(encoding="utf-8"), page
    assert "register" in page_data(out / "indicatoren.html")
    assert not (out / "assets" / "data" / "indicatoren").exists()


# ---------------------------------------------------------------------------- geography


def test_tile_grid_follows_the_country():
    pos = tile_positions(list(TILE_GRID))
    assert pos["mode"] == "geo"
    cells = [tuple(p) for p in pos["pos"].values()]
    assert len(set(cells)) == 25
    g = pos["pos"]
    assert g["VR01"][1] == 0 and g["VR01"][0] == pos["cols"] - 1  # Groningen top right
    assert g["VR24"][1] == pos["rows"] - 1  # Zuid-Limburg at the bottom
    assert g["VR19"][0] == 0 and g["VR19"][1] == max(p[1] for p in g.values() if p[0] == 0)  # Zeeland bottom left
    assert g["VR15"][0] < g["VR09"][0] < g["VR05"][0]  # Den Haag west of Utrecht west of Twente


def test_other_region_sets_fall_back_to_a_plain_grid_in_code_order():
    codes = [c for c, _, _ in make_regions(30)]
    pos = tile_positions(list(reversed(codes)))
    assert pos["mode"] == "plain"
    assert pos["pos"]["VR01"] == [0, 0] and pos["pos"]["VR02"] == [1, 0]
    assert len({tuple(p) for p in pos["pos"].values()}) == 30


def _square_geojson(codes, rd=False):
    feats = []
    for i, code in enumerate(codes):
        col, row = TILE_GRID.get(code, (i % 5, i // 5))
        if rd:
            x0, y0 = 20000 + col * 40000, 600000 - row * 45000
            ring = [[x0, y0], [x0 + 38000, y0], [x0 + 38000, y0 - 43000], [x0, y0 - 43000], [x0, y0]]
        else:
            x0, y0 = 3.5 + col * 0.6, 53.5 - row * 0.4
            ring = [[x0, y0], [x0 + 0.55, y0], [x0 + 0.55, y0 - 0.35], [x0, y0 - 0.35], [x0, y0]]  # clockwise
            ring = list(reversed(ring))  # RFC 7946: counter-clockwise exterior
        feats.append(
            {
                "type": "Feature",
                "properties": {"region_code": code, "naam": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def test_boundaries_are_read_rewound_and_converted(tmp_path):
    codes = list(TILE_GRID)
    (tmp_path / "regions.geojson").write_text(json.dumps(_square_geojson(codes)), encoding="utf-8")
    geo, notes = load_boundaries(tmp_path, codes)
    assert len(geo["features"]) == 25 and set(geo["centroids"]) == set(codes)
    ring = geo["features"][0]["geometry"]["coordinates"][0][0]
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    assert area < 0  # exterior clockwise, as d3-geo wants
    (tmp_path / "regions.geojson").write_text(json.dumps(_square_geojson(codes, rd=True)), encoding="utf-8")
    geo, notes = load_boundaries(tmp_path, codes)
    lon, lat = geo["centroids"]["VR01"]
    assert 3 < lon < 8 and 50 < lat < 54 and any("RD New" in n for n in notes)
    lon, lat = rd_to_wgs84(120700, 487525)  # Westertoren, Amsterdam
    assert abs(lon - 4.88353) < 1e-4 and abs(lat - 52.37453) < 1e-4


def test_a_broken_or_foreign_geojson_falls_back_to_tiles(tmp_path):
    (tmp_path / "regions.geojson").write_text("{not json", encoding="utf-8")
    geo, notes = load_boundaries(tmp_path, ["VR01"])
    assert geo is None and "tegelkaart" in notes[0]
    (tmp_path / "regions.geojson").write_text(json.dumps(_square_geojson(["XX1"])), encoding="utf-8")
    geo, notes = load_boundaries(tmp_path, ["VR01"])
    assert geo is None


def test_index_embeds_boundaries_when_the_analyst_provides_them(tmp_path, site):
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "regions.geojson").write_text(json.dumps(_square_geojson(list(TILE_GRID))), encoding="utf-8")
    con = duckdb.connect(str(site["db"]), read_only=True)
    build_site(con, tmp_path / "out", ref)
    con.close()
    data = page_data(tmp_path / "out" / "index.html")
    assert len(data["boundaries"]["features"]) == 25
    assert 'data-plotly="1"' in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- robustness


def test_optional_tables_may_be_missing(tmp_path):
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=3, waves=[2025], with_run_history=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for t in ("stg_lessons", "stg_risk_assessments", "ref_regions", "stg_problems", "stg_submission_status"):
        con.execute(f"drop table {t}")
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    written = build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    assert "kwaliteit.html" in written
    data = page_data(tmp_path / "out" / "kwaliteit.html")
    assert data["history_columns"] is None and data["notes"]
    assert [r["code"] for r in data["regions"]] == ["VR01", "VR02", "VR03"]


def test_missing_marts_raise_a_clear_error(tmp_path):
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    with pytest.raises(SiteDataError, match="marts ontbreken"):
        build_site(con, tmp_path / "out", REFERENCE)
    con.close()


def test_region_file_names_are_safe():
    assert region_file("VR01") == "VR01.html"
    assert region_file("../x y") == "___x_y.html"


# ---------------------------------------------------------------------------- the Dagster asset


def test_asset_publishes_into_the_dashboards_folder_and_keeps_the_old_site_on_failure(tmp_path):
    import dagster as dg

    from pipelines.defs.dashboards.assets import dashboards_site
    from pipelines.defs.marts.publish import publication
    from pipelines.defs.resources import make_resources

    dash = tmp_path / "dashboards"
    dash.mkdir()
    (dash / "old.html").write_text("oud", encoding="utf-8")
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=5, waves=[2024, 2025])
    resources = make_resources(tmp_path / "w.duckdb", dashboards_dir=dash, reference_dir=REFERENCE)
    # the site is prepared by dashboards_site and swapped in by publication (with the marts, issue 15)
    result = dg.materialize([dashboards_site, publication], resources=resources)
    assert result.success
    md = result.asset_materializations_for_node("dashboards_site")[0].metadata
    assert md["pages"].value == len(NAV) + 5
    assert md["total_bytes"].value > md["bytes_without_plotly"].value > 0
    assert "pagina's" in md["summary"].value and "peiljaren 2024–2025" in md["summary"].value
    assert (dash / "index.html").is_file() and not (dash / "old.html").exists()
    assert not list(tmp_path.glob(".dashboards.*"))

    # a warehouse without marts: the run fails and the published site stays as it was
    resources = make_resources(tmp_path / "empty.duckdb", dashboards_dir=dash, reference_dir=REFERENCE)
    result = dg.materialize([dashboards_site, publication], resources=resources, raise_on_error=False)
    assert not result.success
    assert (dash / "index.html").is_file()
    assert not list(tmp_path.glob(".dashboards.*"))


def test_no_chart_offers_to_upload_itself_to_plotlys_cloud():
    """Every chart is drawn with S.config, which switches off Plotly's cloud upload and Chart Studio and drops
    their toolbar buttons (the analysts work offline; the figures are not public until the report is)."""

    static = ROOT / "pipelines" / "site" / "static"
    scripts = {p.relative_to(static).as_posix(): p.read_text(encoding="utf-8") for p in static.rglob("*.js")}
    calls = [
        (name, m.group(0))
        for name, text in scripts.items()
        for m in re.finditer(r"Plotly\.(?:react|newPlot)\([^;]*\)", text)
    ]
    assert calls, "no chart drawing found: the test would check nothing"
    assert [c for c in calls if not c[1].endswith("S.config)")] == []
    config = re.search(r"S\.config = \{(.*?)\n  \};", scripts["site.js"], re.S).group(1)
    for flag in ("showSendToCloud", "showEditInChartStudio", "showLink"):
        assert re.search(rf"\b{flag}: false\b", config), flag
    assert re.search(r"\bplotlyServerURL: ''", config)  # no address to send a chart to
    removed = re.search(r"modeBarButtonsToRemove: \[([^\]]*)\]", config).group(1)
    assert "'sendDataToCloud'" in removed and "'editInChartStudio'" in removed
    # the names the bundled Plotly gives its publishing buttons (plotly.js 4: sendChartToCloud)
    bundle = plotly_js_path().read_text(encoding="utf-8")
    names = set(re.findall(r'name:"(\w*(?:[Cc]loud|[Ss]tudio)\w*)"', bundle))
    assert names and all(f"'{n}'" in removed for n in names), names
