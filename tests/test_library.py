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


# --- replacing a document through the library page ------------------------------------------------------
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"
TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"


@pytest.fixture
def hash_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from nghiquyet.engine import Engine
    from tests.robustness.hash_cli import load_hash_embedder

    monkeypatch.setattr("vectorstore.embeddings.load_embedder", load_hash_embedder)
    return Engine(Settings(store_dir=tmp_path / "store"))


def test_an_upload_with_an_existing_name_is_refused_unless_replacement_is_confirmed(hash_engine, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from nghiquyet.library import REPLACE_QUESTION, existing_uploads, ingest_uploads

    tra_vinh = (corpus_dir / TRA_VINH).read_bytes()
    lang_son = (corpus_dir / LANG_SON).read_bytes()
    assert ingest_uploads(hash_engine, [("nghi-quyet.txt", tra_vinh)]).report.ok
    assert existing_uploads(hash_engine.settings, ["nghi-quyet.txt", "khac.txt"]) == ["nghi-quyet.txt"]

    outcome = ingest_uploads(hash_engine, [("nghi-quyet.txt", lang_son)])
    assert outcome.report is None
    [(name, message)] = outcome.refused
    assert name == "nghi-quyet.txt" and REPLACE_QUESTION in message
    assert [d.meta.province for d in hash_engine.documents()] == ["Trà Vinh"]
    assert (uploads_dir(hash_engine.settings) / "nghi-quyet.txt").read_bytes() == tra_vinh

    outcome = ingest_uploads(hash_engine, [("nghi-quyet.txt", lang_son)], replace=True)
    assert [(r.source, r.status) for r in outcome.report.results] == [("nghi-quyet.txt", "updated")]
    assert [d.meta.province for d in hash_engine.documents()] == ["Lạng Sơn"]
    assert sorted(p.name for p in uploads_dir(hash_engine.settings).iterdir()) == ["nghi-quyet.txt"]


def test_a_replacement_that_cannot_be_indexed_keeps_the_old_version(hash_engine, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from nghiquyet.library import ingest_uploads

    tra_vinh = (corpus_dir / TRA_VINH).read_bytes()
    ingest_uploads(hash_engine, [("nghi-quyet.txt", tra_vinh)])
    before = [(d.meta.source, d.meta.content_hash, d.chunk_count) for d in hash_engine.documents()]

    outcome = ingest_uploads(hash_engine, [("nghi-quyet.txt", b"\n \n\t\n")], replace=True)  # no text at all
    assert outcome.report is not None and not outcome.report.ok
    assert [(d.meta.source, d.meta.content_hash, d.chunk_count) for d in hash_engine.documents()] == before
    assert (uploads_dir(hash_engine.settings) / "nghi-quyet.txt").read_bytes() == tra_vinh
    assert sorted(p.name for p in uploads_dir(hash_engine.settings).iterdir()) == ["nghi-quyet.txt"]
