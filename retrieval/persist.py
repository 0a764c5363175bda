"""Index states saved per store fingerprint: written under a temporary name, renamed into place.

Several processes that share one store (or one Chroma server) build, load and replace these states;
none ever reads a half-written one, and the loser of a race simply keeps the winner's equal copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

_BUILDING = ".build-"


def save_state(root: Path, name: str, write: Callable[[Path], None], *, marker: str) -> None:
    """Write a state with `write(tmp_dir)` and publish it as `root/name`; drop older states.

    `marker` is the file `write` creates last: a directory holding it is complete.
    """
    final = root / name
    if (final / marker).is_file():
        return  # another process saved the same state
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=root))
    try:
        write(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            return  # lost the race to another process writing the same state: theirs is as good
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    # Old states are dead weight once a newer one is saved; another process may still hold one in memory only.
    for entry in root.iterdir():
        if entry.name != name and entry.is_dir() and not entry.name.startswith(_BUILDING):
            shutil.rmtree(entry, ignore_errors=True)
