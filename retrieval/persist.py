"""Index states saved per store fingerprint: written under a temporary name, renamed into place.

Several processes that share one store (or one Chroma server) build, load and replace these states;
none ever reads a half-written one, and the loser of a race simply keeps the winner's equal copy.

A saved state is derived data, never trusted as it lies on disk: its marker file records the store
fingerprint it was built from and a checksum of every other file in it, and a state whose files do
not match is rebuilt from the store of record (Chroma). A state that cannot be saved (read-only
store, full disk) is served from memory; the store itself is not touched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

_BUILDING = ".build-"


def checksums(directory: Path, *, skip: str) -> dict[str, str]:
    """sha256 of every file under `directory` except `skip` (the marker that will hold them)."""
    out: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != skip:
            with path.open("rb") as handle:
                out[path.relative_to(directory).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return out


def changed_files(directory: Path, expected: object, *, skip: str) -> list[str]:
    """Files of a saved state that differ from the checksums recorded when it was written (or all, when none were).

    Raises FileNotFoundError when the state disappears meanwhile (another process replaced it): that
    is not damage.
    """
    if not isinstance(expected, dict) or not expected:
        return ["(không có tổng kiểm tra)"]
    found = checksums(directory, skip=skip)
    if not (directory / skip).is_file():
        raise FileNotFoundError(directory)
    names = sorted(set(found) | set(expected))
    return [name for name in names if found.get(name) != expected.get(name)]


def save_state(root: Path, name: str, write: Callable[[Path], None], *, marker: str) -> None:
    """Write a state with `write(tmp_dir)` and publish it as `root/name`; drop older states.

    `marker` is the file `write` creates last: a directory holding it is complete.
    """
    final = root / name
    if (final / marker).is_file():
        return  # another process saved the same state (a damaged copy is discarded by the loader first)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=root))
    except OSError as exc:
        log.warning("Không lưu được chỉ mục dẫn xuất vào %s (%s); dùng bản trong bộ nhớ.", root, exc.strerror or exc)
        return
    try:
        write(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            return  # lost the race to another process writing the same state: theirs is as good
    except OSError as exc:  # a full disk: the state lives in memory only, nothing half-written stays
        log.warning("Không lưu được chỉ mục dẫn xuất vào %s (%s); dùng bản trong bộ nhớ.", root, exc.strerror or exc)
        return
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    # Old states are dead weight once a newer one is saved; another process may still hold one in memory only.
    for entry in root.iterdir():
        if entry.name != name and entry.is_dir() and not entry.name.startswith(_BUILDING):
            discard_state(root, entry.name)


def discard_state(root: Path, name: str) -> None:
    """Remove a saved state: renamed away first (atomic), so a reader sees it whole or not at all."""
    aside = root / f"{_BUILDING}discard-{os.getpid()}-{name}"
    try:
        os.rename(root / name, aside)
    except OSError:
        return  # already gone (another process discarded it), or a read-only store: leave it
    shutil.rmtree(aside, ignore_errors=True)
