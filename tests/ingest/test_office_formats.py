"""Word tables with merged headers, and .doc/.rtf/.odt read through LibreOffice.

The files are made here: a .docx written with python-docx from sentences and table rows of the
bundled Sóc Trăng resolution, converted by LibreOffice itself to .odt, then to .doc and .rtf (a
python-docx table written straight to .doc loses its cells in LibreOffice's export; Word's own files
do not have that problem, and a file that went through .odt is what an office suite really writes).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.libreoffice import soffice
from ingest.loaders import load_document
from ingest.office import docx_text
from ingest.pipeline import prepare_document
from core.config import Settings
from core.errors import IngestError, UnsupportedFileType

# Runs Tesseract / LibreOffice: part of make test, not of the quick make check.
pytestmark = pytest.mark.system

TITLE = "NGHỊ QUYẾT về mục tiêu, phương hướng, nhiệm vụ phát triển kinh tế - xã hội năm 2020 của tỉnh Sóc Trăng"
SENTENCE = "(8) Giá trị sản xuất công nghiệp (giá so sánh năm 2010) đạt từ 40.000 tỷ đồng."
ROWS = (
    ("8", "Giá trị sản xuất công nghiệp (giá so sánh năm 2010)", "Tỷ đồng", "33.500", "33.500", "40.000"),
    ("9", "Giá trị xuất khẩu hàng hóa", "Triệu USD", "820", "830", "900"),
    ("11", "Tổng thu ngân sách Nhà nước", "Tỷ đồng", "3.000", "3.666,5", "3.683,5"),
)


def _word(path: Path) -> Path:
    """A resolution with an appendix table whose header spans two rows: "NGHỊ QUYẾT NĂM" over the
    years, "THỰC HIỆN" over one, the first three titles merged down."""
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(SENTENCE)
    table = document.add_table(rows=2 + len(ROWS), cols=6)
    top, below = table.rows[0].cells, table.rows[1].cells
    for k, title in enumerate(("Số TT", "CHỈ TIÊU", "ĐƠN VỊ TÍNH")):
        top[k].text = title
        top[k].merge(below[k])
    top[3].text = "NGHỊ QUYẾT NĂM"
    top[3].merge(top[4])
    top[5].text = "THỰC HIỆN"
    below[3].text, below[4].text, below[5].text = "2019", "2020", "NĂM 2019"
    for r, row in enumerate(ROWS, start=2):
        cells = table.rows[r].cells
        for k, text in enumerate((row[0], row[1], row[2], row[3], row[5], row[4])):
            cells[k].text = text
    document.save(str(path))
    return path


def test_a_word_table_header_over_two_rows_names_every_column(tmp_path: Path) -> None:
    text = docx_text(_word(tmp_path / "soc-trang.docx"))
    lines = [line.split("\t") for line in text.split("\n") if "\t" in line]
    assert lines[0] == ["Số TT", "CHỈ TIÊU", "ĐƠN VỊ TÍNH", "NGHỊ QUYẾT NĂM 2019", "NGHỊ QUYẾT NĂM 2020",
                        "THỰC HIỆN NĂM 2019"]
    assert lines[1] == ["8", "Giá trị sản xuất công nghiệp (giá so sánh năm 2010)", "Tỷ đồng", "33.500", "40.000", "33.500"]
    assert len(lines) == 1 + len(ROWS)  # the years are not a row of data


def test_a_word_table_row_is_cited_with_its_year(tmp_path: Path) -> None:
    prepared = prepare_document(_word(tmp_path / "soc-trang.docx"), Settings(store_dir=tmp_path / "store"))
    row = next(c for c in prepared.chunks if c.kind == "table_row" and "xuất khẩu" in c.text)
    assert "Nghị quyết năm 2020: 900" in row.text and "Thực hiện năm 2019: 830" in row.text


@pytest.fixture(scope="session")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    program = soffice()
    if program is None:
        pytest.skip("LibreOffice chưa được cài (gói Debian libreoffice-writer-nogui): không tạo được .doc/.odt/.rtf thử")
    work = tmp_path_factory.mktemp("office")
    source = _word(work / "soc-trang.docx")
    out: dict[str, Path] = {}
    for target, origin, filter_name in (
        ("odt", source, "odt"), ("doc", work / "soc-trang.odt", "doc:MS Word 97"), ("rtf", work / "soc-trang.odt", "rtf"),
    ):
        subprocess.run(
            [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
             filter_name, "--outdir", str(work), str(origin)],
            check=True, capture_output=True, timeout=180,
        )
        out[target] = work / f"soc-trang.{target}"
        assert out[target].is_file()
    return out


@pytest.mark.parametrize("kind", ["odt", "doc", "rtf"])
def test_doc_odt_rtf_are_read_through_libreoffice(kind: str, office_files: dict[str, Path], tmp_path: Path) -> None:
    path = shutil.copy(office_files[kind], tmp_path / f"nghi-quyet.{kind}")
    loaded = load_document(Path(path), Settings())
    assert loaded.encoding == kind
    prepared = prepare_document(Path(path), Settings(store_dir=tmp_path / "store"))
    assert prepared.meta.province == "Sóc Trăng" and prepared.meta.source == f"nghi-quyet.{kind}"
    assert any(c.text == SENTENCE for c in prepared.chunks)
    row = next(c for c in prepared.chunks if c.kind == "table_row" and "ngân sách" in c.text)
    assert "Nghị quyết năm 2020: 3.683,5" in row.text and "Thực hiện năm 2019: 3.666,5" in row.text


def test_without_libreoffice_a_doc_is_skipped_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cu.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)  # an OLE header, as Word 97 writes
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(UnsupportedFileType) as caught:
        load_document(path, Settings())
    message = caught.value.user_message()
    assert "cu.doc" in message and "cần LibreOffice" in message and "libreoffice-writer-nogui" in message


@pytest.mark.parametrize(("name", "data"), [("hong.doc", b"abc"), ("hong.rtf", b"PK\x03\x04zip"), ("hong.odt", b"{\\rtf1 x}")])
def test_a_file_that_is_not_what_its_name_says_is_refused_not_imported_as_text(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        load_document(path, Settings())
    assert f"“{name}” không phải tệp" in caught.value.user_message()
