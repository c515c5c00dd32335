"""Shared fixtures. The end-to-end run of the real CLI on the shipped sample is done once per session."""

from __future__ import annotations

import pytest

from tests.support import PipelineRun, run_pipeline


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory) -> PipelineRun:
    """`regiobench run` on the shipped sample, into a temporary folder."""
    run = run_pipeline(tmp_path_factory.mktemp("shipped"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def pytest_collection_modifyitems(items):
    """A test that needs the end-to-end run of the shipped sample is slow: left out of `make test-fast`."""
    for item in items:
        if "shipped_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
