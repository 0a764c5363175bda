"""The 2025 merger of provinces (63 became 34) and the Đắk Lắk / Đắk Nông spellings of news pages."""

from __future__ import annotations

import pytest

from ingest.provinces import MERGED_2025, MERGER_YEAR, PROVINCES, find_provinces, former_provinces, successor


def test_the_merger_leaves_34_provinces_each_former_one_in_exactly_one() -> None:
    formers = [f for group in MERGED_2025.values() for f in group]
    assert len(formers) == len(set(formers)) == 29
    assert len(PROVINCES) - len(formers) == 34
    assert set(MERGED_2025) | set(formers) <= set(PROVINCES)
    assert not set(MERGED_2025) & set(formers)  # a province that took others in was not itself merged away
    assert MERGER_YEAR == 2025


def test_former_provinces_and_successor_are_each_others_inverse() -> None:
    assert former_provinces("An Giang") == ("Kiên Giang",)
    assert former_provinces("Cần Thơ") == ("Sóc Trăng", "Hậu Giang")
    assert former_provinces("Vĩnh Long") == ("Bến Tre", "Trà Vinh")
    assert former_provinces("Hà Nội") == ()  # unchanged by the merger
    assert successor("Kiên Giang") == "An Giang"
    assert successor("Trà Vinh") == "Vĩnh Long"
    assert successor("An Giang") is None and successor("Hà Nội") is None
    for new, group in MERGED_2025.items():
        assert all(successor(f) == new for f in group)


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("Tỉnh ủy Đăk Lăk tổng kết năm 2020", "Đắk Lắk"),
        ("ĐẠI HỘI ĐẢNG BỘ TỈNH ĐĂK LĂK", "Đắk Lắk"),
        ("Báo Đắc Lắk điện tử", "Đắk Lắk"),
        ("dak lak grdp 2020", "Đắk Lắk"),
        ("Tỉnh Đăk Nông có 8 đơn vị hành chính", "Đắk Nông"),
        ("dak nong 2020", "Đắk Nông"),
    ],
)
def test_dak_lak_and_dak_nong_spellings(text: str, province: str) -> None:
    assert find_provinces(text) == [province]
