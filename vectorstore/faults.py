"""Faults of the machine, not of the index: a read-only store and a full disk.

Both surface from deep inside Chroma or SQLite ("attempt to write a readonly database", "database or
disk is full", OSError EROFS/ENOSPC) and used to be reported as damage, with advice to rebuild — which
could only make things worse. They get their own errors, whose fix is about the machine; the index
is left as it is.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from core.errors import StoreError

_READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_READ_ONLY_TEXT = ("readonly database", "read-only file system", "read-only database", "permission denied")
_FULL_TEXT = ("database or disk is full", "no space left on device", "disk quota exceeded")


class StoreReadOnly(StoreError):
    """The store's files cannot be written (read-only mount, missing permission)."""


class DiskFull(StoreError):
    """The disk holding the store has no space left."""


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def read_only(where: Path | str) -> StoreReadOnly:
    return StoreReadOnly(
        f"Kho chỉ đọc: không ghi được vào {where}. Chỉ mục hiện có không bị thay đổi.",
        "Cấp quyền ghi cho thư mục kho (hoặc gắn lại ổ đĩa ở chế độ đọc-ghi), hoặc chọn --store khác.",
    )


def disk_full(where: Path | str) -> DiskFull:
    return DiskFull(
        f"Hết dung lượng đĩa khi ghi vào {where}. Tài liệu đang nạp chưa được ghi; chỉ mục hiện có không bị thay đổi.",
        "Giải phóng dung lượng đĩa (hoặc chọn --store trên ổ khác) rồi chạy lại lệnh.",
    )


_LOW_SPACE_BYTES = 4 * 1024 * 1024


def machine_state(where: Path) -> StoreError | None:
    """A read-only mount or an (almost) full disk under `where`, whatever error it caused.

    Chroma reports a write that failed for lack of space in its own words ("Error in compaction:
    Failed to apply logs…"), so the file system itself is asked.
    """
    probe = where
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        stats = os.statvfs(probe)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return read_only(where)
    if stats.f_bavail * stats.f_frsize < _LOW_SPACE_BYTES:
        return disk_full(where)
    return None


def environment_fault(where: Path | str, exc: BaseException) -> StoreError | None:
    """The read-only or disk-full error `exc` stands for, or None when it is something else."""
    if isinstance(where, Path):
        state = machine_state(where)
        if state is not None:
            return state
    for link in _chain(exc):
        if isinstance(link, StoreReadOnly | DiskFull):
            return link
        code = getattr(link, "errno", None)
        if code in _FULL_ERRNOS:
            return disk_full(where)
        if code in _READ_ONLY_ERRNOS:
            return read_only(where)
        text = str(link).lower()
        if any(t in text for t in _FULL_TEXT):
            return disk_full(where)
        if any(t in text for t in _READ_ONLY_TEXT):
            return read_only(where)
    return None
