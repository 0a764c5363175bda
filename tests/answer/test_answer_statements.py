"""Statements inside passages: sentences, clauses, table cells, with their year and stance."""

from __future__ import annotations

from nghiquyet.answer.stance import heading_role, statement_years
from nghiquyet.answer.statements import passage_statements
from tests.answer.corpus_passages import TV_A, TV_B, find, passages


def test_heading_decides_the_stance_of_a_section() -> None:
    assert heading_role((*TV_A, "4. Lĩnh vực kinh tế")) == "result"
    assert heading_role((*TV_B, "2. Chỉ tiêu kinh tế")) == "target"
    assert heading_role(("PHỤ LỤC",)) == "unknown"


def test_the_year_of_a_target_comes_from_its_section_not_its_comparison_base() -> None:
    chunk = find("GRDP từ 11% trở lên")
    assert statement_years(chunk, chunk.text) == {2021}


def test_a_result_sentence_quoting_its_target_is_mixed() -> None:
    (passage,) = passages("GRDP đạt 3,32%")
    statements = passage_statements(passage, 0)
    growth = next(s for s in statements if "3,32%" in s.text)
    assert growth.text == "Tốc độ tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên)."
    assert growth.role == "mixed"
    assert growth.years == {2020}
    (a, b), = growth.spans
    assert passage.chunk.text[a:b].startswith("Tốc độ tăng trưởng GRDP đạt 3,32%")


def test_bullets_and_list_numbers_are_not_part_of_the_statement() -> None:
    (passage,) = passages("Phát triển đảng viên mới từ 1.300")
    (statement,) = passage_statements(passage, 0)
    assert statement.text == "Phát triển đảng viên mới từ 1.300 đảng viên trở lên."
    assert statement.role == "target" and statement.years == {2020}


def test_a_table_row_becomes_one_statement_per_year_column() -> None:
    (passage,) = passages("4. Sản lượng lúa (Triệu tấn)")
    cells = passage_statements(passage, 0)
    assert [(c.column, c.text, c.role, sorted(c.years)) for c in cells] == [
        ("Nghị quyết năm 2019", "2 triệu tấn", "target", [2019]),
        ("Thực hiện năm 2019", "2,17 triệu tấn", "result", [2019]),
        ("Nghị quyết năm 2020", "2 triệu tấn", "target", [2020]),
    ]
    text = passage.chunk.text
    assert [text[a:b] for a, b in cells[1].spans] == ["4. Sản lượng lúa (Triệu tấn)", "2,17"]
    assert cells[1].row_key == "Sản lượng lúa"


def test_a_sub_row_is_named_with_its_parent() -> None:
    (passage,) = passages("Tỷ lệ lúa đặc sản chiếm (%)")
    cell = passage_statements(passage, 0)[1]
    assert cell.row_key == "Tỷ lệ lúa đặc sản chiếm (Sản lượng lúa)"
    assert cell.text == "49,4%"


def test_a_lead_in_line_is_joined_to_what_follows() -> None:
    (passage,) = passages("Phan Văn Sáu")
    from dataclasses import replace

    chunk = replace(passage.chunk, text="Đại hội xác định phương châm là:\n\n“ĐOÀN KẾT - DÂN CHỦ - KỶ CƯƠNG”")
    statements = passage_statements(replace(passage, chunk=chunk), 0)
    assert statements[0].text == "Đại hội xác định phương châm là: “ĐOÀN KẾT - DÂN CHỦ - KỶ CƯƠNG”"
