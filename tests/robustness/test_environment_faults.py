"""Faults of the machine are named as such — "kho chỉ đọc", "hết dung lượng đĩa" — and the index is untouched.

Real mounts: the store is bind-mounted read-only, or copied onto a tmpfs that is then filled up.
Mounting needs root (CI runs as root on this machine); elsewhere these tests are skipped.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.robustness.conftest import HASH_CLI, assert_refused, cli_env, output, run

KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "ingest.lock"
    }


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """(a store holding one document, a folder with another document, the work dir)."""
    docs, more = tmp_path / "docs", tmp_path / "more"
    docs.mkdir()
    more.mkdir()
    shutil.copy(CORPUS / KIEN_GIANG, docs / KIEN_GIANG)
    shutil.copy(CORPUS / LANG_SON, more / LANG_SON)
    store = tmp_path / "store"
    done = run([*HASH_CLI, "ingest", str(docs)], cli_env(store), tmp_path)
    assert done.returncode == 0, output(done)
    yield store, more, tmp_path


def test_read_only_store_is_named_and_rebuild_gives_a_message(folders: tuple[Path, Path, Path]) -> None:
    store, more, work = folders
    read_only = work / "ro"
    read_only.mkdir()
    _mount("--bind", str(store), str(read_only))
    try:
        _mount("-o", "remount,bind,ro", str(read_only))
        before = _digest(read_only)
        env = cli_env(read_only)
        for command in (["ingest", str(more)], ["ingest", "--rebuild", str(more)], ["delete", KIEN_GIANG]):
            result = run([*HASH_CLI, *command], env, work)
            assert_refused(result, "Kho chỉ đọc")
            assert "Cấp quyền ghi" in output(result)
            assert "bị hỏng" not in output(result) and "--rebuild" not in output(result)
        assert _digest(read_only) == before
    finally:
        _umount(read_only)


def test_full_disk_is_named_and_the_index_keeps_its_documents(folders: tuple[Path, Path, Path]) -> None:
    store, more, work = folders
    disk = work / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
    try:
        shutil.copytree(store, disk / "store")
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 16 * 1024))
        env = cli_env(disk / "store")

        result = run([*HASH_CLI, "ingest", str(more)], env, work)
        assert_refused(result, "Hết dung lượng đĩa")
        assert "Giải phóng dung lượng đĩa" in output(result) and "bị hỏng" not in output(result)

        (disk / "filler").unlink()
        doctor = run([*HASH_CLI, "doctor"], env, work)
        assert doctor.returncode == 0, output(doctor)
        assert "1 tài liệu" in output(doctor)
        again = run([*HASH_CLI, "ingest", str(more)], env, work)
        assert again.returncode == 0 and "1 mới" in output(again), output(again)
    finally:
        _umount(disk)
