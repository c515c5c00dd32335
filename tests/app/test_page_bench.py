"""The page bench (bench/page_bench.py, part of `make bench`): how it reports, never whether the site is fast
(no timed assert: the times are made up here)."""

from __future__ import annotations

import importlib.util
import sys

from tests.support import ROOT

_spec = importlib.util.spec_from_file_location("page_bench", ROOT / "bench" / "page_bench.py")
page_bench = importlib.util.module_from_spec(_spec)
sys.modules["page_bench"] = page_bench
_spec.loader.exec_module(page_bench)


def rows(times, warm=9.0):
    out = [{"round": 0, "page": "index.html", "warmup": True, "ready_s": warm, "first_chart_s": warm, "load1": 0.1}]
    for i, t in enumerate(times, start=1):
        for page in ("index.html", "plan.html"):
            out.append({"round": i, "page": page, "warmup": False, "ready_s": t / 2, "first_chart_s": t, "load1": 0.1})
    return out


def test_the_report_gives_medians_without_the_warm_up_round_and_the_load_beside_them():
    text = page_bench.report(rows([0.4, 0.6, 2.0]), ROOT / "dashboards", (0.1, 0.2, 0.3), (0.4, 0.5, 0.6))
    assert "| index.html | 0.30 | 0.60 | 0.40 | 2.00 | 0.10 |" in text
    assert "mediaan over 3 rondes" in text
    assert "mediaan over alle navigaties: 0.60 s** (doel ≤ 1 s op een stille machine: gehaald)" in text
    assert "bij start 0.10, 0.20, 0.30; aan het eind 0.40, 0.50, 0.60" in text
    assert "de machine was stil" in text


def test_a_miss_counts_only_on_a_quiet_machine():
    slow = rows([1.5, 1.6, 1.7])
    quiet = page_bench.report(slow, ROOT, (0.1, 0.1, 0.1), (0.1, 0.1, 0.1))
    assert "stille machine: **niet gehaald**" in quiet
    busy = page_bench.report(slow, ROOT, (16.0, 15.0, 10.0), (17.0, 16.0, 11.0))
    assert "niet te beoordelen, de machine was niet stil" in busy
    assert "de machine was niet stil (meer dan 0.25 per core)" in busy
