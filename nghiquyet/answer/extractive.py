"""Extractive answers: pick the statements that answer the question and say them with citations.

No LLM, nothing computed: every figure in the answer is copied from the passage it cites. The
composer
- keeps only statements that carry the question's information (see `terms`), are about the asked
  year(s) and province(s), and state a figure when a quantity is asked;
- prefers what was asked (a target or a result) and mentions the other only as labelled context;
- answers per province: a question naming none gets one cited line per province that has the
  indicator, a comparison one line per named province — never one province's figure as general;
- refuses ("Không tìm thấy thông tin này trong các tài liệu hiện có.") when nothing qualifies,
  saying what the indexed documents do cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from core.genre import (
    YEAR_RE,
    asked_periods,
    asks_legal_basis,
    asks_list,
    is_legal_basis,
    states_period_average,
)
from core.genre import find_periods, is_institution_acronym, part_of_year
from ingest.provinces import former_provinces
from core.vietnamese import fold_diacritics, has_diacritics, index_key, key_regex
from ingest.models import Chunk
from nghiquyet.answer.models import Citation
from nghiquyet.answer.statements import Statement, chunk_statements, heading_years, years_in
from nghiquyet.answer.terms import (
    Coverage,
    KeyedText,
    QuestionTerms,
    Term,
    TermStats,
    coverage,
    precision,
    proximity,
    question_terms,
    syllable_keys,
)
from retrieval.models import Filters, Passage, QueryAnalysis
from retrieval.query import stated_intent

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu hiện có."

# More than half of the question's information (idf-weighted) must be in the statement with its heading.
MIN_COVERAGE = 0.5
# Score terms for ordering statements that all qualify (they never make one qualify).
_ROLE_BONUS = 0.3
_FIGURE_BONUS = 0.15
_RANK_PENALTY = 0.02
MAX_LINES_PER_PROVINCE = 3
MAX_PROVINCES = 6

_QUANTITY = key_regex(
    r"bao nhiêu|\bmấy\b|tỷ lệ|tỉ lệ|phần trăm|số lượng|\bmức\b|ngày nào|khi nào|bao giờ|ngày tháng|"
    r"how many|how much|what percentage|what share|\brate\b|\bwhen\b"
)
_SIGNER = key_regex(r"\bai\b.*\bký\b|\bký\b.*\bai\b|người ký|do ai|ký bởi|who signed|signed by")
_WHO = re.compile(r"\bai\b|người nào|\bwho\b")
# "Who signed", "on which day", "when": the answer is a name or a date even when the question carries a
# document number ("Nghị quyết 27-NQ/TU do ai ký?"), so it is not framed as a target or a result.
_WHO_OR_WHEN = re.compile(
    _WHO.pattern + r"|ngày nào|ngày mấy|khi nào|bao giờ|lúc nào|hôm nào|thời điểm nào|\bwhen\b|what date"
)
_WHO_OR_WHEN_FOLDED = re.compile(fold_diacritics(_WHO_OR_WHEN.pattern))
_EMPTY = KeyedText.of("")


@dataclass(frozen=True)
class Draft:
    """A composed answer before timing: text with [n] markers, and the passages they cite."""

    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    final: bool = False   # a refusal no LLM may override (province or year not covered)


@dataclass(frozen=True)
class Scored:
    statement: Statement
    cover: Coverage
    score: float
    with_lead: bool = False   # the introducing sentence says part of what is asked: quote it too


@dataclass
class _Citations:
    """Numbers passages in order of first use; one passage is one [n] however often it is cited."""

    order: list[str] = field(default_factory=list)
    passages: dict[str, Passage] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def cite(self, statement: Statement) -> int:
        key = statement.passage.chunk.id
        if key not in self.passages:
            self.order.append(key)
            self.passages[key] = statement.passage
            self.spans[key] = []
        for span in statement.spans:
            if span not in self.spans[key]:
                self.spans[key].append(span)
        return self.order.index(key) + 1

    def cite_span(self, passage: Passage, span: tuple[int, int]) -> int:
        key = passage.chunk.id
        if key not in self.passages:
            self.order.append(key)
            self.passages[key] = passage
            self.spans[key] = []
        if span not in self.spans[key]:
            self.spans[key].append(span)
        return self.order.index(key) + 1

    def build(self) -> tuple[Citation, ...]:
        return tuple(
            Citation(n=i + 1, passage=self.passages[key], highlights=tuple(sorted(self.spans[key])))
            for i, key in enumerate(self.order)
        )


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


def format_years(years: Sequence[int]) -> str:
    """2019, 2020 → "2019–2020"; 2015, 2020, 2021 → "2015, 2020–2021"."""
    ys = sorted(set(years))
    if not ys:
        return ""
    runs: list[list[int]] = [[ys[0], ys[0]]]
    for y in ys[1:]:
        if y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def coverage_sentence(available: Mapping[str, Sequence[int]]) -> str:
    """"Các tài liệu hiện có: Hậu Giang (2015–2025), Sóc Trăng (2019–2020)." (or nothing indexed)."""
    if not available:
        return "Chưa có tài liệu nào được lập chỉ mục."
    parts = []
    for province in sorted(available, key=index_key):
        years = format_years(available[province])
        parts.append(f"{province} ({years})" if years else province)
    return "Các tài liệu hiện có: " + ", ".join(parts) + "."


def refusal(reasons: Sequence[str], available: Mapping[str, Sequence[int]], *, final: bool = False) -> Draft:
    lines = [NOT_FOUND, *reasons, coverage_sentence(available)]
    return Draft(text=" ".join(line for line in lines if line), refused=True, final=final)


# --- choosing statements --------------------------------------------------------------------------

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
    who = bool(_WHO.search(index_key(analysis.question)))
    in_document = _document_lookup(documents or {})
    required = required_terms(terms, analysis.question)
    basis_asked = asks_legal_basis(analysis.question)
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
                own = coverage(terms, keyed, _EMPTY).text_ratio
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
            if one_year and statement.has_figure and states_period_average(statement.text) and not statement.stated_years & years:
                continue
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
            )
            out.append(Scored(statement, cover, score, with_lead))
    out.sort(key=lambda s: -s.score)
    return out


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


def _nearest_statement(
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
    # "HĐND" is an indicator term of the abbreviation table, but it names who, not what is measured.
    return tuple(t for t in terms.terms if (t.label in codes or t.indicator) and not is_institution_acronym(t.label))


def _says_required(cover: Coverage, required: Sequence[Term]) -> bool:
    said = {label.lstrip("~") for label in cover.matched if not label.startswith("doc:")}
    return all(t.label in said for t in required)


_CODE = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w+\b|\b[A-ZĐ]{3,}\b")


def _place_of(passage: Passage) -> str:
    doc = passage.chunk.doc
    return doc.province or doc.title or passage.chunk.source


def _whole_sentences_first(scored: list[Scored]) -> list[Scored]:
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


def _pick_for_province(
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


# --- saying it ------------------------------------------------------------------------------------

_MIXED = re.compile(
    r"^(?P<subj>.+)\s+(?P<res>(?:đạt|còn|giảm còn|tăng|giảm|là)\s+(?:khoảng |trên |dưới |gần )?\d[^()]*?)\s*"
    r"\((?P<lab>Nghị quyết|nghị quyết|NQ|kế hoạch|Kế hoạch|chỉ tiêu|Chỉ tiêu)\s+(?P<tgt>[^)]+)\)\.?$"
)


def _lower_first(text: str) -> str:
    """Lower-case the first letter of a sentence used after a colon, unless it starts a name or acronym."""
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        first = text.split(" ", 1)[0]
        if first in {"Nghị", "Đảng", "Nhà", "Tỉnh", "Trung", "Chính", "Quốc", "Ban", "Bộ", "Hội", "Ủy", "Uỷ"}:
            return text
        return text[0].lower() + text[1:]
    return text


def _when(statement: Statement, asked_years: set[int]) -> str:
    """"năm 2021", "nhiệm kỳ 2020 – 2025" or "" — the time the statement itself is about."""
    years = sorted(statement.years)
    if len(years) == 1:
        return f"năm {years[0]}"
    # A statement about a period is labelled with that period, never with the one year asked.
    return statement.period


def _place(statement: Statement) -> str:
    doc = statement.passage.chunk.doc
    return doc.province or doc.title or statement.passage.chunk.source


def _column_label(column: str) -> tuple[str, str]:
    """"Thực hiện năm 2019" → ("thực hiện", " năm 2019"); "Nghị quyết năm 2020" → ("Nghị quyết", " năm 2020")."""
    when = ""
    m = re.search(r"\b(?:năm\s+)?((?:19|20)\d\d)\b", column)
    if m:
        when = f" năm {m.group(1)}"
        column = (column[: m.start()] + column[m.end() :]).strip(" ,")
    if not column.startswith("Nghị quyết"):
        column = column[:1].lower() + column[1:]
    return column, when


def _table_line(st: Statement, n: int, context: tuple[Statement, int] | None) -> str:
    label, when = _column_label(st.column)
    if st.role == "target" and not index_key(label).startswith(("chỉ tiêu", "mục tiêu", "kế hoạch")):
        label = f"chỉ tiêu {label}".strip()
    value = _lower_first(st.text)
    line = f"{st.row_key}{when} của {_place(st)}: {label} {value}".replace("  ", " ")
    if context:
        ctx, cn = context
        note = f"{ctx.column}: {_lower_first(ctx.text)}" if ctx.column else _lower_first(ctx.text.rstrip("."))
        line += f" ({note}{'' if cn == n else f' [{cn}]'})"
    return f"{line} [{n}]."


def _sentence_line(
    st: Statement,
    n: int,
    intent: str,
    asked_years: set[int],
    context: tuple[Statement, int] | None,
    *,
    lead: bool,
    framed: bool = True,
    when: str | None = None,
) -> str:
    place = _place(st)
    when = _when(st, asked_years) if when is None else when
    body = st.text.rstrip(".")
    if lead:
        body = f"{' '.join(st.lead.split())} {body}"
    lead_when = when[:1].upper() + when[1:] if when else ""
    if not st.has_figure or not framed:
        # A motto, a date, a name: no target or result to speak of.
        head = f"Theo tài liệu của {place} ({when})" if when else f"Theo tài liệu của {place}"
        line = f"{head}: {body} [{n}]"
    elif st.role == "target":
        head = f"{lead_when}, {place} đặt chỉ tiêu" if when else f"{place} đặt chỉ tiêu"
        line = f"{head}: {_lower_first(body)} [{n}]"
    elif st.role == "result":
        head = f"Kết quả {when} của {place}" if when else f"Kết quả của {place}"
        line = f"{head}: {_lower_first(body)} [{n}]"
    elif st.role == "mixed":
        m = _MIXED.match(body)
        if intent == "target" and m:
            head = f"{lead_when}, chỉ tiêu {m.group('lab')} của {place}" if when else f"Chỉ tiêu {m.group('lab')} của {place}"
            line = f"{head}: {_lower_first(m.group('subj'))} {m.group('tgt').strip()} (kết quả thực hiện: {m.group('res').strip()}) [{n}]"
        else:
            head = f"Kết quả {when} của {place}" if when else f"Kết quả của {place}"
            line = f"{head}: {_lower_first(body)} [{n}]"
    else:
        head = f"Theo tài liệu của {place} ({when})" if when else f"Theo tài liệu của {place}"
        line = f"{head}: {body} [{n}]"
    if context:
        ctx, cn = context
        kind = "Kết quả thực hiện" if ctx.role in ("result", "mixed") else "Chỉ tiêu"
        ctx_when = _when(ctx, asked_years)
        label = f"{kind} {ctx_when}".strip()
        if ctx.column:
            line += f" ({ctx.row_key} — {ctx.column}: {ctx.text} [{cn}])"
        else:
            line += f" ({label}: {_lower_first(ctx.text.rstrip('.'))} [{cn}])"
    return line + "."


# Two documents of one province may both state the indicator for the period (an HĐND and a Tỉnh ủy
# resolution, a five-year plan and the year's resolution, or a document that contradicts the others):
# both are shown, named, and a difference is said — one document never silently wins.
ANOTHER_DOCUMENT_MARGIN = 0.1
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*(?:\s?%)?")


def _from_another_document(picks: list[tuple[Scored, Scored | None]], scored: list[Scored]) -> Scored | None:
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


def _figures(text: str) -> set[str]:
    """The figures a statement states (years left out)."""
    return {f.replace(" ", "") for f in _FIGURE.findall(text) if not YEAR_RE.fullmatch(f)}


def _document_label(st: Statement) -> str:
    doc = st.chunk.doc
    title = " ".join((doc.title or doc.source).split())
    return f"“{title[:90].rstrip()}{'…' if len(title) > 90 else ''}”"


_OPPOSITE = {"target": "result", "result": "target"}


def _statement_part(st: Statement) -> str | None:
    """The part of a year a statement is about ("6t" …): its own words, else its passage's period."""
    own = part_of_year(st.text) or (part_of_year(st.sentence) if st.sentence else None)
    if own is not None or st.stated_years:
        return own
    return part_of_year(st.chunk.period) if st.chunk.period else None


