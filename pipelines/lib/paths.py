"""Where things live. Every default path resolves from the project root, never from the
working directory, so the CLI, Dagster and the tests agree wherever they are started."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA = PROJECT_ROOT / "data"
RAW = DATA / "raw"
REFERENCE = DATA / "reference"
MARTS = DATA / "marts"
WAREHOUSE = DATA / "warehouse.duckdb"
VALIDATION = DATA / "validation"
DASHBOARDS = PROJECT_ROOT / "dashboards"
SQL = PROJECT_ROOT / "pipelines" / "sql"
