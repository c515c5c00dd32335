"""Test data builders and readers that several test modules share (fixtures live in conftest.py, the CLI
runner in support.py). Test modules import from here, never from one another."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import duckdb

from pipelines import sample
from tests.support import ROOT


def rewrite_export(path: Path, change) -> None:
    """An export's rows as dicts (line breaks in cells flattened, so row i is on line i + 2), edited, written back."""
    text = path.read_bytes().decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = [
        {k: " ".join(v.split()) for k, v in r.items()}
        for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    change(rows)
    sample.write_export(path, rows, delimiter=",", encoding="utf-8")


def _norm(value):
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else round(value, 9)
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    return value


#: Which validation run checked a status (and its result file): every run that checks the waves again makes a
#: new one by design (docs/validation-results.md), so two runs over the same returns differ only there.
RUN_COLUMNS = ("validation_run", "validation_path")


def without_run_columns(con, relation: str) -> str:
    """``relation``'s columns but :data:`RUN_COLUMNS`, as a select list."""
    names = [c for (c, *_) in con.execute(f"describe select * from {relation}").fetchall()]
    return ", ".join(f'"{c}"' for c in names if c not in RUN_COLUMNS)


def mart_contents(folder: Path) -> dict[str, list[tuple]]:
    """Every mart file's rows, sorted; floats to 9 decimals (DuckDB's parallel sums may differ in the last bit).

    Without :data:`RUN_COLUMNS`: the same returns give the same marts whichever run checked them."""
    out = {}
    with duckdb.connect() as con:
        for path in sorted(folder.glob("*.parquet")):
            relation = f"read_parquet('{path}')"
            rows = con.execute(f"select {without_run_columns(con, relation)} from {relation} order by all").fetchall()
            out[path.stem] = [tuple(_norm(v) for v in row) for row in rows]
    assert out, f"no marts in {folder}"
    return out


def staged_warehouse(tmp_path: Path, waves: list[int]):
    """Four regions' sample returns for ``waves`` staged in a fresh warehouse (without validation), with the
    resources pointing at folders under ``tmp_path``. Returns ``(warehouse path, resources)``."""
    import shutil

    from pipelines.ingest.discovery import list_waves
    from pipelines.ingest.loader import ingest_waves
    from pipelines.ingest.warehouse import ensure_schema

    regions = sample.make_regions(4, 3)
    raw, ref = tmp_path / "raw", tmp_path / "reference"
    sample.generate(raw, waves, seed=3, regions=regions, form="xlsx")
    ref.mkdir()
    sample.write_regions_csv(regions, ref / "regions.csv")
    # the shipped norms and rules, whatever files they are; not the regions (these are generated) nor the
    # judgements (they name the shipped sample's reasons)
    for path in (ROOT / "data" / "reference").glob("*.csv"):
        if path.name not in ("regions.csv", "wegingen.csv"):
            shutil.copy(path, ref / path.name)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)
        ingest_waves(con, raw, list_waves(raw), [r.code for r in regions])
    return staged_resources(tmp_path)


def staged_resources(root: Path):
    """``(warehouse path, resources)`` for a folder :func:`staged_warehouse` filled, or a copy of one."""
    from pipelines.defs.resources import make_resources

    warehouse = root / "w.duckdb"
    resources = make_resources(
        warehouse,
        raw_dir=root / "raw",
        reference_dir=root / "reference",
        marts_dir=root / "marts",
        dashboards_dir=root / "dash",
        validation_dir=root / "val",
    )
    return warehouse, resources


#: Rows of a small ``marts.variation_register`` (a real mart's name: its contract gives labels and formats)
#: with what spreadsheets trip over: diacritics, a delimiter, quotes and a line break in a text, a formula,
#: a list of years that Dutch Excel could read as one decimal number, unknown codes, tiny, negative and
#: non-finite numbers, empty values.
AWKWARD_REGISTER = [
    (2019, "VR02", "Fryslân", "ex_count", 1 / 3, 5.0, "afwijking_niet_onderbouwd", 'a;b "c"\nd', True, "2019, 2020", 4),
    (2020, "VR03", "=1+1", "onbekend_id", -1.5, 1e-08, "conform", "één – tau²", False, "2020", None),
    (2021, "VR04", None, None, float("nan"), float("inf"), None, "", None, None, 10),
]
AWKWARD_COLUMNS = (
    "wave integer, region_code varchar, region_name varchar, indicator_id varchar, value double, "
    "p_unfavourable double, verdict varchar, explanation varchar, substantiated boolean, window_waves varchar, "
    "recommendation integer"
)


def awkward_register(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create ``marts.variation_register`` with :data:`AWKWARD_REGISTER` in ``con``; returns the mart names."""
    con.execute("create schema if not exists marts")
    con.execute(f"create table marts.variation_register ({AWKWARD_COLUMNS})")
    con.executemany(f"insert into marts.variation_register values ({', '.join('?' * 11)})", AWKWARD_REGISTER)
    return ["variation_register"]