def _part_line(item: Scored, cites: _Citations, chunk_at: ChunkAt | None) -> str:
    """"Tài liệu của Quảng Ninh chỉ có số liệu 9 tháng đầu năm 2021: … [1]." """
    st = item.statement
    n = cites.cite(st)
    period = next((p.label for p in find_periods(st.text) if p.kind == "part"), st.chunk.period)
    cite = _period_citation(st, cites, chunk_at)
    return f"Tài liệu của {_place(st)} chỉ có số liệu {period}{' ' + cite if cite else ''}: {_lower_first(st.text.rstrip('.'))} [{n}]."


def _other_stance_line(item: Scored, cites: _Citations, asked: str, asked_years: set[int]) -> str:
    """"Tài liệu của Hà Nội chỉ nêu chỉ tiêu năm 2021: … 7,5% [1], không nêu kết quả thực hiện." """
    st = item.statement
    n = cites.cite(st)
    when = _when(st, asked_years)
    held, lacking = ("chỉ tiêu", "kết quả thực hiện") if asked == "result" else ("kết quả thực hiện", "chỉ tiêu")
    head = f"Tài liệu của {_place(st)} chỉ nêu {held}" + (f" {when}" if when else "")
    value = f"{st.row_key} — {st.column}: {st.text}" if st.column else _lower_first(st.text.rstrip("."))
    return f"{head}: {value} [{n}], không nêu {lacking}."


