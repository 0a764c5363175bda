"""Whether a text states a quantity, and list items without their bullet or number."""

from __future__ import annotations

import re

from ingest.markers import ROMAN_RE

_NUMBER = re.compile(r"(?<![\w.,/])(\d+(?:[.,]\d+)*)(\s*%|\s*‰)?(?![\d])")
_DATE = re.compile(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])[/-](?:0?[1-9]|1[0-2])(?:[/-](?:19|20)\d\d)?(?![\d/])")
_CODE_AFTER = re.compile(r"^(?:\s*-\s*[A-ZĐ]|/[^\W\d_])")  # 05-CT/TW, 395/TB-VPCP
_NOT_A_FIGURE_BEFORE = re.compile(r"(?:\bsố|\bthứ|\bkhóa|\bkhoá|\blần|\bquy định|\bchỉ thị|\bnghị quyết|\bkết luận)\s*$", re.I)


_LEADING_MARKER = re.compile(
    r"^\s*(?:[-–—+•●▪◦∙‣·►✓*]\s*)?(?:\(\d{1,2}\)|\d{1,2}(?:\.\d{1,2})*\s*[.\-–)/]|[a-zđA-ZĐ]\s*[).]|"
    + ROMAN_RE + r"\s*[.\-–)])?\s*"
)


def strip_marker(text: str) -> str:
    """The text of a list item without its bullet or number ("- (4) Sản lượng …" → "Sản lượng …")."""
    return _LEADING_MARKER.sub("", text, count=1)


def has_figure(text: str) -> bool:
    """True when the text states a quantity (not only years, dates, document numbers or ordinals)."""
    masked = _DATE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _NUMBER.finditer(masked):
        token, percent = m.group(1), m.group(2)
        if percent:
            return True
        if re.fullmatch(r"(?:19|20)\d\d", token):
            continue
        if _CODE_AFTER.match(masked[m.end():]):
            continue
        if _NOT_A_FIGURE_BEFORE.search(masked[max(0, m.start() - 16):m.start()]):
            continue
        return True
    return False
