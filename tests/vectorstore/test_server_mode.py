"""The store against a real `chroma run` server: shared between clients, unreachable, back again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.errors import StoreUnavailable
from tests.conftest import HashEmbedder
from tests.vectorstore.builders import add, make_document, paragraphs
from vectorstore.store import open_store

pytestmark = pytest.mark.slow

TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
SOC_TRANG = "soc-trang-nq-nhiem-vu-2020.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path / "server-data", free_port())
    srv.start()
    yield srv
    srv.kill()


def test_two_clients_share_one_server(server: ChromaServer, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    settings = Settings(store_dir=tmp_path / "a", chroma_host="127.0.0.1", chroma_port=server.port)
    first = open_store(settings, embedder)
    second = open_store(settings.model_copy(update={"store_dir": tmp_path / "b"}), embedder)
    assert not (tmp_path / "a" / "chroma").exists()  # nothing embedded on disk in server mode

    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 20))
    add(first, embedder, meta, chunks)
    assert second.all_chunks() == chunks
    fingerprint = second.fingerprint()
    assert fingerprint == first.fingerprint()

    other_meta, other = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 7), province="Sóc Trăng")
    add(second, embedder, other_meta, other)
    assert first.fingerprint() != fingerprint  # the other client's commit is visible at once
    hits = first.query(embedder.embed_passages([other[3].index_text])[0], k=1)
    assert hits[0][0] == other[3]
    assert first.health() == []

    moved = first.fingerprint()
    second.delete_document("tra-vinh.txt")
    assert first.fingerprint() != moved  # a delete by the other client is seen too
    assert first.all_chunks() == other
    assert [d.meta.source for d in first.documents()] == ["soc-trang.txt"]


def test_server_down_then_back(server: ChromaServer, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    settings = Settings(store_dir=tmp_path / "a", chroma_host="127.0.0.1", chroma_port=server.port,
                        chroma_timeout_s=3)
    store = open_store(settings, embedder)
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 10))
    add(store, embedder, meta, chunks)

    server.kill()
    with pytest.raises(StoreUnavailable) as info:
        store.query(embedder.embed_query("GRDP"), k=3)
    assert f"Không kết nối được kho vector tại 127.0.0.1:{server.port}" in info.value.message
    with pytest.raises(StoreUnavailable):
        open_store(settings, embedder)

    server.start()  # same data directory, same port: the same store object recovers
    assert store.all_chunks() == chunks
    assert len(store.query(embedder.embed_query("GRDP"), k=3)) == 3
