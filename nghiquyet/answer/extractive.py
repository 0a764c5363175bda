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

from collections.abc import Mapping, Sequence

from core.genre import (
    asked_periods,
    asks_list,
    part_of_year,
    years_in,
)
from ingest.provinces import former_provinces
from nghiquyet.answer.asking import asked_document_facts, asks_quantity, asks_who_or_when
from nghiquyet.answer.document_facts import document_fact_answer
from nghiquyet.answer.draft import NOT_FOUND, Citations, Draft, format_years, refusal
from nghiquyet.answer.phrasing import (
    OPPOSITE_STANCE,
    ChunkAt,
    answer_line,
    document_label,
    figures_of,
    other_stance_line,
    part_line,
    place_of,
)
from nghiquyet.answer.selection import (
    MAX_PROVINCES,
    NEAREST_COVERAGE,
    Scored,
    from_another_document,
    nearest_statement,
    pick_for_province,
    place_of_passage,
    score_statements,
    statement_part,
    whole_sentences_first,
)
from nghiquyet.answer.terms import (
    KeyedText,
    TermStats,
    question_terms,
)
from retrieval.models import Filters, Passage, QueryAnalysis
from retrieval.query import stated_intent


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
        scored = whole_sentences_first(scored)

    # "Cả năm 2021" is not answered by "9 tháng đầu năm 2021", nor "6 tháng đầu năm" by a whole year's figure.
    asked_part = part_of_year(question)
    part_only: dict[str, list[Scored]] = {}
    kept: list[Scored] = []
    for item in scored:
        part = statement_part(item.statement)
        if part == asked_part or (asked_part is not None and part is None):
            kept.append(item)
        elif asked_part is None:
            part_only.setdefault(place_of(item.statement), []).append(item)
    scored = kept
    by_province: dict[str, list[Scored]] = {}
    for item in scored:
        by_province.setdefault(place_of(item.statement), []).append(item)

    facts = asked_document_facts(question)
    if facts and (not scored or set(facts) - {"signer"}):
        answer = document_fact_answer(facts, pool, known_provinces, chunk_at)
        if answer is not None:
            return answer

    cites = Citations()
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
            side = by_province.setdefault(place_of(item.statement), [])
            key = (item.statement.chunk.id, item.statement.spans)
            if all((o.statement.chunk.id, o.statement.spans) != key for o in side):
                side.append(item)
        for side in by_province.values():
            side.sort(key=lambda item: -item.score)
    for province in targets:
        picks = pick_for_province(by_province.get(province, []), analysis.intent, years, periods)
        if not picks and part_only.get(province):
            mismatched.append(part_line(part_only[province][0], cites, chunk_at))
            continue
        if not picks:
            nearest = nearest_statement(
                [p for p in pool if place_of_passage(p) == province], terms, analysis, years=years, quantity=quantity,
                documents=documents,
            )
            if nearest is None:
                missing.append(province)
                continue
            picks = [(nearest, None)]
            partial.extend(t for t in nearest.cover.missing if t not in partial)
        if stance in ("target", "result") and all(item.statement.role == OPPOSITE_STANCE[stance] for item, _ in picks):
            # Asked for a result, found only the target (or the reverse): say what the documents hold.
            item = picks[0][0]
            mismatched.append(other_stance_line(item, cites, stance, years))
            continue
        second = from_another_document(picks, by_province.get(province, []))
        label = second is not None
        for item, ctx in picks:
            line = answer_line(item, ctx, cites, analysis.intent, years, framed=framed, chunk_at=chunk_at)
            lines.append(f"Theo {document_label(item.statement)}: {line}" if label else line)
        if second is not None:
            line = answer_line(second, None, cites, analysis.intent, years, framed=framed, chunk_at=chunk_at)
            lines.append(f"Theo {document_label(second.statement)}: {line}")
            differ = figures_of(picks[0][0].statement.text) ^ figures_of(second.statement.text)
            if differ and figures_of(picks[0][0].statement.text) and figures_of(second.statement.text):
                lines.append(
                    f"Lưu ý: hai tài liệu của {province} nêu số liệu khác nhau "
                    f"({', '.join(sorted(figures_of(picks[0][0].statement.text)))} và "
                    f"{', '.join(sorted(figures_of(second.statement.text)))}); hãy đối chiếu nguồn."
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
