"""Retrieval results and query analysis: what the answer layer receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ingest.models import Chunk

Intent = Literal["target", "result", "any"]


@dataclass(frozen=True)
class Filters:
    """Hard filters chosen by the user (CLI flags, app sidebar)."""

    provinces: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.provinces or self.years or self.sources)


@dataclass(frozen=True)
class QueryAnalysis:
    """What the question asks, understood without an LLM."""

    question: str
    normalized: str                         # NFC, canonical tone marks, lower-cased
    provinces: tuple[str, ...] = ()         # canonical names found in the question
    years: tuple[int, ...] = ()
    intent: Intent = "any"
    expansions: tuple[str, ...] = ()        # abbreviation expansions (both directions)
    unaccented: bool = False                # typed without diacritics
    unknown_provinces: tuple[str, ...] = ()  # named but no indexed document covers them
    unknown_years: tuple[int, ...] = ()      # named but no indexed document covers them
    comparison: bool = False                 # "so sánh", several provinces

    def as_dict(self) -> dict[str, object]:
        return {
            "provinces": list(self.provinces),
            "years": list(self.years),
            "intent": self.intent,
            "expansions": list(self.expansions),
            "unaccented": self.unaccented,
            "unknown_provinces": list(self.unknown_provinces),
            "unknown_years": list(self.unknown_years),
            "comparison": self.comparison,
        }


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its score (higher is better everywhere)."""

    chunk: Chunk
    score: float
    signals: tuple[tuple[str, float], ...] = field(default_factory=tuple)  # ("lexical", 12.3), ("dense", 0.81) ...

    def as_dict(self) -> dict[str, object]:
        c = self.chunk
        return {
            "id": c.id,
            "text": c.text,
            "source": c.source,
            "title": c.doc.title,
            "heading_path": list(c.heading_path),
            "location": c.location,
            "page": c.page,
            "province": c.doc.province,
            "years": list(c.doc.years),
            "kind": c.kind,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    analysis: QueryAnalysis
    passages: tuple[Passage, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "analysis": self.analysis.as_dict(),
            "results": [p.as_dict() for p in self.passages],
        }
