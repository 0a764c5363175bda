"""When and in which stance a statement speaks: its years (own words, section, passage period,
document) and whether it states a target, a result or both — the document's structure first, then
the wording."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from core.genre import (
    INLINE_TARGET_RE,
    RESULT_HEADING_RE,
    RESULT_WORDS_RE,
    TARGET_HEADING_RE,
    TARGET_WORDS_RE,
    YEAR_SPAN_RE,
    years_in,
)
from core.vietnamese import index_key, key_regex
from ingest.models import Chunk

Role = Literal["target", "result", "mixed", "unknown"]


def period_label(heading_path: Sequence[str]) -> str:
    for heading in reversed(heading_path):
        m = re.search(r"(nhiệm kỳ|giai đoạn)\s+((?:19|20)\d\d\s*[-–—]\s*(?:19|20)\d\d)", heading, re.IGNORECASE)
        if m:
            return f"{m.group(1).lower()} {m.group(2)}"
    return ""


@lru_cache(maxsize=20_000)
def heading_years(heading_path: tuple[str, ...]) -> frozenset[int]:
    """Years of the deepest heading that names any (a section about 2021 is about 2021)."""
    for heading in reversed(heading_path):
        years = years_in(heading)
        if years:
            return frozenset(years)
    return frozenset()


@lru_cache(maxsize=20_000)
def heading_role(heading_path: tuple[str, ...]) -> Role:
    """The stance of the outermost heading that has a clear one (parts of a plan vs. a report)."""
    for heading in heading_path:
        key = index_key(heading)
        if len(years_in(heading)) >= 2 and not YEAR_SPAN_RE.search(key):
            continue  # a title-like heading about two years ("kết quả 2020, chỉ tiêu 2021") decides nothing
        r = RESULT_HEADING_RE.search(key)
        t = TARGET_HEADING_RE.search(key)
        if r and t:
            return "result" if r.start() < t.start() else "target"
        if r:
            return "result"
        if t:
            return "target"
    return "unknown"


def _doc_role(chunk: Chunk, years: frozenset[int]) -> Role:
    plan, report = set(chunk.doc.plan_years), set(chunk.doc.report_years)
    if years and plan and not report:
        return "target" if years & plan else "unknown"
    if years and report and not plan:
        return "result" if years & report else "unknown"
    if years and years <= plan and not years & report:
        return "target"
    if years and years <= report and not years & plan:
        return "result"
    return "unknown"


def statement_role(chunk: Chunk, text: str, years: frozenset[int], *, key: str | None = None) -> Role:
    key = index_key(text) if key is None else key
    inline_target = bool(INLINE_TARGET_RE.search(key))
    role = heading_role(tuple(chunk.heading_path))
    if role == "unknown":
        role = _doc_role(chunk, years)
    if role == "unknown":
        result_cue = bool(RESULT_WORDS_RE.search(key))
        target_cue = bool(TARGET_WORDS_RE.search(key))
        if result_cue and not target_cue:
            role = "result"
        elif target_cue and not result_cue:
            role = "target"
    if role == "result" and inline_target:
        return "mixed"
    return role


def statement_years(chunk: Chunk, text: str, sentence: str = "", *, own: frozenset[int] | None = None) -> frozenset[int]:
    """The year(s) a statement is about: its section's, narrowed by the sentence; else the document's.

    A clause without a year of its own takes its sentence's ("Năm 2020, A; B": B is about 2020 too).
    """
    if own is None:
        own = frozenset(years_in(text, drop_bases=True) or (years_in(sentence, drop_bases=True) if sentence else set()))
    section = heading_years(tuple(chunk.heading_path))
    if section:
        return frozenset(own & section) or section
    if own:
        return frozenset(own)
    if chunk.period_years:
        return frozenset(chunk.period_years)
    title_years = years_in(chunk.doc.title or "")
    if title_years:
        return frozenset(title_years)
    return frozenset(chunk.doc.years)


_ACHIEVED = key_regex(r"\b(?:đạt|tăng|giảm|vượt|gấp)\b")


def achieved_at_congress(chunk: Chunk, own: frozenset[int], role: Role, key: str) -> bool:
    """A figure a congress reports as reached, with no year or target word of its own."""
    if own or chunk.period_kind != "congress" or not chunk.period_years or heading_years(tuple(chunk.heading_path)):
        return False
    return role in ("unknown", "result") and bool(_ACHIEVED.search(key)) and not TARGET_WORDS_RE.search(key)
