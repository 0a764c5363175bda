"""The library page's non-Streamlit part: upload names, limits, where files go, which files re-index."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.errors import FileTooLarge, IngestError, UnsupportedFileType
from nghiquyet.library import check_upload, safe_filename, save_upload, source_files, upload_limit_text, uploads_dir


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Nghị quyết số 27.PDF", "Nghị quyết số 27.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\cb\\Báo cáo 2021.docx", "Báo cáo 2021.docx"),
        ("a<b>|c?.html", "a_b_c.html"),
        ("\x00\x1f.txt", "tai-lieu.txt"),
        ("...", "tai-lieu"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_upload_limit_is_stated_and_enforced(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path, upload_max_mb=0.5)
    assert upload_limit_text(settings) == "tối đa 0,5 MB mỗi tệp"
    check_upload("a.pdf", 512 * 1024, settings)
    for name in ("cu.doc", "van-ban.odt", "to-trinh.rtf"):  # read through LibreOffice
        check_upload(name, 10, settings)
    with pytest.raises(FileTooLarge) as info:
        check_upload("b.pdf", 512 * 1024 + 1, settings)
    assert info.value.user_message().startswith("Tệp b.pdf quá lớn (0,5 MB; giới hạn 0,5 MB).")
    with pytest.raises(UnsupportedFileType):
        check_upload("c.exe", 10, settings)
    with pytest.raises(IngestError, match="rỗng"):
        check_upload("d.txt", 0, settings)


def test_save_upload_writes_into_the_uploads_folder_only(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    path = save_upload("../../x/Báo cáo.txt", "Nội dung".encode(), settings)
    assert path == uploads_dir(settings) / "Báo cáo.txt"
    assert path.read_text(encoding="utf-8") == "Nội dung"
    assert [p.name for p in uploads_dir(settings).iterdir()] == ["Báo cáo.txt"]  # no temp file left


def test_source_files_looks_in_uploads_then_the_corpus(tmp_path: Path, corpus_dir: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", corpus_dir=corpus_dir)
    save_upload("moi.txt", b"x", settings)
    found, missing = source_files(settings, ["moi.txt", "tra-vinh-tuyen-truyen-2020-2021.txt", "mat.pdf"])
    assert found == {
        "moi.txt": uploads_dir(settings) / "moi.txt",
        "tra-vinh-tuyen-truyen-2020-2021.txt": corpus_dir / "tra-vinh-tuyen-truyen-2020-2021.txt",
    }
    assert missing == ["mat.pdf"]
