"""Follow-up resolution with the retriever's real query analysis (no store, no model, no Streamlit)."""

from __future__ import annotations

import pytest

from ingest.models import DocumentMeta
from nghiquyet.answer.models import Answer
from nghiquyet.conversation import (
    ResolvedQuestion,
    Turn,
    GOODBYE_REPLY,
    GREETING_REPLY,
    THANKS_REPLY,
    context_label,
    extract_topic,
    last_resolved,
    resolve_question,
    small_talk_reply,
    suggested_questions,
)
from retrieval.models import QueryAnalysis
from retrieval.query import analyze_query, clean_question

PROVINCES = ("Trà Vinh", "Sóc Trăng", "Lạng Sơn", "Hậu Giang", "Kiên Giang")
YEARS = tuple(range(2015, 2026))


def analyze(question: str) -> QueryAnalysis:
    return analyze_query(clean_question(question, max_chars=1000), (PROVINCES, YEARS))


def ask(*questions: str) -> list[ResolvedQuestion]:
    previous = None
    out = []
    for q in questions:
        previous = resolve_question(q, previous, analyze)
        out.append(previous)
    return out


def test_first_question_is_searched_as_asked() -> None:
    (first,) = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?")
    assert first.text == first.asked == "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"
    assert not first.changed
    assert first.provinces == ("Trà Vinh",)
    assert first.years == (2021,)
    assert first.intent == "target"
    assert first.topic == "tăng trưởng GRDP"


def test_other_province_keeps_indicator_year_and_intent() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "Còn Sóc Trăng thì sao?")
    assert second.changed
    assert second.provinces == ("Sóc Trăng",)
    assert second.years == (2021,)
    assert second.intent == "target"
    assert second.topic == "tăng trưởng GRDP"
    assert second.text == "Chỉ tiêu tăng trưởng GRDP năm 2021 của Sóc Trăng?"
    # The searched question names everything on its own: analysing it again finds the same.
    again = analyze(second.text)
    assert (again.provinces, again.years, again.intent) == (("Sóc Trăng",), (2021,), "target")


def test_other_year_keeps_province_and_indicator_and_switches_to_result() -> None:
    turns = ask(
        "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?",
        "Còn Sóc Trăng thì sao?",
        "năm 2020 đạt bao nhiêu?",
    )
    third = turns[-1]
    assert third.provinces == ("Sóc Trăng",)
    assert third.years == (2020,)
    assert third.intent == "result"
    assert "tăng trưởng GRDP" in third.text and "2020" in third.text and "Sóc Trăng" in third.text
    assert "province" in third.inherited and "topic" in third.inherited and "year" not in third.inherited
    assert analyze(third.text).intent == "result"


def test_unaccented_follow_up_gets_the_canonical_province() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "con kien giang thi sao")
    assert second.text == "Chỉ tiêu tăng trưởng GRDP năm 2021 của Kiên Giang?"


def test_new_indicator_after_còn_inherits_place_and_year_and_keeps_its_wording() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "Còn tỷ lệ hộ nghèo giảm bao nhiêu?")
    assert second.topic.startswith("tỷ lệ hộ nghèo")
    assert second.text == "Tỷ lệ hộ nghèo giảm bao nhiêu (Trà Vinh, năm 2021)?"
    assert second.inherited == ("province", "year")
    assert analyze(second.text).provinces == ("Trà Vinh",)


def test_question_with_its_own_indicator_stands_alone() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "Tỷ lệ hộ nghèo giảm bao nhiêu?")
    assert not second.changed and second.inherited == () and second.provinces == ()


def test_year_follow_up_keeps_the_indicator() -> None:
    # Without the indicator, "năm 2020 thì sao?" searched "sao" and was refused.
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "năm 2020 thì sao?")
    assert second.topic == "tăng trưởng GRDP"
    assert second.provinces == ("Trà Vinh",) and second.years == (2020,)
    # Another year: the 2021 target does not make it a question about a 2020 target.
    assert second.text == "Tăng trưởng GRDP năm 2020 của Trà Vinh?"
    assert extract_topic("năm 2020 thì sao?", ()) == ""


