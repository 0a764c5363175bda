"""Scanned PDFs: pages without a text layer are recognised by Tesseract, page numbers and all.

The scans are made here from the bundled Sóc Trăng resolution (printed, rendered by Ghostscript,
turned 1.2–2°, speckled): see `scans.py`. Tests that need Tesseract or Ghostscript skip with the
package to install; CI installs them (.ci/run).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scans import cer, prose_pages, scanned_pdf

from ingest import ocr
from ingest.pdf import _needs_ocr
from ingest.pipeline import prepare_document
from core.config import Settings
from core.errors import PdfProblem
from nghiquyet.indexing import IngestProgress, ingest_paths
from tests.conftest import CORPUS, HashEmbedder
from vectorstore.store import open_store

# Runs Tesseract / LibreOffice: part of make test, not of the quick make check.
pytestmark = pytest.mark.system

needs_ocr_tools = pytest.mark.skipif(
    ocr.missing_tools() is not None,
    reason=f"OCR chưa chạy được ({ocr.missing_tools()}): apt-get install tesseract-ocr tesseract-ocr-vie ghostscript",
)


@pytest.fixture(scope="session")
def scan(tmp_path_factory: pytest.TempPathFactory, font: Path) -> tuple[Path, list[str]]:
    if shutil.which("gs") is None:
        pytest.skip("cần Ghostscript (gói Debian ghostscript) để tạo bản scan thử")
    return scanned_pdf(tmp_path_factory.mktemp("scan") / "soc-trang-scan.pdf", font)


def _chunk_on(prepared, page: int, words: str):  # noqa: ANN001, ANN202 - test helper
    """The chunk of `page` holding most of `words` (OCR may misread a letter or two)."""
    wanted = set(words.lower().split())
    best = max(
        (c for c in prepared.chunks if c.page == page),
        key=lambda c: len(wanted & set(c.text.lower().split())),
    )
    assert len(wanted & set(best.text.lower().split())) >= 0.7 * len(wanted), best.text
    return best


@needs_ocr_tools
def test_a_scanned_pdf_is_recognised_page_by_page(scan: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, truth = scan
    told: list[tuple[int, int]] = []
    prepared = prepare_document(path, Settings(store_dir=tmp_path / "store"), on_page=lambda *a: told.append(a))

    assert told == [(1, 3), (2, 3), (3, 3)]
    assert prepared.meta.ocr_pages == (1, 2, 3)
    assert prepared.meta.province == "Sóc Trăng"
    assert any("nhận dạng chữ từ ảnh (OCR) ở 3 trang" in w for w in prepared.warnings)
    # each sentence is found on the page it was printed on
    first = _chunk_on(prepared, 1, "Trong bối cảnh đó, Đảng bộ và nhân dân trong tỉnh cần phải nỗ lực quyết tâm cao")
    _chunk_on(prepared, 2, "GRDP bình quân đầu người đạt 50,8 triệu đồng/người/năm")
    industry = _chunk_on(prepared, 3, "Giá trị sản xuất công nghiệp (giá so sánh năm 2010) đạt từ 40.000 tỷ đồng")
    assert "40.000" in industry.text
    assert first.location == "trang 1 (văn bản nhận dạng từ ảnh)"
    # the whole text reads close to what was printed (the benchmark measures it: benchmarks/ocr_bench.py)
    text = "\n".join(c.text for c in prepared.chunks)
    assert cer("\n".join(truth), text) < 0.25


def test_without_tesseract_a_scan_is_refused_with_the_fix_and_the_batch_goes_on(
    scan: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(scan[0], docs / "scan.pdf")
    shutil.copy(CORPUS / "tra-vinh-tuyen-truyen-2020-2021.txt", docs)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract, no gs: a machine without the packages
    settings = Settings(store_dir=tmp_path / "store")
    embedder = HashEmbedder()
    store = open_store(settings, embedder)
    try:
        report = ingest_paths([docs], settings, store, embedder)
    finally:
        store.close()

    by_name = {r.source: r for r in report.results}
    assert by_name["tra-vinh-tuyen-truyen-2020-2021.txt"].status == "added"
    refused = by_name["scan.pdf"]
    assert refused.status == "failed"
    assert "không có lớp chữ" in (refused.reason or "") and "cần nhận dạng ký tự (OCR)" in (refused.reason or "")
    assert "chưa cài Tesseract" in (refused.reason or "") and "tesseract-ocr-vie" in (refused.reason or "")


@needs_ocr_tools
def test_a_page_that_times_out_is_reported_not_hung(scan: tuple[Path, list[str]], tmp_path: Path) -> None:
    with pytest.raises(PdfProblem) as caught:
        prepare_document(scan[0], Settings(store_dir=tmp_path / "store", ocr_page_timeout_s=0.01))
    assert "nhận dạng chữ không đọc được trang nào" in caught.value.user_message()


@needs_ocr_tools
def test_the_progress_of_a_scan_reaches_the_ingest_report(scan: tuple[Path, list[str]], tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    embedder = HashEmbedder()
    store = open_store(settings, embedder)
    events: list[IngestProgress] = []
    try:
        report = ingest_paths([scan[0]], settings, store, embedder, progress=events.append)
        cited = {c.location for c in store.all_chunks()}
    finally:
        store.close()
    assert report.ok, report.summary()
    assert [(e.passages_done, e.passages_total) for e in events if e.stage == "ocr"] == [(1, 3), (2, 3), (3, 3)]
    # the flag survives the store: citations read back from it still say the text was recognised
    assert cited == {f"trang {n} (văn bản nhận dạng từ ảnh)" for n in (1, 2, 3)}


def test_deskew_finds_the_angle_a_page_was_turned(font: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(font), 22)
    lines = [line for paragraph in prose_pages(1)[0] for line in _wrap(paragraph, 80)]
    for i, line in enumerate(lines[:40]):
        draw.text((100, 100 + 36 * i), line, font=face, fill=0)
    for angle in (1.7, -1.2):
        turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        _, found = ocr.deskew(turned)
        assert found == pytest.approx(-angle, abs=0.15)
    assert ocr.deskew(page)[1] == 0.0


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("", True),
        ("- 2 -", True),  # a page number stamped on a scan
        ("\ue012\ue045\ue0a1 \ue011\ue0f0" * 20, True),  # glyphs without Unicode meaning
        ("(cid:12)(cid:40)(cid:7) " * 30, True),
        ("Giá trị sản xuất công nghiệp (giá so sánh năm 2010) đạt từ 40.000 tỷ đồng.", False),
        ("Gi¸ trÞ s¶n xuÊt c«ng nghiÖp ®¹t tõ 40.000 tû ®ång.", False),  # TCVN3: repaired later, not rescanned
    ],
)
def test_which_pages_need_ocr(text: str, needs: bool) -> None:
    assert _needs_ocr(text) is needs


def test_tidy_drops_the_marks_specks_leave_and_keeps_real_punctuation() -> None:
    read = "” NGHỊ'QUYẾT\n. về mục tiêu, phương hướng\nNăm 2020, .là năm cuối ; nhiệm kỳ. `\n- {8)' Giá trị đạt 40.000 tỷ đồng."
    assert ocr.tidy(read) == (
        "NGHỊ QUYẾT\nvề mục tiêu, phương hướng\nNăm 2020, là năm cuối nhiệm kỳ.\n- (8) Giá trị đạt 40.000 tỷ đồng."
    )
