"""The naive RAG pipeline and this product, side by side, in one process, on the regression question set.

    .venv/bin/python benchmarks/eval_bench.py [--questions regression/questions.yaml] [--cached] [--tracemalloc]

Prints, for both systems:
  ingestion of the bundled corpus  wall time, passages, peak RSS after the phase (ru_maxrss)
  retrieval                        hit@1, hit@5, MRR@10 over the answerable questions
  query latency (warm)             p50/p95 of a search; for the product also of a whole `ask`
and the product's answer metrics (the same numbers `nghiquyet eval` prints).

naive    = 1000/200 recursive character splits + Chroma + the same embedder, top-k similarity
           (`benchmarks/naive.py`)
product  = structural chunks + hybrid retrieval + query understanding + extractive answers (`Engine`)

Relevance and ranks follow the regression eval exactly (`nghiquyet.evaluation.metrics.retrieval_rank`:
a passage from an expected source containing an evidence quote; for table questions also an expected
figure; a question with several sources counts when all are covered). Ingestion embeds for real by
default (an empty embedding cache, like a first run); `--cached` uses the shared test cache instead,
which measures everything except the model. Each system gets its own embedder wrapper, so one never
serves the other's query embeddings from cache. ru_maxrss is a high-water mark of the whole process:
the naive row shows the peak after both ingestions. `--tracemalloc` traces Python allocations during
each ingestion and prints their peak (tracing slows the run; times are then not comparable).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.naive import NaivePassage, NaiveRag  # noqa: E402
from ingest.models import Chunk, DocumentMeta  # noqa: E402
from core.config import Settings  # noqa: E402
from nghiquyet.engine import Engine  # noqa: E402
from nghiquyet.evaluation.metrics import percentile, retrieval_rank  # noqa: E402
from nghiquyet.evaluation.questions import Question, load_questions  # noqa: E402
from nghiquyet.evaluation.runner import run_eval  # noqa: E402
from retrieval.models import Passage  # noqa: E402
from vectorstore.embeddings import CachedEmbedder, make_embedder  # noqa: E402

EMBED_CACHE = Path(os.environ.get("NGHIQUYET_TEST_CACHE", REPO / ".nghiquyet-test-cache"))
DEPTH = 10  # MRR@10
WARMUP_QUESTION = "khởi động mô hình"


def rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Phase:
    seconds: float = 0.0
    rss_mb: float = 0.0
    python_peak_mb: float | None = None


@contextmanager
def measured(phase: Phase, trace: bool) -> Iterator[None]:
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        phase.seconds = time.perf_counter() - start
        if trace:
            phase.python_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        phase.rss_mb = rss_mb()


@dataclass
class Retrieval:
    ranks: list[int | None]
    latencies_ms: list[float]

    def hit(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / len(self.ranks)

    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r) / len(self.ranks)


def as_passages(hits: Sequence[NaivePassage]) -> list[Passage]:
    """Naive splits as Passages, so the eval's own relevance rule ranks them."""
    out = []
    for i, h in enumerate(hits):
        chunk = Chunk(text=h.text, source=h.source, heading_path=(), page=None, kind="paragraph", seq=i, doc=DocumentMeta(h.source))
        out.append(Passage(chunk=chunk, score=h.score))
    return out


