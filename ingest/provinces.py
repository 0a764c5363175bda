"""The 63 provinces and centrally-run cities of Vietnam (the list in force until mid-2025) and finding them in text.

Matching works with and without diacritics and with either tone-mark style (Khánh Hoà / Khánh Hòa),
on word boundaries. Accented text must spell the name with its own accents ("diễn biến" is not
"Điện Biên"); names that are also ordinary phrases ("hòa bình" = peace, "đa năng" = versatile) count only
when written as a proper noun (Title Case, ALL CAPS) or after a word such as "tỉnh" / "thành phố".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.vietnamese import fold_diacritics, has_diacritics, index_key, nfc

# Canonical name → other spellings in real use (old spellings, joined forms, English exonyms).
# Tone-style variants (Hoà/Hòa) and unaccented forms need no entry: matching folds them.
_PROVINCES: dict[str, tuple[str, ...]] = {
    "An Giang": (),
    "Bà Rịa - Vũng Tàu": ("Bà Rịa Vũng Tàu", "BR-VT", "BRVT", "Vũng Tàu"),
    "Bắc Giang": (),
    "Bắc Kạn": ("Bắc Cạn",),
    "Bạc Liêu": (),
    "Bắc Ninh": (),
    "Bến Tre": (),
    "Bình Định": (),
    "Bình Dương": (),
    "Bình Phước": (),
    "Bình Thuận": (),
    "Cà Mau": (),
    "Cao Bằng": (),
    "Đắk Lắk": ("Đắc Lắc", "Đắk Lắc", "Daklak", "Đăk Lăk", "Đăk Lắk", "Đắc Lắk", "Dak Lak"),
    "Đắk Nông": ("Đắc Nông", "Daknong", "Đăk Nông", "Dak Nong"),
    "Điện Biên": (),
    "Đồng Nai": (),
    "Đồng Tháp": (),
    "Gia Lai": (),
    "Hà Giang": (),
    "Hà Nam": (),
    "Hà Tĩnh": (),
    "Hải Dương": (),
    "Hậu Giang": (),
    "Hòa Bình": (),
    "Hưng Yên": (),
    "Khánh Hòa": (),
    "Kiên Giang": (),
    "Kon Tum": ("Kontum",),
    "Lai Châu": (),
    "Lâm Đồng": (),
    "Lạng Sơn": (),
    "Lào Cai": (),
    "Long An": (),
    "Nam Định": (),
    "Nghệ An": (),
    "Ninh Bình": (),
    "Ninh Thuận": (),
    "Phú Thọ": (),
    "Phú Yên": (),
    "Quảng Bình": (),
    "Quảng Nam": (),
    "Quảng Ngãi": (),
    "Quảng Ninh": (),
    "Quảng Trị": (),
    "Sóc Trăng": (),
    "Sơn La": (),
    "Tây Ninh": (),
    "Thái Bình": (),
    "Thái Nguyên": (),
    "Thanh Hóa": (),
    "Thừa Thiên Huế": ("TT-Huế", "Huế"),
    "Tiền Giang": (),
    "Trà Vinh": (),
    "Tuyên Quang": (),
    "Vĩnh Long": (),
    "Vĩnh Phúc": (),
    "Yên Bái": (),
    # the five centrally-run cities
    "Hà Nội": ("Hanoi",),
    "TP. Hồ Chí Minh": (),  # spelled by _HCM below: bare "Hồ Chí Minh" is the person
    "Hải Phòng": ("Haiphong",),
    "Đà Nẵng": ("Danang",),
    "Cần Thơ": (),
}

PROVINCES: tuple[str, ...] = tuple(_PROVINCES)

# Since 1 July 2025 the 63 are 34 (Nghị quyết 202/2025/QH15): each merged province takes the name of one
# of its parts. Documents written before name the former ones; a question may name either.
MERGED_2025: dict[str, tuple[str, ...]] = {
    "Tuyên Quang": ("Hà Giang",),
    "Lào Cai": ("Yên Bái",),
    "Thái Nguyên": ("Bắc Kạn",),
    "Phú Thọ": ("Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Giang",),
    "Hưng Yên": ("Thái Bình",),
    "Hải Phòng": ("Hải Dương",),
    "Ninh Bình": ("Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Bình",),
    "Đà Nẵng": ("Quảng Nam",),
    "Quảng Ngãi": ("Kon Tum",),
    "Gia Lai": ("Bình Định",),
    "Khánh Hòa": ("Ninh Thuận",),
    "Lâm Đồng": ("Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Phú Yên",),
    "TP. Hồ Chí Minh": ("Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Bình Phước",),
    "Tây Ninh": ("Long An",),
    "Cần Thơ": ("Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Tiền Giang",),
    "Cà Mau": ("Bạc Liêu",),
    "An Giang": ("Kiên Giang",),
}
MERGER_YEAR = 2025
_SUCCESSOR = {former: new for new, formers in MERGED_2025.items() for former in formers}


def former_provinces(province: str) -> tuple[str, ...]:
    """The provinces merged into `province` on 1 July 2025 ("An Giang" → ("Kiên Giang",))."""
    return MERGED_2025.get(province, ())


def successor(province: str) -> str | None:
    """The province a former one is part of since 1 July 2025 ("Kiên Giang" → "An Giang")."""
    return _SUCCESSOR.get(province)
_HCM = "TP. Hồ Chí Minh"
# "Thành phố Hồ Chí Minh", "TP. HCM", "TP.HCM", "TPHCM", "Sài Gòn", "Ho Chi Minh City", "HCMC".
# Bare "Hồ Chí Minh" / "HCM" are left out on purpose: in party documents they name the person
# ("tư tưởng, đạo đức, phong cách Hồ Chí Minh").
_HCM_PATTERN = re.compile(
    r"(?<!\w)(?:(?:thanh\s+pho|tp)\s*\.?\s*(?:ho\s+chi\s+minh|hcm)(?:\s+city)?|tphcm|hcmc|sai\s?gon"
    r"|ho\s+chi\s+minh\s+city)(?!\w)"
)

# Longer names that contain a province name but are not it.
_EXCLUDED = re.compile(r"(?<!\w)(?:thai\s+binh\s+duong|ha\s+nam\s+ninh|ha\s+son\s+binh)(?!\w)")
# Names that are also ordinary words or phrases once lower-cased (accented form) or folded (unaccented form).
_COMMON_PHRASES_ACCENTED = frozenset({"hòa bình", "thái bình", "bình định", "cao bằng", "phú thọ"})
# Unaccented questions mostly mean the place ("da nang 2021"); only these read as ordinary words
# often enough ("hoa binh" = peace, "dien bien" = developments) to need capitals or "tinh".
_COMMON_PHRASES_FOLDED = frozenset({"hoa binh", "dien bien", "hue"})
_AN_COMPOUNDS = frozenset({"toan", "ninh", "sinh", "cu", "tam", "khang", "lanh", "nhien", "bai"})
# Words right before a name that make it a place: "tỉnh Hòa Bình", "Tỉnh ủy Trà Vinh", "Báo Lạng Sơn".
_ANCHOR = re.compile(
    r"(?:(?<!\w)(?:tinh|tinh\s+uy|thanh\s+pho|tp|dang\s+bo|ubnd|hdnd|ubmttq|bao|dai|cong\s+thong\s+tin(?:\s+dien\s+tu)?"
    r"|province|city)\s*[.,:]?\s*)$"
)


@dataclass(frozen=True)
class ProvinceMention:
    """One place in the text that names a province."""

    province: str      # canonical name
    start: int         # offsets into nfc(text)
    end: int
    surface: str       # as written
    anchored: bool     # preceded by "tỉnh", "thành phố", "Tỉnh ủy", "Báo" ...


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """str.translate table: lower-case, diacritic-free, one character for one character."""
    table = {}
    for code in range(0x2000):  # Latin, Latin Extended, combining marks, Vietnamese (U+1EA0–U+1EF9)
        ch = chr(code)
        folded = fold_diacritics(ch).lower()
        if len(folded) == 1 and folded != ch:
            table[code] = folded
    return table


def _fold_same_length(text: str) -> str:
    """Lower-case, diacritic-free text with exactly one character per input character (offsets stay valid)."""
    return text.translate(_fold_table())


def _variant_words(variant: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s\-–—]+", fold_diacritics(nfc(variant)).lower()) if w)


@lru_cache(maxsize=1)
def _index() -> tuple[re.Pattern[str], dict[tuple[str, ...], str], dict[str, frozenset[str]]]:
    """One regex for every folded name (words joined by spaces or dashes), the province of each
    name's words, and each province's accepted accented spellings."""
    names: dict[tuple[str, ...], str] = {}
    keys: dict[str, frozenset[str]] = {}
    for name, aliases in _PROVINCES.items():
        if name == _HCM:
            keys[name] = frozenset({_key("thành phố hồ chí minh"), _key("sài gòn")})
            continue
        variants = (name, *aliases)
        keys[name] = frozenset(_key(v) for v in variants)
        names.update({_variant_words(v): name for v in variants})
    alternatives = sorted((r"(?:\s*[-–—]\s*|\s+)".join(map(re.escape, words)) for words in names), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    return pattern, names, keys


_WORD_RE = re.compile(r"\w+")
_ACCENTED = re.compile(r"[À-ỹĐđ]")


def _candidates(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, province) wherever the folded text spells a name."""
    pattern, names, _ = _index()
    found = [(m.start(), m.end(), names[tuple(_WORD_RE.findall(m.group(0)))]) for m in pattern.finditer(folded)]
    found.extend((m.start(), m.end(), _HCM) for m in _HCM_PATTERN.finditer(folded))
    return found


