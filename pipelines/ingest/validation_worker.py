"""Great Expectations, made ready in a helper process while the run starts up.

Importing Great Expectations and building its suites takes about 5 s of one
core, and a CLI run spends its first seconds importing Dagster and reading the
returns on the other. On a machine with two cores those can overlap: the CLI
starts this worker as soon as it knows there is something to load, the worker
imports GX and builds the validator, and the ingest hands it the wave frames
when they are read. The answer is the same list of problems the in-process
validator gives (the worker *is* that validator, in another process).

The worker is an optimisation only. If it cannot start, dies, or answers with
an error, the ingest validates in its own process (``WorkerFailed``).

Protocol: :mod:`pipelines.core.pipes` (length-prefixed pickles) over the worker's stdin and a private copy of
its stdout (anything a library prints goes to stderr instead). The parent sends
``(waves, region_codes, run_id)``; the worker answers ``("ok", problems, log_lines, run)`` (``run``: the
folder its results went into, see :mod:`pipelines.ingest.validation_runs`) or ``("error", text)``. Only our own process talks to it, over its own pipes.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from pipelines.core import pipes

_started: dict[str, ValidationWorker] = {}


class WorkerFailed(RuntimeError):
    pass


class ValidationWorker:
    """The parent's handle on one worker process."""

    def __init__(self, results_dir: Path):
        self.results_dir = Path(results_dir)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.ingest.validation_worker", str(self.results_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # Popen types its pipes as optional (they exist only when asked for); both were asked for above.
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.last_run: str | None = None

    def validate_waves(self, waves, region_codes, log=None, while_waiting=None, run_id=None) -> list:
        """The worker's problems for ``waves``; ``last_run`` names the folder of its results.

        ``while_waiting`` is called once if the answer is not there yet: work this process
        would do later anyway (an import) is done in time it would otherwise spend idle.
        It must not fail the validation: whatever it raises is ignored.
        """
        self.last_run = None
        try:
            pipes.write(self.stdin, (waves, region_codes, run_id))
            if while_waiting is not None and not self._answer_ready():
                try:
                    while_waiting()
                except Exception:  # noqa: BLE001 - an optimisation; the caller pays the cost later
                    pass
            answer = pipes.read(self.stdout)
        except (OSError, EOFError, pickle.PickleError) as exc:
            self.close()
            raise WorkerFailed(f"GX-hulpproces onbereikbaar: {exc}") from exc
        if answer[0] != "ok":
            raise WorkerFailed(f"GX-hulpproces gaf een fout:\n{answer[1]}")
        _, problems, lines, self.last_run = answer
        if log is not None:
            for line in lines:
                log.info(line)
        return problems

    def _answer_ready(self) -> bool:
        # Answers are read exactly to their length, so nothing waits in the reader's buffer.
        from pipelines.core.portability import wait_readable

        return wait_readable(self.stdout.fileno(), 0)

    def close(self) -> None:
        """Stop the worker at once: it holds nothing that outlives an answer (it may still be importing)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for fh in (self.stdin, self.stdout):
            try:
                fh.close()
            except OSError:
                pass


def start(results_dir: Path) -> None:
    """Start a worker for ``results_dir`` (once); the ingest picks it up with :func:`take`."""
    key = str(Path(results_dir).resolve())
    if key not in _started:
        try:
            _started[key] = ValidationWorker(Path(key))
        except OSError:
            pass  # no worker: the ingest validates in-process


def take(results_dir: Path) -> ValidationWorker | None:
    """The running worker started for ``results_dir``, if any (it stays registered for :func:`stop_all`)."""
    worker = _started.get(str(Path(results_dir).resolve()))
    return worker if worker is not None and worker.proc.poll() is None else None


def stop_all() -> None:
    while _started:
        _started.popitem()[1].close()


class _Lines:
    """A stand-in for a logger: the validator's progress lines, sent back with the answer."""

    def __init__(self):
        self.lines: list[str] = []

    def info(self, msg) -> None:
        self.lines.append(str(msg))

    warning = info


def _serve(results_dir: str) -> None:
    import traceback

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints must not end up in the protocol
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    lines = _Lines()
    try:
        from pipelines.ingest.validation import GXValidator

        validator = GXValidator(results_dir=Path(results_dir), log=lines)
    except Exception:
        validator, failure = None, traceback.format_exc()
    while True:
        try:
            waves, region_codes, run_id = pipes.read(inp)
        except EOFError:
            return
        if validator is None:
            pipes.write(out, ("error", failure))
            continue
        lines.lines = []
        try:
            problems = validator.validate_waves(waves, region_codes, run_id=run_id)
            pipes.write(out, ("ok", problems, lines.lines, validator.last_run))
        except Exception:
            pipes.write(out, ("error", traceback.format_exc()))


if __name__ == "__main__":
    _serve(sys.argv[1])
