"""PDF loading: 1-based pages, repaired text, and hostile files that must fail fast with a clear message."""

from __future__ import annotations

import io
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.legacy import encode_tcvn3
from ingest.loaders import load_document, load_pages
from ingest.metadata import detect_metadata
from ingest.pdf import extract_pages
from ingest.repair import repair_pages
from core.config import Settings
from core.errors import FileTooLarge, PdfProblem

# Hostile files must be refused quickly; this bounds every test even if a protection regressed.
FAST_S = 30


def _settings(**overrides) -> Settings:
    return Settings(pdf_timeout_s=FAST_S, **overrides)


def _vietnamese_pdf(path: Path, font: Path, pages: list[list[str]], *, footer: bool = False) -> Path:
    """A real text PDF (embedded TrueType font, ToUnicode map) written with fpdf2; one list of paragraphs per page."""
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self) -> None:
            if footer:
                self.set_y(-15)
                self.cell(0, 10, f"- {self.page_no()} -", align="C")

        def header(self) -> None:
            if footer:
                self.cell(0, 10, "BÁO CÁO CHÍNH TRỊ TỈNH HẬU GIANG", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf = Document()
    pdf.set_auto_page_break(False)
    pdf.add_font("vn", fname=str(font))
    pdf.set_font("vn", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


# --- hand-built PDFs: exact control over the structure pypdf must survive ---------------------------
def _build(objects: dict[int, bytes], *, prev_loop: bool = False) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets.get(n, 0) for n in range(1, size))
    prev = b" /Prev %d" % xref if prev_loop else b""  # the previous section is this same section
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, prev, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _pdf(content: bytes = b"BT /F1 12 Tf 72 720 Td (Hello world) Tj ET", *, kids: bytes = b"[3 0 R]", count: int = 1,
         catalog: bytes = b"", content_extra: bytes = b"", more: dict[int, bytes] | None = None,
         prev_loop: bool = False) -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R" + catalog + b" >>",
        2: b"<< /Type /Pages /Kids " + kids + b" /Count %d >>" % count,
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        4: _stream(content, content_extra),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        6: _stream(b"\x80\x80\x80" * 4, b" /Type /XObject /Subtype /Image /Width 2 /Height 2 "
                                        b"/ColorSpace /DeviceRGB /BitsPerComponent 8"),
    }
    objects.update(more or {})
    return _build(objects, prev_loop=prev_loop)


