"""The answer the CLI, the app and the eval command show."""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.models import Passage, QueryAnalysis


@dataclass(frozen=True)
class Citation:
    n: int                                   # the [n] marker used in the answer text
    passage: Passage
    highlights: tuple[tuple[int, int], ...] = ()  # char spans in passage.chunk.text to mark

    def as_dict(self) -> dict[str, object]:
        d = self.passage.as_dict()
        d.pop("score", None)
        return {"n": self.n, **d, "highlights": [list(h) for h in self.highlights]}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str                              # Vietnamese, with [n] markers
    refused: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]            # ranked retrieved passages
    analysis: QueryAnalysis | None = None
    latency_ms: float = 0.0
    mode: str = "extractive"                 # "extractive" | "llm"
    fallback_reason: str | None = None       # why an LLM answer was replaced by the extractive one
    resolved_question: str | None = None     # after follow-up resolution (app)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "resolved_question": self.resolved_question or self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "passages": [p.as_dict() for p in self.passages],
            "latency_ms": round(self.latency_ms, 1),
            "mode": self.mode,
            "fallback_reason": self.fallback_reason,
            "analysis": self.analysis.as_dict() if self.analysis else None,
        }
