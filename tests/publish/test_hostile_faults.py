"""A disk that fills up while the marts or the dashboards are being published.

The file-size limit of the process (RLIMIT_FSIZE; works as root, unlike a read-only folder) makes every write
past a few kilobytes fail with EFBIG, in the middle of pyarrow's, the CSV writer's, the XLSX writer's or the
site builder's work: the same failure as a full disk. The previous publication must stay byte for byte what it
was, no half-written folder may be left next to it, and the next publication must succeed without any manual
step. (A run killed with SIGKILL is tested elsewhere; the locked warehouse in test_hostile_output.py.)
"""

from __future__ import annotations

import errno
import hashlib
import resource
import signal
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines.publish.outputs import export_marts, staged_folder
from pipelines.site import build_site
from tests.site.synthetic import build_synthetic_warehouse
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"


pytestmark = pytest.mark.slow  # full-disk publications in a loop (44 s here): left out of make test-fast


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "w.duckdb"
    build_synthetic_warehouse(path, waves=[2024, 2025])
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def marts(con) -> list[str]:
    return [
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]


@contextmanager
def disk_full_after(nbytes: int):
    """Every file write of this process past ``nbytes`` fails (EFBIG), as on a full disk."""
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error instead of the signal that kills
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
        signal.signal(signal.SIGXFSZ, handler)


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


PUBLISH = {
    "marts": lambda con, folder: export_marts(con, marts(con), folder),
    "dashboards": lambda con, folder: build_site(con, folder, REFERENCE),
}


@pytest.mark.parametrize("what,limit", [("marts", 4096), ("marts", 200_000), ("dashboards", 64 * 1024)])
def test_a_full_disk_while_publishing_leaves_the_previous_publication_intact(warehouse, tmp_path, what, limit):
    target = tmp_path / what
    with staged_folder(target) as folder:
        PUBLISH[what](warehouse, folder)
    before = digest(target)
    assert len(before) > 5

    with pytest.raises(OSError) as failed, disk_full_after(limit), staged_folder(target) as folder:
        PUBLISH[what](warehouse, folder)
    assert failed.value.errno == errno.EFBIG or "too large" in str(failed.value).lower(), failed.value
    assert digest(target) == before  # readers still see the whole previous publication
    assert sorted(p.name for p in tmp_path.iterdir()) == [what]  # and nothing half-written beside it

    with staged_folder(target) as folder:  # the next run: no manual step
        PUBLISH[what](warehouse, folder)
    assert set(digest(target)) == set(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == [what]


def test_a_full_disk_while_writing_a_dutch_csv_leaves_the_previous_publication_intact(warehouse, tmp_path):
    """The file-size limit set between the first mart's CSV and its (larger) CSV for Dutch Excel."""
    target = tmp_path / "marts"
    with staged_folder(target) as folder:
        PUBLISH["marts"](warehouse, folder)
    before = digest(target)
    first = marts(warehouse)[0]
    limit = (target / f"{first}.csv").stat().st_size + 1
    assert (target / f"{first}.parquet").stat().st_size < limit < (target / "nl" / f"{first}.csv").stat().st_size

    with pytest.raises(OSError) as failed, disk_full_after(limit), staged_folder(target) as folder:
        PUBLISH["marts"](warehouse, folder)
    assert f"nl/{first}.csv" in str(failed.value), failed.value
    assert digest(target) == before and f"nl/{first}.csv" in before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]
