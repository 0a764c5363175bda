"""Hybrid retrieval: query understanding → lexical (BM25) + dense → fusion → re-ranking.

The lexical index mirrors the store's committed chunks. Every search compares the store's fingerprint
with the one the index was built from (a cheap manifest read), so when another process — another app
worker sharing the Chroma server, or `nghiquyet ingest` — changes the collection, the next search here
loads (or rebuilds) the matching index instead of answering from a stale one. While a writer commits
document after document, a search whose re-sync cannot get a stable read of the store answers from
the last state it loaded — a committed state — instead of failing.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ingest.models import Chunk
from core.vietnamese import index_key
from core.config import Settings
from core.errors import StoreError
from retrieval.abbreviations import expand
from retrieval.dense import DenseIndex, DenseRetriever
from retrieval.fusion import reciprocal_rank_fusion, weighted_fusion
from retrieval.lexical import LexicalIndex
from retrieval.models import Filters, Passage, QueryAnalysis, SearchResult
from retrieval.query import analyze_query, clean_question
from retrieval.rerank import RerankWeights, interleave_provinces, rerank
from retrieval.tokenize import BIGRAM, FOLDED, document_tokens, fold, query_tokens

if TYPE_CHECKING:
    from vectorstore.embeddings import Embedder
    from vectorstore.store import ChunkStore

log = logging.getLogger(__name__)

LEXICAL_DIR = "lexical"
DENSE_DIR = "dense"

# Question words and function words: they say how something is asked, not what, and would otherwise
# reward chunks for containing "là", "của", "bao nhiêu".
QUESTION_STOPWORDS = frozenset(
    """bao nhiêu mấy gì nào sao thế nào như thế nào là của các những và thì mà ở tại với cho về
    hãy cho biết biết hỏi xin vui lòng ạ nhé vậy không có phải được bị theo đó này kia
    what which how many much is are was were the of in for to and did does do by on at a an its""".split()
)
QUESTION_STOPWORDS = frozenset(index_key(w) for w in QUESTION_STOPWORDS)


# Words that say what kind of figure is asked, not which indicator: they sit in headings ("CÁC CHỈ TIÊU
# CHỦ YẾU NĂM 2021"), so a chunk's own text is not expected to repeat them.
COVERAGE_STOPWORDS = QUESTION_STOPWORDS | frozenset(
    """chỉ tiêu mục kế hoạch phấn đấu đặt ra đề dự kiến định muốn giao kết quả hiện đạt năm tỉnh
    nghị quyết nhiệm kỳ giai đoạn tới cuối đến target goal plan achieved result year""".split()
)
COVERAGE_STOPWORDS = frozenset(index_key(w) for w in COVERAGE_STOPWORDS)


def _return_free_heap() -> None:
    """Give the heap freed by a store scan back to the OS before the BM25 build (glibc keeps it otherwise).

    Reading every record leaves ~170 MB of freed, fragmented heap at 96,000 chunks; the BM25 build
    allocates its large arrays outside that heap, so without this both count in the sync's peak.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


@lru_cache(maxsize=100_000)
def _own_tokens(text: str) -> frozenset[str]:
    """Exact and folded tokens of a chunk's own text (no header, no table context)."""
    return frozenset(document_tokens(text))


@dataclass(frozen=True)
class RetrievalOptions:
    """Which stages run — the benchmark switches them off one by one to measure each."""

    lexical: bool = True
    dense: bool = True
    analysis: bool = True            # query understanding: filters, expansions, re-ranking
    expansion_weight: float = 0.5    # BM25 weight of abbreviation/synonym/English expansions
    dense_with_expansions: bool = True
    lexical_weight: float = 1.0      # fusion weights (RRF weights or weighted-sum weights)
    dense_weight: float = 1.0
    rerank: RerankWeights = RerankWeights()


