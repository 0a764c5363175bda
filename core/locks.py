"""Exclusive locks on a file, for writers in several processes (and threads) on one machine.

Built on `filelock`, which takes an `flock` on `<path>`. An `flock` belongs to an *open file
description*, and every `exclusive()` block opens the lock file anew: a second holder is refused (or
waits) whether it is another process, another thread, or the same thread — a lock is never granted
twice. The kernel drops the lock when its holder dies, even by `kill -9`, so a crash never leaves a
stale lock. The holder writes its process id into the file so a refused writer can say who holds it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class LockBusy(Exception):
    """The lock is held by someone else; `holder` is that process id when it is known."""

    def __init__(self, path: Path, holder: int | None) -> None:
        super().__init__(f"{path} is locked" + (f" by process {holder}" if holder else ""))
        self.path = path
        self.holder = holder


def lock_path_for(data_file: Path) -> Path:
    """The lock file guarding `data_file`: beside it, never the data file itself."""
    return data_file.with_name(data_file.name + ".lock")


def holder(path: Path) -> int | None:
    """The process id recorded by the current (or last crashed) holder of the lock at `path`."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def exclusive(path: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the lock at `path` for the block: wait for it, or raise `LockBusy` at once when `wait` is false."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=-1 if wait else 0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise LockBusy(path, holder(path)) from exc
    try:
        # A second descriptor on the same file: writing through it leaves the flock untouched.
        path.write_text(str(os.getpid()), encoding="ascii")
        yield
    finally:
        try:
            path.write_text("", encoding="ascii")
        finally:
            lock.release()


def is_locked(path: Path) -> bool:
    """Whether someone holds the lock at `path` right now (a brief probe; creates nothing)."""
    path = Path(path)
    if not path.exists():
        return False
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False
