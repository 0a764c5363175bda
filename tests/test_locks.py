"""The one lock helper: a second holder is refused or waits — another process, another thread or the same one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from core.locks import LockBusy, exclusive, holder, is_locked, lock_path_for
from tests.conftest import REPO


def test_a_second_holder_in_the_same_thread_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with exclusive(path, wait=False):
        with pytest.raises(LockBusy) as info:
            with exclusive(path, wait=False):
                pytest.fail("the lock was granted twice")
        assert info.value.holder is not None and holder(path) == info.value.holder
    assert holder(path) is None  # the id is cleared on release
    with exclusive(path, wait=False):  # free again
        pass


def test_another_thread_is_refused_or_waits(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    outcome: list[str] = []
    released = threading.Event()

    def refused() -> None:
        try:
            with exclusive(path, wait=False):
                outcome.append("granted")
        except LockBusy:
            outcome.append("refused")

    def waits() -> None:
        with exclusive(path, wait=True):
            outcome.append("granted after release" if released.is_set() else "granted while held")

    with exclusive(path):
        thread = threading.Thread(target=refused)
        thread.start()
        thread.join()
        waiter = threading.Thread(target=waits)
        waiter.start()
        time.sleep(0.3)
        released.set()
    waiter.join(timeout=10)
    assert outcome == ["refused", "granted after release"]


def test_waiting_writers_never_interleave(tmp_path: Path) -> None:
    """Read-modify-write under the lock from several threads loses no update."""
    counter = tmp_path / "counter.txt"
    counter.write_text("0")

    def bump() -> None:
        for _ in range(25):
            with exclusive(lock_path_for(counter)):
                value = int(counter.read_text())
                time.sleep(0.001)
                counter.write_text(str(value + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert counter.read_text() == "100"


def test_another_process_holding_the_lock_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from core.locks import exclusive
        with exclusive(Path({str(path)!r})):
            print("locked", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        assert is_locked(path)
        with pytest.raises(LockBusy) as info:
            with exclusive(path, wait=False):
                pass
        assert info.value.holder == child.pid
    finally:
        child.kill()
        child.wait()
    assert not is_locked(path)  # the kernel freed it with the process


def test_probing_a_missing_lock_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "x.lock"
    assert not is_locked(path)
    assert not path.parent.exists()


def test_the_lock_file_sits_beside_the_data_file(tmp_path: Path) -> None:
    assert lock_path_for(tmp_path / "feedback.jsonl") == tmp_path / "feedback.jsonl.lock"
