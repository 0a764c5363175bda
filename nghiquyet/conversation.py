"""Follow-up questions in a conversation: what a short question means after the previous one.

In a meeting people ask "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", then "Còn Sóc Trăng thì
sao?", then "năm 2020 đạt bao nhiêu?". Each follow-up omits what the conversation already
established. `resolve_question` fills in the province(s), year(s), indicator and intent a question
leaves out from the previous resolved turn, and writes the question that is actually searched, so
the reader can see it. Understanding a single question (which provinces, years, intent) is the
retriever's `analyze()`; this module only decides what to carry over.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from core.vietnamese import fold_diacritics, has_diacritics, index_key, nfc
from retrieval.models import Intent, QueryAnalysis

if TYPE_CHECKING:
    from ingest.models import DocumentMeta
    from nghiquyet.answer.models import Answer

Analyze = Callable[[str], QueryAnalysis]

# Conversational words around the indicator, folded (no diacritics, lower case). They are only
# stripped at the edges of what remains once provinces and years are removed, so words inside an
# indicator ("số xã đạt chuẩn nông thôn mới") stay. Genre vocabulary, not any document's wording.
_LEADING = (
    "thế còn", "vậy còn", "thế thì", "còn", "thế", "vậy", "và", "với", "so sánh", "hãy cho biết",
    "xin cho biết", "cho tôi biết", "cho biết", "cho hỏi", "hỏi", "tỉnh", "thành phố", "của", "ở", "tại",
    "trong", "về", "chỉ tiêu", "mục tiêu", "kế hoạch", "phấn đấu", "dự kiến", "đề ra", "đặt ra", "đặt",
    "kết quả thực hiện", "kết quả", "thực hiện", "thực tế", "ước đạt", "ước", "đạt được", "đạt", "năm",
    "giai đoạn", "nhiệm kỳ", "thì", "là", "đã", "sẽ", "được",
)
_TRAILING = (
    "bao nhiêu phần trăm", "là bao nhiêu", "đạt bao nhiêu", "bao nhiêu", "như thế nào", "thế nào",
    "ra sao", "thì sao", "là gì", "gì", "mấy", "nào", "không", "chưa", "vậy", "nhỉ", "ạ", "thì", "là",
    "đạt được", "đạt", "được", "của", "ở", "tại", "tỉnh", "trong", "năm", "so với", "với", "thế",
    "đề ra", "đặt ra", "thực hiện", "kết quả", "chỉ tiêu", "mục tiêu", "kế hoạch",
)
_OPENER_WORDS = ("thế còn", "vậy còn", "còn về", "thế thì", "còn", "và", "thế", "vậy")


def _keys(phrases: Sequence[str], folded: bool) -> tuple[str, ...]:
    """Match keys, longest first: accent-aware (so "máy" is not "mấy"), or folded for unaccented questions."""
    made = {fold_diacritics(index_key(p)) if folded else index_key(p) for p in phrases}
    return tuple(sorted(made, key=len, reverse=True))


_EDGE_KEYS = {
    folded: (_keys(_LEADING, folded), _keys(_TRAILING, folded), _keys(_OPENER_WORDS, folded))
    for folded in (False, True)
}

# A year or a year range, with the word that introduces it ("năm 2021", "giai đoạn 2021 - 2025").
_YEAR = re.compile(
    r"(?:\b(?:nam|giai doan|nhiem ky|thoi ky|trong nam)\s+)?"
    r"\b(?:19|20)\d{2}(?:\s*[-–—]\s*(?:19|20)\d{2})?\b",
)
_PROVINCE_LEAD = re.compile(r"(?:\b(?:cua|o|tai|voi|va)\s+)?(?:\b(?:tinh|thanh pho|tp\.?)\s+)?$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_EDGE_JUNK = " \t\n,.;:!?…-–—()[]\"'“”‘’"


@dataclass(frozen=True)
class ResolvedQuestion:
    """A question with the context it was resolved in: what is searched and what it is about."""

    asked: str                                # as the user typed it
    text: str                                 # what is searched (== asked when nothing was added)
    provinces: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    intent: Intent = "any"
    topic: str = ""                           # the indicator/subject phrase, "" when none
    inherited: tuple[str, ...] = ()           # parts taken from the previous turn: province, year, topic, intent

    @property
    def changed(self) -> bool:
        return self.text != self.asked


@dataclass(frozen=True)
class Turn:
    """One question of a conversation and what came of it (an answer or an error message)."""

    question: str
    resolved: ResolvedQuestion | None = None
    answer: "Answer | None" = None
    error: str | None = None
    elapsed_s: float = 0.0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    asked_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _match_key(text: str, folded: bool) -> str:
    """Lower-case key of `text`, one character per character of nfc(text) (offsets stay valid)."""
    key = index_key(text)
    key = fold_diacritics(key) if folded else key
    return key if len(key) == len(nfc(text)) else nfc(text).lower()


def _strip_edges(keyed: str, original: str, folded: bool) -> tuple[str, str]:
    """Remove conversational words at both ends (matching on the key, cutting both strings)."""
    leading, trailing, _ = _EDGE_KEYS[folded]
    changed = True
    while changed:
        changed = False
        k = keyed.strip(_EDGE_JUNK)
        start = len(keyed) - len(keyed.lstrip(_EDGE_JUNK))
        original = original[start : start + len(k)]
        keyed = k
        for key in leading:
            if keyed == key or keyed.startswith(key + " "):
                keyed, original = keyed[len(key) :], original[len(key) :]
                changed = True
                break
        for key in trailing:
            if keyed == key or keyed.endswith(" " + key):
                keyed, original = keyed[: len(keyed) - len(key)], original[: len(original) - len(key)]
                changed = True
                break
    return keyed, original


def _without_opener(question: str) -> str:
    """The question without a conversational opener ("Còn", "Thế còn", "Vậy")."""
    folded = not has_diacritics(question)
    keyed = _match_key(question, folded)
    for key in _EDGE_KEYS[folded][2]:
        if keyed.startswith(key + " "):
            return nfc(question)[len(key) :].strip()
    return question


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def extract_topic(question: str, provinces: Sequence[str]) -> str:
    """The indicator/subject the question asks about, without provinces, years and question words.

    "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?" → "tăng trưởng GRDP";
    "Còn Sóc Trăng thì sao?" → "".
    """
    original = nfc(question)
    unaccented = not has_diacritics(original)
    # Three aligned strings (each key has one character per character of `original`): provinces
    # and years are found on the folded one (names may be typed without accents), question words
    # on the accent-aware one unless the whole question is unaccented.
    folded = _match_key(original, True)
    keyed = _match_key(original, unaccented)

    def blank(start: int, end: int) -> None:
        nonlocal folded, keyed, original
        folded, keyed, original = (_blank(t, start, end) for t in (folded, keyed, original))

    for name in sorted(provinces, key=len, reverse=True):
        key = _match_key(name, True)
        for m in reversed(list(re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", folded))):
            lead = _PROVINCE_LEAD.search(folded[: m.start()])
            blank(lead.start() if lead else m.start(), m.end())
    for m in reversed(list(_YEAR.finditer(folded))):
        blank(m.start(), m.end())
    # Collapse the holes, keeping the strings aligned word by word.
    words = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
    keyed = " ".join(keyed[a:b] for a, b in words)
    original = " ".join(original[a:b] for a, b in words)
    keyed, original = _strip_edges(keyed, original, unaccented)
    return original.strip(_EDGE_JUNK) if _WORD.search(keyed) else ""


def _years_phrase(years: Sequence[int]) -> str:
    ys = sorted(set(years))
    if len(ys) == 1:
        return f"năm {ys[0]}"
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"giai đoạn {ys[0]}-{ys[-1]}"
    return "các năm " + ", ".join(str(y) for y in ys)


def _provinces_phrase(provinces: Sequence[str]) -> str:
    names = list(dict.fromkeys(provinces))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def _compose(topic: str, provinces: Sequence[str], years: Sequence[int], intent: Intent, comparison: bool) -> str:
    """A full question from its parts, in the genre's usual word order."""
    head = {"target": "chỉ tiêu ", "result": "kết quả ", "any": ""}[intent] + topic
    if comparison:
        head = "so sánh " + head
    parts = [head]
    if years:
        parts.append(_years_phrase(years))
    if provinces:
        parts.append("của " + _provinces_phrase(provinces))
    text = " ".join(p for p in parts if p).strip()
    return text[:1].upper() + text[1:] + "?"


