"""Matching rules: a figure as a whole, a figure shown by its numbers, tone style and spacing ignored."""

from __future__ import annotations

import pytest

from nghiquyet.evaluation.matching import contains_figure, shows_figure, verbatim_key


@pytest.mark.parametrize(
    ("text", "figure", "found"),
    [
        ("Tốc độ tăng trưởng GRDP từ 11% trở lên", "11%", True),
        ("tỷ lệ hộ sử dụng điện đạt 99,12%", "12%", False),
        ("tăng 111%", "11%", False),
        ("Từ 7,5 trở lên", "7,5", True),
        ("đạt 17,5", "7,5", False),
        ("Khu vực II\t19,60", "19,6", True),
        ("Khu vực II 19,65", "19,6", False),
        ("đạt 21.053 người", "1.053", False),
        ("kết nạp 1.053.", "1.053", True),
        ("trên 2 Triệu tấn/năm", "2 triệu tấn", True),
        ("12 triệu tấn", "2 triệu tấn", False),
        ("Uỷ ban", "Ủy ban", True),
    ],
)
def test_contains_figure(text: str, figure: str, found: bool) -> None:
    assert contains_figure(text, figure) is found


@pytest.mark.parametrize(
    ("text", "figure", "shown"),
    [
        ("Nghị quyết năm 2020: 2 · Thực hiện năm 2019: 2,17", "2 triệu tấn", True),
        ("Nghị quyết năm 2020: 52", "2 triệu tấn", False),
        ("Nghị quyết năm 2020: 95,50", "95,5", True),
        ("Có 06/33 chỉ tiêu", "6/33", True),
        ("Kết nạp 1.100 - 1.200 đảng viên", "1.100 - 1.200", True),
        ("Kết nạp 1.100 đảng viên", "1.100 - 1.200", False),
        ("T/M TỈNH UỶ BÍ THƯ Lâm Thị Phương Thanh", "Lâm Thị Phương Thanh", True),
    ],
)
def test_shows_figure(text: str, figure: str, shown: bool) -> None:
    assert shows_figure(text, figure) is shown


def test_verbatim_key_keeps_tone_style_but_not_spacing() -> None:
    assert verbatim_key("Uỷ  ban\u00a0nhân\tdân") == "Uỷ ban nhân dân"
    assert verbatim_key("Uỷ ban") != verbatim_key("Ủy ban")
