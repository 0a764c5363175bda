"""One ingesting process at a time on an embedded store.

Chroma's embedded client is thread-safe but not safe for several *processes* writing to one
directory (a second writer can wait minutes on SQLite's lock or corrupt the HNSW files), so every
writer takes the exclusive lock `<store_dir>/ingest.lock` first, without waiting (`core.locks`). A
second writer is refused, whether it is another process or another thread of this one; the lock is
freed when its holder dies, even by `kill -9`, so a crash never leaves a stale lock.

In server mode (`NGHIQUYET_CHROMA_HOST`) no file lock is taken: the Chroma server serialises writes,
and several machines may ingest at once. The store's manifest keeps every document all-or-nothing
in that case too (see `vectorstore.store`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from core import locks
from core.config import Settings
from core.errors import IngestLocked

LOCK_FILE_NAME = "ingest.lock"


def _lock_path(settings: Settings) -> Path:
    return (Path(settings.store_dir) / LOCK_FILE_NAME).resolve()


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's ingestion lock for the duration of the block; no-op in server mode."""
    if settings.server_mode:
        yield
        return
    with ExitStack() as held:
        try:
            held.enter_context(locks.exclusive(_lock_path(settings), wait=False))
        except locks.LockBusy as busy:
            raise _refusal(settings, busy.holder) from busy
        yield


def _refusal(settings: Settings, holder: int | None) -> IngestLocked:
    if holder == os.getpid():
        return IngestLocked(
            "Đang có một tiến trình nạp dữ liệu khác chạy trên kho này (trong chính tiến trình hiện tại).",
            "Chờ lần nạp đó xong rồi thử lại.",
        )
    who = f" (tiến trình {holder})" if holder else ""
    return IngestLocked(
        f"Đang có một tiến trình nạp dữ liệu khác chạy trên kho này{who}: {settings.store_dir}.",
        "Chờ tiến trình đó xong rồi chạy lại; muốn nhiều tiến trình cùng nạp thì dùng máy chủ Chroma "
        "(NGHIQUYET_CHROMA_HOST).",
    )


def is_locked(settings: Settings) -> bool:
    """Whether some process holds the ingestion lock right now (for `doctor`)."""
    return not settings.server_mode and locks.is_locked(_lock_path(settings))
