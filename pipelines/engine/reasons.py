"""The reference tables of the reasons' rules and the analyst's judgements, written with fixed types.

Read from ``data/reference/`` by :mod:`pipelines.contract.reasons`; the SQL
models ``int_reason_cells``, ``int_reasons`` and ``int_reason_verdicts`` weigh
the reasons against them (docs/verdicts.md, section 5a).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import reasons as R
from pipelines.engine import plausibility


def write_rules(con: duckdb.DuckDBPyConnection, rules: dict[str, int]) -> None:
    con.execute("create or replace table ref_substantiation_rules (rule varchar, value integer)")
    if rules:
        con.executemany("insert into ref_substantiation_rules values (?, ?)", list(rules.items()))


def write_judgements(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    cols = ", ".join(f"{c} {t}" for c, t in R.JUDGEMENT_TABLE.items())
    con.execute(f"create or replace table ref_judgements ({cols})")
    if rows:
        marks = ", ".join("?" for _ in R.JUDGEMENT_TABLE)
        con.executemany(f"insert into ref_judgements values ({marks})", rows)


def write_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path, region_codes: list[str]) -> None:
    """Both tables from the files under ``reference_dir``, and the plausibility bounds beside them."""
    write_rules(con, R.load_substantiation_rules(reference_dir))
    write_judgements(con, R.judgement_rows(reference_dir, region_codes))
    plausibility.write_reference(con, reference_dir)
