"""Query analysis for the genre: the stance a question states outright, and provinces merged in 2025."""

from __future__ import annotations

import pytest

from retrieval.query import analyze_query, detect_intent, stated_intent

# An index holding documents of provinces merged in 2025 under their former names, and An Giang's own.
COVERAGE = (("An Giang", "Kiên Giang", "Sóc Trăng", "Hậu Giang", "Trà Vinh"), (2019, 2020, 2021))


@pytest.mark.parametrize(
    ("question", "stance"),
    [
        ("Năm 2020 Sóc Trăng thực tế đạt tốc độ tăng trưởng GRDP bao nhiêu?", "result"),
        ("Kết quả tăng trưởng kinh tế năm 2020 của Hà Nam?", "result"),
        ("ket qua tang truong nam 2020", "result"),
        ("What was the actual GRDP growth in 2020?", "result"),
        ("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "target"),
        ("Mục tiêu thu ngân sách năm 2021?", "target"),
        ("chi tieu tang truong 2021", "target"),
        ("Hà Nam định thu ngân sách bao nhiêu năm 2021?", "target"),
        ("What is the 2021 GRDP growth target?", "target"),
        # Both named, or neither: the question does not take a side.
        ("Chỉ tiêu và kết quả tăng trưởng năm 2020?", "any"),
        ("Quyết định số 10 quy định gì?", "any"),
    ],
)
def test_stated_intent_names_the_stance_only_when_the_question_says_it(question: str, stance: str) -> None:
    assert stated_intent(question) == stance


def test_stated_intent_is_weaker_than_the_ranking_intent() -> None:
    # "đạt bao nhiêu" leans to a result for ranking, but targets are written with "đạt" too.
    question = "Tăng trưởng năm 2020 đạt bao nhiêu?"
    assert (detect_intent(question), stated_intent(question)) == ("result", "any")
    # Indicators counted ("có bao nhiêu chỉ tiêu") are no target asked for, for ranking either; "kế hoạch"
    # after them still leans the ranking to targets.
    assert (detect_intent("Có bao nhiêu chỉ tiêu không đạt?"), stated_intent("Có bao nhiêu chỉ tiêu không đạt?")) == (
        "any",
        "any",
    )
    question = "Năm 2020 có mấy chỉ tiêu đạt và vượt kế hoạch?"
    assert (detect_intent(question), stated_intent(question)) == ("target", "any")


def test_a_merged_province_also_searches_its_former_provinces() -> None:
    a = analyze_query("Tăng trưởng GRDP của An Giang?", COVERAGE)
    assert (a.provinces, a.unknown_provinces) == (("An Giang", "Kiên Giang"), ())
    a = analyze_query("Tăng trưởng GRDP của Cần Thơ năm 2025?", COVERAGE)
    assert a.provinces == ("Cần Thơ", "Sóc Trăng", "Hậu Giang")
    # Cần Thơ itself has no document, but its former provinces do: it is not an unknown province.
    assert a.unknown_provinces == ()
    a = analyze_query("Tăng trưởng GRDP của Cần Thơ giai đoạn 2021-2025?", COVERAGE)
    assert a.provinces == ("Cần Thơ", "Sóc Trăng", "Hậu Giang")


def test_a_year_before_the_merger_means_the_old_province_alone() -> None:
    a = analyze_query("Tăng trưởng GRDP của An Giang năm 2020?", COVERAGE)
    assert a.provinces == ("An Giang",)
    a = analyze_query("Tăng trưởng GRDP của Cần Thơ năm 2020?", COVERAGE)
    assert (a.provinces, a.unknown_provinces) == (("Cần Thơ",), ("Cần Thơ",))


def test_only_former_provinces_that_are_indexed_are_added() -> None:
    # Vĩnh Long took in Bến Tre and Trà Vinh; only Trà Vinh has documents here.
    a = analyze_query("Tỷ lệ hộ nghèo của Vĩnh Long?", COVERAGE)
    assert (a.provinces, a.unknown_provinces) == (("Vĩnh Long", "Trà Vinh"), ())
    # Lâm Đồng's former provinces have no documents either: it stays unknown.
    a = analyze_query("Tăng trưởng của Lâm Đồng năm 2026?", COVERAGE)
    assert (a.provinces, a.unknown_provinces) == (("Lâm Đồng",), ("Lâm Đồng",))


def test_naming_a_former_province_and_its_successor_is_a_comparison_of_the_two_named() -> None:
    a = analyze_query("So sánh tăng trưởng Kiên Giang và An Giang", COVERAGE)
    assert a.provinces == ("Kiên Giang", "An Giang")  # Kiên Giang is not added twice
    assert a.comparison
    # An added former province does not make a question a comparison.
    assert not analyze_query("Tăng trưởng GRDP của An Giang?", COVERAGE).comparison


def test_dak_lak_spelled_as_news_pages_write_it_is_understood() -> None:
    a = analyze_query("Đăk Lăk tăng trưởng năm 2020?", (("Đắk Lắk",), (2020,)))
    assert (a.provinces, a.unknown_provinces) == (("Đắk Lắk",), ())
