"""ChunkStore on an embedded Chroma: round trip, commits, replacement, crashes, limits, damage."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ingest.models import Chunk
from core.config import ConfigError, Settings
from core.errors import StoreDamaged, StoreError, StoreUnavailable
from tests.conftest import REPO, HashEmbedder
from tests.vectorstore.builders import add, make_document, paragraphs
from vectorstore.client import REBUILD_HINT, discard_local_store
from vectorstore.records import build_where
from vectorstore.store import ChunkStore, open_store

TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
SOC_TRANG = "soc-trang-nq-nhiem-vu-2020.txt"
GRDP_TARGET = "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."


def raw_records(store: ChunkStore) -> dict[str, dict]:
    """Every chunk record in the collection, committed or not: id → metadata."""
    page = store._chunks.get(include=["metadatas"])
    return dict(zip(page["ids"], page["metadatas"]))


def test_chunks_round_trip_exactly(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 25))
    add(store, fake_embedder, meta, chunks)

    assert store.all_chunks() == chunks  # every field, DocumentMeta included
    assert store.count() == 25
    [doc] = store.documents()
    assert doc.meta == meta and doc.chunk_count == 25


def test_query_returns_similarity_higher_is_better(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    texts = paragraphs(TRA_VINH)
    meta, chunks = make_document("tra-vinh.txt", texts[:40] + [GRDP_TARGET])
    add(store, fake_embedder, meta, chunks)

    hits = store.query(fake_embedder.embed_passages([chunks[-1].index_text])[0], k=5)
    assert len(hits) == 5
    assert hits[0][0] == chunks[-1]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= s <= 1.0001 for s in scores)


def test_where_filters_by_province_year_and_source(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    tv_meta, tv = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 10), province="Trà Vinh", years=(2020, 2021))
    st_meta, st = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 10), province="Sóc Trăng", years=(2019, 2020))
    add(store, fake_embedder, tv_meta, tv)
    add(store, fake_embedder, st_meta, st)
    query = fake_embedder.embed_query("kinh tế xã hội năm 2020")

    def sources(where: dict | None) -> set[str]:
        return {c.source for c, _ in store.query(query, k=20, where=where)}

    assert sources(None) == {"tra-vinh.txt", "soc-trang.txt"}
    assert sources(build_where(provinces=["Sóc Trăng"])) == {"soc-trang.txt"}
    assert sources(build_where(years=[2021])) == {"tra-vinh.txt"}
    assert sources(build_where(years=[2019, 2021])) == {"tra-vinh.txt", "soc-trang.txt"}
    assert sources(build_where(provinces=["Trà Vinh"], years=[2019])) == set()
    assert sources(build_where(sources=["soc-trang.txt"])) == {"soc-trang.txt"}
    assert build_where() is None


def test_same_document_again_writes_nothing(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 12))
    add(store, fake_embedder, meta, chunks)
    before = (raw_records(store), store.fingerprint())
    assert store.is_current(meta, chunks)

    add(store, fake_embedder, meta, chunks)
    assert (raw_records(store), store.fingerprint()) == before


def test_changed_document_replaces_exactly_its_old_chunks(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    texts = paragraphs(TRA_VINH, 20)
    old_meta, old = make_document("tra-vinh.txt", texts)
    other_meta, other = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 5), province="Sóc Trăng")
    add(store, fake_embedder, old_meta, old)
    add(store, fake_embedder, other_meta, other)
    fingerprint = store.fingerprint()

    edited = texts[:5] + [texts[5].replace("Trà Vinh", "tỉnh Trà Vinh") + " (sửa đổi)"] + texts[6:15]
    new_meta, new = make_document("tra-vinh.txt", edited, salt="v2")
    assert not store.is_current(new_meta, new)
    add(store, fake_embedder, new_meta, new)

    assert store.all_chunks() == sorted(other + new, key=lambda c: (c.source, c.seq))
    assert store.count() == len(other) + 15
    assert len(raw_records(store)) == len(other) + 15  # the old version's records are gone
    assert store.documents()[1].meta == new_meta
    assert store.fingerprint() != fingerprint


def test_delete_document(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    tv_meta, tv = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 8))
    st_meta, st = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 6), province="Sóc Trăng")
    add(store, fake_embedder, tv_meta, tv)
    add(store, fake_embedder, st_meta, st)

    assert store.delete_document("tra-vinh.txt") == 8
    assert [d.meta.source for d in store.documents()] == ["soc-trang.txt"]
    assert store.all_chunks() == st
    assert {m["source"] for m in raw_records(store).values()} == {"soc-trang.txt"}
    hits = store.query(fake_embedder.embed_passages([tv[0].index_text])[0], k=20)
    assert {c.source for c, _ in hits} == {"soc-trang.txt"}
    assert store.delete_document("tra-vinh.txt") == 0


class Crash(RuntimeError):
    pass


def crash(*_args: object, **_kwargs: object) -> None:
    raise Crash()


def test_crash_before_commit_leaves_nothing_visible(
    store: ChunkStore, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept_meta, kept = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 6), province="Sóc Trăng")
    add(store, fake_embedder, kept_meta, kept)
    state = (store.all_chunks(), store.count(), store.fingerprint(), store.documents())

    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 30))
    real_upsert = store._manifest.upsert
    monkeypatch.setattr(store._manifest, "upsert", crash)
    with pytest.raises(Crash):
        add(store, fake_embedder, meta, chunks)
    monkeypatch.setattr(store._manifest, "upsert", real_upsert)

    assert len(raw_records(store)) == 6 + 30  # written, but not committed
    assert (store.all_chunks(), store.count(), store.fingerprint(), store.documents()) == state
    hits = store.query(fake_embedder.embed_passages([chunks[0].index_text])[0], k=3)
    assert {c.source for c, _ in hits} == {"soc-trang.txt"}
    # leftovers are a notice (the next ingest removes them), not damage that calls for a rebuild
    assert store.health() == [] and store.leftover_records() == 30

    assert store.collect_garbage() == 30
    assert len(raw_records(store)) == 6
    assert store.health() == [] and store.leftover_records() == 0


def test_crash_after_commit_shows_only_the_new_version(
    store: ChunkStore, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = paragraphs(TRA_VINH, 12)
    old_meta, old = make_document("tra-vinh.txt", texts)
    add(store, fake_embedder, old_meta, old)
    new_meta, new = make_document("tra-vinh.txt", texts[:6], salt="v2")

    monkeypatch.setattr(store, "_delete_where", crash)
    with pytest.raises(Crash):
        add(store, fake_embedder, new_meta, new)
    monkeypatch.undo()

    assert store.all_chunks() == new
    assert store.count() == 6
    assert len(raw_records(store)) == 12 + 6
    assert store.collect_garbage() == 12
    assert len(raw_records(store)) == 6


def test_interrupted_write_converges_to_a_clean_write(
    store: ChunkStore, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 30))
    monkeypatch.setattr(store._client, "get_max_batch_size", lambda: 7)
    calls = {"n": 0}
    real = store._chunks.upsert

    def flaky_upsert(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Crash()
        return real(**kwargs)

    monkeypatch.setattr(store._chunks, "upsert", flaky_upsert)
    with pytest.raises(Crash):
        add(store, fake_embedder, meta, chunks)
    monkeypatch.setattr(store._chunks, "upsert", real)
    add(store, fake_embedder, meta, chunks)

    clean = open_store(Settings(store_dir=tmp_path / "clean"), fake_embedder)
    add(clean, fake_embedder, meta, chunks)
    assert sorted(raw_records(store)) == sorted(raw_records(clean))
    assert store.all_chunks() == clean.all_chunks()
    assert store.fingerprint() == clean.fingerprint()
    clean.close()


def test_more_chunks_than_the_batch_limit(
    store: ChunkStore, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 7
    server = store._client._server
    real_upsert = server._upsert
    batches: list[int] = []

    def limited_upsert(*args, **kwargs):
        ids = kwargs.get("ids", args[1] if len(args) > 1 else None)
        batches.append(len(ids))
        if len(ids) > limit:  # what a real server with this limit does
            raise ValueError(f"batch of {len(ids)} exceeds {limit}")
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(server, "get_max_batch_size", lambda: limit)
    monkeypatch.setattr(server, "_upsert", limited_upsert)
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 30))
    add(store, fake_embedder, meta, chunks)

    assert max(batches) <= limit and sum(batches) >= 30
    assert store.all_chunks() == chunks


def test_other_handle_rebuilding_does_not_break_this_one(
    settings: Settings, store: ChunkStore, fake_embedder: HashEmbedder
) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 5))
    add(store, fake_embedder, meta, chunks)
    other = open_store(settings, fake_embedder)
    fingerprint = store.fingerprint()
    other.reset()

    assert store.count() == 0  # collections were dropped and recreated underneath
    assert store.fingerprint() != fingerprint
    add(store, fake_embedder, meta, chunks)
    assert other.all_chunks() == chunks
    assert other.fingerprint() == store.fingerprint() == fingerprint


def test_add_document_checks_its_arguments(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 3))
    vectors = fake_embedder.embed_passages([c.text for c in chunks])
    with pytest.raises(ValueError, match="embeddings"):
        store.add_document(meta, chunks, vectors[:2])
    with pytest.raises(ValueError, match="no chunks"):
        store.add_document(meta, [], [])
    stranger = dataclasses.replace(chunks[0], source="khac.txt")
    with pytest.raises(ValueError, match="other sources"):
        store.add_document(meta, [stranger, *chunks[1:]], vectors)
    assert store.count() == 0


def test_other_embedder_is_refused(settings: Settings, store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 3))
    add(store, fake_embedder, meta, chunks)

    class OtherEmbedder(HashEmbedder):
        name = "other-model"

    other = open_store(settings, OtherEmbedder())
    assert other.documents()[0].chunk_count == 3  # listing still works
    with pytest.raises(StoreError, match="other-model"):
        other.query(fake_embedder.embed_query("GRDP"), k=3)
    assert any("test-hash" in p for p in other.health())


def test_reopened_store_finds_every_chunk_by_vector(tmp_path: Path) -> None:
    """A small ingest (below Chroma's index sync threshold), a clean exit, a new process: all there."""
    store_dir = tmp_path / "store"
    common = f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from core.config import Settings
        from tests.conftest import HashEmbedder
        from tests.vectorstore.builders import make_document, paragraphs
        from vectorstore.store import open_store
        e = HashEmbedder()
        meta, chunks = make_document("tra-vinh.txt", paragraphs({TRA_VINH!r}, 40))
        store = open_store(Settings(store_dir={str(store_dir)!r}), e)
    """
    write = common + """
        store.add_document(meta, chunks, e.embed_passages([c.index_text for c in chunks]))
        store.close()
    """
    check = common + """
        missing = [c.seq for c in chunks
                   if store.query(e.embed_passages([c.index_text])[0], k=1)[0][0] != c]
        print("missing", missing, store.count())
    """
    for script in (write, check):
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)
        assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "missing [] 40"


def test_damaged_directory_is_reported_not_crashed(settings: Settings, fake_embedder: HashEmbedder) -> None:
    chroma_dir = settings.store_dir / "chroma"
    chroma_dir.mkdir(parents=True)
    (chroma_dir / "chroma.sqlite3").write_bytes(b"SQLite format 2\x00" + bytes(range(256)) * 40)

    with pytest.raises(StoreDamaged) as info:
        open_store(settings, fake_embedder)
    assert "bị hỏng" in info.value.message
    assert info.value.hint == REBUILD_HINT and "nghiquyet ingest --rebuild" in REBUILD_HINT

    discard_local_store(settings)
    store = open_store(settings, fake_embedder)  # the same process recovers after the rebuild
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 3))
    add(store, fake_embedder, meta, chunks)
    assert store.count() == 3
    store.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_fails_fast_with_a_message(fake_embedder: HashEmbedder) -> None:
    port = _closed_port()
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port, chroma_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        open_store(settings, fake_embedder)
    assert time.monotonic() - started < 5
    assert f"Không kết nối được kho vector tại 127.0.0.1:{port}" in info.value.message
    assert "NGHIQUYET_CHROMA_HOST" in info.value.hint


def test_contradictory_server_settings_are_refused(fake_embedder: HashEmbedder) -> None:
    with pytest.raises(ConfigError, match="mâu thuẫn"):
        open_store(Settings(chroma_host="http://127.0.0.1:8001", chroma_port=8002), fake_embedder)
    with pytest.raises(ConfigError, match="NGHIQUYET_CHROMA_HOST"):
        open_store(Settings(chroma_host="ftp://x/y"), fake_embedder)
    with pytest.raises(ConfigError, match="NGHIQUYET_COLLECTION"):
        open_store(Settings(collection="x"), fake_embedder)


def test_chunk_records_never_use_chroma_embedding_function(store: ChunkStore) -> None:
    config = store._chunks.configuration_json
    assert config["embedding_function"] is None
    assert config["hnsw"]["space"] == "cosine"


def test_chunk_fields_survive_unusual_values(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    meta, chunks = make_document("la-ng son.txt", ["Chỉ tiêu: \"GRDP\" tăng 7,5%\ttab\nxuống dòng <i>x</i>"],
                                 province=None, years=())
    odd = Chunk(text="", source=meta.source, heading_path=(), page=None, kind="heading", seq=1, doc=meta)
    add(store, fake_embedder, meta, [*chunks, odd])
    assert store.all_chunks() == [*chunks, odd]


def test_vector_search_sees_what_another_process_committed(settings: Settings, store: ChunkStore,
                                                           fake_embedder: HashEmbedder, tmp_path: Path) -> None:
    """`nghiquyet ingest` in one process while the app (this process) keeps its store open."""
    meta, chunks = make_document("tra-vinh.txt", paragraphs(TRA_VINH, 10))
    add(store, fake_embedder, meta, chunks)
    assert store.query(fake_embedder.embed_query("GRDP"), k=1)  # the vector index is loaded now

    script = f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from core.config import Settings
        from tests.conftest import HashEmbedder
        from tests.vectorstore.builders import add, make_document, paragraphs
        from vectorstore.store import open_store
        e = HashEmbedder()
        store = open_store(Settings(store_dir={str(settings.store_dir)!r}), e)
        add(store, e, *make_document("soc-trang.txt", paragraphs({SOC_TRANG!r}, 8), province="Sóc Trăng"))
        store.close()
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr

    _, theirs = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 8), province="Sóc Trăng")
    for chunk in theirs:
        [(found, score)] = store.query(fake_embedder.embed_passages([chunk.index_text])[0], k=1)
        assert found == chunk and score == pytest.approx(1.0, abs=1e-4)
    assert store.count() == 18


def test_queries_keep_working_while_a_document_is_written(store: ChunkStore, fake_embedder: HashEmbedder) -> None:
    import threading

    meta, chunks = make_document("soc-trang.txt", paragraphs(SOC_TRANG, 10), province="Sóc Trăng")
    add(store, fake_embedder, meta, chunks)
    texts = paragraphs(TRA_VINH, 60)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(4):  # four versions of a document, each replacing the last
                add(store, fake_embedder, *make_document("tra-vinh.txt", texts[n * 10:n * 10 + 20], salt=str(n)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    probe = fake_embedder.embed_passages([chunks[4].index_text])[0]
    while writer.is_alive():
        [(found, _)] = store.query(probe, k=1)
        assert found == chunks[4]
        visible = {c.source: c for c in store.all_chunks()}
        assert "soc-trang.txt" in visible
    writer.join()
    assert not errors
    assert store.count() == 10 + 20