def test_indicator_follow_up_keeps_province_and_year() -> None:
    *_, third = ask(
        "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "năm 2020 đạt bao nhiêu?", "còn GRDP bình quân đầu người?"
    )
    assert third.text == "GRDP bình quân đầu người (Trà Vinh, năm 2020)?"
    assert (third.provinces, third.years) == (("Trà Vinh",), (2020,))


def test_which_province_is_higher_compares_the_previous_provinces() -> None:
    _, second = ask("So sánh tăng trưởng GRDP năm 2020 của Kiên Giang và Sóc Trăng", "tỉnh nào cao hơn?")
    assert second.provinces == ("Kiên Giang", "Sóc Trăng") and second.years == (2020,)
    assert second.text == "So sánh tăng trưởng GRDP năm 2020 của Kiên Giang và Sóc Trăng?"
    assert analyze(second.text).comparison


def test_compared_with_the_year_before_adds_that_year() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "so với năm trước?")
    assert second.years == (2020, 2021) and second.provinces == ("Trà Vinh",)
    assert second.text == "So sánh tăng trưởng GRDP các năm 2020, 2021 của Trà Vinh?"


def test_two_province_comparison_gains_no_third() -> None:
    _, second = ask(
        "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "So sánh tăng trưởng GRDP năm 2020 của Kiên Giang và Sóc Trăng"
    )
    assert second.provinces == ("Kiên Giang", "Sóc Trăng") and not second.changed


def test_question_naming_its_own_province_and_indicator_stands_alone() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "Tỷ lệ hộ nghèo của Lạng Sơn?")
    assert not second.changed and second.years == ()


@pytest.mark.parametrize(
    ("message", "kind"),
    [("xin chào", "greeting"), ("Chào bạn!", "greeting"), ("cảm ơn nhé", "thanks"), ("cam on ban", "thanks"),
     ("Tạm biệt", "goodbye"), ("Xin chào, cho hỏi GRDP Trà Vinh 2021?", None), ("Chỉ tiêu năm 2021?", None),
     ("Tốt nghiệp THPT đạt bao nhiêu?", None)],
)
def test_small_talk_gets_a_short_reply_and_questions_do_not(message: str, kind: str | None) -> None:
    replies = {"greeting": GREETING_REPLY, "thanks": THANKS_REPLY, "goodbye": GOODBYE_REPLY, None: None}
    assert small_talk_reply(message) == replies[kind]


def _answer(*, refused: bool) -> Answer:
    text = "Không tìm thấy thông tin này." if refused else "Năm 2021, Trà Vinh đặt chỉ tiêu: tăng trưởng GRDP từ 11% trở lên."
    return Answer(question="q", answer=text, refused=refused, citations=(), passages=())


def test_context_ends_after_a_refusal_and_survives_small_talk() -> None:
    good = ResolvedQuestion("a", "a", ("Trà Vinh",), (2021,), "target", "tăng trưởng GRDP")
    answered = Turn("a", good, answer=_answer(refused=False))
    hello = Turn("xin chào", reply=GREETING_REPLY)
    assert last_resolved([answered, hello]) is good
    assert context_label(good) == "Trà Vinh · 2021 · tăng trưởng GRDP"
    refused = Turn("b", ResolvedQuestion("b", "b", ("Bạc Liêu",)), answer=_answer(refused=True))
    assert last_resolved([answered, refused]) is None
    assert last_resolved([answered, refused, hello]) is None
    blocked = Turn("c", ResolvedQuestion("c", "c", ("Kiên Giang",)), out_of_filter=("Kiên Giang",))
    assert last_resolved([answered, blocked]) is None


def test_complete_question_is_not_touched() -> None:
    _, second = ask(
        "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?",
        "Lạng Sơn năm 2020 có bao nhiêu doanh nghiệp thành lập mới?",
    )
    assert not second.changed and second.inherited == ()


