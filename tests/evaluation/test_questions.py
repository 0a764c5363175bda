"""The regression question file: the real set is sound, bad files fail with messages naming the entry."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from core.errors import QuestionFileError
from nghiquyet.evaluation.questions import (
    KINDS,
    Question,
    QuestionSet,
    append_question,
    check_evidence,
    load_questions,
    parse_questions,
    question_from_answer,
    suggest_id,
)
from tests.evaluation.builders import LS, TV, make_answer, make_passage

HEADER = "version: 1\nthresholds:\n  hit_at_5: 0.97\nquestions:\n"
GOOD_ENTRY = """  - id: tv-2021-grdp-target
    question: "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"
    kind: target
    expected: ["11%"]
    source: tra-vinh-tuyen-truyen-2020-2021.txt
    evidence: "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020"
"""


# --- the real file ---------------------------------------------------------------------------------


def test_real_question_set_passes_the_evidence_check(questions_file: Path, corpus_dir: Path) -> None:
    qs = load_questions(questions_file)
    assert check_evidence(qs, corpus_dir) == []


def test_real_question_set_covers_every_kind_and_every_document(questions_file: Path, corpus_dir: Path) -> None:
    qs = load_questions(questions_file)
    assert len(qs) >= 90
    assert set(qs.kinds) == set(KINDS)
    covered = {s for q in qs.questions for s in q.sources}
    assert covered == {p.name for p in corpus_dir.glob("*.txt")}
    unanswerable = [q for q in qs.questions if not q.answerable]
    assert len(unanswerable) >= 8
    assert all(not q.expected and not q.sources and not q.evidence for q in unanswerable)
    for name in ("hit_at_5", "hit_at_1", "answer_accuracy", "refusal_accuracy", "grounded_number_rate"):
        assert name in qs.thresholds
    assert qs.thresholds["grounded_number_rate"] == 1.0


def test_multi_source_questions_are_compare_or_disambiguation(questions_file: Path) -> None:
    qs = load_questions(questions_file)
    multi = [q for q in qs.questions if len(q.sources) > 1]
    assert multi, "the set must hold questions spanning several provinces"
    assert {q.kind for q in multi} <= {"compare", "disambiguation"}


# --- validation messages ---------------------------------------------------------------------------


def _error(text: str) -> str:
    with pytest.raises(QuestionFileError) as info:
        parse_questions(text)
    return info.value.user_message()


def test_good_entry_parses() -> None:
    qs = parse_questions(HEADER + GOOD_ENTRY)
    q = qs.questions[0]
    assert q.expected == ("11%",)
    assert q.sources == (TV,)
    assert q.evidence == ("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020",)
    assert qs.thresholds == {"hit_at_5": 0.97}


def test_missing_key_names_the_entry() -> None:
    bad = GOOD_ENTRY.replace('    evidence: "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020"\n', "")
    message = _error(HEADER + GOOD_ENTRY.replace("tv-2021-grdp-target", "ok-1") + bad)
    assert "câu hỏi #2" in message and "tv-2021-grdp-target" in message and "evidence" in message


def test_unknown_kind_is_refused_with_the_choices() -> None:
    message = _error(HEADER + GOOD_ENTRY.replace("kind: target", "kind: guess"))
    assert "guess" in message and "unanswerable" in message


def test_unquoted_number_in_expected_is_refused() -> None:
    # YAML would read 11 as an integer and 3,32 as text: a figure must be quoted to stay as written.
    message = _error(HEADER + GOOD_ENTRY.replace('expected: ["11%"]', "expected: [11]"))
    assert "expected" in message and "nháy" in message


def test_unanswerable_must_not_have_sources() -> None:
    message = _error(HEADER + GOOD_ENTRY.replace("kind: target", "kind: unanswerable"))
    assert "unanswerable" in message and "tv-2021-grdp-target" in message


def test_answerable_needs_expected_figures() -> None:
    message = _error(HEADER + GOOD_ENTRY.replace('expected: ["11%"]', "expected: []"))
    assert "expected" in message


def test_duplicate_ids_are_refused() -> None:
    message = _error(HEADER + GOOD_ENTRY + GOOD_ENTRY)
    assert "trùng" in message and "#1" in message and "#2" in message


def test_unknown_threshold_is_refused() -> None:
    message = _error(HEADER.replace("hit_at_5", "hit_at_50") + GOOD_ENTRY)
    assert "hit_at_50" in message


def test_threshold_must_be_a_rate() -> None:
    assert "0 đến 1" in _error(HEADER.replace("0.97", "97") + GOOD_ENTRY)


def test_invalid_yaml_reports_the_line() -> None:
    assert "dòng" in _error(HEADER + GOOD_ENTRY + '  - id: "unterminated\n')


def test_source_must_be_a_file_name() -> None:
    assert "đường dẫn" in _error(HEADER + GOOD_ENTRY.replace("source: tra-vinh", "source: data/corpus/tra-vinh"))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="Không tìm thấy"):
        load_questions(tmp_path / "none.yaml")


# --- evidence check --------------------------------------------------------------------------------


def test_check_evidence_reports_each_kind_of_problem(corpus_dir: Path) -> None:
    good = parse_questions(HEADER + GOOD_ENTRY).questions[0]
    wrong_quote = dataclasses.replace(good, id="wrong-quote", evidence=("Tốc độ tăng trưởng GRDP từ 12% trở lên",))
    wrong_figure = dataclasses.replace(good, id="wrong-figure", expected=("12%",))  # only "99,12%" is written
    missing_file = dataclasses.replace(good, id="missing-file", sources=("ben-tre.txt",))
    uncovered = dataclasses.replace(good, id="uncovered", sources=(TV, LS))
    problems = check_evidence(
        QuestionSet(1, (good, wrong_quote, wrong_figure, missing_file, uncovered, good)), corpus_dir
    )
    text = "\n".join(problems)
    assert "wrong-quote" in text and "12% trở lên" in text
    assert "wrong-figure" in text
    assert "missing-file" in text and "ben-tre.txt" in text
    assert "uncovered" in text and LS in text
    assert "tv-2021-grdp-target: id bị trùng" in text
    assert "wrong-figure: dòng chứa trích dẫn" in text  # its quote's line states 11%, not 12%
    assert len(problems) == 6


def test_evidence_is_verbatim_not_tone_normalised(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Ủy ban nhân dân tỉnh\u00a0lãnh đạo", encoding="utf-8")
    base = Question("q", "?", "fact", ("Ủy ban",), ("doc.txt",), ("Ủy ban nhân dân tỉnh lãnh đạo",))
    assert check_evidence(QuestionSet(1, (base,)), tmp_path) == []  # NBSP is whitespace
    other_style = dataclasses.replace(base, evidence=("Uỷ ban nhân dân",))
    assert len(check_evidence(QuestionSet(1, (other_style,)), tmp_path)) == 1


# --- appending -------------------------------------------------------------------------------------


def test_append_keeps_the_file_text_and_adds_one_entry(questions_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "questions.yaml"
    shutil.copy(questions_file, target)
    before = target.read_text(encoding="utf-8")
    new = Question(
        id="ls-bhyt-2020-app",
        question="Tỷ lệ BHYT Lạng Sơn năm 2020 \"chỉ tiêu\"?",
        kind="abbreviation",
        expected=("98%",),
        sources=(LS,),
        evidence=("98% người dân tham gia bảo hiểm y tế",),
        note="thêm từ ứng dụng",
    )
    append_question(target, new)
    after = target.read_text(encoding="utf-8")
    assert after.startswith(before)
    reloaded = load_questions(target)
    assert len(reloaded) == len(load_questions(questions_file)) + 1
    assert reloaded.questions[-1] == new
    with pytest.raises(QuestionFileError, match="đã có"):
        append_question(target, new)
    assert target.read_text(encoding="utf-8") == after


def test_append_inserts_inside_the_questions_block(tmp_path: Path) -> None:
    target = tmp_path / "q.yaml"
    target.write_text("version: 1\nquestions:\n" + GOOD_ENTRY + "\nthresholds:\n  hit_at_1: 0.5\n", encoding="utf-8")
    new = Question("second", "Tỷ lệ BHYT Lạng Sơn?", "abbreviation", ("98%",), (LS,), ("98% người dân",))
    append_question(target, new)
    qs = load_questions(target)
    assert [q.id for q in qs.questions] == ["tv-2021-grdp-target", "second"]
    assert qs.thresholds == {"hit_at_1": 0.5}


def test_append_refuses_an_invalid_entry(tmp_path: Path) -> None:
    target = tmp_path / "q.yaml"
    target.write_text(HEADER + GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(QuestionFileError, match="kind"):
        append_question(target, Question("x", "?", "nonsense", ("1",), (TV,), ("a",)))
    assert target.read_text(encoding="utf-8") == HEADER + GOOD_ENTRY


def test_question_from_an_approved_answer() -> None:
    passage = make_passage(
        "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.\n- GRDP bình quân đầu người đạt 69 triệu đồng.",
        TV,
    )
    answer = make_answer("Chỉ tiêu GRDP Trà Vinh 2021?", "Trà Vinh đặt chỉ tiêu từ 11% trở lên [1].", [passage])
    q = question_from_answer(answer, ["11%"], existing_ids=["chi-tieu-grdp-tra-vinh-2021"])
    assert q.id == "chi-tieu-grdp-tra-vinh-2021-2"
    assert q.sources == (TV,)
    assert q.evidence == ("- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.",)
    assert q.kind == "fact"
    refused = make_answer("Bến Tre?", "Không tìm thấy thông tin này.", [passage], refused=True)
    with pytest.raises(QuestionFileError):
        question_from_answer(refused, ["11%"])


def test_suggest_id_folds_diacritics() -> None:
    assert suggest_id("Tỷ lệ BHYT Lạng Sơn?") == "ty-le-bhyt-lang-son"
    assert suggest_id("???") == "cau-hoi"
