"""Choosing the statements that answer a question: coverage, year, stance, codes and indicators, one
line per province and period, a second document of the same province."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from core.genre import (
    asks_legal_basis,
    is_institution_acronym,
    is_legal_basis,
    part_of_year,
    states_period_average,
)
from core.vietnamese import index_key
from nghiquyet.answer.asking import WHO_RE
from nghiquyet.answer.statements import Statement, chunk_statements
from nghiquyet.answer.terms import (
    Coverage,
    KeyedText,
    QuestionTerms,
    Term,
    coverage,
    precision,
    proximity,
    syllable_keys,
)
from retrieval.models import Passage, QueryAnalysis

# More than half of the question's information (idf-weighted) must be in the statement with its heading.
MIN_COVERAGE = 0.5
# Score terms for ordering statements that all qualify (they never make one qualify).
_ROLE_BONUS = 0.3
_FIGURE_BONUS = 0.15
_RANK_PENALTY = 0.02
MAX_LINES_PER_PROVINCE = 3
MAX_PROVINCES = 6
NO_KEYS = KeyedText.of("")


@dataclass(frozen=True)
class Scored:
    statement: Statement
    cover: Coverage
    score: float
    with_lead: bool = False   # the introducing sentence says part of what is asked: quote it too


def _role_bonus(statement: Statement, intent: str) -> float:
    if intent == "any" or statement.role == "unknown":
        return 0.0
    if statement.role == intent:
        return _ROLE_BONUS
    if statement.role == "mixed":
        return _ROLE_BONUS * (1.0 if intent == "result" else 0.8)
    return -_ROLE_BONUS


def year_matches(statement: Statement, years: set[int]) -> bool:
    """About an asked year. A period must share at least two years with an asked period
    ("nhiệm kỳ 2015 - 2020" is not an answer about "nhiệm kỳ 2020-2025")."""
    if not years or not statement.years:
        return True  # nothing says which year it is about: the ranking prefers statements that say so
    shared = statement.years & years
    if len(years) > 1 and len(statement.years) > 1:
        return len(shared) >= 2
    return bool(shared)


def _qualifies(
    statement: Statement, cover: Coverage, own: float, *, years: set[int], quantity: bool, min_coverage: float,
    strict_years: bool,
) -> bool:
    if cover.ratio <= min_coverage or own <= 0:
        return False
    if quantity and not statement.has_figure:
        return False
    if not year_matches(statement, years) or (strict_years and years and not statement.years):
        return False
    # "Đại hội xác định phương châm là:" ending its passage says nothing itself; what it introduces does.
    return not statement.is_lead_in


def score_statements(
    passages: Sequence[Passage],
    terms: QuestionTerms,
    analysis: QueryAnalysis,
    *,
    years: set[int],
    quantity: bool,
    documents: Mapping[str, KeyedText] | None = None,
    min_coverage: float = MIN_COVERAGE,
    strict_years: bool = False,
) -> list[Scored]:
    """Every qualifying statement of the passages, best first."""
    who = bool(WHO_RE.search(index_key(analysis.question)))
    in_document = _document_lookup(documents or {})
    required = required_terms(terms, analysis.question)
    basis_asked = asks_legal_basis(analysis.question)
    counted = counted_pattern(analysis.question) if quantity else None
    # "Năm 2022 … tăng bao nhiêu?" is not answered by "tăng bình quân 9,26%/năm" over a period.
    one_year = len(years) == 1 and not states_period_average(analysis.question)
    out: list[Scored] = []
    for rank, passage in enumerate(passages):
        doc_has = in_document(passage.chunk.source)
        for statement in chunk_statements(passage.chunk):
            keyed = statement.keyed
            cover = coverage(terms, keyed, statement.context, doc_has)
            with_lead = False
            own = cover.text_ratio
            if statement.lead and not statement.column and cover.text_ratio == 0:
                # “ĐOÀN KẾT - DÂN CHỦ …” says what is asked only with the line that introduces it
                # ("Đại hội xác định phương châm là:"); then both are quoted.
                keyed = KeyedText.of(statement.lead, statement.text)
                own = coverage(terms, keyed, NO_KEYS).text_ratio
                with_lead = own > 0
            if not _qualifies(
                statement, cover, own, years=years, quantity=quantity, min_coverage=min_coverage,
                strict_years=strict_years,
            ):
                continue
            statement = replace(statement, passage=passage, rank=rank)
            if who and not _names_someone(statement):
                continue
            if statement.parent and not _asks_about_part(terms, statement):
                continue  # "Trong đó: …" rows answer only questions about that part
            if statement.partial and _opening_suffices(terms, statement, cover):
                continue  # the sentence is about what is asked from its start; quote it whole
            if not _says_required(cover, required):
                continue
            if is_legal_basis(statement.sentence or statement.text) and not basis_asked:
                continue  # "Căn cứ Luật …" is what a resolution rests on, not what it says
            if (
                one_year
                and statement.has_figure
                and states_period_average(statement.text)
                and len(statement.years) < 2
                and not statement.stated_years & years
            ):
                continue  # an average over a period it does not name: not a figure of the year asked
            score = (
                cover.ratio
                + 0.3 * own
                + 0.2 * proximity(terms, keyed)
                + _role_bonus(statement, analysis.intent)
                + (_FIGURE_BONUS if statement.has_figure else 0.0)
                + _year_bonus(statement, years)
                + (0.2 * precision(terms, statement.label) if statement.label else 0.0)
                - _RANK_PENALTY * rank
                - _length_penalty(statement.text)
                + (_COUNTED_BONUS if counted is not None and counted.search(index_key(statement.text)) else 0.0)
            )
            out.append(Scored(statement, cover, score, with_lead))
    out.sort(key=lambda s: -s.score)
    return out


# "bao nhiêu đại biểu chính thức?": a statement that writes a figure right before those words ("487 đại
# biểu chính thức") gives the count; one that mentions them beside another figure ("lần thứ 20") does not.
_COUNTED_BONUS = 0.3
_COUNT_CUE = re.compile(r"(?:bao nhiêu|bao nhieu|mấy|may)\s+((?:[^\W\d_]+\s*){1,2})")


def counted_pattern(question: str) -> re.Pattern[str] | None:
    m = _COUNT_CUE.search(index_key(question))
    if not m:
        return None
    words = m.group(1).split()
    return re.compile(r"\d[\d.,]*\s*(?:\(\s*)?" + r"\s+".join(map(re.escape, words)))


def _document_lookup(documents: Mapping[str, KeyedText]) -> Callable[[str], Callable[[Term], bool] | None]:
    """Per source, "does the rest of the document carry this term?" — each answer computed once per question."""
    memo: dict[tuple[str, Term], bool] = {}

    def for_source(source: str) -> Callable[[Term], bool] | None:
        keyed = documents.get(source)
        if keyed is None:
            return None

        def has(term: Term) -> bool:
            key = (source, term)
            if key not in memo:
                memo[key] = keyed.has(term)
            return memo[key]

        return has

    return for_source


# When no statement carries more than half of the question, the best-ranked passages may still hold the
# answer in other words ("kịch bản tăng trưởng" for "mục tiêu"): a statement of the top passages that
# carries a good part of it, states a figure when one is asked and is about the asked year, is quoted —
# with a note naming what it does not say — rather than refusing what retrieval found.
NEAREST_PASSAGES = 3
NEAREST_COVERAGE = 0.3


def nearest_statement(
    passages: Sequence[Passage],
    terms: QuestionTerms,
    analysis: QueryAnalysis,
    *,
    years: set[int],
    quantity: bool,
    documents: Mapping[str, KeyedText] | None,
) -> Scored | None:
    scored = score_statements(
        passages[:NEAREST_PASSAGES], terms, analysis, years=years, quantity=quantity, documents=documents,
        min_coverage=NEAREST_COVERAGE, strict_years=True,
    )
    return scored[0] if scored else None


def required_terms(terms: QuestionTerms, question: str) -> tuple[Term, ...]:
    """Terms a statement must say itself (or under its heading) to answer the question.

    Codes and acronyms ("5G", "IIP", "FDI") are never paraphrased: a statement without them (or what they
    stand for) is about something else, however many other words it shares. Likewise a named indicator
    ("tỷ lệ hộ nghèo", "che phủ rừng", "tăng trưởng GRDP"): a statement that names it in none of its
    spellings answers another question."""
    codes = {index_key(c) for c in _CODE.findall(question) if not is_institution_acronym(c)}
    # An institution ("HĐND") names who, not what is measured, whichever table spells it.
    return tuple(t for t in terms.terms if (t.label in codes or t.indicator) and not is_institution_acronym(t.label))


def _says_required(cover: Coverage, required: Sequence[Term]) -> bool:
    said = {label.lstrip("~") for label in cover.matched if not label.startswith("doc:")}
    return all(t.label in said for t in required)


_CODE = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w+\b|\b[A-ZĐ]{3,}\b")


def place_of_passage(passage: Passage) -> str:
    doc = passage.chunk.doc
    return doc.province or doc.title or passage.chunk.source


def whole_sentences_first(scored: list[Scored]) -> list[Scored]:
    """For a list question, a clause gives way to the whole sentence it comes from when that sentence
    qualifies too ("… về công nghiệp năng lượng, du lịch và dịch vụ logistics", not its first item)."""
    whole = {(i.statement.chunk.id, i.statement.spans) for i in scored if not i.statement.partial}
    out = []
    for item in scored:
        st = item.statement
        if st.partial and any(
            key[0] == st.chunk.id and key[1][0][0] <= st.spans[0][0] and st.spans[-1][1] <= key[1][-1][1]
            for key in whole
        ):
            continue
        out.append(item)
    return out


def _asks_about_part(terms: QuestionTerms, statement: Statement) -> bool:
    """A sub-row qualifies only when the question names what sets it apart from its parent row
    ("đặc sản" in "Tỷ lệ lúa đặc sản chiếm" under "Sản lượng lúa")."""
    parent_words = set(syllable_keys(statement.parent))
    distinct = " ".join(w for w in syllable_keys(statement.label) if w not in parent_words)
    return precision(terms, distinct) > 0


def _opening_suffices(terms: QuestionTerms, statement: Statement, cover: Coverage) -> bool:
    opening = coverage(terms, KeyedText.of(statement.opening), statement.context)
    return opening.ratio + 1e-9 >= cover.ratio and opening.text_ratio + 1e-9 >= cover.text_ratio


def _year_bonus(statement: Statement, years: set[int]) -> float:
    """A statement about exactly the asked year beats one about a whole period that includes it
    ("Năm 2020 … 90,21%" over the 2020–2025 target "95%" when 2020 is asked)."""
    if len(years) != 1:
        return 0.0  # no year, or a period: nothing to be more precise about
    bonus = 0.15 if statement.years and statement.years <= years else 0.0
    if statement.stated_years & years:
        bonus += 0.1
    return bonus


def _length_penalty(text: str) -> float:
    # A clause is preferred to its whole sentence when it says the same; answers stay short.
    return 0.0005 * len(text) + 0.002 * max(0, len(text) - 280)


_NOT_NAMES = frozenset(
    """ban chấp hành đảng bộ tỉnh ủy uỷ nhà nước trung ương hội đồng nhân dân quốc chính phủ nghị quyết
    thường vụ đại biểu mặt trận tổ thành phố huyện xã thị bí thư chủ tịch phó đoàn văn phòng
    sở công an quân sự viện kiểm sát tòa án kho bạc ngân hàng đồng chí đại hội""".split()
)


def _names_someone(statement: Statement) -> bool:
    """The statement names a person: the document's signer, or three or more capitalised words in a row
    that are not an institution ("Nguyễn Thanh Nghị", "Lâm Thị Phương Thanh")."""
    doc = statement.passage.chunk.doc
    if doc.signer and doc.signer in statement.text:
        return True
    run = 0
    # "Việt" and "Nam" are syllables of names too ("Trịnh Việt Hùng"); only together are they the country.
    text = re.sub(r"\bViệt Nam\b", " , ", statement.text)
    for word in re.findall(r"[^\W\d_]+|,", text):
        if word[0].isupper() and (len(word) == 1 or word[1:].islower()) and index_key(word) not in _NOT_NAMES:
            run += 1
            if run >= 3:  # Vietnamese personal names have three or more syllables; places mostly two
                return True
        else:
            run = 0
    return False


def _overlaps(a: Statement, b: Statement) -> bool:
    if a.passage.chunk.id != b.passage.chunk.id:
        return False
    if a.column or b.column:
        return a.column == b.column and a.row_key == b.row_key
    return any(x0 < y1 and y0 < x1 for x0, x1 in a.spans for y0, y1 in b.spans)


def pick_for_province(
    scored: list[Scored], intent: str, asked_years: set[int], periods: Sequence[frozenset[int]] = ()
) -> list[tuple[Scored, Scored | None]]:
    """The best statement per year (several years only when none was asked, or one per asked period when
    the question sets periods side by side: "2021 versus 2026"), each with labelled context."""
    if not scored:
        return []
    if len(periods) >= 2:
        chosen_by_period: list[tuple[Scored, Scored | None]] = []
        for period in periods:
            fits = [i for i in scored if i.statement.years and year_matches(i.statement, set(period))]
            fits = [i for i in fits if not any(_overlaps(i.statement, c.statement) for c, _ in chosen_by_period)]
            if fits:
                chosen_by_period.append((fits[0], None))
        if chosen_by_period:
            return chosen_by_period
    chosen: list[tuple[Scored, Scored | None]] = []
    used_years: list[frozenset[int]] = []
    for item in scored:
        st = item.statement
        if any(_overlaps(st, c.statement) or (ctx and _overlaps(st, ctx.statement)) for c, ctx in chosen):
            continue
        # Another line only for another time: 2020 vs 2021, or nhiệm kỳ 2015–2020 vs 2020–2025.
        if any(st.years <= y or y <= st.years for y in used_years):
            continue
        if chosen and asked_years:
            break
        if chosen and item.score < chosen[0][0].score - 0.6:
            break
        context = _context_for(item, scored) if st.role in ("target", "result") else None
        chosen.append((item, context))
        used_years.append(st.years)
        if len(chosen) >= MAX_LINES_PER_PROVINCE:
            break
    return chosen


def _context_for(item: Scored, scored: list[Scored]) -> Scored | None:
    """The other stance for the same year (a result for a target, a target for a result), if any."""
    st = item.statement
    if not st.has_figure:
        return None
    wanted = "result" if st.role == "target" else "target"
    for other in scored:
        o = other.statement
        if o is st or _overlaps(o, st) or not o.has_figure:
            continue
        # The same indicator in the same year: as specific a year, as close a match.
        if o.role not in (wanted, "mixed") or o.years != st.years:
            continue
        if st.column and o.passage.chunk.id == st.passage.chunk.id and o.row_key != st.row_key:
            continue
        if other.cover.ratio < item.cover.ratio - 0.15 or other.cover.text_ratio < item.cover.text_ratio - 0.15:
            continue
        return other
    return None


# Two documents of one province may both state the indicator for the period (an HĐND and a Tỉnh ủy
# resolution, a five-year plan and the year's resolution, or a document that contradicts the others):
# both are shown, named, and a difference is said — one document never silently wins.
ANOTHER_DOCUMENT_MARGIN = 0.1


def from_another_document(picks: list[tuple[Scored, Scored | None]], scored: list[Scored]) -> Scored | None:
    if len(picks) != 1:
        return None
    best = picks[0][0]
    st = best.statement
    for item in scored:
        other = item.statement
        if other.chunk.source == st.chunk.source or other.chunk.doc.content_hash == st.chunk.doc.content_hash:
            continue
        if other.has_figure != st.has_figure or (st.years and other.years and not st.years & other.years):
            continue
        if {st.role, other.role} == {"target", "result"}:
            continue
        if item.cover.ratio + ANOTHER_DOCUMENT_MARGIN < best.cover.ratio:
            continue
        if item.cover.text_ratio + ANOTHER_DOCUMENT_MARGIN < best.cover.text_ratio:
            continue
        return item
    return None


def statement_part(st: Statement) -> str | None:
    """The part of a year a statement is about ("6t" …): its own words, else its passage's period."""
    own = part_of_year(st.text) or (part_of_year(st.sentence) if st.sentence else None)
    if own is not None or st.stated_years:
        return own
    return part_of_year(st.chunk.period) if st.chunk.period else None
