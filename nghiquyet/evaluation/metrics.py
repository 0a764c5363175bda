"""Scoring one answer against its regression question, and the metrics over many.

Pure functions over `Answer` objects: no engine, no store, so every rule here is unit-tested on
hand-made answers. The rules are documented in `regression/README.md`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from nghiquyet.answer.grounding import check_answer
from nghiquyet.answer.models import Answer
from nghiquyet.answer.numbers import number_tokens
from nghiquyet.evaluation.matching import contains_figure, match_key, shows_figure
from nghiquyet.evaluation.questions import KINDS, Question
from retrieval.models import Passage

HIT_K = (1, 5)


def extract_numbers(text: str) -> frozenset[str]:
    """Every number in `text` exactly as written ("6.150,1", "3,32", "1.100"), citation markers excluded.

    Delegates to the answer layer's extraction so the eval measures grounding with the same notion
    of "a number" the answerer enforces.
    """
    return number_tokens(text)


# --- one question ------------------------------------------------------------------------------------


def passage_is_relevant(passage: Passage, question: Question, source: str) -> bool:
    """From `source`, containing one of the evidence quotes, and showing one of the expected figures.

    Quotes are compared ignoring case, tone style and spacing. The figure condition keeps a label
    quote honest: an appendix row label ("Sản lượng lúa") also names the numbered-list item and the
    sub-rows beside it, and only a passage that states an expected figure answers the question.
    """
    if passage.chunk.source != source:
        return False
    text = match_key(passage.chunk.text)
    if not any(match_key(quote) in text for quote in question.evidence):
        return False
    shown = f"{passage.chunk.text}\n{passage.chunk.context}"
    return any(shows_figure(shown, figure) for figure in question.expected)


def retrieval_rank(question: Question, passages: Sequence[Passage]) -> int | None:
    """1-based rank at which the ranking first covers every expected source; None if it never does.

    A source is covered by a relevant passage from it. With n sources (compare/disambiguation) the
    answer needs each of them, so what counts is the position p of the last one covered; the best
    possible ranking puts them at 1..n, hence rank = p - (n - 1): 1 when the first n passages cover
    all n sources, one more for every unrelated passage ranked among them.
    """
    if not question.answerable:
        return None
    pending = set(question.sources)
    for position, passage in enumerate(passages, start=1):
        pending -= {s for s in pending if passage_is_relevant(passage, question, s)}
        if not pending:
            return max(1, position - (len(question.sources) - 1))
    return None


def missing_figures(question: Question, answer_text: str) -> tuple[str, ...]:
    return tuple(f for f in question.expected if not contains_figure(answer_text, f))


def ungrounded_numbers(answer: Answer) -> tuple[str, ...]:
    """Numbers the answer states that the passages it cites do not write, and citation markers naming no passage.

    Uses the answer layer's own grounding check (a statement's numbers must be in the passages cited
    on its line), so the eval gate and the product enforce one rule, not two that could drift apart.
    """
    report = check_answer(answer)
    problems = [*report.ungrounded, *report.unknown_markers]
    if report.uncited:
        problems.append("(số liệu không trích dẫn nguồn)")
    return tuple(problems)


def top_passage(answer: Answer) -> dict[str, object] | None:
    if not answer.passages:
        return None
    p = answer.passages[0]
    return {
        "source": p.chunk.source,
        "heading_path": list(p.chunk.heading_path),
        "location": p.chunk.location,
        "text": p.chunk.text,
        "score": round(p.score, 6),
    }


@dataclass(frozen=True)
class QuestionResult:
    """How one question fared: what was asked, what came back, and each verdict."""

    id: str
    question: str
    kind: str
    expected: tuple[str, ...]
    sources: tuple[str, ...]
    answer: str
    refused: bool
    rank: int | None                     # retrieval rank (answerable only)
    missing: tuple[str, ...]             # expected figures absent from the answer
    ungrounded: tuple[str, ...]          # numbers in the answer absent from its cited passages
    states_numbers: bool                 # the (non-refused) answer states at least one number
    latency_ms: float
    citations: tuple[str, ...] = ()      # "[n] source · location"
    top_passage: Mapping[str, object] | None = None
    error: str | None = None             # the question could not be asked at all

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    def hit(self, k: int) -> bool:
        return self.rank is not None and self.rank <= k

    @property
    def answer_correct(self) -> bool:
        if self.error:
            return False
        if not self.answerable:
            return self.refused
        return not self.refused and not self.missing

    @property
    def refusal_correct(self) -> bool:
        return not self.error and self.refused == (not self.answerable)

    @property
    def grounded(self) -> bool:
        return not self.ungrounded

    @property
    def passed(self) -> bool:
        """Right answer, every number grounded, and (answerable) the evidence in the top 5."""
        retrieved = self.hit(5) if self.answerable else True
        return self.answer_correct and self.grounded and retrieved

    def reasons(self) -> list[str]:
        """Why it failed, in Vietnamese, most important first."""
        out: list[str] = []
        if self.error:
            out.append(f"lỗi khi hỏi: {self.error}")
            return out
        if self.answerable and self.refused:
            out.append("từ chối trả lời dù tài liệu có câu trả lời")
        if not self.answerable and not self.refused:
            out.append("đáng lẽ phải từ chối (tài liệu không có thông tin) nhưng lại trả lời")
        if self.answerable and not self.refused and self.missing:
            out.append("thiếu số liệu: " + ", ".join(self.missing))
        if self.answerable and not self.hit(5):
            out.append("đoạn bằng chứng không có trong 5 đoạn đầu" if self.rank is None else f"đoạn bằng chứng ở hạng {self.rank}")
        if self.ungrounded:
            out.append("số không có trong đoạn trích dẫn: " + ", ".join(self.ungrounded))
        return out

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        for key in ("expected", "sources", "missing", "ungrounded", "citations"):
            d[key] = list(d[key])
        d["top_passage"] = dict(self.top_passage) if self.top_passage else None
        d.update(
            answerable=self.answerable,
            answer_correct=self.answer_correct,
            refusal_correct=self.refusal_correct,
            grounded=self.grounded,
            passed=self.passed,
            reasons=self.reasons(),
            latency_ms=round(self.latency_ms, 1),
        )
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> "QuestionResult":
        """Rebuild from a report JSON (for `--baseline`)."""
        names = cls.__dataclass_fields__
        kwargs = {k: v for k, v in d.items() if k in names}
        for key in ("expected", "sources", "missing", "ungrounded", "citations"):
            kwargs[key] = tuple(kwargs.get(key) or ())  # type: ignore[arg-type]
        return cls(**kwargs)  # type: ignore[arg-type]


def score_answer(question: Question, answer: Answer, *, latency_ms: float | None = None) -> QuestionResult:
    """Judge one answer against its question."""
    refused = answer.refused
    return QuestionResult(
        id=question.id,
        question=question.question,
        kind=question.kind,
        expected=question.expected,
        sources=question.sources,
        answer=answer.answer,
        refused=refused,
        rank=retrieval_rank(question, answer.passages),
        missing=() if refused else missing_figures(question, answer.answer),
        ungrounded=() if refused else ungrounded_numbers(answer),
        states_numbers=not refused and bool(extract_numbers(answer.answer)),
        latency_ms=answer.latency_ms if latency_ms is None else latency_ms,
        citations=tuple(f"[{c.n}] {c.passage.chunk.source} · {c.passage.chunk.location}" for c in answer.citations),
        top_passage=top_passage(answer),
    )


def failed_to_ask(question: Question, message: str, latency_ms: float) -> QuestionResult:
    """A question the engine refused to process (too long, …): counted as wrong everywhere."""
    return QuestionResult(
        id=question.id,
        question=question.question,
        kind=question.kind,
        expected=question.expected,
        sources=question.sources,
        answer="",
        refused=False,
        rank=None,
        missing=question.expected,
        ungrounded=(),
        states_numbers=False,
        latency_ms=latency_ms,
        error=message,
    )


# --- many questions ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _rate(flags: Iterable[bool]) -> float | None:
    items = list(flags)
    return sum(items) / len(items) if items else None


@dataclass(frozen=True)
class Metrics:
    """Rates are None when no question in the group is concerned (e.g. hit@k for unanswerables)."""

    count: int
    answerable: int
    hit_at_1: float | None
    hit_at_5: float | None
    mrr: float | None
    answer_accuracy: float | None
    refusal_accuracy: float | None
    unanswerable_refused_rate: float | None
    answerable_answered_rate: float | None
    grounded_number_rate: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    passed: int = 0

    RATE_NAMES = (
        "hit_at_1",
        "hit_at_5",
        "mrr",
        "answer_accuracy",
        "refusal_accuracy",
        "unanswerable_refused_rate",
        "answerable_answered_rate",
        "grounded_number_rate",
    )

    def value(self, name: str) -> float | None:
        return getattr(self, name)  # type: ignore[no-any-return]

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def compute_metrics(results: Sequence[QuestionResult]) -> Metrics:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    with_numbers = [r for r in results if r.states_numbers]
    latencies = [r.latency_ms for r in results if not r.error]
    return Metrics(
        count=len(results),
        answerable=len(answerable),
        hit_at_1=_rate(r.hit(1) for r in answerable),
        hit_at_5=_rate(r.hit(5) for r in answerable),
        mrr=(sum(1.0 / r.rank for r in answerable if r.rank) / len(answerable)) if answerable else None,
        answer_accuracy=_rate(r.answer_correct for r in results),
        refusal_accuracy=_rate(r.refusal_correct for r in results),
        unanswerable_refused_rate=_rate(r.refused and not r.error for r in unanswerable),
        answerable_answered_rate=_rate(not r.refused and not r.error for r in answerable),
        grounded_number_rate=_rate(r.grounded for r in with_numbers),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        passed=sum(r.passed for r in results),
    )


def metrics_by_kind(results: Sequence[QuestionResult]) -> dict[str, Metrics]:
    """Metrics per question kind, canonical kind order first, unknown kinds after."""
    kinds = [k for k in KINDS if any(r.kind == k for r in results)]
    kinds += sorted({r.kind for r in results} - set(kinds))
    return {k: compute_metrics([r for r in results if r.kind == k]) for k in kinds}


@dataclass(frozen=True)
class Breach:
    """A metric below its threshold, with the questions that pulled it down."""

    metric: str
    value: float | None
    threshold: float
    failing: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "value": None if self.value is None else round(self.value, 4),
            "threshold": self.threshold,
            "failing": list(self.failing),
        }


def _failing_for(metric: str, results: Sequence[QuestionResult]) -> tuple[str, ...]:
    tests = {
        "hit_at_1": lambda r: r.answerable and not r.hit(1),
        "hit_at_5": lambda r: r.answerable and not r.hit(5),
        "mrr": lambda r: r.answerable and not r.hit(1),
        "answer_accuracy": lambda r: not r.answer_correct,
        "refusal_accuracy": lambda r: not r.refusal_correct,
        "unanswerable_refused_rate": lambda r: not r.answerable and not r.refused,
        "answerable_answered_rate": lambda r: r.answerable and (r.refused or bool(r.error)),
        "grounded_number_rate": lambda r: not r.grounded,
    }
    test = tests[metric]
    return tuple(r.id for r in results if test(r))


def check_thresholds(
    metrics: Metrics, thresholds: Mapping[str, float], results: Sequence[QuestionResult]
) -> list[Breach]:
    """Every threshold the run falls below. A metric with no concerned question cannot pass its threshold."""
    breaches: list[Breach] = []
    for name, threshold in thresholds.items():
        value = metrics.value(name)
        # a tiny epsilon: 0.97 computed as 97/100 must not fail a 0.97 threshold through float noise
        if value is None or value + 1e-9 < threshold:
            breaches.append(Breach(name, value, threshold, _failing_for(name, results)))
    return breaches
