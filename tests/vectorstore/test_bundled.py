"""Vectors shipped beside a corpus: written and read back exactly, used only for the same model and text."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import prepare_document
from core.config import Settings
from tests.conftest import CORPUS, HashEmbedder
from tests.vectorstore.test_embeddings import CountingEmbedder
from vectorstore.bundled import bundled_vectors_path, read_bundled_vectors, write_bundled_vectors
from vectorstore.cache import text_key
from vectorstore.embeddings import CachedEmbedder, load_embedder

KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"


def chunks_of(name: str) -> list:
    return list(prepare_document(CORPUS / name, Settings()).chunks)


def bundle(path: Path, texts: list[str], model: str = HashEmbedder.name) -> dict[str, list[float]]:
    vectors = {text_key(t): v for t, v in zip(texts, HashEmbedder().embed_passages(texts))}
    write_bundled_vectors(path, model, "short", vectors)
    return vectors


def test_written_vectors_read_back_as_float32_of_the_same_keys(tmp_path: Path) -> None:
    texts = [c.embed_text("short") for c in chunks_of(KIEN_GIANG)]
    written = bundle(tmp_path / "c.vectors.npz", texts)

    read = read_bundled_vectors(tmp_path / "c.vectors.npz")

    assert read is not None and (read.model, read.embed_context) == (HashEmbedder.name, "short")
    assert read.vectors.keys() == written.keys()
    # what the cache would hand back for the same vector: float32, compared exactly
    fresh = CachedEmbedder(HashEmbedder(), tmp_path / "cache").embed_passages(texts)
    assert [read.vectors[text_key(t)] for t in texts] == fresh


def test_missing_or_damaged_file_means_no_head_start(tmp_path: Path) -> None:
    assert read_bundled_vectors(tmp_path / "none.vectors.npz") is None
    damaged = tmp_path / "bad.vectors.npz"
    damaged.write_bytes(b"PK\x03\x04 not a zip at all")
    assert read_bundled_vectors(damaged) is None
    cached = CachedEmbedder(CountingEmbedder(), tmp_path / "cache", bundled=damaged)
    assert len(cached.embed_passages(["Tốc độ tăng trưởng GRDP đạt 3,32%."])) == 1


def test_shipped_vectors_fill_cache_misses_only_for_the_same_model_and_text(tmp_path: Path) -> None:
    chunks = chunks_of(KIEN_GIANG)
    shipped = tmp_path / "corpus.vectors.npz"
    bundle(shipped, [c.embed_text("short") for c in chunks])

    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, tmp_path / "cache", bundled=shipped)
    vectors = cached.embed_passages([c.embed_text("short") for c in chunks])
    assert inner.passages == [] and cached.passages_embedded == 0
    assert vectors == CachedEmbedder(HashEmbedder(), tmp_path / "fresh").embed_passages(
        [c.embed_text("short") for c in chunks])  # the same float32 vectors a cold cache produces
    # copied into the cache: a later process without the file reads them from there
    later = CachedEmbedder(CountingEmbedder(), tmp_path / "cache")
    later.embed_passages([c.embed_text("short") for c in chunks])
    assert later.inner.passages == []  # type: ignore[attr-defined]

    # Another header variant is another text, hence another key: it is embedded, not served stale.
    full = CachedEmbedder(CountingEmbedder(), tmp_path / "cache", bundled=shipped)
    full.embed_passages([c.embed_text("full") for c in chunks])
    assert full.passages_embedded == len({c.embed_text("full") for c in chunks})

    # Another model never reads this model's vectors.
    class Other(CountingEmbedder):
        name = "another-model"

    other = CachedEmbedder(Other(), tmp_path / "cache", bundled=shipped)
    other.embed_passages([chunks[0].embed_text("short")])
    assert other.inner.passages == [chunks[0].embed_text("short")]  # type: ignore[attr-defined]


def test_the_configured_embedder_looks_beside_the_configured_corpus(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", corpus_dir=tmp_path / "docs")
    assert load_embedder(settings).bundled_path == bundled_vectors_path(tmp_path / "docs")
    assert bundled_vectors_path(tmp_path / "docs") == tmp_path / "docs.vectors.npz"
