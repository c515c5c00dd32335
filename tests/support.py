"""Helpers shared by the test modules (fixtures live in conftest.py).

A module of its own, with a name no other folder uses: ``from conftest import``
would pick up whichever conftest.py was imported first (tests/browser has one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGIOBENCH = [sys.executable, "-m", "pipelines.app.cli"]

#: A test that imports or runs Great Expectations (about 4 s to import, about half a second per module and
#: run) is slow: left out of `make test-fast`, which checks the staged data through the SQL checks instead.
gx = pytest.mark.slow


@dataclass
class PipelineRun:
    root: Path
    warehouse: Path
    marts: Path
    dashboards: Path
    validation: Path
    stdout: str
    stderr: str
    returncode: int


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [*REGIOBENCH, *args], cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_pipeline(root: Path, raw: Path = ROOT / "data" / "raw", *extra: str) -> PipelineRun:
    out = PipelineRun(
        root, root / "warehouse.duckdb", root / "marts", root / "dashboards", root / "validation", "", "", -1
    )
    proc = run_cli(
        "run",
        "--raw",
        str(raw),
        "--warehouse",
        str(out.warehouse),
        "--marts",
        str(out.marts),
        "--dashboards",
        str(out.dashboards),
        "--validation",
        str(out.validation),
        *extra,
        cwd=root,
    )  # started elsewhere than the project: paths must not depend on the working directory
    out.stdout, out.stderr, out.returncode = proc.stdout, proc.stderr, proc.returncode
    return out


def read_sheets(path: Path) -> dict[str, list[dict]]:
    """A workbook's sheets as lists of dicts keyed by the normalised header (the sample varies its spelling)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        header = [str(h).strip().lower() for h in rows[0]]
        out[name] = [dict(zip(header, r)) for r in rows[1:]]
    return out
