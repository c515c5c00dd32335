"""The quality page links each submission status to the Great Expectations run it came from (issue 20, point 4).

Fast: the synthetic warehouse, no browser. The link must resolve from the published site to a file in the
validation folder, wherever the two folders are, as the analyst opens the site from file://.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.validation_runs import result_path
from pipelines.site import build_site
from tests.site.synthetic import build_synthetic_warehouse
from tests.site.test_site import page_data, unpack
from tests.support import ROOT

REFERENCE = ROOT / "data" / "reference"
RUN = "20261206T045012Z_0b5c1d2e-run"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("validation-links")
    build_synthetic_warehouse(base / "w.duckdb")
    with duckdb.connect(str(base / "w.duckdb")) as con:
        for column in ("validation_run", "validation_path"):
            con.execute(f"alter table marts.submission_status add column if not exists {column} varchar")
        # the first region's loaded modules were checked in RUN; everything else was not checked
        con.execute(
            "update marts.submission_status set validation_run = ?, validation_path = 'runs/' || ? || '/' || module "
            "|| '.json' where status = 'geladen' and region_code = (select min(region_code) from marts.submission_status)",
            [RUN, RUN],
        )
        checked = con.execute(
            "select wave, region_code, module from marts.submission_status where validation_run is not null"
        ).fetchall()
    assert checked
    return base / "w.duckdb"


def _results(validation: Path, modules) -> None:
    for module in modules:
        target = validation / result_path(RUN, module)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("{}", encoding="utf-8")
    (validation / "runs" / RUN / "run.json").write_text("{}", encoding="utf-8")


@pytest.mark.parametrize(
    "site_at, validation_at",
    [("dashboards", "data/validation"), ("pub/site", "elders/gx"), ("samen", "samen/validation")],
    ids=["project-layout", "far-apart", "inside"],
)
def test_every_status_links_the_result_of_its_run(warehouse, tmp_path, site_at, validation_at):
    site, validation = tmp_path / site_at, tmp_path / validation_at
    with duckdb.connect(str(warehouse), read_only=True) as con:
        modules = [m for (m,) in con.execute("select distinct module from marts.submission_status").fetchall()]
        build_site(con, site, REFERENCE, tmp_path / "marts", site, validation)
    _results(validation, modules)
    data = page_data(site / "kwaliteit.html")
    rows = unpack(data["status"])
    linked = [r for r in rows if r.get("validation_path")]
    assert linked and len(linked) < len(rows)  # some statuses came from a run, some from none
    assert data["validation_href"].endswith("/") and not data["validation_href"].startswith("/")
    for r in linked:
        assert r["validation_run"] == RUN
        href = data["validation_href"] + r["validation_path"]
        assert (site / href).resolve() == (validation / result_path(RUN, r["module"])).resolve()
        assert (site / href).is_file()
    assert all(r.get("validation_run") is None for r in rows if not r.get("validation_path"))
    # the run's manifest, which the list of runs links
    assert (site / (data["validation_href"] + f"runs/{RUN}/run.json")).is_file()
    shutil.rmtree(site)


def test_a_warehouse_from_before_the_runs_gives_no_links(tmp_path):
    build_synthetic_warehouse(tmp_path / "w.duckdb")  # marts.submission_status without the two columns
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        build_site(con, tmp_path / "out", REFERENCE)
    rows = unpack(page_data(tmp_path / "out" / "kwaliteit.html")["status"])
    assert rows and not any(r.get("validation_path") or r.get("validation_run") for r in rows)
