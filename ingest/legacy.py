"""Pre-Unicode Vietnamese encodings still found in provincial archives: TCVN3 (ABC) and VNI.

Both are 8-bit *font* encodings: the bytes are ordinary cp1252 bytes, the Vietnamese letters exist
only in fonts such as `.VnTime` (TCVN3) or `VNI-Times` (VNI). Read with any standard code page they
give characteristic mojibake — TCVN3 "NghÞ quyÕt", VNI "Nghò quyeát" for "Nghị quyết".

This module works on *byte values*: `decode_tcvn3(data)` / `decode_vni(data)` turn raw bytes into
Unicode, and `legacy_bytes(text)` recovers the byte values from text that was already (mis)decoded as
cp1252/latin-1, so the same tables serve .txt files, HTML pages and PDF/DOCX text runs.
Deciding *whether* a text is legacy-encoded is the job of `ingest.encoding`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

TCVN3 = "tcvn3"
VNI = "vni"
LEGACY_NAMES = {TCVN3: "TCVN3 (ABC)", VNI: "VNI"}

# TCVN 5712:1993 "VN3" (ABC): lower-case letters with tone marks and the seven upper-case base letters
# Ă Â Ê Ô Ơ Ư Đ. Upper-case letters *with* tone marks have no code: documents set them with a
# capitals-only font (.VnTimeH) on the lower-case byte, so case is restored separately.
# Per vowel the tones run huyền, hỏi, ngã, sắc, nặng (à ả ã á ạ).
_TCVN3_ROWS: dict[str, tuple[int, ...]] = {
    "àảãáạ": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ằẳẵắặ": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "ầẩẫấậ": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "èẻẽéẹ": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ềểễếệ": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "ìỉĩíị": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "òỏõóọ": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ồổỗốộ": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ờởỡớợ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "ùủũúụ": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ừửữứự": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "ỳỷỹýỵ": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
    "ĂÂÊÔƠƯĐ": (0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7),
    "ăâêôơưđ": (0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE),
}
# TCVN 5712 "VN1" fills the gaps of VN3 with capitals; harmless to accept (VN3 leaves them unused).
# Its other capitals sit on 0x80–0x9F and control codes, where VN3 files keep Windows-1252 punctuation
# (“ ” – …), so those are deliberately not mapped.
_TCVN1_CAPITALS: dict[int, str] = {
    0xAF: "Ằ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề",
    0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
    0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323",
}
TCVN3_DECODE: dict[int, str] = {
    **{b: ch for chars, codes in _TCVN3_ROWS.items() for ch, b in zip(chars, codes, strict=True)},
    **_TCVN1_CAPITALS,
}
TCVN3_ENCODE: dict[str, int] = {ch: b for b, ch in TCVN3_DECODE.items() if b not in _TCVN1_CAPITALS}

# VNI Windows: a base letter followed by one "modifier" byte carrying the quality mark and/or tone.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MODIFIERS_LOWER = {
    0xF8: ("", _GRAVE), 0xF9: ("", _ACUTE), 0xFB: ("", _HOOK), 0xF5: ("", _TILDE), 0xEF: ("", _DOT),
    0xE2: (_CIRC, ""), 0xE0: (_CIRC, _GRAVE), 0xE1: (_CIRC, _ACUTE), 0xE5: (_CIRC, _HOOK),
    0xE3: (_CIRC, _TILDE), 0xE4: (_CIRC, _DOT),
    0xEA: (_BREVE, ""), 0xE8: (_BREVE, _GRAVE), 0xE9: (_BREVE, _ACUTE), 0xFA: (_BREVE, _HOOK),
    0xFC: (_BREVE, _TILDE), 0xEB: (_BREVE, _DOT),
}
# The upper-case modifier bytes sit 0x20 lower, as in Latin-1 (ø/Ø, ù/Ù, â/Â ...).
VNI_MODIFIERS: dict[int, tuple[str, str]] = {
    **_VNI_MODIFIERS_LOWER,
    **{b - 0x20: mod for b, mod in _VNI_MODIFIERS_LOWER.items()},
}
VNI_STANDALONE: dict[int, str] = {
    0xF1: "đ", 0xD1: "Đ", 0xF4: "ơ", 0xD4: "Ơ", 0xF6: "ư", 0xD6: "Ư",
    0xEC: "ì", 0xCC: "Ì", 0xED: "í", 0xCD: "Í", 0xE6: "ỉ", 0xC6: "Ỉ",
    0xF3: "ĩ", 0xD3: "Ĩ", 0xF2: "ị", 0xD2: "Ị", 0xEE: "ỵ", 0xCE: "Ỵ",
}
_VNI_BASES = set("aeouyAEOUYơƠưƯ")
_BREVE_BASES = set("aA")
_CIRC_BASES = set("aeoAEO")


def legacy_bytes(text: str) -> bytes | None:
    """Byte values behind text that was decoded as cp1252/latin-1; None if any char cannot be one byte."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    out = bytearray()  # a mix of C1 controls and cp1252-only characters (€, “, ‹ ...)
    for ch in text:
        code = ord(ch)
        if code < 0x100:
            out.append(code)
            continue
        try:
            encoded = ch.encode("cp1252")
        except UnicodeEncodeError:
            return None
        out.extend(encoded)
    return bytes(out)


