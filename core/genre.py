"""Genre knowledge of Vietnamese resolutions and reports, in one place: years, periods, stances, types.

Ingestion uses it to give each passage its period, retrieval to re-rank, answers to decide what a
statement is about. Everything matches `index_key` text (lower case, canonical tones, i/y spellings
made one), whose offsets equal the NFC text's, so a match's span points into the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core.vietnamese import fold_diacritics, has_diacritics, index_key, key_regex

YEAR = r"(?:19[4-9]\d|20\d\d)"
# A year is four digits not inside a longer number; a comma or dot after it is punctuation ("Năm 2020, …").
YEAR_RE = re.compile(rf"(?<![\d])(?<![\d][.,])({YEAR})(?![\d]|[.,]\d)")
# "2021-2025", "2020 - 2025", "2016 đến 2020": a span names every year in it.
YEAR_SPAN_RE = re.compile(
    rf"(?<![\d])(?<![\d][.,])({YEAR})\s*(?:[-–—]|đến|tới)\s*(?:năm\s+)?({YEAR})(?![\d]|[.,]\d)"
)
# A year that is a comparison base or a starting point, not the year a statement is about
# ("tăng 5% so với năm 2019", "gấp 2 lần giai đoạn 2011-2015", "lần đầu tiên kể từ năm 2016").
BASE_YEAR_RE = key_regex(
    rf"(?:so với|so|so cùng kỳ|cùng kỳ|bằng|hơn|gấp \S+ lần|kể từ|từ sau|trước đó)\s+"
    rf"(?:năm |cùng kỳ năm |với năm |giai đoạn |nhiệm kỳ |thời kỳ |kế hoạch )?({YEAR})(?:\s*[-–—]\s*({YEAR}))?"
)
# Dates are when something happened, not the period a figure is about.
DATE_RE = re.compile(rf"(?<!\d)\d{{1,2}}\s*[/.\-]\s*\d{{1,2}}\s*[/.\-]\s*{YEAR}(?!\d)|ngày \d{{1,2}} tháng \d{{1,2}} năm {YEAR}")
MAX_SPAN_YEARS = 15

# "congress": the term a Party congress is named for ("Đại hội … lần thứ XVI, nhiệm kỳ 2020-2025"). What
# such a congress reports it achieved belongs to the term before; what it sets, to the term named.
PeriodKind = Literal["year", "part", "term", "until", "congress"]
_CONGRESS_BEFORE = key_regex(r"(?:đại hội|khóa [ivxlc]+|khóa \d+)[^.;:]{0,80}$")


@dataclass(frozen=True)
class Period:
    """A period phrase as written ("6 tháng đầu năm 2021", "nhiệm kỳ 2020 - 2025") and its years."""

    label: str
    years: frozenset[int]      # empty for "6 tháng đầu năm" written without its year
    kind: PeriodKind
    start: int = 0
    end: int = 0


_PART = r"(?:(?:\d{1,2}|sáu|chín|ba) tháng(?: đầu| cuối)?(?: năm)?|quý (?:iv|i{1,3}|[1-4])(?: năm)?|nửa (?:đầu|cuối) năm)"
_TERM = r"(?:nhiệm kỳ|giai đoạn|thời kỳ|kế hoạch 5 năm|5 năm)"
_PERIOD_RE = key_regex(
    (
        rf"(?P<part>{_PART})\s+(?P<pyr>{YEAR})(?!\d)"
        rf"|(?P<term>{_TERM})\s*\(?\s*(?P<ta>{YEAR})\s*[-–—]\s*(?P<tb>{YEAR})(?!\d)"
        rf"|(?P<until>(?:đến|tới|đến hết|đến cuối|tầm nhìn đến|đến trước)(?: năm)?)\s+(?P<uy>{YEAR})(?![\d/\-])"
        rf"|(?P<year>năm)\s+(?P<yy>{YEAR})(?![\d]|[.,]\d|\s*[-–—]\s*\d)"
        rf"|(?P<sa>{YEAR})\s*[-–—]\s*(?P<sb>{YEAR})(?!\d)"
        # "6 tháng đầu năm" with no year: the year the text was written in (see `Period.years`)
        rf"|(?P<partonly>{_PART})(?!\s*(?:năm\s+)?\d)"
    )
)


# "so với năm 2019", "bằng cùng kỳ năm 2020": the base of a comparison is not the period spoken of.
_BASE_BEFORE = key_regex(r"(?:so với|so|cùng kỳ|bằng|hơn|gấp \S+ lần|với)\s*$")


def _span(a: int, b: int) -> frozenset[int]:
    return frozenset(range(a, b + 1)) if 0 < b - a <= MAX_SPAN_YEARS else frozenset((a, b))


def find_periods(text: str) -> list[Period]:
    """Every period phrase in `text`, in order (dates are skipped: a date is not a period); a text typed
    without diacritics ("6 thang dau nam 2021") is read without them."""
    key = index_key(text)
    folded = not has_diacritics(key)
    if folded:
        key = fold_diacritics(key)
    period_re, date_re, base_re = _FOLDED_RES if folded else (_PERIOD_RE, DATE_RE, _BASE_BEFORE)
    dates = [(m.start(), m.end()) for m in date_re.finditer(key)]
    out = []
    for m in period_re.finditer(key):
        if any(a <= m.start() < b for a, b in dates) or base_re.search(key, 0, m.start()):
            continue
        if m.group("part"):
            years, kind = frozenset((int(m.group("pyr")),)), "part"
        elif m.group("term"):
            years, kind = _span(int(m.group("ta")), int(m.group("tb"))), "term"
            if _CONGRESS_BEFORE.search(key, max(0, m.start() - 120), m.start()):
                kind = "congress"
        elif m.group("until"):
            years, kind = frozenset((int(m.group("uy")),)), "until"
        elif m.group("partonly"):
            years, kind = frozenset(), "part"
        elif m.group("year"):
            years, kind = frozenset((int(m.group("yy")),)), "year"
        else:
            years, kind = _span(int(m.group("sa")), int(m.group("sb"))), "term"
        label = " ".join(text[m.start() : m.end()].split())
        out.append(Period(label=label, years=years, kind=kind, start=m.start(), end=m.end()))  # type: ignore[arg-type]
    return out


_FOLDED_RES = tuple(re.compile(fold_diacritics(r.pattern)) for r in (_PERIOD_RE, DATE_RE, _BASE_BEFORE))


# A period that opens a passage sets the time of what follows ("Năm 2020, …", "Trong 6 tháng đầu năm 2021, …").
LEADING_CHARS = 90


def leading_period(text: str) -> Period | None:
    """The period phrase a passage opens with (within its first words), if any."""
    for period in find_periods(text[: LEADING_CHARS + 40]):
        if period.start <= LEADING_CHARS and period.kind != "until":
            return period
    return None


@lru_cache(maxsize=50_000)
def years_in(text: str, drop_bases: bool = False) -> frozenset[int]:
    """Years written in `text`; a span names every year in it; comparison bases dropped on request."""
    key = index_key(text)
    years: set[int] = set()
    for a, b in YEAR_SPAN_RE.findall(key):
        years.update(_span(int(a), int(b)))
    years.update(int(y) for y in YEAR_RE.findall(key))
    if drop_bases:
        for a, b in BASE_YEAR_RE.findall(key):
            years -= _span(int(a), int(b)) if b else {int(a)}
    return frozenset(years)


def asked_periods(question: str) -> list[frozenset[int]]:
    """The separate periods a question names, in order ("năm 2020 … giai đoạn 2025-2030" → {2020},
    {2025…2030}; "2021 versus 2026" → {2021}, {2026}); one entry when it names one period."""
    key = index_key(question)
    out: list[frozenset[int]] = []
    taken: list[tuple[int, int]] = []
    for period in find_periods(question):
        out.append(period.years)
        taken.append((period.start, period.end))
    for m in YEAR_RE.finditer(key):
        if not any(a <= m.start() < b for a, b in taken):
            out.append(frozenset((int(m.group(1)),)))
    spoken = years_in(question, True)  # "so với năm 2019" is a base, not a period asked about
    unique: list[frozenset[int]] = []
    for years in out:
        if years & spoken and years not in unique:
            unique.append(years)
    return unique


# Capitals that name institutions, bodies and ordinals ("HĐND", "UBND", "Đại hội XIX"), not an indicator.
INSTITUTION_ACRONYMS = frozenset(
    "HĐND UBND MTTQ BCH BTV BCĐ TW NQ QH ĐBQH TU TTHU CP TTG BCT HĐTĐ KT-XH KTXH TP TX".split()
)
_ROMAN = re.compile(r"^[IVXLC]+$")


def is_institution_acronym(token: str) -> bool:
    """"HĐND", "UBND", a Roman ordinal ("XIX"): capitals that name who or which, not what is measured."""
    return token.upper() in INSTITUTION_ACRONYMS or bool(_ROMAN.match(token))


_MONTH_WORDS = {"ba": 3, "sáu": 6, "chín": 9}


_ENGLISH_PART = re.compile(r"\b(\d{1,2})[- ]months?\b|\b(first|second) half\b|\b(?:q([1-4])|(first|second|third|fourth) quarter)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def part_of_year(text: str) -> str | None:
    """"6t", "9t", "q1" … for "6 tháng đầu năm", "chín tháng", "quý I", "nửa đầu năm" (or "9-month",
    "first half", "Q1" in an English question); None for a whole year."""
    english = _ENGLISH_PART.search(text)
    if english:
        months, half, q, quarter = english.groups()
        if months and int(months) < 12:
            return f"{int(months)}t"
        if half:
            return "6t" if half.lower() == "first" else "6c"
        if q or quarter:
            return f"q{q or _ORDINALS[quarter.lower()]}"
    for period in find_periods(text):
        if period.kind != "part":
            continue
        key = index_key(period.label)
        if key.startswith("quý"):
            roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
            word = key.split()[1]
            return f"q{roman.get(word, word)}"
        if key.startswith("nửa"):
            return "6t" if "đầu" in key else "6c"
        first = key.split()[0]
        months = int(first) if first.isdigit() else _MONTH_WORDS.get(first)
        if months is not None and months < 12:
            return f"{months}t" + ("c" if "cuối" in key else "")
    return None


# A question that asks for several things ("những lĩnh vực nào", "gồm những gì", "which sectors").
_LIST_CUES = key_regex(
    r"\bnhững\b.{0,40}\bnào\b|\bcác\b.{0,40}\bnào\b|gồm những|gồm các|những gì|bao gồm|là những|"
    r"\bnhung\b.{0,40}\bnao\b|\bcac\b.{0,40}\bnao\b|gom nhung|nhung gi|bao gom|"
    r"\bwhich\b|\bwhat are\b|\blist\b"
)


def asks_list(question: str) -> bool:
    """The question wants every item of a list, not one of them."""
    return bool(_LIST_CUES.search(index_key(question)))


# --- stance: target (chỉ tiêu, kế hoạch) or result (kết quả, thực hiện) ---------------------------------
# A section's stance, read from its heading. Where both appear the earlier word decides: "KẾT QUẢ THỰC
# HIỆN NHIỆM VỤ NĂM 2020" reports results though it names "nhiệm vụ".
RESULT_HEADING_RE = re.compile(r"kết quả|đạt được|thực hiện|hạn chế|yếu kém|tình hình|đánh giá|tồn tại|những thành tựu")
TARGET_HEADING_RE = re.compile(r"chỉ tiêu|mục tiêu|nhiệm vụ|phương hướng|kế hoạch|giải pháp|định hướng|phấn đấu")
# A target quoted inside a result sentence: "(Nghị quyết 67%)", "(NQ tăng 11% trở lên)", "so với Nghị quyết đề ra là 55".
INLINE_TARGET_RE = re.compile(
    r"\((?:nghị quyết|nq|kế hoạch|kh|chỉ tiêu|mục tiêu)[^)]*\d[^)]*\)|so với nghị quyết[^.;]*\d|chỉ tiêu nghị quyết[^.;]*\d"
)
# The wording of one statement: what has happened, or what is to be reached.
RESULT_WORDS_RE = key_regex(r"\bđã\b|đạt được|\bvượt\b|so cùng kỳ|so với cùng kỳ|\bcòn\b|% kế hoạch|% dự toán|giảm còn")
TARGET_WORDS_RE = key_regex(r"phấn đấu|trở lên|\bđạt từ\b|\bkhoảng\b|dự kiến|\bmục tiêu\b|\bchỉ tiêu\b")
# The same, over a whole passage (retrieval's re-ranking): figures tied to the cue.
RESULT_PASSAGE_RE = re.compile(r"\(nghị quyết|đạt \d|vượt|so với kế hoạch|kế hoạch\)|% kế hoạch|đạt được|đã ")
TARGET_PASSAGE_RE = re.compile(r"phấn đấu|trở lên|\btừ \d|đạt trên|đạt khoảng|đạt từ")
# Table columns: which kind of column each header is.
TARGET_COLUMN_RE = re.compile(r"nghị quyết|kế hoạch|chỉ tiêu|mục tiêu|dự kiến|dự toán|phấn đấu")
RESULT_COLUMN_RE = re.compile(r"thực hiện|ước|kết quả|đạt được|thực tế")

# --- document types ----------------------------------------------------------------------------------
# Longest first: "báo cáo chính trị" before "báo cáo".
DOC_TYPES: tuple[str, ...] = (
    "báo cáo chính trị", "tài liệu tuyên truyền", "tài liệu hỏi đáp", "chương trình hành động", "nghị quyết",
    "kế hoạch", "chỉ thị", "quyết định", "kết luận", "thông báo", "thông tri", "báo cáo", "đề án", "tờ trình",
    "hướng dẫn", "quy định", "quy chế", "công văn", "chương trình", "đề cương", "tài liệu",
)
# Types that set targets, and types that report results (what an undated year in their title means).
PLAN_TYPES = frozenset({"nghị quyết", "kế hoạch", "chỉ thị", "chương trình", "chương trình hành động", "đề án", "quyết định", "kết luận"})
REPORT_TYPES = frozenset({"báo cáo", "báo cáo chính trị"})
# The same types as a regex alternation over diacritic-free lower-case text (longest first).
DOC_TYPES_FOLDED = "|".join(re.escape(fold_diacritics(t)).replace(r"\ ", " ") for t in DOC_TYPES)


def term_before(years: frozenset[int] | tuple[int, ...]) -> frozenset[int]:
    """The five-year term before the one starting at min(years): 2020–2025 → 2015–2020."""
    start = min(years)
    return frozenset(range(start - 5, start + 1))


# --- legal bases and averages --------------------------------------------------------------------------
# "Căn cứ Luật Tổ chức chính quyền địa phương …": the laws a resolution rests on, not what it decides.
LEGAL_BASIS_RE = key_regex(r"^\W*căn cứ\b")
_ASKS_BASIS = key_regex(r"căn cứ|dựa (?:trên|vào)|\bcites?\b|based on|legal basis|viện dẫn")
# An average over a period ("tăng bình quân 7,2%/năm", "bình quân giai đoạn"), not per head ("bình quân
# đầu người") — a figure about the period, not about any one of its years.
# A national or regional average is a comparison base ("so bình quân chung của cả nước"), not one either.
PERIOD_AVERAGE_RE = key_regex(
    r"(?<!so )(?<!với )bình quân(?! đầu người| mỗi người| trên người|/người| 1 người| một người| chung| cả nước"
    r"| của cả nước| toàn quốc| của vùng| khu vực)"
)


def is_legal_basis(text: str) -> bool:
    return bool(LEGAL_BASIS_RE.search(index_key(text)))


def asks_legal_basis(question: str) -> bool:
    return bool(_ASKS_BASIS.search(index_key(question)))


def states_period_average(text: str) -> bool:
    return bool(PERIOD_AVERAGE_RE.search(index_key(text)))
