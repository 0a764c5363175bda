"""Appendix tables printed to PDF the way officials get them, read back without gluing cells.

LibreOffice prints the Sóc Trăng appendix as a web page (see printed_tables.py): Liberation Serif
lacks some Vietnamese letters, so they come from a fallback font in runs of their own, which pypdf
writes out of order ("CH TIÊU … Ỉ"); cells wrap ("Từ 7,5 trở" / "lên"). The ruled table must come
back row by row with every figure under its column; without rules, nothing may come back glued.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from printed_tables import norm, print_fpdf, print_web, source_rows

from ingest.libreoffice import soffice
from ingest.pdf_plumber import MIN_READABLE, readability
from ingest.pipeline import prepare_document
from core.config import Settings
from tests.conftest import CORPUS

# pypdf's text of the web-printed appendix (fallback-font letters after their words)
OUT_OF_ORDER = (
    "CH TIÊU NGH QUY T NĂM 2020 C A T NH SÓC TRĂNGỈ Ị Ế Ủ Ỉ 1 T c đ tăng tr ng GRDP (theo giá so ố ộ ưở "
    "sánh 2010) % 7,3-7,5 7,3 T 7,5 tr lênừ ở 102,74 2 GRDP bình quân đ u ng i (giá hi n ầ ườ ệ hành) "
    "Tri u ệ đ ng/ngồ ư iờ 42,2 46 50,80 110,43 4 S n l ng lúaả ượ Tri u t nệ ấ 2 2,17 2 92,17"
)


def test_readability_tells_text_in_order_from_text_out_of_order() -> None:
    prose = (CORPUS / "soc-trang-nq-nhiem-vu-2020.txt").read_text(encoding="utf-8")
    assert readability(prose) > 0.99
    assert readability(OUT_OF_ORDER) < MIN_READABLE


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if soffice() is None:
        pytest.skip("LibreOffice chưa được cài (gói Debian libreoffice-writer-nogui): không in được trang web thử")
    work = tmp_path_factory.mktemp("printed")
    rows = source_rows()
    return {"ruled": print_web(rows, work), "unruled": print_web(rows, work, ruled=False)}


def _glued(chunks, cells: set[str]) -> list[str]:  # noqa: ANN001 - test helper
    """Table-row chunks with a value that is no cell of the source table."""
    return [c.text for c in chunks if c.kind == "table_row" and any(
        re.search(r"\d", v) and norm(v) not in cells for _, v in c.extra
    )]


def test_a_web_printed_ruled_table_reads_row_by_row(printed: dict[str, Path], tmp_path: Path) -> None:
    prepared = prepare_document(printed["ruled"], Settings(store_dir=tmp_path / "store"))
    assert "CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH SÓC TRĂNG" in prepared.text
    rows = [c for c in prepared.chunks if c.kind == "table_row"]
    industry = next(c for c in rows if c.text.startswith("8. Giá trị sản xuất công nghiệp"))
    assert "Nghị quyết năm 2020: 40.000" in industry.text and "Thực hiện năm 2019: 33.500" in industry.text
    growth = next(c for c in rows if c.text.startswith("1. Tốc độ tăng trưởng GRDP"))
    assert "Nghị quyết năm 2020: Từ 7,5 trở lên" in growth.text  # a cell wrapped over two lines is one cell
    assert max(c.page or 0 for c in rows) >= 3
    assert _glued(prepared.chunks, {c for r in source_rows() for c in r}) == []


def test_an_unruled_table_out_of_order_is_never_glued(printed: dict[str, Path], tmp_path: Path) -> None:
    prepared = prepare_document(printed["unruled"], Settings(store_dir=tmp_path / "store"))
    assert "Giá trị sản xuất công nghiệp" in prepared.text  # read in order, as plain text at worst
    assert _glued(prepared.chunks, {c for r in source_rows() for c in r}) == []


def test_an_fpdf_table_is_read_whole_by_its_rules(font: Path, tmp_path: Path) -> None:
    rows = source_rows()
    prepared = prepare_document(print_fpdf(rows, tmp_path), Settings(store_dir=tmp_path / "store"))
    table = [c for c in prepared.chunks if c.kind == "table_row"]
    assert _glued(table, {c for r in rows for c in r}) == []
    waste = next(c for c in table if "Tỷ lệ chất thải rắn sinh hoạt đô thị" in c.text)
    assert "Nghị quyết năm 2020: 90,00" in waste.text
