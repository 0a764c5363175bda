"""Tables in PDFs: columns recovered from pypdf's layout text, rows as the chunker reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.pdf_tables import tabulate_layout
from ingest.pipeline import prepare_document
from core.config import Settings
from tests.conftest import CORPUS

# pypdf's layout text of an appendix page: a header over two lines, a name wrapped around its figures
# (vertically centred in its cell), a section row without figures, a name going on below its row.
LAYOUT = """\
PHỤ LỤC: CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH BẠC LIÊU

                                                       NGHỊ QUYẾT NĂM     THỰC HIỆN NĂM     NGHỊ QUYẾT NĂM
Số TT    CHỈ TIÊU                       ĐƠN VỊ TÍNH
                                                       2019               2019              2020

1        Tốc độ tăng trưởng GRDP         %              7,3-7,5            7,3               Từ 7,5 trở lên

4        Sản lượng lúa                   Triệu tấn      2                  2,17              2
         Giá trị sản phẩm thu hoạch
6                                        Triệu đồng     175                175               185
         trên 1 ha đất trồng trọt
7        Xây dựng nông thôn mới

         - Tỷ lệ xã đạt 19 tiêu chí      %              47,50              52,50             61,25
         nông thôn mới

Nghị quyết này có hiệu lực từ ngày ký."""


def rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.split("\n") if "\t" in line]


def test_layout_columns_become_tab_separated_rows() -> None:
    text, grid = tabulate_layout(LAYOUT)
    assert text is not None and grid is not None
    assert rows(text) == [
        ["Số TT", "CHỈ TIÊU", "ĐƠN VỊ TÍNH", "NGHỊ QUYẾT NĂM 2019", "THỰC HIỆN NĂM 2019", "NGHỊ QUYẾT NĂM 2020"],
        ["1", "Tốc độ tăng trưởng GRDP", "%", "7,3-7,5", "7,3", "Từ 7,5 trở lên"],
        ["4", "Sản lượng lúa", "Triệu tấn", "2", "2,17", "2"],
        ["6", "Giá trị sản phẩm thu hoạch trên 1 ha đất trồng trọt", "Triệu đồng", "175", "175", "185"],
        ["7", "Xây dựng nông thôn mới", "", "", "", ""],
        ["", "- Tỷ lệ xã đạt 19 tiêu chí nông thôn mới", "%", "47,50", "52,50", "61,25"],
    ]
    lines = text.split("\n")
    assert lines[0] == "PHỤ LỤC: CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH BẠC LIÊU"  # prose around it stays
    assert lines[-1] == "Nghị quyết này có hiệu lực từ ngày ký."


def test_the_last_rows_of_a_table_on_the_next_page_keep_its_columns() -> None:
    _, grid = tabulate_layout(LAYOUT)
    next_page = "\n".join(LAYOUT.split("\n")[13:16])  # only the "- Tỷ lệ xã …" row: too short to trust alone
    assert tabulate_layout(next_page)[0] is None
    text, _ = tabulate_layout(next_page, grid)
    assert text is not None and rows(text) == [["- Tỷ lệ xã đạt 19 tiêu chí nông thôn mới", "%", "47,50", "52,50", "61,25"]]


@pytest.mark.parametrize(
    "layout",
    [
        # prose: words one space apart, figures inside sentences
        "Năm 2020 tăng trưởng đạt 7,3%, thu ngân sách 3.666,5 tỷ đồng, vốn đầu tư 26.800 tỷ đồng.\n" * 6,
        # rows of figures apart by wide gaps that do not line up from one line to the next
        "\n".join(" " * (4 * i) + "    ".join(("Sản lượng lúa", "2,17", "92,17", "105")) for i in range(8)),
    ],
)
def test_text_without_aligned_columns_is_left_alone(layout: str) -> None:
    assert tabulate_layout(layout)[0] is None


def _appendix_pdf(path: Path, font: Path) -> Path:
    """The Sóc Trăng appendix as a real PDF table: three pages, header on the first page only, figures
    right-aligned, long names wrapped inside their cells."""
    from fpdf import FPDF

    source = (CORPUS / "soc-trang-nq-nhiem-vu-2020.txt").read_text(encoding="utf-8").replace("Sóc Trăng", "Bạc Liêu")
    table = [
        [re.sub(r"</?i>", "", cell) for cell in line.split("\t")]
        for line in source.split("\n") if line.count("\t") >= 3
    ]
    pdf = FPDF(orientation="L")
    pdf.add_font("vn", fname=str(font))
    pdf.add_font("vn", style="B", fname=str(font))
    pdf.set_font("vn", size=8)
    pdf.add_page()
    pdf.multi_cell(0, 6, "PHỤ LỤC CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH BẠC LIÊU", new_x="LMARGIN", new_y="NEXT")
    align = ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(col_widths=(10, 80, 25, 25, 25, 25, 30), text_align=align, repeat_headings=0) as grid:
        for cells in table:
            row = grid.row()
            for cell in (cells + [""] * 7)[:7]:
                row.cell(cell)
    pdf.output(str(path))
    return path


def test_an_appendix_table_in_a_pdf_is_chunked_like_the_text_one(tmp_path: Path, font: Path) -> None:
    path = _appendix_pdf(tmp_path / "bac-lieu-phu-luc.pdf", font)
    prepared = prepare_document(path, Settings(store_dir=tmp_path / "store"))
    table_rows = [c for c in prepared.chunks if c.kind == "table_row"]
    assert max(c.page or 0 for c in table_rows) >= 3
    by_name = {c.text.split(" (")[0].split(" — ")[0]: c for c in table_rows}
    assert "Thực hiện năm 2019: 2,17" in by_name["4. Sản lượng lúa"].text
    # a name wrapped over two lines of its cell is one name, with its row's figures
    waste = next(c for name, c in by_name.items() if name.startswith("- Tỷ lệ chất thải rắn sinh hoạt đô thị"))
    assert "thu gom và xử lý đạt tiêu chuẩn môi trường" in waste.text and "Nghị quyết năm 2020: 90,00" in waste.text
    # the last page has no header of its own: its rows keep the columns' names
    assert "Thực hiện năm 2019: 2.042" in by_name["21. Phát triển đảng viên mới"].text

