"""What reading one file may cost, and opening it safely.

:class:`Limits` bounds a file's size, its unpacked size, rows, cells and reading
time (docs/input-limits.md); :func:`open_regular` reads a file's bytes without
following links or blocking on pipes. Nothing here reads a file's contents.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipelines.core import portability
from pipelines.core.problems import Problem


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost; beyond them the file is rejected.

    docs/input-limits.md explains each bound and how to raise it.
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024  # xlsx is a zip: guards against decompression bombs
    max_compression_ratio: int = 200
    max_zip_directory_bytes: int = 1024 * 1024  # the zip's table of contents (~15,000 parts; a workbook has ~15)
    max_sheet_rows: int = 20_000  # one region's sheet
    max_sheet_cells: int = 1_000_000  # rows x columns of a sheet's used area (a sparse sheet is read as a full grid)
    max_export_rows: int = 250_000  # all regions in one export file
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    max_seconds_per_file: float = 60.0  # wall time to read one file
    max_reader_memory_bytes: int = 1024 * 1024 * 1024  # address space of the process that opens a workbook


DEFAULT_LIMITS = Limits()


def _open_regular(path: Path, limits: Limits) -> bytes | None:
    """A file's bytes, or None when it is larger than ``max_file_bytes``.

    Never follows a symbolic link and never blocks on a pipe or device: the
    file may have been swapped since discovery listed it. Raises OSError.
    """
    fd = os.open(path, os.O_RDONLY | portability.O_NOFOLLOW | portability.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("geen gewoon bestand")
        data = fh.read(limits.max_file_bytes + 1)
    return data if len(data) <= limits.max_file_bytes else None


def _too_large(rel: str, limits: Limits) -> Problem:
    return Problem(rel, "bestand.te_groot", f"het bestand is groter dan {limits.max_file_bytes / 1024 / 1024:.0f} MB")


def _unreadable(rel: str, exc: OSError) -> Problem:
    return Problem(
        rel, "bestand.onleesbaar", f"het bestand kan niet worden gelezen ({type(exc).__name__}: {exc.strerror or exc})"
    )
