"""A conversation as a file officials reuse: plain text and Word (.docx), plus the Markdown record.

Plain text and .docx carry the words exactly as written — no Markdown escapes ("7,23%", not
"7\\,23\\%") — because they are pasted into minutes, reports and chat messages. The Markdown form
escapes document text exactly as the app does (`safe_text`): an image or link written in a document
stays characters and loads nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from nghiquyet.answer.models import Citation
from nghiquyet.conversation import Turn
from nghiquyet.safe_text import answer_markdown, clean_text, escape_markdown, markdown_block, quote_block

if TYPE_CHECKING:
    from ingest.models import Chunk
    from retrieval.models import Filters

# A heading's own number: "B.", "II.", "2.", "2.1", "a)" — what officials call a section by.
_SECTION_NUMBER = re.compile(r"^\s*(?:(?:PHẦN|Phần|MỤC|Mục|CHƯƠNG|Chương)\s+)?([A-ZĐ]|[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)/:-]")


def format_seconds(seconds: float) -> str:
    """Vietnamese decimal comma: 0,42 giây."""
    return f"{seconds:.2f}".replace(".", ",") + " giây"


def citation_heading(citation: Citation) -> str:
    """Title · province · years · section · location, each part escaped."""
    chunk = citation.passage.chunk
    doc = chunk.doc
    parts = [doc.title or chunk.source]
    if doc.province:
        parts.append(doc.province)
    if doc.years:
        parts.append(year_span(doc.years))
    if chunk.heading_path:
        parts.append(" › ".join(chunk.heading_path))
    parts.append(chunk.location)
    return " · ".join(escape_markdown(p) for p in parts)


def year_span(years: Sequence[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return ""
    if len(ys) == 1:
        return f"năm {ys[0]}"
    return f"năm {ys[0]}–{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else "năm " + ", ".join(map(str, ys))


def _turn_markdown(index: int, turn: Turn) -> list[str]:
    out = [f"## {index}. {escape_markdown(turn.question)}", ""]
    if turn.resolved is not None and turn.resolved.changed:
        out += [f"*Đã tìm:* {escape_markdown(turn.resolved.text)}", ""]
    if turn.error:
        out += [f"**Lỗi:** {escape_markdown(turn.error)}", ""]
        return out
    answer = turn.answer
    if answer is None:
        return out
    if answer.refused:
        out += ["**Không tìm thấy câu trả lời trong tài liệu.**", ""]
    out += [answer_markdown(answer.answer, style="plain"), ""]
    mode = "có dùng LLM" if answer.mode == "llm" else "trích xuất, không dùng LLM"
    out += [f"*Thời gian trả lời: {format_seconds(turn.elapsed_s)} · {mode}*", ""]
    if answer.citations:
        out += ["**Nguồn trích dẫn**", ""]
        for citation in answer.citations:
            chunk = citation.passage.chunk
            out += [
                f"**\\[{citation.n}\\]** {citation_heading(citation)} — tệp {escape_markdown(chunk.source)}",
                "",
                quote_block(markdown_block(chunk.text, citation.highlights, style="plain")),
                "",
            ]
    return out


def conversation_markdown(turns: Sequence[Turn], *, exported_at: datetime | None = None) -> str:
    """The whole conversation, oldest question first."""
    when = (exported_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    lines = [
        "# Hỏi đáp nghị quyết — nội dung cuộc hội thoại",
        "",
        f"*Xuất lúc {when} · {len(turns)} câu hỏi*",
        "",
    ]
    for i, turn in enumerate(turns, start=1):
        lines += _turn_markdown(i, turn)
    return "\n".join(lines).rstrip() + "\n"


# --- places and filters, as officials say them ----------------------------------------------------
def section_number(heading_path: Sequence[str]) -> str:
    """ "B.I.2" from ("B. CÁC CHỈ TIÊU…", "I. Kinh tế", "2. Tăng trưởng"); "" when no heading is numbered."""
    numbers = []
    for heading in heading_path:
        m = _SECTION_NUMBER.match(heading)
        if m:
            numbers.append(m.group(1).rstrip("."))
    return ".".join(numbers)


def passage_place(chunk: "Chunk", total: int | None = None) -> str:
    """Where a passage is, in words an official can find it by: "trang 3" or "mục B.I.2, đoạn 80/148"."""
    if chunk.page:
        return f"trang {chunk.page}"
    where = f"đoạn {chunk.seq + 1}/{total}" if total else f"đoạn {chunk.seq + 1}"
    section = section_number(chunk.heading_path)
    return f"mục {section}, {where}" if section else where


def filter_label(filters: "Filters", titles: Mapping[str, str] | None = None) -> str:
    """ "Trà Vinh · năm 2021 · <tài liệu>": the active sidebar filter; "" when none."""
    parts = [", ".join(filters.provinces)] if filters.provinces else []
    if filters.years:
        parts.append(year_span(filters.years))
    parts += [(titles or {}).get(s, s) for s in filters.sources]
    return " · ".join(p for p in parts if p)


# --- plain text: the copy button and the .txt export ---------------------------------------------
def cited_text(citation: Citation) -> str:
    """The cited sentence(s) of a passage as written, or the passage when nothing is marked."""
    text = citation.passage.chunk.text
    pieces = [text[a:b].strip() for a, b in sorted(citation.highlights) if 0 <= a < b <= len(text)]
    quoted = " … ".join(p for p in pieces if p) or text.strip()
    return " ".join(clean_text(quoted).split())


def source_line(citation: Citation, total: int | None = None) -> str:
    """ "[1] Title — Trà Vinh, năm 2020–2021 — mục B.I.2, đoạn 80/148 (tệp x.txt)"."""
    chunk = citation.passage.chunk
    doc = chunk.doc
    about = ", ".join(p for p in (doc.province or "", year_span(doc.years)) if p)
    parts = [doc.title or chunk.source, about, passage_place(chunk, total)]
    return f"[{citation.n}] " + " — ".join(clean_text(p) for p in parts if p) + f" (tệp {chunk.source})"


def turn_text(turn: Turn, totals: Mapping[str, int] | None = None, *, titles: Mapping[str, str] | None = None) -> str:
    """One question and its answer as plain text with its sources: what the copy button copies."""
    totals = totals or {}
    lines = [f"Hỏi: {clean_text(turn.question)}"]
    if turn.resolved is not None and turn.resolved.changed:
        lines.append(f"Đã tìm: {clean_text(turn.resolved.text)}")
    active = filter_label(turn.filters, titles)
    if active:
        lines.append(f"Đang lọc: {active}")
    if turn.reply is not None:
        return "\n".join([*lines, f"Trả lời: {turn.reply}"])
    if turn.error:
        return "\n".join([*lines, f"Lỗi: {clean_text(turn.error)}"])
    answer = turn.answer
    if answer is None:
        return "\n".join(lines)
    lines.append(f"Trả lời: {clean_text(answer.answer).strip()}")
    if answer.citations:
        lines.append("Nguồn:")
        for citation in answer.citations:
            lines.append(source_line(citation, totals.get(citation.passage.chunk.source)))
            lines.append(f"    “{cited_text(citation)}”")
    return "\n".join(lines)


def conversation_text(
    turns: Sequence[Turn], totals: Mapping[str, int] | None = None, *, exported_at: datetime | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The whole conversation as plain text, oldest question first."""
    when = (exported_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    blocks = [f"Hỏi đáp nghị quyết — nội dung cuộc hội thoại\nXuất lúc {when} · {len(turns)} câu hỏi"]
    blocks += [f"{i}. " + turn_text(turn, totals, titles=titles) for i, turn in enumerate(turns, start=1)]
    return "\n\n".join(blocks) + "\n"


def conversation_docx(
    turns: Sequence[Turn], totals: Mapping[str, int] | None = None, *, exported_at: datetime | None = None,
    titles: Mapping[str, str] | None = None,
) -> bytes:
    """The conversation as a Word document: questions as headings, cited sentences in bold in their passages."""
    from docx import Document  # imported here: only the export needs it

    totals = totals or {}
    document = Document()
    document.core_properties.language = "vi-VN"
    document.add_heading("Hỏi đáp nghị quyết — nội dung cuộc hội thoại", level=1)
    when = (exported_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    document.add_paragraph().add_run(f"Xuất lúc {when} · {len(turns)} câu hỏi").italic = True
    for i, turn in enumerate(turns, start=1):
        document.add_heading(f"{i}. {clean_text(turn.question)}", level=2)
        if turn.resolved is not None and turn.resolved.changed:
            document.add_paragraph().add_run(f"Đã tìm: {clean_text(turn.resolved.text)}").italic = True
        active = filter_label(turn.filters, titles)
        if active:
            document.add_paragraph().add_run(f"Đang lọc: {active}").italic = True
        if turn.reply is not None:
            document.add_paragraph(turn.reply)
            continue
        if turn.error:
            document.add_paragraph(f"Lỗi: {clean_text(turn.error)}")
            continue
        answer = turn.answer
        if answer is None:
            continue
        document.add_paragraph(clean_text(answer.answer).strip())
        if not answer.citations:
            continue
        document.add_paragraph().add_run("Nguồn").bold = True
        for citation in answer.citations:
            document.add_paragraph(
                source_line(citation, totals.get(citation.passage.chunk.source)), style="List Bullet"
            )
            quote = document.add_paragraph(style="Quote")
            text = citation.passage.chunk.text
            cursor = 0
            for a, b in sorted(citation.highlights):
                if a < cursor or not 0 <= a < b <= len(text):
                    continue
                quote.add_run(clean_text(text[cursor:a]))
                quote.add_run(clean_text(text[a:b])).bold = True
                cursor = b
            quote.add_run(clean_text(text[cursor:]))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
