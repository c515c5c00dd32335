"""The one protocol between this process and its helper processes: length-prefixed pickles over pipes.

A message is an 8-byte little-endian length followed by that many bytes of pickle. Used by the workbook
reader (:mod:`pipelines.ingest.workbook_child`) and the validation worker
(:mod:`pipelines.ingest.validation_worker`). Only our own processes talk over these pipes; nothing here
starts or stops a process. Standard library only: a helper imports this before anything heavy.
"""

from __future__ import annotations

import os
import pickle
import struct
import time

HEADER = struct.Struct("<Q")


class PipeClosed(EOFError):
    """The other side closed its end (or died) before a whole message arrived."""


def encode(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def write(fh, obj) -> None:
    """One message to a binary file object (a pipe), flushed."""
    fh.write(encode(obj))
    fh.flush()


def read(fh):
    """One message from a binary file object; :class:`PipeClosed` when the pipe ends first."""
    head = fh.read(HEADER.size)
    if len(head) < HEADER.size:
        raise PipeClosed("pipe closed")
    (size,) = HEADER.unpack(head)
    blob = fh.read(size)
    if len(blob) < size:
        raise PipeClosed("pipe closed mid-message")
    return pickle.loads(blob)


def send(fd: int, obj) -> None:
    """One message to a file descriptor (os.write may write less than asked: loop)."""
    view = memoryview(encode(obj))
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int, deadline: float, max_bytes: int):
    """One message from a file descriptor before ``deadline`` (``time.monotonic``).

    TimeoutError past the deadline; :class:`PipeClosed` when the pipe ends or the message is larger
    than ``max_bytes``.
    """
    from pipelines.core.portability import wait_readable

    def exact(n: int) -> bytes:
        parts = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not wait_readable(fd, left):
                raise TimeoutError
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise PipeClosed("pipe closed")
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    (size,) = HEADER.unpack(exact(HEADER.size))
    if size > max_bytes:
        raise PipeClosed(f"message of {size} bytes is larger than {max_bytes}")
    return pickle.loads(exact(size))
