"""Fixtures for the browser tests: a synthetic site and headless Chromium (Debian's, never a download).

Chromium missing is a failure, not a skip: CI installs it (``make browser``).
Screenshots and timings go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.site import build_site
from tests.site.browser.browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REFERENCE, WAVES, Opened
from tests.site.synthetic import build_synthetic_warehouse


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium ontbreekt op {CHROMIUM}: installeer Debian's chromium (make browser)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser-site")
    info = build_synthetic_warehouse(base / "w.duckdb", waves=WAVES)
    con = duckdb.connect(str(base / "w.duckdb"), read_only=True)
    try:
        build_site(con, base / "out", REFERENCE)
    finally:
        con.close()
    info.update(out=base / "out", db=base / "w.duckdb")
    return info


@pytest.fixture(scope="session")
def timings():
    """Seconds per page until the tables (ready) and the charts are shown; written out at the end."""
    record: dict[str, dict] = {}
    yield record
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "site-timings.json").write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    yield ctx
    ctx.close()


@pytest.fixture
def open_page(context):
    opened: list[Opened] = []

    def _open(path: Path, wait_charts: bool = True, hash: str = "") -> Opened:
        o = Opened(context, path.as_uri() + hash, wait_charts)
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.close()
