"""Reports: the runner on a scripted engine, terminal tables, the HTML file, the baseline diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from nghiquyet.answer.models import Answer
from core.errors import EvaluationError, QuestionError
from nghiquyet.evaluation.baseline import diff_reports
from nghiquyet.evaluation.html import render_html
from nghiquyet.evaluation.questions import Question, QuestionSet
from nghiquyet.evaluation.report import render
from nghiquyet.evaluation.runner import WARMUP_QUESTION, EvalReport, load_report, run_eval
from tests.evaluation.builders import LS, TV, make_answer, make_passage

GRDP = make_passage("- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.", TV, heading=("B. NĂM 2021",))
BHYT = make_passage("98% người dân tham gia bảo hiểm y tế.", LS)
HOSTILE = make_passage("<script>alert('x')</script> [bold red]giả[/bold red] & 6.150,1", LS)

QUESTIONS = QuestionSet(
    version=1,
    thresholds={"hit_at_5": 0.97, "answer_accuracy": 0.9},
    questions=(
        Question("tv-grdp", "Chỉ tiêu GRDP 2021 Trà Vinh?", "target", ("11%",), (TV,), ("Tốc độ tăng trưởng GRDP từ 11%",)),
        Question("ls-bhyt", "Tỷ lệ BHYT Lạng Sơn", "abbreviation", ("98%",), (LS,), ("98% người dân tham gia bảo hiểm y tế",)),
        Question("ben-tre", "GRDP Bến Tre 2021?", "unanswerable", (), (), ()),
        Question("too-long", "x" * 50, "fact", ("1",), (TV,), ("Tốc độ",)),
    ),
)


class ScriptedEngine:
    """Stands in for Engine: fixed answers per question, so the runner is tested without models."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        if question == WARMUP_QUESTION:
            return make_answer(question, "Không tìm thấy thông tin này.", [], refused=True)
        if question.startswith("xxx"):
            raise QuestionError("Câu hỏi quá dài.")
        return self.answers[question]


def _good_engine() -> ScriptedEngine:
    return ScriptedEngine(
        {
            "Chỉ tiêu GRDP 2021 Trà Vinh?": make_answer("q", "Từ 11% trở lên [1].", [GRDP]),
            "Tỷ lệ BHYT Lạng Sơn": make_answer("q", "Lạng Sơn: 98% người dân tham gia BHYT [1].", [BHYT]),
            "GRDP Bến Tre 2021?": make_answer("q", "Không tìm thấy thông tin này.", [GRDP], refused=True),
        }
    )


def _bad_engine() -> ScriptedEngine:
    # The hostile passage ranks first for the BHYT question and the answer misses its figure.
    return ScriptedEngine(
        {
            "Chỉ tiêu GRDP 2021 Trà Vinh?": make_answer("q", "Từ 11% trở lên [1].", [GRDP]),
            "Tỷ lệ BHYT Lạng Sơn": make_answer("q", "<b>6.150,1</b> [bold]x[/bold] [1]", [HOSTILE]),
            "GRDP Bến Tre 2021?": make_answer("q", "Không tìm thấy thông tin này.", [GRDP], refused=True),
        }
    )


@pytest.fixture
def good_report() -> EvalReport:
    return run_eval(_good_engine(), QUESTIONS)


@pytest.fixture
def bad_report() -> EvalReport:
    return run_eval(_bad_engine(), QUESTIONS)


def _text(report: EvalReport, **kwargs: object) -> str:
    console = Console(record=True, width=220, color_system=None)
    render(report, console, **kwargs)  # type: ignore[arg-type]
    return console.export_text()


def test_runner_asks_each_question_once_after_one_warmup(good_report: EvalReport) -> None:
    engine = _good_engine()
    seen: list[tuple[int, int, str]] = []
    report = run_eval(engine, QUESTIONS, progress=lambda done, total, r: seen.append((done, total, r.id)))
    assert engine.asked[0] == WARMUP_QUESTION and WARMUP_QUESTION not in engine.asked[1:]
    assert engine.asked[1:] == [q.question for q in QUESTIONS.questions]
    assert [s[2] for s in seen] == ["tv-grdp", "ls-bhyt", "ben-tre", "too-long"]
    assert report.results[3].error == "Câu hỏi quá dài."
    assert report.overall.answer_accuracy == pytest.approx(3 / 4)
    assert [b.metric for b in report.breaches] == ["hit_at_5", "answer_accuracy"]
    assert report.breaches[0].failing == ("too-long",)


def test_report_json_round_trip(good_report: EvalReport, tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.json"
    good_report.save(path)
    data = load_report(path)
    assert data["overall"]["count"] == 4
    assert [r["id"] for r in data["results"]] == ["tv-grdp", "ls-bhyt", "ben-tre", "too-long"]
    assert data["results"][0]["passed"] is True and data["results"][3]["passed"] is False
    assert data["ok"] is False and data["breaches"][0]["failing"] == ["too-long"]


def test_load_report_refuses_other_json(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text(json.dumps({"results": []}), encoding="utf-8")
    with pytest.raises(EvaluationError, match="không phải báo cáo"):
        load_report(other)
    with pytest.raises(EvaluationError, match="Không tìm thấy"):
        load_report(tmp_path / "none.json")


def test_terminal_report_shows_tables_failures_and_verdict(bad_report: EvalReport) -> None:
    text = _text(bad_report)
    assert "Kết quả chung" in text and "Theo loại câu hỏi" in text
    flat = " ".join(text.split())  # the kind legend wraps at the table's width
    assert "abbreviation = viết tắt" in flat and "unanswerable = không có đáp án" in flat
    assert "✗ ls-bhyt" in text and "thiếu số liệu: 98%" in text
    # document text and answers print as characters, never as rich markup
    assert "[bold]x[/bold]" in text and "[bold red]giả[/bold red]" in text
    assert "Đoạn hạng 1: lang-son-nq-100-nhiem-vu-2020.txt" in text
    verdict = text[text.rindex("✗ hit@5"):]
    assert "ls-bhyt" in verdict and "too-long" in verdict


def test_html_report_is_self_contained_and_escapes_document_text(bad_report: EvalReport) -> None:
    page = render_html(bad_report)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</svg>" in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;6.150,1&lt;/b&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)  # nothing fetched from outside
    assert page.count("<rect") >= 3  # bars + legend
    for kind in ("target", "abbreviation", "unanswerable", "fact"):
        assert f"<td>{kind} (" in page
    assert 'id="q-ls-bhyt"' in page and 'id="q-tv-grdp"' not in page


def test_baseline_diff_lists_changes_before_metric_deltas(good_report: EvalReport, bad_report: EvalReport) -> None:
    baseline = good_report.as_dict()
    baseline["results"].append({"id": "gone", "passed": True})
    diff = diff_reports(baseline, bad_report)
    assert diff.newly_failing == ("ls-bhyt",)
    assert diff.newly_passing == ()
    assert diff.removed == ("gone",)
    answer_delta = next(d for d in diff.overall if d.metric == "answer_accuracy")
    assert answer_delta.before == pytest.approx(0.75) and answer_delta.delta == pytest.approx(-0.25)

    reverse = diff_reports(bad_report.as_dict(), good_report)
    assert reverse.newly_passing == ("ls-bhyt",)

    text = _text(bad_report, diff=diff)
    section = text[text.index("So với báo cáo gốc"):]
    assert section.index("Mới hỏng: ls-bhyt") < section.index("Mới đạt") < section.index("Thay đổi chỉ số")
    assert "-0.250" in section
    assert "Mới hỏng" in render_html(bad_report, diff=diff)