def measure_retrieval(search: Callable[[str], list[Passage]], questions: Sequence[Question]) -> Retrieval:
    search(WARMUP_QUESTION)
    ranks: list[int | None] = []
    latencies: list[float] = []
    for q in questions:
        start = time.perf_counter()
        passages = search(q.question)
        latencies.append((time.perf_counter() - start) * 1000)
        if q.answerable:
            ranks.append(retrieval_rank(q, passages[:DEPTH]))
    return Retrieval(ranks, latencies)


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=REPO / "regression" / "questions.yaml")
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--cached", action="store_true", help="use the shared embedding cache for ingestion")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations during ingestion")
    args = parser.parse_args(argv)

    qs = load_questions(args.questions)
    questions = list(qs.questions)
    answerable = [q for q in questions if q.answerable]
    tmp = tempfile.TemporaryDirectory(prefix="nghiquyet-evalbench-")
    root = Path(tmp.name)
    cache = EMBED_CACHE if args.cached else root / "embed-cache"
    settings = Settings(store_dir=root / "store", embedding_cache_dir=cache)
    rss_start = rss_mb()

    # --- ingestion ------------------------------------------------------------------------------
    product_ingest = Phase()
    with measured(product_ingest, args.tracemalloc):
        ingester = Engine(settings)
        report = ingester.ingest([args.corpus])
    if not report.ok:
        print(f"Ingestion failed: {report.summary()}", file=sys.stderr)
        return 1
    product_chunks = sum(r.chunks for r in report.results)

    naive_ingest = Phase()
    with measured(naive_ingest, args.tracemalloc):
        naive_cache = EMBED_CACHE if args.cached else root / "naive-cache"
        naive = NaiveRag(args.corpus, CachedEmbedder(make_embedder(settings.embedding_model, settings), naive_cache))

    # --- retrieval and latency --------------------------------------------------------------------
    naive_retrieval = measure_retrieval(lambda q: as_passages(naive.search(q, DEPTH)), questions)

    asker = Engine(settings)  # fresh embedder wrapper: no query embedding is served from another run's cache
    eval_report = run_eval(asker, qs)
    product_ranks = [r.rank for r in eval_report.results if r.answerable]

    searcher = Engine(settings)
    product_search = measure_retrieval(lambda q: list(searcher.search(q, k=DEPTH).passages), questions)
    rss_end = rss_mb()

    # --- table ------------------------------------------------------------------------------------
    m = eval_report.overall
    product_hits = Retrieval(product_ranks, [])
    rows = [
        ("", "naive", "product"),
        ("ingestion: passages", str(len(naive.pieces)), str(product_chunks)),
        ("ingestion: wall time (s)", fmt(naive_ingest.seconds, ".1f"), fmt(product_ingest.seconds, ".1f")),
        ("peak RSS after ingestion (MB)", fmt(naive_ingest.rss_mb, ".0f"), fmt(product_ingest.rss_mb, ".0f")),
    ]
    if args.tracemalloc:
        rows.append(
            ("Python heap peak, ingestion (MB)", fmt(naive_ingest.python_peak_mb, ".1f"), fmt(product_ingest.python_peak_mb, ".1f"))
        )
    rows += [
        (f"hit@1 ({len(answerable)} answerable)", fmt(naive_retrieval.hit(1)), fmt(product_hits.hit(1))),
        ("hit@5", fmt(naive_retrieval.hit(5)), fmt(product_hits.hit(5))),
        (f"MRR@{DEPTH}", fmt(naive_retrieval.mrr()), fmt(product_hits.mrr())),
        ("search latency p50 (ms)", fmt(percentile(naive_retrieval.latencies_ms, 50), ".1f"), fmt(percentile(product_search.latencies_ms, 50), ".1f")),
        ("search latency p95 (ms)", fmt(percentile(naive_retrieval.latencies_ms, 95), ".1f"), fmt(percentile(product_search.latencies_ms, 95), ".1f")),
        ("ask latency p50 (ms)", "—", fmt(m.latency_p50_ms, ".1f")),
        ("ask latency p95 (ms)", "—", fmt(m.latency_p95_ms, ".1f")),
        ("answer accuracy", "—", fmt(m.answer_accuracy)),
        ("refusal accuracy", "—", fmt(m.refusal_accuracy)),
        ("unanswerable refused", "—", fmt(m.unanswerable_refused_rate)),
        ("grounded-number rate", "—", fmt(m.grounded_number_rate)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{qs.path} — {len(questions)} questions; corpus {args.corpus} ({len(report.results)} documents)")
    print(f"embeddings: {settings.embedding_model}, {'shared cache' if args.cached else 'computed (empty cache)'}; "
          f"RSS at start {rss_start:.0f} MB, at end {rss_end:.0f} MB\n")
    for i, (label, naive_value, product_value) in enumerate(rows):
        print(f"{label:<{width}}  {naive_value:>10}  {product_value:>10}")
        if i == 0:
            print("-" * (width + 24))
    if not eval_report.ok:
        print("\nBelow threshold: " + "; ".join(f"{b.metric} {fmt(b.value)} < {b.threshold}" for b in eval_report.breaches))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
