"""The few calls that exist only on Unix-like systems, in one place.

regiobench runs on Linux (tested), macOS (the same POSIX calls; not tested here) and Windows inside WSL2
(a Linux). Native Windows lacks what is isolated here:

* ``fcntl.flock``: the write lock beside the warehouse (:mod:`pipelines.app.runlock`); on native Windows
  ``msvcrt.locking`` is used instead;
* ``resource.setrlimit``: the memory limit of the child process that opens workbooks (``CHILD_LIMITS``);
  without it the child runs without that limit and a hostile workbook can take the run's memory;
* ``os.O_NOFOLLOW``: opening a return without following a symbolic link (0 where the system lacks it);
* ``select`` on a pipe: waiting for a child's answer with a deadline (:func:`wait_readable`).

Where a call is missing and has no stand-in, :class:`NotSupported` says so in one Dutch line.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

# Declared as "a module or None" because which of them exists depends on the system, not on the platform
# mypy assumes; their attributes are then untyped, and each use is guarded by its own ``is not None``.
fcntl: ModuleType | None
msvcrt: ModuleType | None
resource: ModuleType | None
try:
    import fcntl
except ImportError:  # native Windows
    fcntl = None
try:
    import msvcrt
except ImportError:  # everything but Windows
    msvcrt = None
try:
    import resource
except ImportError:  # native Windows
    resource = None

SUPPORTED = "regiobench draait op Linux en macOS, en op Windows binnen WSL2"


class NotSupported(RuntimeError):
    """A Unix-only facility is missing on this system (one Dutch line)."""

    def __init__(self, what: str):
        super().__init__(f"{what} ontbreekt op dit systeem ({sys.platform}); {SUPPORTED}")


O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # without it a symbolic link is followed (checked by the caller)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def lock_exclusive(fh) -> None:
    """Take the exclusive lock on an open file without waiting; BlockingIOError when another process has it."""
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    if msvcrt is not None:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(*exc.args) from exc
        return
    raise NotSupported("bestandsvergrendeling (fcntl.flock)")


def unlock(fh) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    elif msvcrt is not None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)


def wait_readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` (a pipe from a child) has data within ``timeout`` seconds."""
    import select

    try:
        return bool(select.select([fd], [], [], max(0.0, timeout))[0])
    except (OSError, ValueError) as exc:  # Windows: select works on sockets only
        raise NotSupported("wachten op een hulpproces (select op een pipe)") from exc


#: Put in front of a child's own code (a ``python -c`` string that imports nothing of this project): limits its
#: memory to ``sys.argv[1]`` bytes (0: no limit) and turns off core dumps, where the system has ``resource``.
CHILD_LIMITS = r"""
import sys
try:
    import resource
except ImportError:  # native Windows: no limit (see pipelines/core/portability.py)
    resource = None
if resource is not None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if int(sys.argv[1]) > 0:
        resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
"""


def limit_memory(max_bytes: int) -> None:
    """What :data:`CHILD_LIMITS` does, for a helper that is a module: no core dumps, at most ``max_bytes``
    of address space (0: no limit), where the system has ``resource``."""
    if resource is None:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def memory_limit_available() -> bool:
    return resource is not None
