"""Where things live. Every default path resolves from the project root, never from the
working directory, so the CLI, Dagster and the tests agree wherever they are started.

Two environment variables move the working folders elsewhere, for a second
installation or a test that must not touch the project's own data:
``REGIOBENCH_DATA`` (raw, reference, marts, validation, warehouse) and
``REGIOBENCH_DASHBOARDS`` (the site). ``make serve`` and the CLI both follow them.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("REGIOBENCH_DATA") or PROJECT_ROOT / "data").resolve()
RAW = DATA / "raw"
REFERENCE = DATA / "reference"
MARTS = DATA / "marts"
WAREHOUSE = DATA / "warehouse.duckdb"
VALIDATION = DATA / "validation"
DASHBOARDS = Path(os.environ.get("REGIOBENCH_DASHBOARDS") or PROJECT_ROOT / "dashboards").resolve()
SQL = PROJECT_ROOT / "pipelines" / "sql"
