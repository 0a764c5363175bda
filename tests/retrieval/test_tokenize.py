"""Vietnamese tokenisation: numbers stay whole, tone styles merge, diacritics are kept (and folded apart)."""

from __future__ import annotations

from retrieval.tokenize import document_tokens, numbers, query_mode, query_tokens, syllables


def texts(text: str) -> list[str]:
    return [t.text for t in syllables(text)]


def test_vietnamese_numbers_are_single_tokens() -> None:
    assert "6.150,1" in texts("Tổng thu ngân sách nhà nước trên địa bàn 6.150,1 tỷ đồng.")
    assert texts("Tăng trưởng kinh tế từ 7,5% trở lên") == ["tăng", "trưởng", "kinh", "tế", "từ", "7,5", "%", "trở", "lên"]
    assert texts("7,5 %") == ["7,5", "%"]  # the unit is its own token, so both spellings agree
    assert numbers("Sản lượng lương thực 4.295.000 tấn, tỷ lệ 3,32%.") == ["4.295.000", "3,32"]


def test_number_ranges_keep_both_ends_and_a_range_token() -> None:
    toks = texts("Kết nạp 1.100 - 1.200 đảng viên")
    assert toks == ["kết", "nạp", "1.100", "1.100-1.200", "1.200", "đảng", "viên"]
    assert "2020-2025" in texts("nhiệm kỳ 2020 – 2025")
    # A dash between words is punctuation, not a range.
    assert texts("kinh tế - xã hội") == ["kinh", "tế", "xã", "hội"]


def test_lists_of_numbers_and_padding_zeros() -> None:
    assert texts("năm 2019, 2020") == ["năm", "2019", "2020"]
    assert texts("06 nhiệm vụ, 0,5 điểm") == ["6", "nhiệm", "vụ", "0,5", "điểm"]


def test_tone_mark_styles_and_case_are_one_key() -> None:
    assert texts("Hoà bình, Uỷ ban, KHOÁ XII") == texts("hòa bình, ủy ban, khóa xii")


def test_document_tokens_have_exact_folded_and_bigram_fields() -> None:
    toks = document_tokens("Trà Vinh: GRDP 11%")
    assert {"trà", "vinh", "~tra", "~vinh", "trà_vinh", "~tra_vinh", "grdp", "~grdp", "11", "%"} <= set(toks)
    assert "vinh_grdp" not in toks  # ":" ends a segment: no bigram across it
    assert "~11" not in toks and "~%" not in toks  # numbers and units are the same in both fields


def test_query_mode_follows_how_the_question_was_typed() -> None:
    assert query_mode("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh") == "exact"
    assert query_mode("tra vinh grdp 2021") == "folded"
    assert query_mode("ty le ho ngheo nam 2020 Sóc trang") == "mixed"


def test_query_tokens_pick_the_field_per_word_and_drop_stopwords() -> None:
    assert query_tokens("tra vinh grdp 2021") == ["~tra", "~vinh", "~grdp", "2021", "~tra_vinh", "~vinh_grdp", "~grdp_2021"]
    toks = query_tokens("GRDP của Trà Vinh là bao nhiêu", stopwords=frozenset({"của", "là", "bao", "nhiêu"}))
    assert toks == ["grdp", "trà", "vinh", "trà_vinh"]  # no "grdp_trà" across the dropped "của"
    # An accented question is read literally: "an" stays "an", never "~an".
    assert "an" in query_tokens("bảo đảm an ninh năm 2021") and "~an" not in query_tokens("bảo đảm an ninh năm 2021")
