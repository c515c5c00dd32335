"""Fixtures for the browser tests: a synthetic site and headless Chromium (Debian's, never a download).

Chromium missing is a failure, not a skip: CI installs it (``make browser``).
Screenshots and timings go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb
import pytest

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:  # the synthetic warehouse lives in tests/test_site_fixture.py
    sys.path.insert(0, str(TESTS))

from test_site_fixture import build_synthetic_warehouse  # noqa: E402

from pipelines.lib.site import build_site  # noqa: E402

ROOT = TESTS.parent
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
REFERENCE = ROOT / "data" / "reference"
CHROMIUM = os.environ.get("REGIOBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAVES = [2023, 2024, 2025]


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


class Opened:
    """A page opened from file://, with everything it asked for and complained about."""

    def __init__(self, context, url: str, wait_charts: bool = True):
        self.page = context.new_page()
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
        self.ready = time.perf_counter() - started
        self.charts = None
        if wait_charts:
            self.page.wait_for_selector("body[data-charts='1']", state="attached", timeout=60_000)
            self.charts = time.perf_counter() - started

    def network(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]

    def console_errors(self) -> list[str]:
        return [t for kind, t in self.console if kind == "error"] + self.errors

    def close(self):
        self.page.close()


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
