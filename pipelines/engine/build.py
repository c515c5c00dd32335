"""The variation engine: from the staging layer to the published marts.

:func:`build_marts` runs, in one DuckDB transaction (all or nothing):

1. two small tables made from the code: ``int_catalogue_levels`` (the ordinal
   catalogues of :mod:`pipelines.contract.codebook`, so that SQL compares
   ``per_voertuig`` with ``persoonlijk`` without listing codes again) and
   ``int_indicator_definitions`` (:data:`INDICATORS`), and ``int_lesson_subjects``
   (:data:`pipelines.contract.learning.LESSON_SUBJECTS`);
2. every SQL model in ``pipelines/sql/intermediate/`` (table name = file name,
   run in dependency order): the indicators per wave x region;
3. the statistics (:mod:`pipelines.engine.riskmodel` and
   :mod:`pipelines.engine.funnel`): ``int_risk_model``, ``int_wave_statistics``
   and the verdicts with their explanations (:mod:`pipelines.engine.explain`) in
   ``marts.variation_register``; from the register and the risk basis
   (:mod:`pipelines.engine.spread`) ``int_variation_size``, ``int_region_peers`` and
   ``int_region_distances``;
4. every SQL model in ``pipelines/sql/marts/`` as ``marts.<file name>``.

This module orchestrates the tables and runs the SQL models; the statistics
and the register are computed in :mod:`pipelines.engine.register` and the
checks on the marts live in :mod:`pipelines.engine.checks`.

Pure Python: no Dagster import. ``docs/verdicts.md`` describes the method.
"""

from __future__ import annotations

import re
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract import indicators, learning, verdicts
from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import SUBMISSION_STATUSES  # noqa: F401 (re-exported)
from pipelines.contract.marts import MARTS as MART_CONTRACTS
from pipelines.contract.reasons import REASON_CELL_KIND
from pipelines.core import paths, problems
from pipelines.engine import spread
from pipelines.engine.register import LOOKBACK, TRIM, build_register  # noqa: F401 (TRIM re-exported)
from pipelines.engine.severity import SEVERITY_CAP

#: Recommendations 1..N_RECOMMENDATIONS are tracked; those without indicators are 'buiten_uitvraag'.
N_RECOMMENDATIONS = 10

INTERMEDIATE_DIR = paths.SQL / "intermediate"
MARTS_DIR = paths.SQL / "marts"

# --------------------------------------------------------------------------
# The indicators (docs/method.md, "Indicators")
# --------------------------------------------------------------------------


# The indicators and codes live in pipelines/contract/ (one home per fact); re-exported here.
Indicator = indicators.Indicator
INDICATORS = indicators.INDICATORS
INDICATOR_IDS = indicators.INDICATOR_IDS
BY_ID = indicators.BY_ID
NORM_SOURCES = tuple(verdicts.NORM_SOURCE_LABELS)
PLAN_STATUSES = verdicts.PLAN_STATUSES
TRACKER_STATUSES = verdicts.TRACKER_STATUSES

# --------------------------------------------------------------------------
# The contract (pipelines/sql/marts/<mart>.toml, see pipelines/contract/marts.py)
# --------------------------------------------------------------------------

#: The contract columns of every mart: these columns first, in this order.
MART_COLUMNS: dict[str, tuple[str, ...]] = {m.name: m.contract_columns for m in MART_CONTRACTS.values()}

#: The grain of every mart: its key columns (none for submission_problems: one row per problem).
MART_KEYS: dict[str, tuple[str, ...]] = {m.name: m.key for m in MART_CONTRACTS.values()}

# --------------------------------------------------------------------------
# Tables written from Python, with their columns and types
# --------------------------------------------------------------------------

