"""Synthetic region lists for generated sets larger than the shipped 25 regions.

:func:`make_regions` draws ``n`` regions (codes, names, populations) and
:func:`write_regions_csv` writes them where :func:`pipelines.contract.reference.load_regions`
reads them. The shipped regions come from ``data/reference/regions.csv``, not from here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from pipelines.contract.reference import Region
from pipelines.sample.helpers import _rng


def make_regions(n: int, seed: int) -> list[Region]:
    """``n`` synthetic regions: codes ``R0001``.., names ``Regio 1``.., populations 50,000-1,500,000."""
    if n < 1:
        raise ValueError("n must be at least 1")
    width = max(4, len(str(n)))
    rng = _rng(seed, "regions", n)
    pops = np.exp(rng.normal(math.log(450_000), 0.65, n))
    pops = np.clip(np.round(pops, -3), 50_000, 1_500_000).astype(int)
    return [Region(f"R{i + 1:0{width}d}", f"Regio {i + 1}", int(pops[i])) for i in range(n)]


def write_regions_csv(regions: Iterable[Region], path: Path) -> None:
    """The regions as ``regions.csv`` (region_code, region_name, population), readable by ``load_regions``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["region_code", "region_name", "population"])
    for r in regions:
        w.writerow([r.code, r.name, r.population])
    path.write_bytes(buf.getvalue().encode("utf-8"))
