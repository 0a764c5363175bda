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
from retrieval.models import Filters, Intent, QueryAnalysis

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
    reply: str | None = None                  # a greeting's or thanks' short reply (nothing searched)
    filters: Filters = field(default_factory=Filters)
    out_of_filter: tuple[str, ...] = ()       # provinces asked about that the active filter excludes
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
        # Trailing words first: in "năm 2020 thì sao" the leading "thì" must not leave "sao" behind.
        for key in trailing:
            if keyed == key or keyed.endswith(" " + key):
                keyed, original = keyed[: len(keyed) - len(key)], original[: len(original) - len(key)]
                changed = True
                break
        for key in leading:
            if keyed == key or keyed.startswith(key + " "):
                keyed, original = keyed[len(key) :], original[len(key) :]
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


# Follow-ups that name no indicator but a relation to the previous answer. Matched on the folded key.
_WHICH_PROVINCE = re.compile(r"\b(?:tinh|noi|dia phuong|ben) nao\b.*\b(?:cao|thap|lon|nho|nhieu|it|tot|nhanh|cham)\s+hon\b")
_PREVIOUS_YEAR = re.compile(r"\bso (?:voi|sanh voi) (?:nam truoc|nam ngoai|cung ky|nam lien truoc)\b")
# Greetings and thanks: the whole message, give or take a form of address or a particle.
_ADDRESS = r"(?:\s+(?:ban|anh|chi|em|ca nha|moi nguoi|nhe|nha|nhieu|rat nhieu|a|nhe ban|tro ly))*"
_GREETING = re.compile(rf"^(?:xin chao|chao|alo|hello|hi|chao buoi sang|chao buoi chieu){_ADDRESS}$")
_THANKS = re.compile(rf"^(?:(?:xin )?cam on|thank you|thanks|ok|oke|tot|tot qua|hay qua|vang|da|duoc roi){_ADDRESS}$")
_GOODBYE = re.compile(rf"^(?:tam biet|bye|hen gap lai){_ADDRESS}$")
GREETING_REPLY = (
    "Xin chào anh/chị. Anh/chị cần tra cứu chỉ tiêu, kết quả hay số liệu nào, của tỉnh nào, năm nào?"
)
THANKS_REPLY = "Không có gì ạ. Anh/chị cần tra cứu thêm số liệu nào cứ hỏi tiếp."
GOODBYE_REPLY = "Chào anh/chị, hẹn gặp lại."


def small_talk_reply(question: str) -> str | None:
    """A short reply to a greeting, thanks or goodbye (which is not searched); None for a real question."""
    key = " ".join(_WORD.findall(fold_diacritics(index_key(question))))
    if _GREETING.match(key):
        return GREETING_REPLY
    if _THANKS.match(key):
        return THANKS_REPLY
    if _GOODBYE.match(key):
        return GOODBYE_REPLY
    return None


def _opens_follow_up(question: str) -> bool:
    """ "Còn …", "Thế còn …", "Vậy …": the asker says the question continues the previous one."""
    return _without_opener(question) != question


def _relation_follow_up(question: str, previous: ResolvedQuestion, analysis: QueryAnalysis) -> ResolvedQuestion | None:
    """ "tỉnh nào cao hơn?", "so với năm trước?": same indicator, compared across provinces or years."""
    if not previous.topic:
        return None
    key = " ".join(_WORD.findall(fold_diacritics(index_key(question))))
    asked = " ".join(question.split())
    if _WHICH_PROVINCE.search(key) and not analysis.provinces:
        # Between the provinces of the previous answer; after a single one, across every province.
        provinces = previous.provinces if len(previous.provinces) > 1 else ()
        text = _compose(previous.topic, provinces, previous.years, previous.intent, comparison=True)
        inherited = ("province", "year", "topic") if provinces else ("year", "topic")
        return ResolvedQuestion(asked, text, provinces, previous.years, previous.intent, previous.topic, inherited)
    if _PREVIOUS_YEAR.search(key) and previous.years and not analysis.years:
        years = tuple(sorted({min(previous.years) - 1, *previous.years}))
        # A target is compared with what the year before achieved: no intent, both kinds may answer.
        text = _compose(previous.topic, previous.provinces, years, "any", comparison=True)
        return ResolvedQuestion(
            asked, text, previous.provinces, years, "any", previous.topic, ("province", "year", "topic")
        )
    return None


