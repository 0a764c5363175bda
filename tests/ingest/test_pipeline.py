"""prepare_document end to end: real loaders and repair, metadata, sidecar overrides, errors."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from ingest.pipeline import PreparedDocument, prepare_document
from ingest.sidecar import apply_sidecar, find_sidecar, is_sidecar, load_sidecar
from ingest.models import DocumentMeta
from core.config import Settings
from core.errors import EmptyDocument, IngestError, UnsupportedFileType
from prepared_corpus import ALL, CORPUS, TRA_VINH, assert_lossless, prepared

DOCUMENT = """NGHỊ QUYẾT
về nhiệm vụ năm 2021 của tỉnh Bến Tre

I. CHỈ TIÊU

- Tốc độ tăng trưởng kinh tế từ 6,5% trở lên.
- Thu ngân sách 6.150,1 tỷ đồng.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ALL)
def test_corpus_documents_are_prepared(name: str) -> None:
    doc = prepared(name)
    assert isinstance(doc, PreparedDocument)
    assert doc.meta.content_hash == hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
    assert doc.chunks and all(c.page is None for c in doc.chunks)
    assert doc.warnings == ()  # province, years and type were all found
    assert_lossless(doc.text, doc.chunks, doc.meta.title)


def test_preparing_twice_gives_the_same_chunks() -> None:
    again = prepare_document(CORPUS / TRA_VINH, Settings())
    assert [c.id for c in again.chunks] == [c.id for c in prepared(TRA_VINH).chunks]
    assert again.meta == prepared(TRA_VINH).meta


def test_chunk_count_and_kinds_per_corpus_document() -> None:
    counts = {name: Counter(c.kind for c in prepared(name).chunks) for name in ALL}
    for name, kinds in counts.items():
        assert sum(kinds.values()) >= 25, name
    assert counts[TRA_VINH]["indicator"] >= 50


def test_small_file_through_the_real_loader(tmp_path: Path) -> None:
    path = _write(tmp_path, "ben-tre.txt", DOCUMENT)
    doc = prepare_document(path, Settings())
    assert doc.meta.province == "Bến Tre" and doc.meta.years == (2021,) and doc.meta.doc_type == "nghị quyết"
    assert [c.text for c in doc.chunks] == [
        "- Tốc độ tăng trưởng kinh tế từ 6,5% trở lên.",
        "- Thu ngân sách 6.150,1 tỷ đồng.",
    ]
    assert all(c.heading_path == ("I. CHỈ TIÊU",) and c.kind == "indicator" for c in doc.chunks)
    assert doc.text[doc.chunks[1].start:doc.chunks[1].end] == doc.chunks[1].text


OFFICIAL = """HỘI ĐỒNG NHÂN DÂN
TỈNH BẮC NINH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 45/NQ-HĐND
Bắc Ninh, ngày 10 tháng 12 năm 2020

NGHỊ QUYẾT
Về kế hoạch phát triển kinh tế - xã hội năm 2021

QUYẾT NGHỊ:

Điều 1. Mục tiêu, chỉ tiêu chủ yếu năm 2021
1. Mục tiêu tổng quát
Phát triển kinh tế nhanh và bền vững, giữ vững ổn định chính trị.
2. Các chỉ tiêu chủ yếu
a) Tốc độ tăng trưởng GRDP đạt 6,5%.
b) Thu ngân sách nhà nước 30.150,5 tỷ đồng.
3. Các nhiệm vụ, giải pháp chủ yếu
- Nông nghiệp:
+ Sản lượng lương thực 400 nghìn tấn.
+ Tổng đàn lợn 350 nghìn con.
- Công nghiệp tăng 8%.
Điều 2. Tổ chức thực hiện
Giao UBND tỉnh tổ chức thực hiện Nghị quyết.

Nơi nhận:
- UBTVQH, Chính phủ;
- Lưu: VT.
CHỦ TỊCH

Nguyễn Quốc Chung
"""