def _write(tmp_path: Path, data: bytes, name: str = "tai-lieu.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def flate_bomb() -> bytes:
    """100 MB of spaces compressed to ~0.5 MB: more than pypdf's 75 MB decompression limit."""
    compressor = zlib.compressobj(1)
    chunk = b" " * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()


# --- good PDFs -------------------------------------------------------------------------------------
def test_pages_are_numbered_from_one_and_keep_vietnamese_text(tmp_path: Path, font: Path) -> None:
    texts = [
        ["Phần thứ nhất", "Tốc độ tăng trưởng GRDP đạt 7,23%."],
        ["Phần thứ hai", "Thu nhập bình quân đầu người 2.458 USD."],
        ["Phần thứ ba", "Tỷ lệ hộ nghèo giảm còn dưới 1%."],
    ]
    path = _vietnamese_pdf(tmp_path / "nghi-quyet.pdf", font, texts)
    pages = load_pages(path, _settings())
    assert [p.page for p in pages] == [1, 2, 3]
    for page, paragraphs in zip(pages, texts, strict=True):
        assert page.text.split("\n") == paragraphs


def test_wrapped_lines_running_headers_and_a_sentence_across_pages_are_repaired(tmp_path: Path, font: Path) -> None:
    sentence_a = (
        "Năm 2021, tỉnh phấn đấu tốc độ tăng trưởng kinh tế từ 11% trở lên so với năm 2020; thu nhập bình quân "
        "đầu người đạt 70 triệu đồng; tổng vốn đầu tư toàn xã hội tăng 10% so với năm trước, trong đó vốn ngoài "
        "ngân sách chiếm tỷ trọng ngày càng lớn và tiếp tục được huy động từ các thành phần kinh tế để phát triển "
        "kết cấu hạ tầng kinh tế - xã hội đồng bộ, hiện đại."
    )
    sentence_b = "Tỷ lệ hộ nghèo giảm 1% trở lên, riêng hộ nghèo dân tộc Khmer giảm 2%."
    lines = textwrap.wrap(sentence_a, 80)
    cut = len(lines) - 2  # the last two lines of the first sentence spill onto page 2
    pages = [
        ["1. Chỉ tiêu kinh tế", *lines[:cut]],
        [*lines[cut:], sentence_b, "2. Chỉ tiêu xã hội"],
    ]
    path = _vietnamese_pdf(tmp_path / "bao-cao.pdf", font, pages, footer=True)
    raw = load_pages(path, _settings())
    assert "- 1 -" in raw[0].text and "BÁO CÁO CHÍNH TRỊ" in raw[1].text  # furniture really is in the PDF
    repaired = repair_pages(raw)
    assert [p.page for p in repaired] == [1, 2]
    assert repaired[0].text.split("\n") == ["1. Chỉ tiêu kinh tế", sentence_a]
    assert repaired[1].text.split("\n") == [sentence_b, "2. Chỉ tiêu xã hội"]


@pytest.mark.parametrize(
    "title",
    [
        ["Nghị quyết Hội nghị lần thứ 18 Ban Chấp hành Đảng bộ tỉnh khoá XVI về nhiệm vụ năm 2020"],
        ["NGHỊ QUYẾT", "CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH",
         "về mục tiêu, phương hướng, nhiệm vụ phát triển kinh tế - xã hội,",
         "bảo đảm quốc phòng, an ninh, xây dựng hệ thống chính trị năm 2020"],
    ],
)
def test_a_full_width_title_does_not_run_into_the_first_paragraph(tmp_path: Path, font: Path, title: list[str]) -> None:
    # In a PDF every line is a line: a title line as wide as the body's lines looks like the first line
    # of a paragraph that goes on, and the metadata would lose the title and the year it names.
    body = [
        "Với mục tiêu tổng quát tiếp tục nâng cao năng lực lãnh đạo và sức chiến đấu của toàn Đảng bộ, xây dựng "
        f"hệ thống chính trị trong sạch, vững mạnh; phát triển kinh tế đi đôi với phát triển văn hóa, xã hội lần {i}."
        for i in range(1, 7)
    ]
    lines = [line for sentence in body for line in textwrap.wrap(sentence, 88)]
    path = _vietnamese_pdf(tmp_path / "nghi-quyet.pdf", font, [[*title, *lines]])
    pages = load_pages(path, _settings())
    raw = pages[0].text.split("\n")
    assert raw[len(title) - 1] == title[-1] and raw[len(title)].startswith("Với mục tiêu")  # no wrapping by the PDF
    text = repair_pages(pages)[0].text
    paragraphs = text.split("\n")
    assert paragraphs[paragraphs.index(body[0]) - 1].endswith("năm 2020")
    meta = detect_metadata(text, source=path.name, content_hash="")
    assert meta.title is not None and meta.title.endswith("năm 2020") and 2020 in meta.plan_years


def test_encrypted_pdf_with_an_empty_user_password_opens(tmp_path: Path) -> None:
    pages = load_pages(_write(tmp_path, _encrypted("")), _settings())
    assert pages[0].text == "Hello world" and pages[0].page == 1


def test_tcvn3_text_in_a_pdf_font_is_converted(tmp_path: Path) -> None:
    # Old PDFs set TCVN3 bytes in a .VnTime font with no Unicode map: extraction yields "NghÞ quyÕt".
    sentence = ("Nghị quyết của Ban Chấp hành Đảng bộ tỉnh về phương hướng, nhiệm vụ năm 2020: tốc độ tăng "
                "trưởng kinh tế đạt từ 7,5% trở lên, thu nhập bình quân đầu người đạt 50,8 triệu đồng.")
    raw = encode_tcvn3(sentence).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    doc = load_document(_write(tmp_path, _pdf(b"BT /F1 10 Tf 20 720 Td (" + raw + b") Tj ET")), _settings())
    assert doc.encoding == "tcvn3"
    assert doc.pages[0].text == sentence
    assert any("TCVN3" in note for note in doc.notes)


def test_a_pdf_renamed_txt_is_still_read_as_pdf(tmp_path: Path) -> None:
    pages = load_pages(_write(tmp_path, _pdf(), "nham-duoi.txt"), _settings())
    assert [(p.text, p.page) for p in pages] == [("Hello world", 1)]


# --- bad and hostile PDFs ----------------------------------------------------------------------------
HOSTILE = {
    "truncated": (lambda bomb: _pdf()[:300], "tệp PDF “tai-lieu.pdf” bị hỏng"),
    "not-a-pdf": (lambda bomb: b"<html><body>404 Not Found</body></html>", "bị hỏng"),
    "encrypted": (lambda bomb: _encrypted("mat-khau"), "PDF được mã hoá"),
    "zero-pages": (lambda bomb: _pdf(kids=b"[]", count=0), "không có trang nào"),
    "image-only": (lambda bomb: _pdf(b"q 200 0 0 200 72 500 cm /Im1 Do Q"), "cần nhận dạng ký tự (OCR)"),
    "cyclic-page-tree": (lambda bomb: _pdf(kids=b"[2 0 R]"), "bị hỏng"),
    "flate-bomb": (lambda bomb: _pdf(bomb, content_extra=b" /Filter /FlateDecode"), "giải ra quá lớn"),
    "nested-flate-bomb": (
        lambda bomb: _pdf(zlib.compress(bomb, 9), content_extra=b" /Filter [/FlateDecode /FlateDecode]"),
        "giải ra quá lớn",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_bad_pdfs_fail_fast_with_a_clear_message(tmp_path: Path, flate_bomb: bytes, case: str) -> None:
    make, expected = HOSTILE[case]
    path = _write(tmp_path, make(flate_bomb))
    started = time.perf_counter()
    with pytest.raises(PdfProblem) as info:
        load_pages(path, _settings())
    assert time.perf_counter() - started < FAST_S
    message = info.value.user_message()
    assert expected.lower() in message.lower()
    assert "tai-lieu.pdf" in message
    assert info.value.hint


@pytest.mark.parametrize("case", ["circular-prev", "outline-cycle"])
def test_reference_cycles_neither_hang_nor_lose_the_text(tmp_path: Path, case: str) -> None:
    if case == "circular-prev":
        data = _pdf(prev_loop=True)
    else:
        data = _pdf(catalog=b" /Outlines 7 0 R", more={
            7: b"<< /Type /Outlines /First 8 0 R /Last 8 0 R /Count 1 >>",
            8: b"<< /Title (Muc luc) /Parent 7 0 R /Next 8 0 R /Prev 8 0 R /First 8 0 R /Last 8 0 R /Count 1 >>",
        })
    started = time.perf_counter()
    pages = load_pages(_write(tmp_path, data), _settings())
    assert time.perf_counter() - started < FAST_S
    assert [(p.text, p.page) for p in pages] == [("Hello world", 1)]


def test_a_partly_scanned_pdf_loads_and_says_which_pages_need_ocr(tmp_path: Path) -> None:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 7 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        4: _stream(b"BT /F1 12 Tf 72 720 Td (Trang co chu) Tj ET"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: _stream(b"\x80" * 12, b" /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8"),
        7: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 8 0 R /Resources << /XObject << /Im1 6 0 R >> >> >>",
        8: _stream(b"q 200 0 0 200 72 500 cm /Im1 Do Q"),
    }
    # without OCR (switched off here; or Tesseract missing): the page is named as needing it
    doc = load_document(_write(tmp_path, _build(objects)), _settings(ocr_enabled=False))
    assert [(p.text, p.page) for p in doc.pages] == [("Trang co chu", 1), ("", 2)]
    assert any("OCR" in note and "2" in note for note in doc.notes)


def test_page_and_size_limits_refuse_large_files(tmp_path: Path, font: Path) -> None:
    path = _vietnamese_pdf(tmp_path / "dai.pdf", font, [[f"Trang {n}"] for n in range(1, 6)])
    with pytest.raises(FileTooLarge) as info:
        load_pages(path, _settings(max_pdf_pages=3))
    assert "5 trang" in info.value.message and "3 trang" in info.value.message
    assert "NGHIQUYET_MAX_PDF_PAGES" in (info.value.hint or "")
    with pytest.raises(FileTooLarge) as info:
        load_pages(path, _settings(max_file_mb=0.001))
    assert "dai.pdf" in info.value.message and "NGHIQUYET_MAX_FILE_MB" in (info.value.hint or "")


def test_time_limit_kills_a_hanging_extraction(tmp_path: Path) -> None:
    # A 50 ms budget cannot even start Python: this is exactly what happens to a file that hangs pypdf.
    started = time.perf_counter()
    with pytest.raises(PdfProblem) as info:
        extract_pages(_write(tmp_path, _pdf()), max_pages=10, timeout_s=0.05, memory_mb=1024)
    assert time.perf_counter() - started < 5
    assert "quá 0.05 giây" in info.value.message
    assert "NGHIQUYET_PDF_TIMEOUT_S" in (info.value.hint or "")


def test_memory_limit_stops_an_extraction_that_needs_too_much(tmp_path: Path) -> None:
    # 30 MB of address space is less than pypdf needs to import: the child fails like a bomb would.
    with pytest.raises(PdfProblem) as info:
        extract_pages(_write(tmp_path, _pdf()), max_pages=10, timeout_s=FAST_S, memory_mb=30)
    assert "giới hạn bộ nhớ 30 MB" in info.value.message
    pages, notes = extract_pages(_write(tmp_path, _pdf()), max_pages=10, timeout_s=FAST_S, memory_mb=512)
    assert pages[0].text == "Hello world" and not notes


def test_a_blank_page_that_ocr_finds_empty_is_not_reported_as_needing_ocr(tmp_path: Path) -> None:
    from ingest.ocr import missing_tools

    if missing_tools() is not None:
        pytest.skip(f"OCR chưa chạy được ({missing_tools()})")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        4: _stream(b"BT /F1 12 Tf 72 720 Td (Nghi quyet ve nhiem vu phat trien kinh te xa hoi nam 2020 cua tinh) Tj ET"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R >>",
        7: _stream(b""),
    }
    doc = load_document(_write(tmp_path, _build(objects)), Settings(pdf_timeout_s=FAST_S))
    assert [p.page for p in doc.pages] == [1, 2] and not doc.pages[1].text.strip()
    assert not any("OCR" in note for note in doc.notes)