def test_comparison_follow_up_keeps_both_provinces() -> None:
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "So sánh với Sóc Trăng")
    assert second.provinces == ("Trà Vinh", "Sóc Trăng")
    assert second.text.startswith("So sánh chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh và Sóc Trăng")


def test_province_not_indexed_is_still_the_subject() -> None:
    # Bạc Liêu is a real province with no document: the follow-up is about it (and will be refused).
    _, second = ask("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "Còn Bạc Liêu thì sao?")
    assert second.provinces == ("Bạc Liêu",)
    assert analyze(second.text).unknown_provinces == ("Bạc Liêu",)


def test_question_errors_propagate() -> None:
    from core.errors import QuestionError

    with pytest.raises(QuestionError):
        resolve_question("   ", None, analyze)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Trà Vinh đặt mục tiêu tăng trưởng GRDP bao nhiêu năm 2021?", "tăng trưởng GRDP"),
        ("Số xã đạt chuẩn nông thôn mới năm 2020 đạt bao nhiêu?", "Số xã đạt chuẩn nông thôn mới"),
        ("Tốc độ tăng trưởng kinh tế giai đoạn 2021-2025 của tỉnh Hậu Giang là bao nhiêu?", "Tốc độ tăng trưởng kinh tế"),
        ("Thế còn năm 2022?", ""),
        ("Còn Sóc Trăng thì sao?", ""),
        ("năm 2020 đạt bao nhiêu?", ""),
        # Question words are matched with their accents: "máy" is not "mấy", "Cơn" is not "Còn".
        ("Số nhà máy năm 2020?", "Số nhà máy"),
        ("Cơn bão năm 2020 gây thiệt hại bao nhiêu?", "Cơn bão gây thiệt hại"),
        ("chi tieu tang truong grdp nam 2021 cua tra vinh", "tang truong grdp"),
    ],
)
def test_extract_topic(question: str, topic: str) -> None:
    assert extract_topic(question, analyze(question).provinces) == topic


def test_last_resolved_skips_failed_turns() -> None:
    good = ResolvedQuestion("a", "a", ("Trà Vinh",), (2021,), "target", "GRDP")
    turns = [Turn("a", good), Turn("b", ResolvedQuestion("b", "b"), error="Không kết nối được kho vector")]
    assert last_resolved(turns) is good
    assert last_resolved([]) is None


def test_suggested_questions_come_from_the_indexed_metadata() -> None:
    docs = [
        DocumentMeta("tv.txt", province="Trà Vinh", years=(2020, 2021), plan_years=(2021,), report_years=(2020,)),
        DocumentMeta("st.txt", province="Sóc Trăng", years=(2019, 2020), plan_years=(2020,), report_years=(2019,)),
        DocumentMeta("x.txt"),
    ]
    examples, follow_up = suggested_questions(docs)
    assert examples == [
        "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?",
        "Kết quả tăng trưởng GRDP năm 2019 của Sóc Trăng?",
    ]
    for example in examples:
        a = analyze(example)
        assert a.provinces and a.years and a.intent in ("target", "result")
    # No other province has a 2021 document: the follow-up changes the year to one Trà Vinh reports on.
    assert follow_up == "Năm 2020 đạt bao nhiêu?"
    first = resolve_question(examples[0], None, analyze)
    assert resolve_question(follow_up, first, analyze).text == "Kết quả tăng trưởng GRDP năm 2020 của Trà Vinh?"

    docs.append(DocumentMeta("kg.txt", province="Kiên Giang", years=(2021,), plan_years=(2021,)))
    examples, follow_up = suggested_questions(docs)
    assert examples[0] == "Chỉ tiêu tăng trưởng GRDP năm 2021 của Kiên Giang?"
    assert follow_up == "Còn Trà Vinh thì sao?"  # Trà Vinh has a 2021 document too
    assert suggested_questions([]) == ([], None)
