"""The hostile corpus (tests/ingest/corpus.py) is what its names say: a test elsewhere cannot pass on a
toothless bomb."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.ingest.corpus import GiB, MiB, million_rows, sheet_part, sparse_grid, zip_bomb


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from pipelines import sample

    root = tmp_path_factory.mktemp("corpus")
    sample.generate(root, [2024], seed=5, regions=sample.make_regions(1, 5), form="xlsx")
    return next((root / "2024").glob("*.xlsx"))


@pytest.mark.slow  # builds the bombs (21 s here)
def test_bombs_are_small_on_disk_and_huge_inside(template, tmp_path):
    honest, liar = tmp_path / "honest.xlsx", tmp_path / "liar.xlsx"
    zip_bomb(template, honest, gib=2)
    zip_bomb(template, liar, gib=2, lie=True)
    part = sheet_part(template, "lessen")
    assert honest.stat().st_size < 4 * MiB and liar.stat().st_size < 4 * MiB
    with zipfile.ZipFile(honest) as zf, zipfile.ZipFile(liar) as zl:
        assert zf.getinfo(part).file_size > 2 * GiB
        assert zl.getinfo(part).file_size == 1024  # the same deflate stream behind a header that lies
        with zf.open(part) as fh, zl.open(part) as fl:
            fl._left = 1 << 40  # a reader that ignores the declared size goes on reading
            for f in (fh, fl):  # a quarter of it is enough to see that it is real
                assert sum(len(f.read(64 * MiB)) for _ in range(4)) == 256 * MiB


def test_sparse_grid_and_million_rows_are_what_they_say(template, tmp_path):
    sparse, tall = tmp_path / "sparse.xlsx", tmp_path / "tall.xlsx"
    sparse_grid(template, sparse)
    million_rows(template, tall)
    assert sparse.stat().st_size < 64 * 1024
    with zipfile.ZipFile(tall) as zf:
        xml = zf.read(sheet_part(template, "lessen"))
    assert xml.count(b"<row ") == 1_000_001 and len(xml) < 60 * MiB
    assert tall.stat().st_size < 10 * MiB