def _charmap(overrides: dict[int, str]) -> str:
    """A 256-character decoding table: ASCII, then the overrides, then Windows-1252 for the rest."""
    table = []
    for b in range(256):
        if b in overrides:
            table.append(overrides[b])
        elif b < 0x80:
            table.append(chr(b))
        else:
            table.append(bytes([b]).decode("cp1252", "replace"))
    return "".join(table)


_TCVN3_TABLE = _charmap(TCVN3_DECODE)
# VNI decodes in two passes: bytes → characters (modifier bytes as their Latin-1 look-alikes), then
# each vowel + modifier pair is composed into one letter.
_VNI_TABLE = _charmap({**VNI_STANDALONE, **{b: chr(b) for b in VNI_MODIFIERS}})
_VNI_PAIR = re.compile("([aeouyAEOUYơƠưƯ])([" + "".join(chr(b) for b in VNI_MODIFIERS) + "])")


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 bytes → NFC Unicode, with capitals restored where the word was set in a capitals font."""
    text, _ = codecs.charmap_decode(data, "replace", _TCVN3_TABLE)
    return restore_capitals(unicodedata.normalize("NFC", text))


def decode_vni(data: bytes) -> str:
    """VNI Windows bytes → NFC Unicode."""
    text, _ = codecs.charmap_decode(data, "replace", _VNI_TABLE)
    return unicodedata.normalize("NFC", _VNI_PAIR.sub(lambda m: _vni_compose(m.group(0)), text))


@lru_cache(maxsize=1024)
def _vni_compose(pair: str) -> str:
    """One vowel + VNI modifier → the composed letter (or the pair unchanged if they do not combine)."""
    base, modifier = pair[0], VNI_MODIFIERS[ord(pair[1])]
    if not _accepts(base, modifier):
        return pair
    quality, tone = modifier
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", base) + quality + tone)


def _accepts(previous: str, modifier: tuple[str, str]) -> bool:
    """Whether a VNI modifier byte attaches to the letter before it (else it is a literal character)."""
    decomposed = unicodedata.normalize("NFD", previous)
    base, marks = decomposed[0], decomposed[1:]
    if any(m in marks for m in (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)):
        return False  # a letter carries one tone only
    quality, tone = modifier
    if quality and marks:
        return False
    if quality == _BREVE:
        return base in _BREVE_BASES
    if quality == _CIRC:
        return base in _CIRC_BASES
    return previous in _VNI_BASES or (base in _VNI_BASES and bool(marks))


def decode_legacy(data: bytes, encoding: str) -> str:
    if encoding == TCVN3:
        return decode_tcvn3(data)
    if encoding == VNI:
        return decode_vni(data)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


_WORD = re.compile(r"[^\W\d_]+")
# Lower-case letters whose capital TCVN3 cannot encode: only these can have lost their case.
_TCVN3_UNCASED = frozenset(ch for ch in TCVN3_DECODE.values() if ch.islower() and ch not in "ăâêôơưđ")
_UNCASED = "".join(sorted(_TCVN3_UNCASED))
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de" + "".join(sorted({ch for ch in TCVN3_DECODE.values() if ch.isupper()}))
# Words made only of capitals and case-less toned letters: the only ones a capitals font can produce.
_CAPS_FONT_WORD = re.compile(f"(?<![^\\W\\d_])[{_UPPER}{_UNCASED}]+(?![^\\W\\d_])")
_CAPS_RUN = re.compile(f"[{_UPPER}]{{2}}")
# After a sentence end or at the start: not at every line start, since a wrapped line continues a sentence.
_SENTENCE_START = re.compile(f"(^|[.!?…][\"”’)]*\\s+)([\"'“‘(]*)([{_UNCASED}])")


def restore_capitals(text: str) -> str:
    """Restore capitals TCVN3 could not encode: "NGHị QUYếT" → "NGHỊ QUYẾT", "ủy ban" at a sentence start.

    Regular expressions pick the few candidate words so a 5 MB file stays fast.
    """

    def capitals_font(word: str) -> int:
        """Capital count of a word whose only lower-case letters are ones TCVN3 cannot capitalise, else 0."""
        lower = [c for c in word if c.islower()]
        if not lower or any(c not in _TCVN3_UNCASED for c in lower):
            return 0
        return sum(1 for c in word if c.isupper())

    # "NGHị", "QUYếT": set in a capitals-only font.
    text = _CAPS_FONT_WORD.sub(lambda m: m.group(0).upper() if capitals_font(m.group(0)) >= 2 else m.group(0), text)

    def fix_heading_line(line: str) -> str:
        words = list(_WORD.finditer(line))
        fixed = [m.group(0) for m in words]
        for i, word in enumerate(fixed):
            neighbours = [fixed[j] for j in (i - 1, i + 1) if 0 <= j < len(fixed)]
            if not any(_all_caps(w) for w in neighbours):
                continue
            if capitals_font(word) == 1 or (len(word) == 1 and word in _TCVN3_UNCASED and all(
                    _all_caps(w) for w in neighbours) and len(neighbours) == 2):
                fixed[i] = word.upper()  # "Về" in "NGHỊ QUYẾT VỀ NHIỆM VỤ", a lone "ở"; "Hồ Chí Minh" stays
        out, last = [], 0
        for match, word in zip(words, fixed, strict=True):
            out.extend((line[last : match.start()], word))
            last = match.end()
        out.append(line[last:])
        return "".join(out)

    if _CAPS_RUN.search(text):
        text = "\n".join(fix_heading_line(ln) if _CAPS_RUN.search(ln) else ln for ln in text.split("\n"))
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text)


def _all_caps(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


# --- the inverse mappings: used by tests (round trips) and to explain problems -------------------
def encode_tcvn3(text: str) -> bytes:
    """Unicode → TCVN3 bytes, as a 1990s word processor would store it (capitals with tones lose case)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch < "\x80":
            out.append(ord(ch))
        elif ch in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[ch])
        elif ch.lower() in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[ch.lower()])
        else:
            out.extend(_cp1252_byte(ch, "TCVN3"))
    return bytes(out)


