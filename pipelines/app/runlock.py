"""One writer at a time: an advisory file lock beside the warehouse.

A second ``regiobench run`` waits for the first (up to a timeout) and then
gives up with a clear message; it never writes at the same time. The lock is
released by the operating system when the process dies, even with ``kill -9``.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from pipelines.core.portability import lock_exclusive, unlock


class LockTimeout(RuntimeError):
    pass


_held: dict[str, int] = {}  # lock files this process holds, with their depth: the lock is re-entrant


@contextmanager
def write_lock(warehouse: Path, timeout: float = 600.0, poll: float = 0.2, on_wait=None):
    """Hold the warehouse's write lock; re-entrant within one process (the CLI holds it for
    the whole run, and every asset's connection takes it again)."""
    path = Path(str(warehouse) + ".lock")
    key = str(path.resolve())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 (held open for as long as the lock is held)
    deadline = time.monotonic() + timeout
    told = False
    try:
        while True:
            try:
                lock_exclusive(fh)  # fcntl.flock; see pipelines.core.portability
                break
            except BlockingIOError:
                if not told and on_wait:
                    fh.seek(0)
                    on_wait(fh.read().strip())
                    told = True
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip()
                    raise LockTimeout(
                        f"een andere run schrijft al naar {warehouse} ({holder or 'onbekend proces'}); "
                        f"na {timeout:.0f} s wachten gestopt zonder iets te wijzigen"
                    ) from None
                time.sleep(poll)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} sinds {time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
    finally:
        try:
            unlock(fh)
        finally:
            fh.close()