def resolve_question(question: str, previous: ResolvedQuestion | None, analyze: Analyze) -> ResolvedQuestion:
    """`question` with whatever it omits (province, year, indicator, intent) taken from `previous`."""
    asked = " ".join(question.split())
    # "Còn …" opens a follow-up; it is not the "còn" of a result ("tỷ lệ hộ nghèo còn 2%").
    analysis = analyze(_without_opener(asked) or asked)
    named = tuple(dict.fromkeys((*analysis.provinces, *analysis.unknown_provinces)))
    years = tuple(dict.fromkeys((*analysis.years, *analysis.unknown_years)))
    topic = extract_topic(asked, named)
    own = ResolvedQuestion(
        asked=asked, text=asked, provinces=named, years=years, intent=analysis.intent, topic=topic
    )
    if previous is None or not asked:
        return own

    inherited: list[str] = []
    provinces = named
    if not named and previous.provinces:
        provinces = previous.provinces
        inherited.append("province")
    elif analysis.comparison and previous.provinces and not set(previous.provinces) & set(named):
        # "So sánh với Sóc Trăng": the previous province is one side of the comparison.
        provinces = tuple(dict.fromkeys((*previous.provinces, *named)))
        inherited.append("province")
    if not years and previous.years:
        years = previous.years
        inherited.append("year")

    if not topic and previous.topic:
        # A bare follow-up ("Còn Sóc Trăng thì sao?", "năm 2020 đạt bao nhiêu?"): same indicator,
        # same kind of figure unless the question says which (target or result).
        intent = analysis.intent if analysis.intent != "any" else previous.intent
        inherited.append("topic")
        if intent != analysis.intent:
            inherited.append("intent")
        text = _compose(previous.topic, provinces, years, intent, analysis.comparison)
        return ResolvedQuestion(asked, text, provinces, years, intent, previous.topic, tuple(inherited))

    if not inherited:
        return own
    # A question of its own that leaves out where or when: keep its wording, say the context.
    context = []
    if "province" in inherited:
        context.append(_provinces_phrase(provinces))
    if "year" in inherited:
        context.append(_years_phrase(years))
    stem = asked.rstrip(" ?.!…")
    text = f"{stem} ({', '.join(context)})?"
    return replace(own, text=text, provinces=provinces, years=years, inherited=tuple(inherited))


