"""Run a question set through the engine's `ask` and collect an evaluation report.

The engine is passed in (dependency injection): the CLI passes the real one, tests pass an engine
whose retriever is deliberately broken, and nothing in product code knows about either.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import EvaluationError, QuestionError
from nghiquyet.evaluation.metrics import (
    Breach,
    Metrics,
    QuestionResult,
    check_thresholds,
    compute_metrics,
    failed_to_ask,
    metrics_by_kind,
    score_answer,
)
from nghiquyet.evaluation.questions import QuestionSet

if TYPE_CHECKING:
    from nghiquyet.answer.models import Answer

REPORT_FORMAT = "nghiquyet-eval/1"
# Not a question of any set, so no timed question finds its embedding already cached.
WARMUP_QUESTION = "kiểm tra khởi động hệ thống"


class Asker(Protocol):
    """What the evaluation needs from the engine: the same `ask` the CLI and the app use."""

    def ask(self, question: str) -> "Answer": ...


Progress = Callable[[int, int, QuestionResult], None]


@dataclass(frozen=True)
class EvalReport:
    results: tuple[QuestionResult, ...]
    overall: Metrics
    by_kind: Mapping[str, Metrics]
    thresholds: Mapping[str, float]
    breaches: tuple[Breach, ...]
    questions_file: str | None = None
    created_at: str = ""
    run_info: Mapping[str, Any] = field(default_factory=dict)   # model, top_k, … for the record

    @property
    def ok(self) -> bool:
        return not self.breaches

    @property
    def failures(self) -> tuple[QuestionResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def as_dict(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "created_at": self.created_at,
            "questions_file": self.questions_file,
            "run": dict(self.run_info),
            "ok": self.ok,
            "thresholds": dict(self.thresholds),
            "breaches": [b.as_dict() for b in self.breaches],
            "overall": self.overall.as_dict(),
            "by_kind": {k: m.as_dict() for k, m in self.by_kind.items()},
            "results": [r.as_dict() for r in self.results],
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def build_report(
    results: list[QuestionResult] | tuple[QuestionResult, ...],
    thresholds: Mapping[str, float],
    *,
    questions_file: str | None = None,
    run_info: Mapping[str, Any] | None = None,
) -> EvalReport:
    results = tuple(results)
    overall = compute_metrics(results)
    return EvalReport(
        results=results,
        overall=overall,
        by_kind=metrics_by_kind(results),
        thresholds=dict(thresholds),
        breaches=tuple(check_thresholds(overall, thresholds, results)),
        questions_file=questions_file,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run_info=dict(run_info or {}),
    )


def run_eval(
    engine: Asker,
    question_set: QuestionSet,
    *,
    progress: Progress | None = None,
    warmup: bool = True,
    run_info: Mapping[str, Any] | None = None,
) -> EvalReport:
    """Ask every question once, in file order, and score the answers.

    Latency is wall time around `ask`, measured warm: one untimed question (not from the set) first
    loads the models, so p95 describes what an official waits for, not the process start.
    """
    if not question_set.questions:
        raise EvaluationError("Bộ câu hỏi trống: không có gì để đánh giá.")
    if warmup:
        try:
            engine.ask(WARMUP_QUESTION)
        except QuestionError:
            pass
    results: list[QuestionResult] = []
    total = len(question_set.questions)
    for done, question in enumerate(question_set.questions, start=1):
        start = time.perf_counter()
        try:
            answer = engine.ask(question.question)
        except QuestionError as exc:
            result = failed_to_ask(question, exc.user_message(), (time.perf_counter() - start) * 1000)
        else:
            result = score_answer(question, answer, latency_ms=(time.perf_counter() - start) * 1000)
        results.append(result)
        if progress:
            progress(done, total, result)
    return build_report(
        results,
        question_set.thresholds,
        questions_file=str(question_set.path) if question_set.path else None,
        run_info=run_info,
    )


def load_report(path: Path) -> dict[str, Any]:
    """A previous report JSON (for `--baseline`), with a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvaluationError(f"Không tìm thấy báo cáo gốc {path}.", "Tạo nó bằng `nghiquyet eval --out …`.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"Không đọc được báo cáo gốc {path}: {exc}.") from exc
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT or not isinstance(data.get("results"), list):
        raise EvaluationError(
            f"{path} không phải báo cáo của `nghiquyet eval` (định dạng {REPORT_FORMAT}).",
            "Dùng tệp JSON tạo bởi `nghiquyet eval --out`.",
        )
    return data
