"""Helpers for the engine tests: a warehouse in memory and staging rows written by hand.

No tests here; test_engine.py and test_indicators.py import these helpers.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES, staging_columns
from pipelines.contract.reference import load_equipment_norms, load_regions, load_ring_norms
from pipelines.core import paths
from pipelines.engine.reasons import write_judgements, write_reference
from pipelines.ingest.warehouse import ensure_schema

TABLE = {name: m.table for name, m in MODULES.items()}
NOW = dt.datetime(2025, 1, 1)
# Named, so a column the warehouse adds later (validation_run, ...) is left null rather than breaking every test.
STATUS_COLUMNS = (
    "(wave, region_code, module, source_file, status, n_rows, n_errors, n_warnings, message, earlier_data_in_use,"
    " source_sha256)"
)


def new_warehouse(
    regions: list[tuple[str, str, int]] | None = None,
    ring_norms: dict | None = None,
    equipment_norms: dict | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the loader's tables and the ref_ tables.

    Without arguments the reference comes from data/reference/. ``ring_norms``
    maps (zone, discipline) -> code or None; ``equipment_norms`` maps
    (discipline, role, item) -> code or None; cells not given are None.
    """
    con = duckdb.connect()
    ensure_schema(con)
    if regions is None:
        regions = [(r.code, r.name, r.population) for r in load_regions(paths.REFERENCE)]
    set_regions(con, regions)
    if ring_norms is None:
        ring = [(*n.key, n.code, n.source or None) for n in load_ring_norms(paths.REFERENCE).values()]
    else:
        ring = [
            (z, d, ring_norms.get((z, d)), "test" if ring_norms.get((z, d)) else None)
            for z, d in MODULES["ringenmodel"].expected_grid()
        ]
    _replace(con, "ref_ring_model_norms", pd.DataFrame(ring, columns=["zone", "discipline", "norm_access", "source"]))
    if equipment_norms is None:
        eq = [(*n.key, n.code, n.source or None) for n in load_equipment_norms(paths.REFERENCE).values()]
    else:
        eq = [
            (d, r, i, equipment_norms.get((d, r, i)), "test" if equipment_norms.get((d, r, i)) else None)
            for d, r, i in MODULES["middelen"].expected_grid()
        ]
    _replace(
        con, "ref_equipment_norms", pd.DataFrame(eq, columns=["discipline", "role", "item", "norm_level", "source"])
    )
    write_reference(con, paths.REFERENCE, [r[0] for r in regions])
    return con


def set_judgements(con, rows: list[tuple]) -> None:
    """ref_judgements from rows of :data:`pipelines.contract.reasons.JUDGEMENT_TABLE_COLUMNS`."""
    write_judgements(con, rows)


def set_regions(con, regions: list[tuple[str, str, int]]) -> None:
    _replace(con, "ref_regions", pd.DataFrame(regions, columns=["region_code", "region_name", "population"]))