def suggested_questions(docs: Sequence["DocumentMeta"], limit: int = 3) -> tuple[list[str], str | None]:
    """Example questions about what is indexed (one per province), and a follow-up to try after the first.

    Growth of GRDP is the headline indicator of every provincial plan and report, so it makes a
    question any document of the genre can answer; the year is one the document plans or reports.
    The follow-up only names a province (or a year) that has a document for it, so it works.
    """
    examples: list[tuple[str, str, int, "DocumentMeta"]] = []
    for meta in sorted(docs, key=lambda m: (-(max(m.years) if m.years else 0), m.source)):
        if not meta.province or any(meta.province == e[1] for e in examples):
            continue
        if meta.plan_years and (len(examples) % 2 == 0 or not meta.report_years):
            year = max(meta.plan_years)
            text = f"Chỉ tiêu tăng trưởng GRDP năm {year} của {meta.province}?"
        elif meta.report_years:
            year = max(meta.report_years)
            text = f"Kết quả tăng trưởng GRDP năm {year} của {meta.province}?"
        elif meta.years:
            year = max(meta.years)
            text = f"Tăng trưởng GRDP năm {year} của {meta.province}?"
        else:
            continue
        examples.append((text, meta.province, year, meta))
        if len(examples) == limit:
            break
    if not examples:
        return [], None
    _, province, year, meta = examples[0]
    other = next((m.province for m in docs if m.province and m.province != province and year in m.years), None)
    if other:
        follow_up: str | None = f"Còn {other} thì sao?"
    else:
        earlier = sorted((y for y in meta.report_years if y != year), reverse=True)
        follow_up = f"Năm {earlier[0]} đạt bao nhiêu?" if earlier else None
    return [e[0] for e in examples], follow_up


def last_resolved(turns: Sequence[Turn]) -> ResolvedQuestion | None:
    """The most recent resolved question of a conversation (the context for the next one)."""
    for turn in reversed(turns):
        if turn.resolved is not None and turn.error is None:
            return turn.resolved
    return None