def _key(text: str) -> str:
    """Accent-preserving comparison key: canonical tones, lower case, letters only."""
    return re.sub(r"[^\w]+", "", index_key(text))


def _title_case(surface: str) -> bool:
    words = [w for w in re.split(r"[\s\-–—.]+", surface) if w]
    return all(w[0].isupper() for w in words)


def _accepted(
    surface: str, province: str, accented_keys: frozenset[str], anchored: bool, text_accented: bool, following: str
) -> bool:
    if province == _HCM:
        return True  # its spellings are explicit ("TP.", "thành phố", "Sài Gòn")
    words = [w for w in re.split(r"[\s\-–—.]+", _fold_same_length(surface)) if w]
    folded = " ".join(words)
    proper = _title_case(surface) or surface.isupper()
    if has_diacritics(surface):
        # Accents that differ from the name's make another word: "diễn biến" is not "Điện Biên".
        if _key(surface) not in accented_keys:
            return False
        return proper or anchored or " ".join(index_key(surface).split()) not in _COMMON_PHRASES_ACCENTED
    if proper or anchored:
        return True
    # Lower case and no accents.
    if folded in _COMMON_PHRASES_FOLDED:
        return False
    if folded == "long an" and following.split()[:1] and following.split()[0] in _AN_COMPOUNDS:
        return False  # "long an toàn": "an toàn", "an ninh" ... are words of their own
    if text_accented and not has_diacritics(province):
        # In accented prose a proper noun is capitalised; lower-case "gia lai", "long an" are other words.
        return False
    return True


