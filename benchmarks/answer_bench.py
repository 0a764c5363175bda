"""Answer benchmark on a question set: accuracy, refusals, grounding, warm latency.

    .venv/bin/python benchmarks/answer_bench.py [--questions regression/questions.yaml] [--store DIR]
                                               [--show-failures] [--llm]
    .venv/bin/python benchmarks/answer_bench.py --questions regression/genre-dev.yaml   # real documents of the genre

Ingests the bundled corpus (into a temporary store unless --store is given; embeddings come from the
shared cache when they are there), asks every question once to warm up, then asks them all again and
times that second pass. Prints, overall and per kind:
  answer accuracy     answerable questions answered (not refused) with every expected figure present
  refusal accuracy    unanswerable questions refused
  wrongly refused     answerable questions refused
  grounded numbers    numbers in answers found verbatim in the passages they cite (all answers)
  latency p50 / p95   warm `ask`, extractive unless --llm (targets: p95 ≤ 150 ms without an LLM)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nghiquyet.answer.grounding import check_answer, grounded_numbers  # noqa: E402
from nghiquyet.answer.models import Answer  # noqa: E402
from core.config import Settings  # noqa: E402
from nghiquyet.engine import Engine  # noqa: E402
from nghiquyet.evaluation.questions import Question, contains_figure, load_questions  # noqa: E402

EMBED_CACHE = Path(os.environ.get("NGHIQUYET_TEST_CACHE", REPO / ".nghiquyet-test-cache"))
CORPUS = REPO / "data" / "corpus"


@dataclass(frozen=True)
class Outcome:
    question: Question
    answer: Answer
    latency_ms: float

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(e for e in self.question.expected if not contains_figure(self.answer.answer, e))

    @property
    def correct(self) -> bool:
        if not self.question.answerable:
            return self.answer.refused
        return not self.answer.refused and not self.missing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "—"


def report(outcomes: list[Outcome], *, show_failures: bool) -> None:
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    grounded = stated = 0
    for o in outcomes:
        g, s = grounded_numbers(o.answer)
        grounded, stated = grounded + g, stated + s
    latencies = [o.latency_ms for o in outcomes]
    print(f"Questions: {len(outcomes)}  ({len(answerable)} answerable, {len(unanswerable)} unanswerable)")
    print(f"answer accuracy     {rate(sum(o.correct for o in answerable), len(answerable))}")
    print(f"refusal accuracy    {rate(sum(o.correct for o in unanswerable), len(unanswerable))}")
    print(f"wrongly refused     {rate(sum(o.answer.refused for o in answerable), len(answerable))}")
    print(f"grounded numbers    {rate(grounded, stated)}")
    print(f"warm ask latency    p50 {percentile(latencies, 0.5):.1f} ms   p95 {percentile(latencies, 0.95):.1f} ms"
          f"   max {max(latencies, default=0):.1f} ms")
    print()
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.question.kind].append(o)
    print(f"{'kind':<16}{'n':>4}{'correct':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for kind, items in sorted(by_kind.items()):
        lat = [o.latency_ms for o in items]
        print(f"{kind:<16}{len(items):>4}{sum(o.correct for o in items):>10}"
              f"{percentile(lat, 0.5):>9.1f}{percentile(lat, 0.95):>9.1f}")
    failures = [o for o in outcomes if not o.correct or not check_answer(o.answer).ok]
    if failures:
        print()
        print(f"Failures ({len(failures)}):")
    for o in failures if show_failures else failures[:0]:
        problem = check_answer(o.answer).reason()
        print(f"- {o.question.id} [{o.question.kind}] {o.question.question}")
        print(f"    expected {list(o.question.expected) or 'a refusal'}; missing {list(o.missing)} {problem}")
        print(f"    answer: {o.answer.answer}")
    if failures and not show_failures:
        print("  " + ", ".join(o.question.id for o in failures) + "   (--show-failures for details)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=REPO / "regression" / "questions.yaml")
    parser.add_argument("--store", type=Path, default=None, help="reuse this store (ingested if needed)")
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--llm", action="store_true", help="use the configured LLM (NGHIQUYET_LLM_*)")
    args = parser.parse_args()

    questions = load_questions(args.questions)
    tmp = None
    store = args.store
    if store is None:
        tmp = tempfile.TemporaryDirectory(prefix="nghiquyet-answer-bench-")
        store = Path(tmp.name) / "store"
    settings = Settings(store_dir=store, embedding_cache_dir=EMBED_CACHE)  # type: ignore[call-arg]
    engine = Engine(settings)
    started = time.perf_counter()
    ingest = engine.ingest([CORPUS, *questions.documents])  # a gate file such as genre-dev.yaml names its own
    print(f"Ingested {len(ingest.results)} documents in {time.perf_counter() - started:.1f} s")
    use_llm = True if args.llm else False

    for q in questions.questions:  # warm-up pass: models loaded, caches filled
        engine.ask(q.question, use_llm=use_llm)
    outcomes = []
    for q in questions.questions:
        t0 = time.perf_counter()
        answer = engine.ask(q.question, use_llm=use_llm)
        outcomes.append(Outcome(q, answer, (time.perf_counter() - t0) * 1000.0))
    report(outcomes, show_failures=args.show_failures)
    if tmp is not None:
        engine.store.close()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
