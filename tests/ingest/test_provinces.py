"""Province detection: all 63, with and without diacritics, either tone style, no false hits on ordinary words."""

from __future__ import annotations

import pytest

from ingest.provinces import PROVINCES, canonical_province, find_province_mentions, find_provinces
from core.vietnamese import fold_diacritics, has_diacritics
from prepared_corpus import ALL, prepared

CITIES = ("Hà Nội", "TP. Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
# Folded, these are also ordinary words ("hoa binh" = peace, "dien bien" = developments): unaccented
# lower-case text needs "tinh" before them.
AMBIGUOUS_UNACCENTED = {"Hòa Bình", "Điện Biên"}


def test_the_63_provinces_and_cities_before_2025() -> None:
    assert len(PROVINCES) == 63 == len(set(PROVINCES))
    assert set(CITIES) <= set(PROVINCES)
    for name in ("Trà Vinh", "Sóc Trăng", "Lạng Sơn", "Hậu Giang", "Kiên Giang", "Bến Tre", "Thừa Thiên Huế",
                 "Bà Rịa - Vũng Tàu", "Đắk Lắk", "Khánh Hòa"):
        assert name in PROVINCES


@pytest.mark.parametrize("name", [p for p in PROVINCES if p != "TP. Hồ Chí Minh"])
def test_every_name_is_found_as_written_and_without_accents(name: str) -> None:
    assert find_provinces(f"Chỉ tiêu năm 2021 của {name} là gì?") == [name]
    assert find_provinces(f"Báo cáo của tỉnh {name.upper()}") == [name]
    folded = fold_diacritics(name).lower()
    assert find_provinces(f"chi tieu nam 2021 tinh {folded}") == [name]
    if name not in AMBIGUOUS_UNACCENTED:
        assert find_provinces(f"{folded} grdp 2021") == [name]


def test_both_tone_mark_styles_and_nfd_input() -> None:
    assert find_provinces("Khánh Hoà") == ["Khánh Hòa"] == find_provinces("Khánh Hòa")
    assert find_provinces("tỉnh Thanh Hoá và tỉnh Hoà Bình") == ["Thanh Hóa", "Hòa Bình"]
    import unicodedata

    assert find_provinces(unicodedata.normalize("NFD", "Tỉnh ủy Trà Vinh")) == ["Trà Vinh"]


def test_aliases_in_real_use() -> None:
    assert find_provinces("TP.HCM, TPHCM, Thành phố Hồ Chí Minh, Sài Gòn") == ["TP. Hồ Chí Minh"]
    assert find_provinces("Đắc Lắc") == ["Đắk Lắk"] == find_provinces("daklak")
    assert find_provinces("Bà Rịa-Vũng Tàu") == ["Bà Rịa - Vũng Tàu"] == find_provinces("Bà Rịa – Vũng Tàu")
    assert find_provinces("Thừa Thiên - Huế") == ["Thừa Thiên Huế"] == find_provinces("ca Huế")
    assert find_provinces("Bắc Cạn") == ["Bắc Kạn"]


def test_no_false_hits_on_ordinary_words() -> None:
    assert find_provinces("đấu tranh chống âm mưu diễn biến hoà bình") == []
    assert find_provinces("tình hình dien bien phuc tap, phong trao hoa binh") == []
    assert find_provinces("học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh") == []
    assert find_provinces("bảo đảm giao thông long an toàn") == []
    assert find_provinces("bao dam long an toan") == []
    assert find_provinces("các nước ven Thái Bình Dương") == []
    assert find_provinces("trang thiết bị đa năng") == []
    assert find_provinces("Quốc lộ 53 (đoạn Trà Vinh - Long Toàn)") == ["Trà Vinh"]
    assert find_provinces("Hà Nam Ninh cũ") == []


def test_order_of_first_appearance_without_repeats() -> None:
    text = "So sánh Sóc Trăng và Lạng Sơn; Sóc Trăng đạt cao hơn. tra vinh thì sao?"
    assert find_provinces(text) == ["Sóc Trăng", "Lạng Sơn", "Trà Vinh"]
    mentions = find_province_mentions("Tỉnh ủy Trà Vinh và thành phố Cần Thơ, Báo Lạng Sơn, Sóc Trăng")
    assert [(m.province, m.anchored) for m in mentions] == [
        ("Trà Vinh", True), ("Cần Thơ", True), ("Lạng Sơn", True), ("Sóc Trăng", False)
    ]
    assert all(not has_diacritics(m.surface) or m.surface[0].isupper() for m in mentions)


def test_mixed_questions_with_an_unaccented_name() -> None:
    assert find_provinces("Chỉ tiêu GRDP tra vinh năm 2021") == ["Trà Vinh"]
    assert find_provinces("Sóc Trăng định thu hoạch bao nhiêu thóc năm 2020?") == ["Sóc Trăng"]


@pytest.mark.parametrize("name", ALL)
def test_each_corpus_document_names_its_province(name: str) -> None:
    doc = prepared(name)
    assert doc.meta.province in find_provinces(doc.text)


def test_canonical_province_for_user_input() -> None:
    assert canonical_province("tra vinh") == "Trà Vinh"
    assert canonical_province("Khánh Hoà") == "Khánh Hòa"
    assert canonical_province("hoa binh") == "Hòa Bình"
    assert canonical_province("TPHCM") == "TP. Hồ Chí Minh"
    assert canonical_province("Gotham") is None
    assert canonical_province("Trà Vinh và Sóc Trăng") is None
