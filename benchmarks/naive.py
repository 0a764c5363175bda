"""The naive RAG baseline the product is measured against.

What a first attempt usually looks like: each file read as plain text, split into 1000-character pieces
with 200 characters of overlap (LangChain's `RecursiveCharacterTextSplitter`), embedded into an
in-memory Chroma collection, top-k by vector similarity. No headings, no metadata, no lexical search,
no query understanding. It uses the same embedder as the product, so the comparison isolates
everything else. Shared by the retrieval and the answer benchmarks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from vectorstore.embeddings import Embedder, LangChainEmbeddings

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass(frozen=True)
class NaivePassage:
    text: str
    source: str
    score: float  # similarity, higher is better


def load_naive_documents(corpus_dir: Path) -> list[Document]:
    """Every .txt file as one Document, read as UTF-8 with nothing repaired."""
    docs = []
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        docs.append(Document(page_content=path.read_text(encoding="utf-8-sig"), metadata={"source": path.name}))
    return docs


class NaiveRag:
    """1000/200 recursive splits + Chroma + the given embedder, top-k similarity."""

    def __init__(self, corpus_dir: Path, embedder: Embedder) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        self.pieces = splitter.split_documents(load_naive_documents(corpus_dir))
        # An in-memory collection of its own: the baseline never touches the product's store.
        self.db = Chroma(
            collection_name=f"naive-{uuid.uuid4().hex[:8]}",
            embedding_function=LangChainEmbeddings(embedder),
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.db.add_documents(self.pieces)

    def search(self, question: str, k: int = 5) -> list[NaivePassage]:
        hits = self.db.similarity_search_with_score(question, k=k)
        # Chroma returns cosine *distance*; turn it into a similarity so higher is better here too.
        return [NaivePassage(d.page_content, str(d.metadata.get("source", "")), 1.0 - float(s)) for d, s in hits]

    def search_many(self, questions: Sequence[str], k: int = 5) -> list[list[NaivePassage]]:
        return [self.search(q, k) for q in questions]