def test_official_resolution_with_letterhead_articles_and_signature(tmp_path: Path) -> None:
    doc = prepare_document(_write(tmp_path, "bac-ninh.txt", OFFICIAL), Settings())
    meta = doc.meta
    assert (meta.province, meta.number, meta.issue_date, meta.signer) == (
        "Bắc Ninh", "45/NQ-HĐND", "2020-12-10", "Nguyễn Quốc Chung"
    )
    assert meta.title == "NGHỊ QUYẾT Về kế hoạch phát triển kinh tế - xã hội năm 2021"
    assert meta.doc_type == "nghị quyết" and meta.years == (2021,)
    by_text = {c.text: c for c in doc.chunks}
    letterhead = doc.chunks[0]
    assert letterhead.text.startswith("HỘI ĐỒNG NHÂN DÂN\nTỈNH BẮC NINH") and letterhead.heading_path == ()
    target = by_text["a) Tốc độ tăng trưởng GRDP đạt 6,5%."]
    assert target.kind == "indicator"
    assert target.heading_path == ("QUYẾT NGHỊ:", "Điều 1. Mục tiêu, chỉ tiêu chủ yếu năm 2021", "2. Các chỉ tiêu chủ yếu")
    assert by_text["Phát triển kinh tế nhanh và bền vững, giữ vững ổn định chính trị."].heading_path[-1] == (
        "1. Mục tiêu tổng quát"
    )
    assert by_text["+ Tổng đàn lợn 350 nghìn con."].context == "- Nông nghiệp:"
    assert by_text["- Công nghiệp tăng 8%."].context == ""
    assert by_text["Giao UBND tỉnh tổ chức thực hiện Nghị quyết."].heading_path == ("QUYẾT NGHỊ:", "Điều 2. Tổ chức thực hiện")
    assert doc.chunks[-1].text.endswith("CHỦ TỊCH\nNguyễn Quốc Chung")
    assert_lossless(doc.text, doc.chunks, meta.title)


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".meta.json", json.dumps({"province": "tra vinh", "years": [2020, "2022-2023"], "number": "15-NQ/TU",
                                   "issue_date": "18/12/2020", "signer": None})),
        (".meta.yaml", "province: Trà Vinh\nyears: [2020, '2022-2023']\nnumber: 15-NQ/TU\nissue_date: 2020-12-18\nsigner:\n"),
        (".meta.toml", 'province = "Trà Vinh"\nyears = [2020, "2022-2023"]\nnumber = "15-NQ/TU"\nissue_date = "2020-12-18"\n'),
    ],
)
def test_sidecar_overrides_detected_metadata(tmp_path: Path, suffix: str, content: str) -> None:
    path = _write(tmp_path, "ben-tre.txt", DOCUMENT)
    _write(tmp_path, f"ben-tre{suffix}", content)
    doc = prepare_document(path, Settings())
    assert doc.meta.province == "Trà Vinh"
    assert doc.meta.years == (2020, 2022, 2023)
    assert doc.meta.number == "15-NQ/TU" and doc.meta.issue_date == "2020-12-18"
    assert doc.meta.signer is None and doc.meta.doc_type == "nghị quyết"  # untouched fields keep their detection
    assert all(c.doc == doc.meta for c in doc.chunks)
    assert any("ben-tre" in w and "meta" in w for w in doc.warnings)


def test_sidecar_named_after_the_full_file_name_and_plan_years_update_years(tmp_path: Path) -> None:
    path = _write(tmp_path, "ben-tre.txt", DOCUMENT)
    _write(tmp_path, "ben-tre.txt.meta.json", json.dumps({"plan_years": "2021-2025", "title": "Nghị quyết Đại hội"}))
    assert find_sidecar(path) == tmp_path / "ben-tre.txt.meta.json"
    doc = prepare_document(path, Settings())
    assert doc.meta.plan_years == (2021, 2022, 2023, 2024, 2025) == doc.meta.years
    assert doc.meta.title == "Nghị quyết Đại hội"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "cú pháp"),
        (json.dumps({"provnce": "Trà Vinh"}), "provnce"),
        (json.dumps({"years": ["năm ngoái"]}), "years"),
        (json.dumps({"issue_date": "31/02/2020"}), "issue_date"),
        (json.dumps({"source": "khac.txt"}), "source"),
        (json.dumps(["Trà Vinh"]), "bảng"),
    ],
)
def test_invalid_sidecar_is_an_error_with_a_message(tmp_path: Path, content: str, fragment: str) -> None:
    path = _write(tmp_path, "ben-tre.txt", DOCUMENT)
    _write(tmp_path, "ben-tre.meta.json", content)
    with pytest.raises(IngestError) as info:
        prepare_document(path, Settings())
    assert "ben-tre.meta.json" in info.value.message and fragment in info.value.message
    assert info.value.hint


def test_sidecar_helpers() -> None:
    assert is_sidecar(Path("a.meta.json")) and is_sidecar(Path("a.pdf.meta.YAML")) and not is_sidecar(Path("a.json"))
    meta = DocumentMeta(source="a.txt", province="Sóc Trăng", plan_years=(2020,), report_years=(2019,), years=(2019, 2020))
    changed = apply_sidecar(meta, {"report_years": ()})
    assert changed.years == (2020,) and changed.province == "Sóc Trăng"
    assert apply_sidecar(meta, {}) is meta


def test_sidecar_with_a_province_outside_the_list_keeps_it(tmp_path: Path) -> None:
    sidecar = _write(tmp_path, "x.meta.yaml", "province: Tỉnh Mới Sáp Nhập\n")
    assert load_sidecar(sidecar) == {"province": "Tỉnh Mới Sáp Nhập"}
    assert load_sidecar(_write(tmp_path, "y.meta.yaml", "")) == {}


def test_sidecar_files_are_not_documents(tmp_path: Path) -> None:
    from nghiquyet.indexing import expand_paths

    _write(tmp_path, "ben-tre.txt", DOCUMENT)
    sidecar = _write(tmp_path, "ben-tre.meta.json", "{}")
    _write(tmp_path, "ben-tre.meta.yaml", "")
    files, problems = expand_paths([tmp_path])
    assert [f.name for f in files] == ["ben-tre.txt"] and problems == []
    with pytest.raises(UnsupportedFileType):
        prepare_document(sidecar, Settings())


def test_empty_and_blank_documents_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument):
        prepare_document(_write(tmp_path, "empty.txt", ""), Settings())
    with pytest.raises(EmptyDocument) as info:
        prepare_document(_write(tmp_path, "blank.txt", "   \n\n\t\n"), Settings())
    assert "blank.txt" in info.value.message


def test_missing_metadata_is_reported_not_guessed(tmp_path: Path) -> None:
    doc = prepare_document(_write(tmp_path, "note.txt", "Ghi chú cuộc họp về công tác chuẩn bị.\n"), Settings())
    assert doc.meta.province is None and doc.meta.years == ()
    assert len(doc.warnings) == 1 and "tỉnh/thành phố" in doc.warnings[0] and "năm" in doc.warnings[0]
