"""Turn the bytes of a text file into Unicode without assuming an encoding.

Order of evidence: a byte-order mark; the NUL pattern of BOM-less UTF-16; strict UTF-8; otherwise
every plausible single-byte reading (cp1258, TCVN3, VNI, cp1252) is scored by how Vietnamese its
words look and the best one wins. Text that decodes but is legacy mojibake (TCVN3/VNI read as cp1252,
or UTF-8 read as cp1252) is repaired by `fix_mojibake`, which the HTML/DOCX/PDF loaders use as well.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.legacy import LEGACY_NAMES, TCVN3, VNI, decode_legacy, legacy_bytes
from core.errors import EmptyDocument, EncodingProblem

# Vietnamese syllable structure: onset + nucleus (+ coda). Used only to score candidate decodings.
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_CODAS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "")
_OPEN_NUCLEI = {  # end in a glide: no final consonant may follow
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu", "ia", "ua", "ưa",
    "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "iêu", "yêu", "uyu", "uêu", "uya",
}
_NUCLEI = _OPEN_NUCLEI | {
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă", "oe", "oo", "uâ",
    "uê", "uô", "uơ", "uy", "ươ", "uyê", "ôô",
}
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE_CHARS = 200_000  # scoring a sample keeps a 5 MB file as fast as a 5 kB one


@lru_cache(maxsize=32768)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` (any case, NFC) is a well-formed Vietnamese syllable (tones included)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rest = base[len(onset):]
        for coda in _CODAS:
            if coda and not rest.endswith(coda):
                continue
            nucleus = rest[: len(rest) - len(coda)] if coda else rest
            if nucleus in _NUCLEI and not (coda and nucleus in _OPEN_NUCLEI):
                return True
    return False


# Characters that Vietnamese prose does not use but legacy/UTF-8 mojibake is full of.
_SUSPICIOUS = re.compile("[\u0080-\u009f\u00a1-\u00bf\u00d7\u00f7\ufffd\u0192\u02c6\u02dc\u2020\u2021\u2030\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


def vietnamese_score(text: str) -> float:
    """Share of words that are Vietnamese syllables (0..1); ASCII non-syllables (GRDP, USD) are neutral."""
    sample = text[:_SAMPLE_CHARS]
    good = bad = 0
    for match in _WORD.finditer(sample):
        word = match.group(0)
        if is_vietnamese_syllable(word):
            good += 1
        elif not word.isascii():
            bad += 1
    bad += len(_SUSPICIOUS.findall(sample))
    total = good + bad
    return good / total if total else 0.0


def diacritic_words(text: str) -> int:
    """How many words carry Vietnamese diacritics (evidence that a reading is Vietnamese at all)."""
    return sum(1 for m in _WORD.finditer(text[:_SAMPLE_CHARS]) if not m.group(0).isascii() and is_vietnamese_syllable(m.group(0)))


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with the encoding that was detected and notes for the user."""

    text: str
    encoding: str
    notes: tuple[str, ...] = field(default_factory=tuple)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GOOD_SCORE = 0.85      # a reading this Vietnamese is accepted
_WEAK_SCORE = 0.6       # below this no reading is trusted
_NOT_TEXT_SCORE = 0.35  # below this the bytes are not Vietnamese text in any encoding
_HINT_UTF8 = "Hãy mở tệp bằng Notepad và lưu lại với bảng mã UTF-8 (Save As → Encoding: UTF-8) rồi nạp lại."


def _legacy_hint(encoding: str) -> str:
    return (
        f"Hãy chuyển tệp sang Unicode bằng Unikey (Công cụ chuyển mã, nguồn {LEGACY_NAMES[encoding]}, "
        "đích Unicode) rồi nạp lại."
    )