_CATALOGUE_LEVELS_SCHEMA = {"catalogue": "varchar", "code": "varchar", "level": "integer"}
_DEFINITIONS_SCHEMA = {
    "indicator_id": "varchar",
    "domain": "varchar",
    "norm_type": "varchar",
    "polarity": "varchar",
    "target": "double",
    "recommendation": "integer",
    "modules": "varchar",
    "substantiation_rule": "varchar",
    "reason_cell_kind": "varchar",
    "lesson_subject": "varchar",
    "label": "varchar",
    "sort_order": "integer",
}
_LESSON_SUBJECTS_SCHEMA = {"indicator_id": "varchar", "characteristic": "varchar"}
_RISK_MODEL_SCHEMA = {
    "wave": "integer",
    "region_code": "varchar",
    "indicator_id": "varchar",
    "observed": "double",
    "expected": "double",
    "residual": "double",
    "z_score": "double",
    "basis_wave": "integer",
    "log_population": "double",
    "high_risk_sites": "double",
    "large_events": "double",
    "method": "varchar",
    "n_obs": "integer",
    "n_model_waves": "integer",
}
_WAVE_STATS_SCHEMA = {
    "wave": "integer",
    "indicator_id": "varchar",
    "norm_type": "varchar",
    "national_value": "double",
    "target": "double",
    "phi": "double",
    "tau2": "double",
    "overdispersed": "boolean",
    "n_trimmed_low": "integer",
    "n_trimmed_high": "integer",
    "r2_risk": "double",
    "r2_method": "double",
    "residual_sd": "double",
    "n_model_waves": "integer",
    "expectation_weak": "boolean",
    "note": "varchar",
    "overdispersion_method": "varchar",
    "alternative_method": "varchar",
    "phi_alternative": "double",
    "tau2_alternative": "double",
    "n_outside_998": "integer",
    "n_outside_998_alternative": "integer",
}
#: Every column of marts.variation_register with its type, from its contract file.
_REGISTER_SCHEMA = MART_CONTRACTS["variation_register"].types  # the same dict as register._REGISTER_SCHEMA

PY_INT_BEFORE = {"int_catalogue_levels": (), "int_indicator_definitions": (), "int_lesson_subjects": ()}
PY_INT_AFTER = {
    "int_risk_model": ("int_indicators", "int_risk_basis"),
    "int_wave_statistics": ("int_indicators", "int_risk_basis"),
}
#: Written from the finished register and the risk basis (pipelines.engine.spread), before the SQL marts.
PY_INT_FROM_REGISTER = {
    "int_variation_size": ("marts.variation_register", "int_risk_basis"),
    "int_region_peers": ("int_risk_basis",),
    "int_region_distances": ("int_risk_basis",),
}
REGISTER_DEPS = (
    "int_indicators",
    "int_risk_basis",
    "int_waves",
    "int_indicator_definitions",
    "int_plausibility",
    "ref_regions",
    "stg_module_loads",
    "stg_submission_status",
)

# --------------------------------------------------------------------------
# SQL models
# --------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REF = re.compile(r"\b(marts\.[a-z0-9_]+|(?:int|stg|ref)_[a-z0-9_]+)\b")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def sql_models(folder: Path, prefix: str = "") -> dict[str, str]:
    """The SQL models in ``folder``: table name (``prefix`` + file name) -> SQL text."""
    out = {}
    for path in sorted(Path(folder).glob("*.sql")):
        if not _NAME.match(path.stem):
            raise ValueError(f"SQL-bestand {path.name}: de naam moet uit kleine letters, cijfers en _ bestaan")
        out[prefix + path.stem] = path.read_text(encoding="utf-8")
    return out


def references(sql: str) -> set[str]:
    """The warehouse tables a SQL text reads (int_, stg_, ref_ and marts.)."""
    return set(_REF.findall(_strip_comments(sql)))


def _order(models: dict[str, str]) -> list[str]:
    """The models in dependency order (a model after every model it reads)."""
    graph = {name: {r for r in references(sql) if r in models and r != name} for name, sql in models.items()}
    return list(TopologicalSorter(graph).static_order())


INT_SQL = sql_models(INTERMEDIATE_DIR)
MART_SQL = sql_models(MARTS_DIR, "marts.")
for _name in INT_SQL:
    if not _name.startswith("int_"):
        raise ValueError(f"intermediate model {_name}: the name must start with int_")
INT_SQL_ORDER = _order(INT_SQL)
MART_SQL_ORDER = _order(MART_SQL)

