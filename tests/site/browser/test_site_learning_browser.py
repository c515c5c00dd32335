"""Learning from each other in headless Chromium (issue 21): the page "Leren van elkaar" (network per wave, roles,
follow-up, recommendations in order), the region page's sections "Wat werd er van de afwijkingen van vorig
peiljaar?" and "Leren van", and the verdict matrix's link from a deviation to its matches."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract import learning as L
from pipelines.site import build_site
from pipelines.site.data import LEARNING_MARTS
from tests.site.browser.browser_support import REFERENCE, WAVES, Opened, q
from tests.site.synthetic import build_synthetic_warehouse

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]


def network(o) -> dict:
    return o.page.evaluate(
        """() => { const d = document.getElementById('leren-netwerk');
          return {title: d.layout.title.text, arrows: (d.layout.annotations || []).length,
                  nodes: d.data.reduce((a, t) => a + t.x.length, 0), names: d.data.map(t => t.name)}; }"""
    )


def test_the_network_shows_every_flow_of_the_chosen_wave_and_follows_the_wave(site, open_page):
    o = open_page(site["out"] / "leren.html")
    assert not o.console_errors() and not o.network()
    for wave in (LATEST, WAVES[0]):
        o.page.select_option("#peiljaar", str(wave))
        o.page.wait_for_function(f"document.getElementById('leren-netwerk').layout.title.text.includes('{wave}')")
        got = network(o)
        flows = q(site, "select count(*) from marts.lesson_flows where wave = ?", [wave])[0][0]
        regions = q(site, "select count(*) from marts.lesson_roles where wave = ?", [wave])[0][0]
        assert flows > 0 and got["arrows"] == flows
        assert got["nodes"] == regions
        roles = {r for (r,) in q(site, "select distinct role from marts.lesson_roles where wave = ?", [wave])}
        assert set(got["names"]) == {L.ROLE_LABELS[r].split(":")[0] for r in roles}
    # the shared chart config: no upload to Plotly's cloud (the toolbar test clicks every button of every page)
    context = o.page.evaluate("() => document.getElementById('leren-netwerk')._context")
    assert context["showSendToCloud"] is False
    o.page.hover("#leren-netwerk")
    titles = o.page.eval_on_selector_all(
        "#leren-netwerk .modebar-btn", "bs => bs.map(b => (b.getAttribute('data-title') || '').toLowerCase())"
    )
    assert titles and not [t for t in titles if "cloud" in t or "studio" in t or "share" in t]


def test_the_roles_table_says_per_region_its_role_in_words(site, open_page):
    o = open_page(site["out"] / "leren.html", hash=f"#peiljaar={LATEST}")
    rows = o.page.eval_on_selector_all(
        "#leren-rollen tbody tr",
        "trs => trs.map(tr => [tr.cells[0].textContent.trim(), tr.querySelector('[data-role]').dataset.role,"
        " tr.cells[1].textContent.trim()])",
    )
    want = q(site, "select region_name, role from marts.lesson_roles where wave = ? order by region_code", [LATEST])
    assert sorted(r[:2] for r in rows) == sorted([n, r] for n, r in want)
    assert all(text == L.ROLE_LABELS[role].split(":")[0] for _, role, text in rows)
    # the table can be searched and downloaded like every other table
    assert o.page.locator("#leren-rollen .table-tools input, #leren-rollen input[type=search]").count() >= 1
    # the course of the roles over the waves: one row per wave
    assert o.page.locator("#leren-rollen-telling tbody tr").count() == len(WAVES)


def test_follow_up_and_recommendations_in_order_per_wave(site, open_page):
    o = open_page(site["out"] / "leren.html", hash=f"#peiljaar={WAVES[0]}")
    want = q(
        site, "select followup_status, count(*) from marts.deviation_followup where wave = ? group by 1", [WAVES[0]]
    )
    statuses = o.page.eval_on_selector_all("#opvolging-tabel [data-status]", "es => es.map(e => e.dataset.status)")
    assert sorted(statuses) == sorted(s for s, k in want for _ in range(k))
    words = o.page.eval_on_selector_all(
        "#opvolging-tabel [data-status]", "es => es.map(e => [e.dataset.status, e.textContent])"
    )
    assert L.RESOLVED in statuses and all(w == L.FOLLOWUP_LABELS[s].split(":")[0] for s, w in words)
    chart = o.page.evaluate(
        "() => document.getElementById('aanbevelingen-op-orde').data.map(t => [t.x.length, t.y.reduce((a, b) => a + b, 0)])"
    )
    national = q(
        site,
        "select recommendation, count(*), sum(n_regions_op_orde) from (select distinct wave, recommendation, "
        "n_regions_op_orde, n_regions_aandacht from marts.recommendation_followup) "
        "group by 1 having sum(n_regions_op_orde + n_regions_aandacht) > 0 order by 1",
    )
    assert sorted(chart) == sorted([int(k), int(total)] for _, k, total in national)
    # the table beside the chart: one row per recommendation shown, a column per wave
    assert o.page.locator("#aanbevelingen-op-orde-tabel thead th").count() == 2 + len(WAVES)


def test_the_region_page_shows_last_waves_follow_up_first_then_who_to_learn_from(site, open_page):
    row = q(
        site,
        "select region_code, indicator_id, count(*) from marts.learning_matches where wave = ? "
        "group by 1, 2 order by 3 desc, 1, 2 limit 1",
        [LATEST],
    )[0]
    code, ind, n = row
    o = open_page(site["out"] / "regio" / f"{code}.html", wait_charts=False, hash=f"#leren-{ind}")
    assert not o.console_errors()
    ids = o.page.eval_on_selector_all("section[id]", "ss => ss.map(s => s.id)")
    assert ids.index("opvolging-vorig") < ids.index("leren-van")
    block = o.page.locator(f"#leren-{ind}")
    assert block.is_visible() and "target" in (block.get_attribute("class") or "")
    matches = block.locator("li.match")
    assert matches.count() == n
    want = q(
        site,
        "select match_code, why from marts.learning_matches where wave = ? and region_code = ? and indicator_id = ? "
        "order by match_rank",
        [LATEST, code, ind],
    )
    assert [matches.nth(i).get_attribute("data-match") for i in range(n)] == [m for m, _ in want]
    assert want[0][1] in block.locator("li.match .why").first.text_content()
    # what became of last wave's deviations: the rows whose next wave is this one
    follow = q(
        site,
        "select count(*) from marts.deviation_followup where region_code = ? and next_wave = ?",
        [code, LATEST],
    )[0][0]
    got = o.page.locator("#opvolging-regio [data-status]").count()
    assert got == follow


def test_the_matrix_leads_from_a_deviation_to_its_matches(site, open_page):
    o = open_page(site["out"] / "matrix.html", wait_charts=False)
    links = o.page.eval_on_selector_all(
        "#matrix a.mx-learn", "as => as.map(a => [a.getAttribute('href'), a.dataset.learn, a.title])"
    )
    unfavourable = q(
        site,
        "select count(*) from marts.variation_register where wave = ? "
        "and verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')",
        [LATEST],
    )[0][0]
    assert unfavourable > 0 and len(links) == unfavourable
    href, ind, title = links[0]
    assert f"leren={ind}" in href and f"peiljaar={LATEST}" in href and title.startswith("Leren van")
    o.page.click(f"#matrix a.mx-learn[href='{href}']")
    o.page.wait_for_selector(f"#leren-{ind}.target", timeout=20_000)
    assert o.page.locator(f"#leren-{ind}").is_visible()


def test_many_regions_load_the_learning_rows_per_wave_and_count_from_the_page(tmp_path, browser, monkeypatch):
    """Beyond OVERVIEW_LIMIT (lowered here to 10 of the 25) the flows, roles and follow-up of a wave come from a
    data part per wave, loaded from file:// when the wave is chosen; the charts over all waves draw the counts in
    the page and show the same numbers as the marts."""
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 10)  # learning.add_learning gets ``large`` from pages
    build_synthetic_warehouse(tmp_path / "w.duckdb", waves=WAVES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    db = {"db": tmp_path / "w.duckdb"}
    con.close()
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    try:
        o = Opened(ctx, (tmp_path / "out" / "leren.html").as_uri())
        assert o.page.locator(".scale-note").count() == 1
        assert "pas geladen" in o.page.locator(".scale-note").text_content()
        for wave in (WAVES[0], LATEST):
            assert any(u.startswith("leren/") for u in o.choose_wave(wave, "leren-netwerk"))
            # the flows table of the chosen wave: its pairs, those of the mart
            pairs = o.page.eval_on_selector_all(
                "#leren-stromen tbody tr",
                "trs => trs.map(tr => [tr.cells[0].textContent.trim(), tr.cells[1].textContent.trim()])",
            )
            want = q(
                db,
                "select f.name, t.name from marts.lesson_flows l join (select distinct region_code, region_name as name "
                "from marts.lesson_roles) f on f.region_code = l.from_region join (select distinct region_code, "
                "region_name as name from marts.lesson_roles) t on t.region_code = l.to_region where l.wave = ?",
                [wave],
            )
            assert want and sorted(pairs) == sorted([a, b] for a, b in want)
            assert network(o)["arrows"] == len(want)
            caption = o.page.locator("#leren-stromen caption").text_content()
            assert str(wave) in caption
        # both charts over all waves, with their tables: the counts of the marts
        roles = o.page.evaluate(
            "() => document.getElementById('leren-rollen-verloop').data.map(t => t.y.reduce((a, b) => a + b, 0))"
        )
        assert sum(roles) == q(db, "select count(*) from marts.lesson_roles")[0][0]
        assert o.page.locator("#leren-rollen-telling tbody tr").count() == len(WAVES)
        follow = o.page.evaluate(
            "() => document.getElementById('opvolging-telling').data.map(t => t.y.reduce((a, b) => a + b, 0))"
        )
        assert sum(follow) == q(db, "select count(*) from marts.deviation_followup")[0][0]
        assert o.page.locator("#opvolging-telling-tabel tbody tr").count() >= 1
        assert o.network() == [] and o.console_errors() == []
        o.close()
    finally:
        ctx.close()


def test_a_warehouse_without_the_learning_marts_says_so_in_words(tmp_path, browser):
    """A warehouse built before the learning marts: the page and the region's sections say that the data comes
    with the next run, without a table name and without an error."""
    build_synthetic_warehouse(tmp_path / "w.duckdb", n_regions=4, waves=[2025], xss=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for mart in LEARNING_MARTS:
        con.execute(f"drop table marts.{mart}")
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    build_site(con, tmp_path / "out", REFERENCE)
    con.close()
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    try:
        region = sorted((tmp_path / "out" / "regio").glob("*.html"))[0]
        for path, ids in (
            (tmp_path / "out" / "leren.html", ["leren-geen"]),
            (region, ["opvolging-regio", "leren-regio"]),
        ):
            o = Opened(ctx, path.as_uri(), wait_charts=False)
            for i in ids:
                text = o.page.locator(f"#{i}").inner_text()
                assert "volgende run" in text and "marts" not in text and "_" not in text, (path.name, i, text)
            assert o.network() == [] and o.console_errors() == []
            o.close()
    finally:
        ctx.close()