def resolve_question(question: str, previous: ResolvedQuestion | None, analyze: Analyze) -> ResolvedQuestion:
    """`question` with whatever it omits (province, year, indicator, intent) taken from `previous`.

    Only a follow-up inherits: a question without an indicator of its own ("năm 2020 thì sao?",
    "còn Sóc Trăng?"), one that opens as a continuation ("còn GRDP bình quân đầu người?"), or one that
    relates to the previous answer ("tỉnh nào cao hơn?", "so với năm trước?"). A question naming its
    own indicator or province stands alone, so context never slips into a new subject unseen.
    """
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
    related = _relation_follow_up(asked, previous, analysis)
    if related is not None:
        return related
    if topic and not _opens_follow_up(asked):
        return own

    inherited: list[str] = []
    provinces = named
    if not named and previous.provinces:
        provinces = previous.provinces
        inherited.append("province")
    elif analysis.comparison and len(named) == 1 and previous.provinces and named[0] not in previous.provinces:
        # "So sánh với Sóc Trăng": the previous province is the other side. A comparison naming
        # both sides itself gains no third.
        provinces = tuple(dict.fromkeys((*previous.provinces, *named)))
        inherited.append("province")
    if not years and previous.years:
        years = previous.years
        inherited.append("year")

    if not topic and previous.topic:
        # A bare follow-up ("Còn Sóc Trăng thì sao?", "năm 2020 đạt bao nhiêu?"): same indicator.
        # Same kind of figure (target or result) for another province; for another year the question
        # says which, or either may answer: a 2021 target does not make "năm 2020?" a 2020 target.
        intent = analysis.intent
        if intent == "any" and "year" in inherited:
            intent = previous.intent
        inherited.append("topic")
        if intent != analysis.intent:
            inherited.append("intent")
        text = _compose(previous.topic, provinces, years, intent, analysis.comparison)
        return ResolvedQuestion(asked, text, provinces, years, intent, previous.topic, tuple(inherited))

    if not inherited:
        return own
    # A continuation that leaves out where or when: keep its wording, say the context.
    context = []
    if "province" in inherited:
        context.append(_provinces_phrase(provinces))
    if "year" in inherited:
        context.append(_years_phrase(years))
    stem = _without_opener(asked).rstrip(" ?.!…")
    stem = stem[:1].upper() + stem[1:]
    text = f"{stem} ({', '.join(context)})?"
    return replace(own, text=text, provinces=provinces, years=years, inherited=tuple(inherited))


def context_label(context: ResolvedQuestion) -> str:
    """What a follow-up would carry over, at a glance: "Trà Vinh · 2021 · tăng trưởng GRDP"."""
    parts = []
    if context.provinces:
        parts.append(_provinces_phrase(context.provinces))
    if context.years:
        parts.append(_years_phrase(context.years).removeprefix("năm "))
    if context.topic:
        parts.append(context.topic)
    return " · ".join(parts)


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
    """The context a next question may inherit: the last answered turn's, nothing after a refusal or an error.

    A greeting or thanks in between changes nothing; a refused or filter-blocked question ends the context, so a wrong province or year is not carried into what follows. A turn that
    failed (store unreachable, punctuation only) is skipped.
    """
    for turn in reversed(turns):
        if turn.reply is not None or turn.error is not None:
            continue  # an error (store unreachable, empty question) says nothing about the subject
        if turn.out_of_filter or (turn.answer is not None and turn.answer.refused):
            return None
        if turn.resolved is not None:
            return turn.resolved
    return None