class HybridRetriever:
    """Settings in; `search(question)` out. Safe to share between threads."""

    def __init__(
        self,
        store: "ChunkStore",
        embedder: "Embedder",
        settings: Settings,
        *,
        options: RetrievalOptions = RetrievalOptions(),
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.options = options
        self.lexical = LexicalIndex(settings.store_dir / LEXICAL_DIR)
        self.dense_index = DenseIndex(settings.store_dir / DENSE_DIR)
        self.dense = DenseRetriever(store, embedder, self.lexical, self.dense_index)
        self._sync_lock = threading.Lock()
        self._coverage: tuple[str | None, tuple[tuple[str, ...], tuple[int, ...]]] = (None, ((), ()))
        self._repairs: tuple[str, ...] = ()

    # --- keeping the lexical index in step with the store ---------------------------------------------
    def refresh(self) -> None:
        """Re-sync both indexes with the store now (after an ingest, delete or rebuild in this process).

        Forced: after `--rebuild` the store's fingerprint can equal the one loaded, and the copy in
        memory must still be replaced by one verified against, or rebuilt from, the store.
        """
        self._sync(self.store.fingerprint(), force=True)

    @property
    def repairs(self) -> list[str]:
        """Saved indexes found damaged at the last sync and rebuilt from the store (Vietnamese)."""
        return list(self._repairs)

    def _ensure_synced(self) -> None:
        fingerprint = self.store.fingerprint()
        if fingerprint == self.lexical.fingerprint == self.dense_index.fingerprint:
            return
        try:
            self._sync(fingerprint)
        except StoreError as exc:
            if self.lexical.fingerprint is None or self.lexical.fingerprint != self.dense_index.fingerprint:
                raise
            # The state loaded is a committed one: answer from it, catch up at the next search.
            log.info("Chưa đọc được trạng thái mới của kho (%s); trả lời từ trạng thái đã nạp.", exc.message)

    def _sync(self, fingerprint: str, *, force: bool = False) -> None:
        with self._sync_lock:
            if force:
                self.lexical.fingerprint = None
                self.dense_index.state = (None, self.dense_index.state[1])
            if fingerprint == self.lexical.fingerprint == self.dense_index.fingerprint:
                return
            loaded = (fingerprint == self.lexical.fingerprint or self.lexical.load(fingerprint)) and self.dense_index.load(
                fingerprint, len(self.lexical)
            )
            self._repairs = tuple(r for r in (self.lexical.rejected, self.dense_index.rejected) if r)
            if loaded:
                return
            # Chunks, vectors and fingerprint read together, so a commit landing meanwhile is not missed.
            snapshot = self.store.snapshot(vectors=True)
            chunks, fingerprint = snapshot.chunks, snapshot.fingerprint
            # The vectors first: once saved they are memory-mapped from disk, and the in-memory copy is
            # released before the BM25 build, the peak of a sync (~150 MB less at 96,000 chunks).
            if snapshot.vectors is not None:
                self.dense_index.build(snapshot.vectors, fingerprint)
            del snapshot
            _return_free_heap()
            if not self.lexical.load(fingerprint):
                self.lexical.build(chunks, fingerprint)

    # --- what is indexed ---------------------------------------------------------------------------------
    def coverage(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """(provinces, years) covered by the indexed documents — for "what is available" messages."""
        self._ensure_synced()
        fingerprint, cached = self._coverage
        if fingerprint == self.lexical.fingerprint:
            return cached
        provinces: set[str] = set()
        years: set[int] = set()
        seen: set[tuple[str, str]] = set()
        for chunk in self.lexical.chunks:
            key = (chunk.source, chunk.doc.content_hash)
            if key in seen:
                continue
            seen.add(key)
            if chunk.doc.province:
                provinces.add(chunk.doc.province)
            years.update(chunk.doc.years)
        result = (tuple(sorted(provinces)), tuple(sorted(years)))
        self._coverage = (self.lexical.fingerprint, result)
        return result

    # --- the verbs -------------------------------------------------------------------------------------
    def analyze(self, query: str) -> QueryAnalysis:
        """What the question asks (raises QuestionError for an empty or over-long question)."""
        question = clean_question(query, max_chars=self.settings.max_question_chars)
        return analyze_query(question, self.coverage())

    def search(self, query: str, *, k: int, filters: Filters = Filters()) -> SearchResult:
        """The k best passages for `query`, best first; a province named in it is a hard filter."""
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        analysis = self.analyze(query)
        opts = self.options
        hard = self._hard_filters(analysis, filters)
        pool = max(self.settings.candidate_k, k)

        lexical_hits: list[tuple[Chunk, float]] = []
        dense_hits: list[tuple[Chunk, float]] = []
        # One after the other: run side by side, the lexical search and the two OpenMP threads of the
        # query embedding fight over the two cores, and p95 got worse (measured, 100–160 vs 84–92 ms).
        if opts.lexical:
            lexical_hits = self.lexical.search(self._token_groups(analysis), k=pool, filters=hard)
        if opts.dense:
            dense_hits = self.dense.search(self._dense_text(analysis), k=pool, filters=hard)

        chunks: dict[str, Chunk] = {}
        for chunk, _ in (*lexical_hits, *dense_hits):
            chunks.setdefault(chunk.id, chunk)
        fused = self._fuse(lexical_hits, dense_hits)
        lexical_scores = {c.id: s for c, s in lexical_hits}
        dense_scores = {c.id: s for c, s in dense_hits}

        candidates = [(chunks[cid], score) for cid, score in fused.items()]
        if opts.analysis:
            ranked = rerank(candidates, analysis, opts.rerank, coverage=self._coverage_of(analysis))
        else:
            scale = max((s for _, s in candidates), default=1.0) or 1.0
            ranked = sorted(((c, s / scale, {}) for c, s in candidates), key=lambda item: -item[1])
        if opts.analysis and analysis.comparison and len(hard.provinces) >= 2:
            ranked = interleave_provinces(ranked, hard.provinces)

        passages: list[Passage] = []
        ceiling = float("inf")
        for chunk, score, adjust in ranked[:k]:
            ceiling = min(ceiling, score)  # interleaving must not make a later passage look better
            sig: list[tuple[str, float]] = [("fused", round(fused.get(chunk.id, 0.0), 6))]
            if chunk.id in lexical_scores:
                sig.append(("lexical", round(lexical_scores[chunk.id], 4)))
            if chunk.id in dense_scores:
                sig.append(("dense", round(dense_scores[chunk.id], 4)))
            sig.extend((name, round(value, 4)) for name, value in adjust.items())
            passages.append(Passage(chunk=chunk, score=ceiling, signals=tuple(sig)))
        return SearchResult(query=query, analysis=analysis, passages=tuple(passages))

    # --- stages -------------------------------------------------------------------------------------
    def _hard_filters(self, analysis: QueryAnalysis, filters: Filters) -> Filters:
        """User filters win; otherwise the provinces named in the question filter the search."""
        if not self.options.analysis or filters.provinces or not analysis.provinces:
            return filters
        return Filters(provinces=analysis.provinces, years=filters.years, sources=filters.sources)

    def _token_groups(self, analysis: QueryAnalysis) -> list[tuple[list[str], float]]:
        if not self.options.analysis:
            return [(query_tokens(analysis.question), 1.0)]
        groups = [(query_tokens(analysis.question, stopwords=QUESTION_STOPWORDS), 1.0)]
        if analysis.expansions and self.options.expansion_weight:
            expansion_text = " . ".join(analysis.expansions)  # "." keeps bigrams inside each expansion
            groups.append((query_tokens(expansion_text, mode="exact"), self.options.expansion_weight))
        return groups

    def _coverage_of(self, analysis: QueryAnalysis) -> Callable[[Chunk], float]:
        """idf-weighted share of the question's content words that a chunk's own text contains.

        Province names, years and intent words are left out: they live in headers and headings.
        An abbreviation counts as present when one of its expansions is (BHYT ↔ bảo hiểm y tế).
        """
        ignore = set(query_tokens(" ".join(analysis.provinces), bigrams=False)) | {str(y) for y in analysis.years}
        ignore |= {fold(t) for t in ignore}
        terms: dict[str, tuple[frozenset[str], ...]] = {}
        for token in query_tokens(analysis.question, stopwords=COVERAGE_STOPWORDS):
            if token in ignore or token in terms or any(part in ignore for part in token.split(BIGRAM)):
                continue
            alternatives = [frozenset({token})]
            if BIGRAM not in token:
                for phrase in expand(token.lstrip(FOLDED)):
                    alternatives.append(frozenset(query_tokens(phrase, mode="exact", bigrams=False)))
            terms[token] = tuple(alternatives)
        weights = {t: self.lexical.idf(t) for t in terms}
        total = sum(weights.values())

        def coverage(chunk: Chunk) -> float:
            if total <= 0:
                return 0.0
            own = _own_tokens(chunk.text)
            found = sum(w for t, w in weights.items() if any(alt <= own for alt in terms[t]))
            return found / total

        return coverage

    def _dense_text(self, analysis: QueryAnalysis) -> str:
        if self.options.analysis and self.options.dense_with_expansions and analysis.expansions:
            return f"{analysis.question} ({'; '.join(analysis.expansions)})"
        return analysis.question

    def _fuse(
        self, lexical_hits: list[tuple[Chunk, float]], dense_hits: list[tuple[Chunk, float]]
    ) -> dict[str, float]:
        weights = {"lexical": self.options.lexical_weight, "dense": self.options.dense_weight}
        if self.settings.fusion == "weighted":
            return weighted_fusion(
                {"lexical": [(c.id, s) for c, s in lexical_hits], "dense": [(c.id, s) for c, s in dense_hits]},
                weights,
            )
        return reciprocal_rank_fusion(
            {"lexical": [c.id for c, _ in lexical_hits], "dense": [c.id for c, _ in dense_hits]},
            weights=weights,
        )