_VNI_TONE_CODE = {_GRAVE: 0xF8, _ACUTE: 0xF9, _HOOK: 0xFB, _TILDE: 0xF5, _DOT: 0xEF}
_VNI_CIRC_CODE = {"": 0xE2, _GRAVE: 0xE0, _ACUTE: 0xE1, _HOOK: 0xE5, _TILDE: 0xE3, _DOT: 0xE4}
_VNI_BREVE_CODE = {"": 0xEA, _GRAVE: 0xE8, _ACUTE: 0xE9, _HOOK: 0xFA, _TILDE: 0xFC, _DOT: 0xEB}
_VNI_I_CODE = {_GRAVE: 0xEC, _ACUTE: 0xED, _HOOK: 0xE6, _TILDE: 0xF3, _DOT: 0xF2}


def encode_vni(text: str) -> bytes:
    """Unicode → VNI Windows bytes."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch < "\x80":
            out.append(ord(ch))
            continue
        if ch not in VNI_CHARS and ch.encode("cp1252", "ignore"):
            out.extend(_cp1252_byte(ch, "VNI"))
            continue
        upper = ch.isupper()
        shift = -0x20 if upper else 0
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((m for m in marks if m in _VNI_TONE_CODE), "")
        quality = "".join(m for m in marks if m not in _VNI_TONE_CODE)
        low = base.lower()
        if ch in "đĐ":
            out.append(0xF1 + shift)
        elif low == "i" and not quality and tone:
            out.append(_VNI_I_CODE[tone] + shift)
        elif low == "y" and tone == _DOT and not quality:
            out.append(0xEE + shift)
        elif quality == "\u031b":  # horn: ơ / ư are single bytes, the tone follows
            out.append((0xF4 if low == "o" else 0xF6) + shift)
            if tone:
                out.append(_VNI_TONE_CODE[tone] + shift)
        elif quality == _CIRC:
            out.extend((ord(base), _VNI_CIRC_CODE[tone] + shift))
        elif quality == _BREVE:
            out.extend((ord(base), _VNI_BREVE_CODE[tone] + shift))
        elif not quality and tone and low in "aeouy":
            out.extend((ord(base), _VNI_TONE_CODE[tone] + shift))
        else:
            raise ValueError(f"{ch!r} has no VNI code")
    return bytes(out)


def _cp1252_byte(ch: str, encoding: str) -> bytes:
    """Punctuation outside the Vietnamese letters (“ ” – …) is stored as in Windows-1252."""
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        raise ValueError(f"{ch!r} has no {encoding} code") from None


# Letters VNI spells with base + modifier bytes (everything with a Vietnamese diacritic).
VNI_CHARS = frozenset(
    unicodedata.normalize("NFC", base + mark)
    for base in "aeiouyAEIOUY"
    for mark in ("", _GRAVE, _ACUTE, _HOOK, _TILDE, _DOT, _CIRC, _BREVE, "\u031b")
) | frozenset(
    unicodedata.normalize("NFC", base + quality + tone)
    for base in "aeouAEOU"
    for quality in (_CIRC, _BREVE, "\u031b")
    for tone in (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)
) | frozenset("đĐ")
