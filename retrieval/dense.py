"""Dense search: the question's embedding against the store's chunk vectors, hard filters applied in Chroma."""

from __future__ import annotations

from ingest.models import Chunk
from retrieval.models import Filters
from vectorstore.embeddings import Embedder
from vectorstore.store import ChunkStore, build_where


class DenseRetriever:
    """Nearest chunks by cosine similarity (higher is better); the embedder caches query vectors."""

    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, text: str, *, k: int, filters: Filters = Filters()) -> list[tuple[Chunk, float]]:
        if k < 1 or not text.strip():
            return []
        vector = self.embedder.embed_query(text)
        where = build_where(filters.provinces, filters.years, filters.sources)
        return self.store.query(vector, k, where)
