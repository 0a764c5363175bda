"""What a question asks for, read from its wording: a figure, a person or a date, the signer."""

from __future__ import annotations

import re

from core.vietnamese import fold_diacritics, has_diacritics, index_key, key_regex

_QUANTITY = key_regex(
    r"bao nhiêu|\bmấy\b|tỷ lệ|tỉ lệ|phần trăm|số lượng|\bmức\b|ngày nào|khi nào|bao giờ|ngày tháng|"
    r"how many|how much|what percentage|what share|\brate\b|\bwhen\b"
)


SIGNER_RE = key_regex(r"\bai\b.*\bký\b|\bký\b.*\bai\b|người ký|do ai|ký bởi|who signed|signed by")
WHO_RE = re.compile(r"\bai\b|người nào|\bwho\b")
# "Who signed", "on which day", "when": the answer is a name or a date even when the question carries a
# document number ("Nghị quyết 27-NQ/TU do ai ký?"), so it is not framed as a target or a result.
_WHO_OR_WHEN = re.compile(
    WHO_RE.pattern + r"|ngày nào|ngày mấy|khi nào|bao giờ|lúc nào|hôm nào|thời điểm nào|\bwhen\b|what date"
)


_WHO_OR_WHEN_FOLDED = re.compile(fold_diacritics(_WHO_OR_WHEN.pattern))
_QUANTITY_FOLDED = re.compile(fold_diacritics(_QUANTITY.pattern))


def asks_quantity(question: str) -> bool:
    """"bao nhiêu", "mấy", "tỷ lệ", "how many" …: the answer must state a figure (typed with or without accents)."""
    key = index_key(question)
    # Folded matching only for a question typed without accents: folded, "mục tiêu" would read as "mức".
    return bool(_QUANTITY.search(key) or (not has_diacritics(key) and _QUANTITY_FOLDED.search(fold_diacritics(key))))


def asks_who_or_when(question: str) -> bool:
    """A question whose answer is a person or a date (typed with or without accents)."""
    key = index_key(question)
    return bool(_WHO_OR_WHEN.search(key) or (not has_diacritics(key) and _WHO_OR_WHEN_FOLDED.search(fold_diacritics(key))))
