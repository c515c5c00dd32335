"""The small generated world the ingest tests load: four regions, workbooks of 2023 and 2024 and exports of 2024.

Generated once per session; a test copies what it changes (see the ``raw`` fixture of each module).
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines import sample
from pipelines.ingest.warehouse import ensure_schema

SEED = 7


@pytest.fixture(scope="session")
def regions():
    return sample.make_regions(4, SEED)


@pytest.fixture
def codes(regions):
    return [r.code for r in regions]


@pytest.fixture(scope="session")
def pristine(tmp_path_factory, regions):
    """Workbooks and exports of the same world, generated once; tests copy them."""
    root = tmp_path_factory.mktemp("pristine")
    sample.generate(root / "xlsx", [2023, 2024], seed=SEED, regions=regions, form="xlsx")
    sample.generate(root / "csv", [2024], seed=SEED, regions=regions, form="csv")
    return root


@pytest.fixture
def con():
    """An empty warehouse in memory with the loader's tables."""
    c = duckdb.connect(":memory:")
    ensure_schema(c)
    yield c
    c.close()
