"""Query understanding without an LLM: provinces, years, target-vs-result intent, expansions.

A named province becomes a hard filter; years and intent re-rank; a province or year that no indexed
document covers is flagged so the answer layer can say so instead of answering about something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.errors import QuestionError
from core.vietnamese import fold_diacritics, index_key, nfc
from ingest.provinces import MERGER_YEAR, find_provinces, former_provinces
from retrieval.abbreviations import expand, translate_english
from retrieval.models import Intent, QueryAnalysis
from retrieval.tokenize import query_mode

Coverage = tuple[Iterable[str], Iterable[int]]

YEAR_MIN, YEAR_MAX = 1945, 2100
_YEAR = r"(?:19[4-9]\d|20\d\d|2100)"
# "2021-2025", "2020 - 2025", "2021–2025", "2016 đến 2020": a span names both of its ends.
_YEAR_SPAN = re.compile(rf"(?<![\d.,])({_YEAR})\s*(?:[-–—]|đến|tới|to)\s*({_YEAR})(?!\d|[.,]\d)")
# A comma or full stop after a year ends the clause ("Năm 2020, Trà Vinh …"); only a digit after
# it makes the year part of a number such as "2020,5" or "2.020.000".
_YEAR_ONE = re.compile(rf"(?<![\d.,])({_YEAR})(?!\d|[.,]\d)")
_WS = re.compile(r"\s+")

# Cues of what a question asks for. Weights: a strong cue (2) outweighs a weak one. Bare "đạt" is no cue:
# targets are written with it too ("GRDP bình quân đầu người đạt 69 triệu đồng" is a 2021 target) and
# "đạt chuẩn" means "meets the standard".
_TARGET_CUES: tuple[tuple[str, float], ...] = (
    ("chỉ tiêu", 2.0), ("mục tiêu", 2.0), ("phấn đấu", 2.0), ("kế hoạch", 1.5), ("dự kiến", 2.0),
    ("dự định", 2.0), ("muốn", 2.0), ("đặt ra", 2.0), ("đề ra", 2.0), ("đặt mục tiêu", 2.0), ("cần đạt", 2.0),
    ("phải đạt", 2.0), ("năm tới", 1.5), ("sắp tới", 1.5), ("sẽ", 1.5), ("nghị quyết giao", 2.0),
    ("được giao", 1.5), ("định hướng", 1.0), ("nhiệm kỳ tới", 1.5), ("target", 2.0), ("goal", 2.0),
    ("plan", 2.0), ("planned", 2.0), ("aim", 2.0), ("expected", 1.5), ("will", 1.0),
)
_RESULT_CUES: tuple[tuple[str, float], ...] = (
    ("kết quả", 2.0), ("đạt được", 2.0), ("đã đạt", 2.0), ("thực tế", 2.0), ("thực hiện được", 2.0),
    ("thực hiện", 1.5), ("đã", 1.5), ("được bao nhiêu", 1.0), ("đạt bao nhiêu", 1.0), ("đạt mức", 1.0),
    ("còn", 0.5),
    ("vượt", 1.0), ("hoàn thành", 1.0), ("tăng bao nhiêu", 0.5), ("achieved", 2.0), ("actual", 2.0),
    ("result", 2.0), ("results", 2.0), ("reached", 2.0), ("did", 1.0), ("was", 0.5),
)
# "định" alone means "intend to" ("Sóc Trăng định thu hoạch bao nhiêu thóc"), but it is also the second
# syllable of many words (quyết định, ổn định) and the first of others (định hướng, định mức).
_DINH_PREFIXES = frozenset(
    "quyết ổn xác quy nhất khẳng ấn cố giả chỉ thẩm bình kiên phủ an kiểm giám nghị hiệp xét thỏa thoả "
    "lập đặc tiền phán".split()
)
_DINH_SUFFIXES = frozenset(index_key(w) for w in "hướng mức kỳ nghĩa danh vị cư lượng giá hình chế đoạt tính".split())
_COMPARISON_CUES = ("so sánh", "khác nhau", "chênh lệch", "compare", "comparison", "versus", "vs")


def _cue_pattern(cue: str, folded: bool) -> re.Pattern[str]:
    cue = index_key(cue)
    text = fold_diacritics(cue) if folded else cue
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


_CUE_PATTERNS = {
    folded: (
        tuple((_cue_pattern(c, folded), w) for c, w in _TARGET_CUES),
        tuple((_cue_pattern(c, folded), w) for c, w in _RESULT_CUES),
    )
    for folded in (False, True)
}


def _has_intend_dinh(key: str) -> bool:
    words = re.findall(r"\w+", key)
    for i, word in enumerate(words):
        if word == "định":
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            if before not in _DINH_PREFIXES and after not in _DINH_SUFFIXES:
                return True
    return False


_COUNTED = re.compile(r"(?:bao nhiêu|bao nhieu|mấy|may|\d+|các|cac|những|nhung)\s+(?:chỉ tiêu|chi tieu|mục tiêu|muc tieu)")


def detect_intent(question: str) -> Intent:
    """"target" (chỉ tiêu, kế hoạch, phấn đấu…), "result" (kết quả, đạt được, thực hiện…) or "any"."""
    key = _COUNTED.sub(" ", index_key(question))  # "bao nhiêu chỉ tiêu không đạt": counted, not a target asked
    folded = query_mode(question) != "exact"
    text = fold_diacritics(key) if folded else key
    targets, results = _CUE_PATTERNS[folded]
    target = sum(w for p, w in targets if p.search(text))
    result = sum(w for p, w in results if p.search(text))
    if _has_intend_dinh(key):
        target += 2.0
    if target > result:
        return "target"
    if result > target:
        return "result"
    return "any"




def stated_intent(question: str) -> Intent:
    """The stance a question names outright ("thực tế", "kết quả", "chỉ tiêu", "mục tiêu" …), else "any".

    Weaker than `detect_intent`: "đạt bao nhiêu" leans to a result but is said of targets too, so only a
    strong cue may turn a found target into "the documents hold no result".
    """
    # "bao nhiêu chỉ tiêu không đạt": indicators counted, not a target asked for.
    key = _COUNTED.sub(" ", index_key(question))
    folded = query_mode(question) != "exact"
    text = fold_diacritics(key) if folded else key
    targets, results = _CUE_PATTERNS[folded]
    target = any(w >= 2.0 and p.search(text) for p, w in targets) or _has_intend_dinh(key)
    result = any(w >= 2.0 and p.search(text) for p, w in results)
    if target and not result:
        return "target"
    if result and not target:
        return "result"
    return "any"


def find_years(question: str) -> tuple[int, ...]:
    """Years named in the question, in order; a span ("giai đoạn 2021-2025") names both its ends."""
    key = index_key(question)
    found: list[int] = []
    for match in _YEAR_SPAN.finditer(key):
        found.extend(int(g) for g in match.groups())
    for match in _YEAR_ONE.finditer(key):
        found.append(int(match.group(1)))
    return tuple(dict.fromkeys(y for y in found if YEAR_MIN <= y <= YEAR_MAX))


_COMPARISON = tuple(_cue_pattern(fold_diacritics(c), folded=False) for c in _COMPARISON_CUES)


def is_comparison(question: str, provinces: tuple[str, ...]) -> bool:
    """Several provinces named ("Sóc Trăng và Lạng Sơn"), or an explicit "so sánh"."""
    text = fold_diacritics(index_key(question))
    return len(provinces) >= 2 or any(p.search(text) for p in _COMPARISON)


def clean_question(question: str, *, max_chars: int) -> str:
    """The question as NFC text with collapsed whitespace; refuses empty and over-long questions.

    An over-long question is refused rather than silently cut: the part that would be dropped may be
    the part that says what is asked, and a pasted document is not a question.
    """
    if not isinstance(question, str):
        raise QuestionError("Câu hỏi phải là văn bản.")
    text = _WS.sub(" ", nfc(question).replace("\x00", " ")).strip()
    if not text:
        raise QuestionError("Câu hỏi đang để trống.", "Hãy nhập câu hỏi, ví dụ: Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?")
    if len(text) > max_chars:
        raise QuestionError(
            f"Câu hỏi quá dài ({len(text):,} ký tự; tối đa {max_chars:,} ký tự).".replace(",", "."),
            "Hãy rút gọn câu hỏi vào đúng chỉ tiêu, tỉnh và năm cần tìm.",
        )
    if not any(ch.isalnum() for ch in text):
        raise QuestionError(
            "Câu hỏi không có chữ hay số nào để tìm.",
            "Hãy nhập câu hỏi bằng chữ, ví dụ: Tỷ lệ hộ nghèo của Sóc Trăng năm 2020?",
        )
    return text


def analyze_query(question: str, coverage: Coverage = ((), ())) -> QueryAnalysis:
    """Understand `question` (already cleaned) against what is indexed (`coverage` = provinces, years)."""
    covered_provinces = set(coverage[0])
    covered_years = set(coverage[1])
    named = tuple(find_provinces(question))
    years = find_years(question)
    # A province named by its post-2025 name also means the provinces merged into it, whose documents
    # (written before the merger) carry their own names — unless the question is about a year before
    # the merger, when the name meant the old province alone ("Cần Thơ năm 2020").
    after_merger = not years or max(years) >= MERGER_YEAR
    formers = tuple(
        f for p in named for f in former_provinces(p) if after_merger and f in covered_provinces and f not in named
    )
    provinces = (*named, *formers)
    absent = tuple(p for p in named if p not in covered_provinces and not any(f in formers for f in former_provinces(p)))
    mode = query_mode(question)
    unaccented = mode != "exact"
    expansions = list(expand(question, folded=unaccented))
    said = fold_diacritics(index_key(question))
    for term in translate_english(question):
        if term not in expansions and fold_diacritics(term) not in said:
            expansions.append(term)
    return QueryAnalysis(
        question=question,
        normalized=index_key(question),
        provinces=provinces,
        years=years,
        intent=detect_intent(question),
        expansions=tuple(expansions),
        unaccented=unaccented,
        unknown_provinces=absent,
        unknown_years=tuple(y for y in years if y not in covered_years),
        comparison=is_comparison(question, named),
    )
