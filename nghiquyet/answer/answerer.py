"""The answer layer's entry point: question in, cited Vietnamese answer out.

`Answerer.ask` checks the question, retrieves, composes the extractive answer and — when an LLM is
configured and wanted — asks the model too, keeping its reply only if every figure in it is found
in a passage it cites. The engine calls exactly `Answerer(settings).ask(question, retriever, ...)`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from core.config import Settings
from core.errors import LlmError
from core.genre import asked_periods, term_before, years_in
from core.vietnamese import nfc
from ingest.models import Chunk
from nghiquyet.answer.draft import Draft
from nghiquyet.answer.extractive import compose
from nghiquyet.answer.llm import ChatBackend, LlmAnswerer, build_backend
from nghiquyet.answer.models import Answer, Citation
from nghiquyet.answer.terms import KeyedText, TermStats
from retrieval.models import Filters, Passage, SearchResult
from retrieval.query import clean_question

# Passages the composer reads: more than are shown, so a question naming no province still reaches
# every province that has the indicator (retrieval ranks; the composer groups by province).
ANSWER_POOL = 20
_WS = re.compile(r"\s+")


class Retriever(Protocol):
    """What the answer layer needs from retrieval (`retrieval.hybrid.HybridRetriever`)."""

    def search(self, query: str, *, k: int, filters: Filters = ...) -> SearchResult: ...

    def coverage(self) -> tuple[tuple[str, ...], tuple[int, ...]]: ...


@dataclass(frozen=True)
class CorpusInfo:
    """What the answer layer derives from the whole index: term rarity, provinces and their years."""

    stats: TermStats
    available: Mapping[str, tuple[int, ...]]            # years the documents are about (metadata)
    mentioned: Mapping[str, frozenset[int]] = field(default_factory=dict)  # every year a passage speaks of
    documents: Mapping[str, KeyedText] = field(default_factory=dict)      # each source's words, for coverage
    by_place: Mapping[tuple[str, int], Chunk] = field(default_factory=dict)  # (source, seq) → chunk

    def chunk_at(self, source: str, seq: int) -> Chunk | None:
        return self.by_place.get((source, seq))


def corpus_info(chunks: Sequence[Chunk]) -> CorpusInfo:
    stats = TermStats.from_texts(f"{c.text}\n{c.context}" if c.context else c.text for c in chunks)
    years: dict[str, set[int]] = {}
    mentioned: dict[str, set[int]] = {}
    texts: dict[str, list[str]] = {}
    for chunk in chunks:
        texts.setdefault(chunk.source, [chunk.doc.title or ""]).append(chunk.text)
        province = chunk.doc.province
        if province:
            years.setdefault(province, set()).update(chunk.doc.years)
            said = mentioned.setdefault(province, set())
            said.update(chunk.doc.years, chunk.period_years, years_in(chunk.text), *map(years_in, chunk.heading_path))
            if chunk.period_kind == "congress" and chunk.period_years:
                said.update(term_before(chunk.period_years))  # what a congress reports it reached
    return CorpusInfo(
        stats=stats,
        available={p: tuple(sorted(ys)) for p, ys in years.items()},
        mentioned={p: frozenset(ys) for p, ys in mentioned.items()},
        documents={source: KeyedText.of(*parts) for source, parts in texts.items()},
        by_place={(c.source, c.seq): c for c in chunks},
    )


def prepare_question(question: str, max_chars: int) -> tuple[str, tuple[str, ...]]:
    """The question as it will be searched, and notes for the user (an over-long one is cut, said so)."""
    if not isinstance(question, str):
        question = "" if question is None else str(question)
    text = _WS.sub(" ", nfc(question).replace("\x00", " ")).strip()
    notes: tuple[str, ...] = ()
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        if space > max_chars // 2:
            cut = cut[:space]
        notes = (
            f"Câu hỏi dài {len(text):,} ký tự nên chỉ dùng {len(cut):,} ký tự đầu.".replace(",", "."),
        )
        text = cut
    # Empty or punctuation-only questions raise QuestionError with the same messages as `search`.
    return clean_question(text, max_chars=max_chars), notes


class Answerer:
    """Settings in; `ask(question, retriever)` out. Safe to share between threads."""

    def __init__(self, settings: Settings, *, llm: ChatBackend | None = None) -> None:
        self.settings = settings
        self._llm_backend = llm
        self._lock = threading.Lock()
        self._corpus: tuple[object, CorpusInfo] | None = None

    # --- what the index holds ----------------------------------------------------------------------
    def corpus(self, retriever: Retriever) -> CorpusInfo:
        """Term statistics and coverage of the indexed documents, rebuilt when the index changes."""
        lexical = getattr(retriever, "lexical", None)
        chunks = getattr(lexical, "chunks", None)
        if chunks is None:
            provinces, years = retriever.coverage()
            return CorpusInfo(TermStats(), {p: tuple(years) for p in provinces})
        version = (getattr(lexical, "fingerprint", None), len(chunks))
        with self._lock:
            if self._corpus is None or self._corpus[0] != version:
                self._corpus = (version, corpus_info(chunks))
            return self._corpus[1]

    # --- LLM ---------------------------------------------------------------------------------------
    def _llm(self) -> LlmAnswerer:
        with self._lock:
            if self._llm_backend is None:
                self._llm_backend = build_backend(self.settings)
            return LlmAnswerer(self._llm_backend, max_passages=max(self.settings.top_k, 6))

    def _wants_llm(self, use_llm: bool | None) -> bool:
        if use_llm is False:
            return False
        configured = self.settings.llm_enabled or self._llm_backend is not None
        if use_llm and not configured:
            raise LlmError(
                "Chưa cấu hình mô hình ngôn ngữ.",
                "Đặt NGHIQUYET_LLM_BACKEND (openai hoặc ollama), NGHIQUYET_LLM_MODEL và NGHIQUYET_LLM_BASE_URL, "
                "hoặc bỏ tùy chọn --llm.",
            )
        return configured

    # --- the verb ----------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        retriever: Retriever,
        *,
        filters: Filters = Filters(),
        use_llm: bool | None = None,
    ) -> Answer:
        """A cited answer to `question` (QuestionError for an empty or punctuation-only question)."""
        started = time.perf_counter()
        wants_llm = self._wants_llm(use_llm)
        text, notes = prepare_question(question, self.settings.max_question_chars)
        k = max(self.settings.top_k, ANSWER_POOL)
        result = retriever.search(text, k=k, filters=filters)
        info = self.corpus(retriever)
        pool = list(result.passages)
        if not result.analysis.provinces and filters.empty:
            pool.extend(_other_provinces(text, retriever, result, info.available))
        else:
            pool.extend(_each_side(text, retriever, result, filters))
        draft = compose(
            text, result.analysis, pool, available=info.available, stats=info.stats, filters=filters,
            mentioned=info.mentioned or None, documents=info.documents, chunk_at=info.chunk_at,
        )

        mode = "extractive"
        fallback: str | None = None
        if wants_llm and not (draft.refused and draft.final):
            reply = self._llm().answer(text, result.passages)
            if reply.accepted and not reply.refused:
                draft = Draft(text=reply.text, refused=False, citations=reply.citations, notes=draft.notes)
                mode = "llm"
            elif reply.accepted and not draft.refused:
                fallback = "Mô hình không tìm thấy câu trả lời trong các đoạn trích; hiển thị câu trả lời trích xuất."
            elif not reply.accepted:
                fallback = reply.rejection

        shown = _shown_passages(result.passages, draft.citations, self.settings.top_k)
        return Answer(
            question=text,
            answer=draft.text,
            refused=draft.refused,
            citations=draft.citations,
            passages=shown,
            analysis=result.analysis,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            mode=mode,
            fallback_reason=fallback,
            notes=(*notes, *draft.notes),
        )


# A question naming no province is answered per province; provinces the ranking left out are
# searched on their own (a few, so the answer stays fast when many provinces are indexed).
MAX_EXTRA_PROVINCE_SEARCHES = 6
EXTRA_PER_PROVINCE = 3


def _other_provinces(
    question: str, retriever: Retriever, result: SearchResult, available: Mapping[str, tuple[int, ...]]
) -> list[Passage]:
    present = {p.chunk.doc.province for p in result.passages}
    missing = [p for p in sorted(available) if p not in present][:MAX_EXTRA_PROVINCE_SEARCHES]
    seen = {p.chunk.id for p in result.passages}
    extra: list[Passage] = []
    for province in missing:
        for passage in retriever.search(question, k=EXTRA_PER_PROVINCE, filters=Filters(provinces=(province,))).passages:
            if passage.chunk.id not in seen:
                seen.add(passage.chunk.id)
                extra.append(passage)
    return extra


def _each_side(question: str, retriever: Retriever, result: SearchResult, filters: Filters) -> list[Passage]:
    """A comparison's sides searched one by one — each named province, each named period — so that one
    side's passages do not crowd the other's out of the pool ("năm 2020 so với giai đoạn 2025-2030")."""
    provinces = result.analysis.provinces
    periods = asked_periods(question)
    searches: list[tuple[str, Filters]] = []
    if len(provinces) >= 2:
        searches.extend((question, replace(filters, provinces=(p,))) for p in provinces)
    if len(periods) >= 2:
        for period in periods:
            others = [y for other in periods if other != period for y in other if y not in period]
            searches.append((_without_years(question, others), filters))
    seen = {p.chunk.id for p in result.passages}
    extra: list[Passage] = []
    for query, where in searches:
        for passage in retriever.search(query, k=EXTRA_PER_PROVINCE, filters=where).passages:
            if passage.chunk.id not in seen:
                seen.add(passage.chunk.id)
                extra.append(passage)
    return extra


def _without_years(question: str, years: Sequence[int]) -> str:
    """The question with the other periods' years taken out ("… năm 2020 so với … giai đoạn")."""
    for year in years:
        question = re.sub(rf"(?<!\d){year}(?!\d)", " ", question)
    return _WS.sub(" ", question).strip()


def _shown_passages(passages: Sequence[Passage], citations: Sequence[Citation], top_k: int) -> tuple[Passage, ...]:
    """The top-k retrieved passages, extended (in rank order) to every passage the answer cites."""
    cited = {c.passage.chunk.id for c in citations}
    last = max((i for i, p in enumerate(passages) if p.chunk.id in cited), default=-1)
    return tuple(passages[: max(top_k, last + 1)])
