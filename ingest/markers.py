"""Numbering markers and heading shapes of Vietnamese administrative documents.

Sections are numbered in a conventional hierarchy (Phần thứ nhất > A. > I. > 1. > 1.1. > (1) > a));
unnumbered headings are ALL-CAPS or **bold** lines. These functions look at one line at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.vietnamese import fold_diacritics

# Fixed ranks follow the usual hierarchy of Vietnamese administrative documents; lower is higher.
RANK = {
    "part": 0.0, "chapter": 1.0, "section": 2.0, "upper": 3.0, "roman": 4.0, "article": 5.0,
    "num": 6.0, "multi": 7.0, "paren": 10.0, "lower": 11.0,
}

ROMAN_RE = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_VI_ORDINALS = {
    "nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese alphabetical order used for a) b) c) …
_LATIN = "abcdefghijklmnopqrstuvwxyz"

_PART = re.compile(r"^(?:phan)\s+(?:thu\s+(\w+)|(" + ROMAN_RE.lower() + r"|\d{1,2}))\b\s*[.:\-–]?", re.I)
_CHAPTER = re.compile(r"^chuong\s+(" + ROMAN_RE.lower() + r"|\d{1,2})\b", re.I)
_SECTION = re.compile(r"^muc\s+(" + ROMAN_RE.lower() + r"|\d{1,2})\s*[.:\-–]", re.I)
_ARTICLE = re.compile(r"^dieu\s+(\d{1,3})\s*[.:]", re.I)
_ROMAN = re.compile(r"^(" + ROMAN_RE + r")\s*[.\-–)/]\s*(?=\S)")
_UPPER = re.compile(r"^([A-ZĐ])\s*[.\-–)/]\s+(?=\S)")
_MULTI = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?(?:\s+|(?=[^\W\d_]))(?=\S)")
_NUM = re.compile(r"^(\d{1,2})\s*[.\-–)/](?:\s+(?=\S)|(?=[^\W\d_]))")
_PAREN = re.compile(r"^(?:[-–—+•]\s*)?\((\d{1,2})\)\s*(?=\S)")
_LOWER = re.compile(r"^([a-zđ])\s*[)./](?:\s+)(?=\S)")
QUOTES = "“\"«‘'„"
SENTENCE_END = re.compile(r"[.;!?…]\s*[”\"»)]*$")


@dataclass(frozen=True)
class Marker:
    style: str
    value: tuple[int, ...]


def _roman_value(token: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(token):
        v = values[ch]
        total += -v if i + 1 < len(token) and values[token[i + 1]] > v else v
    return total


def _letter_value(ch: str) -> int:
    ch = ch.lower()
    return _LETTERS.index(ch) + 1 if ch in _LETTERS else _LATIN.index(ch) + 1


def _strip_bold(text: str) -> str:
    return text.strip().removeprefix("**").strip()


def detect_marker(text: str) -> list[Marker]:
    """Possible numbering markers at the start of a stripped line, most specific first."""
    s = _strip_bold(text)
    folded = fold_diacritics(s[:24])  # markers are short: no need to fold a whole paragraph
    found: list[Marker] = []
    if m := _PART.match(folded):
        word, number = m.group(1), m.group(2)
        value = _VI_ORDINALS.get(word.lower()) if word else (
            int(number) if number.isdigit() else _roman_value(number.upper())
        )
        if value:
            found.append(Marker("part", (value,)))
    if m := _CHAPTER.match(folded):
        token = m.group(1)
        found.append(Marker("chapter", (int(token) if token.isdigit() else _roman_value(token.upper()),)))
    if m := _SECTION.match(folded):
        token = m.group(1)
        found.append(Marker("section", (int(token) if token.isdigit() else _roman_value(token.upper()),)))
    if m := _ARTICLE.match(folded):
        found.append(Marker("article", (int(m.group(1)),)))
    if found:
        return found
    if (m := _ROMAN.match(s)) and m.group(1):
        found.append(Marker("roman", (_roman_value(m.group(1)),)))
    if m := _UPPER.match(s):
        found.append(Marker("upper", (_letter_value(m.group(1)),)))
    if m := _MULTI.match(s):
        found.append(Marker("multi", tuple(int(x) for x in m.group(1).split("."))))
    elif m := _NUM.match(s):
        found.append(Marker("num", (int(m.group(1)),)))
    if m := _PAREN.match(s):
        found.append(Marker("paren", (int(m.group(1)),)))
    if m := _LOWER.match(s):
        found.append(Marker("lower", (_letter_value(m.group(1)),)))
    return found


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def is_caps_line(text: str) -> bool:
    """An ALL-CAPS line that can be a heading ("PHỤ LỤC", "CÁC CHỈ TIÊU CHỦ YẾU NĂM 2021")."""
    s = _strip_bold(text).rstrip("*").strip()
    if len(s) > 250 or s[:1] in QUOTES:
        return False
    letters = _letters(s)
    if len(letters) < 3:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.85 and not s.endswith((".", ";", ","))


def is_bold_unit(text: str) -> bool:
    s = text.strip()
    return s.startswith("**") and s.rstrip(":.").endswith("**") and len(s) <= 300


def clean_heading(text: str) -> str:
    """Heading text for a heading path: as written, without markdown bold and with single spaces."""
    return " ".join(text.replace("**", " ").split())