#: Every int_ table build_marts writes.
INT_TABLES: tuple[str, ...] = tuple([*PY_INT_BEFORE, *INT_SQL_ORDER, *PY_INT_AFTER, *PY_INT_FROM_REGISTER])
#: Every mart build_marts writes (schema ``marts``).
MART_TABLES: tuple[str, ...] = tuple(MART_COLUMNS)


def _dependencies() -> dict[str, tuple[str, ...]]:
    deps: dict[str, set[str]] = {}
    for name in PY_INT_BEFORE:
        deps[name] = set()
    for name, sql in {**INT_SQL, **MART_SQL}.items():
        deps[name] = references(sql) - {name}
    for name, ups in {**PY_INT_AFTER, **PY_INT_FROM_REGISTER}.items():
        deps[name] = set(ups)
    deps["marts.variation_register"] = set(REGISTER_DEPS) | set(PY_INT_AFTER)
    without_sql = set(MART_TABLES) - {m.split(".", 1)[1] for m in MART_SQL} - {"variation_register"}
    if without_sql:
        raise ValueError(f"marts without a file in pipelines/sql/marts/: {sorted(without_sql)}")
    return {k: tuple(sorted(v)) for k, v in deps.items()}


#: table -> the tables it reads (int_, stg_, ref_, marts.), for lineage.
DEPENDENCIES: dict[str, tuple[str, ...]] = _dependencies()


def _after_what_they_read(tables: tuple[str, ...]) -> tuple[str, ...]:
    """``tables`` in their order, except that a table moves after the tables it reads (a Dagster
    multi-asset must yield a table after its upstream tables)."""
    todo, done, out = list(tables), set[str](), list[str]()
    while todo:
        t = next((t for t in todo if set(DEPENDENCIES.get(t, ())) & set(tables) <= done), None)
        if t is None:
            raise ValueError(f"tables that read one another in a circle: {sorted(todo)}")
        todo.remove(t)
        done.add(t)
        out.append(t)
    return tuple(out)


#: Every table, fully named (int_ in main, marts.<name>), each after the tables it reads.
TABLES: tuple[str, ...] = _after_what_they_read(INT_TABLES + tuple(f"marts.{m}" for m in MART_TABLES))


def run_sql_model(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: dict | None = None) -> None:
    """``create or replace table <table> as <sql>``, binding the ``$name`` parameters the SQL uses."""
    schema, _, bare = table.rpartition(".")
    if not _NAME.match(bare) or (schema and not _NAME.match(schema)):
        raise ValueError(f"ongeldige tabelnaam {table!r}")
    params = params or {}
    used = set(_PARAM.findall(_strip_comments(sql)))
    missing = used - set(params)
    if missing:
        raise ValueError(f"{table}: parameter(s) {sorted(missing)} not given")
    con.execute(f"create or replace table {table} as\n{sql}", {k: params[k] for k in used} if used else None)