ChunkAt = Callable[[str, int], Chunk | None]


def _line(
    item: Scored, ctx: Scored | None, cites: _Citations, intent: str, asked_years: set[int], *, framed: bool,
    chunk_at: ChunkAt | None = None,
) -> str:
    st = item.statement
    n = cites.cite(st)
    context = None
    if ctx is not None:
        context = (ctx.statement, cites.cite(ctx.statement))
    if st.column:
        return _table_line(st, n, context)
    when = _when(st, asked_years)
    period_cite = _period_citation(st, cites, chunk_at) if when else ""  # citing lists the source: only if shown
    if when and period_cite:
        when = f"{when} {period_cite}"
    return _sentence_line(st, n, intent, asked_years, context, lead=item.with_lead, framed=framed, when=when)


def _period_citation(st: Statement, cites: _Citations, chunk_at: ChunkAt | None) -> str:
    """"[2]" citing the paragraph that states the period when the statement's year is read from it
    ("Năm 2020, …" then "Nổi bật là, … 6,08%"): every figure shown, years included, has a source."""
    chunk = st.chunk
    if chunk_at is None or st.stated_years or chunk.period_seq < 0:
        return ""
    if chunk.period_seq == chunk.seq and years_in(chunk.period):
        return ""
    if heading_years(tuple(chunk.heading_path)) or st.years != frozenset(chunk.period_years):
        return ""
    source = chunk_at(chunk.source, chunk.period_seq)
    if source is None:
        return ""
    at = index_key(source.text).find(index_key(chunk.period))
    span = (at, at + len(chunk.period)) if at >= 0 else (0, min(len(source.text), 80))
    return f"[{cites.cite_span(Passage(chunk=source, score=0.0), span)}]"


