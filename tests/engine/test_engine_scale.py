"""The engine scales: 2,500 regions x 10 waves (375,000 verdicts, 1.6 million equipment cells)."""

from __future__ import annotations

import time

import pytest

from pipelines.engine import build as engine
from pipelines.engine import checks as mart_checks
from tests.engine import engine_data as T


@pytest.mark.slow
def test_build_marts_2500_regions_10_waves():
    con = T.new_warehouse()
    T.synthetic(con, 2500, waves=range(2016, 2026), seed=2)
    started = time.perf_counter()
    counts = engine.build_marts(con)
    seconds = time.perf_counter() - started
    print(
        f"\nbuild_marts on 2,500 regions x 10 waves: {seconds:.1f} s "
        + ", ".join(f"{k} {v:.1f} s" for k, v in engine.LAST_TIMINGS.items())
    )
    assert counts["marts.variation_register"] == 2500 * 10 * 15
    assert counts["marts.equipment_matrix"] == 2500 * 10 * 64
    assert counts["marts.recommendation_tracker"] == 2500 * 10 * 10
    assert seconds < 120  # typically 20-30 s; generous for a loaded machine
    failed = [(o.mart, o.name) for o in mart_checks.check_marts(con) if not o.passed]
    assert failed == []
    con.close()
