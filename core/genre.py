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

from ingest.vietnamese import index_key, key_regex

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

PeriodKind = Literal["year", "part", "term", "until"]


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
    """Every period phrase in `text`, in order (dates are skipped: a date is not a period)."""
    key = index_key(text)
    dates = [(m.start(), m.end()) for m in DATE_RE.finditer(key)]
    out = []
    for m in _PERIOD_RE.finditer(key):
        if any(a <= m.start() < b for a, b in dates) or _BASE_BEFORE.search(key, 0, m.start()):
            continue
        if m.group("part"):
            years, kind = frozenset((int(m.group("pyr")),)), "part"
        elif m.group("term"):
            years, kind = _span(int(m.group("ta")), int(m.group("tb"))), "term"
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
