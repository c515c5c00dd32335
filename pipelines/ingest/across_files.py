"""The codebook's rules across files that say which files of a wave conflict, implemented once.

Used by the run (:mod:`pipelines.ingest.sources`, which then chooses a source
per region and module) and by ``regiobench validate``
(:mod:`pipelines.ingest.validation.files`, which reports the conflicts), so
that both call the same files a conflict:

1. Two or more workbooks of one region in one wave: none of them is loaded.
2. Two or more exports of one module in one wave (``risico.csv`` and
   ``Risico.CSV``): neither is read.

Only the grouping lives here; the wording of a conflict differs between the
run's status rows and validate's problems and stays with each. Standard
library only; reads no file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

F = TypeVar("F")
K = TypeVar("K", bound=Hashable)


def _doubles(items: Iterable[tuple[K, F]]) -> dict[K, list[F]]:
    """Per key, its files in the order given, where a key has two or more."""
    groups: dict[K, list[F]] = defaultdict(list)
    for key, f in items:
        groups[key].append(f)
    return {key: fs for key, fs in groups.items() if len(fs) > 1}


def workbook_conflicts(workbooks: Iterable[tuple[K, F]]) -> dict[K, list[F]]:
    """Rule 1: ``(region, workbook)`` of one wave (or any key naming region and wave) -> the conflicting workbooks."""
    return _doubles(workbooks)


def export_conflicts(exports: Iterable[tuple[K, F]]) -> dict[K, list[F]]:
    """Rule 2: ``(module, export)`` of one wave -> the conflicting exports."""
    return _doubles(exports)
