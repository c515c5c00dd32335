"""The engine at scale (part of ``make bench``): build_marts on 2,500 regions x 10 waves.

375,000 verdicts and 1.6 million equipment cells, built in this process on synthetic
staging tables (``tests/engine/engine_data.synthetic``, seed 2) without ingest, so the
time is the engine's alone. Reports the wall time of ``build_marts`` and of each of its
stages (``pipelines.engine.build.LAST_TIMINGS``) with the machine's load before and
after, and writes them to bench/out/engine_scale.json.

Not a test: a slow build is reported, never a failure. Exit 1 only when the result is
wrong (a mart with other row counts than the synthetic world gives, or a failed mart
check), as the scale test that lived in tests/ checked.

    .venv/bin/python -m bench.engine_scale                       # what `make bench` runs
    .venv/bin/python -m bench.engine_scale --regions 250 --waves 3  # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from bench.run_bench import OUT, machine
from pipelines.engine import build as engine
from pipelines.engine import checks as mart_checks
from tests.engine import engine_data as T

RESULT = OUT / "engine_scale.json"
LAST_WAVE = 2025
#: Rows per region and wave of the marts whose size the synthetic world fixes.
ROWS_PER_REGION_WAVE = {
    "marts.variation_register": 15,  # indicators
    "marts.equipment_matrix": 64,  # equipment grid cells
    "marts.recommendation_tracker": 10,  # recommendations
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--regions", type=int, default=2500)
    p.add_argument("--waves", type=int, default=10, help=f"het aantal golven tot en met {LAST_WAVE}")
    args = p.parse_args(argv)

    info = machine()
    con = T.new_warehouse()
    T.synthetic(con, args.regions, waves=range(LAST_WAVE + 1 - args.waves, LAST_WAVE + 1), seed=2)
    load_start = os.getloadavg()
    started = time.perf_counter()
    counts = engine.build_marts(con)
    seconds = time.perf_counter() - started
    load_end = os.getloadavg()
    stages = dict(engine.LAST_TIMINGS)

    wrong = {
        mart: (counts.get(mart), args.regions * args.waves * per)
        for mart, per in ROWS_PER_REGION_WAVE.items()
        if counts.get(mart) != args.regions * args.waves * per
    }
    failed = [f"{o.mart}: {o.name}" for o in mart_checks.check_marts(con) if not o.passed]
    con.close()

    result = {
        "case": f"{args.regions} regions x {args.waves} waves",
        "build_marts_seconds": round(seconds, 2),
        "stages_seconds": {k: round(v, 2) for k, v in stages.items()},
        "rows": counts,
        "wrong_counts": {k: {"got": g, "want": w} for k, (g, w) in wrong.items()},
        "failed_checks": failed,
        "machine": {**info, "load_start": load_start, "load_end": load_end},
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")

    def load(v: tuple[float, float, float]) -> str:
        return " / ".join(f"{x:.2f}" for x in v)

    print(f"build_marts op {result['case']}: {seconds:.1f} s")
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    print(
        f"  machine: {info['usable_cores']} cores, load (1/5/15 min) bij start {load(load_start)}, "
        f"bij einde {load(load_end)}; commit {info['commit']}"
    )
    print(f"  {RESULT.relative_to(OUT.parent.parent)}")
    for mart, (got, want) in wrong.items():
        print(f"FOUT: {mart} heeft {got} rijen, verwacht {want}", file=sys.stderr)
    for name in failed:
        print(f"FOUT: martcontrole faalt: {name}", file=sys.stderr)
    return 1 if wrong or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
