"""Vietnamese text keys: NFC, one canonical tone-mark placement, diacritic folding.

These produce *keys* for indexing and matching. Displayed and cited text stays as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = set("aeiouyăâêôơư")
_MARKED = set("ăâêôơư")  # vowels carrying a quality mark take the tone first
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split_tone(word: str) -> tuple[str, str | None]:
    """The word without its tone mark (NFC) and the tone mark, if any."""
    tone = None
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(base: str) -> int | None:
    """Index of the letter that carries the tone, in the traditional placement (hòa, thủy, khỏe)."""
    low = base.lower()
    start = 0
    if low.startswith("qu") and len(low) > 2 and low[2] in _VOWELS:
        start = 2
    elif low.startswith("gi") and len(low) > 2 and low[2] in _VOWELS:
        start = 2
    first = next((i for i in range(start, len(low)) if low[i] in _VOWELS), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(low) and low[last + 1] in _VOWELS:
        last += 1
    cluster = range(first, last + 1)
    marked = [i for i in cluster if low[i] in _MARKED]
    if marked:
        return marked[-1]  # ươ → ơ; otherwise the only marked vowel
    if len(cluster) == 1:
        return first
    if last + 1 < len(low):  # closed syllable: the last vowel (hoàng, huỳnh)
        return last
    if len(cluster) >= 3:
        return first + 1  # ngoài, khuỷu
    return first  # open two-vowel syllable, traditional style: hòa, thủy, mía


def _retone(word: str) -> str:
    base, tone = _split_tone(word)
    if tone is None:
        return word if base == word else base
    pos = _tone_position(base)
    if pos is None:
        return word
    decomposed = unicodedata.normalize("NFD", base[pos]) + tone
    return base[:pos] + unicodedata.normalize("NFC", decomposed) + base[pos + 1 :]


@lru_cache(maxsize=65536)
def _retone_cached(word: str) -> str:
    return _retone(word)


def canonical_tones(text: str) -> str:
    """NFC text with every syllable's tone mark on one canonical letter (hoà → hòa, uỷ → ủy)."""
    return _WORD.sub(lambda m: _retone_cached(m.group(0)), nfc(text))


def fold_diacritics(text: str) -> str:
    """Remove every diacritic (đ → d): the key for questions typed without accents."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


# "tỉ lệ"/"tỷ lệ", "kĩ thuật"/"kỹ thuật", "lí do"/"lý do", "Mĩ"/"Mỹ": after a consonant, a syllable whose only
# vowel is i may be written with y (both spellings are standard), and "qui" is the older "quy". Keys use i,
# except in "quy" where the u is a glide and y the vowel. Only whole syllables change ("tỷ" but not "tuy").
_I_OR_Y = re.compile(r"(?<![^\W\d_])([bcdđghklmnprstvx]+)([yýỳỷỹỵ])(?![^\W\d_])")
_QUI = re.compile(r"(?<![^\W\d_])(qu)([iíìỉĩị])(?![^\W\d_])")
_Y_TO_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")
_I_TO_Y = str.maketrans("iíìỉĩị", "yýỳỷỹỵ")


def _respell(text: str) -> str:
    text = _I_OR_Y.sub(lambda m: m.group(1) + m.group(2).translate(_Y_TO_I), text)
    return _QUI.sub(lambda m: m.group(1) + m.group(2).translate(_I_TO_Y), text)


def spelling_key(text: str) -> str:
    """Lower-case `text` with the i/y spelling variants made one (tỷ → tỉ, kỹ → kĩ, qui → quy)."""
    return _respell(text.lower())


def key_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A regex written in ordinary spelling, compiled to match `index_key` text ("tỷ lệ" finds "tỉ lệ")."""
    return re.compile(_respell(pattern), flags)


def index_key(text: str) -> str:
    """Lower-case canonical-tone NFC key: equal for hoà/hòa, Uỷ/Ủy, tỉ/tỷ, NFC/NFD input.

    Its length equals the NFC text's, so offsets in a key point into the text.
    """
    return spelling_key(canonical_tones(text).lower())


def has_diacritics(text: str) -> bool:
    return fold_diacritics(text) != nfc(text)
