"""Loading each format into pages: the corpus, Word files, web pages, and files the loader must refuse."""

from __future__ import annotations

import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from ingest.legacy import encode_tcvn3
from ingest.loaders import SUPPORTED_SUFFIXES, load_document, load_pages
from ingest.models import Page
from ingest.repair import repair_pages, repair_text
from core.config import Settings
from core.errors import EmptyDocument, EncodingProblem, FileTooLarge, IngestError, UnsupportedFileType

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".pdf", ".docx", ".html", ".htm", ".doc", ".rtf", ".odt"} <= SUPPORTED_SUFFIXES
    assert ".xlsx" not in SUPPORTED_SUFFIXES  # spreadsheets are refused with a hint (test_unsupported_*)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_corpus_files_load_as_one_utf8_page(path: Path) -> None:
    doc = load_document(path, Settings())
    assert doc.encoding == "utf-8" and not doc.notes
    assert len(doc.pages) == 1 and doc.pages[0].page is None
    assert doc.pages[0].text == unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))


def test_whole_corpus_loads_and_repairs_in_well_under_a_second_per_file() -> None:
    started = time.perf_counter()
    total = 0
    for path in sorted(CORPUS.glob("*.txt")):
        total += sum(len(p.text) for p in repair_pages(load_pages(path, Settings())))
    elapsed = time.perf_counter() - started
    assert total > 120_000
    assert elapsed < 15, f"corpus load+repair took {elapsed:.1f}s"  # ~0.3 s on an idle 2-core machine


# --- Word -----------------------------------------------------------------------------------------------
def _word_document(tmp_path: Path, body_font_text: str | None = None) -> Path:
    document = docx.Document()
    document.add_paragraph("NGHỊ QUYẾT")
    document.add_paragraph("về nhiệm vụ năm 2021")
    document.add_paragraph("Chỉ tiêu kinh tế", style="List Number")
    document.add_paragraph("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.", style="List Bullet")
    document.add_paragraph("Chỉ tiêu xã hội", style="List Number")
    table = document.add_table(rows=3, cols=4)
    rows = [["Số TT", "CHỈ TIÊU", "ĐƠN VỊ TÍNH", "NGHỊ QUYẾT NĂM 2021"],
            ["1", "Sản lượng lúa", "Triệu tấn", "2"],
            ["", "Trong đó: lúa đặc sản", "%", "52"]]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    aligned = document.add_paragraph("Nơi nhận:")
    aligned.add_run("\tT/M TỈNH ỦY")
    if body_font_text:
        document.add_paragraph(body_font_text)
    return _save(document, tmp_path / "nghi-quyet.docx")


def _save(document, path: Path) -> Path:
    document.save(str(path))
    return path


def test_docx_paragraphs_numbering_and_tables_in_order(tmp_path: Path) -> None:
    doc = load_document(_word_document(tmp_path), Settings())
    assert doc.encoding == "docx"
    lines = doc.pages[0].text.split("\n")
    assert [ln for ln in lines if ln] == [
        "NGHỊ QUYẾT",
        "về nhiệm vụ năm 2021",
        "1. Chỉ tiêu kinh tế",                                   # Word's automatic number written out
        "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.",
        "2. Chỉ tiêu xã hội",
        "Số TT\tCHỈ TIÊU\tĐƠN VỊ TÍNH\tNGHỊ QUYẾT NĂM 2021",      # tables become tab-separated rows
        "1\tSản lượng lúa\tTriệu tấn\t2",
        "\tTrong đó: lúa đặc sản\t%\t52",
        "Nơi nhận: T/M TỈNH ỦY",                                  # an alignment tab is not a table column
    ]
    repaired = repair_text(doc.pages[0].text).split("\n")
    assert "\tTrong đó: lúa đặc sản\t%\t52" in repaired


def test_docx_typed_in_a_tcvn3_font_is_converted(tmp_path: Path) -> None:
    sentence = ("Tỉnh ủy giao Đảng đoàn Hội đồng nhân dân, Ban cán sự đảng tỉnh lãnh đạo "
                "cụ thể hóa thực hiện nghị quyết bảo đảm đạt các mục tiêu, nhiệm vụ đề ra.")
    mojibake = encode_tcvn3(sentence).decode("cp1252")  # what python-docx reads from a .VnTime document
    doc = load_document(_word_document(tmp_path, mojibake), Settings())
    assert doc.encoding == "tcvn3"
    assert doc.pages[0].text.split("\n")[-1] == sentence
    assert "NGHỊ QUYẾT" in doc.pages[0].text  # the Unicode paragraphs are untouched


