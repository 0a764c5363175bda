"""One ingesting process at a time on an embedded store.

Chroma's embedded client is thread-safe but not safe for several *processes* writing to one
directory (a second writer can wait minutes on SQLite's lock or corrupt the HNSW files), so every
writer takes an exclusive, non-blocking `fcntl` lock on `<store_dir>/ingest.lock` first. The kernel
drops the lock when the process dies, even by `kill -9`, so a crash never leaves a stale lock.

In server mode (`NGHIQUYET_CHROMA_HOST`) no file lock is taken: the Chroma server serialises writes,
and several machines may ingest at once. The store's manifest keeps every document all-or-nothing
in that case too (see `vectorstore.store`).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.config import Settings
from core.errors import IngestLocked

LOCK_FILE_NAME = "ingest.lock"

# flock is per open file description: a second lock in the same process would succeed silently,
# so threads of one process are serialised with a plain lock on top.
_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.Lock())


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        return ""
    return f" (tiến trình {pid})" if pid.isdigit() else ""


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's ingestion lock for the duration of the block; no-op in server mode."""
    if settings.server_mode:
        yield
        return
    path = (Path(settings.store_dir) / LOCK_FILE_NAME).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    in_process = _thread_lock(path)
    if not in_process.acquire(blocking=False):
        raise IngestLocked(
            "Đang có một tiến trình nạp dữ liệu khác chạy trên kho này (trong chính tiến trình hiện tại).",
            "Chờ lần nạp đó xong rồi thử lại.",
        )
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IngestLocked(
                    f"Đang có một tiến trình nạp dữ liệu khác chạy trên kho này{_holder(path)}: {settings.store_dir}.",
                    "Chờ tiến trình đó xong rồi chạy lại; muốn nhiều tiến trình cùng nạp thì dùng máy chủ Chroma "
                    "(NGHIQUYET_CHROMA_HOST).",
                ) from exc
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        in_process.release()


def is_locked(settings: Settings) -> bool:
    """Whether some process holds the ingestion lock right now (for `doctor`)."""
    if settings.server_mode:
        return False
    path = Path(settings.store_dir) / LOCK_FILE_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
