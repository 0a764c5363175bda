"""Query understanding, one part at a time: provinces, years, intent, expansions, flags."""

from __future__ import annotations

import pytest

from core.errors import QuestionError
from retrieval.abbreviations import expand, translate_english
from retrieval.query import analyze_query, clean_question, detect_intent, find_years

COVERAGE = (("Hậu Giang", "Kiên Giang", "Lạng Sơn", "Sóc Trăng", "Trà Vinh"), tuple(range(2015, 2026)))


def test_provinces_with_and_without_diacritics() -> None:
    assert analyze_query("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh", COVERAGE).provinces == ("Trà Vinh",)
    assert analyze_query("tra vinh grdp 2021", COVERAGE).provinces == ("Trà Vinh",)
    assert analyze_query("Kế hoạch của tỉnh Khánh Hoà năm 2021", COVERAGE).provinces == ("Khánh Hòa",)
    assert analyze_query("Tổng thu ngân sách năm 2020", COVERAGE).provinces == ()


def test_unknown_province_and_year_are_flagged() -> None:
    bt = analyze_query("Chỉ tiêu tăng trưởng GRDP năm 2021 của Bến Tre?", COVERAGE)
    assert bt.provinces == ("Bến Tre",) and bt.unknown_provinces == ("Bến Tre",) and bt.unknown_years == ()
    assert analyze_query("ty le ho ngheo ben tre 2020", COVERAGE).unknown_provinces == ("Bến Tre",)
    future = analyze_query("Kim ngạch xuất khẩu của Sóc Trăng năm 2030", COVERAGE)
    assert future.unknown_provinces == () and future.unknown_years == (2030,)


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("Tỷ lệ hộ nghèo năm 2019", (2019,)),
        ("Chỉ tiêu năm 2021 so với 2020", (2021, 2020)),
        ("giai đoạn 2021-2025", (2021, 2025)),
        ("nhiệm kỳ 2020 - 2025", (2020, 2025)),
        ("từ 2016 đến 2020", (2016, 2020)),
        ("thu ngân sách 3.683,5 tỷ đồng, 2.000 đảng viên", ()),  # figures are not years
        ("không có năm", ()),
    ],
)
def test_years(question: str, years: tuple[int, ...]) -> None:
    assert find_years(question) == years


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", "target"),
        ("Trà Vinh phấn đấu GRDP bình quân đầu người năm 2021 bao nhiêu?", "target"),
        ("Sóc Trăng định thu hoạch bao nhiêu thóc năm 2020?", "target"),
        ("Kế hoạch năm tới về xây dựng nông thôn mới", "target"),
        ("Kiên Giang muốn nuôi được bao nhiêu tôm?", "target"),
        ("Trà Vinh năm 2020 tăng trưởng GRDP đạt được bao nhiêu?", "result"),
        ("Kết quả tỷ lệ che phủ rừng Trà Vinh năm 2020", "result"),
        ("Tổng vốn đầu tư thực hiện năm 2020", "result"),
        ("Năm 2020 đã kết nạp bao nhiêu đảng viên?", "result"),
        ("Tỷ lệ đô thị hóa của Trà Vinh là bao nhiêu?", "any"),
        ("Quyết định ổn định dân cư", "any"),  # "định" inside words is not "intend"
        ("chi tieu tang truong grdp 2021", "target"),
        ("ket qua ty le ho ngheo 2020", "result"),
        ("What is Tra Vinh's GRDP growth target for 2021?", "target"),
        ("How many new party members did Tra Vinh admit in 2020?", "result"),
    ],
)
def test_intent(question: str, intent: str) -> None:
    assert detect_intent(question) == intent


def test_abbreviations_expand_in_both_directions() -> None:
    assert "bảo hiểm y tế" in expand("tỷ lệ BHYT Lạng Sơn")
    assert "bhyt" in expand("tỷ lệ tham gia bảo hiểm y tế")
    assert "nông thôn mới" in expand("Số xã đạt chuẩn NTM")
    assert "ntm" in expand("xã đạt chuẩn nông thôn mới")
    assert "tổng sản phẩm trên địa bàn" in expand("GRDP Trà Vinh")
    assert "ban thường vụ tỉnh ủy" in expand("BTVTU đã ban hành 05 kế hoạch")
    assert "kinh tế - xã hội" in expand("hạ tầng KT-XH")
    assert "bhxh" in expand("ty le tham gia bao hiem xa hoi", folded=True)  # unaccented too
    # Two-letter abbreviations are ambiguous (NS = ngân sách / năng suất): never added to a question.
    assert "ns" not in expand("thu ngân sách nhà nước") and "ngân sách" in expand("NS trung bình")


def test_expansion_does_not_fire_inside_other_words() -> None:
    assert expand("kế hoạch dài hạn") == ()  # "dn" is not inside "dài", "hạn"
    assert "doanh nghiệp" not in expand("phát triển mới 508 doanh nghiệp")  # already there


def test_english_questions_get_vietnamese_terms() -> None:
    terms = translate_english("What is Tra Vinh's GRDP growth rate target for 2021?")
    assert "tốc độ tăng trưởng" in terms and "chỉ tiêu" in terms
    assert "tăng trưởng" not in terms  # "growth rate" was translated as a phrase, not word by word
    assert "tỷ lệ hộ nghèo" in translate_english("Hau Giang poverty rate in 2020")
    assert "bảo hiểm y tế" in translate_english("health insurance coverage")
    assert "sản lượng lúa" in translate_english("Soc Trang rice output target")
    a = analyze_query("What is Tra Vinh's GRDP growth target for 2021?", COVERAGE)
    assert a.provinces == ("Trà Vinh",) and a.years == (2021,) and a.intent == "target" and "tăng trưởng" in a.expansions


def test_unaccented_and_comparison_flags() -> None:
    assert analyze_query("tra vinh grdp 2021", COVERAGE).unaccented
    assert not analyze_query("Trà Vinh GRDP 2021", COVERAGE).unaccented
    cmp = analyze_query("So sánh chỉ tiêu tăng trưởng kinh tế năm 2020 của Sóc Trăng và Lạng Sơn", COVERAGE)
    assert cmp.comparison and cmp.provinces == ("Sóc Trăng", "Lạng Sơn")
    assert analyze_query("Tỷ lệ hộ nghèo năm 2020 của Trà Vinh so với Hậu Giang", COVERAGE).comparison
    assert not analyze_query("GRDP tăng bao nhiêu so với năm 2020", COVERAGE).comparison


def test_normalized_form_uses_canonical_tones() -> None:
    assert analyze_query("Hoà bình, Uỷ ban", COVERAGE).normalized == "hòa bình, ủy ban"


def test_clean_question_refuses_empty_overlong_and_punctuation_only() -> None:
    assert clean_question("  Trà   Vinh\n GRDP ", max_chars=100) == "Trà Vinh GRDP"
    for bad in ("", " \n\t", "???", "…!!!"):
        with pytest.raises(QuestionError, match="trống|không có chữ"):
            clean_question(bad, max_chars=100)
    with pytest.raises(QuestionError, match="quá dài") as info:
        clean_question("a" * 10_000, max_chars=1000)
    assert "10.000" in info.value.message and "1.000" in info.value.message


def test_year_followed_by_comma_or_full_stop_is_found_but_numbers_are_not_years() -> None:
    assert find_years("Năm 2020, Trà Vinh đạt bao nhiêu?") == (2020,)
    assert find_years("GRDP năm 2021.") == (2021,)
    assert find_years("thu ngân sách 2.020,5 tỷ đồng") == ()
