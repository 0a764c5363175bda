"""Fixtures for answer tests: term statistics over the hand-made passages, a real retriever over them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nghiquyet.answer.answerer import CorpusInfo, corpus_info
from nghiquyet.answer.terms import TermStats
from core.config import Settings
from retrieval.hybrid import HybridRetriever
from tests.answer.corpus_passages import ALL
from tests.conftest import CORPUS, HashEmbedder
from vectorstore.store import ChunkStore, open_store


@pytest.fixture(scope="session")
def info() -> CorpusInfo:
    """Availability of the hand-made passages; term rarity from the real corpus' paragraphs."""
    paragraphs = [p for path in sorted(CORPUS.glob("*.txt")) for p in path.read_text(encoding="utf-8").split("\n\n")]
    return CorpusInfo(stats=TermStats.from_texts(p for p in paragraphs if p.strip()), available=corpus_info(ALL).available)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(store_dir=tmp_path_factory.mktemp("answer") / "store")


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[ChunkStore]:
    """An embedded Chroma store holding the hand-made passages (fake embedder); read-only, shared per module."""
    embedder = HashEmbedder()
    s = open_store(settings, embedder)
    for doc in dict.fromkeys(c.doc for c in ALL):
        chunks = [c for c in ALL if c.doc == doc]
        s.add_document(doc, chunks, embedder.embed_passages([c.index_text for c in chunks]))
    yield s
    s.close()


@pytest.fixture(scope="module")
def retriever(store: ChunkStore, settings: Settings) -> HybridRetriever:
    return HybridRetriever(store, HashEmbedder(), settings)
