"""Small helpers of the sample generator: random streams, weighted picks, slugs, the three-wave window.

Every random draw of the generator comes from :func:`_rng`, one independent,
reproducible stream per purpose, so that a change in one part of the world does
not shift the draws of another. Nothing here knows about regions or plants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.reference import slug  # noqa: F401  (re-exported: workbook names in the sample)
from pipelines.sample.names import _code


def _rng(seed: int, *keys) -> np.random.Generator:
    """An independent, reproducible stream per purpose (region, wave, ...)."""
    words = [int(seed) & 0xFFFFFFFF]
    for k in keys:
        words.append(int.from_bytes(hashlib.blake2b(str(k).encode(), digest_size=4).digest(), "big"))
    return np.random.default_rng(np.random.SeedSequence(words))


def _pick(rng: np.random.Generator, items: Sequence, p=None):
    """One item, uniformly or with weights ``p`` (need not sum to 1)."""
    if p is None:
        return items[int(rng.integers(len(items)))]
    u = rng.random() * float(sum(p))
    acc = 0.0
    for item, w in zip(items, p):
        acc += w
        if u < acc and w > 0:
            return item
    return next(item for item, w in zip(reversed(items), reversed(list(p))) if w > 0)


def _weights(catalogue: str, named: Mapping[str, float], default: float = 1.0) -> list[float]:
    codes = CATALOGUES[catalogue].codes
    for c in named:
        _code(catalogue, c)
    return [float(named.get(c, default)) for c in codes]


def _window(t: int, waves: Sequence[int]) -> list[int]:
    """The wave and the two before it ("last three waves"), as far as they exist."""
    return [w for w in waves if t - 2 <= w <= t]


def _level(cat, code: str) -> int:
    return cat.levels[code]


def _code_at(cat, level: int) -> str:
    return cat.codes[level]
