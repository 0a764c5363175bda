"""The ingestion lock: one writer per embedded store, freed even when the holder is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import IngestLocked
from tests.conftest import REPO
from vectorstore.lock import LOCK_FILE_NAME, ingest_lock, is_locked


def hold_lock_in_child(store_dir: Path) -> subprocess.Popen[str]:
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from core.config import Settings
        from vectorstore.lock import ingest_lock
        with ingest_lock(Settings(store_dir={str(store_dir)!r})):
            print("locked", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    return child


def test_second_process_is_refused_with_a_message(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    child = hold_lock_in_child(settings.store_dir)
    try:
        assert is_locked(settings)
        with pytest.raises(IngestLocked) as info:
            with ingest_lock(settings):
                pytest.fail("the lock was granted twice")
        assert "Đang có một tiến trình nạp dữ liệu khác chạy trên kho này" in info.value.message
        assert f"tiến trình {child.pid}" in info.value.message
        assert "NGHIQUYET_CHROMA_HOST" in (info.value.hint or "")
    finally:
        child.kill()
        child.wait()


def test_lock_is_freed_when_the_holder_is_killed(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    child = hold_lock_in_child(settings.store_dir)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 5
    while is_locked(settings) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_locked(settings)
    with ingest_lock(settings):
        assert is_locked(settings)  # now held by this process
    assert not is_locked(settings)


def test_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    with ingest_lock(settings):
        with pytest.raises(IngestLocked):
            with ingest_lock(Settings(store_dir=tmp_path / "store")):
                pass
    with ingest_lock(settings):  # released on exit, reusable
        pass


def test_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    with pytest.raises(ZeroDivisionError):
        with ingest_lock(settings):
            raise ZeroDivisionError
    assert not is_locked(settings)
    with ingest_lock(settings):
        pass


def test_server_mode_takes_no_file_lock(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", chroma_host="127.0.0.1")
    with ingest_lock(settings):
        with ingest_lock(settings):  # the Chroma server serialises writers
            pass
    assert not (tmp_path / "store" / LOCK_FILE_NAME).exists()
