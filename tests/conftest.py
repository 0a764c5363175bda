"""Shared fixtures: isolated state per test, the bundled corpus, a tiny deterministic embedder."""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import pytest

from core.vietnamese import index_key

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
# Real-model embeddings are cached here across test runs and clones (content-hash keyed, safe for
# several processes), so the suite embeds each corpus passage at most once per machine.
EMBED_CACHE = Path(
    os.environ.get("NGHIQUYET_TEST_CACHE", Path.home() / ".cache" / "nghiquyet" / "test-embeddings")
)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own store; no developer env or config file leaks in."""
    for key in list(os.environ):
        if key.startswith("NGHIQUYET_") and key != "NGHIQUYET_TEST_CACHE":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NGHIQUYET_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


class HashEmbedder:
    """Deterministic bag-of-syllables embedder: similar texts get similar vectors, no model needed."""

    name = "test-hash"
    dim = 256

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for token in index_key(text).split():
            h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
            vec[h % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()