def decode_bytes(data: bytes, name: str) -> DecodedText:
    """Detect the encoding of a text file's bytes and return NFC Unicode (raises EncodingProblem/EmptyDocument)."""
    if not data.strip(b" \t\r\n\x00\x0c\x0b"):
        raise EmptyDocument(f"Tệp “{name}” rỗng, không có nội dung văn bản.", hint="Hãy kiểm tra lại tệp trước khi nạp.")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise EncodingProblem(
                    f"Tệp “{name}” có dấu BOM của {encoding.upper()} nhưng nội dung không đúng bảng mã này "
                    f"(lỗi ở byte {exc.start}).",
                    hint=_HINT_UTF8,
                ) from exc
            return _finish(text, encoding, name)
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _finish(data.decode(utf16), utf16, name)
    if b"\x00" in data:
        raise _binary(name, "chứa byte NUL")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # A UTF-8 file with a stray byte (a truncated last character, one pasted Windows quote) is
        # still UTF-8; legacy code pages produce invalid sequences in nearly every word instead.
        lenient = data.decode("utf-8", errors="replace")
        bad = lenient.count("\ufffd")
        if bad <= max(3, len(data) // 2000) and vietnamese_score(lenient.replace("\ufffd", " ")) >= _GOOD_SCORE:
            note = f"Tệp có {bad} byte không hợp lệ trong UTF-8; đã thay bằng ký tự “\ufffd”."
            return _finish(lenient, "utf-8", name, notes=(note,))
        return _finish_single_byte(data, name)
    return _finish(text, "utf-8", name)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM shows as NULs in every other byte (ASCII letters, spaces, digits)."""
    sample = data[:65536]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros >= 0.2 and other <= 0.02:
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _finish_single_byte(data: bytes, name: str) -> DecodedText:
    """Not UTF-8: score every single-byte reading of a sample and keep the most Vietnamese one."""
    sample = data[:_SAMPLE_CHARS]
    candidates = {enc: _decode_single_byte(sample, enc) for enc in ("cp1258", TCVN3, VNI, "cp1252")}
    scores = {enc: vietnamese_score(text) for enc, text in candidates.items()}
    best = max(scores, key=lambda enc: (scores[enc], diacritic_words(candidates[enc])))
    if len(data) > len(sample):
        candidates = {**candidates, best: _decode_single_byte(data, best), "cp1252": _decode_single_byte(data, "cp1252")}
    if best in (TCVN3, VNI) and scores[best] >= _GOOD_SCORE:
        return _finish(candidates[best], best, name, notes=(_converted_note(best),), fix=False)
    if best in (TCVN3, VNI) or scores[best] < _WEAK_SCORE:
        _check_binary(candidates["cp1252"], name)
        if scores[best] < _NOT_TEXT_SCORE:
            raise _binary(name, "không có từ tiếng Việt nào đọc được với mọi bảng mã")
        if best in (TCVN3, VNI):
            raise _legacy_problem(name, best)  # recognisably legacy, but too damaged to convert safely
        raise EncodingProblem(
            f"Không nhận ra bảng mã của tệp “{name}”: nội dung không phải UTF-8, UTF-16, "
            "Windows-1258, TCVN3 hay VNI.",
            hint=_HINT_UTF8,
        )
    return _finish(candidates[best], best, name)


def _decode_single_byte(data: bytes, encoding: str) -> str:
    if encoding in (TCVN3, VNI):
        return decode_legacy(data, encoding)
    return unicodedata.normalize("NFC", data.decode(encoding, errors="replace"))


def _finish(text: str, encoding: str, name: str, *, notes: tuple[str, ...] = (), fix: bool = True) -> DecodedText:
    text = unicodedata.normalize("NFC", text)
    _check_binary(text, name)
    if fix:
        fixed = fix_mojibake(text, name)
        if fixed.encoding:
            return DecodedText(fixed.text, fixed.encoding, notes + fixed.notes)
    if not text.strip():
        raise EmptyDocument(f"Tệp “{name}” chỉ có khoảng trắng, không có nội dung văn bản.",
                            hint="Hãy kiểm tra lại tệp trước khi nạp.")
    return DecodedText(text, encoding, notes)


def _converted_note(encoding: str) -> str:
    return f"Văn bản dùng bảng mã {LEGACY_NAMES[encoding]} cũ; đã tự động chuyển sang Unicode."


def _legacy_problem(name: str, encoding: str) -> EncodingProblem:
    return EncodingProblem(
        f"Tệp “{name}”: văn bản dùng bảng mã {LEGACY_NAMES[encoding]} cũ và không chuyển đổi được "
        "một cách tin cậy, nên không nạp để tránh lưu chữ lỗi.",
        hint=_legacy_hint(encoding),
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def _check_binary(text: str, name: str) -> None:
    """Binary junk renamed .txt: control characters, replacement characters, few letters."""
    sample = text[:_SAMPLE_CHARS]
    visible = [c for c in sample if not c.isspace()]
    if not visible:
        return
    controls = len(_CONTROL.findall(sample))
    if controls / len(sample) > 0.01:
        raise _binary(name, f"{controls} ký tự điều khiển trong {len(sample)} ký tự đầu")
    letters = sum(1 for c in visible if c.isalpha())
    if len(visible) >= 64 and letters / len(visible) < 0.2:
        raise _binary(name, f"chỉ {letters * 100 // len(visible)}% là chữ cái")


def _binary(name: str, why: str) -> EncodingProblem:
    return EncodingProblem(
        f"Tệp “{name}” không phải văn bản: có vẻ là dữ liệu nhị phân ({why}).",
        hint="Hãy kiểm tra lại tệp; nếu đó là tệp Word/PDF bị đổi tên, hãy dùng đúng phần mở rộng (.docx, .pdf).",
    )


def fix_mojibake(text: str, name: str) -> DecodedText:
    """Repair text that decoded cleanly but is really TCVN3/VNI or double-encoded UTF-8.

    Returns `DecodedText(text, encoding="")` when nothing needed fixing. Raises EncodingProblem when
    the text is clearly legacy-encoded but no reading is trustworthy, so garbage is never indexed.
    Lines holding characters a single-byte code page cannot produce are genuine Unicode and kept as
    they are, so a document that mixes a Unicode header with a TCVN3 body is repaired line by line.
    """
    if text.isascii():
        return DecodedText(text, "")
    lines = text.split("\n")
    raw = [legacy_bytes(line) for line in lines]
    suspects = [(line, data) for line, data in zip(lines, raw, strict=True) if data is not None and not data.isascii()]
    if not suspects:
        return DecodedText(text, "")
    suspect_text = "\n".join(line for line, _ in suspects)
    suspect = b"\n".join(data for _, data in suspects)
    before = vietnamese_score(suspect_text)
    if before >= _GOOD_SCORE:
        return DecodedText(text, "")
    readings = {enc: decode_legacy(suspect, enc) for enc in (TCVN3, VNI)}
    try:
        readings["utf-8"] = suspect.decode("utf-8")
    except UnicodeDecodeError:
        pass
    scores = {enc: vietnamese_score(reading) for enc, reading in readings.items()}
    best = max(scores, key=lambda enc: scores[enc])
    # A word or two proves nothing ("Hôm nay" is Latin-1 too): converting needs several Vietnamese words.
    evidence = diacritic_words(readings[best]) - diacritic_words(suspect_text)
    if scores[best] >= _GOOD_SCORE and scores[best] - before >= 0.2 and evidence >= 3:
        fixed = [
            line if data is None or data.isascii() else _decode_line(data, best)
            for line, data in zip(lines, raw, strict=True)
        ]
        note = (_converted_note(best),) if best in LEGACY_NAMES else (
            "Văn bản bị lỗi phông do đọc nhầm UTF-8 thành Windows-1252; đã tự động sửa.",)
        return DecodedText(unicodedata.normalize("NFC", "\n".join(fixed)), best, note)
    legacy = _looks_legacy(suspect_text)
    if legacy and before < _WEAK_SCORE:
        raise _legacy_problem(name, legacy)
    return DecodedText(text, "")


def _decode_line(data: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        return data.decode("utf-8", errors="replace")
    return decode_legacy(data, encoding)


_TCVN3_MARKERS = re.compile("[\u00a7\u00ae\u00b5-\u00b9\u00bb-\u00be\u00c6-\u00cb\u00d5-\u00d8\u00de\u00f7\u00a9\u00ab\u00ac\u00ad\u00a8]")
_VNI_MARKERS = re.compile("[aeouyAEOUY\u00f4\u00f6\u00d4\u00d6][\u00f8\u00f9\u00fb\u00f5\u00ef\u00e2\u00e0\u00e1\u00e5\u00e3\u00e4\u00ea\u00e8\u00e9\u00fa\u00fc\u00eb\u00d8\u00d9\u00db\u00d5\u00cf\u00c2\u00c0\u00c1\u00c5\u00c3\u00c4\u00ca\u00c8\u00c9\u00da\u00dc\u00cb]")


def _looks_legacy(text: str) -> str | None:
    """Which legacy encoding the mojibake resembles, if any (used only to word the error)."""
    words = _WORD.findall(text[:_SAMPLE_CHARS])
    if not words:
        return None
    tcvn = len(_TCVN3_MARKERS.findall(text[:_SAMPLE_CHARS]))
    vni = len(_VNI_MARKERS.findall(text[:_SAMPLE_CHARS]))
    if max(tcvn, vni) < max(3, len(words) // 20):
        return None
    return TCVN3 if tcvn >= vni else VNI
