"""The engine: one object that owns the heavy parts and answers the product's verbs.

The CLI and the app are thin shells over it. Components are created lazily, once per
process, so `nghiquyet --help` stays instant and the app can share one engine between sessions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings
from retrieval.models import Filters, SearchResult

if TYPE_CHECKING:
    from ingest.models import Chunk
    from nghiquyet.answer.answerer import Answerer
    from nghiquyet.answer.models import Answer
    from nghiquyet.indexing import IngestProgress, IngestReport
    from retrieval.hybrid import HybridRetriever
    from vectorstore.embeddings import Embedder
    from vectorstore.store import ChunkStore, StoredDocument


class Engine:
    """Settings in, answers out. Safe to share between threads (the app's sessions)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()

    @cached_property
    def embedder(self) -> "Embedder":
        from vectorstore.embeddings import load_embedder

        return load_embedder(self.settings)

    @cached_property
    def store(self) -> "ChunkStore":
        from vectorstore.store import open_store

        return open_store(self.settings, self.embedder)

    @cached_property
    def retriever(self) -> "HybridRetriever":
        from retrieval.hybrid import HybridRetriever

        return HybridRetriever(self.store, self.embedder, self.settings)

    @cached_property
    def answerer(self) -> "Answerer":
        from nghiquyet.answer.answerer import Answerer

        return Answerer(self.settings)

    # --- verbs -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        *,
        rebuild: bool = False,
        progress: Callable[["IngestProgress"], None] | None = None,
    ) -> "IngestReport":
        from nghiquyet.indexing import ingest_paths

        with self._lock:
            report = ingest_paths(paths, self.settings, self.store, self.embedder, rebuild=rebuild, progress=progress)
            self.retriever.refresh()
            return report

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None) -> SearchResult:
        return self.retriever.search(query, k=k or self.settings.top_k, filters=filters or Filters())

    def ask(self, question: str, *, filters: Filters | None = None, use_llm: bool | None = None) -> "Answer":
        return self.answerer.ask(question, self.retriever, filters=filters or Filters(), use_llm=use_llm)

    def documents(self) -> list["StoredDocument"]:
        return self.store.documents()

    def document_chunks(self, source: str) -> list["Chunk"]:
        """Every passage of one document in reading order (the source viewer's context and full text)."""
        self.retriever.coverage()  # brings the in-memory index in step with the store
        return sorted((c for c in self.retriever.lexical.chunks if c.source == source), key=lambda c: c.seq)

    def delete_document(self, source: str) -> int:
        from nghiquyet.indexing import delete_document

        with self._lock:
            removed = delete_document(source, self.settings, self.store)
            self.retriever.refresh()
            return removed


_URL = re.compile(r"(?i)\b(?:https?|wss?)://\S+|\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\S*")
_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Timeout)\b")


def public_reason(reason: str) -> str:
    """Why an LLM answer was not used, fit for an official: no server address, no exception text."""
    lowered = reason.lower()
    if "hết thời gian" in lowered or "timeout" in lowered:
        return "mô hình ngôn ngữ không trả lời kịp"
    if "không kết nối" in lowered or "connect" in lowered:
        return "không kết nối được mô hình ngôn ngữ"
    if _URL.search(reason) or _EXCEPTION.search(reason) or "@" in reason:
        return "mô hình ngôn ngữ không dùng được lúc này"
    return reason


def without_addresses(note: str) -> str:
    """A note with any server address left out (officials need the fact, not the endpoint)."""
    return " ".join(_URL.sub("", note).split())
