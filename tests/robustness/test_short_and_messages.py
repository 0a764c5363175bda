"""Short documents keep their content; a long list of failed files is one line per file; all in Vietnamese."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.config import Settings
from nghiquyet.engine import Engine
from nghiquyet.indexing import IngestProgress
from tests.robustness.hash_cli import load_hash_embedder

FIGURE_LINE = "Tốc độ tăng trưởng GRDP năm 2021 của tỉnh Trà Vinh từ 11% trở lên."
# English words that used to end Vietnamese messages (exception names, the system's strerror)
ENGLISH = re.compile(r"Error\b|No such file|directory|Permission denied|Stream has ended", re.IGNORECASE)


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr("vectorstore.embeddings.load_embedder", load_hash_embedder)
    return Engine(Settings(store_dir=tmp_path / "store"))


@pytest.mark.parametrize("second", [
    "Nghị quyết số 27-NQ/TU",
    "về nhiệm vụ phát triển kinh tế - xã hội năm 2021",
])
@pytest.mark.parametrize("first", [FIGURE_LINE, FIGURE_LINE.upper().rstrip(".")])
def test_a_two_line_document_keeps_the_line_with_the_figure(
    first: str, second: str, engine: Engine, tmp_path: Path
) -> None:
    doc = tmp_path / "hai-dong.txt"
    doc.write_text(f"{first}\n{second}\n", encoding="utf-8")
    report = engine.ingest([doc])
    assert report.ok, report.summary()
    texts = [p.chunk.text for p in engine.search("tăng trưởng GRDP Trà Vinh 2021", k=5).passages]
    assert first in texts  # the figure is a passage, not only a title


def test_many_failed_files_are_listed_one_line_each_in_vietnamese(engine: Engine, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tot.txt").write_text(FIGURE_LINE + "\n", encoding="utf-8")
    for n in range(25):
        (docs / f"hong-{n:02d}.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Length 999 >> stream\n" + os.urandom(64))
    (docs / "bien-mat.txt").write_text("Tệp này bị xoá ngay trước khi được đọc.\n", encoding="utf-8")

    def vanish(p: IngestProgress) -> None:  # the file disappears between listing and reading
        if p.stage == "prepare" and p.path.endswith("bien-mat.txt"):
            Path(p.path).unlink()

    report = engine.ingest([docs], progress=vanish)
    lines = report.summary().splitlines()
    assert lines[0].startswith("1 tài liệu đã nạp") and lines[0].endswith("26 bỏ qua:")
    assert len(lines) == 1 + 26
    assert all(line.startswith("- ") and len(line) < 300 for line in lines[1:])
    assert any(line.startswith("- bien-mat.txt: không đọc được tệp: tệp không còn ở đó") for line in lines)
    pdf_lines = [line for line in lines if ".pdf:" in line]
    assert len(pdf_lines) == 25 and all("bị hỏng hoặc không phải PDF hợp lệ" in line for line in pdf_lines)
    assert not ENGLISH.search(report.summary()), report.summary()
