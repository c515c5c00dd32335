"""``regiobench rapport`` end to end (issue 19, point 9): the shipped sample's published marts and site -> one PDF
per region from Debian's headless Chromium; each at most two A4 pages, the follow-up of last wave's deviations
and the flags with their reasons on the first page, the spine chart on the second, and a running footer with
the peiljaar and the publication date on every page.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from pipelines.contract.indicators import INDICATORS
from pipelines.contract.verdicts import UNJUSTIFIED
from tests.site.pdf_text import page_texts, squeeze
from tests.support import run_cli

pytestmark = pytest.mark.browser

SHORT = {i.id: i.short for i in INDICATORS}


@pytest.fixture(scope="module")
def published(shipped_run):
    reg = pd.read_parquet(shipped_run.marts / "variation_register.parquet")
    followup = pd.read_parquet(shipped_run.marts / "deviation_followup.parquet")
    time = json.loads((shipped_run.marts / ".publicatie.json").read_text(encoding="utf-8"))["time"]
    built = dt.datetime.strptime(time[:10], "%Y-%m-%d").strftime("%d-%m-%Y")
    return shipped_run, reg, followup, built


def rapport(run, out, *args):
    done = run_cli("rapport", "--out", str(out), "--marts", str(run.marts), "--dashboards", str(run.dashboards), *args)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def check(pdf, reg, followup, built, code, wave):
    texts = page_texts(pdf)
    assert 1 <= len(texts) <= 2, f"{pdf.name}: {len(texts)} pages"
    name = reg.loc[reg["region_code"] == code, "region_name"].iloc[0]
    foot = squeeze(f"Regiorapport {name} ({code}) · peiljaar {wave} · gegevens gepubliceerd op {built}")
    for k, t in enumerate(texts, 1):
        assert foot in squeeze(t), f"{pdf.name} page {k}: no footer"
        assert squeeze(f"pagina {k} van {len(texts)}") in squeeze(t)
    first = squeeze(texts[0])
    flags = reg[(reg["region_code"] == code) & (reg["wave"] == wave) & (reg["verdict"] == UNJUSTIFIED)]
    for r in flags.itertuples():
        assert squeeze(f"{SHORT[r.indicator_id]}: {r.explanation}") in first, (pdf.name, r.indicator_id)
    if flags.empty:
        assert squeeze("geen afwijking zonder onderbouwing") in first
    # the follow-up of last wave's deviations comes first of all
    prev = followup[(followup["region_code"] == code) & (followup["next_wave"] == wave)]
    head = first.index(squeeze("Opvolging van de afwijkingen"))
    assert head < first.index(squeeze("Niet onderbouwde afwijkingen in peiljaar"))
    for r in prev.itertuples():
        assert squeeze(SHORT[r.indicator_id]) in first[head:]
    # the spine chart whole on the last page (every indicator's row label)
    last = squeeze(texts[-1])
    assert squeeze("spine chart") in last
    assert all(squeeze(i.short) in last for i in INDICATORS)
    return flags, prev


def test_every_region_gets_a_report_of_at_most_two_pages_of_the_latest_wave(published, tmp_path):
    run, reg, followup, built = published
    done = rapport(run, tmp_path)
    latest = int(reg["wave"].max())
    pdfs = sorted(tmp_path.glob("*.pdf"))
    codes = sorted(reg["region_code"].unique())
    assert [p.name for p in pdfs] == [f"regiorapport_{c}_{latest}.pdf" for c in codes]
    assert f"{len(codes)} regiorapporten geschreven" in done.stdout
    seen_flags = seen_followup = 0
    for code, pdf in zip(codes, pdfs):
        flags, prev = check(pdf, reg, followup, built, code, latest)
        seen_flags += len(flags)
        seen_followup += len(prev)
    assert seen_flags and seen_followup, "the sample's latest wave has flags and deviations to follow up"


def test_the_longest_reports_still_fit_on_two_pages(published, tmp_path):
    """The region with the most flags in any wave, and the region with the most deviations to follow up."""
    run, reg, followup, built = published
    unj = reg[reg["verdict"] == UNJUSTIFIED]
    most_flags = unj.groupby(["wave", "region_code"]).size().idxmax()
    most_followup = followup.dropna(subset=["next_wave"]).groupby(["next_wave", "region_code"]).size().idxmax()
    for wave, code in {(int(most_flags[0]), most_flags[1]), (int(most_followup[0]), most_followup[1])}:
        out = tmp_path / f"{wave}-{code}"
        rapport(run, out, "--wave", str(wave), "--region", code)
        assert [p.name for p in out.glob("*.pdf")] == [f"regiorapport_{code}_{wave}.pdf"]
        flags, prev = check(out / f"regiorapport_{code}_{wave}.pdf", reg, followup, built, code, wave)
        assert len(flags) + len(prev) >= 5, "a long report"