def test_a_damaged_docx_is_refused_with_a_message(tmp_path: Path) -> None:
    path = _write(tmp_path, "hong.docx", b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(IngestError) as info:
        load_pages(path, Settings())
    assert "hong.docx" in info.value.message and info.value.hint


def test_an_empty_docx_is_an_empty_document(tmp_path: Path) -> None:
    path = _save(docx.Document(), tmp_path / "trong.docx")
    with pytest.raises(EmptyDocument):
        load_pages(path, Settings())


# --- web pages ------------------------------------------------------------------------------------------
PAGE = """<!doctype html>
<html><head><meta charset="{charset}"><title>Nghị quyết</title>
<script>var menu = "Đăng nhập";</script><style>.x {{ color: red }}</style></head>
<body>
<header class="site-header"><img src="logo.png"> Cổng thông tin điện tử tỉnh Trà Vinh</header>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin tức</a></li></ul></nav>
<div class="breadcrumb">Trang chủ » Văn bản » Nghị quyết</div>
<div id="login-box"><a>Đăng nhập</a> | <a>Đăng ký</a></div>
<main>
  <h1>Nghị quyết về nhiệm vụ năm 2021</h1>
  <p class="date">(15:45 | 02/01/2021)</p>
  <p>Năm 2021, tỉnh phấn đấu <b>tốc độ tăng trưởng</b> kinh tế từ 11% trở lên.<br>
     Thu nhập bình quân đầu người đạt 70 triệu đồng.</p>
  <ol><li>Chỉ tiêu kinh tế</li><li>Chỉ tiêu xã hội</li></ol>
  <table>
    <tr><th>CHỈ TIÊU</th><th>ĐƠN VỊ</th><th>NĂM 2021</th></tr>
    <tr><td><i>Sản lượng lúa</i></td><td>Triệu tấn</td><td>2</td></tr>
    <tr><td colspan="2">GRDP</td><td>11</td></tr>
  </table>
  <div class="social-share">Chia sẻ <a>Facebook</a> <a>Zalo</a></div>
</main>
<aside><h3>Tin liên quan</h3><ul><li>Hội nghị sơ kết</li></ul></aside>
<footer>© 2021 Cổng thông tin điện tử tỉnh Trà Vinh. Địa chỉ: số 1 Lê Lợi.</footer>
<div class="visitor-counter">Lượt truy cập: 123456</div>
</body></html>"""

EXPECTED_PAGE = [
    "Nghị quyết về nhiệm vụ năm 2021",
    "(15:45 | 02/01/2021)",
    "Năm 2021, tỉnh phấn đấu tốc độ tăng trưởng kinh tế từ 11% trở lên.",
    "Thu nhập bình quân đầu người đạt 70 triệu đồng.",
    "1. Chỉ tiêu kinh tế",
    "2. Chỉ tiêu xã hội",
    "CHỈ TIÊU\tĐƠN VỊ\tNĂM 2021",
    "Sản lượng lúa\tTriệu tấn\t2",
    "GRDP\t\t11",
]


def test_html_loses_markup_scripts_and_navigation(tmp_path: Path) -> None:
    path = _write(tmp_path, "nghi-quyet.html", PAGE.format(charset="utf-8"))
    text = load_pages(path, Settings())[0].text
    assert [ln for ln in text.split("\n") if ln] == EXPECTED_PAGE
    for chrome in ("Đăng nhập", "Trang chủ", "Tin liên quan", "Lượt truy cập", "Chia sẻ", "©", "var menu", "color"):
        assert chrome not in text


@pytest.mark.parametrize(("declared", "encoding"), [("windows-1258", "cp1258"), ("", "cp1258"), ("utf-8", "utf-8"),
                                                   ("utf-8", "cp1258")], ids=["declared", "none", "utf8", "lying"])
def test_html_charset_is_declared_or_detected(tmp_path: Path, declared: str, encoding: str) -> None:
    markup = PAGE.format(charset=declared)
    data = markup.encode("utf-8") if encoding == "utf-8" else _cp1258(markup)
    path = _write(tmp_path, "trang.htm", data)
    doc = load_document(path, Settings())
    assert [ln for ln in doc.pages[0].text.split("\n") if ln] == EXPECTED_PAGE


def _cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = next(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            out += unicodedata.normalize("NFC", decomposed.replace(tone, "")).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_html_page_set_in_a_vntime_font_is_converted(tmp_path: Path) -> None:
    sentence = "Các cấp, các ngành tổ chức, phát động các phong trào thi đua yêu nước thực hiện thắng lợi Nghị quyết."
    markup = (b'<html><head><meta charset="windows-1252"></head><body><p><font face=".VnTime">'
              + encode_tcvn3(sentence) + b"</font></p></body></html>")
    doc = load_document(_write(tmp_path, "cu.html", markup), Settings())
    assert doc.pages[0].text == sentence
    assert doc.encoding == "tcvn3" and doc.notes


def test_html_with_nothing_but_chrome_is_empty(tmp_path: Path) -> None:
    path = _write(tmp_path, "rong.html", "<html><body><nav>Trang chủ</nav><script>x()</script></body></html>")
    with pytest.raises(EmptyDocument) as info:
        load_pages(path, Settings())
    assert "rong.html" in info.value.message


def test_layout_tables_are_read_as_text_not_as_rows(tmp_path: Path) -> None:
    long_paragraph = "Tiếp tục nâng cao năng lực lãnh đạo và sức chiến đấu của Đảng bộ. " * 8
    markup = f"<html><body><table><tr><td><p>{long_paragraph}</p><p>Đoạn hai.</p></td></tr></table></body></html>"
    text = load_pages(_write(tmp_path, "bo-cuc.html", markup), Settings())[0].text
    assert "\t" not in text
    assert [ln for ln in text.split("\n") if ln] == [long_paragraph.strip(), "Đoạn hai."]


# --- text files and refusals ------------------------------------------------------------------------------
def test_markdown_heading_marks_are_removed(tmp_path: Path) -> None:
    path = _write(tmp_path, "ghi-chu.md", "# NGHỊ QUYẾT\n\n## 1. Về kinh tế\n\nTăng trưởng **11%**.\n")
    pages = load_pages(path, Settings())
    assert pages == [Page("NGHỊ QUYẾT\n\n1. Về kinh tế\n\nTăng trưởng **11%**.\n", None)]
    assert repair_text(pages[0].text) == "NGHỊ QUYẾT\n\n1. Về kinh tế\n\nTăng trưởng 11%."


@pytest.mark.parametrize("name", ["bang.xls", "bang.xlsx", "anh.png", "khong-duoi"])
def test_unsupported_types_are_refused_with_a_hint(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name, b"data")
    with pytest.raises(UnsupportedFileType) as info:
        load_pages(path, Settings())
    assert name in info.value.message and info.value.hint


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        load_pages(tmp_path / "khong-co.txt", Settings())
    assert "Không tìm thấy" in info.value.message
    (tmp_path / "thu-muc.txt").mkdir()
    with pytest.raises(IngestError):
        load_pages(tmp_path / "thu-muc.txt", Settings())


def test_size_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "lon.txt", "Nghị quyết. " * 20000)
    with pytest.raises(FileTooLarge) as info:
        load_pages(path, Settings(max_file_mb=0.1))
    assert "lon.txt" in info.value.message and "0.1 MB" in info.value.message
    assert load_pages(path, Settings(max_file_mb=1))[0].text.startswith("Nghị quyết.")


def test_a_zip_archive_renamed_txt_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "nen.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "Nghị quyết")
    with pytest.raises(EncodingProblem) as info:
        load_pages(path, Settings())
    assert "nén" in info.value.message


def test_a_word_file_renamed_txt_is_read_as_word(tmp_path: Path) -> None:
    renamed = _word_document(tmp_path).rename(tmp_path / "nham.txt")
    assert load_pages(renamed, Settings())[0].text.startswith("NGHỊ QUYẾT\n")


def test_a_web_page_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    path = _write(tmp_path, "trang-web.txt", PAGE.format(charset="utf-8"))
    assert [ln for ln in load_pages(path, Settings())[0].text.split("\n") if ln] == EXPECTED_PAGE
