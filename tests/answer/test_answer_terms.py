"""Question terms and the coverage criterion that decides whether a sentence answers the question."""

from __future__ import annotations

from nghiquyet.answer.answerer import CorpusInfo
from nghiquyet.answer.terms import KeyedText, coverage, is_english, question_terms


def labels(question: str, info: CorpusInfo, provinces: tuple[str, ...] = ()) -> list[str]:
    return [t.label for t in question_terms(question, provinces=provinces, stats=info.stats).terms]


def test_province_year_question_and_intent_words_are_not_content(info: CorpusInfo) -> None:
    assert labels("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh là bao nhiêu?", info, ("Trà Vinh",)) == [
        "tăng trưởng grdp"
    ]
    assert labels("tra vinh grdp 2021", info, ("Trà Vinh",)) == ["grdp"]


def test_english_questions_keep_only_genre_words_in_vietnamese(info: CorpusInfo) -> None:
    question = "What is Tra Vinh's GRDP growth target for 2021?"
    assert is_english(question)
    assert not is_english("tra vinh grdp 2021")
    terms = question_terms(question, provinces=("Trà Vinh",), stats=info.stats)
    text = KeyedText.of("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.")
    assert coverage(terms, text, KeyedText.of("")).ratio == 1.0


def test_abbreviations_match_their_full_form(info: CorpusInfo) -> None:
    terms = question_terms("Tỷ lệ BHYT Lạng Sơn", provinces=("Lạng Sơn",), stats=info.stats)
    text = KeyedText.of("Tỷ lệ xã đạt Bộ tiêu chí quốc gia về y tế 72,6%; 98% người dân tham gia bảo hiểm y tế.")
    assert coverage(terms, text, KeyedText.of("")).ratio == 1.0


def test_unaccented_questions_match_accented_text(info: CorpusInfo) -> None:
    terms = question_terms("lang son ty le che phu rung 2020", provinces=("Lạng Sơn",), stats=info.stats)
    text = KeyedText.of("Trồng mới 9.000 ha rừng, tỷ lệ che phủ rừng đạt 63%.")
    assert coverage(terms, text, KeyedText.of("")).ratio == 1.0


def test_rare_missing_words_outweigh_common_matching_ones(info: CorpusInfo) -> None:
    # "tỷ lệ … phủ" matches the forest-cover sentence, but "sóng 5G" — what is asked — does not.
    terms = question_terms("Tỷ lệ phủ sóng 5G của Lạng Sơn năm 2020?", provinces=("Lạng Sơn",), stats=info.stats)
    text = KeyedText.of("Trồng mới 9.000 ha rừng, tỷ lệ che phủ rừng đạt 63%.")
    cover = coverage(terms, text, KeyedText.of(""))
    assert cover.ratio < 0.5
    assert "5g" in cover.missing


def test_heading_words_count_but_are_reported_apart(info: CorpusInfo) -> None:
    terms = question_terms("Chỉ tiêu kinh tế về đô thị hóa", stats=info.stats)
    cover = coverage(terms, KeyedText.of("Tỷ lệ đô thị hóa đạt 30,2%."), KeyedText.of("2. Chỉ tiêu kinh tế"))
    assert cover.ratio == 1.0
    assert 0 < cover.text_ratio < 1.0
