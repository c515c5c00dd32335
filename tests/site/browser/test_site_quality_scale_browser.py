"""The pages "Datakwaliteit" and "Risicobeoordeling" in headless Chromium at any scale: the overview of every
wave on the data-quality page is drawn from the counts computed in Python (pipelines/site/quality.py) and shows
what the script counted before from every row; beyond OVERVIEW_LIMIT regions the rows of a wave come from one
data part per wave, loaded from file:// when the wave is chosen."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.contract.indicators import SCORE_MODEL_ID
from pipelines.contract.plausibility import PREFIX as PLAUSIBLE_PREFIX
from pipelines.core.problems import ERROR
from pipelines.site import build_site
from tests.site.browser.browser_support import REFERENCE, WAVES, Opened, q
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import quality_overview

pytestmark = pytest.mark.browser

LATEST = WAVES[-1]
COLUMNS = ["loaded", "missing", "rejected", "conflicts", "earlier", "errors", "warnings"]

#: kwaliteit.js's overview as it was counted from every status and problem in the page (before the counts came
#: from Python): per wave of S.waves, newest first, [wave, loaded, missing, rejected, conflicts, earlier, errors,
#: warnings]. Run in a page that has its rows inline (few regions).
OLD_COUNT = """() => {
  const S = window.Site, D = S.data, status = S.unpack(D.status), problems = S.unpack(D.problems);
  const LOADED = S.code('submission', 'loaded'), REJECTED = S.code('submission', 'rejected');
  const ABSENT = S.code('submission', 'absent'), CONFLICT = S.code('submission', 'conflict');
  return S.waves.slice().reverse().map(function (w) {
    var st = status.filter(function (r) { return r.wave === w; });
    var pr = problems.filter(function (r) { return r.wave === w; });
    var regionsWith = function (f) { return new Set(st.filter(f).map(function (r) { return r.region_code; })).size; };
    var byRegion = S.groupBy(st, 'region_code');
    var missingAll = S.regions.filter(function (reg) {
      var mine = byRegion.get(reg.code) || [];
      return !mine.length || mine.every(function (r) { return r.status === ABSENT; });
    }).length;
    return [w, regionsWith(function (r) { return r.status === LOADED; }), missingAll,
      new Set(st.filter(function (r) { return r.status === REJECTED; }).map(function (r) { return r.source_file + '|' + r.module + '|' + r.region_code; })).size,
      st.filter(function (r) { return r.status === CONFLICT; }).length,
      st.filter(function (r) { return r.earlier_data_in_use; }).length,
      pr.filter(function (r) { return r.severity === D.severity_error; }).length,
      pr.filter(function (r) { return r.severity !== D.severity_error; }).length];
  });
}"""


def shown_overview(o) -> list[list[int]]:
    """The overview table as shown: per row the wave and the counts (the first number of 'N van M')."""
    cells = o.page.eval_on_selector_all(
        "#per-peiljaar tbody tr", "trs => trs.map(tr => Array.from(tr.cells).map(c => c.textContent.trim()))"
    )
    return [[int(re.match(r"[0-9.]+", c).group(0).replace(".", "")) for c in row] for row in cells]


def test_the_overview_of_every_wave_shows_what_the_script_counted_from_every_row(site, open_page):
    o = open_page(site["out"] / "kwaliteit.html", wait_charts=False)
    old = o.page.evaluate(OLD_COUNT)
    assert [r[0] for r in old] == sorted(WAVES, reverse=True)
    assert any(sum(r[1:]) for r in old)
    for wave in (LATEST, WAVES[0]):
        o.page.select_option("#peiljaar", str(wave))
        assert shown_overview(o) == old
        assert o.page.locator("#per-peiljaar tbody tr.hi td").first.text_content().strip() == str(wave)
    assert o.page.locator(".scale-note").count() == 0
    assert o.network() == [] and o.console_errors() == []


def test_many_regions_load_the_quality_and_risk_rows_per_wave(tmp_path, browser, monkeypatch):
    """Beyond OVERVIEW_LIMIT (lowered here to 10 of the 25) the statuses and problems, and the risk rows, of a wave
    come from a data part per wave; the overview of every wave shows the counts of the warehouse."""
    from pipelines.site import pages

    monkeypatch.setattr(pages, "OVERVIEW_LIMIT", 10)
    db = tmp_path / "w.duckdb"
    build_synthetic_warehouse(db, waves=WAVES)
    con = duckdb.connect(str(db), read_only=True)
    try:
        build_site(con, tmp_path / "out", REFERENCE)
    finally:
        con.close()
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    try:
        o = Opened(ctx, (tmp_path / "out" / "kwaliteit.html").as_uri(), wait_charts=False)
        assert "pas geladen als u het peiljaar kiest" in o.page.locator(".scale-note").text_content()
        codes = o.page.evaluate("() => window.Site.regions.map(r => r.code)")
        con = duckdb.connect(str(db), read_only=True)
        try:
            overview = quality_overview(con, codes, WAVES)
        finally:
            con.close()
        want = [[w, *(overview[w][c] for c in COLUMNS)] for w in sorted(WAVES, reverse=True)]
        assert any(sum(r[1:]) for r in want)
        for wave in (WAVES[0], LATEST):
            assert any(u.startswith("kwaliteit/") for u in o.choose_wave(wave))
            # the status grid of the chosen wave: a badge per status of the warehouse, by status
            shown = o.page.eval_on_selector_all("#status-grid td .badge", "bs => bs.map(b => b.className).sort()")
            rows = q(db, "select status from marts.submission_status where wave = ?", [wave])
            assert rows and len(shown) == len(rows)
            assert sorted(shown) == sorted("badge s-" + re.sub(r"[^a-z_]", "", s) for (s,) in rows)
            assert shown_overview(o) == want
            # the problems of the wave: its warnings (not plausibility) listed
            n_warn = q(
                db,
                "select count(*) from stg_problems where wave = ? and severity is distinct from ? "
                "and not starts_with(coalesce(rule, ''), ?)",
                [wave, ERROR, PLAUSIBLE_PREFIX],
            )[0][0]
            listed = o.page.locator("#waarschuwingen tbody tr").count()
            assert listed == n_warn
        assert o.network() == [] and o.console_errors() == []
        o.close()

        o = Opened(ctx, (tmp_path / "out" / "risico.html").as_uri())
        assert "pas geladen als u het peiljaar kiest" in o.page.locator(".scale-note").text_content()
        for wave in (WAVES[0], LATEST):
            assert any(u.startswith("risico/") for u in o.choose_wave(wave, "kans"))
            n = q(
                db,
                "select count(value) from marts.indicator_values where wave = ? and indicator_id = ?",
                [wave, SCORE_MODEL_ID],
            )[0][0]
            per_method = o.page.eval_on_selector_all(
                "#per-methode tbody tr", "trs => trs.map(tr => parseInt(tr.cells[1].textContent.replace('.', ''), 10))"
            )
            assert n and sum(per_method) == n
            # another basis on the axis redraws the wave's rows (from the part already loaded)
            o.page.select_option("#basis", "population")
            o.page.wait_for_function("document.getElementById('kans').layout.xaxis.type === 'log'")
            o.page.select_option("#basis", "target")
        assert o.page.evaluate("() => document.getElementById('r2').data[0].x.length") == len(WAVES)
        assert o.network() == [] and o.console_errors() == []
        o.close()
    finally:
        ctx.close()