# --- the composer ---------------------------------------------------------------------------------

def compose(
    question: str,
    analysis: QueryAnalysis,
    passages: Sequence[Passage],
    *,
    available: Mapping[str, Sequence[int]],
    stats: TermStats | None = None,
    filters: Filters = Filters(),
    mentioned: Mapping[str, frozenset[int]] | None = None,
    documents: Mapping[str, KeyedText] | None = None,
    chunk_at: ChunkAt | None = None,
) -> Draft:
    """The extractive answer to `question` from ranked `passages` (or a refusal saying why).

    `available` is what the documents are about (shown when refusing); `mentioned` every year each
    province's passages speak of. A year is refused outright only when no passage of the asked
    province(s) mentions it: document metadata ranks, it never refuses.
    """
    asked_provinces = tuple(dict.fromkeys((*filters.provinces, *analysis.provinces)))
    # A province named by its post-merger name is answered by its former provinces' documents too.
    merged = {f: p for p in asked_provinces for f in former_provinces(p) if f in asked_provinces}
    unknown_provinces = [
        p for p in asked_provinces
        if (p in analysis.unknown_provinces or (available and p not in available))
        and not any(f in available for f in former_provinces(p))
    ]
    known_provinces = [p for p in asked_provinces if p not in unknown_provinces and (p in available or not available)]
    asked_years = set(analysis.years) | set(filters.years) | years_in(question)
    if mentioned is None:
        mentioned = {p: frozenset(ys) for p, ys in available.items()}
    known_years = {y for p, ys in mentioned.items() if not known_provinces or p in known_provinces for y in ys}
    unknown_years = {y for y in asked_years if known_years and y not in known_years}

    reasons = []
    if unknown_provinces:
        reasons.append(f"Chưa có tài liệu nào về {', '.join(unknown_provinces)}.")
    anywhere = {y for ys in mentioned.values() for y in ys}
    if unknown_years and unknown_years == asked_years:
        if known_provinces and unknown_years & anywhere:
            for province in known_provinces:
                covered = available.get(province) or sorted(mentioned.get(province, ()))
                reasons.append(f"Tài liệu của {province} chỉ có năm {format_years(covered)}.")
        else:
            reasons.append(f"Chưa có tài liệu nào về năm {', '.join(str(y) for y in sorted(unknown_years))}.")
    if (unknown_provinces and not known_provinces) or (unknown_years and unknown_years == asked_years):
        return refusal(reasons, available, final=True)

    terms = question_terms(
        question,
        provinces=(*asked_provinces, *analysis.unknown_provinces, *available.keys()),
        stats=stats,
    )
    if terms.empty:
        return refusal(["Câu hỏi chưa nêu rõ cần tìm chỉ tiêu hay nội dung nào."], available)

    quantity = asks_quantity(question)
    years = asked_years - unknown_years
    pool = [p for p in passages if not known_provinces or p.chunk.doc.province in known_provinces]
    scored = score_statements(pool, terms, analysis, years=years, quantity=quantity, documents=documents)
    if asks_list(question):
        scored = _whole_sentences_first(scored)

    # "Cả năm 2021" is not answered by "9 tháng đầu năm 2021", nor "6 tháng đầu năm" by a whole year's figure.
    asked_part = part_of_year(question)
    part_only: dict[str, list[Scored]] = {}
    kept: list[Scored] = []
    for item in scored:
        part = _statement_part(item.statement)
        if part == asked_part or (asked_part is not None and part is None):
            kept.append(item)
        elif asked_part is None:
            part_only.setdefault(_place(item.statement), []).append(item)
    scored = kept
    by_province: dict[str, list[Scored]] = {}
    for item in scored:
        by_province.setdefault(_place(item.statement), []).append(item)

    if _SIGNER.search(index_key(question)) and not scored:
        signer = _signer_answer(pool, known_provinces)
        if signer:
            return signer

    cites = _Citations()
    lines: list[str] = []
    missing: list[str] = []
    targets = known_provinces or list(by_province)[:MAX_PROVINCES]
    # "đặt chỉ tiêu" / "Kết quả" only when a figure is what was asked for.
    framed = (quantity or analysis.intent != "any" or bool(terms.numbers)) and not asks_who_or_when(question)
    partial: list[str] = []
    mismatched: list[str] = []
    periods = asked_periods(question)
    stance = stated_intent(question)
    if len(periods) >= 2:
        # Each side of "năm 2020 so với giai đoạn 2025-2030" carries only part of the question's words.
        for item in score_statements(
            pool, terms, analysis, years=years, quantity=quantity, documents=documents,
            min_coverage=NEAREST_COVERAGE, strict_years=True,
        ):
            side = by_province.setdefault(_place(item.statement), [])
            key = (item.statement.chunk.id, item.statement.spans)
            if all((o.statement.chunk.id, o.statement.spans) != key for o in side):
                side.append(item)
        for side in by_province.values():
            side.sort(key=lambda item: -item.score)
    for province in targets:
        picks = _pick_for_province(by_province.get(province, []), analysis.intent, years, periods)
        if not picks and part_only.get(province):
            mismatched.append(_part_line(part_only[province][0], cites, chunk_at))
            continue
        if not picks:
            nearest = _nearest_statement(
                [p for p in pool if _place_of(p) == province], terms, analysis, years=years, quantity=quantity,
                documents=documents,
            )
            if nearest is None:
                missing.append(province)
                continue
            picks = [(nearest, None)]
            partial.extend(t for t in nearest.cover.missing if t not in partial)
        if stance in ("target", "result") and all(item.statement.role == _OPPOSITE[stance] for item, _ in picks):
            # Asked for a result, found only the target (or the reverse): say what the documents hold.
            item = picks[0][0]
            mismatched.append(_other_stance_line(item, cites, stance, years))
            continue
        second = _from_another_document(picks, by_province.get(province, []))
        label = second is not None
        for item, ctx in picks:
            line = _line(item, ctx, cites, analysis.intent, years, framed=framed, chunk_at=chunk_at)
            lines.append(f"Theo {_document_label(item.statement)}: {line}" if label else line)
        if second is not None:
            line = _line(second, None, cites, analysis.intent, years, framed=framed, chunk_at=chunk_at)
            lines.append(f"Theo {_document_label(second.statement)}: {line}")
            differ = _figures(picks[0][0].statement.text) ^ _figures(second.statement.text)
            if differ and _figures(picks[0][0].statement.text) and _figures(second.statement.text):
                lines.append(
                    f"Lưu ý: hai tài liệu của {province} nêu số liệu khác nhau "
                    f"({', '.join(sorted(_figures(picks[0][0].statement.text)))} và "
                    f"{', '.join(sorted(_figures(second.statement.text)))}); hãy đối chiếu nguồn."
                )

    if mismatched and not lines:
        text = " ".join([NOT_FOUND, *mismatched])
        return Draft(text=text, refused=True, citations=cites.build(), final=True)
    lines.extend(mismatched)
    if not lines:
        reasons = list(reasons)
        for province in known_provinces:
            covered = mentioned.get(province, frozenset())
            if years and covered and not years & covered:
                reasons.append(f"Tài liệu của {province} chỉ có năm {format_years(sorted(available.get(province, ()) or covered))}.")
        return refusal(reasons, available, final=bool(reasons))

    notes = [
        f"{former} nay thuộc {merged[former]} (sáp nhập tỉnh từ ngày 1/7/2025); tài liệu viết trước đó dùng tên {former}."
        for former in merged
        if former in targets and former not in missing
    ]
    if partial:
        notes.append(
            "Đoạn trích là đoạn gần nhất với câu hỏi nhưng không nêu đủ: "
            + ", ".join(f"“{t}”" for t in partial) + "; hãy đọc nguồn để kiểm tra."
        )
    if unknown_provinces:
        lines.append(f"{', '.join(unknown_provinces)}: chưa có tài liệu nào về tỉnh này.")
    for province in missing:
        lines.append(f"{province}: không tìm thấy thông tin này trong tài liệu của tỉnh.")
    if unknown_years and unknown_years != asked_years:
        notes.append(f"Không có tài liệu về năm {', '.join(str(y) for y in sorted(unknown_years))}.")
    multi = len([p for p in targets if p not in missing]) > 1
    if multi and not known_provinces:
        lines.insert(0, "Câu hỏi không nêu tỉnh; số liệu theo từng tỉnh:")
    if len(lines) > 1:
        text = "\n".join(line if i == 0 and line.endswith(":") else f"- {line}" for i, line in enumerate(lines))
    else:
        text = lines[0]
    return Draft(text=text, refused=False, citations=cites.build(), notes=tuple(notes))


def _signer_answer(passages: Sequence[Passage], provinces: Sequence[str]) -> Draft | None:
    """"Ai ký …?": the signer the document's metadata names, cited where the document writes the name."""
    for passage in passages:
        doc = passage.chunk.doc
        if not doc.signer or (provinces and doc.province not in provinces):
            continue
        where = passage.chunk.text.find(doc.signer)
        if where < 0:
            continue
        cites = _Citations()
        span = (where, where + len(doc.signer))
        st = Statement(
            passage=passage, rank=0, text=doc.signer, spans=(span,), role="unknown", years=frozenset(doc.years),
            period="", keyed=KeyedText.of(doc.signer), context=_EMPTY, has_figure=False,
        )
        n = cites.cite(st)
        title = doc.title or passage.chunk.source
        return Draft(text=f"{title} ({_place(st)}) do {doc.signer} ký [{n}].", refused=False, citations=cites.build())
    return None
