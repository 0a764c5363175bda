"""The engine's hybrid search as a LangChain `BaseRetriever`, so it plugs into LangChain chains."""

from __future__ import annotations

from typing import Any, Protocol

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retrieval.models import Filters, Passage, SearchResult


class Searcher(Protocol):
    """Anything with the engine's `search` verb (`nghiquyet.engine.Engine`, `HybridRetriever`)."""

    def search(self, query: str, *, k: int, filters: Filters) -> SearchResult: ...


def passage_document(passage: Passage, rank: int) -> Document:
    """A LangChain Document: the passage text as written, everything else in metadata."""
    metadata: dict[str, Any] = {k: v for k, v in passage.as_dict().items() if k != "text"}
    metadata["rank"] = rank
    metadata["heading"] = " > ".join(passage.chunk.heading_path)
    return Document(page_content=passage.chunk.text, metadata=metadata, id=passage.chunk.id)


class EngineRetriever(BaseRetriever):
    """`EngineRetriever(engine=Engine(settings), k=5).invoke("Chỉ tiêu GRDP năm 2021 của Trà Vinh?")`."""

    engine: Any
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.engine.search(query, k=self.k, filters=self.filters)
        return [passage_document(p, rank) for rank, p in enumerate(result.passages, start=1)]
