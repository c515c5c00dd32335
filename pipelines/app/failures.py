"""Why a run failed, in one Dutch line: the root cause, not the wrapper around it.

A step that fails in Dagster arrives as ``DagsterExecutionStepExecutionError``
with the real error as its ``cause`` (and that one may have a cause of its own:
``OSError`` from a DuckDB ``IOException`` from a full disk). :func:`root_line`
walks such a chain, a Python exception's (``__cause__``/``__context__``) or
Dagster's ``SerializableErrorInfo`` (``cause``/``context``), from the innermost
error outwards, and says the first one it recognises in plain Dutch with what to
do: disk full, folder read-only or not writable, out of memory, warehouse in use
by another process, warehouse damaged. The traceback is for ``--verbose``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.ingest.warehouse import lock_holder  # noqa: F401  (its home: the warehouse names its holder)

#: errno -> (what, what to do)
_ERRNO = {
    28: ("de schijf is vol (ENOSPC)", "maak ruimte vrij en draai opnieuw"),
    122: ("de schijfquotum is op (EDQUOT)", "maak ruimte vrij en draai opnieuw"),
    27: (
        "een bestand werd groter dan het bestandssysteem of de proceslimiet toestaat (EFBIG)",
        "maak ruimte vrij of verhoog de limiet en draai opnieuw",
    ),
    30: (
        "de map is alleen-lezen (EROFS)",
        "kies een map waarin geschreven mag worden of koppel de schijf beschrijfbaar en draai opnieuw",
    ),
    13: ("geen toestemming om te schrijven (EACCES)", "geef schrijfrechten op de map of kies een andere map"),
    1: ("geen toestemming om te schrijven (EPERM)", "geef schrijfrechten op de map of kies een andere map"),
    12: ("te weinig geheugen (ENOMEM)", "sluit andere programma's of draai op een machine met meer geheugen"),
}
_TEXT = [  # (pattern in the message, errno it stands for)
    (re.compile(r"no space left on device", re.I), 28),
    (re.compile(r"disk quota exceeded", re.I), 122),
    (re.compile(r"file too large", re.I), 27),
    (re.compile(r"read-only file system", re.I), 30),
    (re.compile(r"permission denied", re.I), 13),
    (re.compile(r"operation not permitted", re.I), 1),
    (re.compile(r"cannot allocate memory", re.I), 12),
]
_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]|\"errno\":\s*\"?(\d+)")
_PATH_IN_TEXT = re.compile(r"""(?:: |file |on file )['"]([^'"]+)['"]""")
_DAMAGED = re.compile(
    r"not a valid DuckDB database file|Could not read enough bytes|corrupt|checksum|"
    r"INTERNAL Error|Serialization Error|block .* out of range|warehouse is beschadigd",
    re.I,
)
_DUCKDB_ERRORS = (
    "IOException",
    "InternalException",
    "SerializationException",
    "FatalException",
    "InvalidInputException",
    "WarehouseDamaged",
)
_MEMORY = re.compile(r"MemoryError|OutOfMemory|Out of Memory|failed to allocate", re.I)


@dataclass
class Cause:
    kind: str  # disk | readonly | permission | memory | busy | damaged | other
    line: str  # one Dutch line
    error_class: str = ""  # the class name of the exception the line was taken from (the run report's)


def _chain_of_exception(exc: BaseException) -> list[tuple[str, str, int | None]]:
    out, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        out.append((type(exc).__name__, str(exc), getattr(exc, "errno", None)))
        exc = exc.__cause__ or exc.__context__
    return out


def _chain_of_error_info(err) -> list[tuple[str, str, int | None]]:
    out, seen = [], set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        out.append((err.cls_name or "", err.message or "", None))
        err = err.cause or err.context
    return out


def _classify(cls: str, message: str, errno: int | None) -> Cause | None:
    if cls == "NotSupported":  # pipelines.core.portability: already one Dutch line
        return Cause("platform", message.strip().splitlines()[-1] if message.strip() else cls)
    if holder := lock_holder(message):
        return Cause(
            "busy",
            f"het warehouse is in gebruik door een ander proces: {holder}; sluit dat "
            f"(bijvoorbeeld een notebook met een verbinding) en draai opnieuw. Open voor eigen "
            f"analyses data/marts/marts.duckdb, nooit het warehouse",
        )
    if errno is None:
        found = _ERRNO_IN_TEXT.search(message)
        if found:
            errno = int(found.group(1) or found.group(2))
    if errno is None:
        errno = next((n for pattern, n in _TEXT if pattern.search(message)), None)
    if errno in _ERRNO:
        what, todo = _ERRNO[errno]
        path = _PATH_IN_TEXT.search(message)
        where = f" bij {path.group(1)}" if path else ""
        kind = {28: "disk", 122: "disk", 27: "disk", 30: "readonly", 13: "permission", 1: "permission", 12: "memory"}[
            errno
        ]
        return Cause(kind, f"{what}{where}: {todo}")
    if cls == "MemoryError" or _MEMORY.search(cls) or _MEMORY.search(message):
        return Cause("memory", "te weinig geheugen: sluit andere programma's of draai op een machine met meer geheugen")
    if _DAMAGED.search(message) and (cls in _DUCKDB_ERRORS or "duckdb" in cls.lower()):
        return Cause(
            "damaged",
            "het warehouse is beschadigd of onvolledig (" + _short(message) + "); herstel met "
            "`regiobench run --rebuild`: dat zet het beschadigde bestand opzij (het blijft "
            "bewaard) en bouwt een nieuw warehouse uit data/raw",
        )
    return None


def _short(message: str, limit: int = 160) -> str:
    line = " ".join(message.strip().split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _root(chain: list[tuple[str, str, int | None]]) -> Cause:
    for cls, message, errno in reversed(chain):  # innermost first
        if cause := _classify(cls, message, errno):
            cause.error_class = cls
            return cause
    cls, message, _ = chain[-1] if chain else ("", "onbekende fout", None)
    last = message.strip().splitlines()[-1] if message.strip() else cls
    return Cause("other", f"onverwachte fout ({cls}): {_short(last)}", cls)


def root_cause(error) -> Cause:
    """The root cause of an exception or of Dagster's ``SerializableErrorInfo``."""
    if isinstance(error, BaseException):
        return _root(_chain_of_exception(error))
    return _root(_chain_of_error_info(error))


def root_line(error) -> str:
    return root_cause(error).line
