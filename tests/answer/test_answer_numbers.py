"""Vietnamese figures: found as written, with units, years told apart."""

from __future__ import annotations

from nghiquyet.answer.numbers import figure_spans, find_figures, has_figure, number_tokens, parse_number
from nghiquyet.answer.statements import value_with_unit


def test_figures_are_kept_as_written_with_their_units() -> None:
    text = "Tổng thu ngân sách nhà nước trên địa bàn 6.150,1 tỷ đồng; tăng trưởng đạt 3,32%."
    figures = find_figures(text)
    assert [(f.text, f.unit) for f in figures] == [("6.150,1", "tỷ đồng"), ("3,32", "%")]
    assert figures[0].value == 6150.1
    a, b = figures[0].span_with_unit
    assert text[a:b] == "6.150,1 tỷ đồng"


def test_ranges_years_and_money() -> None:
    figures = find_figures("Kết nạp 1.100 - 1.200 đảng viên năm 2021; GRDP bình quân đầu người đạt 69 triệu đồng, 11%.")
    assert [f.text for f in figures] == ["1.100", "1.200", "2021", "69", "11"]
    assert [f.is_year for f in figures] == [False, False, True, False, False]
    assert figures[3].unit == "triệu đồng"
    assert parse_number("4.295.000") == 4295000
    assert parse_number("4,012") == 4.012


def test_a_year_alone_is_not_a_figure() -> None:
    assert not has_figure("Chỉ tiêu năm 2021 so với năm 2020")
    assert has_figure("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.")


def test_number_tokens_catch_any_format_and_skip_citation_markers() -> None:
    tokens = number_tokens("Năm 2021 [1] đạt 12.5% [S3] và 6150,1 tỷ đồng")
    assert tokens == frozenset({"2021", "12.5", "6150,1"})


def test_figure_spans_cover_figures_with_units_only() -> None:
    text = "Năm 2020 tỷ lệ hộ nghèo toàn tỉnh còn 3,1% (giảm bình quân trên 2%/năm)."
    assert [text[a:b] for a, b in figure_spans(text)] == ["3,1%", "2%/năm"]


def test_table_cell_gets_its_unit_without_changing_the_figure() -> None:
    assert value_with_unit("2,17", "Triệu tấn") == "2,17 triệu tấn"
    assert value_with_unit("Từ 7,5 trở lên", "%") == "Từ 7,5% trở lên"
    assert value_with_unit("7,3-7,5", "%") == "7,3-7,5%"
    assert value_with_unit("820", "Triệu USD") == "820 triệu USD"
    assert value_with_unit("trên 50", "") == "trên 50"
