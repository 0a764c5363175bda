"""Saying a chosen statement: "Năm 2021, Trà Vinh đặt chỉ tiêu: … [1]", table cells with their column,
the period cited where it is written, what the documents hold when it is not what was asked."""

from __future__ import annotations

import re
from collections.abc import Callable

from core.genre import (
    YEAR_RE,
    find_periods,
    years_in,
)
from core.vietnamese import index_key
from ingest.models import Chunk
from nghiquyet.answer.draft import Citations
from nghiquyet.answer.selection import Scored, place_of_passage
from nghiquyet.answer.stance import heading_years
from nghiquyet.answer.statements import Statement
from retrieval.models import Passage

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
    # A statement about a period is labelled with that period, never with the one year asked: its
    # section's, else its passage's ("Mục tiêu nhiệm kỳ 2020 - 2025, …").
    chunk = statement.chunk
    if statement.period:
        return statement.period
    if not chunk.period or statement.years != frozenset(chunk.period_years):
        return ""
    return f"giai đoạn {chunk.period}" if chunk.period[:1].isdigit() else chunk.period  # a bare "2019-2020"


def place_of(statement: Statement) -> str:
    return place_of_passage(statement.passage)


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
    line = f"{st.row_key}{when} của {place_of(st)}: {label} {value}".replace("  ", " ")
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
    place = place_of(st)
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


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*(?:\s?%)?")


def figures_of(text: str) -> set[str]:
    """The figures a statement states (years left out)."""
    return {f.replace(" ", "") for f in _FIGURE.findall(text) if not YEAR_RE.fullmatch(f)}


def document_label(st: Statement) -> str:
    doc = st.chunk.doc
    title = " ".join((doc.title or doc.source).split())
    return f"“{title[:90].rstrip()}{'…' if len(title) > 90 else ''}”"


OPPOSITE_STANCE = {"target": "result", "result": "target"}


def part_line(item: Scored, cites: Citations, chunk_at: ChunkAt | None) -> str:
    """"Tài liệu của Quảng Ninh chỉ có số liệu 9 tháng đầu năm 2021: … [1]." """
    st = item.statement
    n = cites.cite(st)
    period = next((p.label for p in find_periods(st.text) if p.kind == "part"), st.chunk.period)
    cite = _period_citation(st, cites, chunk_at)
    return f"Tài liệu của {place_of(st)} chỉ có số liệu {period}{' ' + cite if cite else ''}: {_lower_first(st.text.rstrip('.'))} [{n}]."


def other_stance_line(item: Scored, cites: Citations, asked: str, asked_years: set[int]) -> str:
    """"Tài liệu của Hà Nội chỉ nêu chỉ tiêu năm 2021: … 7,5% [1], không nêu kết quả thực hiện." """
    st = item.statement
    n = cites.cite(st)
    when = _when(st, asked_years)
    held, lacking = ("chỉ tiêu", "kết quả thực hiện") if asked == "result" else ("kết quả thực hiện", "chỉ tiêu")
    head = f"Tài liệu của {place_of(st)} chỉ nêu {held}" + (f" {when}" if when else "")
    value = f"{st.row_key} — {st.column}: {st.text}" if st.column else _lower_first(st.text.rstrip("."))
    return f"{head}: {value} [{n}], không nêu {lacking}."


ChunkAt = Callable[[str, int], Chunk | None]


def answer_line(
    item: Scored, ctx: Scored | None, cites: Citations, intent: str, asked_years: set[int], *, framed: bool,
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


def _period_citation(st: Statement, cites: Citations, chunk_at: ChunkAt | None) -> str:
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
