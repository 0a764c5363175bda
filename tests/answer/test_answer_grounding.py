"""The grounding check: numbers must be written in the passages that are cited for them."""

from __future__ import annotations

from nghiquyet.answer.grounding import check_answer, check_grounding, grounded_numbers
from nghiquyet.answer.models import Answer, Citation
from tests.answer.corpus_passages import passages

TARGET, RESULT = passages("GRDP từ 11% trở lên", "GRDP đạt 3,32%")


def test_figures_copied_from_the_cited_passage_pass() -> None:
    text = "Năm 2021, Trà Vinh đặt chỉ tiêu: tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020 [1]."
    report = check_grounding(text, {1: TARGET})
    assert report.ok, report.reason()


def test_an_invented_number_is_rejected_and_named() -> None:
    text = "Năm 2021, Trà Vinh đặt chỉ tiêu tăng trưởng GRDP 12,5% [1]."
    report = check_grounding(text, {1: TARGET})
    assert not report.ok
    assert report.ungrounded == ("12,5",)
    assert "12,5" in report.reason()


def test_a_reformatted_number_is_not_the_same_number() -> None:
    report = check_grounding("Tổng thu 6150,1 tỷ đồng [1].", {1: passages("6.150,1")[0]})
    assert report.ungrounded == ("6150,1",)


def test_a_figure_from_another_cited_passage_on_a_different_line_is_rejected() -> None:
    # 3,32% is in passage [2], but the line that states it cites only [1].
    text = "- Chỉ tiêu 2021: từ 11% trở lên [1].\n- Kết quả 2020: 3,32% [1].\n- Nguồn khác [2]."
    report = check_grounding(text, {1: TARGET, 2: RESULT})
    assert report.ungrounded == ("3,32",)


def test_unknown_citation_markers_are_reported() -> None:
    report = check_grounding("Tăng trưởng 11% [3].", {1: TARGET})
    assert report.unknown_markers == ("[3]",)
    assert not report.ok


def test_years_count_as_numbers_and_are_found_in_the_heading() -> None:
    assert check_grounding("Năm 2021: 11% [1].", {1: TARGET}).ok
    assert check_grounding("Năm 2022: 11% [1].", {1: TARGET}).ungrounded == ("2022",)


def test_answers_are_checked_through_their_citations() -> None:
    answer = Answer(
        question="q",
        answer="Kết quả năm 2020: tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên) [1].",
        refused=False,
        citations=(Citation(n=1, passage=RESULT),),
        passages=(RESULT,),
    )
    assert check_answer(answer).ok
    assert grounded_numbers(answer) == (3, 3)
    refusal = Answer(question="q", answer="Không tìm thấy … (2019–2020)", refused=True, citations=(), passages=())
    assert check_answer(refusal).ok
