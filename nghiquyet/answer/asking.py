"""What a question asks for, read from its wording: a figure, a person or a date, or a fact about a
document itself (its number, its date, the session that passed it, its signer)."""

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


# A question about a document rather than what it says: "Nghị quyết … có số hiệu gì?", "… ban hành ngày
# nào?", "… thông qua tại kỳ họp thứ mấy?". It names a document (a type, or a number such as "224/NQ-HĐND").
_NAMES_DOCUMENT = key_regex(
    r"nghị quyết|văn bản|kế hoạch|báo cáo|quyết định|chỉ thị|kết luận|\bnq\b|\d+/[a-zđ-]+|resolution|document|"
    r"nghi quyet|van ban|ke hoach"
)
_DOCUMENT_FACTS = {
    "number": key_regex(r"số hiệu|\bsố (?:mấy|bao nhiêu|nào)\b|là (?:nghị quyết|văn bản) số|so hieu|so may|what number|which number"),
    "session": key_regex(r"kỳ họp (?:thứ )?(?:mấy|nào|bao nhiêu)|tại kỳ họp nào|ky hop (?:thu )?(?:may|nao)|which session|what session"),
    "date": key_regex(
        r"(?:ban hành|thông qua|ký|có hiệu lực|ban hanh|thong qua)[^?]{0,30}(?:ngày nào|ngày mấy|khi nào|bao giờ|ngay nao|khi nao)|"
        r"(?:ngày nào|ngày mấy)[^?]{0,30}(?:ban hành|thông qua|ký)|what date|when was"
    ),
    "signer": SIGNER_RE,
}


def asked_document_facts(question: str) -> tuple[str, ...]:
    """Which facts about a document the question asks ("number", "date", "session", "signer"), in that order."""
    key = index_key(question)
    if not _NAMES_DOCUMENT.search(key):
        return ()
    return tuple(fact for fact, pattern in _DOCUMENT_FACTS.items() if pattern.search(key))