def find_province_mentions(text: str) -> list[ProvinceMention]:
    """Every place `text` names one of the 63 provinces/cities, in order; overlaps keep the longest name."""
    text = nfc(text)
    folded = _fold_same_length(text)
    masked = _EXCLUDED.sub(lambda m: " " * len(m.group(0)), folded)
    text_accented = bool(_ACCENTED.search(text))
    _, _, keys = _index()
    found: list[ProvinceMention] = []
    for start, end, province in _candidates(masked):
        surface = text[start:end]
        anchored = province == _HCM or bool(_ANCHOR.search(folded[max(0, start - 40):start]))
        following = folded[end:end + 20]
        if _accepted(surface, province, keys[province], anchored, text_accented, following):
            found.append(ProvinceMention(province, start, end, surface, anchored))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[ProvinceMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def find_provinces(text: str) -> list[str]:
    """Canonical names of the provinces/cities named in `text`, in order of first appearance."""
    return list(dict.fromkeys(m.province for m in find_province_mentions(text)))


def canonical_province(name: str) -> str | None:
    """The canonical name for a user-typed province ("tra vinh", "Khánh Hoà", "TPHCM"), or None."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        return None
    # Typed on its own, a name is a name: accept it as if anchored.
    mentions = find_province_mentions(f"tỉnh {cleaned}" if has_diacritics(cleaned) else f"tinh {cleaned}")
    if len(mentions) == 1 and mentions[0].end - mentions[0].start >= len(cleaned) - 1:
        return mentions[0].province
    return None
