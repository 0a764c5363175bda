"""Dense search: the question's embedding against the store's chunk vectors, hard filters applied in Chroma."""

from __future__ import annotations

from collections.abc import Callable

from ingest.models import Chunk
from retrieval.models import Filters
from vectorstore.embeddings import Embedder
from vectorstore.store import ChunkStore, build_where


class DenseRetriever:
    """Nearest chunks by cosine similarity (higher is better); the embedder caches query vectors.

    Chroma is asked for ids and distances only; `resolve` turns an id into the committed chunk (the
    hybrid retriever passes its lexical index, which holds exactly the committed chunks), and ids it
    does not know — records of an ingest still running, or left by a crash — are skipped.
    """

    def __init__(self, store: ChunkStore, embedder: Embedder, resolve: Callable[[str], Chunk | None]) -> None:
        self.store = store
        self.embedder = embedder
        self.resolve = resolve

    def search(self, text: str, *, k: int, filters: Filters = Filters()) -> list[tuple[Chunk, float]]:
        if k < 1 or not text.strip():
            return []
        vector = self.embedder.embed_query(text)
        where = build_where(filters.provinces, filters.years, filters.sources)
        n = k + 8
        while True:
            rows = self.store.nearest(vector, n, where)
            best: dict[str, float] = {}
            for cid, score in rows:
                best.setdefault(cid, score)  # one chunk in two versions has the same text and vector
            hits = [(chunk, score) for cid, score in best.items() if (chunk := self.resolve(cid)) is not None]
            if len(hits) >= k or len(rows) < n:
                return hits[:k]
            n *= 4