def sql_parameters(lookback: int = LOOKBACK) -> dict:
    return {
        "lookback": int(lookback),
        "n_recommendations": N_RECOMMENDATIONS,
        "severity_cap": SEVERITY_CAP,
        "n_peers": spread.N_PEERS,
        "max_matches": learning.MAX_MATCHES,
        "worsened_ratio": learning.WORSENED_SEVERITY_RATIO,
        "warning": problems.WARNING,
    }


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, schema: dict[str, str]) -> None:
    """Write ``frame`` as ``table`` with exactly the columns and types of ``schema``."""
    view = f"_engine_{table.replace('.', '_')}"
    frame = frame.reindex(columns=list(schema)).copy()
    for col, typ in schema.items():
        if typ == "varchar" or typ == "boolean":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        else:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
            frame[col] = frame[col].where(np.isfinite(frame[col]))
    con.register(view, frame)
    try:
        cols = ",\n    ".join(f"cast({c} as {t}) as {c}" for c, t in schema.items())
        con.execute(f"create or replace table {table} as select\n    {cols}\nfrom {view}")
    finally:
        con.unregister(view)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The tables the SQL models need from the code: ordinal catalogues and indicator definitions."""
    con.execute("create schema if not exists marts")
    levels = pd.DataFrame(
        [(c.name, code, lvl) for c in CATALOGUES.values() if c.levels for code, lvl in c.levels.items()],
        columns=list(_CATALOGUE_LEVELS_SCHEMA),
    )
    write_frame(con, "int_catalogue_levels", levels, _CATALOGUE_LEVELS_SCHEMA)
    defs = pd.DataFrame(
        [
            dict(
                indicator_id=i.id,
                domain=i.domain,
                norm_type=i.norm_type,
                polarity=i.polarity,
                target=i.target,
                recommendation=i.recommendation,
                modules=", ".join(i.modules),
                substantiation_rule=i.substantiation or None,
                reason_cell_kind=REASON_CELL_KIND.get(i.id),
                lesson_subject=learning.SUBJECT_KIND.get(i.id, learning.FIXED),
                label=i.description,
                sort_order=k,
            )
            for k, i in enumerate(INDICATORS, start=1)
        ]
    )
    write_frame(con, "int_indicator_definitions", defs, _DEFINITIONS_SCHEMA)
    subjects = pd.DataFrame(
        [(i, c) for i, (codes, _) in learning.LESSON_SUBJECTS.items() for c in codes],
        columns=list(_LESSON_SUBJECTS_SCHEMA),
    )
    write_frame(con, "int_lesson_subjects", subjects, _LESSON_SUBJECTS_SCHEMA)


def run_intermediate(con: duckdb.DuckDBPyConnection, lookback: int = LOOKBACK, only: list[str] | None = None) -> None:
    """Run the intermediate SQL models (all, or ``only`` these and what they need) in dependency order."""
    prepare(con)
    params = sql_parameters(lookback)
    wanted = None
    if only is not None:
        wanted, todo = set(), list(only)
        while todo:
            t = todo.pop()
            if t in wanted or t not in INT_SQL:
                continue
            wanted.add(t)
            todo += [r for r in references(INT_SQL[t]) if r in INT_SQL]
    for name in INT_SQL_ORDER:
        if wanted is None or name in wanted:
            run_sql_model(con, name, INT_SQL[name], params)


# --------------------------------------------------------------------------
# The whole build
# --------------------------------------------------------------------------

#: Seconds per step of the last build_marts call (for logging).
LAST_TIMINGS: dict[str, float] = {}


def build_marts(con: duckdb.DuckDBPyConnection, lookback: int = LOOKBACK) -> dict[str, int]:
    """Write every int_ table and every mart in ``con``, in one transaction. Returns table -> rows.

    Needs the staging tables (:func:`pipelines.ingest.warehouse.ensure_schema`)
    and ``ref_regions``, ``ref_ring_model_norms``, ``ref_equipment_norms``.
    On any error nothing is changed.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    con.execute("begin transaction")
    try:
        run_intermediate(con, lookback)
        timings["intermediate_sql"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        register, risk_model, wave_stats = build_register(con, lookback)
        write_frame(con, "int_risk_model", risk_model, _RISK_MODEL_SCHEMA)
        write_frame(con, "int_wave_statistics", wave_stats, _WAVE_STATS_SCHEMA)
        write_frame(con, "marts.variation_register", register, _REGISTER_SCHEMA)
        basis = con.execute("select * from int_risk_basis").df()
        write_frame(con, "int_variation_size", spread.variation_size(register, basis), spread.SIZE_SCHEMA)
        write_frame(con, "int_region_peers", spread.region_peers(basis), spread.PEERS_SCHEMA)
        write_frame(con, "int_region_distances", spread.region_distances(basis), spread.PEERS_SCHEMA)
        timings["statistics"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        params = sql_parameters(lookback)
        for name in MART_SQL_ORDER:
            run_sql_model(con, name, MART_SQL[name], params)
        timings["marts_sql"] = time.perf_counter() - t2
        counts = {t: int(con.execute(f"select count(*) from {t}").fetchall()[0][0]) for t in TABLES}
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    timings["total"] = time.perf_counter() - t0
    LAST_TIMINGS.clear()
    LAST_TIMINGS.update(timings)
    return counts
