"""Encodings of .txt files: detected, never assumed; legacy Vietnamese code pages converted or refused."""

from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

import pytest

from ingest.encoding import decode_bytes, fix_mojibake, is_vietnamese_syllable, vietnamese_score
from ingest.legacy import decode_tcvn3, decode_vni, encode_tcvn3, encode_vni
from ingest.loaders import load_document, load_pages
from core.config import Settings
from core.errors import EmptyDocument, EncodingProblem

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _paragraphs(name: str, count: int = 3) -> list[str]:
    """Real prose paragraphs of a corpus file (long lines without tabs)."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    found = [p.strip() for p in text.split("\n") if len(p) > 300 and "\t" not in p]
    return found[:count]


TRA_VINH = _paragraphs("tra-vinh-tuyen-truyen-2020-2021.txt")[0]
HAU_GIANG = _paragraphs("hau-giang-bao-cao-chinh-tri-2020-2025.txt")[1]


def _windows_cp1258(text: str) -> bytes:
    """How Windows stores Vietnamese in code page 1258: base letter (with its quality mark) + a combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tone = next(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def _write(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _load(tmp_path: Path, data: bytes, name: str = "doc.txt"):
    return load_document(_write(tmp_path, data, name), Settings())


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("utf-16"), "utf-16-le"),  # with BOM, native order
        (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16-be"),
        (lambda t: t.encode("utf-16-le"), "utf-16-le"),  # BOM-less: recognised by its NUL pattern
        (lambda t: t.encode("utf-16-be"), "utf-16-be"),
        (_windows_cp1258, "cp1258"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom", "cp1258"],
)
def test_encodings_are_detected_and_give_nfc_text(tmp_path: Path, encoded, encoding: str) -> None:
    doc = _load(tmp_path, encoded(TRA_VINH))
    assert doc.encoding == encoding
    assert doc.pages[0].text == unicodedata.normalize("NFC", TRA_VINH)
    assert doc.pages[0].page is None
    assert not doc.notes


def test_cp1258_bytes_really_use_combining_tones() -> None:
    # The test data must look like what Windows writes, or the cp1258 test proves nothing.
    data = _windows_cp1258("Nghị quyết")
    assert data.decode("cp1258") != "Nghị quyết"  # decomposed before NFC
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Nghị quyết"
    assert decode_bytes(data + b" " + _windows_cp1258(HAU_GIANG), "x.txt").text.startswith("Nghị quyết ")


def test_nfd_input_is_normalised(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", HAU_GIANG)
    assert nfd != HAU_GIANG
    pages = load_pages(_write(tmp_path, nfd.encode()), Settings())
    assert pages[0].text == unicodedata.normalize("NFC", HAU_GIANG)


@pytest.mark.parametrize("source", ["tra-vinh-tuyen-truyen-2020-2021.txt", "lang-son-nq-100-nhiem-vu-2020.txt",
                                    "kien-giang-nq-27-nhiem-vu-2020.txt"])
def test_tcvn3_round_trip_on_corpus_paragraphs(tmp_path: Path, source: str) -> None:
    original = "\n\n".join(_paragraphs(source))
    data = encode_tcvn3(original)
    assert data.decode("cp1252", "replace") != original  # really mojibake when read naively
    doc = _load(tmp_path, data)
    assert doc.encoding == "tcvn3"
    assert any("TCVN3" in note for note in doc.notes)
    # TCVN3 has no capitals with tone marks; they come back capitalised at sentence starts and in
    # all-capitals words, lower-case elsewhere. Everything else is exact.
    assert doc.pages[0].text.casefold() == original.casefold()
    assert sum(a != b for a, b in zip(doc.pages[0].text, original, strict=True)) <= original.count("Ủ") + original.count("Ả")


def test_tcvn3_capitals_font_words_come_back_in_capitals() -> None:
    heading = "NGHỊ QUYẾT VỀ NHIỆM VỤ NĂM 2020. Ủy ban nhân dân tỉnh tổ chức thực hiện."
    assert encode_tcvn3(heading).decode("cp1252") == "NGHÞ QUYÕT VÒ NHIÖM Vô N¡M 2020. ñy ban nh©n d©n tØnh tæ chøc thùc hiÖn."
    assert decode_tcvn3(encode_tcvn3(heading)) == heading


@pytest.mark.parametrize("source", ["tra-vinh-tuyen-truyen-2020-2021.txt", "soc-trang-nq-nhiem-vu-2020.txt",
                                    "hau-giang-bao-cao-chinh-tri-2020-2025.txt"])
def test_vni_round_trip_on_corpus_paragraphs_is_exact(tmp_path: Path, source: str) -> None:
    original = "\n\n".join(_paragraphs(source))
    doc = _load(tmp_path, encode_vni(original))
    assert doc.encoding == "vni"
    assert any("VNI" in note for note in doc.notes)
    assert doc.pages[0].text == original


def test_legacy_tables_match_the_published_mojibake() -> None:
    # What officials see when a legacy file is opened as Windows-1252 text.
    assert decode_vni("Nghò quyeát tænh Ñaûng boä".encode("cp1252")) == "Nghị quyết tỉnh Đảng bộ"
    assert decode_tcvn3("NghÞ quyÕt tØnh §¶ng bé n­íc".encode("cp1252")) == "Nghị quyết tỉnh Đảng bộ nước"
    for word in ("người", "những", "quyết", "thưởng", "khuỷu", "Ưu", "ĐỔI MỚI", "Ấn", "Ợ"):
        assert decode_vni(encode_vni(word)) == word


def test_legacy_text_already_decoded_as_windows_1252_is_repaired(tmp_path: Path) -> None:
    # A TCVN3 document pasted into a UTF-8 file: the bytes are valid UTF-8, the letters are not Vietnamese.
    mojibake = encode_tcvn3(TRA_VINH).decode("cp1252", "replace")
    doc = _load(tmp_path, ("Báo cáo chính trị\n" + mojibake).encode("utf-8"))
    assert doc.encoding == "tcvn3"
    text = doc.pages[0].text
    assert text.startswith("Báo cáo chính trị\n")  # the genuine Unicode line is left alone
    assert text.split("\n", 1)[1].casefold() == TRA_VINH.casefold()


def test_double_encoded_utf8_is_repaired() -> None:
    # UTF-8 bytes shown as Windows-1252 and saved again ("Nghá»‹ quyáº¿t").
    broken = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in HAU_GIANG.encode("utf-8"))
    fixed = fix_mojibake(broken, "x.txt")
    assert fixed.text == HAU_GIANG
    assert fixed.notes


def test_unreliable_legacy_text_is_refused_with_the_encoding_named(tmp_path: Path) -> None:
    # A third of the letters stored on codes the TCVN3 table leaves to Windows punctuation (a font
    # variant): recognisably TCVN3, but the conversion would index garbage, so the file is refused.
    rng = random.Random(7)
    data = bytearray(encode_tcvn3(TRA_VINH))
    for i in range(len(data)):
        if data[i] >= 0xA0 and rng.random() < 0.3:
            data[i] = rng.choice(b"\x80\x82\x83\x84\x86\x87\x88\x89\x8a\x8b\x8c\x8e\x91\x92\x95\x96\x97\x98")
    data = bytes(data)
    assert 0.6 < vietnamese_score(decode_tcvn3(data)) < 0.85
    with pytest.raises(EncodingProblem) as info:
        _load(tmp_path, data)
    assert "văn bản dùng bảng mã TCVN3" in info.value.message
    assert "Unikey" in (info.value.hint or "")


def test_mojibake_that_does_not_convert_is_never_indexed_silently() -> None:
    # TCVN3-looking bytes that convert to no Vietnamese word ("tịếỉ", "ngạàả"): a damaged legacy file.
    rng = random.Random(5)
    marks = "ÕØ×Þ¸µ¶·¹§®"
    garbage = " ".join(rng.choice(["t", "ng", "h", "tr"]) + "".join(rng.choices(marks, k=3)) for _ in range(300))
    with pytest.raises(EncodingProblem) as info:
        fix_mojibake(garbage, "cu.txt")
    assert "TCVN3" in info.value.message
    assert "Unikey" in (info.value.hint or "")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(4000),                                        # with NULs
        bytes(b or 1 for b in random.Random(2).randbytes(4000)),                 # controls, no NUL
        bytes(b | 0x80 for b in random.Random(3).randbytes(4000)),               # high bytes only
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    ],
    ids=["random", "no-nul", "high-bytes", "png"],
)
def test_binary_junk_renamed_txt_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(EncodingProblem) as info:
        _load(tmp_path, data, "bao-cao.txt")
    assert "bao-cao.txt" in info.value.message
    assert "nhị phân" in info.value.message or "bảng mã" in info.value.message


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \r\n", "\ufeff".encode("utf-8"), "  \n".encode("utf-16")])
def test_empty_and_whitespace_files_are_empty_documents(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(EmptyDocument) as info:
        _load(tmp_path, data, "rong.txt")
    assert "rong.txt" in info.value.message


def test_a_five_megabyte_single_line_loads_fast(tmp_path: Path) -> None:
    line = ("Tốc độ tăng trưởng kinh tế (GRDP) đạt 7,5% trở lên; thu nhập bình quân 70 triệu đồng. " * 60000)[: 5_000_000]
    assert "\n" not in line and len(line.encode()) > 5_000_000
    started = time.perf_counter()
    pages = load_pages(_write(tmp_path, line.encode("utf-8"), "dai.txt"), Settings())
    elapsed = time.perf_counter() - started
    assert pages[0].text == line
    assert elapsed < 5, f"5 MB line took {elapsed:.1f}s"


def test_syllable_validator_tells_vietnamese_from_mojibake() -> None:
    for word in ("nghị", "quyết", "người", "khuỷu", "giữ", "gì", "Trà", "Vinh", "tăng", "trưởng", "oanh", "xuyên"):
        assert is_vietnamese_syllable(word), word
    for word in ("quyeát", "tænh", "nghþ", "quyõt", "ñaûng", "GRDP", "hòaá"):
        assert not is_vietnamese_syllable(word), word
    assert vietnamese_score(HAU_GIANG) > 0.95
    assert vietnamese_score(encode_tcvn3(HAU_GIANG).decode("cp1252")) < 0.6
    assert vietnamese_score(encode_vni(HAU_GIANG).decode("cp1252")) < 0.6


def test_no_line_of_the_corpus_is_mistaken_for_mojibake() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            fixed = fix_mojibake(line, path.name)
            assert (fixed.encoding, fixed.text) == ("", line), line[:80]


def test_utf8_with_a_stray_byte_is_still_utf8(tmp_path: Path) -> None:
    data = HAU_GIANG.encode("utf-8") + b" \x93" + TRA_VINH.encode("utf-8")[:-1]  # a cp1252 quote; a cut last char
    doc = _load(tmp_path, data)
    assert doc.encoding == "utf-8"
    assert doc.pages[0].text.startswith(HAU_GIANG + " \ufffd")
    assert any("không hợp lệ" in note for note in doc.notes)


def test_large_legacy_files_convert_in_linear_time(tmp_path: Path) -> None:
    # ~1 MB each: a quadratic step (case restoration, VNI composition) would take minutes here.
    text = (TRA_VINH + "\n\n") * 800
    for encode, name in ((encode_tcvn3, "tcvn3"), (encode_vni, "vni")):
        started = time.perf_counter()
        doc = _load(tmp_path, encode(text), f"{name}.txt")
        assert doc.encoding == name
        assert doc.pages[0].text.casefold() == text.casefold()
        assert time.perf_counter() - started < 30
