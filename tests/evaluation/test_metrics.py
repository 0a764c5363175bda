"""Scoring rules on hand-made answers: retrieval rank, answer accuracy, refusals, grounding, aggregates."""

from __future__ import annotations

import pytest

from nghiquyet.evaluation.metrics import (
    QuestionResult,
    check_thresholds,
    compute_metrics,
    extract_numbers,
    failed_to_ask,
    metrics_by_kind,
    percentile,
    retrieval_rank,
    score_answer,
    ungrounded_numbers,
)
from nghiquyet.evaluation.questions import Question
from tests.evaluation.builders import LS, ST, TV, make_answer, make_passage

GRDP_2021 = "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
GRDP_2020 = "- Tập trung thực hiện tốt nhiệm vụ kép. Tốc độ tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên)."
HEADING_2021 = ("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "2. Chỉ tiêu kinh tế")

Q_TARGET = Question(
    "tv-2021-grdp-target",
    "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?",
    "target",
    ("11%",),
    (TV,),
    ("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020",),
)
Q_COMPARE = Question(
    "cmp",
    "So sánh tăng trưởng 2020 Sóc Trăng và Lạng Sơn",
    "compare",
    ("7,5", "8,5 – 9%"),
    (ST, LS),
    ("Tốc độ tăng trưởng kinh tế từ 7,5% trở lên", "Tốc độ tăng trưởng kinh tế 8,5 – 9%"),
)
Q_NONE = Question("na", "Chỉ tiêu GRDP 2021 của Bến Tre?", "unanswerable", (), (), ())


def _filler(n: int, source: str = TV) -> list:
    return [make_passage(f"Đoạn không liên quan số {i}.", source, seq=100 + i) for i in range(n)]


# --- retrieval rank --------------------------------------------------------------------------------


def test_rank_is_the_first_relevant_passage() -> None:
    passages = _filler(2) + [make_passage(GRDP_2021, TV, heading=HEADING_2021)] + _filler(3)
    assert retrieval_rank(Q_TARGET, passages) == 3


def test_rank_ignores_tone_style_case_and_spacing() -> None:
    q = Question("x", "?", "fact", ("ủy",), (LS,), ("Uỷ ban nhân dân tỉnh",))
    passages = [make_passage("1- ỦY   BAN NHÂN DÂN TỈNH tập trung chỉ đạo", LS)]
    assert retrieval_rank(q, passages) == 1


def test_rank_requires_the_expected_source() -> None:
    same_text_elsewhere = make_passage(GRDP_2021, ST)
    assert retrieval_rank(Q_TARGET, [same_text_elsewhere]) is None


def test_rank_is_none_when_not_retrieved_and_for_unanswerable() -> None:
    assert retrieval_rank(Q_TARGET, _filler(5)) is None
    assert retrieval_rank(Q_NONE, [make_passage(GRDP_2021)]) is None


def test_multi_source_rank_waits_for_every_source() -> None:
    st = make_passage("- (1) Tốc độ tăng trưởng kinh tế từ 7,5% trở lên.", ST)
    ls = make_passage("– Tốc độ tăng trưởng kinh tế 8,5 – 9%; trong đó: Nông lâm nghiệp 3 – 3,5%", LS)
    assert retrieval_rank(Q_COMPARE, [ls, st]) == 1  # the best a two-source question can do
    assert retrieval_rank(Q_COMPARE, [st, *_filler(2), ls]) == 3  # position 4, two unrelated passages among them
    assert retrieval_rank(Q_COMPARE, [st, st, ls]) == 2
    assert retrieval_rank(Q_COMPARE, [st, *_filler(4)]) is None


# --- answers -------------------------------------------------------------------------------------


def test_correct_target_answer() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    answer = make_answer(Q_TARGET.question, "Năm 2021, Trà Vinh đặt chỉ tiêu tăng trưởng GRDP từ 11% trở lên [1].", [p])
    r = score_answer(Q_TARGET, answer)
    assert (r.rank, r.missing, r.ungrounded) == (1, (), ())
    assert r.answer_correct and r.refusal_correct and r.grounded and r.passed
    assert r.reasons() == []


def test_answering_the_result_instead_of_the_target_is_wrong() -> None:
    p = make_passage(GRDP_2020, TV)
    answer = make_answer(Q_TARGET.question, "Trà Vinh đạt 3,32% [1].", [p])
    r = score_answer(Q_TARGET, answer)
    assert r.missing == ("11%",)
    assert not r.answer_correct and not r.passed
    assert any("thiếu số liệu: 11%" in reason for reason in r.reasons())


def test_a_figure_inside_a_longer_number_does_not_count() -> None:
    p = make_passage("tỷ lệ hộ sử dụng điện đạt 99,11%", TV)
    r = score_answer(Q_TARGET, make_answer(Q_TARGET.question, "Tỷ lệ đạt 99,11% [1].", [p]))
    assert r.missing == ("11%",)


def test_refusing_an_answerable_question_is_wrong_twice() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    r = score_answer(Q_TARGET, make_answer(Q_TARGET.question, "Không tìm thấy thông tin này.", [p], refused=True))
    assert r.rank == 1  # retrieval still measured
    assert not r.answer_correct and not r.refusal_correct
    assert r.missing == () and not r.states_numbers  # a refusal is not checked for figures
    assert "từ chối" in r.reasons()[0]


def test_unanswerable_must_be_refused() -> None:
    p = make_passage(GRDP_2021, TV)
    refused = score_answer(Q_NONE, make_answer(Q_NONE.question, "Không tìm thấy thông tin về Bến Tre.", [p], refused=True))
    assert refused.answer_correct and refused.refusal_correct and refused.passed
    answered = score_answer(Q_NONE, make_answer(Q_NONE.question, "Tăng trưởng 11% [1].", [p]))
    assert not answered.answer_correct and not answered.refusal_correct and not answered.passed


# --- grounding -------------------------------------------------------------------------------------


def test_extract_numbers_keeps_vietnamese_formats_and_skips_markers() -> None:
    text = "Thu 6.150,1 tỷ đồng, tăng 3,32%; kết nạp 1.100 - 1.200 đảng viên; xã 49/80 [1][2]."
    assert extract_numbers(text) == {"6.150,1", "3,32", "1.100", "1.200", "49", "80"}


def test_invented_number_is_ungrounded() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    answer = make_answer(Q_TARGET.question, "Chỉ tiêu từ 12% trở lên so với năm 2020 [1].", [p])
    assert ungrounded_numbers(answer) == ("12",)
    r = score_answer(Q_TARGET, answer)
    assert not r.grounded and not r.passed
    assert any("12" in reason for reason in r.reasons())


def test_year_from_the_heading_path_is_grounded() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    answer = make_answer(Q_TARGET.question, "Năm 2021, Trà Vinh: từ 11% trở lên [1].", [p])
    assert ungrounded_numbers(answer) == ()


def test_numbers_must_be_in_a_cited_passage_not_just_retrieved() -> None:
    cited = make_passage("Đoạn khác, không có số.", TV)
    retrieved = make_passage(GRDP_2021, TV)
    answer = make_answer(Q_TARGET.question, "Từ 11% trở lên [1].", [cited, retrieved], cited=(0,))
    assert ungrounded_numbers(answer) == ("11",)


# --- aggregates ------------------------------------------------------------------------------------


def _result(qid: str, kind: str, *, rank: int | None, correct: bool = True, refused: bool = False,
            ungrounded: tuple[str, ...] = (), latency: float = 10.0) -> QuestionResult:
    answerable = kind != "unanswerable"
    return QuestionResult(
        id=qid, question=qid, kind=kind, expected=("1",) if answerable else (), sources=(TV,) if answerable else (),
        answer="x 1", refused=refused, rank=rank, missing=() if correct else ("1",), ungrounded=ungrounded,
        states_numbers=not refused, latency_ms=latency,
    )


RESULTS = [
    _result("a", "target", rank=1, latency=10),
    _result("b", "target", rank=2, latency=20),
    _result("c", "table", rank=None, correct=False, latency=30),
    _result("d", "table", rank=4, ungrounded=("7",), latency=40),
    _result("e", "unanswerable", rank=None, refused=True, latency=50),
    _result("f", "unanswerable", rank=None, refused=False, latency=60),
]


def test_compute_metrics_exact_values() -> None:
    m = compute_metrics(RESULTS)
    assert (m.count, m.answerable) == (6, 4)
    assert m.hit_at_1 == pytest.approx(1 / 4)
    assert m.hit_at_5 == pytest.approx(3 / 4)
    assert m.mrr == pytest.approx((1 + 1 / 2 + 0 + 1 / 4) / 4)
    assert m.answer_accuracy == pytest.approx(4 / 6)  # a, b, d, e
    assert m.refusal_accuracy == pytest.approx(5 / 6)  # f answered
    assert m.unanswerable_refused_rate == pytest.approx(1 / 2)
    assert m.answerable_answered_rate == 1.0
    assert m.grounded_number_rate == pytest.approx(4 / 5)  # e refused states no numbers; d ungrounded
    assert m.latency_p50_ms == pytest.approx(35.0)
    assert m.latency_p95_ms == pytest.approx(57.5)
    assert m.passed == 3  # a, b, e


def test_metrics_by_kind_keeps_kind_order_and_leaves_hits_out_for_unanswerable() -> None:
    by_kind = metrics_by_kind(RESULTS)
    assert list(by_kind) == ["target", "table", "unanswerable"]
    assert by_kind["target"].hit_at_1 == 0.5
    assert by_kind["unanswerable"].hit_at_5 is None
    assert by_kind["unanswerable"].refusal_accuracy == 0.5


def test_thresholds_name_the_failing_questions() -> None:
    m = compute_metrics(RESULTS)
    breaches = check_thresholds(m, {"hit_at_5": 0.97, "answer_accuracy": 0.5, "grounded_number_rate": 1.0}, RESULTS)
    by_metric = {b.metric: b for b in breaches}
    assert set(by_metric) == {"hit_at_5", "grounded_number_rate"}
    assert by_metric["hit_at_5"].failing == ("c",)
    assert by_metric["grounded_number_rate"].failing == ("d",)


def test_threshold_met_exactly_passes_despite_float_noise() -> None:
    results = [_result(str(i), "target", rank=1 if i < 97 else None) for i in range(100)]
    assert check_thresholds(compute_metrics(results), {"hit_at_5": 0.97}, results) == []


def test_metric_without_questions_cannot_pass_its_threshold() -> None:
    only_answerable = RESULTS[:4]
    breaches = check_thresholds(compute_metrics(only_answerable), {"unanswerable_refused_rate": 0.9}, only_answerable)
    assert [b.metric for b in breaches] == ["unanswerable_refused_rate"]


def test_failed_question_counts_as_wrong() -> None:
    r = failed_to_ask(Q_TARGET, "Câu hỏi quá dài.", 1.0)
    assert not r.answer_correct and not r.refusal_correct and not r.passed
    assert "Câu hỏi quá dài." in r.reasons()[0]
    m = compute_metrics([r])
    assert m.answerable_answered_rate == 0.0 and m.latency_p50_ms is None


def test_result_survives_a_json_round_trip() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    r = score_answer(Q_TARGET, make_answer(Q_TARGET.question, "Từ 11% trở lên [1].", [p]))
    d = r.as_dict()
    assert d["passed"] is True and d["top_passage"]["source"] == TV
    assert QuestionResult.from_dict(d) == r


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5


def test_table_question_needs_the_row_with_the_asked_figure() -> None:
    q = Question("st-rice", "Sản lượng lúa Sóc Trăng thực hiện 2019?", "table", ("2,17",), (ST,), ("Sản lượng lúa",))
    listed = make_passage("- (4) Sản lượng lúa đạt trên 2 triệu tấn/năm; trong đó, sản lượng lúa đặc sản chiếm trên 52%.", ST)
    row = make_passage("4\tSản lượng lúa\tTriệu tấn\t2\t2,17\t2\t92,17", ST)
    assert retrieval_rank(q, [listed, row]) == 2


def test_unknown_citation_marker_is_a_grounding_problem() -> None:
    p = make_passage(GRDP_2021, TV, heading=HEADING_2021)
    answer = make_answer(Q_TARGET.question, "Từ 11% trở lên [1], xem thêm [3].", [p])
    assert ungrounded_numbers(answer) == ("[3]",)


def test_label_quote_counts_only_where_the_figure_is_shown() -> None:
    q = Question(
        "st-rice-target", "Sản lượng lúa Sóc Trăng 2020?", "target", ("2 triệu tấn",), (ST,),
        ("Sản lượng lúa đạt trên 2 triệu tấn/năm", "Sản lượng lúa"),
    )
    sub_row = make_passage("Trong đó: Tỷ lệ lúa đặc sản chiếm (%) — Sản lượng lúa — Nghị quyết năm 2020: 52", ST)
    row = make_passage("4. Sản lượng lúa (Triệu tấn) — Nghị quyết năm 2019: 2 · Thực hiện năm 2019: 2,17 · Nghị quyết năm 2020: 2", ST)
    assert retrieval_rank(q, [sub_row, row]) == 2


def test_table_zeros_are_the_same_figure_for_relevance() -> None:
    q = Question("st-bhyt", "BHYT Sóc Trăng 2020", "abbreviation", ("95,5",), (ST,), ("Tỷ lệ người dân tham gia bảo hiểm y tế",))
    row = make_passage("16. Tỷ lệ người dân tham gia bảo hiểm y tế (%) — Nghị quyết năm 2020: 95,50", ST)
    assert retrieval_rank(q, [row]) == 1