def _replace(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_incoming", frame)
    con.execute(f"create or replace table {table} as select * from _incoming")
    con.unregister("_incoming")


def load(con, wave: int, region: str, module: str, rows: list[dict] | None = None, status: str = "geladen") -> None:
    """Stage a module of one region in one wave (rows with English column names) and mark it in use."""
    rows = rows or []
    m = MODULES[module]
    if rows:
        frame = pd.DataFrame(rows)
        frame["wave"] = wave
        frame["region_code"] = region
        frame["source_file"] = f"{wave}/{region}.xlsx"
        frame["source_sheet"] = module
        frame["source_row"] = range(2, len(frame) + 2)
        frame["loaded_at"] = NOW
        frame = frame.reindex(columns=staging_columns(m))
        con.register("_incoming", frame)
        con.execute(f"insert into {m.table} by name select * from _incoming")
        con.unregister("_incoming")
    con.execute(
        "insert into stg_module_loads values (?, ?, ?, ?, ?, ?, ?, ?)",
        [wave, region, module, f"{wave}/{region}.xlsx", "sha", module, len(rows), NOW],
    )
    con.execute(
        "insert into stg_submission_status " + STATUS_COLUMNS + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [wave, region, module, f"{wave}/{region}.xlsx", status, len(rows), 0, 0, "", False, "sha"],
    )


def status(con, wave: int, region: str, module: str, status: str, n_errors: int = 0, source_file: str | None = None):
    """A status row for a module that is not in use (ontbreekt, afgewezen, conflict)."""
    con.execute(
        "insert into stg_submission_status " + STATUS_COLUMNS + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [wave, region, module, source_file, status, 0, n_errors, 0, "test", False, None],
    )


def exercise(i: int, level="operationeel", disciplines=("brandweer", "politie"), ncc=False, chars=(), evaluated=True):
    return dict(
        exercise_id=f"OEF-{i}",
        exercise_date=dt.date(2024, 3, 1),
        level=level,
        form="tabletop",
        scenario="steekincident",
        disciplines=list(disciplines),
        with_national_crisis_org=ncc,
        with_other_region=False,
        characteristics_exercised=list(chars),
        evaluated=evaluated,
        participants=10,
    )


def risk(method="regionaal_risicoprofiel", kans=3, present=True, adopted=True, hr=5, ev=10):
    return dict(
        method=method,
        probability_score=kans,
        impact_score=3,
        extra_preparation="ja",
        substantiation_present=present,
        board_adopted=adopted,
        adopted_on=dt.date(2024, 1, 15) if adopted else None,
        high_risk_sites=hr,
        large_events=ev,
        notes=None,
    )


def plan(
    in_plan: dict[str, bool] | None = None,
    substantiated: dict[str, bool] | None = None,
    texts: dict[str, str] | None = None,
    valid_until: dict[str, int] | None = None,
):
    in_plan, substantiated, texts, until = in_plan or {}, substantiated or {}, texts or {}, valid_until or {}
    return [
        dict(
            characteristic=c,
            in_plan=in_plan.get(c, False),
            not_exercising_substantiated=substantiated.get(c),
            substantiation_text=texts.get(c),
            valid_until=until.get(c),
        )
        for c in CATALOGUES["bijzonderheid"].codes
    ]


def ring(access: dict[tuple[str, str], str] | None = None, notes: dict | None = None, default="vrij"):
    access, notes = access or {}, notes or {}
    return [
        dict(zone=z, discipline=d, access=access.get((z, d), default), deviation_note=notes.get((z, d)))
        for z, d in MODULES["ringenmodel"].expected_grid()
    ]


def equipment(
    levels: dict[tuple[str, str], str] | None = None,
    notes: dict | None = None,
    default="persoonlijk",
    valid_until: dict[tuple[str, str], int] | None = None,
):
    levels, notes, until = levels or {}, notes or {}, valid_until or {}
    return [
        dict(
            discipline=d,
            role=r,
            item=i,
            availability=levels.get((r, i), default),
            quantity=1,
            trained=True,
            deviation_note=notes.get((r, i)),
            valid_until=until.get((r, i)),
        )
        for d, r, i in MODULES["middelen"].expected_grid()
    ]


def lesson(
    i: int,
    source="oefening",
    shared="virtueel_kantoor",
    follow_up="uitgevoerd",
    taken_from=None,
    characteristic="nazorg",
):
    return dict(
        lesson_id=f"LES-{i}",
        source=source,
        source_exercise_id=None,
        characteristic=characteristic,
        description="les",
        shared_via=shared,
        follow_up=follow_up,
        taken_from_region=taken_from,
    )


# --------------------------------------------------------------------------
# A synthetic warehouse of any size (vectorised), for the model and speed tests
# --------------------------------------------------------------------------


def synthetic(
    con, n_regions: int = 25, waves=range(2019, 2026), seed: int = 1, plant: dict | None = None
) -> pd.DataFrame:
    """Fill the staging tables with plausible returns of ``n_regions`` regions.

    ``plant`` maps (wave, region_code) -> exercise count to force. Returns the
    region-wave frame used (population, risk basis, counts).
    """
    rng = np.random.default_rng(seed)
    waves = list(waves)
    codes = [f"R{i:04d}" for i in range(1, n_regions + 1)]
    pop = np.round(np.exp(rng.normal(np.log(600_000), 0.4, n_regions))).astype(int)
    set_regions(con, [(c, f"Regio {c}", int(p)) for c, p in zip(codes, pop)])
    rw = pd.DataFrame([(w, c, p) for w in waves for c, p in zip(codes, pop)], columns=["wave", "region_code", "pop"])
    n = len(rw)
    rel = rw["pop"].to_numpy() / 600_000
    rw["hr"] = rng.poisson(4 * rel)
    rw["ev"] = rng.poisson(8 * rel)
    wave_eff = {w: 0.05 * k for k, w in enumerate(waves)}
    mu = np.exp(np.log(4) + 0.9 * np.log(rel) + 0.04 * rw["hr"] + 0.02 * rw["ev"] + rw["wave"].map(wave_eff))
    rw["count"] = rng.poisson(mu)
    for (w, c), k in (plant or {}).items():
        rw.loc[(rw.wave == w) & (rw.region_code == c), "count"] = k
    methods = np.array(CATALOGUES["methode"].codes)
    rw["method"] = rng.choice(methods, n, p=[0.3, 0.4, 0.15, 0.1, 0.05])
    rw["kans"] = np.clip(np.round(2 + 0.8 * np.log(rel) + 0.1 * rw["hr"] + rng.normal(0, 0.6, n)), 1, 5).astype(int)

    def prov(frame, module):
        frame["source_file"] = frame["wave"].astype(str) + "/" + frame["region_code"] + ".xlsx"
        frame["source_sheet"] = module
        frame["source_row"] = frame.groupby(["wave", "region_code"]).cumcount() + 2
        frame["loaded_at"] = NOW
        return frame

    def insert(module, frame):
        m = MODULES[module]
        frame = prov(frame, module).reindex(columns=staging_columns(m))
        con.register("_incoming", frame)
        con.execute(f"insert into {m.table} by name select * from _incoming")
        con.unregister("_incoming")

    # risico
    r = rw[["wave", "region_code"]].copy()
    r["method"], r["probability_score"], r["impact_score"] = rw["method"], rw["kans"], 3
    r["extra_preparation"] = "ja"
    r["substantiation_present"] = rng.random(n) < 0.8
    r["board_adopted"] = rng.random(n) < 0.8
    r["adopted_on"] = pd.NaT
    r["high_risk_sites"], r["large_events"] = rw["hr"], rw["ev"]
    insert("risico", r)
    # oefeningen
    idx = np.repeat(np.arange(n), rw["count"].to_numpy())
    e = rw.iloc[idx][["wave", "region_code"]].reset_index(drop=True)
    k = len(e)
    e["exercise_id"] = "OEF-" + pd.Series(np.arange(k)).astype(str)
    e["exercise_date"] = pd.to_datetime(e["wave"].astype(str) + "-06-01")
    e["level"] = rng.choice(CATALOGUES["niveau"].codes, k)
    e["form"] = "tabletop"
    e["scenario"] = "steekincident"
    disc = [["brandweer", "politie"], ["politie"], ["brandweer", "ambulance", "politie"]]
    e["disciplines"] = [disc[j] for j in rng.integers(0, 3, k)]
    e["with_national_crisis_org"] = rng.random(k) < 0.2
    e["with_other_region"] = False
    chars = CATALOGUES["bijzonderheid"].codes
    e["characteristics_exercised"] = [list(rng.choice(chars, 3, replace=False)) for _ in range(k)]
    e["evaluated"] = rng.random(k) < 0.8
    e["participants"] = 20
    insert("oefeningen", e)
    # planvorming
    p = rw.iloc[np.repeat(np.arange(n), len(chars))][["wave", "region_code"]].reset_index(drop=True)
    p["characteristic"] = np.tile(chars, n)
    p["in_plan"] = rng.random(len(p)) < 0.8
    p["not_exercising_substantiated"] = rng.random(len(p)) < 0.3
    p["substantiation_text"] = "onderbouwing"
    insert("planvorming", p)
    # ringenmodel: everyone at the national interpretation, warm zone 'met_bescherming'
    grid = MODULES["ringenmodel"].expected_grid()
    g = rw.iloc[np.repeat(np.arange(n), len(grid))][["wave", "region_code"]].reset_index(drop=True)
    g["zone"] = np.tile([z for z, _ in grid], n)
    g["discipline"] = np.tile([d for _, d in grid], n)
    norm = {"hot": "geen", "warm": "met_bescherming", "cold": "vrij"}
    g["access"] = g["zone"].map(norm)
    g.loc[(g.zone == "hot") & (g.discipline == "politie"), "access"] = "met_bescherming"
    g["deviation_note"] = None
    insert("ringenmodel", g)
    # middelen
    grid = MODULES["middelen"].expected_grid()
    q = rw.iloc[np.repeat(np.arange(n), len(grid))][["wave", "region_code"]].reset_index(drop=True)
    q["discipline"] = np.tile([d for d, _, _ in grid], n)
    q["role"] = np.tile([r_ for _, r_, _ in grid], n)
    q["item"] = np.tile([i for _, _, i in grid], n)
    q["availability"] = np.where(rng.random(len(q)) < 0.9, "persoonlijk", "per_voertuig")
    q["quantity"], q["trained"], q["deviation_note"] = 1, True, None
    insert("middelen", q)
    # lessen
    nl = rng.poisson(3, n)
    l_ = rw.iloc[np.repeat(np.arange(n), nl)][["wave", "region_code"]].reset_index(drop=True)
    kl = len(l_)
    l_["lesson_id"] = "LES-" + pd.Series(np.arange(kl)).astype(str)
    l_["source"] = rng.choice(["oefening", "incident", "andere_regio", "landelijk"], kl)
    l_["source_exercise_id"] = None
    l_["characteristic"] = "nazorg"
    l_["description"] = "les"
    l_["shared_via"] = rng.choice(CATALOGUES["gedeeld"].codes, kl)
    l_["follow_up"] = rng.choice(CATALOGUES["opvolging"].codes, kl)
    l_["taken_from_region"] = np.where(l_["source"] == "andere_regio", codes[0], None)
    insert("lessen", l_)
    # module loads and statuses
    loads = rw[["wave", "region_code"]].merge(pd.DataFrame({"module": list(MODULES)}), how="cross")
    loads["source_file"] = loads["wave"].astype(str) + "/" + loads["region_code"] + ".xlsx"
    loads["source_sha256"] = "sha"
    loads["source_sheet"] = loads["module"]
    loads["n_rows"] = 0
    loads["loaded_at"] = NOW
    con.register("_incoming", loads)
    con.execute("insert into stg_module_loads by name select * from _incoming")
    con.execute("""insert into stg_submission_status by name
                   select wave, region_code, module, source_file, 'geladen' as status, n_rows, 0 as n_errors,
                          0 as n_warnings, '' as message, false as earlier_data_in_use, source_sha256
                   from _incoming""")
    con.unregister("_incoming")
    return rw
