"""GX in a helper process: the same problems as in-process, and a safe fallback when it fails."""

from __future__ import annotations

import dataclasses
import signal

import pytest

from pipelines.ingest import validation_worker
from pipelines.ingest.validation_runs import list_runs
from tests.ingest.validation_cases import CASES, CODES, WAVE, frames_of, valid_return
from tests.support import gx

# Great Expectations (pipelines.ingest.validation, seconds to import) is imported by the fixtures and tests
# that use it, not when the suite is collected.


def broken_waves(cases=CASES) -> tuple[list, list[str]]:
    """Two waves of returns, each region breaking one rule (the validation corpus), as the ingest passes them."""
    returns = {CODES[0]: valid_return(CODES[0])}
    for (_name, fn), code in zip(cases, CODES[1:]):
        sheets = valid_return(code)
        fn(sheets, code)
        returns[code] = sheets
    waves = [
        (WAVE, frames_of(returns), None),
        (WAVE - 1, frames_of({CODES[0]: valid_return(CODES[0], WAVE - 1)}, WAVE - 1), None),
    ]
    return waves, list(CODES)


def as_rows(problems) -> list[tuple]:
    return sorted(tuple(str(v) for v in dataclasses.astuple(p)) for p in problems)


class Log:
    def __init__(self):
        self.info_lines, self.warnings = [], []

    def info(self, msg):
        self.info_lines.append(msg)

    def warning(self, msg):
        self.warnings.append(msg)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The broken waves, and what the in-process validator finds in them (its result files in ``here``)."""
    from pipelines.ingest.validation import GXValidator

    here = tmp_path_factory.mktemp("here")
    waves, codes = broken_waves()
    validator = GXValidator(results_dir=here)
    return waves, codes, validator.validate_waves(waves, codes), here, validator


@pytest.fixture(scope="module")
def small_case(tmp_path_factory):
    """Two regions, one breaking a rule, and what the in-process validator finds: for the tests of the way a
    batch travels (the whole corpus, worker against in-process, is compared once, below)."""
    from pipelines.ingest.validation import GXValidator

    validator = GXValidator(results_dir=tmp_path_factory.mktemp("small"))
    waves, codes = broken_waves(CASES[:1])
    found = validator.validate_waves(waves, codes)
    assert found  # the broken region: the comparisons below are not of two empty lists
    return waves, codes, found, validator


@pytest.fixture
def worker(tmp_path):
    validation_worker.start(tmp_path / "worker")
    w = validation_worker.take(tmp_path / "worker")
    assert w is not None
    yield w
    validation_worker.stop_all()


@gx
def test_the_worker_finds_exactly_what_the_in_process_validator_finds(worker, tmp_path, case):
    waves, codes, in_process, here, validator = case
    log = Log()
    from_worker = worker.validate_waves(waves, codes, log=log)
    assert len(from_worker) >= len(CASES)  # every case breaks at least one rule
    assert as_rows(from_worker) == as_rows(in_process)
    assert log.info_lines, "the worker's progress lines come back to the run's log"
    # Both wrote GX's result files, with the same names, each into a run folder of its own; the worker says which.
    [run] = list_runs(tmp_path / "worker")
    assert worker.last_run == run and validator.last_run is not None
    ours = sorted(p.name for p in (tmp_path / "worker" / "runs" / run).iterdir())
    theirs = sorted(p.name for p in (here / "runs" / validator.last_run).iterdir())
    assert "run.json" in ours and len(ours) > 1 and ours == theirs
    # It stays up for another batch.
    assert as_rows(worker.validate_waves(waves[1:], codes)) == as_rows(validator.validate_waves(waves[1:], codes))


@gx
def test_a_dead_worker_is_reported_and_the_ingest_validates_in_process(worker, tmp_path, small_case):
    from pipelines.defs.staging.assets import _LazyValidator

    worker.proc.kill()
    worker.proc.wait()
    waves, codes, in_process, validator = small_case
    with pytest.raises(validation_worker.WorkerFailed):
        worker.validate_waves(waves, codes)
    # Through the ingest's validator: the dead worker is not taken; a worker that fails mid-call falls back.
    lazy = _LazyValidator(tmp_path / "worker", Log())
    lazy._gx = validator  # the in-process validator it would build (built once for this module)
    assert as_rows(lazy.validate_waves(waves, codes)) == as_rows(in_process)


@gx
def test_a_failing_worker_falls_back_with_a_warning(tmp_path, monkeypatch, small_case):
    from pipelines.defs.staging.assets import _LazyValidator

    class Broken:
        def validate_waves(self, *a, **k):
            raise validation_worker.WorkerFailed("stuk")

    monkeypatch.setattr(validation_worker, "take", lambda results_dir: Broken())
    waves, codes, in_process, validator = small_case
    log = Log()
    lazy = _LazyValidator(tmp_path, log)
    lazy._gx = validator
    assert as_rows(lazy.validate_waves(waves, codes)) == as_rows(in_process)
    assert log.warnings and "stuk" in log.warnings[0]


def test_stopping_does_not_wait_for_a_worker_still_importing(tmp_path):
    validation_worker.start(tmp_path)
    w = validation_worker.take(tmp_path)
    validation_worker.stop_all()
    assert w.proc.returncode == -signal.SIGKILL  # killed mid-import, not waited for
    assert validation_worker.take(tmp_path) is None


@gx
def test_idle_time_is_used_only_while_the_answer_is_out(worker, small_case):
    waves, codes, in_process, _ = small_case
    calls = []

    def busy():
        calls.append("called")
        raise RuntimeError("a failing warm-up must not fail the validation")

    assert as_rows(worker.validate_waves(waves, codes, while_waiting=busy)) == as_rows(in_process)
    # The first answer needs GX's import in the worker: the caller had time to spare.
    assert calls == ["called"]


@gx
def test_the_ingest_imports_the_models_while_it_waits(worker, small_case, monkeypatch):
    from pipelines.defs.staging.assets import _LazyValidator
    from pipelines.engine import riskmodel

    waves, codes, in_process, _ = small_case
    calls = []
    monkeypatch.setattr(riskmodel, "preload", lambda: calls.append("preload"))
    lazy = _LazyValidator(worker.results_dir, Log(), run_id="dagster-run")
    assert as_rows(lazy.validate_waves(waves, codes)) == as_rows(in_process)
    assert calls == ["preload"]
    # The run folder the worker wrote is named after the ingest's run, and the ingest learns its name.
    assert lazy.last_run == worker.last_run and lazy.last_run.endswith("_dagster-run")
    assert (worker.results_dir / "runs" / lazy.last_run / "run.json").is_file()


@pytest.mark.slow  # a fresh process importing statsmodels
def test_preload_imports_statsmodels():
    import subprocess
    import sys

    code = (
        "import sys; from pipelines.engine import riskmodel; assert 'statsmodels' not in sys.modules; "
        "riskmodel.preload(); assert 'statsmodels.genmod.generalized_linear_model' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
